"""The ``sim`` command. Every sub-command documents its options in ``--help``.

Input errors print one line, ``sim: error: ...``, and exit with code 2 before any
result file is written. Each sub-command lives in its own module with a
``register(commands)`` function that adds its parser; :data:`COMMANDS` lists them in
the order ``sim --help`` shows them.
"""

from __future__ import annotations

import argparse
import sys

from sim.cli import (
    animate,
    batch,
    coverage,
    experiments,
    network,
    plot,
    region,
    report,
    run,
    scenarios,
    site,
    validate,
)
from sim.cli.common import NOTES, SimArgumentParser, flush_notes
from sim.errors import SimError

#: Sub-command modules, in help order.
COMMANDS = (run, validate, scenarios, coverage, site, network, region, batch, report,
            experiments, animate, plot)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sim`` command."""
    parser = SimArgumentParser(
        prog="sim",
        description="Cross-border evacuation and rescue-dispatch simulator. "
        "Run 'sim COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``sim`` command; return its exit code (bare ``sim`` prints the help)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SimError as exc:  # an option argparse refused, worded on one line
        print(f"sim: error: {exc}", file=sys.stderr)
        return 2
    if args.command is None:
        parser.print_help()
        return 0
    try:
        code = int(args.handler(args) or 0)
    except SimError as exc:
        NOTES.clear()
        print(f"sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        NOTES.clear()
        print("sim: interrupted", file=sys.stderr)
        return 130
    flush_notes()
    return code


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("border-sim")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
