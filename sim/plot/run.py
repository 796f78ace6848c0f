"""Static figures of one run: coverage curves, evacuation curve, response-time map.

Functions take tables (and optionally an ``ax``) and return ``(fig, ax)`` like
:mod:`sim.plot.maps`; :func:`write_run_plots` reads a run folder and writes the three PNGs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.errors import InputError
from sim.files.atomic import write_atomic
from sim.files.marks import png_writer
from sim.network.compiled import RoadNetwork
from sim.plot import style
from sim.plot.maps import draw_features, draw_roads
from sim.results.layout import PLOT_FILES
from sim.tiers import TIERS

__all__ = ["PLOT_FILES", "write_run_plots"]  # PLOT_FILES: what write_run_plots writes
_NEEDED = ("coverage_curve.csv", "evacuation_curve.csv", "incidents.parquet")


def plot_coverage_curves(curve: pd.DataFrame) -> tuple[Figure, np.ndarray]:
    """Response coverage against minutes, one panel per tier, one line per jurisdiction.

    Parameters
    ----------
    curve
        ``coverage_curve.csv``: tier, jurisdiction, minutes, coverage_share.
    """
    fig = Figure(figsize=(12.0, 4.0), layout="constrained")
    axes = fig.subplots(1, len(TIERS), sharey=True)
    for ax, (name, tier) in zip(axes, TIERS.items(), strict=True):
        rows = curve[curve["tier"] == name]
        for juris, part in rows.groupby("jurisdiction", sort=False):
            share = part["coverage_share"].to_numpy(float)
            if np.all(np.isnan(share)):
                continue
            ax.plot(
                part["minutes"],
                100.0 * share,
                lw=2.2 if juris == "all" else 1.2,
                color="black" if juris == "all" else None,
                label=str(juris),
            )
        ax.axvline(tier.standard_min, color=style.TIER_COLOURS[name], ls="--", lw=1.0)
        ax.set_title(f"{name} (standard {tier.standard_min:g} min)")
        ax.set_xlabel("minutes after the report")
        ax.set_xlim(0, 120)
        ax.set_ylim(0, 102)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="lower right")
        else:
            ax.text(0.5, 0.5, "no incident needed this tier", ha="center", transform=ax.transAxes)
    axes[0].set_ylabel("persons in incidents reached, %")
    return fig, axes


def plot_evacuation_curve(curve: pd.DataFrame, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Persons departed and sheltered over time (``evacuation_curve.csv``)."""
    if ax is None:
        fig = Figure(figsize=(8.0, 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    minutes = curve["time_s"].to_numpy(float) / 60.0
    ax.plot(minutes, curve["departed_persons"], label="departed", color="#fb8c00", lw=2)
    ax.plot(minutes, curve["sheltered_persons"], label="sheltered", color="#43a047", lw=2)
    ax.fill_between(
        minutes,
        curve["sheltered_persons"],
        curve["departed_persons"],
        color="#fb8c00",
        alpha=0.15,
        label="on the way",
    )
    ax.set_xlabel("minutes since the scenario started")
    ax.set_ylabel("persons")
    ax.set_title("Evacuation")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return fig, ax


def plot_response_map(network: RoadNetwork, incidents: pd.DataFrame) -> tuple[Figure, np.ndarray]:
    """Incidents on the map coloured by response time, one panel per tier.

    Parameters
    ----------
    network
        The road network.
    incidents
        ``incidents.parquet``: one row per (incident, tier) with ``node`` and
        ``response_s`` (``inf`` = never reached, drawn as a black cross).
    """
    from matplotlib.lines import Line2D

    from sim.plot.areas import jurisdiction_areas
    from sim.plot.decor import add_scale_bar
    from sim.plot.maps import draw_jurisdictions

    areas = jurisdiction_areas(network)
    aspect = float(np.ptp(network.y_m)) / max(float(np.ptp(network.x_m)), 1.0)
    aspect = min(max(aspect, 0.35), 1.6)
    fig = Figure(figsize=(15.0, 4.6 * aspect + 1.5), layout="constrained")
    axes = fig.subplots(1, len(TIERS), sharex=True, sharey=True)
    points = None
    for ax, (name, tier) in zip(axes, TIERS.items(), strict=True):
        draw_jurisdictions(ax, areas, fontsize=9)
        draw_roads(ax, network, alpha=0.4)
        draw_features(ax, network, areas)
        rows = incidents[incidents["tier"] == name]
        response_min = rows["response_s"].to_numpy(float) / 60.0
        nodes = rows["node"].to_numpy(np.int64)
        reached = np.isfinite(response_min)
        size = 30.0 + 4.0 * np.sqrt(rows["persons"].to_numpy(float))
        points = ax.scatter(
            network.x_m[nodes[reached]],
            network.y_m[nodes[reached]],
            c=np.minimum(response_min[reached], 120.0),
            s=size[reached],
            cmap="RdYlGn_r",
            vmin=0,
            vmax=120,
            edgecolors="black",
            linewidths=0.6,
            zorder=8,
        )
        ax.scatter(
            network.x_m[nodes[~reached]],
            network.y_m[nodes[~reached]],
            marker="x",
            s=size[~reached],
            c="black",
            zorder=8,
        )
        met = int(np.sum(response_min <= tier.standard_min))
        ax.set_title(
            f"{name} tier (standard {tier.standard_min:g} min)\n"
            f"{met} of {len(rows)} incidents reached within the standard",
            fontsize=10,
        )
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    add_scale_bar(axes[-1], fontsize=8)
    fig.suptitle(f"Response time to each incident, by tier ({' | '.join(areas.names)})")
    handles = [
        Line2D([], [], ls="none", marker="o", mfc="#bbbbbb", mec="black", ms=8),
        Line2D([], [], ls="none", marker="x", color="black", ms=8),
        Line2D([], [], color="black", lw=1.5, ls=(0, (6, 3))),
        Line2D([], [], color=style.RIVER_COLOUR, lw=3.0),
    ]
    labels = ["incident (colour: response minutes)", "never reached", "border", "river"]
    fig.legend(handles, labels, loc="outside lower center", ncol=4, frameon=False, fontsize=9)
    if points is not None:
        cax = axes[-1].inset_axes((1.03, 0.0, 0.035, 1.0))  # exactly the map's height
        fig.colorbar(points, cax=cax, label="response time, minutes")
    return fig, axes


def write_run_plots(
    run_dir: str | Path, out_dir: str | Path, *, region: str | Path | None = None
) -> list[Path]:
    """Write :data:`PLOT_FILES` for the run in ``run_dir`` into ``out_dir``."""
    from sim.results.run_folder import load_network_for_run, read_run_csv, read_run_table

    run_dir, out_dir = Path(run_dir), Path(out_dir)
    missing = [name for name in _NEEDED if not (run_dir / name).is_file()]
    if missing:
        raise InputError(
            f"run {run_dir} lacks {', '.join(missing)}; re-run it with `sim run` to write them"
        )
    coverage = read_run_csv(
        run_dir / "coverage_curve.csv", ("tier", "jurisdiction", "minutes", "coverage_share")
    )
    evacuation = read_run_csv(
        run_dir / "evacuation_curve.csv", ("time_s", "departed_persons", "sheltered_persons")
    )
    incidents = read_run_table(run_dir / "incidents.parquet", ("node", "tier", "response_s"))
    network, _ = load_network_for_run(run_dir, region)
    if len(incidents) and int(incidents["node"].max()) >= network.n_nodes:
        raise InputError(
            f"run {run_dir}: incidents name node {int(incidents['node'].max())} but the network "
            f"has {network.n_nodes} nodes; put network.npz in the run folder or pass --region"
        )
    figures = [
        plot_coverage_curves(coverage)[0],
        plot_evacuation_curve(evacuation)[0],
        plot_response_map(network, incidents)[0],
    ]
    return [
        write_atomic(out_dir / name, png_writer(fig, dpi=120))
        for name, fig in zip(PLOT_FILES, figures, strict=True)
    ]
