"""``sim experiments``: list the built-in experiments."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``experiments`` sub-command."""
    listing = commands.add_parser(
        "experiments",
        help="list the built-in experiments",
        description="List the built-in experiments (in experiments/) with their descriptions.",
    )
    listing.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print each built-in experiment's name and description."""
    from sim.batch.experiment import builtin_experiments, experiment_path
    from sim.scenarios.load import read_toml

    for name in builtin_experiments():
        data, _ = read_toml(experiment_path(name))
        print(f"{name:<22} {data.get('description', '')}")
    return 0
