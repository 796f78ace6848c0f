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
between leaves the previous complete version. A run file that cannot be read (a crash in
the middle of a write, a damaged disk) counts as unfinished: a resume says so and runs
it again. A ``flock`` on the folder keeps two batches from writing it at once (released
by the system when a process dies, ``kill -9`` included; no lock file is left).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.collect import (
    COVERAGE,
    MANIFEST,
    MANIFEST_VERSION,
    RUNS,
    TIMELINES,
    collect_tables,
    is_batch_folder,
    param_value,
    read_manifest,
)
from sim.batch.experiment import Experiment, PlannedRun
from sim.batch.keys import ExperimentError
from sim.batch.worker import RunOutcome
from sim.files.atomic import write_atomic
from sim.files.jsonfile import write_json
from sim.files.outputs import OutputError, check_output_folder, remove_stale_temporaries
from sim.files.readers import FileError, read_parquet


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def seeded_as_begun(experiment: Experiment, folder: Path) -> Experiment:
    """Return ``experiment`` with the seeding the batch in ``folder`` was begun with.

    Only when the experiment file names no seeding: the default became ``"common"``, and
    a batch begun under the older default (its manifest says ``"per_run"``) is finished
    with the seeds it started with, so no finished run is lost and none is mixed with
    runs seeded the other way.
    """
    if "seeding" in experiment.settings or "seeding" in experiment.settings.get("small", {}):
        return experiment
    try:
        begun = read_manifest(folder).get("seeding") if (folder / MANIFEST).is_file() else None
    except ExperimentError:
        return experiment  # a damaged manifest: the folder check says so
    if begun in ("per_run", "common") and begun != experiment.seeding:
        return dataclasses.replace(experiment, seeding=begun)
    return experiment


class ResultsFolder:
    """A batch's results folder: checks a resume, records runs, consolidates tables."""

    def __init__(self, out_dir: Path, experiment: Experiment, plan: list[PlannedRun]) -> None:
        self.out_dir = Path(out_dir)
        self.runs_dir = self.out_dir / "runs"
        self.experiment = experiment
        self.plan = plan
        self.by_id = {run.run_id: run for run in plan}
        self._lock_fd: int | None = None
        self._old: dict[str, Any] | None = None

    # ------------------------------------------------------------------ opening
    def check(self, *, resume: bool, force: bool = False) -> None:
        """Check the folder without writing anything (call before any work starts).

        Raises
        ------
        ExperimentError
            When the folder is a file or cannot be written, holds another batch (without
            ``resume``), a batch of a changed experiment, a damaged manifest, or files
            that are not a batch (unless ``force``).
        """
        try:
            check_output_folder(
                self.out_dir,
                is_ours=is_batch_folder,
                force=force or resume,
                what="batch",
                writes=(MANIFEST, RUNS, COVERAGE, TIMELINES, self.runs_dir.name),
            )
        except OutputError as exc:
            raise ExperimentError(str(exc)) from None
        manifest_path = self.out_dir / MANIFEST
        if not manifest_path.is_file():
            if resume and self.out_dir.is_dir() and any(self.out_dir.iterdir()):
                raise ExperimentError(
                    f"{self.out_dir} holds no batch to resume (no {MANIFEST}); start it "
                    "without --resume, or give the folder of the batch"
                )
            return
        old = read_manifest(self.out_dir)
        if not resume:
            done = len(list(self.runs_dir.glob("*-r[0-9][0-9][0-9].parquet")))
            raise ExperimentError(
                f"{self.out_dir} already holds a batch of {old.get('experiment')!r} "
                f"({done} of {len(old.get('runs', []))} runs finished); pass --resume to "
                "continue it, or --out NEW_FOLDER to start another"
            )
        self._check_same(old)
        self._old = old

    def open(self, *, resume: bool) -> dict[str, Any]:
        """Take the folder's lock and write the manifest; return the manifest.

        Call :meth:`check` first. The lock is a ``flock`` on the folder itself: the
        system releases it when the process ends (``kill -9`` included) and no lock
        file is left behind.
        """
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        manifest = self._new_manifest(self._old if resume else None)
        self.write_manifest(manifest)  # first, so a folder with anything else is a batch
        self.runs_dir.mkdir(exist_ok=True)
        for folder in (self.out_dir, self.runs_dir):  # temporaries left by a killed writer
            remove_stale_temporaries(folder)
        (self.out_dir / ".lock").unlink(missing_ok=True)  # left by versions before 0.2
        return manifest

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        fd = os.open(self.out_dir, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ExperimentError(
                f"another `sim batch` is writing to {self.out_dir}; wait for it to finish "
                "or stop it first"
            ) from None
        self._lock_fd = fd

    def close(self) -> None:
        """Release the folder's lock."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

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
            "created_utc": old.get("created_utc", _now()) if old else _now(),
            "updated_utc": _now(),
            "status": "running",
            "counts": old.get("counts", {}) if old else {},
            "batches": old.get("batches", []) if old else [],
        }

    # ------------------------------------------------------------------ runs
    def row_path(self, run_id: str) -> Path:
        """Return the file whose presence means run ``run_id`` finished."""
        return self.runs_dir / f"{run_id}.parquet"

    def finished(self) -> tuple[dict[str, str], list[str]]:
        """``run_id -> status`` of every planned run recorded whole, and what was not.

        A run file that cannot be read, or a run that finished without error but whose
        curve files (when the experiment keeps curves) are missing or damaged, counts as
        unfinished: its files are removed so that it is run again, and a line for each
        is returned.
        """
        out, healed = {}, []
        for run in self.plan:
            path = self.row_path(run.run_id)
            if not path.is_file():
                continue
            problem = ""
            try:
                row = read_parquet(path, columns=["status"], what="run row")
                status = str(row["status"].iat[0])
            except (FileError, IndexError) as exc:
                problem, status = str(exc), ""
            if status == "ok" and self.experiment.curves and not problem:
                for suffix in ("coverage", "timeline"):
                    curve = self.runs_dir / f"{run.run_id}.{suffix}.parquet"
                    try:
                        read_parquet(curve, what=f"{suffix} curve")
                    except FileError as exc:
                        problem = str(exc)
                        break
            if problem:
                self._forget(run.run_id)
                healed.append(f"run {run.run_id} is run again: {problem}")
                continue
            out[run.run_id] = status
        return out, healed

    def _forget(self, run_id: str) -> None:
        for suffix in ("", ".coverage", ".timeline"):
            (self.runs_dir / f"{run_id}{suffix}.parquet").unlink(missing_ok=True)

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
        """Write ``manifest.json`` atomically, as strict JSON."""
        manifest["updated_utc"] = _now()
        write_atomic(self.out_dir / MANIFEST, lambda p: write_json(p, manifest))


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
