"""``sim run``: run a scenario with a seed and write its run folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.cli.common import add_out_arguments, network_of, say, scenario_with_policy, whole

LINKAGES = ("separate", "notify", "mutual_aid", "joint")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``run`` sub-command."""
    run = commands.add_parser(
        "run",
        help="run a scenario: evacuation, tiered rescue dispatch and supply on one clock",
        description="Run a scenario (a built-in name from `sim scenarios` or a TOML file) with "
        "a seed. Prints the 10/30/60-minute response coverage per jurisdiction and the "
        "evacuation clearance times, and writes the run folder (scenario.toml, summary.json, "
        "events.parquet, tracks.parquet, incidents.parquet, curves).",
    )
    run.add_argument(
        "scenario",
        nargs="?",
        default="default",
        help="built-in scenario name or TOML file (default: 'default', a flood-evacuation "
        "drill on the built-in region)",
    )
    run.add_argument("--seed", type=whole(0, 2**32 - 1), default=0, help="run seed (default 0)")
    run.add_argument(
        "--policy",
        choices=LINKAGES,
        default=None,
        help="override the scenario's cross-border linkage policy",
    )
    add_out_arguments(
        run,
        default=None,
        what="run folder",
        default_text="results/<scenario>-<policy>-seed<seed>",
    )
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the scenario, print its summary and write the run folder."""
    from sim.engine.runs import run
    from sim.files.outputs import check_output_folder, safe_name
    from sim.report.run import format_run
    from sim.results.layout import RUN_WRITES, is_run_folder

    started = time.perf_counter()
    scenario = scenario_with_policy(args.scenario, args.policy)
    name = f"{safe_name(scenario.name)}-{scenario.policy.linkage}-seed{args.seed}"
    out = args.out or Path("results") / name
    # the folder first: a refused --out is said at once, before the region loads
    check_output_folder(out, is_ours=is_run_folder, force=args.force, what="run", writes=RUN_WRITES)
    network = network_of(scenario, args.scenario)
    say(
        f"running {scenario.name} ({scenario.policy.linkage}, seed {args.seed}) on "
        f"{network.name}: {network.n_nodes:,} nodes"
    )
    progress = False if args.no_progress else None  # None: a bar when stderr is a terminal
    result = run(scenario, seed=args.seed, network=network, progress=progress)
    print(format_run(result))
    result.write(out)
    say(f"wrote {out} ({time.perf_counter() - started:.1f} s)")
    return 0
