"""Scenario sections for responders and relief: incidents, rescue forces, supply.

``[[incidents]]``, ``[forces.community|ground|aviation]`` and ``[supply]``; times in
files are minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.scenarios.load import Where, check_positive
from sim.tiers import TIER_NAMES


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
