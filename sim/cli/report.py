"""``sim report``: the Markdown and HTML comparison report of a batch."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import number, say, slow_step

#: Files a report writes besides its figures (PNG).
REPORT_FILES = ("report.md", "report.html", "configurations.csv")
#: Name prefixes of the report's figures (PNG, :mod:`sim.report.figures`).
REPORT_FIGURES = ("coverage_", "evacuation_", "supply_", "gain_")


def _report_writes(name: str) -> bool:
    """Whether a report writes, and so would replace, a file called ``name``."""
    return name in REPORT_FILES or (name.endswith(".png") and name.startswith(REPORT_FIGURES))


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command."""
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
        "--force",
        action="store_true",
        help="write the report into an --out folder that holds other files (left alone)",
    )
    report.add_argument(
        "--max-half-width-pp",
        type=number(0.0, 100.0, "percentage points"),
        default=2.0,
        metavar="PP",
        help="flag configurations whose 95 %% interval half-width exceeds PP percentage "
        "points (default 2)",
    )
    report.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Write the report of a batch folder."""
    from sim.batch.collect import is_batch_folder, read_manifest
    from sim.files.outputs import check_output_folder
    from sim.report.batch import write_report

    read_manifest(args.results)  # a folder that holds no batch: one line, nothing written
    if args.out is not None:

        def ours(path: Path) -> bool:
            return is_batch_folder(path) or all(
                p.name in REPORT_FILES or p.suffix == ".png" or p.name.startswith(".")
                for p in path.iterdir()
            )

        check_output_folder(
            args.out, is_ours=ours, force=args.force, what="report", writes=_report_writes
        )
    with slow_step(f"writing the report of {args.results} (tables and figures)"):
        written = write_report(
            args.results, out_dir=args.out, max_half_width_pp=args.max_half_width_pp
        )
    for path in written:
        say(f"wrote {path}")
    return 0
