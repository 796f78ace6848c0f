"""What several ``sim`` commands share: region options, loading, messages, output checks.

Only light modules are imported here: each command imports what it needs when it runs,
so ``sim --help`` starts without loading numpy, pandas, scipy or mesa.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sim.errors import SimError

#: A step that takes longer than this says what it is doing (seconds).
SLOW_STEP_S = 2.0

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork
    from sim.scenarios.scenario import Scenario


def say(message: str) -> None:
    """Print a progress or status line on standard error."""
    print(message, file=sys.stderr, flush=True)


class UsageError(SimError):
    """A command-line option or argument that is wrong (exit code 2, one line)."""


class SimArgumentParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: ``sim: error: ...``, exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Raise :class:`UsageError` naming the option and where its help is."""
        raise UsageError(f"{message} (see '{self.prog} --help')")


def whole(low: int = 0, high: int | None = None, unit: str = "") -> Callable[[str], int]:
    """Return an ``argparse`` type: a whole number from ``low`` (to ``high``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            span = f"from {low:,} to {high:,}" if high is not None else f">= {low:,}"
            what = f"a whole number of {unit}" if unit else "a whole number"
            raise argparse.ArgumentTypeError(f"must be {what} {span}, got {text!r}")
        return value

    return parse


def number(above: float = 0.0, high: float | None = None, unit: str = "") -> Callable[[str], float]:
    """Return an ``argparse`` type: a finite number above ``above`` (up to ``high``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= above or (high is not None and value > high):
            span = f"> {above:g}" + (f" and <= {high:g}" if high is not None else "")
            what = f"a number of {unit}" if unit else "a number"
            raise argparse.ArgumentTypeError(f"must be {what} {span}, got {text!r}")
        return value

    return parse


@contextlib.contextmanager
def slow_step(message: str, *, after_s: float = SLOW_STEP_S) -> Iterator[None]:
    """Say ``message`` (and then how long it took) only if the step takes over ``after_s``.

    Fast steps stay silent, so an input error found at once is the only line printed.
    """
    shown = threading.Event()
    started = time.perf_counter()

    def announce() -> None:
        shown.set()
        say(f"{message} ...")

    timer = threading.Timer(after_s, announce)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if shown.is_set():
            say(f"  done ({time.perf_counter() - started:.1f} s)")


def add_region_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--region``, ``--seed``, ``--population-total`` and ``--jurisdictions``."""
    group = parser.add_argument_group("region")
    group.add_argument(
        "--region",
        default="fujiang",
        metavar="SOURCE",
        help="'fujiang' (built-in, default), a region manifest (.toml: roads with "
        "jurisdictions, population, shelters, stations, ...; see `sim region check --help` "
        "and README 'Your own region'), a "
        "compiled region (.npz from `sim region build`), an OSM file (.osm, .osm.bz2, "
        ".osm.pbf), an osmnx GraphML file (.graphml), or 'place:NAME' to download the drive "
        "network of a place through osmnx (needs internet; cached as GraphML)",
    )
    group.add_argument(
        "--seed",
        type=whole(0, 2**32 - 1),
        default=None,
        help="generator seed of the built-in region (default: the region's own, 2020)",
    )
    group.add_argument(
        "--population-total",
        type=whole(0, 50_000_000),
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
    """Load the network the region options name (a manifest is built, its notes said)."""
    from sim.network.sources import load_network
    from sim.regions.source import region_from_source

    with slow_step(f"loading region {args.region}"):
        built = region_from_source(args.region)
        if built is None:
            network = load_network(
                args.region,
                seed=args.seed,
                population_persons=args.population_total,
                jurisdictions=args.jurisdictions,
            )
        else:
            network = built.network
            if args.jurisdictions is not None:
                from sim.network.jurisdictions import jurisdictions_from_geojson

                index, names = jurisdictions_from_geojson(args.jurisdictions, network)
                network = network.with_jurisdictions(index, names)
    say_notes(network)
    return network


#: Lines said once the command has succeeded (an error stays the only line).
NOTES: list[str] = []


def say_notes(network: RoadNetwork, extra: tuple[str, ...] = ()) -> None:
    """Say a loaded region's notes (dropped, moved, assumed) when the command ends well."""
    notes = [*network.notes, *extra]
    if not notes:
        return
    NOTES.append(f"region {network.name}: {len(notes)} notes (sim region check lists all)")
    NOTES.extend(f"  {note}" for note in notes[:12])
    if len(notes) > 12:
        NOTES.append(f"  ... {len(notes) - 12} more")


def scenario_defaults(scenario: Scenario, network: RoadNetwork) -> tuple[str, ...]:
    """Defaults of the built-in rural county that a scenario applies to a loaded region."""
    from sim.network.sources import BUILTIN_REGIONS

    if scenario.region.roads is None and scenario.region.source in BUILTIN_REGIONS:
        return ()
    out = [
        "default: response standards 10/30/60 min, turnouts and speeds of the Chongqing "
        "tiers (sim/tiers.py; [forces] overrides them)"
    ]
    leak = scenario.hazards.gas_leak
    if leak is not None and leak.terrain == "rural":
        out.append(
            "default: gas plume terrain 'rural' (Briggs open-country dispersion); a town or "
            "city needs hazards.gas_leak.terrain = 'urban'"
        )
    if scenario.hazards.flood is not None:
        out.append(
            "default: flood wave speed, bank search and river contact of the Fujiang "
            "(hazards.flood: wave_speed_m_per_s, bank_search_m, river_contact_m)"
        )
    return tuple(out)


def flush_notes() -> None:
    """Say the notes collected by :func:`say_notes` (at the end of a command that worked)."""
    for line in NOTES:
        say(line)
    NOTES.clear()


def scenario_and_network(name: str, policy: str | None = None) -> tuple[Scenario, RoadNetwork]:
    """Load a scenario (a built-in name or a file), apply ``policy``, load and check its region."""
    scenario = scenario_with_policy(name, policy)
    return scenario, network_of(scenario, name)


def scenario_with_policy(name: str, policy: str | None = None) -> Scenario:
    """Load a scenario (a built-in name or a file) and apply ``policy`` (its region unread)."""
    from dataclasses import replace

    from sim.scenarios.scenario import load_scenario

    scenario = load_scenario(name)
    if policy is not None:
        scenario = replace(scenario, policy=replace(scenario.policy, linkage=policy))
    return scenario


def network_of(scenario: Scenario, name: str) -> RoadNetwork:
    """Load and check the region of ``scenario`` (loaded from ``name``)."""
    from sim.engine.runs import network_for
    from sim.scenarios.check import check_against_network

    with slow_step(f"loading region {scenario.region.roads or scenario.region.source}"):
        network = network_for(scenario)
    check_against_network(scenario, network, source=str(name))
    say_notes(network, scenario_defaults(scenario, network))
    return network


def add_out_arguments(
    parser: argparse.ArgumentParser,
    *,
    default: Path | None,
    what: str,
    default_text: str | None = None,
) -> None:
    """Add ``--out DIR`` (default ``default``, or as ``default_text`` says) and ``--force``."""
    shown = default_text or (str(default) if default else None)
    parser.add_argument(
        "--out",
        type=Path,
        default=default,
        metavar="DIR",
        help=f"output folder (default {shown})" if shown else "output folder",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"write the {what} into an --out folder that holds other files (they are left "
        "alone; without it such a folder is refused)",
    )


def check_out_dir(
    out: Path, names: tuple[str, ...] = (), *, force: bool = False, option: str = "--out"
) -> Path:
    """Check an ``--out`` folder this command writes ``names`` into (before any work).

    A folder holding only such files (an earlier output of the command) or nothing is
    fine; anything else needs ``--force`` (see :mod:`sim.files.outputs`).
    """
    from sim.files.outputs import check_output_folder

    def ours(path: Path) -> bool:
        return all(p.name in names or p.name.startswith(".") for p in path.iterdir())

    return check_output_folder(
        out, is_ours=ours, force=force, what="outputs", writes=names, option=option
    )
