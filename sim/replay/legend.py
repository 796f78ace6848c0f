"""What the video panel and the HTML page both show: the counter rows (no matplotlib)."""

from __future__ import annotations

import numpy as np

from sim.replay.state import Timeline

#: Counter rows of the panel and the HTML page: (key, label, always shown).
COUNTER_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("evacuated_persons", "evacuated (sheltered)", True),
    ("on_the_way_persons", "on the way", True),
    ("warned_persons", "warned", True),
    ("stranded_persons", "stranded", True),
    ("exposed_persons", "exposed AEGL-2+", False),
    ("dead_persons", "dead AEGL-3", False),
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
