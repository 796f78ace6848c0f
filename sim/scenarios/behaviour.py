"""Scenario sections for residents: households, warning channels, compliance, warnings.

``[population]``, ``[behaviour]`` and ``[[warnings]]`` (with their ``zone``); times in
files are minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sim.scenarios.load import Spec, Where, bounded, check_share

WarningLevel = Literal["trend", "risk", "imminent", "immediate"]
WARNING_LEVELS: tuple[str, ...] = ("trend", "risk", "imminent", "immediate")

#: Longest delay a setting may give, minutes (a week).
MAX_DELAY_MIN = 10_080.0


@dataclass(frozen=True, kw_only=True)
class PopulationSpec(Spec):
    """How residents form households and travel."""

    household_size_mean_persons: float = bounded(2.8, low=1.0, high=20.0, unit="persons")
    vehicle_share: float = bounded(0.6, low=0.0, high=1.0)
    walk_speed_m_per_s: float = bounded(1.2, low=0.0, above=True, high=3.0, unit="m/s")


@dataclass(frozen=True, kw_only=True)
class ChannelSpec(Spec):
    """A warning channel: share of households it reaches and its delay."""

    name: str
    reach: float = bounded(low=0.0, high=1.0)
    delay_min: float = bounded(low=0.0, high=MAX_DELAY_MIN, unit="min")


def _default_channels() -> tuple[ChannelSpec, ...]:
    return (
        ChannelSpec(name="sms", reach=0.75, delay_min=5.0),
        ChannelSpec(name="loudspeaker", reach=0.5, delay_min=15.0),
    )


def _default_compliance() -> dict[str, float]:
    return {"trend": 0.02, "risk": 0.25, "imminent": 0.7, "immediate": 0.9}


@dataclass(frozen=True, kw_only=True)
class BehaviourSpec(Spec):
    """How households receive warnings and decide to leave.

    Households a channel misses are reached by community responders knocking on doors
    (``door_knock_reach``) ``door_knock_delay_min`` after the warning.
    Pre-movement delay is log-normal with the given median and log-sd.
    """

    channels: tuple[ChannelSpec, ...] = field(default_factory=_default_channels)
    door_knock_reach: float = bounded(0.9, low=0.0, high=1.0)
    door_knock_delay_min: float = bounded(40.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    compliance: dict[str, float] = field(default_factory=_default_compliance)
    premovement_median_min: float = bounded(
        10.0, low=0.0, above=True, high=MAX_DELAY_MIN, unit="min"
    )
    premovement_sigma: float = bounded(0.6, low=0.0, high=3.0)

    def check(self, where: Where) -> None:  # noqa: D102
        for level, share in self.compliance.items():
            if level not in WARNING_LEVELS:
                raise (
                    where.child("compliance")
                    .child(level)
                    .error(f"is not a warning level; use {', '.join(WARNING_LEVELS)}")
                )
            check_share(where.child("compliance"), level, share)


@dataclass(frozen=True, kw_only=True)
class ZoneSpec(Spec):
    """Nodes a warning covers: the intersection of whatever is given (nothing = everywhere).

    ``center_lon``/``center_lat`` with ``radius_km``: a circle; ``max_elevation_m``: nodes
    at or below that ground elevation; ``jurisdiction``; ``settlements``: named places.
    """

    jurisdiction: str | None = None
    center_lon: float | None = bounded(None, low=-180.0, high=180.0, unit="degrees east")
    center_lat: float | None = bounded(None, low=-90.0, high=90.0, unit="degrees north")
    radius_km: float | None = bounded(None, low=0.0, above=True, high=500.0, unit="km")
    max_elevation_m: float | None = bounded(None, low=-500.0, high=9000.0, unit="m")
    settlements: tuple[str, ...] = ()

    def check(self, where: Where) -> None:  # noqa: D102
        given = [v is not None for v in (self.center_lon, self.center_lat, self.radius_km)]
        if any(given) and not all(given):
            raise where.error("needs center_lon, center_lat and radius_km together for a circle")


@dataclass(frozen=True, kw_only=True)
class WarningSpec(Spec):
    """A scripted warning issued by one side's command to a zone."""

    time_min: float = bounded(low=0.0, unit="min")
    level: WarningLevel
    issued_by: str
    zone: ZoneSpec = field(default_factory=ZoneSpec)
