"""Scenario: what happens in a run, as frozen dataclasses loaded from TOML.

Times in scenario files are minutes (``time_min``, ``delay_min``) because planners edit
them; the engine works in seconds. A scenario is validated once when loaded: unknown
keys, wrong types, out-of-range values and unknown names are errors that say the fix.
References to the network (jurisdictions, settlements, nodes) are checked by
:func:`sim.scenarios.check.check_against_network` once the region is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sim.clock import is_clock
from sim.scenarios.behaviour import MAX_DELAY_MIN, BehaviourSpec, PopulationSpec, WarningSpec
from sim.scenarios.builtin import scenario_file
from sim.scenarios.forces import ForcesSpec, IncidentSpec, SupplySpec
from sim.scenarios.hazards import ClosureSpec, HazardsSpec
from sim.scenarios.limits import check_run_fits
from sim.scenarios.load import Spec, Where, bounded, build, read_toml

Linkage = Literal["separate", "notify", "mutual_aid", "joint"]
LINKAGES: tuple[str, ...] = ("separate", "notify", "mutual_aid", "joint")
#: Longest simulated time, hours (10 days: a flood crest passes in a few days; every
#: step and event of a longer run would still be kept in memory).
MAX_HORIZON_H = 240.0


@dataclass(frozen=True, kw_only=True)
class RegionSpec(Spec):
    """Which road network to run on (see :func:`sim.network.sources.load_network`).

    ``stations`` names a CSV (``name,tier,lon,lat,jurisdiction[,teams]``, as written by
    ``sim site``) that replaces the region's rescue stations.
    """

    source: str = "fujiang"
    seed: int | None = bounded(None, low=0, high=2**32 - 1)
    population_persons: int | None = bounded(None, low=0, high=50_000_000, unit="persons")
    jurisdictions: str | None = None
    stations: str | None = None


@dataclass(frozen=True, kw_only=True)
class PolicySpec(Spec):
    """Linkage between the two jurisdictions and its delays (minutes)."""

    linkage: Linkage = "separate"
    notification_delay_min: float = bounded(30.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    mutual_aid_request_delay_min: float = bounded(20.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    detection_delay_min: float = bounded(45.0, low=0.0, high=MAX_DELAY_MIN, unit="min")


@dataclass(frozen=True, kw_only=True)
class OutputSpec(Spec):
    """What a run records besides the event log."""

    track_households: int = bounded(2000, low=0, high=1_000_000, unit="households")
    track_interval_s: float = bounded(60.0, low=0.0, above=True, high=3600.0, unit="s")


@dataclass(frozen=True, kw_only=True)
class Scenario(Spec):
    """Everything a run needs besides the seed.

    ``start_clock`` is the local time at the start (``"HH:MM"``); with
    ``behaviour.night_*`` it decides whether warnings go out at night.
    """

    name: str
    description: str = ""
    horizon_h: float = bounded(6.0, low=0.0, above=True, high=MAX_HORIZON_H, unit="h")
    start_clock: str = "10:00"
    region: RegionSpec = field(default_factory=RegionSpec)
    population: PopulationSpec = field(default_factory=PopulationSpec)
    policy: PolicySpec = field(default_factory=PolicySpec)
    behaviour: BehaviourSpec = field(default_factory=BehaviourSpec)
    warnings: tuple[WarningSpec, ...] = ()
    incidents: tuple[IncidentSpec, ...] = ()
    closures: tuple[ClosureSpec, ...] = ()
    hazards: HazardsSpec = field(default_factory=HazardsSpec)
    forces: ForcesSpec = field(default_factory=ForcesSpec)
    supply: SupplySpec = field(default_factory=SupplySpec)
    outputs: OutputSpec = field(default_factory=OutputSpec)

    @property
    def horizon_s(self) -> float:
        """Simulated duration in seconds."""
        return self.horizon_h * 3600.0

    def check(self, where: Where) -> None:  # noqa: D102
        if not is_clock(self.start_clock):
            raise where.child("start_clock").error(
                f"= {self.start_clock!r} is not a clock time; write the local time at the "
                "start as 'HH:MM', e.g. '21:55'"
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise where.child("name").error("must be a non-empty text string")
        r = self.region
        if r.population_persons is not None and r.source == "fujiang":
            check_run_fits(
                persons=r.population_persons,
                household_size_persons=self.population.household_size_mean_persons,
                where=where.child("region").child("population_persons").location(),
            )
        timed = (
            ("warnings", self.warnings),
            ("incidents", self.incidents),
            ("closures", self.closures),
        )
        for key, items in timed:
            for i, item in enumerate(items):
                if item.time_min * 60.0 > self.horizon_s:
                    raise (
                        where.child(key)
                        .child(i)
                        .child("time_min")
                        .error(
                            f"= {item.time_min:g} is after the horizon ({self.horizon_h:g} h = "
                            f"{self.horizon_h * 60:g} min); move it earlier or raise horizon_h"
                        )
                    )


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario TOML file (or a built-in name, see ``scenario_file``)."""
    path = scenario_file(path)
    data, text = read_toml(path)
    data.setdefault("name", path.stem)
    return build(Scenario, data, Where(str(path), text))


def scenario_from_dict(data: dict, *, source: str = "<dict>") -> Scenario:
    """Build and validate a scenario from a plain dict (the TOML structure)."""
    return build(Scenario, data, Where(source, ""))
