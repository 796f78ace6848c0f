"""``sim scenarios``: list the built-in scenarios."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``scenarios`` sub-command."""
    lst = commands.add_parser(
        "scenarios",
        help="list the built-in scenarios",
        description="List the built-in scenarios with their one-line descriptions.",
    )
    lst.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print each built-in scenario's name and description."""
    from sim.scenarios.builtin import builtin_names
    from sim.scenarios.scenario import load_scenario

    for name in builtin_names():
        print(f"{name:<14} {load_scenario(name).description}")
    return 0
