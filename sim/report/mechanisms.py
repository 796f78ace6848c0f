"""The report's linkage section: each level's gain split by the mechanism it adds.

The linkage levels are cumulative (``separate`` < ``notify`` < ``mutual_aid`` <
``joint``, :mod:`sim.agents.linkage`), so the step from one level to the next is the
mechanism that level adds: information sharing, then mutual aid (requests, reserves,
pre-positioning, priority passage), then joint command. For each scenario the table
gives, per level, the overall 10/30/60 coverage, the step over the level before, and
what the mechanisms did (means over the level's runs, summed over the sides, from
``summary.json``'s ``linkage``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.report.render import Block, Heading, Paragraph, Table
from sim.report.tables import Batch
from sim.scenarios.scenario import LINKAGES

KEY = "policy.linkage"
#: Mechanism figures: (summary field under ``linkage.<side>.``, column title).
ACTIVITY: tuple[tuple[str, str], ...] = (
    ("warnings_received", "warnings via linkage"),
    ("cross_border_dispatches", "teams across the border"),
    ("incidents_reached_only_by_foreign_teams", "incidents reached only by foreign teams"),
    ("persons_sheltered_across_border", "persons sheltered across"),
    ("kits_from_other_side", "kits from the other side"),
    ("teams_prepositioned", "teams pre-positioned"),
    ("teams_held_in_reserve", "teams held in reserve"),
    ("border_wait_min", "own teams' border wait (any trip), min"),
)
#: What each level adds over the one before it.
ADDS = {
    "notify": "information sharing",
    "mutual_aid": "mutual aid",
    "joint": "joint command",
}


def _side_sum(runs: pd.DataFrame, field: str) -> pd.Series:
    """Per run: ``field`` summed over the sides (and over tiers for dispatch counts)."""
    columns = [
        c
        for c in runs.columns
        if c.startswith("linkage.") and (c.endswith(f".{field}") or f".{field}." in c)
    ]
    if not columns:
        return pd.Series(0.0, index=runs.index)
    return runs[columns].astype(float).sum(axis=1)


def _adds(before: str | None, level: str) -> str:
    """Return what ``level`` adds over ``before``: the mechanisms of the levels between.

    A grid without ``notify`` and ``mutual_aid`` steps from ``separate`` straight to
    ``joint``, which then adds all three mechanisms, not joint command alone.
    """
    if before is None:
        return "baseline"
    steps = LINKAGES[LINKAGES.index(before) + 1 : LINKAGES.index(level) + 1]
    return " + ".join(ADDS[step] for step in steps if step in ADDS)


def mechanism_section(batch: Batch) -> list[Block]:
    """Return the section, or nothing when the batch does not vary the linkage."""
    grid = batch.manifest.get("grid", {})
    levels = [str(v) for v in grid.get(KEY, [])]
    if len(levels) < 2 or batch.ok.empty or KEY not in batch.ok:
        return []
    levels = [level for level in LINKAGES if level in levels]
    overall = [(c, t, m) for c, j, t, m in batch.headline if j == "all"]
    blocks: list[Block] = [
        Heading("What each linkage level adds", 2),
        Paragraph(
            "The levels are cumulative, so the step from a level to the next is the "
            "mechanism it adds (notify: information sharing; mutual_aid: requests, "
            "reserves, pre-positioning, priority passage; joint: one command). Coverage "
            "over all jurisdictions in % (step over the level before, pp); the other "
            "columns are means per run, summed over the sides."
        ),
    ]
    ok = batch.ok
    for scenario, part in ok.groupby("scenario", sort=False):
        rows, previous, last = [], None, None
        for level in levels:
            runs = part[part[KEY].astype(str) == level]
            if runs.empty:
                continue
            row: dict[str, object] = {"linkage": level, "adds": _adds(last, level)}
            last = level
            means = {}
            for column, tier, minutes in overall:
                values = runs[column].to_numpy(dtype=float)
                if not np.isfinite(values).any():
                    row[f"{tier} ≤{minutes:g}"] = "n/a"
                    continue
                mean = float(np.nanmean(values))
                means[column] = mean
                text = f"{100 * mean:.1f}"
                if previous is not None and np.isfinite(previous.get(column, np.nan)):
                    text += f" ({100 * (mean - previous[column]):+.1f})"
                row[f"{tier} ≤{minutes:g}"] = text
            for field, title in ACTIVITY:
                value = float(_side_sum(runs, field).mean())
                row[title] = f"{value:,.1f}" if field == "border_wait_min" else f"{value:,.0f}"
            rows.append(row)
            previous = means
        if rows:
            blocks.append(Heading(str(scenario), 3))
            blocks.append(Table(pd.DataFrame(rows)))
    return blocks
