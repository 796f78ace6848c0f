"""Colours, sizes and hazard levels shared by the video frames and the HTML replay.

Both renderers draw from these tables, so a colour checked in a video frame is the
colour the HTML page shows for the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

#: Household states in drawing order (later ones are drawn on top), with their colours.
HOUSEHOLD_STATES: tuple[str, ...] = (
    "not_warned",
    "warned",
    "on_the_way",
    "sheltered",
    "stranded",
    "exposed",
)
HOUSEHOLD_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "not_warned": "#b0b0b0",
        "warned": "#fdd835",
        "on_the_way": "#fb8c00",
        "sheltered": "#43a047",
        "stranded": "#e53935",
        "exposed": "#d500f9",
    }
)
HOUSEHOLD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "not_warned": "not yet warned",
        "warned": "warned",
        "on_the_way": "on the way",
        "sheltered": "sheltered",
        "stranded": "stranded",
        "exposed": "exposed (AEGL-2+)",
    }
)

#: Marker diameter (px at 720p) by persons at a node: bins are ``persons <= edge``.
PERSON_BIN_EDGES: tuple[int, ...] = (5, 20, 60, 150)
PERSON_BIN_DIAMETER_PX: tuple[float, ...] = (3.0, 4.0, 5.5, 7.5, 10.0)

#: Rescue tiers: marker and colour (as the static maps in :mod:`sim.plot.maps`).
TIER_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "community": "#2e86c1",
        "ground": "#117a65",
        "aviation": "#6c3483",
    }
)
TIER_MARKERS: Mapping[str, str] = MappingProxyType(
    {"community": "o", "ground": "s", "aviation": "^"}
)
TRUCK_COLOUR = "#795548"
DEPOT_COLOUR = "#5d4037"
STATION_ALPHA = 0.55

#: Incidents: open (not yet reached by any team) and reached.
INCIDENT_OPEN_COLOUR = "#d50000"
INCIDENT_REACHED_COLOUR = "#00897b"
INCIDENT_LABEL_COLOUR = "#004d40"
#: Border crossings of teams: recent ones (within this many seconds) are highlighted.
CROSSING_COLOUR = "#ffea00"
CROSSING_RECENT_S = 900.0
#: Team trails: positions over the last ``TRAIL_S`` seconds, in ``TRAIL_STEPS`` pieces.
TRAIL_S = 600.0
TRAIL_STEPS = 6
CLOSED_ROAD_COLOUR = "#d50000"

#: Shelter fill classes: upper bounds of occupants / capacity, and their colours.
SHELTER_FILL_EDGES: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 0.999)
SHELTER_FILL_COLOURS: tuple[str, ...] = (
    "#ffffff",
    "#c8e6c9",
    "#81c784",
    "#43a047",
    "#1b5e20",
    "#000000",
)
SHELTER_FILL_LABELS: tuple[str, ...] = ("empty", "≤ 25 %", "≤ 50 %", "≤ 75 %", "< 100 %", "full")
#: Shelter marker sizes (px at 720p): an empty shelter is small with a grey edge, so the
#: hundreds of village shelters nobody uses do not hide the map.
SHELTER_PX = 7.0
SHELTER_EMPTY_PX = 4.0
SHELTER_EMPTY_EDGE = "#9e9e9e"

#: Jurisdiction shading (cycled when there are more jurisdictions) and name colour.
JURISDICTION_COLOURS: tuple[str, ...] = ("#e3f2fd", "#fff3e0", "#f3e5f5", "#e8f5e9")
JURISDICTION_LABEL_COLOUR = "#37474f"
RIVER_COLOUR = "#2874a6"


def jurisdiction_colour(index: int) -> str:
    """Shading colour of jurisdiction ``index`` (the palette repeats past its end)."""
    return JURISDICTION_COLOURS[index % len(JURISDICTION_COLOURS)]


#: Hazard level boundaries (a value in ``[edge[k], edge[k+1])`` is level ``k + 1``; below
#: the first edge is nothing) and the colours of the levels. The plume's bands are the
#: 60-minute AEGL-1/2/3 concentrations of H2S (0.51, 27 and 50 ppm,
#: :data:`sim.hazards.exposure.AEGL_H2S_PPM`): discomfort, disabling, life-threatening.
HAZARD_LEVELS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "plume": (0.51, 27.0, 50.0),  # H2S ppm, AEGL-1/2/3 at 60 min
        "flood": (0.05, 0.3, 0.6, 1.5, 3.0),  # water depth, m
        "landslide": (0.5,),  # 1 inside a slide
    }
)
HAZARD_COLOURS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "plume": ("#f48fb1", "#d81b60", "#4a0072"),
        "flood": ("#bbdefb", "#64b5f6", "#1e88e5", "#1565c0", "#0d47a1"),
        "landslide": ("#8d6e63",),
    }
)
HAZARD_UNITS: Mapping[str, str] = MappingProxyType(
    {"plume": "H2S ppm", "flood": "depth m", "landslide": ""}
)
#: Legend text of each hazard level, in level order.
HAZARD_LEVEL_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "plume": (
            "AEGL-1: H2S ≥ 0.51 ppm (discomfort)",
            "AEGL-2: H2S ≥ 27 ppm (disabling)",
            "AEGL-3: H2S ≥ 50 ppm (life-threatening)",
        ),
        "flood": (
            "water 5-30 cm",
            "water 0.3-0.6 m (roads closed)",
            "water 0.6-1.5 m",
            "water 1.5-3 m",
            "water ≥ 3 m",
        ),
        "landslide": ("landslide area",),
    }
)
HAZARD_ALPHA = 0.6
HAZARD_ORDER: tuple[str, ...] = ("flood", "landslide", "plume")


def person_bin(persons: np.ndarray) -> np.ndarray:
    """Return the marker size bin (index into :data:`PERSON_BIN_DIAMETER_PX`) of counts."""
    return np.searchsorted(np.asarray(PERSON_BIN_EDGES), persons, side="left")


def shelter_fill_class(occupants_persons: np.ndarray, capacity_persons: np.ndarray) -> np.ndarray:
    """Return the fill class (index into :data:`SHELTER_FILL_COLOURS`) of each shelter."""
    share = np.asarray(occupants_persons, float) / np.maximum(capacity_persons, 1)
    cls = np.searchsorted(np.asarray(SHELTER_FILL_EDGES), share, side="left")
    cls[share <= 0.0] = 0
    return cls


def hazard_level(hazard: str, value: np.ndarray) -> np.ndarray:
    """Return the level (0 = nothing, 1.. = :data:`HAZARD_COLOURS` index + 1) of values."""
    edges = np.asarray(HAZARD_LEVELS[hazard])
    return np.searchsorted(edges, np.asarray(value, float), side="right").astype(np.uint8)


def style_colours() -> list[str]:
    """Return every solid colour the frames draw with (``#rrggbb``), most important first."""
    return [
        "#ffffff",
        "#000000",
        *HOUSEHOLD_COLOURS.values(),
        *TIER_COLOURS.values(),
        TRUCK_COLOUR,
        DEPOT_COLOUR,
        INCIDENT_OPEN_COLOUR,
        INCIDENT_REACHED_COLOUR,
        CROSSING_COLOUR,
        CLOSED_ROAD_COLOUR,
        *SHELTER_FILL_COLOURS,
        *JURISDICTION_COLOURS,
        *(colour for colours in HAZARD_COLOURS.values() for colour in colours),
        RIVER_COLOUR,
        JURISDICTION_LABEL_COLOUR,
        INCIDENT_LABEL_COLOUR,
    ]


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """Return ``(r, g, b)`` in 0..255 of a ``#rrggbb`` colour."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


#: Line width (points) and colour of roads by class, on every map and in the replays.
ROAD_STYLE: Mapping[str, tuple[float, str]] = MappingProxyType(
    {
        "motorway": (2.2, "#c0392b"),
        "motorway_link": (1.0, "#c0392b"),
        "trunk": (1.8, "#d35400"),
        "primary": (1.4, "#e67e22"),
        "secondary": (1.0, "#7f6000"),
    }
)
#: Width and colour of roads of any other class.
DEFAULT_ROAD_STYLE = (0.35, "#8c8c8c")
