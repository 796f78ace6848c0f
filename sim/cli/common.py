"""What several ``sim`` commands share: region options, loading, messages, output checks.

Only light modules are imported here: each command imports what it needs when it runs,
so ``sim --help`` starts without loading numpy, pandas, scipy or mesa.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import SimError

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork
    from sim.scenarios.scenario import Scenario


def say(message: str) -> None:
    """Print a progress or status line on standard error."""
    print(message, file=sys.stderr, flush=True)


def add_region_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--region``, ``--seed``, ``--population-total`` and ``--jurisdictions``."""
    group = parser.add_argument_group("region")
    group.add_argument(
        "--region",
        default="fujiang",
        metavar="SOURCE",
        help="'fujiang' (built-in, default), an OSM XML file (.osm, .osm.bz2), an osmnx "
        "GraphML file (.graphml), a compiled network (.npz), or 'place:NAME' to download "
        "the drive network of a place through osmnx (needs internet; cached as GraphML)",
    )
    group.add_argument(
        "--seed",
        type=int,
        default=None,
        help="generator seed of the built-in region (default: the region's own, 2020)",
    )
    group.add_argument(
        "--population-total",
        type=int,
        default=None,
        metavar="PERSONS",
        help="residents of the built-in region (default 400000)",
    )
    group.add_argument(
        "--jurisdictions",
        type=Path,
        default=None,
        metavar="GEOJSON",
        help="polygons with a 'name' property (WGS84) giving each node its jurisdiction; "
        "a loaded file otherwise has one jurisdiction",
    )


def load_region(args: argparse.Namespace) -> RoadNetwork:
    """Load the network the region options name."""
    from sim.network.sources import load_network

    return load_network(
        args.region,
        seed=args.seed,
        population_persons=args.population_total,
        jurisdictions=args.jurisdictions,
    )


def scenario_and_network(name: str, policy: str | None = None) -> tuple[Scenario, RoadNetwork]:
    """Load a scenario (a built-in name or a file), apply ``policy``, load and check its region."""
    from dataclasses import replace

    from sim.engine.runs import network_for
    from sim.scenarios.check import check_against_network
    from sim.scenarios.scenario import load_scenario

    scenario = load_scenario(name)
    if policy is not None:
        scenario = replace(scenario, policy=replace(scenario.policy, linkage=policy))
    network = network_for(scenario)
    check_against_network(scenario, network, source=str(name))
    return scenario, network


def check_out_dir(out: Path) -> None:
    """Refuse an ``--out`` that is a file."""
    if out.exists() and not out.is_dir():
        raise SimError(f"--out {out} is a file; give a folder")
