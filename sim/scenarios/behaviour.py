"""Scenario sections for residents: households, warning channels, compliance, warnings.

``[population]``, ``[behaviour]`` and ``[[warnings]]`` (with their ``zone``); times in
files are minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sim.scenarios.load import Where, check_positive, check_share

WarningLevel = Literal["trend", "risk", "imminent", "immediate"]
WARNING_LEVELS: tuple[str, ...] = ("trend", "risk", "imminent", "immediate")


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
