"""The side panel of a video frame: title, clock, running counters and the legend.

Labels and the legend are static (drawn into the background once); the clock and the
counter values are two texts redrawn every frame.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.replay.counters import counters_at
from sim.replay.legend import LegendEntry, legend_entries, shown_counter_rows
from sim.replay.state import Timeline
from sim.tiers import TIERS


def clock_text(time_s: float) -> str:
    """``HH:MM:SS`` since scenario start (whole seconds, rounded down)."""
    whole = int(np.floor(time_s + 1e-9))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def format_count(value: float) -> str:
    """Format a counter value as shown: thousands separated, no decimals."""
    return f"{round(value):,}"


def format_share(share: float) -> str:
    """Format a coverage share as a whole percentage, or an em dash when not measured."""
    return "—" if not np.isfinite(share) else f"{100.0 * share:.0f} %"


class Panel:
    """Draws the panel in ``ax`` (axes fraction coordinates)."""

    def __init__(
        self, ax: Axes, timeline: Timeline, scale: float, *, hazards: tuple[str, ...] = ()
    ) -> None:
        self.ax = ax
        self.timeline = timeline
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        run = timeline.run
        summary = run.summary
        font = 8.0 * scale
        ax.text(
            0.05,
            0.975,
            f"{run.scenario_name}  ·  {summary.get('policy', '')}  ·  "
            f"seed {summary.get('seed', '')}",
            fontsize=font,
            fontweight="bold",
            va="top",
        )
        self.clock = ax.text(
            0.05, 0.945, "", fontsize=20.0 * scale, va="top", family="monospace", animated=True
        )
        self.elapsed = ax.text(
            0.05, 0.885, "", fontsize=font, va="top", color="#555555", animated=True
        )
        self.rows = shown_counter_rows(timeline)
        labels = [label for _, label in self.rows]
        labels += ["coverage so far"] + [
            f"  {name} ≤ {tier.standard_min:g} min" for name, tier in TIERS.items()
        ]
        spacing = 1.3
        self.labels = ax.text(
            0.05, 0.855, "\n".join(labels), fontsize=font, va="top", linespacing=spacing
        )
        self.values = ax.text(
            0.95,
            0.855,
            "",
            fontsize=font,
            va="top",
            ha="right",
            linespacing=spacing,
            family="monospace",
            animated=True,
        )
        self._legend(ax, font * 0.95, hazards)

    def _legend(self, ax: Axes, font: float, hazards: tuple[str, ...]) -> None:
        """Draw the legend below the counters so that it fits.

        First one column with every detail; if that is too tall for the panel, two
        columns of the short labels; then smaller text until it fits.
        """
        entries = legend_entries(self.timeline, hazards)
        handles = [legend_handle(entry) for entry in entries]
        renderer = ax.figure.canvas.get_renderer()
        room_top = self.labels.get_window_extent(renderer).y0 - 4.0
        right = ax.get_window_extent(renderer).x1
        layouts = [(1, [e.text for e in entries]), (2, [e.label for e in entries])]
        for attempt in range(40):
            ncol, labels = layouts[min(attempt, 1)]
            legend = ax.legend(
                handles,
                labels,
                loc="lower left",
                bbox_to_anchor=(0.0, 0.0),
                fontsize=font,
                frameon=False,
                ncol=ncol,
                handletextpad=0.4,
                labelspacing=0.25,
                handlelength=1.2,
                columnspacing=0.8,
                borderaxespad=0.3,
            )
            box = legend.get_window_extent(renderer)
            if (box.y1 <= room_top and box.x1 <= right) or font <= 4.0:
                return
            if attempt >= 1:
                font *= 0.95

    def update(self, time_s: float) -> None:
        """Set the clock and the counter values to ``time_s``."""
        values = counters_at(self.timeline.counters, time_s)
        self.clock.set_text(clock_text(time_s))
        horizon_min = self.timeline.horizon_s / 60.0
        self.elapsed.set_text(f"T+{time_s / 60.0:.0f} min of {horizon_min:.0f}")
        lines = [format_count(values[key]) for key, _ in self.rows]
        lines += [""] + [format_share(values[f"coverage_{tier}"]) for tier in TIERS]
        self.values.set_text("\n".join(lines))

    def draw(self) -> None:
        """Draw the changing texts (after :meth:`update`)."""
        for artist in (self.clock, self.elapsed, self.values):
            self.ax.draw_artist(artist)


def legend_handle(entry: LegendEntry):
    """Return the matplotlib legend handle of one :class:`~sim.replay.legend.LegendEntry`."""
    from matplotlib.patches import Patch

    if entry.kind == "line":
        return Line2D([], [], color=entry.face, lw=2.0, ls=(0, (4, 2)) if entry.dashed else "-")
    if entry.kind == "patch":
        return Patch(facecolor=entry.face, edgecolor=entry.edge, lw=0.6)
    size = 8.0 if entry.shape in "X*" else 6.0
    handle = Line2D(
        [], [], ls="none", marker=entry.shape, mfc=entry.face, mec=entry.edge, ms=size, mew=0.9
    )
    if not entry.cross:
        return handle
    cross = Line2D([], [], ls="none", marker="x", mec=entry.cross, ms=size + 2.0, mew=1.4)
    return (handle, cross)  # drawn one over the other
