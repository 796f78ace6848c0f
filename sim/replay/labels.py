"""Incident labels that never overlap: each takes the first free place around its marker.

Labels are placed in display pixels, in a stated order (incident order, so the same
frame always gets the same layout): each tries positions around its anchor (right,
left, above, below, then the same farther out) and takes the first whose box overlaps
no label placed before it and stays inside the map; a label with no free place is
hidden for that frame (its marker still shows the incident). Text sizes come from
matplotlib's own layout (``get_window_extent``), measured once per distinct text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.text import Text

#: Candidate positions: (dx, dy) in gaps, horizontal and vertical alignment.
_PLACES: tuple[tuple[float, float, str, str], ...] = (
    (1.0, 0.4, "left", "bottom"),
    (1.0, -0.4, "left", "top"),
    (-1.0, 0.4, "right", "bottom"),
    (-1.0, -0.4, "right", "top"),
    (0.0, 1.2, "center", "bottom"),
    (0.0, -1.2, "center", "top"),
    (2.5, 1.6, "left", "bottom"),
    (2.5, -1.6, "left", "top"),
    (-2.5, 1.6, "right", "bottom"),
    (-2.5, -1.6, "right", "top"),
    (0.0, 3.0, "center", "bottom"),
    (0.0, -3.0, "center", "top"),
)


def _box(x: float, y: float, w: float, h: float, ha: str, va: str) -> np.ndarray:
    x0 = x if ha == "left" else x - w if ha == "right" else x - w / 2
    y0 = y if va == "bottom" else y - h
    return np.array([x0, y0, x0 + w, y0 + h])


def place_labels(
    labels: Sequence[Text],
    *,
    anchors_px: np.ndarray,
    renderer,
    avoid_px: float | None = None,
    gap_px: float = 7.0,
    sizes: dict[str, tuple[float, float]] | None = None,
) -> list[np.ndarray]:
    """Move the visible ``labels`` so that no two overlap; hide those that find no room.

    Parameters
    ----------
    labels
        Texts drawn in display coordinates (``transform=IdentityTransform()``);
        only the visible ones are placed.
    anchors_px
        ``(n, 2)`` display position of each label's marker.
    renderer
        The canvas renderer (text sizes).
    avoid_px
        Labels stay left of this display x (the side panel).
    gap_px
        Distance from the anchor to the nearest position.
    sizes
        A cache of text sizes by text, filled as texts are measured.

    Returns
    -------
    list of numpy.ndarray
        The boxes ``[x0, y0, x1, y1]`` of the labels left visible.
    """
    sizes = {} if sizes is None else sizes
    placed: list[np.ndarray] = []
    axes_box = None
    for k, label in enumerate(labels):
        if not label.get_visible() or not label.get_text():
            continue
        if axes_box is None:
            axes_box = label.axes.get_window_extent(renderer)
        text = label.get_text()
        if text not in sizes:
            label.set_position((0.0, 0.0))
            label.set_ha("left")
            label.set_va("bottom")
            extent = label.get_window_extent(renderer)
            sizes[text] = (extent.width, extent.height)
        w, h = sizes[text]
        x, y = anchors_px[k]
        right = axes_box.x1 if avoid_px is None else min(axes_box.x1, avoid_px)
        for dx, dy, ha, va in _PLACES:
            box = _box(x + dx * gap_px, y + dy * gap_px, w, h, ha, va)
            inside = (
                box[0] >= axes_box.x0
                and box[2] <= right
                and box[1] >= axes_box.y0
                and box[3] <= axes_box.y1
            )
            if inside and not any(_overlap(box, other) for other in placed):
                label.set_position((x + dx * gap_px, y + dy * gap_px))
                label.set_ha(ha)
                label.set_va(va)
                placed.append(box)
                break
        else:
            label.set_visible(False)
    return placed


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
