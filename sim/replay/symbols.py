"""What the replays draw beyond the shared map style: protective-action states and shelters.

:mod:`sim.plot.style` holds the colours every map shares; the replay adds the states a
household reaches by protective action (sheltering in place, unsheltered), the mark of a
shelter that became unsafe and the relocation flows out of it. Both replays (video
frames and the HTML page) read these tables, so a symbol means the same in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sim.plot import style

#: Household states of the replay, in index order: the map style's, then protective action.
HOUSEHOLD_STATES: tuple[str, ...] = (*style.HOUSEHOLD_STATES, "sheltering_in_place", "unsheltered")
NOT_WARNED, WARNED, ON_THE_WAY, SHELTERED, STRANDED, EXPOSED, SHELTERING, UNSHELTERED = range(
    len(HOUSEHOLD_STATES)
)
HOUSEHOLD_COLOURS: Mapping[str, str] = MappingProxyType(
    {**style.HOUSEHOLD_COLOURS, "sheltering_in_place": "#00acc1", "unsheltered": "#827717"}
)
HOUSEHOLD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        **style.HOUSEHOLD_LABELS,
        "sheltering_in_place": "sheltering in place",
        "unsheltered": "unsheltered (no room)",
    }
)
#: States drawn under the shelter markers (at home or in a shelter); the others on top.
BELOW_SHELTERS: tuple[int, ...] = (NOT_WARNED, WARNED, ON_THE_WAY, SHELTERED, SHELTERING)
ABOVE_SHELTERS: tuple[int, ...] = (STRANDED, UNSHELTERED, EXPOSED)
#: Legend order of the states.
LEGEND_STATES: tuple[int, ...] = (
    NOT_WARNED, WARNED, SHELTERING, ON_THE_WAY, SHELTERED, UNSHELTERED, STRANDED, EXPOSED,
)  # fmt: skip

#: A shelter that became unsafe: its square gets this edge and a cross, from then on.
SHELTER_UNSAFE_COLOUR = "#d50000"
#: Relocation flows: an arrow from an unsafe shelter to the shelter its occupants reached.
RELOCATION_COLOUR = "#e65100"
#: An arrow shows from the relocation until this many seconds after the last arrival.
RELOCATION_RECENT_S = 900.0


def replay_colours() -> list[str]:
    """Every solid colour the replay frames draw with (``#rrggbb``), most important first."""
    return [
        *style.style_colours(),
        HOUSEHOLD_COLOURS["sheltering_in_place"],
        HOUSEHOLD_COLOURS["unsheltered"],
        SHELTER_UNSAFE_COLOUR,
        RELOCATION_COLOUR,
    ]
