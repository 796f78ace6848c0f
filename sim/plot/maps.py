"""Map layers every figure shares (roads, river, border, jurisdictions) and the network map.

Functions take results (and optionally an ``ax``) and return ``(fig, ax)``; they never
call ``pyplot``, so they work on machines without a display.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.network.compiled import RoadNetwork
from sim.network.road_classes import ROAD_CLASSES
from sim.plot import style
from sim.plot.areas import JurisdictionAreas, jurisdiction_areas

#: Marker, colour and area (points^2) of stations by tier.
TIER_MARKERS: Mapping[str, tuple[str, str, int]] = MappingProxyType(
    {
        "community": ("o", style.TIER_COLOURS["community"], 10),
        "ground": ("s", style.TIER_COLOURS["ground"], 28),
        "aviation": ("^", style.TIER_COLOURS["aviation"], 90),
    }
)


def new_axes(ax: Axes | None, size_in: tuple[float, float] = (10.0, 8.0)) -> tuple[Figure, Axes]:
    """Return ``(figure, ax)``, or a new constrained-layout figure with one axes."""
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


def draw_features(ax: Axes, network: RoadNetwork, areas: JurisdictionAreas | None = None) -> None:
    """Draw the river (when the network has one) and the border between jurisdictions.

    The border is the region's own line when it has one, else traced from the nodes'
    jurisdictions (:func:`sim.plot.areas.jurisdiction_areas`), so any region with any
    number of jurisdictions shows where its sides meet.
    """
    river = network.features.get("river")
    if river is not None and len(river):
        ax.plot(river[:, 0], river[:, 1], color=style.RIVER_COLOUR, lw=3.0, zorder=1, label="river")
    areas = areas or jurisdiction_areas(network)
    for k, line in enumerate(areas.border_lines):
        ax.plot(
            line[:, 0],
            line[:, 1],
            color="black",
            lw=1.5,
            ls=(0, (6, 3)),
            zorder=6,
            label="border" if k == 0 else "_nolegend_",
        )


def draw_jurisdictions(
    ax: Axes,
    areas: JurisdictionAreas,
    *,
    fill: bool = True,
    names: bool = True,
    fontsize: float = 11.0,
) -> list:
    """Shade each jurisdiction's area and write its name inside it; return the name texts."""
    from matplotlib import patheffects
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    texts = []
    for j, rings in enumerate(areas.rings):
        if fill and rings:
            codes = [
                [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY]
                for ring in rings
            ]
            path = MplPath(np.concatenate(rings), np.concatenate(codes))
            ax.add_patch(
                PathPatch(path, facecolor=style.jurisdiction_colour(j), edgecolor="none", zorder=0)
            )
        if names and np.isfinite(areas.label_xy[j]).all():
            texts.append(
                ax.text(
                    *areas.label_xy[j],
                    areas.names[j],
                    fontsize=fontsize,
                    fontweight="bold",
                    color=style.JURISDICTION_LABEL_COLOUR,
                    ha="center",
                    va="center",
                    zorder=6.5,
                    path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
                    clip_on=True,
                )
            )
    return texts


def plot_network(network: RoadNetwork, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Map of the road network with jurisdictions, river, border, stations and wells."""
    from sim.plot.decor import finish_map

    aspect = float(np.ptp(network.y_m)) / max(float(np.ptp(network.x_m)), 1.0)
    fig, ax = new_axes(ax, (10.0, 8.6 * min(max(aspect, 0.4), 1.6) + 2.0))
    areas = jurisdiction_areas(network)
    draw_jurisdictions(ax, areas)
    draw_roads(ax, network)
    draw_features(ax, network, areas)
    places = network.places
    if "wells" in places and len(places["wells"]):
        wells = places["wells"]
        ax.scatter(
            wells["x_m"], wells["y_m"], marker="x", s=12, c="#b9770e", zorder=6, label="gas well"
        )
    if "stations" in places:
        for tier, (marker, colour, area) in TIER_MARKERS.items():
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
    ax.set_title(
        f"{network.name}: {network.n_nodes:,} nodes, {network.n_edges:,} edges; "
        f"{' | '.join(network.jurisdiction_names)}"
    )
    finish_map(ax, network)
    return fig, ax
