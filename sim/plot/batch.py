"""Figures of a batch report (matplotlib without pyplot, so no display is needed).

Each ``plot_*`` function takes summarised results and an optional ``ax`` and returns
``(fig, ax)``, like :mod:`sim.plot.maps`; ``*_figure`` functions lay out several panels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

#: Colours by configuration, in plan order (colour-blind safe, Okabe-Ito).
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


def _new_axes(ax: Axes | None, size_in: tuple[float, float] = (6.0, 4.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size_in, layout="constrained")
    return fig, fig.add_subplot()


def plot_mean_curves(
    curves: pd.DataFrame,
    *,
    x: str,
    ax: Axes | None = None,
    xlabel: str = "",
    ylabel: str = "",
    share: bool = False,
    legend: bool = True,
    linestyle: str = "-",
) -> tuple[Figure, Axes]:
    """Mean curve per configuration with its 95 % band across seeds.

    Parameters
    ----------
    curves
        Columns ``label`` (configuration, in drawing order), ``x``, ``mean``, ``low``,
        ``high``.
    x
        Name of the x column.
    share
        Values are shares in 0..1, drawn as percent.
    """
    fig, ax = _new_axes(ax)
    for i, (label, part) in enumerate(curves.groupby("label", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        xs = part[x].to_numpy(dtype=float)
        ax.plot(xs, part["mean"], color=colour, lw=1.6, ls=linestyle, label=str(label))
        low, high = part["low"].to_numpy(dtype=float), part["high"].to_numpy(dtype=float)
        if np.isfinite(low).any():
            ax.fill_between(xs, low, high, color=colour, alpha=0.15, lw=0)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if share:
        ax.set_ylim(-0.02, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(True, alpha=0.3)
    if legend and len(curves):
        ax.legend(fontsize="small", frameon=False)
    return fig, ax


def coverage_figure(
    curves: pd.DataFrame, *, title: str = "", tiers: list[str] | None = None
) -> Figure:
    """One panel per tier: response coverage against minutes, a line per configuration.

    ``curves`` has ``tier`` and ``standard_min`` besides the columns of
    :func:`plot_mean_curves` (with ``minutes`` as x); ``tiers`` gives the panel order.
    """
    present = set(curves["tier"])
    tiers = [t for t in (tiers or sorted(present)) if t in present]
    fig = Figure(figsize=(4.2 * max(1, len(tiers)), 3.8), layout="constrained")
    axes = fig.subplots(1, max(1, len(tiers)), sharey=True, squeeze=False)[0]
    for i, (ax, tier) in enumerate(zip(axes, tiers, strict=False)):
        part = curves[curves["tier"] == tier]
        plot_mean_curves(
            part,
            x="minutes",
            ax=ax,
            xlabel="minutes after the report",
            ylabel="persons in incidents reached, %" if i == 0 else "",
            share=True,
            legend=i == len(tiers) - 1,
        )
        standard = part["standard_min"].iloc[0] if len(part) else None
        if standard is not None and np.isfinite(standard):
            ax.axvline(standard, color="grey", lw=0.8, ls=":")
        ax.set_title(f"{tier} (standard {standard:g} min)" if standard else tier)
    if title:
        fig.suptitle(title)
    return fig


def evacuation_figure(curves: pd.DataFrame, *, title: str = "") -> Figure:
    """Persons sheltered (solid) and set off (dashed) against hours, a line per configuration.

    ``curves`` has ``series`` ("sheltered_persons" or "departed_persons") besides the
    columns of :func:`plot_mean_curves` (with ``hours`` as x).
    """
    fig, ax = _new_axes(None, (7.0, 4.2))
    sheltered = curves[curves["series"] == "sheltered_persons"]
    departed = curves[curves["series"] == "departed_persons"]
    plot_mean_curves(
        sheltered, x="hours", ax=ax, xlabel="hours since the scenario started", ylabel="persons",
        legend=False,
    )  # fmt: skip
    plot_mean_curves(departed, x="hours", ax=ax, legend=False, linestyle="--")
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    keep = len(sheltered["label"].unique())
    handles, labels = handles[:keep], labels[:keep]
    handles += [Line2D([], [], color="grey", lw=1.6), Line2D([], [], color="grey", ls="--")]
    labels += ["sheltered (solid)", "set off (dashed)"]
    ax.legend(handles, labels, fontsize="small", frameon=False)
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Evacuation: sheltered (solid) and set off (dashed)")
    return fig


def supply_figure(curves: pd.DataFrame, *, title: str = "") -> Figure:
    """Share of shelter kit need met against hours, a line per configuration."""
    fig, ax = _new_axes(None, (7.0, 4.2))
    plot_mean_curves(
        curves, x="hours", ax=ax, xlabel="hours since the scenario started",
        ylabel="kit need met, %", share=True,
    )  # fmt: skip
    ax.set_title(title or "Supply fill: kits delivered / kits needed by sheltered persons")
    return fig


def plot_gains(
    gains: pd.DataFrame, *, ax: Axes | None = None, title: str = ""
) -> tuple[Figure, Axes]:
    """Forest plot: each comparison's difference (pp) with its 95 % interval.

    ``gains`` has columns ``label``, ``diff_pp``, ``low_pp``, ``high_pp``, ``exceeds``
    (True, False or None); filled markers exceed the noise.
    """
    fig, ax = _new_axes(ax, (6.5, 1.3 + 0.32 * max(1, len(gains))))
    y = np.arange(len(gains))[::-1]
    diff = gains["diff_pp"].to_numpy(dtype=float)
    low, high = gains["low_pp"].to_numpy(dtype=float), gains["high_pp"].to_numpy(dtype=float)
    err = np.vstack([diff - low, high - diff])
    err = np.where(np.isfinite(err), err, 0.0)
    exceeds = gains["exceeds"].to_numpy(dtype=object)
    kinds = (
        (True, "exceeds the noise", "#0072B2", "#0072B2"),
        (False, "within the noise", "#0072B2", "white"),
        (None, "no interval (too few seeds)", "#888888", "white"),
    )
    for kind, label, colour, face in kinds:
        mask = np.array([e is kind for e in exceeds], dtype=bool)
        if mask.any():
            ax.errorbar(
                diff[mask],
                y[mask],
                xerr=err[:, mask],
                fmt="o",
                color=colour,
                mfc=face,
                capsize=3,
                label=label,
            )
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_yticks(y, gains["label"].tolist(), fontsize="small")
    ax.set_xlabel("difference, percentage points (95 % interval)")
    ax.grid(True, axis="x", alpha=0.3)
    if len(gains):
        ax.legend(
            fontsize="small", frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.35),
            ncol=3,
        )  # fmt: skip
    if title:
        ax.set_title(title, wrap=True)
    return fig, ax
