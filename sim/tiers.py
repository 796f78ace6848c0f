"""Rescue tiers and their response standards (Chongqing's 10 / 30 / 60 minutes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal


@dataclass(frozen=True, kw_only=True)
class TierStandard:
    """A rescue tier: its response standard and how its teams travel.

    Attributes
    ----------
    name
        ``"community"``, ``"ground"`` or ``"aviation"``.
    standard_min
        Response-time standard in minutes (10, 30, 60).
    travel
        ``"road"`` over the road network, or ``"air"`` in a straight line.
    turnout_s
        Delay from alarm to departure (launch delay for aircraft), seconds.
    max_speed_kph
        Road tiers: cap on road speed (community responders on motorbikes), or None.
    cruise_speed_kph
        Air tiers: straight-line cruise speed.
    approach_km
        Air tiers: distance flown from the real base to the map point of its station
        (a city-level corps based outside the county), km; 0 for a base on the map.
    night_capable
        Whether the tier operates at night (``behaviour.night_start`` to ``night_end``);
        aircraft without night capability stay on the ground until daylight.
    breathing_apparatus
        Road tiers: whether its teams carry self-contained breathing apparatus and may
        enter air immediately dangerous to life (a lethal plume); teams without it are
        kept out of it like the public (:meth:`sim.engine.roads.RoadState.set_closures`).
    """

    name: str
    standard_min: float
    travel: Literal["road", "air"]
    turnout_s: float
    max_speed_kph: float | None = None
    cruise_speed_kph: float | None = None
    approach_km: float = 0.0
    night_capable: bool = True
    breathing_apparatus: bool = False


#: The three tiers with default standards and travel. Community responders live in
#: the villages and ride motorbikes (40 km/h cap); they are residents called at home or
#: at work, so their turnout is a volunteer's, 4 min (NFPA 1720 sets no turnout for
#: volunteers; 4 min is this project's planning assumption, several times the 60-80 s
#: NFPA 1710 allows a crew on duty). Ground teams drive from stations (3 min turnout);
#: helicopters launch in 15 min and cruise at 220 km/h, by day only unless the scenario
#: says they fly at night (``forces.aviation.night_capable``; rescue helicopters without
#: night-vision crews fly by visual rules in daylight, a planning assumption).
#: Ground teams (fire and rescue stations, mine and hazmat teams) carry self-contained
#: breathing apparatus; community responders (群防员, village volunteers with gongs,
#: loudspeakers and torches) do not, and entry into air immediately dangerous to life or
#: health requires it (US OSHA 29 CFR 1910.134(g)(3)); a positive-pressure breathing
#: apparatus is personal equipment of every Chinese firefighter on duty (XF 621-2013,
#: formerly GA 621, 消防员个人防护装备配备标准). A scenario may say otherwise
#: (``forces.<tier>.breathing_apparatus``).
TIERS: Mapping[str, TierStandard] = MappingProxyType(
    {
        "community": TierStandard(
            name="community", standard_min=10.0, travel="road", turnout_s=240.0, max_speed_kph=40.0
        ),
        "ground": TierStandard(
            name="ground",
            standard_min=30.0,
            travel="road",
            turnout_s=180.0,
            breathing_apparatus=True,
        ),
        "aviation": TierStandard(
            name="aviation",
            standard_min=60.0,
            travel="air",
            turnout_s=900.0,
            cruise_speed_kph=220.0,
            night_capable=False,
        ),
    }
)

#: Tier names in report order.
TIER_NAMES: tuple[str, ...] = tuple(TIERS)
