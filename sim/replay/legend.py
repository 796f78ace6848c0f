"""What the video panel and the HTML page both show: counter rows and legend (no matplotlib).

Both outputs draw their legend from :func:`legend_entries`, so a symbol means the same
thing in a video and on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.plot import style
from sim.replay import symbols
from sim.replay.state import Timeline

#: Counter rows of the panel and the HTML page: (key, label, always shown).
COUNTER_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("evacuated_persons", "in shelters", True),
    ("on_the_way_persons", "on the way", True),
    ("warned_persons", "warned", True),
    ("sheltering_in_place_persons", "sheltering in place", False),
    ("stranded_persons", "stranded", True),
    ("unsheltered_persons", "unsheltered (no room)", False),
    ("shelters_unsafe", "shelters unsafe", False),
    ("relocated_persons", "relocated from unsafe shelters", False),
    ("exposed_persons", "exposed AEGL-2+", False),
    ("dead_persons", "dead", False),
    ("open_incidents", "open incidents", True),
    ("incidents_reported", "incidents reported", True),
    ("dispatches", "team dispatches", True),
    ("border_crossings", "border crossings", True),
    ("kits_delivered", "kits delivered", True),
    ("roads_closed", "roads closed", False),
)


def shown_counter_rows(timeline: Timeline) -> list[tuple[str, str]]:
    """Counter rows to show: the usual ones, and the others when the run ever has them."""
    counters = timeline.counters.counters
    return [
        (key, label)
        for key, label, always in COUNTER_ROWS
        if always or bool(np.any(counters[key].value != 0))
    ]


@dataclass(frozen=True)
class LegendEntry:
    """One legend row, drawn the same way by the video panel and the HTML page.

    Attributes
    ----------
    kind
        ``"marker"`` (a marker ``shape`` filled with ``face``, outlined with ``edge``),
        ``"line"`` (a line of colour ``face``; ``dashed`` for the border) or ``"patch"``
        (a filled square: an area).
    shape
        Marker shape in matplotlib's letters (``o s D ^ * X P``), for ``"marker"``.
    cross
        Colour of a thin cross (``x``) drawn over the marker (a shelter that became
        unsafe), or ``""`` for none.
    face, edge
        ``#rrggbb`` colours, or ``"none"``.
    label
        The short text (a small video frame shows only this).
    detail
        What the symbol adds, shown after the label where there is room.
    """

    kind: str
    label: str
    face: str
    edge: str = "none"
    shape: str = "o"
    dashed: bool = False
    detail: str = ""
    cross: str = ""

    @property
    def text(self) -> str:
        """The label with its detail in brackets."""
        return f"{self.label} ({self.detail})" if self.detail else self.label


def legend_entries(timeline: Timeline, hazards: tuple[str, ...]) -> list[LegendEntry]:
    """Everything the map of a run may show, in the order both legends list it.

    Sheltering in place, unsheltered, unsafe shelters and relocations are listed when
    the run has them. Stations are the ground stations and air bases (the community
    responders' posts, one per village, are not drawn: hundreds of them hid the map).
    """
    ever = set(timeline.households.state.tolist())
    states = [
        symbols.HOUSEHOLD_STATES[k]
        for k in symbols.LEGEND_STATES
        if k in ever or k not in (symbols.SHELTERING, symbols.UNSHELTERED)
    ]
    entries = [
        LegendEntry("marker", symbols.HOUSEHOLD_LABELS[s], symbols.HOUSEHOLD_COLOURS[s])
        for s in states
    ]
    entries += [
        LegendEntry("marker", f"{tier} team", colour, "#ffffff", style.TIER_MARKERS[tier],
                    detail="with trail")
        for tier, colour in style.TIER_COLOURS.items()
    ]  # fmt: skip
    entries += [
        LegendEntry("marker", "supply truck", style.TRUCK_COLOUR, "#ffffff", "D"),
        LegendEntry(
            "marker", "shelter in use", style.SHELTER_FILL_COLOURS[2], "#000000", "s",
            detail="darker = fuller, black = full",
        ),
        LegendEntry(
            "marker", "shelter, empty", style.SHELTER_FILL_COLOURS[0], style.SHELTER_EMPTY_EDGE,
            "s",
        ),
        *_unsafe_shelter_entries(timeline),
        LegendEntry("marker", "ground station", "none", style.TIER_COLOURS["ground"], "s"),
        LegendEntry("marker", "air base", "none", style.TIER_COLOURS["aviation"], "^"),
        LegendEntry("marker", "supply depot", "none", style.DEPOT_COLOUR, "P"),
        LegendEntry("marker", "incident, open", style.INCIDENT_OPEN_COLOUR, "#ffffff", "X"),
        LegendEntry(
            "marker", "incident, reached", "none", style.INCIDENT_REACHED_COLOUR, "o",
            detail="c · g · a response min",
        ),
        LegendEntry("marker", "border crossing", style.CROSSING_COLOUR, "#000000", "*",
                    detail="of a team"),
        LegendEntry("line", "river", style.RIVER_COLOUR),
        LegendEntry("line", "border", "#000000", dashed=True),
    ]  # fmt: skip
    names = timeline.run.network.jurisdiction_names
    entries += [
        LegendEntry("patch", name, style.jurisdiction_colour(j), "#bbbbbb")
        for j, name in enumerate(names)
    ]
    if timeline.closures.shape[0]:
        entries.append(LegendEntry("line", "closed road", style.CLOSED_ROAD_COLOUR))
    for hazard in hazards:
        for label, colour in zip(
            style.HAZARD_LEVEL_LABELS[hazard], style.HAZARD_COLOURS[hazard], strict=True
        ):
            short, _, detail = label.partition(" (")
            entries.append(LegendEntry("patch", short, colour, detail=detail.rstrip(")")))
    return entries


def _unsafe_shelter_entries(timeline: Timeline) -> list[LegendEntry]:
    entries = []
    if np.isfinite(timeline.shelters.unsafe_s).any():
        entries.append(
            LegendEntry(
                "marker",
                "shelter unsafe",
                style.SHELTER_FILL_COLOURS[0],
                symbols.SHELTER_UNSAFE_COLOUR,
                "s",
                detail="closed, occupants moved on",
                cross=symbols.SHELTER_UNSAFE_COLOUR,
            )
        )
    if timeline.relocations.start_s.size:
        entries.append(
            LegendEntry(
                "line",
                "relocation",
                symbols.RELOCATION_COLOUR,
                detail="unsafe shelter → shelter reached",
            )
        )
    return entries
