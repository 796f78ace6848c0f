"""Scenario sections for responders and relief: incidents, rescue forces, supply.

``[[incidents]]``, ``[forces.community|ground|aviation]`` and ``[supply]``; times in
files are minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.scenarios.load import Bounds, Spec, Where, bounded, check_bounds
from sim.tiers import TIER_NAMES

#: Largest number of teams of one tier, and per station: more would not be a county's
#: forces (Hechuan district has 52 teams in all, ../shared/DOMAIN.md) and each team is an
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
    """

    teams: int | None = bounded(None, low=0, high=MAX_TEAMS, unit="teams")
    teams_per_station: int | None = bounded(None, low=0, high=MAX_TEAMS_PER_STATION, unit="teams")
    turnout_min: float | None = bounded(None, low=0.0, high=MAX_TASK_MIN, unit="min")
    on_scene_min: float = bounded(20.0, low=0.0, above=True, high=MAX_TASK_MIN, unit="min")
    max_speed_kph: float | None = bounded(None, low=0.0, above=True, high=400.0, unit="km/h")
    cruise_speed_kph: float | None = bounded(None, low=0.0, above=True, high=1000.0, unit="km/h")
    carry_persons: int = bounded(0, low=0, high=1000, unit="persons")

    def check(self, where: Where) -> None:  # noqa: D102
        if self.teams is not None and self.teams_per_station is not None:
            raise where.error("give teams or teams_per_station, not both")


@dataclass(frozen=True, kw_only=True)
class ForcesSpec(Spec):
    """Rescue teams by tier."""

    community: TierForcesSpec = field(default_factory=TierForcesSpec)
    ground: TierForcesSpec = field(
        default_factory=lambda: TierForcesSpec(on_scene_min=30.0, carry_persons=8)
    )
    aviation: TierForcesSpec = field(
        default_factory=lambda: TierForcesSpec(on_scene_min=20.0, carry_persons=6)
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
