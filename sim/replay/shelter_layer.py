"""The shelters of a video frame: fill by occupants, unsafe marks and relocation arrows.

A shelter node is a square coloured by its occupants' share of capacity (see
:func:`sim.plot.style.shelter_fill_class`); from its first ``shelter_unsafe`` event it
gets a red edge and a red cross on top (closed: its occupants moved on, so it is
usually empty). Relocation flows (:class:`sim.replay.shelters.Relocations`) are
straight arrows from the unsafe shelter to the shelter its households reached, one per
pair of shelters, thicker for more persons. They are straight on purpose: they say
where people went, not which road they took (tracked households are drawn on their
road). All artists are animated (blitted by :class:`sim.replay.frames.FrameRenderer`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D

from sim.plot import style
from sim.replay.state import Timeline
from sim.replay.symbols import RELOCATION_COLOUR, SHELTER_UNSAFE_COLOUR

#: Arrowhead length, pixels at 720p.
ARROW_HEAD_PX = 9.0


class ShelterLayer:
    """Shelter markers, unsafe marks and relocation arrows of one frame renderer.

    Parameters
    ----------
    ax
        The map axes (its limits already set).
    timeline
        The run.
    scale
        Frame height / 720.
    points
        Marker size in points for a diameter in pixels at 720p.
    """

    def __init__(
        self, ax: Axes, timeline: Timeline, scale: float, points: Callable[[float], float]
    ) -> None:
        self.ax = ax
        self.timeline = timeline
        self.scale = scale
        x0, x1 = ax.get_xlim()
        self.m_per_px = (x1 - x0) / max(ax.get_window_extent().width, 1.0)

        def marker(shape: str, face: str, size_px: float, edge: str, width: float) -> Line2D:
            line = Line2D(
                [], [], linestyle="none", marker=shape, markersize=points(size_px),
                markerfacecolor=face, markeredgecolor=edge, markeredgewidth=width * scale,
                animated=True,
            )  # fmt: skip
            ax.add_line(line)
            return line

        self.fill = [
            marker("s", colour, style.SHELTER_PX, "black", 0.8)
            if k
            else marker("s", colour, style.SHELTER_EMPTY_PX, style.SHELTER_EMPTY_EDGE, 0.6)
            for k, colour in enumerate(style.SHELTER_FILL_COLOURS)
        ]
        self.unsafe_edge = marker("s", "none", style.SHELTER_PX + 1.0, SHELTER_UNSAFE_COLOUR, 1.6)
        self.unsafe_cross = marker("x", "none", style.SHELTER_PX + 3.0, SHELTER_UNSAFE_COLOUR, 2.0)
        self.arrows = LineCollection([], colors=RELOCATION_COLOUR, animated=True, capstyle="butt")
        self.heads = PolyCollection([], facecolors=RELOCATION_COLOUR, edgecolors="none")
        self.heads.set_animated(True)
        ax.add_collection(self.arrows)
        ax.add_collection(self.heads)

    def artists(self) -> list:
        """Artists in drawing order."""
        return [*self.fill, self.arrows, self.heads, self.unsafe_edge, self.unsafe_cross]

    def update(self, time_s: float, sheltered_persons: np.ndarray) -> None:
        """Set the markers and arrows to ``time_s`` (``sheltered_persons`` per node)."""
        shelters = self.timeline.shelters
        net = self.timeline.run.network
        nodes = shelters.node
        fill = style.shelter_fill_class(sheltered_persons[nodes], shelters.capacity_persons)
        for k, line in enumerate(self.fill):
            chosen = nodes[fill == k]
            line.set_data(net.x_m[chosen], net.y_m[chosen])
        unsafe = nodes[shelters.unsafe_at(time_s)]
        for line in (self.unsafe_edge, self.unsafe_cross):
            line.set_data(net.x_m[unsafe], net.y_m[unsafe])
        self._update_arrows(time_s)

    def _update_arrows(self, time_s: float) -> None:
        net = self.timeline.run.network
        origin, target, persons = self.timeline.relocations.flows_at(time_s)
        start = np.column_stack([net.x_m[origin], net.y_m[origin]])
        end = np.column_stack([net.x_m[target], net.y_m[target]])
        length = np.hypot(*(end - start).T)
        keep = length > 0
        start, end, length, persons = start[keep], end[keep], length[keep], persons[keep]
        direction = (end - start) / np.maximum(length, 1e-9)[:, None]
        head_m = ARROW_HEAD_PX * self.scale * self.m_per_px
        tip = end - direction * (style.SHELTER_PX / 2.0 + 1.0) * self.scale * self.m_per_px
        base = tip - direction * head_m
        normal = np.column_stack([-direction[:, 1], direction[:, 0]]) * head_m * 0.45
        self.arrows.set_segments(np.stack([start, base], axis=1) if len(start) else [])
        self.arrows.set_linewidths((1.6 + 0.8 * style.person_bin(persons)) * self.scale)
        self.heads.set_verts(np.stack([tip, base + normal, base - normal], axis=1))
