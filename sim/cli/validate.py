"""``sim validate``: check a scenario file without running it."""

from __future__ import annotations

import argparse

from sim.cli.common import scenario_and_network


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command."""
    val = commands.add_parser(
        "validate",
        help="check a scenario file without running it",
        description="Load and check a scenario: keys, types, ranges, times within the horizon, "
        "and (with its region loaded) jurisdictions, settlements and places. Exit 0 when "
        "valid, 2 with a message naming the key, value and fix when not.",
    )
    val.add_argument("scenario", help="built-in scenario name or TOML file")
    val.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Load the scenario and its region; print one line when it is valid."""
    scenario, network = scenario_and_network(args.scenario)
    n_warnings, n_incidents = len(scenario.warnings), len(scenario.incidents)
    print(
        f"{args.scenario}: valid ({n_warnings} warning{'s' * (n_warnings != 1)}, "
        f"{n_incidents} incident{'s' * (n_incidents != 1)}, {scenario.horizon_h:g} h on "
        f"{network.name})"
    )
    return 0
