"""Scenario: what happens in a run, as frozen dataclasses loaded from TOML.

Times in scenario files are minutes (``time_min``, ``delay_min``) because planners edit
them; the engine works in seconds. A scenario is validated once when loaded: unknown
keys, wrong types, out-of-range values and unknown names are errors that say the fix.
References to the network (jurisdictions, settlements, nodes) are checked by
:func:`check_against_network` once the region is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from sim.errors import ScenarioError
from sim.scenario_hazards import ClosureSpec, HazardsSpec
from sim.scenario_load import Where, build, check_positive, check_share, read_toml
from sim.tiers import TIER_NAMES

Linkage = Literal["separate", "notify", "mutual_aid", "joint"]
LINKAGES: tuple[str, ...] = ("separate", "notify", "mutual_aid", "joint")
WarningLevel = Literal["trend", "risk", "imminent", "immediate"]
WARNING_LEVELS: tuple[str, ...] = ("trend", "risk", "imminent", "immediate")


@dataclass(frozen=True, kw_only=True)
class RegionSpec:
    """Which road network to run on (see :func:`sim.sources.load_network`).

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
class PopulationSpec:
    """How residents form households and travel."""

    household_size_mean_persons: float = 2.8
    vehicle_share: float = 0.6
    walk_speed_m_per_s: float = 1.2

    def check(self, where: Where) -> None:  # noqa: D102
        if self.household_size_mean_persons < 1:
            raise where.child("household_size_mean_persons").error(
                f"must be >= 1, got {self.household_size_mean_persons}"
            )
        check_share(where, "vehicle_share", self.vehicle_share)
        check_positive(where, "walk_speed_m_per_s", self.walk_speed_m_per_s)


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
class ChannelSpec:
    """A warning channel: share of households it reaches and its delay."""

    name: str
    reach: float
    delay_min: float

    def check(self, where: Where) -> None:  # noqa: D102
        check_share(where, "reach", self.reach)
        check_positive(where, "delay_min", self.delay_min, allow_zero=True)


def _default_channels() -> tuple[ChannelSpec, ...]:
    return (
        ChannelSpec(name="sms", reach=0.75, delay_min=5.0),
        ChannelSpec(name="loudspeaker", reach=0.5, delay_min=15.0),
    )


def _default_compliance() -> dict[str, float]:
    return {"trend": 0.02, "risk": 0.25, "imminent": 0.7, "immediate": 0.9}


@dataclass(frozen=True, kw_only=True)
class BehaviourSpec:
    """How households receive warnings and decide to leave.

    Households a channel misses are reached by community responders knocking on doors
    (``door_knock_reach``) ``door_knock_delay_min`` after the warning.
    Pre-movement delay is log-normal with the given median and log-sd.
    """

    channels: tuple[ChannelSpec, ...] = field(default_factory=_default_channels)
    door_knock_reach: float = 0.9
    door_knock_delay_min: float = 40.0
    compliance: dict[str, float] = field(default_factory=_default_compliance)
    premovement_median_min: float = 10.0
    premovement_sigma: float = 0.6

    def check(self, where: Where) -> None:  # noqa: D102
        check_share(where, "door_knock_reach", self.door_knock_reach)
        check_positive(where, "door_knock_delay_min", self.door_knock_delay_min, allow_zero=True)
        check_positive(where, "premovement_median_min", self.premovement_median_min)
        check_positive(where, "premovement_sigma", self.premovement_sigma, allow_zero=True)
        for level, share in self.compliance.items():
            if level not in WARNING_LEVELS:
                raise (
                    where.child("compliance")
                    .child(level)
                    .error(f"is not a warning level; use {', '.join(WARNING_LEVELS)}")
                )
            check_share(where.child("compliance"), level, share)


@dataclass(frozen=True, kw_only=True)
class ZoneSpec:
    """Nodes a warning covers: the intersection of whatever is given (nothing = everywhere).

    ``center_lon``/``center_lat`` with ``radius_km``: a circle; ``max_elevation_m``: nodes
    at or below that ground elevation; ``jurisdiction``; ``settlements``: named places.
    """

    jurisdiction: str | None = None
    center_lon: float | None = None
    center_lat: float | None = None
    radius_km: float | None = None
    max_elevation_m: float | None = None
    settlements: tuple[str, ...] = ()

    def check(self, where: Where) -> None:  # noqa: D102
        given = [v is not None for v in (self.center_lon, self.center_lat, self.radius_km)]
        if any(given) and not all(given):
            raise where.error("needs center_lon, center_lat and radius_km together for a circle")
        check_positive(where, "radius_km", self.radius_km)


@dataclass(frozen=True, kw_only=True)
class WarningSpec:
    """A scripted warning issued by one side's command to a zone."""

    time_min: float
    level: WarningLevel
    issued_by: str
    zone: ZoneSpec = field(default_factory=ZoneSpec)

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "time_min", self.time_min, allow_zero=True)


@dataclass(frozen=True, kw_only=True)
class IncidentSpec:
    """A scripted incident: people who need teams of the given tiers.

    Give its place as ``node`` (index), ``lon``/``lat``, or ``settlement`` (a name).
    """

    time_min: float
    persons: int
    kind: str = "trapped"
    tiers: tuple[str, ...] = ("community", "ground")
    node: int | None = None
    lon: float | None = None
    lat: float | None = None
    settlement: str | None = None
    on_scene_min: float | None = None

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "time_min", self.time_min, allow_zero=True)
        check_positive(where, "persons", self.persons)
        check_positive(where, "on_scene_min", self.on_scene_min)
        for i, tier in enumerate(self.tiers):
            if tier not in TIER_NAMES:
                raise (
                    where.child("tiers")
                    .child(i)
                    .error(f"= {tier!r} is not a tier; use {', '.join(TIER_NAMES)}")
                )
        places = sum(x is not None for x in (self.node, self.settlement)) + (self.lon is not None)
        if places != 1 or (self.lon is None) != (self.lat is None):
            raise where.error("needs exactly one place: node, lon and lat, or settlement")


@dataclass(frozen=True, kw_only=True)
class TierForcesSpec:
    """Overrides for one tier's teams (None keeps the region's or the tier's default).

    ``teams`` sets the tier's total number of teams, spread over its stations one at a
    time, stations with more teams by default first (then in table order);
    ``teams_per_station`` sets every station's count instead. Give at most one.
    """

    teams: int | None = None
    teams_per_station: int | None = None
    turnout_min: float | None = None
    on_scene_min: float = 20.0
    max_speed_kph: float | None = None
    cruise_speed_kph: float | None = None
    carry_persons: int = 0

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "carry_persons", self.carry_persons, allow_zero=True)
        check_positive(where, "teams", self.teams, allow_zero=True)
        check_positive(where, "teams_per_station", self.teams_per_station, allow_zero=True)
        if self.teams is not None and self.teams_per_station is not None:
            raise where.error("give teams or teams_per_station, not both")
        for name in ("turnout_min", "max_speed_kph", "cruise_speed_kph"):
            check_positive(where, name, getattr(self, name), allow_zero=name == "turnout_min")
        check_positive(where, "on_scene_min", self.on_scene_min)


@dataclass(frozen=True, kw_only=True)
class ForcesSpec:
    """Rescue teams by tier."""

    community: TierForcesSpec = field(default_factory=TierForcesSpec)
    ground: TierForcesSpec = field(
        default_factory=lambda: TierForcesSpec(on_scene_min=30.0, carry_persons=8)
    )
    aviation: TierForcesSpec = field(
        default_factory=lambda: TierForcesSpec(on_scene_min=20.0, carry_persons=6)
    )


@dataclass(frozen=True, kw_only=True)
class SupplySpec:
    """Relocation kits from depots to shelters by truck."""

    kits_per_person: float = 1.0
    truck_capacity_kits: int = 500
    trucks_per_depot: dict[str, int] = field(
        default_factory=lambda: {"city": 6, "district": 4, "town": 1, "village": 0}
    )
    unload_min: float = 15.0
    request_min_kits: int = 50

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "kits_per_person", self.kits_per_person, allow_zero=True)
        check_positive(where, "truck_capacity_kits", self.truck_capacity_kits)
        check_positive(where, "unload_min", self.unload_min, allow_zero=True)
        check_positive(where, "request_min_kits", self.request_min_kits)
        for level, n in self.trucks_per_depot.items():
            if level not in ("city", "district", "town", "village"):
                raise (
                    where.child("trucks_per_depot")
                    .child(level)
                    .error("is not a depot level; use city, district, town, village")
                )
            check_positive(where.child("trucks_per_depot"), level, n, allow_zero=True)


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


BUILTIN_DIR = Path(__file__).parent / "scenarios"


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def builtin_path(name: str) -> Path | None:
    """Path of built-in scenario ``name``, or None when ``name`` is not one."""
    path = BUILTIN_DIR / f"{name}.toml"
    return path if "/" not in name and not name.endswith(".toml") and path.exists() else None


def check_against_network(scenario: Scenario, network, *, source: str = "scenario") -> None:
    """Check names and places the scenario refers to against the loaded network."""
    names = network.jurisdiction_names
    settlements = set()
    if "settlements" in network.places:
        settlements = set(network.places["settlements"]["name"])
    for i, w in enumerate(scenario.warnings):
        if w.issued_by not in names:
            raise ScenarioError(
                f"{source}: warnings[{i}].issued_by = {w.issued_by!r} is not a jurisdiction "
                f"of region {network.name!r}; use one of {', '.join(names)}"
            )
        if w.zone.jurisdiction is not None and w.zone.jurisdiction not in names:
            raise ScenarioError(
                f"{source}: warnings[{i}].zone.jurisdiction = {w.zone.jurisdiction!r} is not "
                f"a jurisdiction; use one of {', '.join(names)}"
            )
        _check_settlements(
            source, f"warnings[{i}].zone.settlements", w.zone.settlements, settlements
        )
    _check_hazards(scenario, network, source, settlements)
    for i, inc in enumerate(scenario.incidents):
        if inc.node is not None and not 0 <= inc.node < network.n_nodes:
            raise ScenarioError(
                f"{source}: incidents[{i}].node = {inc.node} is outside the region "
                f"(valid 0..{network.n_nodes - 1})"
            )
        if inc.settlement is not None:
            _check_settlements(source, f"incidents[{i}].settlement", (inc.settlement,), settlements)
        if inc.lon is not None:
            x, y = network.to_projected(np.array([inc.lon]), np.array([inc.lat]))
            _, dist = network.nearest_nodes(x, y)
            if dist[0] > 1000.0:
                raise ScenarioError(
                    f"{source}: incidents[{i}] at lon {inc.lon}, lat {inc.lat} is "
                    f"{dist[0] / 1000:.1f} km from the nearest road, outside the region"
                )


def _check_hazards(scenario: Scenario, network, source: str, settlements: set[str]) -> None:
    import difflib

    hz = scenario.hazards
    if hz.gas_leak is not None and hz.gas_leak.well is not None:
        wells = set(network.places["wells"]["name"]) if "wells" in network.places else set()
        if hz.gas_leak.well not in wells:
            close = difflib.get_close_matches(hz.gas_leak.well, sorted(wells), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "give lon and lat instead"
            raise ScenarioError(
                f"{source}: hazards.gas_leak.well = {hz.gas_leak.well!r} is not a well of "
                f"region {network.name!r}; {hint}"
            )
    if hz.flood is not None and len(network.features.get("river", ())) < 2:
        raise ScenarioError(
            f"{source}: hazards.flood needs a river, but region {network.name!r} has none "
            "(the built-in fujiang region has one)"
        )
    if hz.landslide is not None:
        for i, slide in enumerate(hz.landslide.slides):
            if slide.settlement is not None:
                _check_settlements(
                    source,
                    f"hazards.landslide.slides[{i}].settlement",
                    (slide.settlement,),
                    settlements,
                )


def _check_settlements(source: str, key: str, wanted: tuple[str, ...], known: set[str]) -> None:
    import difflib

    for name in wanted:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see `sim network` for places"
            raise ScenarioError(f"{source}: {key} names unknown settlement {name!r}; {hint}")
