"""Scenario sections for hazards and scripted road closures.

``[hazards.gas_leak]``, ``[hazards.flood]``, ``[hazards.landslide]`` and ``[[closures]]``;
times in files are minutes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from sim.scenarios.load import Where, check_positive, check_share


def _check_times(where: Where, key: str, items: tuple) -> None:
    times = [i.time_min for i in items]
    if times and (times[0] != 0.0 or any(b <= a for a, b in itertools.pairwise(times))):
        raise where.child(key).error(
            f"times must start at 0 and increase, got {times}; give the value from minute 0"
        )


@dataclass(frozen=True, kw_only=True)
class ReleaseSpec:
    """Release rate from ``time_min`` until the next entry."""

    time_min: float
    rate_kg_per_s: float

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "rate_kg_per_s", self.rate_kg_per_s, allow_zero=True)


@dataclass(frozen=True, kw_only=True)
class WindSpec:
    """Wind from ``time_min`` until the next entry (direction it blows from, degrees)."""

    time_min: float
    speed_m_per_s: float
    from_deg: float
    stability: Literal["A", "B", "C", "D", "E", "F"] = "D"

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "speed_m_per_s", self.speed_m_per_s)
        if not 0.0 <= self.from_deg < 360.0:
            raise where.child("from_deg").error(f"must be in [0, 360), got {self.from_deg}")


@dataclass(frozen=True, kw_only=True)
class GasLeakSpec:
    """A sour-gas release at a well (by name) or a point, dispersed as a Gaussian plume."""

    well: str | None = None
    lon: float | None = None
    lat: float | None = None
    release_height_m: float = 2.0
    receptor_height_m: float = 1.5
    h2s_mass_fraction: float = 0.15
    methane_mass_fraction: float = 0.8
    terrain: Literal["rural", "urban"] = "rural"
    release: tuple[ReleaseSpec, ...] = (ReleaseSpec(time_min=0.0, rate_kg_per_s=30.0),)
    wind: tuple[WindSpec, ...] = (
        WindSpec(time_min=0.0, speed_m_per_s=2.0, from_deg=270.0, stability="F"),
    )
    close_at_lfl_fraction: float = 0.25

    def check(self, where: Where) -> None:  # noqa: D102
        if (self.well is None) == (self.lon is None) or (self.lon is None) != (self.lat is None):
            raise where.error("needs exactly one source: well = NAME, or lon and lat")
        check_share(where, "h2s_mass_fraction", self.h2s_mass_fraction)
        check_share(where, "methane_mass_fraction", self.methane_mass_fraction)
        check_positive(where, "close_at_lfl_fraction", self.close_at_lfl_fraction)
        _check_times(where, "release", self.release)
        _check_times(where, "wind", self.wind)


@dataclass(frozen=True, kw_only=True)
class StageSpec:
    """A point of the upstream stage hydrograph (metres above the warning level)."""

    time_min: float
    stage_m: float


@dataclass(frozen=True, kw_only=True)
class FloodSpec:
    """A flood wave on the region's river (``features["river"]``, upstream first)."""

    hydrograph: tuple[StageSpec, ...]
    wave_speed_m_per_s: float = 1.5
    vehicle_depth_limit_m: float = 0.3
    walk_depth_limit_m: float = 0.5
    bridge_close_stage_m: float = 5.0
    river_contact_m: float = 400.0
    bank_search_m: float = 1000.0
    boat_teams: int = 8

    def check(self, where: Where) -> None:  # noqa: D102
        _check_times(where, "hydrograph", self.hydrograph)
        for name in (
            "wave_speed_m_per_s",
            "vehicle_depth_limit_m",
            "walk_depth_limit_m",
            "river_contact_m",
            "bank_search_m",
        ):
            check_positive(where, name, getattr(self, name))
        check_positive(where, "boat_teams", self.boat_teams, allow_zero=True)


@dataclass(frozen=True, kw_only=True)
class SlideSpec:
    """A scripted slide: run-out circle around a point or a settlement."""

    time_min: float
    radius_m: float = 250.0
    lon: float | None = None
    lat: float | None = None
    settlement: str | None = None
    offset_m: tuple[float, ...] = (0.0, 0.0)

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "radius_m", self.radius_m)
        if (self.settlement is None) == (self.lon is None) or (self.lon is None) != (
            self.lat is None
        ):
            raise where.error("needs exactly one place: settlement = NAME, or lon and lat")
        if len(self.offset_m) != 2:
            raise where.child("offset_m").error("must be [east_m, north_m]")


@dataclass(frozen=True, kw_only=True)
class RainSpec:
    """Rain intensity from ``time_min`` until the next entry."""

    time_min: float
    mm_per_h: float


@dataclass(frozen=True, kw_only=True)
class LandslideSpec:
    """Scripted slides, and slides triggered when accumulated rain passes ``trigger_mm``."""

    slides: tuple[SlideSpec, ...] = ()
    rainfall: tuple[RainSpec, ...] = ()
    trigger_mm: float = 100.0
    rain_slides: int = 3
    rain_radius_m: float = 250.0
    min_slope: float = 0.02
    clear_min: float = 120.0

    def check(self, where: Where) -> None:  # noqa: D102
        _check_times(where, "rainfall", self.rainfall)
        check_positive(where, "trigger_mm", self.trigger_mm)
        check_positive(where, "clear_min", self.clear_min)
        check_positive(where, "rain_slides", self.rain_slides, allow_zero=True)


@dataclass(frozen=True, kw_only=True)
class HazardsSpec:
    """The hazards of a scenario, and how often they are updated and recorded."""

    gas_leak: GasLeakSpec | None = None
    flood: FloodSpec | None = None
    landslide: LandslideSpec | None = None
    step_min: float = 1.0
    frame_min: float = 5.0

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "step_min", self.step_min)
        check_positive(where, "frame_min", self.frame_min)

    @property
    def any(self) -> bool:
        """True when the scenario has at least one hazard."""
        return any(h is not None for h in (self.gas_leak, self.flood, self.landslide))


@dataclass(frozen=True, kw_only=True)
class ClosureSpec:
    """Close or reopen the roads within ``radius_m`` of a point (both directions)."""

    time_min: float
    action: Literal["close", "reopen"]
    lon: float
    lat: float
    radius_m: float = 100.0

    def check(self, where: Where) -> None:  # noqa: D102
        check_positive(where, "radius_m", self.radius_m)
