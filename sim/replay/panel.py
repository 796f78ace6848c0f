"""The side panel of a video frame: title, clock, running counters and the legend.

Labels and the legend are static (drawn into the background once); the clock and the
counter values are two texts redrawn every frame.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.plot import style
from sim.replay.counters import counters_at
from sim.replay.legend import shown_counter_rows
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
        ax.text(0.05, 0.855, "\n".join(labels), fontsize=font, va="top", linespacing=spacing)
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
        def marker(m: str, face: str, edge: str = "none", size: float = 6.0) -> Line2D:
            return Line2D([], [], ls="none", marker=m, mfc=face, mec=edge, ms=size, mew=0.8)

        handles = [marker("o", style.HOUSEHOLD_COLOURS[s]) for s in style.HOUSEHOLD_STATES]
        labels = [style.HOUSEHOLD_LABELS[s] for s in style.HOUSEHOLD_STATES]
        handles += [
            marker(style.TIER_MARKERS[t], c, "white") for t, c in style.TIER_COLOURS.items()
        ]
        labels += [f"{t} team" for t in style.TIER_COLOURS]
        handles += [
            marker("D", style.TRUCK_COLOUR, "white", 5.0),
            marker("s", style.SHELTER_FILL_COLOURS[2], "black"),
            marker("s", "none", style.TIER_COLOURS["ground"]),
            marker("P", "none", style.DEPOT_COLOUR),
            marker("X", style.INCIDENT_OPEN_COLOUR, "white", 8.0),
            marker("o", "none", style.INCIDENT_REACHED_COLOUR, 8.0),
            marker("*", style.CROSSING_COLOUR, "black", 9.0),
            Line2D([], [], color="#2874a6", lw=2.0),
            Line2D([], [], color="black", lw=1.2, ls=(0, (4, 2))),
        ]
        labels += [
            "supply truck",
            "shelter (darker = fuller, black = full)",
            "station",
            "depot",
            "incident, open",
            "incident, reached (c·g·a response)",
            "border crossing",
            "river",
            "border",
        ]
        if self.timeline.closures.shape[0]:
            handles.append(Line2D([], [], color=style.CLOSED_ROAD_COLOUR, lw=2.5))
            labels.append("closed road")
        for hazard in hazards:
            handles.append(marker("s", style.HAZARD_COLOURS[hazard][-1], size=8.0))
            levels = style.HAZARD_LEVELS[hazard]
            unit = style.HAZARD_UNITS[hazard]
            labels.append(f"{hazard} ≥ {levels[0]:g} {unit}".rstrip())
        ax.legend(
            handles,
            labels,
            loc="lower left",
            bbox_to_anchor=(0.02, 0.0),
            fontsize=font,
            frameon=False,
            ncol=1,
            handletextpad=0.4,
            labelspacing=0.35,
            handlelength=1.4,
        )

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
