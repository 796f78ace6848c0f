"""The results folder of a batch, written so that no crash or kill loses a finished run.

Layout of ``results/<experiment>/``::

    manifest.json            experiment, content hash, planned runs, status, batch history
    runs/<run_id>.parquet    one row per finished run (written last, so its presence means done)
    runs/<run_id>.coverage.parquet, runs/<run_id>.timeline.parquet   that run's curves
    runs.parquet             every finished run, one row each, in plan order
    coverage_curves.parquet  run_id, tier, jurisdiction, minutes, coverage_share
    timelines.parquet        run_id, time_s, departed/sheltered persons, kits, supply share

Every file is written under a temporary name and renamed (:func:`sim.files.atomic.write_atomic`),
so a file under its final name is always whole. ``runs.parquet`` and the curve tables are
rebuilt from ``runs/`` when a batch starts or resumes and when it ends; a batch killed in
between leaves the previous complete version. A lock on ``.lock`` keeps two batches from
writing the same folder (released by the system when a process dies, ``kill -9`` included).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.experiment import Experiment, PlannedRun
from sim.batch.keys import ExperimentError
from sim.batch.worker import RunOutcome
from sim.files.atomic import write_atomic

MANIFEST_VERSION = 1
MANIFEST = "manifest.json"
RUNS = "runs.parquet"
COVERAGE = "coverage_curves.parquet"
TIMELINES = "timelines.parquet"

#: Columns before the parameters and after them, ahead of the metrics.
LEAD_COLUMNS = ("run_index", "run_id", "scenario")
TAIL_COLUMNS = ("replication", "seed", "status", "error", "duration_s")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def param_value(value: Any) -> Any:
    """Return a grid value as a table cell (lists and tables as canonical JSON text)."""
    if isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, sort_keys=True)


class ResultsFolder:
    """A batch's results folder: checks a resume, records runs, consolidates tables."""

    def __init__(self, out_dir: Path, experiment: Experiment, plan: list[PlannedRun]) -> None:
        self.out_dir = Path(out_dir)
        self.runs_dir = self.out_dir / "runs"
        self.experiment = experiment
        self.plan = plan
        self.by_id = {run.run_id: run for run in plan}
        self._lock_file: Any = None

    # ------------------------------------------------------------------ opening
    def open(self, *, resume: bool) -> dict[str, Any]:
        """Check the folder, take its lock and write the manifest; return the manifest.

        Raises
        ------
        ExperimentError
            When the folder holds another batch (without ``resume``), a batch of a
            changed experiment, or something that is not a batch.
        """
        manifest_path = self.out_dir / MANIFEST
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise ExperimentError(f"--out {self.out_dir} is a file; give a folder")
        old = None
        if manifest_path.is_file():
            old = json.loads(manifest_path.read_text())
            if not resume:
                done = len(list(self.runs_dir.glob("*-r[0-9][0-9][0-9].parquet")))
                raise ExperimentError(
                    f"{self.out_dir} already holds a batch of {old.get('experiment')!r} "
                    f"({done} of {len(old.get('runs', []))} runs finished); pass --resume to "
                    "continue it, or --out NEW_FOLDER to start another"
                )
            self._check_same(old)
        elif self.out_dir.is_dir() and any(p.name != ".lock" for p in self.out_dir.iterdir()):
            raise ExperimentError(
                f"--out {self.out_dir} is not empty and holds no batch (no {MANIFEST}); "
                "give a new or empty folder"
            )
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        manifest = self._new_manifest(old)
        self.write_manifest(manifest)  # first, so a folder with anything else is a batch
        self.runs_dir.mkdir(exist_ok=True)
        for folder in (self.out_dir, self.runs_dir):  # temporaries left by a killed writer
            for stale in folder.glob(".*.partial"):
                stale.unlink(missing_ok=True)
        return manifest

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        handle = open(self.out_dir / ".lock", "a+")  # noqa: SIM115 - held for the batch
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise ExperimentError(
                f"another `sim batch` is writing to {self.out_dir}; wait for it to finish "
                "or stop it first"
            ) from None
        self._lock_file = handle

    def close(self) -> None:
        """Release the folder's lock."""
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _check_same(self, old: dict) -> None:
        if old.get("content_hash") == self.experiment.content_hash:
            return
        changes = _differences(old.get("settings", {}), self.experiment.settings)
        if old.get("small") != self.experiment.small:
            changes.insert(0, f"small mode was {old.get('small')}, now {self.experiment.small}")
        what = "; ".join(changes[:5]) if changes else "a base scenario file changed"
        raise ExperimentError(
            f"cannot resume {self.out_dir}: it was made from a different version of "
            f"experiment {old.get('experiment')!r} ({what}). Mixing them would compare runs "
            "of different experiments: restore the file, or start over with --out "
            "NEW_FOLDER (or delete the folder)"
        )

    def _new_manifest(self, old: dict | None) -> dict[str, Any]:
        e = self.experiment
        return {
            "manifest_version": MANIFEST_VERSION,
            "experiment": e.name,
            "description": e.description,
            "source": e.source,
            "small": e.small,
            "content_hash": e.content_hash,
            "replications": e.replications,
            "base_seed": e.base_seed,
            "seeding": e.seeding,
            "scenarios": list(e.scenarios),
            "fixed": e.fixed,
            "grid": {k: list(v) for k, v in e.grid.items()},
            "parameter_columns": list(e.grid),
            "settings": e.settings,
            "runs": [
                {
                    "run_index": r.index,
                    "run_id": r.run_id,
                    "scenario": r.scenario,
                    "params": r.params,
                    "replication": r.replication,
                    "seed": r.seed,
                }
                for r in self.plan
            ],
            "created_utc": old["created_utc"] if old else _now(),
            "updated_utc": _now(),
            "status": "running",
            "counts": {},
            "batches": old.get("batches", []) if old else [],
        }

    # ------------------------------------------------------------------ runs
    def row_path(self, run_id: str) -> Path:
        """Return the file whose presence means run ``run_id`` finished."""
        return self.runs_dir / f"{run_id}.parquet"

    def finished(self) -> dict[str, str]:
        """``run_id -> status`` of every planned run already recorded."""
        out = {}
        for run in self.plan:
            path = self.row_path(run.run_id)
            if path.is_file():
                out[run.run_id] = str(pd.read_parquet(path, columns=["status"])["status"].iat[0])
        return out

    def record(self, outcome: RunOutcome) -> None:
        """Write one run's curves, then its row (the row's presence marks it finished)."""
        run = self.by_id[outcome.run_id]
        for suffix, table in (("coverage", outcome.coverage), ("timeline", outcome.timeline)):
            path = self.runs_dir / f"{run.run_id}.{suffix}.parquet"
            if table is not None:
                write_atomic(path, lambda p, t=table: t.to_parquet(p, index=False))
            else:
                path.unlink(missing_ok=True)
        row: dict[str, Any] = {
            "run_index": run.index,
            "run_id": run.run_id,
            "scenario": run.scenario,
        }
        row.update({key: param_value(value) for key, value in run.params.items()})
        row.update(
            replication=run.replication,
            seed=run.seed,
            status=outcome.status,
            error=outcome.error,
            duration_s=outcome.duration_s,
        )
        row.update(outcome.metrics)
        table = pa.Table.from_pylist([row])  # pyarrow directly: a third of pandas' cost
        write_atomic(self.row_path(run.run_id), lambda p: pq.write_table(table, p))

    # ------------------------------------------------------------------ tables
    def consolidate(self) -> pd.DataFrame:
        """Rebuild ``runs.parquet`` and the curve tables from ``runs/``; return the runs."""
        runs, coverage, timelines = collect_tables(
            self.runs_dir, [run.run_id for run in self.plan], list(self.experiment.grid)
        )
        write_atomic(self.out_dir / RUNS, lambda p: runs.to_parquet(p, index=False))
        for name, table in ((COVERAGE, coverage), (TIMELINES, timelines)):
            if table is None:
                (self.out_dir / name).unlink(missing_ok=True)
            else:
                write_atomic(self.out_dir / name, lambda p, t=table: t.to_parquet(p, index=False))
        return runs

    # ------------------------------------------------------------------ manifest
    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` atomically."""
        manifest["updated_utc"] = _now()
        text = json.dumps(manifest, indent=2, default=str, allow_nan=True) + "\n"
        write_atomic(self.out_dir / MANIFEST, lambda p: p.write_text(text))


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
        row = pd.read_parquet(path)
        rows.append(row)
        if row["status"].iat[0] != "ok":
            continue
        for suffix, bucket in (("coverage", coverage), ("timeline", timelines)):
            curve = runs_dir / f"{run_id}.{suffix}.parquet"
            if curve.is_file():
                table = pd.read_parquet(curve)
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


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _differences(old: dict, new: dict) -> list[str]:
    a, b = _flatten(old), _flatten(new)
    out = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            out.append(f"{key} added")
        elif key not in b:
            out.append(f"{key} removed")
        elif json.dumps(a[key], default=str) != json.dumps(b[key], default=str):
            out.append(f"{key} was {a[key]!r}, now {b[key]!r}")
    return out


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Read a batch folder's manifest.

    Raises
    ------
    ExperimentError
        When ``folder`` holds no batch.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ExperimentError(
            f"{folder} holds no batch results (no {MANIFEST}); run `sim batch EXPERIMENT` "
            "first and pass its results folder"
        )
    return json.loads(path.read_text())
