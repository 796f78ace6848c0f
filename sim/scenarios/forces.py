"""Scenario sections for responders and relief: incidents, rescue forces, supply.

``[[incidents]]``, ``[forces.community|ground|aviation]`` and ``[supply]``; times in
files are minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.scenarios.load import Bounds, Spec, Where, bounded, check_bounds
from sim.tiers import TIER_NAMES

#: Largest number of teams of one tier, and per station: more would not be a county's
#: forces (Hechuan district has 52 teams in all, docs/DOMAIN.md) and each team is an
#: agent that costs memory and dispatch work.
MAX_TEAMS = 10_000
MAX_TEAMS_PER_STATION = 1_000
#: Most persons in one scripted incident.
MAX_INCIDENT_PERSONS = 1_000_000
#: Longest turnout, on-scene or unloading time, minutes (a day).
MAX_TASK_MIN = 1_440.0


@dataclass(frozen=True, kw_only=True)
class IncidentSpec(Spec):
    """A scripted incident: people who need teams of the given tiers.

    Give its place as ``node`` (index), ``osmid`` (the OSM or GraphML id of a node of a
    loaded region), ``lon``/``lat``, or ``settlement`` (a name).
    """

    time_min: float = bounded(low=0.0, unit="min")
    persons: int = bounded(low=1, high=MAX_INCIDENT_PERSONS, unit="persons")
    kind: str = "trapped"
    tiers: tuple[str, ...] = ("community", "ground")
    node: int | None = bounded(None, low=0)
    osmid: int | None = None
    lon: float | None = bounded(None, low=-180.0, high=180.0, unit="degrees east")
    lat: float | None = bounded(None, low=-90.0, high=90.0, unit="degrees north")
    settlement: str | None = None
    on_scene_min: float | None = bounded(None, low=0.0, above=True, high=MAX_TASK_MIN, unit="min")

    def check(self, where: Where) -> None:  # noqa: D102
        for i, tier in enumerate(self.tiers):
            if tier not in TIER_NAMES:
                raise (
                    where.child("tiers")
                    .child(i)
                    .error(f"= {tier!r} is not a tier; use {', '.join(TIER_NAMES)}")
                )
        places = sum(x is not None for x in (self.node, self.osmid, self.settlement))
        places += self.lon is not None
        if places != 1 or (self.lon is None) != (self.lat is None):
            raise where.error("needs exactly one place: node, osmid, lon and lat, or settlement")


@dataclass(frozen=True, kw_only=True)
class TierForcesSpec(Spec):
    """Overrides for one tier's teams (None keeps the region's or the tier's default).

    ``teams`` sets the tier's total number of teams, spread over its stations one at a
    time, stations with more teams by default first (then in table order);
    ``teams_per_station`` sets every station's count instead. Give at most one.
    ``approach_km`` (aircraft: the distance from the real base to its map point),
    ``night_capable`` and ``breathing_apparatus`` (road tiers: may enter a lethal plume)
    override the tier's (:data:`sim.tiers.TIERS`).
    """

    teams: int | None = bounded(None, low=0, high=MAX_TEAMS, unit="teams")
    teams_per_station: int | None = bounded(None, low=0, high=MAX_TEAMS_PER_STATION, unit="teams")
    turnout_min: float | None = bounded(None, low=0.0, high=MAX_TASK_MIN, unit="min")
    on_scene_min: float = bounded(20.0, low=0.0, above=True, high=MAX_TASK_MIN, unit="min")
    max_speed_kph: float | None = bounded(None, low=0.0, above=True, high=400.0, unit="km/h")
    cruise_speed_kph: float | None = bounded(None, low=0.0, above=True, high=1000.0, unit="km/h")
    carry_persons: int = bounded(0, low=0, high=1000, unit="persons")
    approach_km: float | None = bounded(None, low=0.0, high=2000.0, unit="km")
    night_capable: bool | None = None
    breathing_apparatus: bool | None = None

    def check(self, where: Where) -> None:  # noqa: D102
        if self.teams is not None and self.teams_per_station is not None:
            raise where.error("give teams or teams_per_station, not both")


def _default_extraction_min() -> dict[str, float]:
    return {
        "buried": 20.0,
        "trapped": 15.0,
        "injured": 5.0,
        "flood_stranded": 3.0,
        "exposed": 2.0,
        "stranded": 1.0,
        "transfer": 2.0,
        "*": 5.0,
    }


@dataclass(frozen=True, kw_only=True)
class ForcesSpec(Spec):
    """Rescue teams by tier, and how long getting people out takes.

    Teams that carry people (``carry_persons``: community responders 2 on a motorbike or
    tricycle, a ground team's vehicle or boat 8, a helicopter 6) take them out in trips.
    ``extraction_min_per_person`` is the time to get one person of an incident kind out
    (digging out the buried 20 min, freeing the trapped 15, first aid and a stretcher
    for the injured 5, boarding a boat 3, helping the exposed or a household into a
    vehicle 1-2; ``"*"`` for other kinds): planning assumptions of this project, to be
    replaced by a county's drill times. A helicopter hoists each person in
    ``hoist_min_per_person`` (a hoist cycle takes a few minutes); ``unload_min`` is the
    hand-over at the shelter.
    """

    community: TierForcesSpec = field(default_factory=lambda: TierForcesSpec(carry_persons=2))
    ground: TierForcesSpec = field(
        default_factory=lambda: TierForcesSpec(on_scene_min=30.0, carry_persons=8)
    )
    aviation: TierForcesSpec = field(
        default_factory=lambda: TierForcesSpec(on_scene_min=20.0, carry_persons=6)
    )
    extraction_min_per_person: dict[str, float] = field(default_factory=_default_extraction_min)
    hoist_min_per_person: float = bounded(4.0, low=0.0, above=True, high=120.0, unit="min")
    unload_min: float = bounded(5.0, low=0.0, high=MAX_TASK_MIN, unit="min")

    def check(self, where: Where) -> None:  # noqa: D102
        for kind, minutes in self.extraction_min_per_person.items():
            check_bounds(
                where.child("extraction_min_per_person"),
                kind,
                minutes,
                Bounds(low=0.0, above=True, high=MAX_TASK_MIN, unit="min"),
            )


@dataclass(frozen=True, kw_only=True)
class SupplySpec(Spec):
    """Relocation kits from depots to shelters by truck."""

    kits_per_person: float = bounded(1.0, low=0.0, high=100.0, unit="kits")
    truck_capacity_kits: int = bounded(500, low=1, high=1_000_000, unit="kits")
    trucks_per_depot: dict[str, int] = field(
        default_factory=lambda: {"city": 6, "district": 4, "town": 1, "village": 0}
    )
    unload_min: float = bounded(15.0, low=0.0, high=MAX_TASK_MIN, unit="min")
    request_min_kits: int = bounded(50, low=1, high=10_000_000, unit="kits")

    def check(self, where: Where) -> None:  # noqa: D102
        for level, n in self.trucks_per_depot.items():
            if level not in ("city", "district", "town", "village"):
                raise (
                    where.child("trucks_per_depot")
                    .child(level)
                    .error("is not a depot level; use city, district, town, village")
                )
            check_bounds(
                where.child("trucks_per_depot"), level, n, Bounds(low=0, high=1000, unit="trucks")
            )
