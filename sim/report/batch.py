"""``sim report``: the comparison report of a batch, as Markdown and one HTML file.

>>> from sim.report.batch import write_report
>>> write_report("results/cross_border_linkage")  # doctest: +SKIP

Sections: the experiment; the 10/30/60 table per configuration and jurisdiction with
95 % intervals across seeds; coverage curves, evacuation curves and supply fill per
configuration; the gain of each grid value over its key's baseline (each linkage level
over ``separate``) and whether it exceeds the noise; what each linkage level adds,
by mechanism (:mod:`sim.report.mechanisms`); how many replications the
intervals need; failed runs. Statistics are described in :mod:`sim.report.stats`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from sim.files.atomic import write_atomic
from sim.report.cells import (
    diff_text,
    few_seeds_note,
    share_text,
    value_text,
)
from sim.report.figures import curve_sections, few_seeds, save_figure, slug
from sim.report.mechanisms import mechanism_section
from sim.report.render import Block, Heading, Image, Paragraph, Table, to_html, to_markdown
from sim.report.stats import LEVEL, MIN_REPLICATIONS
from sim.report.tables import (
    OTHER_METRICS,
    Batch,
    configuration_stats,
    gains,
    load_batch,
    replication_check,
    settings_text,
    short_key,
)

#: How each significance test is described in the report.
METHOD_TEXT: Mapping[str, str] = MappingProxyType(
    {
        "paired t": "a paired t-test over replications "
        "(configurations share each replication's seed)",
        "Welch t": "Welch's unequal-variance t-test (independent seeds)",
    }
)


def write_report(
    folder: str | Path, *, out_dir: str | Path | None = None, max_half_width_pp: float = 2.0
) -> list[Path]:
    """Write ``report.md``, ``report.html``, the figures (PNG) and ``configurations.csv``.

    Parameters
    ----------
    folder
        A batch results folder (``results/<experiment>``).
    out_dir
        Where to write (default ``folder``).
    max_half_width_pp
        Intervals wider than this half-width (percentage points) are flagged.

    Returns
    -------
    list of Path
        The files written.
    """
    batch = load_batch(folder)
    out = Path(out_dir) if out_dir is not None else batch.folder
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    blocks = _overview(batch)
    blocks += _coverage_section(batch, out, written)
    blocks += curve_sections(batch, out, written)
    blocks += _gain_section(batch, out, written)
    blocks += mechanism_section(batch)
    blocks += _replication_section(batch, max_half_width_pp)
    blocks += _failures(batch)
    title = f"Batch report: {batch.manifest.get('experiment', batch.folder.name)}"
    markdown = to_markdown([Heading(title, 1), *blocks])
    page = to_html([Heading(title, 1), *blocks], title=title)
    written.append(write_atomic(out / "report.md", lambda p: p.write_text(markdown)))
    written.append(write_atomic(out / "report.html", lambda p: p.write_text(page)))
    return written


# ---------------------------------------------------------------------- formatting
def _config_frame(batch: Batch, stats: pd.DataFrame) -> pd.DataFrame:
    """Return the identifying columns of each configuration, for display."""
    frame = pd.DataFrame()
    if batch.manifest.get("scenarios") and len(batch.manifest["scenarios"]) > 1:
        frame["scenario"] = stats["scenario"].astype(str)
    for key in batch.keys:
        frame[short_key(key)] = stats[key].map(str)
    if frame.empty:
        frame["configuration"] = stats["label"]
    return frame


# ---------------------------------------------------------------------- sections
def _overview(batch: Batch) -> list[Block]:
    m = batch.manifest
    counts = m.get("counts", {})
    runs = batch.runs
    ok, failed = int((runs["status"] == "ok").sum()), int((runs["status"] != "ok").sum())
    planned = counts.get("planned", len(m.get("runs", [])))
    lines = [
        f"- experiment: **{m.get('experiment')}**"
        + (" (small mode)" if m.get("small") else "")
        + (f" — {m['description']}" if m.get("description") else ""),
        f"- runs: {ok} finished, {failed} failed, {planned - ok - failed} not run "
        f"(of {planned} planned); "
        + (
            "complete"
            if m.get("status") == "complete"
            else "**incomplete**: the batch is running or was interrupted (continue it "
            "with `sim batch ... --resume`); this report covers the runs finished so far"
        ),
        f"- base scenarios: {', '.join(m.get('scenarios', []))}; "
        f"{m.get('replications')} replications; base seed {m.get('base_seed')}; "
        f"seeding `{m.get('seeding')}`",
        *settings_text(m),
    ]
    method = METHOD_TEXT["paired t" if batch.paired else "Welch t"]
    notes = (
        f"Intervals are {100 * LEVEL:.0f} % Student-t intervals across replications (mean ± "
        "half-width). Coverage at T for a tier is the share of persons in incidents needing "
        "that tier who were reached within T minutes of the report; 'n/a' means no incident "
        f"needed the tier there. Differences are tested with {method}; a difference "
        f"marked * has a {100 * LEVEL:.0f} % interval that excludes 0 "
        f"(p < {1 - LEVEL:.2f}), i.e. it exceeds the noise between seeds."
    )
    return [Heading("Experiment"), Paragraph("\n".join(lines)), Paragraph(notes)]


def _night_note(batch: Batch) -> str:
    """Which tiers were grounded by night, for how much of each scenario's runs."""
    columns = [c for c in batch.ok.columns if c.startswith("night_share.")]
    notes = []
    for scenario, part in batch.ok.groupby("scenario", sort=False):
        for column in columns:
            share = float(part[column].mean())
            if share > 0:
                notes.append(
                    f"{column.split('.', 1)[1]} does not fly at night: {share:.0%} of the "
                    f"{scenario} runs was night, when its requests waited for daylight"
                )
    return "; ".join(notes) + "." if notes else ""


def _persons(mean: float) -> str:
    """Return a mean count of persons: whole when it is whole, else to one decimal."""
    if not np.isfinite(mean):
        return "n/a"
    return f"{mean:,.0f}" if float(mean).is_integer() else f"{mean:,.1f}"


def _coverage_section(batch: Batch, out: Path, written: list[Path]) -> list[Block]:
    blocks: list[Block] = [Heading("Response coverage within the tier standards (10/30/60)")]
    if batch.ok.empty:
        return [*blocks, Paragraph("No run finished; nothing to report.")]
    columns = [c for c, *_ in batch.headline]
    bases = [c.replace("coverage.", "coverage_persons.", 1) for c in columns]
    runs = batch.runs.copy()
    for column, base in zip(columns, bases, strict=True):
        if base in runs:  # on the same runs as the share: those where the tier was needed
            runs[base] = runs[base].where(runs[column].notna())
    stats = configuration_stats(
        dataclasses.replace(batch, runs=runs), [*columns, *bases, *OTHER_METRICS]
    )
    written.append(write_atomic(out / "configurations.csv", lambda p: stats.to_csv(p, index=False)))
    rows = []
    ids = _config_frame(batch, stats)
    for i, row in stats.iterrows():
        for juris in batch.jurisdictions:
            line = dict(ids.iloc[i])
            line["jurisdiction"] = juris
            line["runs"] = row["runs"]
            in_need = []
            for (column, j, tier, minutes), base in zip(batch.headline, bases, strict=True):
                if j == juris:
                    line[f"{tier} ≤{minutes:g} min, %"] = share_text(
                        row[f"{column}:mean"], row[f"{column}:half"], row[f"{column}:n"]
                    )
                    in_need.append(row[f"{base}:mean"])
            line[f"persons in need, mean ({' / '.join(t for t, _ in batch.tiers)})"] = " / ".join(
                _persons(v) for v in in_need
            )
            rows.append(line)
    blocks.append(
        Paragraph(
            "Mean ± half-width of the 95 % interval across seeds of each run's share (not "
            "persons pooled over runs), in percent of persons in incidents; the last "
            "column is how many persons each share is of (the persons who needed that "
            "tier, mean over the same runs as the share). (n=K): "
            "only K runs, too few for an interval, or only K of the runs have the figure (a "
            "tier no incident needed in a run has none)."
        )
    )
    blocks.append(Table(pd.DataFrame(rows)))
    night = _night_note(batch)
    if night:
        blocks.append(Paragraph(night))
    few = few_seeds(batch)
    if few:
        blocks.append(Paragraph(few_seeds_note(few)))
    blocks.append(Heading("Outcomes, evacuation and supply", 3))
    rows = []
    for i, row in stats.iterrows():
        line = dict(ids.iloc[i])
        for column, (title, unit, scale) in OTHER_METRICS.items():
            line[f"{title}, {unit}"] = value_text(
                row[f"{column}:mean"],
                row[f"{column}:half"],
                int(row[f"{column}:n"]),
                int(row[f"{column}:infinite"]),
                scale,
                unit,
            )
        rows.append(line)
    blocks.append(Table(pd.DataFrame(rows)))
    if few:
        blocks.append(Paragraph(few_seeds_note(few)))
    return blocks


def _gain_section(batch: Batch, out: Path, written: list[Path]) -> list[Block]:
    from sim.plot.batch import plot_gains

    blocks: list[Block] = [Heading("Gains over the baseline")]
    varied = [k for k in batch.keys if len(batch.manifest["grid"][k]) > 1]
    if batch.ok.empty:
        return [*blocks, Paragraph("No run finished; nothing to compare.")]
    if not varied:
        return [*blocks, Paragraph("No grid key has two values: nothing to compare.")]
    blocks.append(
        Paragraph(
            "Each value of a grid key against the key's baseline (linkage: `separate`; "
            "otherwise the first value listed), every other setting held the same. Cells: "
            "difference [95 % interval]; * exceeds the noise. Coverage in percentage points."
        )
    )
    columns = [c for c, *_ in batch.headline]
    table = gains(batch, [*columns, *OTHER_METRICS])
    for key in varied:
        part = table[table["key"] == key]
        blocks.append(Heading(f"{short_key(key)} (baseline {batch.baselines[key]})", 3))
        rows = []
        for (scenario, held, value), group in part.groupby(
            ["scenario", "held", "value"], sort=False
        ):
            by_column = group.set_index("column")
            for juris in batch.jurisdictions:
                line = {"scenario": scenario}
                if held:
                    line["held"] = held
                line.update({short_key(key): value, "jurisdiction": juris})
                for column, j, tier, minutes in batch.headline:
                    if j == juris and column in by_column.index:
                        line[f"{tier} ≤{minutes:g}"] = diff_text(by_column.loc[column], 100.0)
                rows.append(line)
        blocks.append(Table(pd.DataFrame(rows)))
        other = part[part["column"].isin(list(OTHER_METRICS))]
        if not other.empty:
            rows = []
            for (scenario, held, value), group in other.groupby(
                ["scenario", "held", "value"], sort=False
            ):
                line = {"scenario": scenario, **({"held": held} if held else {})}
                line[short_key(key)] = value
                for _, g in group.iterrows():
                    title, unit, scale = OTHER_METRICS[g["column"]]
                    digits = 0 if unit in ("persons", "min") else 1
                    line[f"{title}, {unit}"] = diff_text(g, scale, digits)
                rows.append(line)
            blocks.append(Table(pd.DataFrame(rows)))
        blocks += _gain_figures(batch, key, part, out, written, plot_gains)
    return blocks


def _gain_figures(batch, key, part, out, written, plot_gains) -> list[Block]:
    blocks: list[Block] = []
    overall = {c: (t, m) for c, j, t, m in batch.headline if j == "all"}
    for scenario, group in part[part["column"].isin(list(overall))].groupby("scenario", sort=False):
        rows = []
        for _, g in group.iterrows():
            tier, minutes = overall[g["column"]]
            label = f"{g['value']} · {tier} ≤{minutes:g}"
            rows.append(
                {
                    "label": f"{label} ({g['held']})" if g["held"] else label,
                    "diff_pp": 100 * g["diff"],
                    "low_pp": 100 * g["low"],
                    "high_pp": 100 * g["high"],
                    "exceeds": g["exceeds"],
                }
            )
        frame = pd.DataFrame(rows)
        if frame.empty or not np.isfinite(frame["diff_pp"]).any():
            continue
        fig, _ = plot_gains(
            frame,
            title=f"{short_key(key)} vs {batch.baselines[key]}: {scenario}, "
            f"{' + '.join(batch.jurisdictions[1:]) or 'all'}",
        )
        name = f"gain_{slug(short_key(key))}_{slug(scenario)}.png"
        caption = f"Gain over {batch.baselines[key]} ({short_key(key)}), {scenario}"
        blocks.append(Image(save_figure(fig, out / name, written), caption))
    return blocks


def _replication_section(batch: Batch, max_half_width_pp: float) -> list[Block]:
    blocks: list[Block] = [Heading("Replications needed")]
    check = replication_check(batch, max_half_width_pp)
    if check.empty:
        return [*blocks, Paragraph("No finished runs with a coverage value.")]
    flagged = check[check["flag"]].sort_values(
        "half_width_pp", ascending=False, na_position="first"
    )
    widest = check["half_width_pp"].max()
    needed = check["needed"].dropna()
    if int(check["n"].max()) < MIN_REPLICATIONS:
        text = (
            f"The {len(check)} intervals of the 10/30/60 table need more seeds: "
            f"{int(check['n'].max())} per configuration is too few to estimate the spread "
            f"between seeds, and so the replications needed. Run at least "
            f"{MIN_REPLICATIONS} (better 10), then this section says how many would bring "
            f"every interval within {max_half_width_pp:g} pp."
        )
        return [*blocks, Paragraph(text)]
    few = int((check["n"] < MIN_REPLICATIONS).sum())
    wide = len(flagged) - few
    text = (
        f"{wide} of {len(check)} intervals of the 10/30/60 table have a half-width "
        f"above {max_half_width_pp:g} percentage points (widest {widest:.1f} pp)"
        if np.isfinite(widest)
        else f"{wide} of {len(check)} intervals have a half-width above {max_half_width_pp:g} pp"
    )
    if few:
        text += (
            f"; {few} rest on fewer than {MIN_REPLICATIONS} runs that have the figure (a tier "
            "no incident needed in a run has none), too few for an interval"
        )
    if len(needed):
        text += (
            f". For every interval within {max_half_width_pp:g} pp, about "
            f"{int(needed.max())} replications per configuration would do (from the spread "
            f"seen in {int(check['n'].max())} replications)."
        )
    blocks.append(Paragraph(text))
    if not flagged.empty:
        shown = flagged.head(60)
        frame = pd.DataFrame(
            {
                "scenario": shown["scenario"],
                "configuration": shown["label"],
                "jurisdiction": shown["jurisdiction"],
                "metric": shown["metric"],
                "runs": shown["n"],
                "half-width, pp": shown["half_width_pp"].map(
                    lambda v: f"{v:.1f}" if np.isfinite(v) else "n/a"
                ),
                "replications needed": shown["needed"].map(
                    lambda v: (
                        f"≥ {MIN_REPLICATIONS}"
                        if v is None or not math.isfinite(v)
                        else f"{int(v)}"
                    )
                ),
            }
        )
        blocks.append(Table(frame))
        if len(flagged) > len(shown):
            blocks.append(Paragraph(f"(and {len(flagged) - len(shown)} more)"))
    return blocks


def _failures(batch: Batch) -> list[Block]:
    failed = batch.runs[batch.runs["status"] != "ok"]
    if failed.empty:
        return []
    frame = failed[["run_id", "scenario", *batch.keys, "replication", "seed", "error"]].copy()
    frame.columns = ["run", "scenario", *(short_key(k) for k in batch.keys), "rep", "seed", "error"]
    return [Heading("Failed runs"), Table(frame.astype(str))]
