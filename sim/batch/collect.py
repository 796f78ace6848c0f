"""A batch folder read back: its manifest and its finished runs as tables (no writing).

``sim report`` reads batches through these; :mod:`sim.batch.store` writes them. The
layout is described there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.keys import ExperimentError
from sim.files.readers import FileError, read_json_object, read_parquet

MANIFEST_VERSION = 1
MANIFEST = "manifest.json"
RUNS = "runs.parquet"
COVERAGE = "coverage_curves.parquet"
TIMELINES = "timelines.parquet"

#: Columns before the parameters and after them, ahead of the metrics.
LEAD_COLUMNS = ("run_index", "run_id", "scenario")
TAIL_COLUMNS = ("replication", "seed", "status", "error", "duration_s")


def param_value(value: Any) -> Any:
    """Return a grid value as a table cell (lists and tables as canonical JSON text)."""
    if isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, sort_keys=True)


def is_batch_folder(path: Path) -> bool:
    """Return True when ``path`` holds a batch of this tool (a ``manifest.json``)."""
    return (path / MANIFEST).is_file()


def collect_tables(
    runs_dir: Path, run_ids: list[str], parameter_columns: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Read the finished runs among ``run_ids`` from ``runs/``, without writing anything.

    Parameters
    ----------
    runs_dir
        The ``runs/`` folder of a batch.
    run_ids
        The planned runs, in plan order (files of other runs are ignored).
    parameter_columns
        The grid keys, placed after the scenario column.

    Returns
    -------
    tuple
        The runs table (one row per finished run, in plan order), and the coverage and
        timeline curves of the runs that finished without error (None when none kept any).
    """
    rows, coverage, timelines = [], [], []
    for run_id in run_ids:
        path = runs_dir / f"{run_id}.parquet"
        if not path.is_file():
            continue
        try:
            row = read_parquet(path, what="run row", columns=["status"])
            curves = []
            for suffix, bucket in (("coverage", coverage), ("timeline", timelines)):
                curve = runs_dir / f"{run_id}.{suffix}.parquet"
                if row["status"].iat[0] == "ok" and curve.is_file():
                    curves.append((bucket, read_parquet(curve, what=f"{suffix} curve")))
        except (FileError, IndexError):
            continue  # a damaged run counts as not finished (a resume runs it again)
        rows.append(row)
        for bucket, table in curves:
            table.insert(0, "run_id", run_id)
            bucket.append(table)
    return (
        _runs_table(rows, parameter_columns),
        pd.concat(coverage, ignore_index=True) if coverage else None,
        pd.concat(timelines, ignore_index=True) if timelines else None,
    )


def _runs_table(rows: list[pd.DataFrame], parameter_columns: list[str]) -> pd.DataFrame:
    fixed = [*LEAD_COLUMNS, *parameter_columns, *TAIL_COLUMNS]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in fixed})
    ok = [r for r in rows if r["status"].iat[0] == "ok"]
    metrics = [c for c in (ok[0].columns if ok else []) if c not in fixed]
    for row in ok[1:]:  # a later run may report a metric the first did not
        metrics += [c for c in row.columns if c not in fixed and c not in metrics]
    # all-empty cells dropped first: concatenating them is ambiguous in pandas
    table = pd.concat([r.dropna(axis=1, how="all") for r in rows], ignore_index=True)
    table = table.reindex(columns=[*fixed, *metrics])
    return table.sort_values("run_index", kind="stable").reset_index(drop=True)


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Read a batch folder's manifest.

    Raises
    ------
    ExperimentError
        When ``folder`` holds no batch.
    """
    path = Path(folder) / MANIFEST
    if not Path(folder).is_dir():
        raise ExperimentError(
            f"{folder} is not a batch results folder (no such folder); run `sim batch "
            "EXPERIMENT` first and pass its results folder"
        )
    if not path.is_file():
        raise ExperimentError(
            f"{folder} holds no batch results (no {MANIFEST}); run `sim batch EXPERIMENT` "
            "first and pass its results folder"
        )
    try:
        return read_json_object(
            path,
            what="batch manifest",
            keys=("experiment", "runs"),
            fix="it is damaged: delete the folder and run the batch again",
        )
    except FileError as exc:
        raise ExperimentError(str(exc)) from None
