"""The ``sim`` command. Every sub-command documents its options in ``--help``.

Input errors print one line, ``sim: error: ...``, and exit with code 2 before any
result file is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.errors import SimError

DEFAULT_COVERAGE_OUT = Path("results") / "coverage"

#: Modules that add sub-commands: each has ``register(commands)`` taking the
#: ``add_subparsers`` object and adding parsers whose ``handler`` returns an exit code.
COMMAND_MODULES: tuple[str, ...] = ("sim.cli_batch", "sim.cli_replay", "sim.cli_site")


def _region_arguments(parser: argparse.ArgumentParser) -> None:
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


def _load(args: argparse.Namespace):
    from sim.sources import load_network

    return load_network(
        args.region,
        seed=args.seed,
        population_persons=args.population_total,
        jurisdictions=args.jurisdictions,
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sim`` command."""
    parser = argparse.ArgumentParser(
        prog="sim",
        description="Cross-border evacuation and rescue-dispatch simulator. "
        "Run 'sim COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    cov = commands.add_parser(
        "coverage",
        help="static 10/30/60-minute coverage of residents by rescue tier and policy",
        description="Share of residents whose home is within 10, 30 and 60 minutes of a "
        "community, ground or aviation station (turnout included), per jurisdiction, "
        "under separate and joint dispatch. Prints the table and writes coverage.csv "
        "(the full curve 0-120 min) and coverage.png.",
    )
    _region_arguments(cov)
    cov.add_argument(
        "--stations",
        type=Path,
        metavar="CSV",
        help="stations file with columns name,tier,lon,lat,jurisdiction (tier: community, "
        "ground or aviation); default: the built-in region's stations",
    )
    cov.add_argument(
        "--population",
        type=Path,
        metavar="CSV",
        help="population file with columns lon,lat,persons; default: the region's residents, "
        "or one person per node for a loaded file (the output says so)",
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
    cov.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_COVERAGE_OUT,
        metavar="DIR",
        help=f"output folder (default {DEFAULT_COVERAGE_OUT})",
    )
    cov.add_argument("--no-plot", action="store_true", help="skip coverage.png")
    cov.set_defaults(handler=_cmd_coverage)

    run = commands.add_parser(
        "run",
        help="run a scenario: evacuation, tiered rescue dispatch and supply on one clock",
        description="Run a scenario (a built-in name from `sim scenarios` or a TOML file) with "
        "a seed. Prints the 10/30/60-minute response coverage per jurisdiction and the "
        "evacuation clearance times, and writes the run folder (scenario.toml, summary.json, "
        "events.parquet, tracks.parquet, incidents.parquet, curves).",
    )
    run.add_argument(
        "scenario",
        nargs="?",
        default="default",
        help="built-in scenario name or TOML file (default: 'default', a flood-evacuation "
        "drill on the built-in region)",
    )
    run.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    run.add_argument(
        "--policy",
        choices=("separate", "notify", "mutual_aid", "joint"),
        default=None,
        help="override the scenario's cross-border linkage policy",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="run folder (default results/<scenario>-<policy>-seed<seed>)",
    )
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.set_defaults(handler=_cmd_run)

    val = commands.add_parser(
        "validate",
        help="check a scenario file without running it",
        description="Load and check a scenario: keys, types, ranges, times within the horizon, "
        "and (with its region loaded) jurisdictions, settlements and places. Exit 0 when "
        "valid, 2 with a message naming the key, value and fix when not.",
    )
    val.add_argument("scenario", help="built-in scenario name or TOML file")
    val.set_defaults(handler=_cmd_validate)

    lst = commands.add_parser(
        "scenarios",
        help="list the built-in scenarios",
        description="List the built-in scenarios with their one-line descriptions.",
    )
    lst.set_defaults(handler=_cmd_scenarios)

    net = commands.add_parser(
        "network",
        help="load a region, print its summary, save it compiled or plot it",
        description="Load and compile a road network; print nodes, edges, jurisdictions and "
        "memory; optionally save it (.npz loads fast; .graphml for other tools) or plot it.",
    )
    _region_arguments(net)
    net.add_argument(
        "--save", type=Path, metavar="FILE", help="write the network (.npz or .graphml)"
    )
    net.add_argument("--plot", type=Path, metavar="PNG", help="write a map of the network")
    net.set_defaults(handler=_cmd_network)
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``sim`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SimError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sim: interrupted", file=sys.stderr)
        return 130


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("border-sim")
    except PackageNotFoundError:
        return "unknown"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SimError(f"--out {out} is a file; give a folder")


def _cmd_coverage(args: argparse.Namespace) -> int:
    from sim.coverage import STATIC_POLICIES, static_coverage
    from sim.inputs import check_stations, read_population_csv, read_stations_csv
    from sim.report_coverage import format_headline, write_coverage_outputs

    _check_out_dir(args.out)
    started = time.perf_counter()
    _say(f"loading region {args.region} ...")
    network = _load(args)
    _say(
        f"  {network.n_nodes:,} nodes, {network.n_edges:,} edges "
        f"({time.perf_counter() - started:.1f} s)"
    )
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
    result = static_coverage(network, stations, population, policies=policies)
    print(format_headline(result, network))
    written = write_coverage_outputs(
        result,
        network,
        stations,
        population,
        out_dir=args.out,
        map_tier=args.tier,
        plot=not args.no_plot,
    )
    for path in written:
        _say(f"wrote {path}")
    return 0


def _load_scenario_and_network(name: str, policy: str | None = None):
    from dataclasses import replace

    from sim.run import network_for
    from sim.scenario import check_against_network, load_scenario

    scenario = load_scenario(name)
    if policy is not None:
        scenario = replace(scenario, policy=replace(scenario.policy, linkage=policy))
    network = network_for(scenario)
    check_against_network(scenario, network, source=str(name))
    return scenario, network


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.report_run import format_run
    from sim.run import run

    started = time.perf_counter()
    scenario, network = _load_scenario_and_network(args.scenario, args.policy)
    out = args.out or Path("results") / f"{scenario.name}-{scenario.policy.linkage}-seed{args.seed}"
    _check_out_dir(out)
    _say(
        f"running {scenario.name} ({scenario.policy.linkage}, seed {args.seed}) on "
        f"{network.name}: {network.n_nodes:,} nodes"
    )
    result = run(scenario, seed=args.seed, network=network, progress=not args.no_progress)
    print(format_run(result))
    result.write(out)
    _say(f"wrote {out} ({time.perf_counter() - started:.1f} s)")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    scenario, network = _load_scenario_and_network(args.scenario)
    print(
        f"{args.scenario}: valid ({len(scenario.warnings)} warnings, "
        f"{len(scenario.incidents)} incidents, {scenario.horizon_h:g} h on {network.name})"
    )
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from sim.scenario import builtin_names, load_scenario

    for name in builtin_names():
        print(f"{name:<14} {load_scenario(name).description}")
    return 0


def _cmd_network(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    network = _load(args)
    elapsed = time.perf_counter() - started
    print(f"region       {network.name}")
    print(f"crs          {network.crs}")
    print(f"nodes        {network.n_nodes:,}")
    print(f"edges        {network.n_edges:,} (directed, parallel edges reduced)")
    print(f"jurisdictions {', '.join(network.jurisdiction_names)}")
    if network.node_population_persons is not None:
        print(f"residents    {int(network.node_population_persons.sum()):,}")
    for name, table in network.places.items():
        print(f"{name:<12} {len(table):,}")
    print(f"arrays       {network.nbytes / 2**20:.1f} MiB")
    print(f"load time    {elapsed:.2f} s")
    if args.save is not None:
        _say(f"wrote {network.save(args.save)}")
    if args.plot is not None:
        from sim.atomic import write_atomic
        from sim.plot import plot_network

        fig, _ = plot_network(network)
        _say(f"wrote {write_atomic(args.plot, lambda p: fig.savefig(p, dpi=150, format='png'))}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
