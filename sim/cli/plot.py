"""``sim plot``: static figures of a run: coverage curves, evacuation curve, response map."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import add_out_arguments, check_out_dir, say, slow_step


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``plot`` sub-command."""
    plot = commands.add_parser(
        "plot",
        help="static figures of a run: coverage curves, evacuation curve, response-time map",
        description="Write coverage_curves.png (response coverage by tier and jurisdiction, "
        "0-120 min, with each tier's standard), evacuation_curve.png (persons departed and "
        "sheltered over time) and response_map.png (incidents coloured by response time "
        "per tier) for a run folder.",
    )
    plot.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="run folder")
    add_out_arguments(plot, default=None, what="figures")
    plot.add_argument("--region", default=None, metavar="SOURCE", help="as for `sim animate`")
    plot.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Write the run's figures."""
    from sim.plot.run import PLOT_FILES, write_run_plots
    from sim.results.run_folder import check_run_folder

    check_run_folder(args.run_dir)
    out = args.out if args.out is not None else args.run_dir / "plots"
    check_out_dir(out, PLOT_FILES, force=args.force, option="--out" if args.out else "")
    with slow_step(f"drawing the figures of {args.run_dir}"):
        written = write_run_plots(args.run_dir, out, region=args.region)
    for path in written:
        say(f"wrote {path}")
    return 0
