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

from sim.scenarios.behaviour import BehaviourSpec, PopulationSpec, WarningSpec
from sim.scenarios.builtin import builtin_path
from sim.scenarios.forces import ForcesSpec, IncidentSpec, SupplySpec
from sim.scenarios.hazards import ClosureSpec, HazardsSpec
from sim.scenarios.load import Where, build, check_positive, read_toml

Linkage = Literal["separate", "notify", "mutual_aid", "joint"]
LINKAGES: tuple[str, ...] = ("separate", "notify", "mutual_aid", "joint")


@dataclass(frozen=True, kw_only=True)
class RegionSpec:
    """Which road network to run on (see :func:`sim.network.sources.load_network`).

    ``stations`` names a CSV (``name,tier,lon,lat,jurisdiction[,teams]``, as written by
    ``sim site``) that replaces the region's rescue stations.
    """

    source: str = "fujiang"
    seed: int | None = None
    population_persons: int | None = None
    jurisdictions: str | None = None
    stations: str | None = None

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "population_persons", self.population_persons, allow_zero=True)


@dataclass(frozen=True, kw_only=True)
class PolicySpec:
    """Linkage between the two jurisdictions and its delays (minutes)."""

    linkage: Linkage = "separate"
    notification_delay_min: float = 30.0
    mutual_aid_request_delay_min: float = 20.0
    detection_delay_min: float = 45.0

    def check(self, where: Where) -> None:  # noqa: D102
        for name in (
            "notification_delay_min",
            "mutual_aid_request_delay_min",
            "detection_delay_min",
        ):
            check_positive(where, name, getattr(self, name), allow_zero=True)


@dataclass(frozen=True, kw_only=True)
class OutputSpec:
    """What a run records besides the event log."""

    track_households: int = 2000
    track_interval_s: float = 60.0

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "track_households", self.track_households, allow_zero=True)
        check_positive(where, "track_interval_s", self.track_interval_s)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """Everything a run needs besides the seed."""

    name: str
    description: str = ""
    horizon_h: float = 6.0
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
        check_positive(where, "horizon_h", self.horizon_h)
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
    """Load and validate a scenario TOML file (or a built-in name, see ``builtin_path``)."""
    path = builtin_path(str(path)) or Path(path)
    data, text = read_toml(path)
    data.setdefault("name", path.stem)
    return build(Scenario, data, Where(str(path), text))


def scenario_from_dict(data: dict, *, source: str = "<dict>") -> Scenario:
    """Build and validate a scenario from a plain dict (the TOML structure)."""
    return build(Scenario, data, Where(source, ""))
