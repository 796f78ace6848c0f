"""``sim batch --resume`` after the batch process is really killed (SIGKILL) mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest

from sim.batch.experiment import load_experiment
from sim.batch.store import ResultsFolder
from sim.cli.app import main
from tests.batch_fixtures import write_toy_experiment

REPLICATIONS = 15  # x 2 linkages = 30 runs of ~0.05-0.1 s on one worker
PLANNED = 2 * REPLICATIONS


def _row_files(out: Path) -> dict[str, tuple[int, int, bytes]]:
    """Finished runs: run id -> (inode, mtime_ns, bytes) of its row file."""
    files = {}
    for path in (out / "runs").glob("*-r[0-9][0-9][0-9].parquet"):
        stat = path.stat()
        files[path.stem] = (stat.st_ino, stat.st_mtime_ns, path.read_bytes())
    return files


def _kill_mid_batch(experiment: Path, out: Path) -> tuple[int, list[psutil.Process]]:
    """Start `sim batch` in a subprocess, SIGKILL it once 5 runs finished; return its workers."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "batch",
            str(experiment),
            "--out",
            str(out),
            "--workers",
            "1",
            "--no-progress",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while len(list((out / "runs").glob("*-r[0-9][0-9][0-9].parquet"))) < 5:
            assert proc.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, "the batch did not start"
            time.sleep(0.01)
        workers = psutil.Process(proc.pid).children(recursive=True)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode, workers


def _table(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path).drop(columns=["duration_s"])  # wall clock: differs


def test_resume_after_kill_keeps_finished_runs_and_recomputes_none(tmp_path, capsys) -> None:
    experiment = write_toy_experiment(tmp_path, replications=REPLICATIONS)
    out = tmp_path / "killed"
    code, workers = _kill_mid_batch(experiment, out)
    assert code == -signal.SIGKILL
    # the worker processes notice and exit instead of lingering
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"workers still alive after the batch was killed: {alive}"

    finished = _row_files(out)
    assert 5 <= len(finished) < PLANNED, "killed mid-batch"
    # nothing under a final name is truncated
    for path in out.rglob("*.parquet"):
        pq.read_metadata(path)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running" and len(manifest["runs"]) == PLANNED
    # a killed batch still reports every run it finished (read from runs/)
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    overview = f"{len(finished)} finished, 0 failed, {PLANNED - len(finished)} not run"
    assert overview in (tmp_path / "report" / "report.md").read_text()

    assert main(["batch", str(experiment), "--out", str(out), "--resume", "--no-progress"]) == 0
    report = capsys.readouterr().out
    assert f"{len(finished)} kept, {PLANNED - len(finished)} run now, 0 failed" in report
    after = _row_files(out)
    assert len(after) == PLANNED
    for run_id, (inode, mtime_ns, data) in finished.items():  # untouched, not rewritten
        assert after[run_id] == (inode, mtime_ns, data), run_id
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    last = manifest["batches"][-1]
    assert (last["kept_runs"], last["ran_runs"]) == (len(finished), PLANNED - len(finished))

    fresh = tmp_path / "uninterrupted"
    assert main(["batch", str(experiment), "--out", str(fresh), "--no-progress"]) == 0
    pd.testing.assert_frame_equal(_table(out / "runs.parquet"), _table(fresh / "runs.parquet"))
    for name in ("coverage_curves.parquet", "timelines.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(fresh / name))

    # resuming a finished batch runs nothing
    assert main(["batch", str(experiment), "--out", str(out), "--resume", "--no-progress"]) == 0
    assert f"{PLANNED} kept, 0 run now" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace(f"replications = {REPLICATIONS}", "replications = 3"),
            "replications was 15, now 3",
        ),
        (
            lambda t: t.replace('"joint"]', '"joint", "notify"]'),
            "grid.policy.linkage was ['separate', 'joint'], now ['separate', 'joint', 'notify']",
        ),
    ],
)
def test_resume_of_a_changed_experiment_is_refused(tmp_path, capsys, edit, message) -> None:
    experiment = write_toy_experiment(tmp_path, replications=REPLICATIONS)
    out = tmp_path / "out"
    # a batch folder of the experiment as it was, with nothing run yet
    exp = load_experiment(experiment)
    folder = ResultsFolder(out, exp, exp.plan())
    folder.open(resume=False)
    folder.close()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    experiment.write_text(edit(experiment.read_text()))
    assert main(["batch", str(experiment), "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: cannot resume"), err
    assert message in lines[0]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
