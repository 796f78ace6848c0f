"""``sim batch``, ``sim report`` and ``sim experiments``: batches of runs and their report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add the batch, report and experiments sub-commands."""
    batch = commands.add_parser(
        "batch",
        help="run an experiment: base scenarios x parameter grid x replications",
        description="Run every run of an experiment (a built-in name from `sim experiments` "
        "or a TOML file) on local worker processes or a Dask cluster. Writes "
        "results/<experiment>/runs.parquet (one row per run: parameters, seed, metrics, "
        "status, duration), curve tables and manifest.json. A failed run is recorded with "
        "its error and the batch goes on; an interrupted batch (even by kill -9) continues "
        "with --resume. Results do not depend on the executor or the number of workers. "
        "Exit code 0 when every run finished, 1 when some runs failed (see the error "
        "column), 2 for bad input (nothing is written).",
    )
    batch.add_argument("experiment", help="built-in experiment name or experiment TOML file")
    batch.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="local worker processes (default 1); with --dask-local, the LocalCluster's "
        "single-threaded worker processes; ignored with --scheduler",
    )
    batch.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on the Dask distributed cluster at ADDRESS (e.g. tcp://10.0.0.5:8786); "
        "every worker machine needs this package installed and the region files the "
        "scenarios name at the same paths",
    )
    batch.add_argument(
        "--dask-local",
        action="store_true",
        help="start a Dask LocalCluster of --workers processes on this machine and run there",
    )
    batch.add_argument(
        "--resume",
        action="store_true",
        help="continue the batch in the results folder: keep every finished run, run the "
        "rest (refused if the experiment changed since)",
    )
    batch.add_argument(
        "--retry-failed",
        action="store_true",
        help="with --resume, run again the runs recorded as failed",
    )
    batch.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="results folder (default results/<experiment>, results/<experiment>-small "
        "with --small)",
    )
    batch.add_argument(
        "--small",
        action="store_true",
        help="the experiment's quick mode (its [small] table: fewer values, replications "
        "and residents)",
    )
    batch.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    batch.set_defaults(handler=_cmd_batch)

    report = commands.add_parser(
        "report",
        help="write the Markdown and HTML comparison report of a batch",
        description="Read a batch folder (results/<experiment>) and write report.md, "
        "report.html (one file, figures embedded) and the figures as PNG: the 10/30/60 "
        "table per configuration and jurisdiction with 95 % intervals across seeds, "
        "coverage, evacuation and supply curves, the gain of each setting over the first "
        "value of its grid key (linkage over 'separate') with a significance test, and the "
        "replications the intervals need.",
    )
    report.add_argument("results", type=Path, help="a batch results folder")
    report.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write the report (default: the results folder)",
    )
    report.add_argument(
        "--max-half-width-pp",
        type=float,
        default=2.0,
        metavar="PP",
        help="flag configurations whose 95 %% interval half-width exceeds PP percentage "
        "points (default 2)",
    )
    report.set_defaults(handler=_cmd_report)

    listing = commands.add_parser(
        "experiments",
        help="list the built-in experiments",
        description="List the built-in experiments (in experiments/) with their descriptions.",
    )
    listing.set_defaults(handler=_cmd_experiments)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cmd_batch(args: argparse.Namespace) -> int:
    from sim.experiment import load_experiment
    from sim.experiment_batch import run_batch

    experiment = load_experiment(args.experiment, small=args.small)
    report = run_batch(
        experiment,
        out_dir=args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        dask_local=args.dask_local,
        resume=args.resume,
        retry_failed=args.retry_failed,
        progress=not args.no_progress,
        say=_say,
    )
    per_run = report.wall_s / report.ran if report.ran else float("nan")
    print(
        f"{report.out_dir}: {report.planned - report.missing} of {report.planned} runs "
        f"recorded ({report.kept} kept, {report.ran} run now, {report.failed} failed); "
        f"{report.wall_s:.1f} s, {per_run:.2f} s per run; networks compiled: "
        f"{report.network_loads}"
    )
    print(f"next: sim report {report.out_dir}")
    return 1 if report.failed else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.report import write_report

    written = write_report(args.results, out_dir=args.out, max_half_width_pp=args.max_half_width_pp)
    for path in written:
        _say(f"wrote {path}")
    return 0


def _cmd_experiments(args: argparse.Namespace) -> int:
    from sim.experiment import builtin_experiments, experiment_path
    from sim.scenario_load import read_toml

    for name in builtin_experiments():
        data, _ = read_toml(experiment_path(name))
        print(f"{name:<22} {data.get('description', '')}")
    return 0
