"""Scenario sections for hazards and scripted road closures.

``[hazards.gas_leak]``, ``[hazards.flood]``, ``[hazards.landslide]`` and ``[[closures]]``;
times in files are minutes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from sim.scenarios.load import Spec, Where, bounded


def _check_times(where: Where, key: str, items: tuple) -> None:
    times = [i.time_min for i in items]
    if times and (times[0] != 0.0 or any(b <= a for a, b in itertools.pairwise(times))):
        raise where.child(key).error(
            f"times must start at 0 and increase, got {times}; give the value from minute 0"
        )


@dataclass(frozen=True, kw_only=True)
class ReleaseSpec(Spec):
    """Release rate from ``time_min`` until the next entry."""

    time_min: float = bounded(low=0.0, unit="min")
    rate_kg_per_s: float = bounded(low=0.0, high=100_000.0, unit="kg/s")


@dataclass(frozen=True, kw_only=True)
class WindSpec(Spec):
    """Wind from ``time_min`` until the next entry (direction it blows from, degrees)."""

    time_min: float = bounded(low=0.0, unit="min")
    speed_m_per_s: float = bounded(low=0.0, above=True, high=60.0, unit="m/s")
    from_deg: float = bounded(low=0.0, high=360.0, unit="degrees")
    stability: Literal["A", "B", "C", "D", "E", "F"] = "D"

    def check(self, where: Where) -> None:  # noqa: D102
        if not 0.0 <= self.from_deg < 360.0:
            raise where.child("from_deg").error(f"must be in [0, 360), got {self.from_deg}")


@dataclass(frozen=True, kw_only=True)
class GasLeakSpec(Spec):
    """A sour-gas release at a well (by name) or a point, dispersed as a Gaussian plume.

    Protection (:mod:`sim.hazards.gas_leak`): indoors the concentration follows the
    outdoor one with ``home_air_changes_per_h`` in an ordinary home, fewer with doors
    and windows shut as a shelter-in-place warning asks
    (``sheltering_air_changes_per_h``) and ``shelter_air_changes_per_h`` in a public
    shelter: residential air exchange is 0.2-2 per hour (ASHRAE Handbook -
    Fundamentals 2017, ch. 16), older rural homes at the leaky end. Routes of the public
    avoid the plume: links at or above AEGL-3 for 60 min (50 ppm) are closed to them,
    and every other link costs ``exposure_penalty_min`` more per AEGL-2 toxic load that
    crossing it adds. Commands forecast the AEGL-2 footprint ``forecast_min`` ahead from
    the release and wind schedule (shelters inside are not used).

    The footprint's AEGL-2 is the one for ``stay_exposure_min``, the time people stay
    where they are (at home, in a shelter): the AEGL duration should match the expected
    exposure (NOAA, *Ask Dr. ALOHA: Choosing Toxic Levels of Concern*). The default, 8 h,
    is the longest AEGL duration, for a blowout whose end nobody knows: the Kaixian well
    of 2003 was sealed after more than 84 h (``docs/validation.md``).

    Where a home breathes (``home_points``): ``"cell"`` gives each household near the
    plume a random point in its road node's cell (the ground the node stands for, up to
    300 m around it), so a narrow night plume reaches the homes under it although it
    passes between nodes; ``"node"`` puts every home at its node, for a map whose
    nodes are the buildings (:mod:`sim.hazards.plume_points`).
    """

    well: str | None = None
    lon: float | None = bounded(None, low=-180.0, high=180.0, unit="degrees east")
    lat: float | None = bounded(None, low=-90.0, high=90.0, unit="degrees north")
    release_height_m: float = bounded(2.0, low=0.0, high=1000.0, unit="m")
    receptor_height_m: float = bounded(1.5, low=0.0, high=100.0, unit="m")
    h2s_mass_fraction: float = bounded(0.15, low=0.0, high=1.0)
    methane_mass_fraction: float = bounded(0.8, low=0.0, high=1.0)
    terrain: Literal["rural", "urban"] = "rural"
    release: tuple[ReleaseSpec, ...] = (ReleaseSpec(time_min=0.0, rate_kg_per_s=30.0),)
    wind: tuple[WindSpec, ...] = (
        WindSpec(time_min=0.0, speed_m_per_s=2.0, from_deg=270.0, stability="F"),
    )
    close_at_lfl_fraction: float = bounded(0.25, low=0.0, above=True, high=1.0)
    home_air_changes_per_h: float = bounded(1.0, low=0.0, above=True, high=50.0, unit="1/h")
    sheltering_air_changes_per_h: float = bounded(0.5, low=0.0, above=True, high=50.0, unit="1/h")
    shelter_air_changes_per_h: float = bounded(1.0, low=0.0, above=True, high=50.0, unit="1/h")
    exposure_penalty_min: float = bounded(60.0, low=0.0, high=10_000.0, unit="min")
    forecast_min: float = bounded(60.0, low=0.0, high=1440.0, unit="min")
    stay_exposure_min: float = bounded(480.0, low=10.0, high=480.0, unit="min")
    home_points: Literal["cell", "node"] = "cell"

    def check(self, where: Where) -> None:  # noqa: D102
        if (self.well is None) == (self.lon is None) or (self.lon is None) != (self.lat is None):
            raise where.error("needs exactly one source: well = NAME, or lon and lat")
        _check_times(where, "release", self.release)
        _check_times(where, "wind", self.wind)


@dataclass(frozen=True, kw_only=True)
class StageSpec(Spec):
    """A point of the upstream stage hydrograph (metres above the warning level)."""

    time_min: float = bounded(low=0.0, unit="min")
    stage_m: float = bounded(low=-50.0, high=50.0, unit="m above the warning level")


@dataclass(frozen=True, kw_only=True)
class FloodSpec(Spec):
    """A flood wave on the region's river (``features["river"]``, upstream first).

    Sources of the defaults:

    - ``vehicle_depth_limit_m`` 0.3 and ``walk_depth_limit_m`` 0.5: the flood hazard
      vulnerability classes of the Australian Disaster Resilience Guideline 7-3 *Flood
      Hazard* (AIDR 2017, table 7): deeper than 0.3 m is unsafe for small vehicles (H2),
      deeper than 0.5 m unsafe for children and the elderly (H3); a household walks at
      the pace of its weakest member.
    - ``wave_speed_m_per_s`` 1.5: the Kleitz-Seddon celerity of a flood wave, about 5/3
      of the mean flow velocity in a wide channel (Chow, *Open-Channel Hydraulics*,
      1959), for a mean velocity of about 1 m/s.
    - ``bridge_close_stage_m``, ``river_contact_m``, ``bank_search_m``: planning
      assumptions of this project (a bridge shut 5 m above the warning level; which
      nodes touch the river; where the river's banks are looked for).
    - ``boat_teams`` 8: a planning assumption, most of the built-in region's 13 ground
      teams (those nearest the river get the boats,
      :func:`sim.agents.boats.give_boats`); a region's stations can say
      where the boats are (a ``boats`` column).
    """

    hydrograph: tuple[StageSpec, ...]
    wave_speed_m_per_s: float = bounded(1.5, low=0.0, above=True, high=30.0, unit="m/s")
    vehicle_depth_limit_m: float = bounded(0.3, low=0.0, above=True, high=10.0, unit="m")
    walk_depth_limit_m: float = bounded(0.5, low=0.0, above=True, high=10.0, unit="m")
    bridge_close_stage_m: float = bounded(5.0, low=-50.0, high=50.0, unit="m")
    river_contact_m: float = bounded(400.0, low=0.0, above=True, high=10_000.0, unit="m")
    bank_search_m: float = bounded(1000.0, low=0.0, above=True, high=20_000.0, unit="m")
    boat_teams: int = bounded(8, low=0, high=10_000, unit="teams")

    def check(self, where: Where) -> None:  # noqa: D102
        _check_times(where, "hydrograph", self.hydrograph)


@dataclass(frozen=True, kw_only=True)
class SlideSpec(Spec):
    """A scripted slide: run-out circle around a point or a settlement.

    ``foreseen`` (default true): the slope is a registered hazard point seen deforming,
    its run-out area known; once a command knows the hazard it cordons that area off and
    orders it out (:mod:`sim.hazards.landslide`). False: a slope nobody watched, which
    fails without warning.
    """

    time_min: float = bounded(low=0.0, unit="min")
    radius_m: float = bounded(250.0, low=0.0, above=True, high=20_000.0, unit="m")
    lon: float | None = bounded(None, low=-180.0, high=180.0, unit="degrees east")
    lat: float | None = bounded(None, low=-90.0, high=90.0, unit="degrees north")
    settlement: str | None = None
    offset_m: tuple[float, ...] = bounded((0.0, 0.0), low=-100_000.0, high=100_000.0, unit="m")
    foreseen: bool = True

    def check(self, where: Where) -> None:  # noqa: D102
        if (self.settlement is None) == (self.lon is None) or (self.lon is None) != (
            self.lat is None
        ):
            raise where.error("needs exactly one place: settlement = NAME, or lon and lat")
        if len(self.offset_m) != 2:
            raise where.child("offset_m").error("must be [east_m, north_m]")


@dataclass(frozen=True, kw_only=True)
class RainSpec(Spec):
    """Rain intensity from ``time_min`` until the next entry."""

    time_min: float = bounded(low=0.0, unit="min")
    mm_per_h: float = bounded(low=0.0, high=500.0, unit="mm/h")


@dataclass(frozen=True, kw_only=True)
class LandslideSpec(Spec):
    """Scripted slides, and slides triggered when accumulated rain passes ``trigger_mm``.

    ``rain_slides`` slides start then, at susceptible slopes (a road gradient of
    ``min_slope`` or more). ``rain_radius_m`` unset (the default): each has the area of
    a real triggered landslide, drawn from the distribution of Malamud et al. (2004;
    mean 3.07e-3 km2, a circle of 31 m; :mod:`sim.hazards.slopes`); a number gives every
    one that radius. A slide buries the households at home on the ground it covers:
    of each node's residents, the share of the node's cell under the slide
    (:func:`sim.network.cells.covered_share`).
    """

    slides: tuple[SlideSpec, ...] = ()
    rainfall: tuple[RainSpec, ...] = ()
    trigger_mm: float = bounded(100.0, low=0.0, above=True, high=5000.0, unit="mm")
    rain_slides: int = bounded(3, low=0, high=1000, unit="slides")
    rain_radius_m: float | None = bounded(None, low=0.0, above=True, high=20_000.0, unit="m")
    min_slope: float = bounded(0.02, low=0.0, high=10.0, unit="rise over run")
    clear_min: float = bounded(120.0, low=0.0, above=True, high=10_080.0, unit="min")

    def check(self, where: Where) -> None:  # noqa: D102
        _check_times(where, "rainfall", self.rainfall)


@dataclass(frozen=True, kw_only=True)
class HazardsSpec(Spec):
    """The hazards of a scenario, and how often they are updated and recorded."""

    gas_leak: GasLeakSpec | None = None
    flood: FloodSpec | None = None
    landslide: LandslideSpec | None = None
    step_min: float = bounded(1.0, low=0.1, high=60.0, unit="min")
    frame_min: float = bounded(5.0, low=0.1, high=1440.0, unit="min")

    @property
    def any(self) -> bool:
        """True when the scenario has at least one hazard."""
        return any(h is not None for h in (self.gas_leak, self.flood, self.landslide))


@dataclass(frozen=True, kw_only=True)
class ClosureSpec(Spec):
    """Close or reopen the roads within ``radius_m`` of a point (both directions)."""

    time_min: float = bounded(low=0.0, unit="min")
    action: Literal["close", "reopen"]
    lon: float = bounded(low=-180.0, high=180.0, unit="degrees east")
    lat: float = bounded(low=-90.0, high=90.0, unit="degrees north")
    radius_m: float = bounded(100.0, low=0.0, above=True, high=100_000.0, unit="m")
