"""Video frames of a run: a map and a side panel drawn with matplotlib's Agg canvas.

The static layers (jurisdiction shading, roads by class, river, border, stations,
depots, the legend and counter labels) are drawn once into a background; each frame
restores it and draws only the changing artists (blitting), whose data are set from the
:class:`sim.replay.state.Timeline` at that time. No pyplot: frames render without a
display.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from matplotlib.transforms import IdentityTransform

from sim.plot import style
from sim.plot.areas import jurisdiction_areas
from sim.plot.maps import draw_features, draw_jurisdictions, draw_roads
from sim.replay.grid import hazard_classes, make_grid
from sim.replay.labels import place_labels
from sim.replay.panel import Panel
from sim.replay.shelter_layer import ShelterLayer
from sim.replay.state import Timeline
from sim.replay.symbols import (
    ABOVE_SHELTERS,
    BELOW_SHELTERS,
    HOUSEHOLD_COLOURS,
    HOUSEHOLD_STATES,
    SHELTERED,
)
from sim.replay.view import FrameOptions, fit_bbox, network_bbox_m

#: Pixels of the side panel at 1280 px width (scaled with the width).
PANEL_PX_AT_1280 = 300
MIN_TEXT_SCALE = 0.85
GRID_CELL_PX = 4


class FrameRenderer:
    """Draws frames of one run at any time.

    Parameters
    ----------
    timeline
        The run's precomputed state (:func:`sim.replay.state.build_timeline`).
    options
        Size and map area.
    """

    def __init__(self, timeline: Timeline, options: FrameOptions | None = None) -> None:
        options = options or FrameOptions()
        self.timeline = timeline
        self.options = options
        width, height = options.width_px, options.height_px
        self.scale = height / 720.0
        #: Text never shrinks below this share of its 720p size (a GIF is 450 px high).
        self.text_scale = max(self.scale, MIN_TEXT_SCALE)
        dpi = 100.0
        self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        panel_px = min(
            round(PANEL_PX_AT_1280 * width / 1280 * self.text_scale / self.scale), width * 2 // 5
        )
        map_px = width - panel_px
        self.ax = self.figure.add_axes((0.0, 0.0, map_px / width, 1.0))
        bbox = fit_bbox(options.bbox_m or network_bbox_m(timeline), map_px / height)
        self.bbox_m = bbox
        self.ax.set_xlim(bbox[0], bbox[2])
        self.ax.set_ylim(bbox[1], bbox[3])
        self.ax.set_axis_off()
        self.grid = make_grid(timeline.run.network, bbox, n_cols=max(map_px // GRID_CELL_PX, 8))
        self._draw_static()
        self._make_dynamic()
        panel_ax = self.figure.add_axes((map_px / width, 0.0, panel_px / width, 1.0))
        self.panel = Panel(panel_ax, timeline, self.text_scale, hazards=tuple(self._hazard_images))
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._hazard_frame: dict[str, int] = {}
        self._closure_version = -1

    # ---------------------------------------------------------------- helpers
    def panel_left_px(self) -> float:
        """Display x of the panel's left edge: labels stay left of it."""
        return float(self.ax.get_window_extent().x1)

    def px(self, diameter_px: float) -> float:
        """Marker size in points for a diameter in pixels at 720p (scaled to the frame)."""
        return diameter_px * self.scale * 72.0 / self.figure.dpi

    def data_to_pixel(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row (from the top) of the pixel a marker at each map point is centred on.

        Agg snaps a marker's centre to the pixel ``floor(v + 0.5)`` of its display
        coordinate ``v`` (columns from the left, rows from the top), so a point whose
        display coordinate lies on a pixel boundary is drawn centred on the pixel after it;
        plain truncation would land on the antialiased rim of a small marker.
        """
        xy = self.ax.transData.transform(np.column_stack([x_m, y_m]))
        col = np.floor(xy[:, 0] + 0.5).astype(np.int64)
        row = np.floor(self.options.height_px - xy[:, 1] + 0.5).astype(np.int64)
        return col, row

    def _marker(self, marker: str, colour: str, size_px: float, **kw) -> Line2D:
        line = Line2D(
            [],
            [],
            linestyle="none",
            marker=marker,
            markersize=self.px(size_px),
            markerfacecolor=colour,
            markeredgewidth=kw.pop("edge_width", 0.0),
            markeredgecolor=kw.pop("edge", "none"),
            animated=True,
            **kw,
        )
        self.ax.add_line(line)
        return line

    # ---------------------------------------------------------------- static
    def _draw_static(self) -> None:
        tl, ax = self.timeline, self.ax
        net = tl.run.network
        areas = jurisdiction_areas(net)
        draw_jurisdictions(ax, areas, fontsize=13.0 * self.text_scale)
        draw_roads(ax, net, alpha=0.8)
        draw_features(ax, net, areas)
        for table, marker, colour, size in (
            ("depots", "P", style.DEPOT_COLOUR, 7.0),
            ("stations", None, None, 6.0),
        ):
            rows = net.places.get(table)
            if rows is None or len(rows) == 0:
                continue
            if table == "stations":  # community posts (one per village) would hide the map
                rows = rows[rows["tier"] != "community"]
            for tier, group in rows.groupby("tier") if table == "stations" else [("", rows)]:
                nodes = group["node"].to_numpy(np.int64)
                ax.plot(
                    net.x_m[nodes],
                    net.y_m[nodes],
                    linestyle="none",
                    marker=marker or style.TIER_MARKERS.get(tier, "o"),
                    markersize=self.px(size),
                    markerfacecolor="none",
                    markeredgecolor=colour or style.TIER_COLOURS.get(tier, "black"),
                    markeredgewidth=self.scale,
                    alpha=style.STATION_ALPHA,
                    zorder=4,
                )
        ax.set_xlim(self.bbox_m[0], self.bbox_m[2])
        ax.set_ylim(self.bbox_m[1], self.bbox_m[3])

    # --------------------------------------------------------------- dynamic
    def _make_dynamic(self) -> None:
        tl = self.timeline
        self._hazard_images = {}
        for hazard in style.HAZARD_ORDER:
            if hazard in tl.hazards:
                image = self.ax.imshow(
                    np.zeros((self.grid.n_rows, self.grid.n_cols, 4)),
                    extent=self.grid.extent_m,
                    origin="upper",
                    interpolation="nearest",
                    animated=True,
                )
                self._hazard_images[hazard] = image
        self.ax.set_xlim(self.bbox_m[0], self.bbox_m[2])
        self.ax.set_ylim(self.bbox_m[1], self.bbox_m[3])
        self._closed = LineCollection(
            [], colors=style.CLOSED_ROAD_COLOUR, linewidths=3.0 * self.scale, animated=True
        )
        self.ax.add_collection(self._closed)
        self._households = {}
        for k, state in enumerate(HOUSEHOLD_STATES):
            for b, size in enumerate(style.PERSON_BIN_DIAMETER_PX):
                self._households[k, b] = self._marker("o", HOUSEHOLD_COLOURS[state], size)
        self.shelters = ShelterLayer(self.ax, tl, self.scale, self.px)
        self._moving = self._marker(
            "o",
            HOUSEHOLD_COLOURS["on_the_way"],
            5.0,
            edge="black",
            edge_width=0.5 * self.scale,
        )
        self._trucks = self._marker(
            "D", style.TRUCK_COLOUR, 6.0, edge="white", edge_width=0.6 * self.scale
        )
        self._trails = LineCollection([], linewidths=1.6 * self.scale, alpha=0.7, animated=True)
        self.ax.add_collection(self._trails)
        self._teams = {
            tier: self._marker(
                style.TIER_MARKERS[tier],
                style.TIER_COLOURS[tier],
                10.0,
                edge="white",
                edge_width=0.8 * self.scale,
            )
            for tier in style.TIER_COLOURS
        }
        self._incident_open = self._marker(
            "X", style.INCIDENT_OPEN_COLOUR, 13.0, edge="white", edge_width=0.8 * self.scale
        )
        self._incident_reached = self._marker(
            "o", "none", 13.0, edge=style.INCIDENT_REACHED_COLOUR, edge_width=2.0 * self.scale
        )
        self._crossing_recent = self._marker(
            "*", style.CROSSING_COLOUR, 17.0, edge="black", edge_width=0.7 * self.scale
        )
        self._crossing_old = self._marker("*", style.CROSSING_COLOUR, 8.0, alpha=0.6)
        inc = tl.incidents
        self._label_sizes: dict[str, tuple[float, float]] = {}
        self.labels = [
            self.ax.text(
                0.0,
                0.0,
                "",
                transform=IdentityTransform(),
                fontsize=7.5 * self.text_scale,
                color=style.INCIDENT_LABEL_COLOUR,
                fontweight="bold",
                animated=True,
                clip_on=True,
                path_effects=[withStroke(linewidth=2.0, foreground="white")],
            )
            for node in inc.node
        ]

    # ----------------------------------------------------------------- frame
    def update(self, time_s: float) -> None:
        """Set every changing artist to the state at ``time_s``."""
        tl = self.timeline
        net = tl.run.network
        self._update_hazards(time_s)
        version = tl.closure_version(time_s)
        if version != self._closure_version:
            edges = tl.closed_edges_at(time_s)
            s, t = net.edge_source[edges], net.edge_target[edges]
            self._closed.set_segments(
                np.stack(
                    [
                        np.column_stack([net.x_m[s], net.y_m[s]]),
                        np.column_stack([net.x_m[t], net.y_m[t]]),
                    ],
                    axis=1,
                )
                if edges.size
                else []
            )
            self._closure_version = version
        persons = tl.node_persons_at(time_s)
        for k in range(len(HOUSEHOLD_STATES)):
            nodes = np.flatnonzero(persons[k] > 0)
            bins = style.person_bin(persons[k][nodes])
            for b in range(len(style.PERSON_BIN_DIAMETER_PX)):
                chosen = nodes[bins == b]
                self._households[k, b].set_data(net.x_m[chosen], net.y_m[chosen])
        self.shelters.update(time_s, persons[SHELTERED])
        self._moving.set_data(*tl.moving_households_at(time_s))
        self._update_agents(time_s)
        self._update_incidents(time_s)
        self.panel.update(time_s)

    def _update_hazards(self, time_s: float) -> None:
        tl = self.timeline
        for hazard, image in self._hazard_images.items():
            index = tl.hazards[hazard].frame_index(time_s)
            if self._hazard_frame.get(hazard) == index:
                continue
            self._hazard_frame[hazard] = index
            node, value = tl.hazards[hazard].frame(index)
            levels = hazard_classes(self.grid, hazard, node, value, tl.run.network.n_nodes)
            palette = np.array(
                [(1, 1, 1, 0)]
                + [to_rgba(c, style.HAZARD_ALPHA) for c in style.HAZARD_COLOURS[hazard]]
            )
            image.set_data(palette[levels])

    def _update_agents(self, time_s: float) -> None:
        tr = self.timeline.tracks
        x, y, started = tr.positions_at(time_s)
        trucks = (tr.family == "truck") & started
        self._trucks.set_data(x[trucks], y[trucks])
        segments, colours = [], []
        teams = (tr.family == "team") & started
        if teams.any():
            step = style.TRAIL_S / style.TRAIL_STEPS
            past = [tr.positions_at(time_s - k * step) for k in range(style.TRAIL_STEPS + 1)]
            for a in np.flatnonzero(teams):
                points = np.array([(p[0][a], p[1][a]) for p in past if p[2][a]])
                if len(points) > 1:
                    segments.append(points)
                    colours.append(style.TIER_COLOURS.get(str(tr.tier[a]), "black"))
        self._trails.set_segments(segments)
        self._trails.set_color(colours or "black")
        for tier, line in self._teams.items():
            mask = teams & (tr.tier == tier)
            line.set_data(x[mask], y[mask])

    def _update_incidents(self, time_s: float) -> None:
        tl = self.timeline
        net = tl.run.network
        inc = tl.incidents
        reported = inc.report_s <= time_s
        reached = reported & (inc.first_arrival_s <= time_s)
        open_ = reported & ~reached & ~(inc.withdrawn_s <= time_s)
        self._incident_open.set_data(net.x_m[inc.node[open_]], net.y_m[inc.node[open_]])
        self._incident_reached.set_data(net.x_m[inc.node[reached]], net.y_m[inc.node[reached]])
        for k, label in enumerate(self.labels):
            label.set_visible(bool(reached[k]))
            if reached[k]:
                label.set_text(inc.label_at(k, time_s))
        place_labels(
            self.labels,
            anchors_px=self.ax.transData.transform(
                np.column_stack([net.x_m[inc.node], net.y_m[inc.node]])
            ),
            renderer=self.canvas.get_renderer(),
            avoid_px=self.panel_left_px(),
            gap_px=7.0 * self.scale,
            sizes=self._label_sizes,
        )
        c = tl.crossings
        times = c["time_s"].to_numpy(float)
        nodes = c["node"].to_numpy(np.int64)
        done = times <= time_s
        recent = done & (time_s - times <= style.CROSSING_RECENT_S)
        self._crossing_recent.set_data(net.x_m[nodes[recent]], net.y_m[nodes[recent]])
        self._crossing_old.set_data(net.x_m[nodes[done & ~recent]], net.y_m[nodes[done & ~recent]])

    def render(self, time_s: float) -> np.ndarray:
        """Draw the frame at ``time_s``; return it as an RGBA array (rows from the top).

        The array is the canvas's own buffer: copy it to keep it past the next frame.
        """
        self.update(time_s)
        self.canvas.restore_region(self.background)
        artists = [
            *self._hazard_images.values(),
            self._closed,
            *(self._households[k, b] for k, b in self._households if k in BELOW_SHELTERS),
            *self.shelters.artists(),
            *(self._households[k, b] for k, b in self._households if k in ABOVE_SHELTERS),
            self._moving,
            self._trucks,
            self._trails,
            *self._teams.values(),
            self._crossing_old,
            self._incident_reached,
            self._incident_open,
            self._crossing_recent,
        ]
        for artist in artists:
            self.ax.draw_artist(artist)
        for label in self.labels:
            if label.get_visible():
                self.ax.draw_artist(label)
        self.panel.draw()
        return np.asarray(self.canvas.buffer_rgba())
