"""The numbers of a batch report: per-configuration intervals, gains, replications needed.

Everything here works on the tables a batch writes (``runs.parquet``, the curve
tables) and the manifest, and returns DataFrames; :mod:`sim.report.batch` formats them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from sim.batch.collect import (
    COVERAGE,
    RUNS,
    TIMELINES,
    collect_tables,
    param_value,
    read_manifest,
)
from sim.batch.keys import parse_key
from sim.files.readers import read_parquet
from sim.report.stats import (
    MIN_REPLICATIONS,
    band,
    difference,
    exceeds_noise,
    mean_interval,
    replications_needed,
)

_HEADLINE = re.compile(
    r"^coverage\.(?P<juris>[^.]+)\.(?P<tier>[a-z]+)_(?P<minutes>\d+(?:\.\d+)?)min$"
)

#: Metrics besides coverage compared in the report: column -> (title, unit, scale).
OTHER_METRICS: Mapping[str, tuple[str, str, float]] = MappingProxyType(
    {
        # reaching people is not saving them: coverage counts arrivals, these the outcome
        "casualties.dead": ("dead", "persons", 1.0),
        "incidents.persons_rescued": ("got out alive by teams", "persons", 1.0),
        "evacuation.sheltered_persons": ("sheltered", "persons", 1.0),
        "evacuation.departed_persons": ("set off", "persons", 1.0),
        "evacuation.clearance_50pct_s": ("50 % clearance", "min", 1 / 60),
        "evacuation.clearance_90pct_s": ("90 % clearance", "min", 1 / 60),
        "supply.need_met_share_6h": ("kit need met at 6 h", "%", 100.0),
    }
)


@dataclass(kw_only=True)
class Batch:
    """A batch folder read back: manifest, runs, curves and what the grid was."""

    folder: Path
    manifest: dict
    runs: pd.DataFrame
    coverage: pd.DataFrame | None
    timelines: pd.DataFrame | None
    keys: list[str]
    baselines: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished without error."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def paired(self) -> bool:
        """Whether configurations share seeds per replication (paired comparisons)."""
        return self.manifest.get("seeding") == "common"

    @property
    def headline(self) -> list[tuple[str, str, str, float]]:
        """``(column, jurisdiction, tier, standard_min)`` of the 10/30/60 columns, in order."""
        out = []
        for column in self.runs.columns:
            match = _HEADLINE.match(column)
            if match:
                out.append((column, match["juris"], match["tier"], float(match["minutes"])))
        return out

    @property
    def jurisdictions(self) -> list[str]:
        """``all`` then each jurisdiction, as the runs report them."""
        return list(dict.fromkeys(j for _, j, _, _ in self.headline))

    @property
    def tiers(self) -> list[tuple[str, float]]:
        """``(tier, standard_min)`` in order."""
        return list(dict.fromkeys((t, m) for _, _, t, m in self.headline))

    def config_columns(self) -> list[str]:
        """Columns that identify a configuration: scenario and the grid keys."""
        return ["scenario", *self.keys]


def load_batch(folder: str | Path) -> Batch:
    """Read a batch results folder.

    Raises
    ------
    ExperimentError
        When the folder holds no batch.
    """
    from sim.batch.keys import ExperimentError

    folder = Path(folder)
    manifest = read_manifest(folder)
    keys = list(manifest.get("parameter_columns", []))
    if (folder / "runs").is_dir():  # the runs themselves: tables always match them
        run_ids = [run["run_id"] for run in manifest.get("runs", [])]
        runs, coverage, timelines = collect_tables(folder / "runs", run_ids, keys)
    elif not (folder / RUNS).is_file():
        raise ExperimentError(f"{folder} has no {RUNS} and no runs/; run the batch again")
    else:
        fix = "run the batch again with `sim batch EXPERIMENT --out FOLDER --resume`"
        runs = read_parquet(folder / RUNS, what="runs table", columns=["status"], fix=fix)
        coverage, timelines = (
            read_parquet(folder / name, what="curve table", fix=fix)
            if (folder / name).is_file()
            else None
            for name in (COVERAGE, TIMELINES)
        )
    baselines = {}
    for key, values in manifest.get("grid", {}).items():
        cells = [param_value(v) for v in values]
        baselines[key] = "separate" if "separate" in cells and key.endswith("linkage") else cells[0]
    runs = runs.copy()  # one block per dtype: the many metric columns, then a label
    if len(runs):
        runs["label"] = configuration_labels(runs, keys)
    else:
        runs["label"] = pd.Series(dtype=str)
    return Batch(
        folder=folder,
        manifest=manifest,
        runs=runs,
        coverage=coverage,
        timelines=timelines,
        keys=keys,
        baselines=baselines,
    )


def short_key(key: str) -> str:
    """Return a readable name for a grid key: ``policy.linkage`` -> ``linkage``."""
    parts = parse_key(key)
    if len(parts) <= 2 and all(isinstance(p, str) for p in parts):
        return str(parts[-1])
    text = key.split(".", 1)[1] if key.count(".") >= 2 else key
    return text


def configuration_labels(runs: pd.DataFrame, keys: list[str]) -> pd.Series:
    """``linkage=joint, ground.teams=6`` for each run (the scenario is not part of it)."""
    if not keys:
        return pd.Series(["all runs"] * len(runs), index=runs.index)
    parts = [runs[k].map(lambda v, k=k: f"{short_key(k)}={_show(v)}") for k in keys]
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label if len(keys) > 1 else runs[keys[0]].map(_show)


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _config_groups(batch: Batch, frame: pd.DataFrame):
    """Group ``frame`` by configuration, in plan order."""
    order = frame.sort_values("run_index", kind="stable")
    return order.groupby(batch.config_columns(), sort=False, dropna=False)


def configuration_stats(batch: Batch, columns: list[str]) -> pd.DataFrame:
    """Mean, 95 % half-width, n and sd of each column per configuration (plan order)."""
    rows = []
    for _, part in _config_groups(batch, batch.ok):
        first = part.iloc[0]
        row = {c: first[c] for c in batch.config_columns()}
        row["label"] = first["label"]
        row["runs"] = len(part)
        for column in columns:
            values = part[column].to_numpy(dtype=float) if column in part else np.array([])
            mean, half, n, sd = mean_interval(values)
            row.update(
                {
                    f"{column}:mean": mean,
                    f"{column}:half": half,
                    f"{column}:n": n,
                    f"{column}:sd": sd,
                    f"{column}:infinite": int(np.isinf(values).sum()),
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def gains(batch: Batch, columns: list[str]) -> pd.DataFrame:
    """Each grid value against its key's baseline, other settings held, per metric column.

    One row per (grid key, scenario, other settings, value, column) with ``diff``,
    ``low``, ``high``, ``p_value``, ``exceeds`` (True/False/None) and the method.
    """
    ok = batch.ok
    rows = []
    for key in batch.keys:
        baseline = batch.baselines.get(key)
        values = [param_value(v) for v in batch.manifest["grid"][key]]
        if len(values) < 2:
            continue
        others = ["scenario", *(k for k in batch.keys if k != key)]
        for held, part in ok.groupby(others, sort=False, dropna=False):
            held = held if isinstance(held, tuple) else (held,)
            base = part[part[key] == baseline].sort_values("replication")
            held_label = ", ".join(
                f"{short_key(k)}={_show(v)}" for k, v in zip(others[1:], held[1:], strict=True)
            )
            for value in values:
                if value == baseline:
                    continue
                other = part[part[key] == value].sort_values("replication")
                if batch.paired:
                    joined = base.merge(other, on="replication", suffixes=("_a", "_b"))
                for column in columns:
                    if column not in part:
                        continue
                    if batch.paired:
                        a = joined[f"{column}_a"].to_numpy(dtype=float)
                        b = joined[f"{column}_b"].to_numpy(dtype=float)
                    else:
                        a = base[column].to_numpy(dtype=float)
                        b = other[column].to_numpy(dtype=float)
                    result = difference(a, b, paired=batch.paired)
                    rows.append(
                        {
                            "key": key,
                            "scenario": held[0],
                            "held": held_label,
                            "value": value,
                            "baseline": baseline,
                            "column": column,
                            **result,
                            "exceeds": exceeds_noise(result),
                        }
                    )
    return pd.DataFrame(rows)


def replication_check(batch: Batch, max_half_width_pp: float) -> pd.DataFrame:
    """Half-width (pp) of every 10/30/60 interval and the replications it would need."""
    columns = [c for c, *_ in batch.headline]
    stats = configuration_stats(batch, columns)
    rows = []
    for _, row in stats.iterrows():
        for column, juris, tier, minutes in batch.headline:
            n = int(row[f"{column}:n"])
            if n == 0:
                continue
            half_pp = 100.0 * row[f"{column}:half"]
            sd_pp = 100.0 * row[f"{column}:sd"]
            needed = (
                replications_needed(sd_pp, max_half_width_pp) if n >= MIN_REPLICATIONS else None
            )
            rows.append(
                {
                    "scenario": row["scenario"],
                    "label": row["label"],
                    "jurisdiction": juris,
                    "metric": f"{tier} ≤{minutes:g} min",
                    "n": n,
                    "sd_pp": sd_pp,
                    "half_width_pp": half_pp,
                    "needed": needed,
                    "flag": bool(n < MIN_REPLICATIONS or half_pp > max_half_width_pp),
                }
            )
    return pd.DataFrame(rows)


def curve_stats(
    batch: Batch,
    table: pd.DataFrame,
    *,
    by: list[str],
    value: str,
    bounds: tuple[float, float] = (-np.inf, np.inf),
) -> pd.DataFrame:
    """Mean and 95 % band of a per-run curve across the runs of each configuration.

    ``table`` has ``run_id``, the ``by`` columns (e.g. tier, jurisdiction, minutes) and
    ``value``; the result has ``scenario``, ``label``, ``by``, ``mean``, ``low``, ``high``.
    The band stays within ``bounds``, what the value can take (a share: ``(0, 1)``, a
    count: ``(0, inf)``).
    """
    meta = batch.ok[["run_id", "run_index", "scenario", "label"]]
    data = table.merge(meta, on="run_id", how="inner")
    data = data[np.isfinite(data[value].to_numpy(dtype=float))]
    if data.empty:
        return pd.DataFrame(columns=["scenario", "label", *by, "mean", "low", "high"])
    order = data.groupby("label", sort=False)["run_index"].min().sort_values()
    grouped = data.groupby(["scenario", "label", *by], sort=False)[value]
    out = grouped.agg(["mean", "std", "count"]).reset_index()
    out["low"], out["high"] = band(out["mean"], out["std"], out["count"], bounds=bounds)
    out["order"] = out["label"].map({label: i for i, label in enumerate(order.index)})
    out = out.sort_values(["scenario", "order", *by], kind="stable")
    return out.drop(columns=["std", "count", "order"]).reset_index(drop=True)


def settings_text(manifest: dict) -> list[str]:
    """Lines describing the experiment's fixed settings and grid."""
    lines = []
    for key, value in manifest.get("fixed", {}).items():
        lines.append(f"- `{key}` = `{json.dumps(value)}` (all runs)")
    for key, values in manifest.get("grid", {}).items():
        lines.append(f"- `{key}` in `{json.dumps(values)}`")
    return lines
