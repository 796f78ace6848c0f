"""All static matplotlib figures.

Functions take results (and optionally an ``ax``) and return ``(fig, ax)``; they never
call ``pyplot``, so they work on machines without a display.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.network.compiled import RoadNetwork
from sim.network.road_classes import ROAD_CLASSES
from sim.plot import style

#: Marker, colour and area (points^2) of stations by tier.
_TIER_MARKERS: Mapping[str, tuple[str, str, int]] = MappingProxyType(
    {
        "community": ("o", "#2e86c1", 10),
        "ground": ("s", "#117a65", 28),
        "aviation": ("^", "#6c3483", 90),
    }
)


def _new_axes(ax: Axes | None, size_in: tuple[float, float] = (10.0, 8.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size_in, layout="constrained")
    return fig, fig.add_subplot()


def draw_roads(ax: Axes, network: RoadNetwork, *, alpha: float = 1.0) -> None:
    """Draw every road, wider and darker for higher classes, each two-way road once."""
    s, t = network.edge_source, network.edge_target
    once = (s < t) | ~_has_reverse(network)
    for code, name in enumerate(ROAD_CLASSES):
        mask = once & (network.road_class == code)
        if not mask.any():
            continue
        width, colour = style.ROAD_STYLE.get(name, style.DEFAULT_ROAD_STYLE)
        segments = np.stack(
            [
                np.column_stack([network.x_m[s[mask]], network.y_m[s[mask]]]),
                np.column_stack([network.x_m[t[mask]], network.y_m[t[mask]]]),
            ],
            axis=1,
        )
        ax.add_collection(
            LineCollection(segments, linewidths=width, colors=colour, alpha=alpha, zorder=2)
        )
    bridges = once & network.bridge
    if bridges.any():
        ax.scatter(
            (network.x_m[s[bridges]] + network.x_m[t[bridges]]) / 2,
            (network.y_m[s[bridges]] + network.y_m[t[bridges]]) / 2,
            marker="D",
            s=14,
            facecolor="white",
            edgecolor="black",
            zorder=5,
            label="bridge",
        )


def _has_reverse(network: RoadNetwork) -> np.ndarray:
    key = network.edge_source.astype(np.int64) * network.n_nodes + network.edge_target
    reverse = network.edge_target.astype(np.int64) * network.n_nodes + network.edge_source
    return np.isin(reverse, key)


def draw_features(ax: Axes, network: RoadNetwork) -> None:
    """Draw the river and the border when the network has them."""
    river = network.features.get("river")
    if river is not None and len(river):
        ax.plot(river[:, 0], river[:, 1], color="#2874a6", lw=3.0, zorder=1, label="river")
    border = network.features.get("border")
    if border is not None and len(border):
        ax.plot(
            border[:, 0],
            border[:, 1],
            color="black",
            lw=1.5,
            ls=(0, (6, 3)),
            zorder=6,
            label="border",
        )


def plot_coverage_map(
    network: RoadNetwork,
    time_s: np.ndarray,
    population_persons: np.ndarray,
    stations: pd.DataFrame,
    *,
    title: str,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Map roads, river, border, stations, and residents coloured by response time.

    Parameters
    ----------
    network
        The road network.
    time_s
        Per-node response time in seconds of the tier shown (``inf`` = not reached).
    population_persons
        Residents per node; marker area grows with it.
    stations
        Stations table (``tier``, ``node``).
    title
        Figure title.
    ax
        Axes to draw on; a new figure when None.
    """
    fig, ax = _new_axes(ax)
    draw_roads(ax, network, alpha=0.6)
    draw_features(ax, network)
    lived = population_persons > 0
    minutes = np.minimum(time_s[lived] / 60.0, 120.0)
    size = 2.0 + 18.0 * np.sqrt(population_persons[lived] / max(population_persons.max(), 1))
    points = ax.scatter(
        network.x_m[lived],
        network.y_m[lived],
        c=minutes,
        s=size,
        cmap="RdYlGn_r",
        vmin=0,
        vmax=120,
        zorder=3,
        linewidths=0,
    )
    fig.colorbar(points, ax=ax, label="response time, minutes (≥ 120 or unreached at top)")
    for tier, (marker, colour, area) in _TIER_MARKERS.items():
        rows = stations[stations["tier"] == tier]
        if len(rows):
            nodes = rows["node"].to_numpy()
            ax.scatter(
                network.x_m[nodes],
                network.y_m[nodes],
                marker=marker,
                s=area,
                c=colour,
                edgecolors="white",
                linewidths=0.5,
                zorder=7,
                label=f"{tier} station",
            )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_title(title)
    ax.set_xlabel("easting, m")
    ax.set_ylabel("northing, m")
    ax.legend(loc="lower left", fontsize=8, markerscale=1.2)
    return fig, ax


def plot_network(network: RoadNetwork, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Map of the road network with river, border, stations, shelters and wells."""
    fig, ax = _new_axes(ax)
    draw_roads(ax, network)
    draw_features(ax, network)
    places = network.places
    if "wells" in places and len(places["wells"]):
        wells = places["wells"]
        ax.scatter(
            wells["x_m"], wells["y_m"], marker="x", s=12, c="#b9770e", zorder=6, label="gas well"
        )
    if "stations" in places:
        for tier, (marker, colour, area) in _TIER_MARKERS.items():
            nodes = places["stations"].loc[places["stations"]["tier"] == tier, "node"].to_numpy()
            if nodes.size:
                ax.scatter(
                    network.x_m[nodes],
                    network.y_m[nodes],
                    marker=marker,
                    s=area,
                    c=colour,
                    zorder=7,
                    label=f"{tier} station",
                )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_title(f"{network.name}: {network.n_nodes:,} nodes, {network.n_edges:,} edges")
    if ax.get_legend_handles_labels()[0]:  # a loaded file may have no places to name
        ax.legend(loc="lower left", fontsize=8)
    return fig, ax
