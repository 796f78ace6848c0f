"""What makes a map readable: a scale bar, a north arrow, a legend beside the map.

Maps are drawn in projected metres (UTM), whose tick labels (``3.36e6``) tell a planner
nothing; :func:`finish_map` hides them and adds a scale bar and a north arrow instead
(grid north: within a degree of true north across a UTM zone's central part), and puts
the legend below the map so it never covers a corner of it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.network.compiled import RoadNetwork
from sim.network.road_classes import ROAD_CLASSES
from sim.plot import style

#: Road classes named in map legends, and the words used for them.
ROAD_LEGEND_NAMES = {
    "motorway": "expressway",
    "trunk": "trunk road",
    "primary": "primary road",
    "secondary": "secondary road",
}


def road_legend_handles(network: RoadNetwork) -> tuple[list[Line2D], list[str]]:
    """Legend entries for the road classes the network has (minor roads as one entry)."""
    present = {ROAD_CLASSES[int(c)] for c in np.unique(network.road_class)}
    handles, labels = [], []
    for name, label in ROAD_LEGEND_NAMES.items():
        if name in present:
            width, colour = style.ROAD_STYLE[name]
            handles.append(Line2D([], [], color=colour, lw=max(width, 1.0)))
            labels.append(label)
    if present - set(style.ROAD_STYLE):
        width, colour = style.DEFAULT_ROAD_STYLE
        handles.append(Line2D([], [], color=colour, lw=1.0))
        labels.append("other roads")
    return handles, labels


def nice_length_m(span_m: float) -> float:
    """Return a round length (1, 2 or 5 times a power of ten) of about a fifth of ``span_m``."""
    target = max(span_m / 5.0, 1.0)
    power = 10.0 ** np.floor(np.log10(target))
    for step in (5.0, 2.0, 1.0):
        if step * power <= target:
            return step * power
    return power


def add_scale_bar(ax: Axes, *, fontsize: float = 9.0) -> None:
    """Add a scale bar in the lower right corner of a map in metres."""
    from matplotlib.font_manager import FontProperties
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    west, east = ax.get_xlim()
    length_m = nice_length_m(east - west)
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    bar = AnchoredSizeBar(
        ax.transData,
        length_m,
        label,
        "lower right",
        pad=0.4,
        borderpad=0.6,
        sep=4,
        frameon=True,
        size_vertical=(ax.get_ylim()[1] - ax.get_ylim()[0]) / 250,
        fontproperties=FontProperties(size=fontsize),
    )
    bar.patch.set_alpha(0.8)
    bar.patch.set_edgecolor("none")
    bar.set_zorder(20)
    ax.add_artist(bar)


def add_north_arrow(ax: Axes, *, fontsize: float = 11.0) -> None:
    """Add a north arrow in the upper right corner (axes coordinates)."""
    ax.annotate(
        "N",
        xy=(0.965, 0.96),
        xytext=(0.965, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=fontsize,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
        zorder=20,
    )


def finish_map(
    ax: Axes,
    network: RoadNetwork,
    *,
    legend: bool = True,
    extra: tuple[list, list] | None = None,
    ncol: int = 4,
    decorate: bool = True,
) -> None:
    """Equal aspect, no metre ticks, scale bar, north arrow, legend below the map.

    The legend holds what was drawn with a label, the road classes of the network, and
    ``extra`` (handles, labels) when given. ``decorate=False`` only redoes the legend
    (after more was drawn on a finished map).
    """
    if decorate:
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.set_xticks([])
        ax.set_yticks([])
        add_scale_bar(ax)
        add_north_arrow(ax)
    if not legend:
        return
    handles, labels = ax.get_legend_handles_labels()
    roads = road_legend_handles(network)
    handles, labels = handles + roads[0], labels + roads[1]
    if extra is not None:
        handles, labels = handles + list(extra[0]), labels + list(extra[1])
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncol=ncol,
            fontsize=8,
            frameon=False,
            markerscale=1.0,
        )
