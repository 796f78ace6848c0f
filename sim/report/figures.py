"""The figure sections of ``sim report``: curves by configuration, one scenario at a time.

A figure that would be empty (no kit needed in any run, a curve no run recorded) is left
out, with a line saying why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.files.atomic import write_atomic
from sim.files.marks import png_writer
from sim.report.cells import few_seeds_note
from sim.report.render import Block, Heading, Image, Paragraph
from sim.report.stats import MIN_REPLICATIONS
from sim.report.tables import Batch, curve_stats


def save_figure(fig, path: Path, written: list[Path]) -> Path:
    """Write ``fig`` as a PNG at ``path`` (atomically); note it in ``written``.

    The PNG carries the figure's title (``Title``) and its legend labels
    (``Description``) as text chunks, read from the drawn artists, so a reader of the
    file (and the tests) can check that every figure says what it shows.
    """
    text = {"Title": figure_title(fig), "Description": "; ".join(legend_labels(fig))}
    written.append(write_atomic(path, png_writer(fig, dpi=110, **text)))
    return path


def figure_title(fig) -> str:
    """Return the figure's title: its suptitle, else the titles of its axes."""
    if fig.get_suptitle():
        return fig.get_suptitle()
    return " | ".join(ax.get_title() for ax in fig.axes if ax.get_title())


def legend_labels(fig) -> list[str]:
    """Return the texts of every legend drawn in the figure."""
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    return [t.get_text() for legend in legends if legend is not None for t in legend.get_texts()]


def slug(text: str) -> str:
    """``text`` made file-safe (letters and digits kept, anything else an underscore)."""
    return "".join(c if c.isalnum() else "_" for c in str(text)).strip("_") or "scenario"


def few_seeds(batch: Batch) -> int:
    """Return the fewest replications of a configuration when below the interval minimum."""
    if batch.ok.empty:
        return 0
    counts = batch.ok.groupby(batch.config_columns(), sort=False, dropna=False).size()
    least = int(counts.min())
    return least if 0 < least < MIN_REPLICATIONS else 0


def curve_sections(batch: Batch, out: Path, written: list[Path]) -> list[Block]:
    """Coverage, evacuation and supply figures of each scenario, with their headings."""
    from sim.plot.batch import coverage_figure, evacuation_figure, supply_figure

    blocks: list[Block] = [Heading("Curves by configuration")]
    if batch.ok.empty:
        return [*blocks, Paragraph("No run finished; no curves.")]
    if batch.coverage is None or batch.timelines is None:
        return [*blocks, Paragraph("No curves were kept (`[outputs] curves = false`).")]
    blocks.append(
        Paragraph(
            "Lines are means across seeds, bands their 95 % intervals; coverage is for "
            "all jurisdictions together."
        )
    )
    standards = dict(batch.tiers)
    coverage = batch.coverage[batch.coverage["jurisdiction"] == "all"]
    cov = curve_stats(
        batch, coverage, by=["tier", "minutes"], value="coverage_share", bounds=(0.0, 1.0)
    )
    cov["standard_min"] = cov["tier"].map(standards).astype(float)
    timeline = batch.timelines.assign(hours=batch.timelines["time_s"] / 3600.0)
    long = timeline.melt(
        id_vars=["run_id", "hours"],
        value_vars=["sheltered_persons", "departed_persons"],
        var_name="series",
    )
    evac = curve_stats(batch, long, by=["series", "hours"], value="value", bounds=(0.0, np.inf))
    supply = curve_stats(
        batch, timeline, by=["hours"], value="supply_need_met_share", bounds=(0.0, 1.0)
    )
    sides = " + ".join(batch.jurisdictions[1:]) or "all"
    few = few_seeds(batch)
    if few:
        blocks.append(Paragraph(f"Bands are left out: {few_seeds_note(few)}"))
    for scenario in batch.manifest.get("scenarios", []):
        name_part = slug(scenario)
        figures = (
            (coverage_figure, cov, f"coverage_{name_part}.png", "Response coverage by tier, %"),
            (evacuation_figure, evac, f"evacuation_{name_part}.png", "Evacuation, persons"),
            (supply_figure, supply, f"supply_{name_part}.png", "Supply: kit need met, %"),
        )
        blocks.append(Heading(f"Scenario {scenario}", 3))
        for make, table, name, caption in figures:
            part = table[table["scenario"] == scenario]
            why = empty_reason(make, part)
            if why:
                blocks.append(Paragraph(f"{caption.split(',')[0]}: no figure, {why}."))
                continue
            extra = {"tiers": list(standards)} if make is coverage_figure else {}
            title = f"{caption}: {scenario} ({sides}, {len(part['label'].unique())} configurations)"
            fig = make(part, title=title, **extra)
            blocks.append(Image(save_figure(fig, out / name, written), f"{caption}, {scenario}"))
    return blocks


def empty_reason(make, part: pd.DataFrame) -> str:
    """Return why a curve figure would be empty ('' when it would not)."""
    if part.empty or not np.isfinite(part["mean"].to_numpy(dtype=float)).any():
        if make.__name__ == "coverage_figure":  # curves exist where someone needed a team
            return "no run of this scenario had an incident with people who needed a team"
        return "no run of this scenario recorded that curve"
    if make.__name__ == "supply_figure" and not (part["mean"] > 0).any():
        return (  # people may well have been sheltered: then the need was there, unmet
            "no kits were delivered in any run (need met 0 % throughout; a shelter asks "
            "only once its unmet need reaches supply.request_min_kits)"
        )
    if make.__name__ == "evacuation_figure" and not (part["mean"] > 0).any():
        return "nobody set off in any run"
    return ""
