"""``sim batch``: run an experiment's runs, resumably, on local processes or Dask."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import say, whole


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``batch`` sub-command."""
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
        type=whole(1, 512, "workers"),
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
    batch.add_argument(
        "--force",
        action="store_true",
        help="write into an --out folder that holds other files (they are left alone)",
    )
    batch.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    batch.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the experiment's batch and print what it did."""
    from sim.batch.experiment import load_experiment
    from sim.batch.runner import BatchInterrupted, run_batch

    experiment = load_experiment(args.experiment, small=args.small)
    try:
        report = run_batch(
            experiment,
            out_dir=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_local=args.dask_local,
            resume=args.resume,
            retry_failed=args.retry_failed,
            force=args.force,
            progress=not args.no_progress,
            say=say,
        )
    except BatchInterrupted as stop:
        r = stop.report
        say(
            f"sim: interrupted: the workers are stopped; {r.planned - r.missing} of "
            f"{r.planned} runs are recorded in {r.out_dir}; continue with the same command "
            "and --resume"
        )
        return 130
    per_run = f"{report.wall_s / report.ran:.2f} s per run" if report.ran else "no run needed"
    print(
        f"{report.out_dir}: {report.planned - report.missing} of {report.planned} runs "
        f"recorded ({report.kept} kept, {report.ran} run now, {report.failed} failed); "
        f"{report.wall_s:.1f} s, {per_run}; networks compiled: {report.network_loads}"
    )
    ok = report.planned - report.missing - report.failed
    if ok == 0:
        print(
            "no run finished without error: see the error column of runs.parquet (or the "
            "lines above); fix the cause, then run again with --resume --retry-failed"
        )
        return 1
    print(f"next: sim report {report.out_dir}")
    return 1 if report.failed else 0
