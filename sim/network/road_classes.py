"""Road classes and what a class implies where OSM is silent: speed, lanes, capacity.

Every compiled network stores its edges' class as an index into :data:`ROAD_CLASSES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

#: Road classes in compiled order; ``road_class`` arrays index this tuple.
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "track",
)

#: Free-flow speed used where an edge has no ``maxspeed`` (km/h), by road class.
DEFAULT_SPEED_KPH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 100.0,
        "motorway_link": 60.0,
        "trunk": 80.0,
        "trunk_link": 50.0,
        "primary": 60.0,
        "primary_link": 40.0,
        "secondary": 50.0,
        "secondary_link": 40.0,
        "tertiary": 40.0,
        "tertiary_link": 30.0,
        "unclassified": 30.0,
        "residential": 30.0,
        "living_street": 10.0,
        "service": 20.0,
        "road": 30.0,
        "track": 15.0,
    }
)

#: Lanes per direction where OSM gives none, by road class.
DEFAULT_LANES: Mapping[str, float] = MappingProxyType(
    {"motorway": 2.0, "trunk": 2.0, "primary": 2.0}
)

#: Capacity per lane and direction (vehicles/h), by road class. Expressway about
#: 2,000-2,200, multilane arterial 1,800-2,000, two-lane rural road about 1,700 (HCM
#: figures in docs/validation.md); town streets are limited by junctions.
CAPACITY_VEH_PER_H_PER_LANE: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 2100.0,
        "motorway_link": 1600.0,
        "trunk": 2000.0,
        "trunk_link": 1500.0,
        "primary": 1900.0,
        "primary_link": 1400.0,
        "secondary": 1800.0,
        "secondary_link": 1300.0,
        "tertiary": 1700.0,
        "tertiary_link": 1200.0,
        "unclassified": 1700.0,
        "residential": 900.0,
        "living_street": 300.0,
        "service": 600.0,
        "road": 1200.0,
        "track": 400.0,
    }
)

#: Shortest edge travel time kept (s); csgraph needs strictly positive weights to
#: tell a zero-length edge from no edge after arithmetic.
MIN_TRAVEL_TIME_S = 1e-3


def road_class_codes(highway: np.ndarray) -> np.ndarray:
    """Map OSM ``highway`` strings to :data:`ROAD_CLASSES` indices (unknown → ``road``)."""
    lookup = {name: i for i, name in enumerate(ROAD_CLASSES)}
    fallback = lookup["road"]
    return np.array([lookup.get(str(h), fallback) for h in highway], dtype=np.int8)
