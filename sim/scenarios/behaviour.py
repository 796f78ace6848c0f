"""Scenario sections for residents: households, warning channels, compliance, warnings.

``[population]``, ``[behaviour]`` and ``[[warnings]]`` (with their ``zone``); times in
files are minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sim.clock import is_clock
from sim.scenarios.load import Spec, Where, bounded, check_share

WarningLevel = Literal["trend", "risk", "imminent", "immediate"]
ProtectiveAction = Literal["auto", "evacuate", "shelter_in_place"]
WARNING_LEVELS: tuple[str, ...] = ("trend", "risk", "imminent", "immediate")

#: Longest delay a setting may give, minutes (a week).
MAX_DELAY_MIN = 10_080.0


@dataclass(frozen=True, kw_only=True)
class PopulationSpec(Spec):
    """How residents form households and travel.

    ``household_size_mean_persons``: 2.8, rural Sichuan and Chongqing households in the
    2020 census (about 2.6 to 3.0). ``walk_speed_m_per_s``: 1.2, below the 1.34 m/s free
    walking speed of Weidmann's diagram (``docs/validation.md``) for people carrying
    belongings, children and elderly. ``vulnerable_share``: households that cannot leave
    without help (elderly living alone, disabled, no means to travel): in an
    ``immediate`` zone they are transferred by responders, or ground teams when no
    responder is free (三个必转, ``docs/DOMAIN.md``);
    5 % is an assumption below the share of rural residents aged 65 or more (17.7 % in
    the 2020 census), of whom many live with family.
    """

    household_size_mean_persons: float = bounded(2.8, low=1.0, high=20.0, unit="persons")
    vehicle_share: float = bounded(0.6, low=0.0, high=1.0)
    walk_speed_m_per_s: float = bounded(1.2, low=0.0, above=True, high=3.0, unit="m/s")
    vulnerable_share: float = bounded(0.05, low=0.0, high=1.0)


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
    """Share acting on each warning level at the first contact (sources: below)."""
    return {"trend": 0.02, "risk": 0.25, "imminent": 0.7, "immediate": 0.9}


def _default_night_reach() -> dict[str, float]:
    return {"sms": 0.5, "loudspeaker": 0.6}


@dataclass(frozen=True, kw_only=True)
class BehaviourSpec(Spec):
    """How households receive warnings and decide to leave.

    **Channels** reach a share of households after a delay (defaults: SMS 75 % after
    5 min, village loudspeakers 50 % after 15 min, so about 87 % hear at least one,
    near the ≥ 90 % public-coverage target of ``docs/DOMAIN.md``). At night
    (``night_start`` to ``night_end``) each channel's reach is multiplied by
    ``night_reach_factor`` and the pre-movement delay by ``night_premovement_factor``
    (assumptions after Sorensen 2000, see :mod:`sim.clock`).

    **Door-knocking** (鸣锣敲门, ``docs/DOMAIN.md``): for warnings at
    ``door_knock_min_level`` or above, the community responders of each village visit
    the households no channel reached, then those who refused, again every
    ``door_knock_revisit_min`` at the least; a visit takes ``door_knock_min_per_household``
    of the responder's time (3 min: a door-to-door team notifies some 20 households an
    hour, the order of the rates in Rogers & Sorensen 1991, *Journal of Hazardous
    Materials* 27: 141–157). ``door_knocking = false`` turns the rounds off.

    **Compliance** (:mod:`sim.agents.compliance`): ``compliance`` by level at the first
    contact (defaults: trend 2 %, risk 25 %, imminent 70 %, immediate 90 %: mandatory
    orders reach 80-90 % in high-risk areas, Baker 1991, *International Journal of Mass
    Emergencies and Disasters* 9(2): 287–310), raised by ``contact_odds_ratio`` for each
    further contact and by ``danger_odds_ratio`` when the hazard is visible at home.

    **Pre-movement** delay before leaving is log-normal with median
    ``premovement_median_min`` and log-sd ``premovement_sigma`` (10 min and 0.6 for
    imminent warnings: most households leave within minutes to an hour, Sorensen 1991,
    *International Journal of Mass Emergencies and Disasters* 9(2): 153–165).
    """

    channels: tuple[ChannelSpec, ...] = field(default_factory=_default_channels)
    compliance: dict[str, float] = field(default_factory=_default_compliance)
    contact_odds_ratio: float = bounded(2.0, low=1.0, high=100.0)
    danger_odds_ratio: float = bounded(4.0, low=1.0, high=100.0)
    premovement_median_min: float = bounded(
        10.0, low=0.0, above=True, high=MAX_DELAY_MIN, unit="min"
    )
    premovement_sigma: float = bounded(0.6, low=0.0, high=3.0)
    door_knocking: bool = True
    door_knock_min_level: WarningLevel = "imminent"
    door_knock_min_per_household: float = bounded(3.0, low=0.0, above=True, high=120.0, unit="min")
    door_knock_revisit_min: float = bounded(30.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    night_start: str = "22:00"
    night_end: str = "06:00"
    night_reach_factor: dict[str, float] = field(default_factory=_default_night_reach)
    night_premovement_factor: float = bounded(1.5, low=0.1, high=10.0)

    def check(self, where: Where) -> None:  # noqa: D102
        for key in ("night_start", "night_end"):
            if not is_clock(getattr(self, key)):
                raise where.child(key).error(
                    f"= {getattr(self, key)!r} is not a clock time; write it as 'HH:MM'"
                )
        for channel, factor in self.night_reach_factor.items():
            check_share(where.child("night_reach_factor"), channel, factor)
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
    """A scripted warning issued by one side's command to a zone.

    ``action`` is what it tells people to do: ``"evacuate"``, ``"shelter_in_place"``,
    or ``"auto"``: the issuing command chooses per node (for a toxic release, shelter in
    place where the plume is already present or arrives before people could leave it;
    evacuate elsewhere; see :mod:`sim.agents.protective`).
    """

    time_min: float = bounded(low=0.0, unit="min")
    level: WarningLevel
    issued_by: str
    zone: ZoneSpec = field(default_factory=ZoneSpec)
    action: ProtectiveAction = "auto"
