"""``sim site``: where to put the next stations of a tier (maximal covering on the roads)."""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from sim.cli.common import (
    add_out_arguments,
    add_region_arguments,
    check_out_dir,
    load_region,
    number,
    say,
    slow_step,
    whole,
)
from sim.errors import InputError
from sim.tiers import TIER_NAMES, TIERS

if TYPE_CHECKING:
    import pandas as pd

    from sim.network.compiled import RoadNetwork

DEFAULT_SITE_OUT = Path("results") / "site"
#: Files ``sim site`` writes into its folder.
OUTPUT_FILES = ("stations.csv", "sites.csv", "coverage.csv", "site_map.png")

#: ``--exact`` / ``--heuristic`` / neither, as a :mod:`sim.siting.models` method.
_METHODS: Mapping[str | None, str] = MappingProxyType(
    {"exact": "milp", "heuristic": "greedy+swap", None: "auto"}
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``site`` sub-command."""
    site = commands.add_parser(
        "site",
        help="where to add stations of a tier: maximal covering on network travel times",
        description="Choose where to add N stations of a tier so that as many residents as "
        "possible live within the coverage time of a station (maximal covering on road "
        "travel times, turnout included; existing stations stay). Prints the chosen sites "
        "and the coverage before and after per jurisdiction, and writes stations.csv (every "
        "station, the new ones included; give it to `sim coverage --stations` or a "
        "scenario's [region] stations), sites.csv, coverage.csv and site_map.png. Solved "
        "exactly with HiGHS when it can be within the time limit, else by greedy + swap "
        "with a proven bound; the gap is printed.",
    )
    add_region_arguments(site)
    site.add_argument(
        "--tier",
        choices=TIER_NAMES,
        default="ground",
        help="tier of the new stations (default ground)",
    )
    site.add_argument(
        "--add",
        type=whole(1, 1000, "stations"),
        default=1,
        metavar="N",
        help="number of stations to add (default 1)",
    )
    site.add_argument(
        "--teams",
        type=whole(1, 1000, "teams"),
        default=1,
        metavar="N",
        help="teams at each new station, written to stations.csv for sim run and sim batch "
        "(default 1; static coverage counts it for community posts only: each responder "
        "sets off from a home of their own near the post)",
    )
    site.add_argument(
        "--within",
        type=number(0.0, 1440.0, "minutes"),
        default=None,
        metavar="MIN",
        help="coverage time in minutes, turnout included (default: the tier's standard, "
        + ", ".join(f"{t.name} {t.standard_min:g}" for t in TIERS.values())
        + ")",
    )
    site.add_argument(
        "--policy",
        choices=("separate", "joint"),
        default="separate",
        help="separate (default): a station serves only its own jurisdiction's residents; "
        "joint: any station serves anyone across the border",
    )
    where = site.add_mutually_exclusive_group()
    where.add_argument(
        "--candidates",
        type=Path,
        metavar="CSV",
        help="candidate sites with columns lon,lat and optionally name (WGS84; snapped to "
        "the nearest road node); default: every road node",
    )
    where.add_argument(
        "--road-class",
        metavar="CLASS",
        help="candidate sites only on roads of CLASS or higher (motorway, trunk, primary, "
        "secondary, tertiary, unclassified, residential, ...)",
    )
    site.add_argument(
        "--jurisdiction",
        metavar="NAME",
        help="candidate sites only in this jurisdiction (default: both sides)",
    )
    site.add_argument(
        "--stations",
        type=Path,
        metavar="CSV",
        help="existing stations (name,tier,lon,lat,jurisdiction[,teams]); default: the "
        "region's stations",
    )
    site.add_argument(
        "--population",
        type=Path,
        metavar="CSV",
        help="residents (lon,lat,persons); default: the region's, or one person per node",
    )
    method = site.add_mutually_exclusive_group()
    method.add_argument(
        "--exact",
        dest="method",
        action="store_const",
        const="exact",
        help="always run the MILP (HiGHS) until optimal or the time limit",
    )
    method.add_argument(
        "--heuristic",
        dest="method",
        action="store_const",
        const="heuristic",
        help="greedy + swap with a Lagrangian bound only (default: heuristic first, the "
        "MILP when the bound does not prove it optimal)",
    )
    site.add_argument(
        "--time-limit",
        type=number(0.0, 86_400.0, "seconds"),
        default=60.0,
        metavar="S",
        help="seconds for the optimisation, routing excluded (default 60)",
    )
    add_out_arguments(site, default=DEFAULT_SITE_OUT, what="siting files")
    site.add_argument("--no-plot", action="store_true", help="skip site_map.png")
    site.set_defaults(handler=handle)


def _check_arguments(args: argparse.Namespace) -> float:
    """Check the numbers; return the coverage time in minutes."""
    minutes = TIERS[args.tier].standard_min if args.within is None else args.within
    if not math.isfinite(minutes) or minutes <= 0:
        raise InputError(f"--within must be a positive number of minutes, got {minutes:g}")
    if not math.isfinite(args.time_limit) or args.time_limit <= 0:
        raise InputError(
            f"--time-limit must be a positive number of seconds, got {args.time_limit:g}"
        )
    check_out_dir(args.out, OUTPUT_FILES, force=args.force)
    return float(minutes)


def _existing_stations(args: argparse.Namespace, network: RoadNetwork) -> pd.DataFrame:
    import pandas as pd

    from sim.network.points import check_stations, read_stations_csv

    if args.stations is not None:
        return read_stations_csv(args.stations, network)
    stations = network.places.get("stations")
    if stations is None or len(stations) == 0:
        say(f"region {network.name} has no stations: siting from scratch")
        return pd.DataFrame(columns=["name", "tier", "node", "teams", "jurisdiction"])
    check_stations(stations, network, source=f"region {network.name}")
    return stations


def _candidates(args: argparse.Namespace, network: RoadNetwork) -> pd.DataFrame:
    import pandas as pd

    from sim.siting.stations import candidate_nodes, read_candidates_csv

    if args.candidates is None:
        nodes = candidate_nodes(network, road_class=args.road_class, jurisdiction=args.jurisdiction)
        return pd.DataFrame({"node": nodes})
    table = read_candidates_csv(args.candidates, network)
    if args.jurisdiction is not None:
        side = network.jurisdiction_index(args.jurisdiction)
        table = table[network.jurisdiction[table["node"].to_numpy()] == side]
        if len(table) == 0:
            raise InputError(f"{args.candidates}: no candidate site lies in {args.jurisdiction}")
    return table


def next_command(args: argparse.Namespace, stations_csv: Path) -> str:
    """Return the ``sim coverage`` line that shows what the new stations buy, with the same inputs.

    Every option that changes the figures (region, its seed and population, the
    jurisdictions, the population file) is carried over, so the suggested command
    reports the same "after" coverage as ``sim site`` printed.
    """
    import shlex

    parts = ["sim", "coverage", "--region", str(args.region)]
    for option, value in (
        ("--seed", args.seed),
        ("--population-total", args.population_total),
        ("--jurisdictions", args.jurisdictions),
        ("--population", args.population),
    ):
        if value is not None:
            parts += [option, str(value)]
    parts += ["--stations", str(stations_csv), "--policy", args.policy, "--tier", args.tier]
    return shlex.join(parts)


def handle(args: argparse.Namespace) -> int:
    """Choose the new sites, print the report and write the outputs."""
    import numpy as np
    import pandas as pd

    from sim.coverage import static_coverage
    from sim.engine.progress import progress_wanted
    from sim.network.points import read_population_csv
    from sim.report.site import (
        coverage_change,
        format_site_report,
        new_sites_table,
        write_site_outputs,
    )
    from sim.siting.models import maximal_covering
    from sim.siting.stations import station_siting

    minutes = _check_arguments(args)
    within_s = minutes * 60.0
    started = time.perf_counter()
    network = load_region(args)
    existing = _existing_stations(args, network)
    population = (
        read_population_csv(args.population, network)
        if args.population is not None
        else network.node_population_persons
    )
    candidates = _candidates(args, network)
    say(
        f"routing {len(candidates):,} candidate sites of {network.n_nodes:,} nodes "
        f"({args.tier}, {minutes:g} min, {args.policy} dispatch) ..."
    )
    problem = station_siting(
        network,
        tier=args.tier,
        existing=existing,
        candidates=candidates,
        population_persons=population,
        policy=args.policy,
        limit_s=within_s,
        candidate_teams=args.teams,
        progress=progress_wanted(None),
    )
    say(
        f"  {problem.n_candidates:,} usable candidates, {len(problem.fixed)} existing "
        f"{args.tier} stations, {len(problem.demand_nodes):,} demand nodes "
        f"({problem.demand_persons.sum():,.0f} persons), {problem.response_s.nnz:,} site-node "
        f"pairs within {minutes:g} min ({time.perf_counter() - started:.1f} s)"
    )
    result = maximal_covering(
        problem.response_s,
        problem.demand_persons,
        p=args.add,
        within=within_s,
        fixed=problem.fixed,
        method=_METHODS[args.method],
        time_limit_s=args.time_limit,
    )
    sites = new_sites_table(network, problem, result, within_s=within_s, teams=args.teams)
    new = sites[["name", "tier", "node", "teams", "jurisdiction"]]
    if len(existing) and len(new):
        stations_after = pd.concat([existing, new], ignore_index=True)
    else:  # pandas warns when concatenating an empty table
        stations_after = existing if len(existing) else new
    persons = None if problem.population_assumed else population
    tiers = {args.tier: TIERS[args.tier]}
    grid = np.array([minutes])
    kwargs = {"policies": (args.policy,), "tiers": tiers, "minutes": grid}
    before = static_coverage(network, existing, persons, **kwargs)
    after = static_coverage(network, stations_after, persons, **kwargs)
    change = coverage_change(before, after, policy=args.policy, tier=args.tier, minutes=minutes)
    print(
        format_site_report(
            sites,
            change,
            result,
            tier=args.tier,
            policy=args.policy,
            minutes=minutes,
            asked=args.add,
        )
    )
    if problem.population_assumed:
        print("note: no population given; persons spread evenly over nodes (one per node)")
    with slow_step("writing the siting files and drawing site_map.png"):
        written = write_site_outputs(
            args.out,
            network=network,
            stations_after=stations_after,
            sites=sites,
            change=change,
            population_persons=np.ones(network.n_nodes) if persons is None else persons,
            tier=args.tier,
            policy=args.policy,
            plot=not args.no_plot,
        )
    for path in written:
        say(f"wrote {path}")
    say(f"next: {next_command(args, written[0])}")
    return 0
