"""``sim coverage``: who lives within 10, 30 and 60 minutes of a rescue station today."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.cli.common import (
    add_out_arguments,
    add_region_arguments,
    check_out_dir,
    load_region,
    say,
    slow_step,
)
from sim.errors import SimError

DEFAULT_OUT = Path("results") / "coverage"
#: Files ``sim coverage`` writes into its folder.
OUTPUT_FILES = ("coverage.csv", "coverage.png", "map.gpkg")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``coverage`` sub-command."""
    cov = commands.add_parser(
        "coverage",
        help="static 10/30/60-minute coverage of residents by rescue tier and policy",
        description="Share of residents whose home is within 10, 30 and 60 minutes of a "
        "community, ground or aviation team (turnout included), per jurisdiction, "
        "under separate and joint dispatch. As in a run, community responders set off from "
        "their homes near the post, ground teams from their station, and aircraft fly from "
        "their base (plus the tier's approach_km from a base off the map, which --scenario "
        "can set). Prints the table and writes coverage.csv "
        "(the full curve 0-120 min), coverage.png and map.gpkg (a GeoPackage for QGIS: "
        "layer 'coverage', every road node with its minutes to each tier per policy).",
    )
    add_region_arguments(cov)
    cov.add_argument(
        "--stations",
        type=Path,
        metavar="CSV",
        help="stations file with columns name,tier,lon,lat,jurisdiction (tier: community, "
        "ground or aviation) and optionally teams (community: responders of the post, "
        "each from a home of their own); default: the built-in region's stations",
    )
    cov.add_argument(
        "--population",
        type=Path,
        metavar="CSV",
        help="population file with columns lon,lat,persons; default: the region's residents, "
        "or one person per node for a loaded file (the output says so)",
    )
    cov.add_argument(
        "--scenario",
        metavar="NAME_OR_TOML",
        default=None,
        help="take the tier standards (turnout, speeds, aviation approach_km, from "
        "[forces]) from a scenario: a built-in name (`sim scenarios`) or a TOML file "
        "('default' flies helicopters 100 km from their real base). The region "
        "and stations still come from --region and --stations. Default: the standard "
        "tiers of sim/tiers.py (no approach flight)",
    )
    cov.add_argument(
        "--responders-at-post",
        action="store_true",
        help="route community responders from their post instead of their homes (the "
        "figure of a crew on duty at the post; flatters the 10-min share)",
    )
    cov.add_argument(
        "--policy",
        choices=("separate", "joint", "both"),
        default="both",
        help="dispatch policy: own stations only, any station, or both (default)",
    )
    cov.add_argument(
        "--tier",
        choices=("community", "ground", "aviation"),
        default="ground",
        help="tier whose response time colours the map (default ground)",
    )
    add_out_arguments(cov, default=DEFAULT_OUT, what="coverage files")
    cov.add_argument("--no-plot", action="store_true", help="skip coverage.png")
    cov.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Compute static coverage, print the headline table and write the outputs."""
    from sim.coverage import STATIC_POLICIES, static_coverage
    from sim.network.points import check_stations, read_population_csv, read_stations_csv
    from sim.report.coverage import format_headline, write_coverage_outputs

    check_out_dir(args.out, OUTPUT_FILES, force=args.force)
    started = time.perf_counter()
    tiers = None
    if args.scenario is not None:
        from sim.engine.forces import resolve_tiers
        from sim.scenarios.scenario import load_scenario

        tiers = resolve_tiers(load_scenario(args.scenario))
    network = load_region(args)
    if args.stations is not None:
        stations = read_stations_csv(args.stations, network)
    elif "stations" in network.places and len(network.places["stations"]):
        stations = network.places["stations"]
        check_stations(stations, network, source=f"region {network.name}")
    else:
        raise SimError(
            f"region {network.name!r} has no stations; pass --stations FILE.csv with columns "
            "name,tier,lon,lat,jurisdiction"
        )
    if args.population is not None:
        population = read_population_csv(args.population, network)
    else:
        population = network.node_population_persons
    policies = STATIC_POLICIES if args.policy == "both" else (args.policy,)
    with slow_step("routing from every station"):
        result = static_coverage(
            network,
            stations,
            population,
            policies=policies,
            tiers=tiers,
            responders_at_home=not args.responders_at_post,
        )
    print(format_headline(result, network))
    with slow_step("writing coverage.csv, coverage.png and map.gpkg"):
        written = write_coverage_outputs(
            result,
            network,
            stations,
            population,
            out_dir=args.out,
            map_tier=args.tier,
            plot=not args.no_plot,
        )
        from sim.files.atomic import write_atomic
        from sim.results.gis import write_coverage_map

        written.append(
            write_atomic(
                args.out / "map.gpkg",
                lambda p: write_coverage_map(p, network, result.time_s, population),
            )
        )
    for path in written:
        say(f"wrote {path}")
    say(f"{network.name}: {network.n_nodes:,} nodes ({time.perf_counter() - started:.1f} s)")
    return 0
