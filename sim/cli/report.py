"""``sim report``: the Markdown and HTML comparison report of a batch."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import say


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
        "--max-half-width-pp",
        type=float,
        default=2.0,
        metavar="PP",
        help="flag configurations whose 95 %% interval half-width exceeds PP percentage "
        "points (default 2)",
    )
    report.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Write the report of a batch folder."""
    from sim.report.batch import write_report

    written = write_report(args.results, out_dir=args.out, max_half_width_pp=args.max_half_width_pp)
    for path in written:
        say(f"wrote {path}")
    return 0
