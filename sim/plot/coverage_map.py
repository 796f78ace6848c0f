"""The coverage map of ``sim coverage`` and ``sim site``: residents by response time.

The colour scale fits the data: its bins run from 0 to the longest time most residents
need (rounded to a whole step), with the tier's standard on a bin edge, greens within
the standard and yellow to red beyond it. Residents no station reaches within the
computed limit are grey crosses, named as such in the legend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.network.compiled import RoadNetwork
from sim.plot.areas import jurisdiction_areas
from sim.plot.decor import finish_map
from sim.plot.maps import TIER_MARKERS, draw_features, draw_jurisdictions, draw_roads, new_axes

#: Bin widths (minutes) a colour scale may use, smallest first.
BIN_STEPS_MIN = (1, 2, 5, 10, 15, 20, 30)
#: Most bins in a colour scale.
MAX_BINS = 15
UNREACHED_COLOUR = "#616161"


def time_bins(minutes: np.ndarray, standard_min: float | None = None) -> np.ndarray:
    """Bin edges (minutes, from 0) that fit ``minutes`` and put ``standard_min`` on an edge.

    The top edge is the 99th percentile of the finite values, or one and a half
    standards when that is more (so the scale shows what lies just beyond the standard),
    rounded up to the step; the step is the smallest of :data:`BIN_STEPS_MIN` that gives at
    most :data:`MAX_BINS` bins and divides the standard.
    """
    finite = np.asarray(minutes, float)
    finite = finite[np.isfinite(finite)]
    top = float(np.percentile(finite, 99)) if finite.size else 1.0
    if standard_min is not None:
        top = max(top, 1.5 * standard_min)
    steps = [
        s for s in BIN_STEPS_MIN if standard_min is None or (standard_min / s) % 1 == 0
    ] or list(BIN_STEPS_MIN)
    for step in steps:
        n = max(int(np.ceil(top / step)), 1)
        if n <= MAX_BINS:
            break
    else:
        step = steps[-1]
        n = max(int(np.ceil(top / step)), 1)
    return np.arange(n + 1, dtype=float) * step


def bin_colours(edges: np.ndarray, standard_min: float | None) -> list[tuple]:
    """One colour per bin: greens up to the standard, yellow to dark red beyond it."""
    from matplotlib import colormaps

    cmap = colormaps["RdYlGn_r"]
    n = len(edges) - 1
    upper = edges[1:]
    if standard_min is None or standard_min >= edges[-1]:
        within = np.ones(n, bool) if standard_min is not None else np.zeros(n, bool)
        if standard_min is None:
            return [cmap(v) for v in np.linspace(0.05, 0.95, n)]
    else:
        within = upper <= standard_min + 1e-9
    k_in, k_out = int(within.sum()), int((~within).sum())
    colours = [cmap(v) for v in np.linspace(0.0, 0.38, max(k_in, 1))][:k_in]
    colours += [cmap(v) for v in np.linspace(0.55, 1.0, max(k_out, 1))][:k_out]
    return colours


def plot_coverage_map(
    network: RoadNetwork,
    time_s: np.ndarray,
    population_persons: np.ndarray,
    stations: pd.DataFrame,
    *,
    title: str,
    standard_min: float | None = None,
    limit_min: float = 120.0,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Map roads, jurisdictions, border, stations, and residents coloured by response time.

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
    standard_min
        The tier's standard (or the siting's ``--within``), put on a bin edge.
    limit_min
        Times were computed up to this; slower residents count as not reached.
    ax
        Axes to draw on; a new figure when None.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    span_x = float(np.ptp(network.x_m)) or 1.0
    aspect = min(max(float(np.ptp(network.y_m)) / span_x, 0.4), 1.6)
    fig, ax = new_axes(ax, (10.0, 8.6 * aspect + 2.0))
    areas = jurisdiction_areas(network)
    draw_jurisdictions(ax, areas, fontsize=13)
    draw_roads(ax, network, alpha=0.6)
    draw_features(ax, network, areas)
    lived = population_persons > 0
    minutes = time_s[lived] / 60.0
    reached = np.isfinite(minutes) & (minutes <= limit_min)
    edges = time_bins(minutes[reached], standard_min)
    # beyond the top edge: darker than the last bin
    cmap = ListedColormap(bin_colours(edges, standard_min)).with_extremes(over="#67001f")
    norm = BoundaryNorm(edges, cmap.N)
    size = 2.0 + 18.0 * np.sqrt(population_persons[lived] / max(population_persons.max(), 1))
    x, y = network.x_m[lived], network.y_m[lived]
    points = ax.scatter(
        x[reached],
        y[reached],
        c=minutes[reached],
        s=size[reached],
        cmap=cmap,
        norm=norm,
        zorder=3,
        linewidths=0,
        gid="residents",
    )
    if (~reached).any():
        ax.scatter(
            x[~reached],
            y[~reached],
            marker="x",
            s=np.maximum(size[~reached], 6.0),
            c=UNREACHED_COLOUR,
            linewidths=0.7,
            zorder=3,
            label=f"not reached within {limit_min:g} min",
        )
    for tier, (marker, colour, area) in TIER_MARKERS.items():
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
    ax.set_title(title, wrap=True)
    finish_map(ax, network)
    bar_ax = ax.inset_axes((1.02, 0.0, 0.03, 1.0))
    colourbar = fig.colorbar(points, cax=bar_ax, extend="max", ticks=edges)
    label = "response time, minutes (turnout included)"
    if standard_min is not None:
        label += f"; standard {standard_min:g} min"
        colourbar.ax.axhline(standard_min, color="black", lw=1.5)
    colourbar.set_label(label)
    return fig, ax
