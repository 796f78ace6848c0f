"""Nothing is lost: killed writes, damaged files, Ctrl-C, names that try to escape.

Real processes and real signals: ``sim run`` killed with SIGKILL while it writes its
folder, ``sim batch`` stopped with SIGINT, run files damaged on disk before a resume.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq

from sim.cli.app import main
from sim.files.outputs import WRITING_MARK
from tests.batch_fixtures import write_toy_experiment
from tests.test_bad_input import BASE, snapshot

ROOT = Path(__file__).resolve().parent.parent


def _partials(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith((".partial", ".old"))]


def test_names_from_files_cannot_write_outside_results(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "escape.toml").write_text(
        BASE.replace('name = "base"', 'name = "../../../somewhere/ESCAPED"')
    )
    assert main(["run", "escape.toml", "--no-progress"]) == 0
    assert (tmp_path / "results" / "somewhere_ESCAPED-separate-seed0" / "summary.json").is_file()
    experiment = write_toy_experiment(tmp_path, replications=1, name="exp")
    experiment.write_text(experiment.read_text().replace('name = "exp"', 'name = "../../OUT"'))
    assert main(["batch", str(experiment), "--no-progress"]) == 0
    assert (tmp_path / "results" / "OUT" / "manifest.json").is_file()
    outside = [p for p in tmp_path.parent.iterdir() if p.name in ("somewhere", "OUT")]
    assert not outside and not (tmp_path.parent.parent / "somewhere").exists()
    capsys.readouterr()


def test_replacing_a_run_keeps_other_files_and_drops_what_described_the_old_run(
    tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.toml").write_text(BASE)
    assert main(["run", "base.toml", "--out", "run", "--no-progress"]) == 0
    (tmp_path / "run" / "notes.txt").write_text("the drill went well")
    # a page and a figure under names sim writes, but not sim's (no mark): the user's, kept
    # (tests/test_marks.py: the replays and figures sim wrote are dropped)
    (tmp_path / "run" / "replay.html").write_text("<html>the old run</html>")
    (tmp_path / "run" / "plots").mkdir()
    (tmp_path / "run" / "plots" / "response_map.png").write_bytes(b"old")
    first = (tmp_path / "run" / "summary.json").read_text()
    (tmp_path / "run" / "hazard_frames.parquet").write_bytes(b"of the old run")
    assert main(["run", "base.toml", "--out", "run", "--seed", "1", "--no-progress"]) == 0
    run = tmp_path / "run"
    assert (run / "notes.txt").read_text() == "the drill went well"
    assert (run / "replay.html").read_text() == "<html>the old run</html>"
    assert (run / "plots" / "response_map.png").read_bytes() == b"old"
    assert not (run / "hazard_frames.parquet").exists()  # a run file the new run lacks
    assert (run / "summary.json").read_text() != first  # seed 1 now
    assert json.loads((run / "summary.json").read_text())["seed"] == 1
    assert not (run / WRITING_MARK).exists() and not _partials(tmp_path)
    # a folder with the user's files but no run of this tool is refused, untouched
    before = snapshot(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.txt").write_text("x")
    before = snapshot(tmp_path)
    assert main(["run", "base.toml", "--out", "mine", "--no-progress"]) == 2
    assert snapshot(tmp_path) == before
    # ... unless --force: then the run is written next to the user's file
    assert main(["run", "base.toml", "--out", "mine", "--force", "--no-progress"]) == 0
    assert (tmp_path / "mine" / "a.txt").read_text() == "x"
    assert (tmp_path / "mine" / "summary.json").is_file()
    capsys.readouterr()


def test_force_never_writes_over_a_users_file_of_the_same_name(
    tmp_path, monkeypatch, capsys
) -> None:
    """--force writes beside the user's files; one under a name sim writes is refused."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.toml").write_text(BASE)
    cases = {  # folder: (a user's file under a name the command writes, the command)
        "run": ("summary.json", ["run", "base.toml", "--out", "run", "--no-progress"]),
        "plots": ("plots", ["run", "base.toml", "--out", "plots", "--no-progress"]),  # stale
        "batch": ("runs.parquet", ["batch", "EXPERIMENT", "--out", "batch", "--no-progress"]),
        "report": ("coverage_flood.png", ["report", "done", "--out", "report"]),
    }
    experiment = write_toy_experiment(tmp_path, replications=1)
    assert main(["batch", str(experiment), "--out", "done", "--no-progress"]) == 0
    for folder, (name, command) in cases.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.txt").write_text("mine")
        if name == "plots":
            (tmp_path / folder / name).mkdir()
            (tmp_path / folder / name / "map.png").write_bytes(b"mine")
        else:
            (tmp_path / folder / name).write_text("the planner's own")
        command = [str(experiment) if c == "EXPERIMENT" else c for c in command]
        before = snapshot(tmp_path)
        capsys.readouterr()
        assert main([*command, "--force"]) == 2, folder
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and repr(name) in err[0] and "would replace" in err[0], err
        assert snapshot(tmp_path) == before, folder


def _strict(text: str) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_summary_and_manifest_are_strict_json(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.toml").write_text(BASE)  # no incidents: every coverage is "not measured"
    assert main(["run", "base.toml", "--out", "run", "--no-progress"]) == 0
    summary = _strict((tmp_path / "run" / "summary.json").read_text())
    assert summary["coverage"]["all"]["ground_30min"] is None  # NaN: no incident needed it
    assert summary["evacuation"]["clearance_100pct_s"] is None  # inf: not by the horizon
    # the replay and plots read the nulls back
    assert main(["animate", "run", "--format", "html", "--no-progress"]) == 0
    experiment = write_toy_experiment(tmp_path, replications=1)
    assert main(["batch", str(experiment), "--out", "batch", "--no-progress"]) == 0
    _strict((tmp_path / "batch" / "manifest.json").read_text())
    assert not (tmp_path / "batch" / ".lock").exists()
    capsys.readouterr()


SLOW_WRITER = """
import sys, time
import sim.files.outputs as outputs
real = outputs.write_atomic


def slow(path, write):  # a slow disk: half a second per file
    time.sleep(0.5)
    return real(path, write)


outputs.write_atomic = slow
from sim.cli.app import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_run_killed_while_writing_is_replaced_cleanly(tmp_path) -> None:
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "slow.py").write_text(textwrap.dedent(SLOW_WRITER))
    argv = [sys.executable, "slow.py", "run", "base.toml", "--out", "run", "--no-progress"]
    proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (tmp_path / "run" / "events.parquet").exists():  # some files written, not all
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the run did not start writing"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    run = tmp_path / "run"
    assert (run / WRITING_MARK).exists() and not (run / "summary.json").exists()
    for path in run.glob("*.parquet"):  # what is under a final name is whole
        pq.read_metadata(path)
    # the half-written folder is refused by readers, with the fix
    result = subprocess.run(
        [sys.executable, "-m", "sim.cli", "animate", "run", "--format", "html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "was being written when sim stopped" in result.stderr
    # the next run replaces it and leaves no temporary behind
    again = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "base.toml", "--out", "run", "--no-progress"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert not (run / WRITING_MARK).exists() and (run / "summary.json").is_file()
    assert not _partials(tmp_path)


def test_resume_runs_again_what_was_damaged_and_keeps_the_rest(tmp_path, capsys) -> None:
    experiment = write_toy_experiment(tmp_path, replications=2)
    out = tmp_path / "batch"
    assert main(["batch", str(experiment), "--out", str(out), "--no-progress"]) == 0
    rows = sorted((out / "runs").glob("*-r[0-9][0-9][0-9].parquet"))
    damaged, curveless = rows[0], rows[1]
    damaged.write_bytes(damaged.read_bytes()[:40])  # a truncated row file
    timeline = curveless.with_name(curveless.stem + ".timeline.parquet")
    timeline.unlink()  # a deleted curve file
    kept = {p: p.stat().st_mtime_ns for p in rows[2:]}
    capsys.readouterr()
    assert main(["batch", str(experiment), "--out", str(out), "--resume", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert f"run {damaged.stem} is run again" in captured.err
    assert f"run {curveless.stem} is run again" in captured.err and "timeline" in captured.err
    assert "2 kept, 2 run now, 0 failed" in captured.out
    assert {p: p.stat().st_mtime_ns for p in rows[2:]} == kept  # untouched
    pq.read_metadata(damaged)
    assert timeline.is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    timelines = pd.read_parquet(out / "timelines.parquet")
    assert set(timelines["run_id"]) == {p.stem for p in rows}  # derived tables match runs/
    assert main(["report", str(out)]) == 0


def _with_ctrl_c(command: list[str]) -> list[str]:
    """``command`` started with SIGINT unblocked and at its default, as from a shell.

    In full test runs the batch sometimes never saw the Ctrl-C and the test waited out
    its 30 s (a faulthandler dump showed its main thread still in ``as_completed``, no
    KeyboardInterrupt); alone it passed, on the commit before as on this one. A child
    inherits ignored and blocked signals, so the likely cause is a pytest worker that
    an earlier test left so (which one was not found). The test gives the batch the
    signal state a terminal would.
    """
    reset = (
        "import os, signal, sys; "
        "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
        "signal.signal(signal.SIGINT, signal.SIG_DFL); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    return [sys.executable, "-c", reset, *command]


def test_ctrl_c_stops_a_batch_and_its_workers_within_5_s(tmp_path) -> None:
    experiment = tmp_path / "slow.toml"
    experiment.write_text(
        'name = "slow"\nscenarios = ["flood"]\nreplications = 6\n'
        '[set]\n"region.population_persons" = 60000\n'
        '[grid]\n"policy.linkage" = ["separate"]\n'
    )
    proc = subprocess.Popen(
        _with_ctrl_c([sys.executable, "-m", "sim.cli", "batch", str(experiment), "--out", "out",
                      "--workers", "2", "--no-progress"]),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while not list((tmp_path / "out" / "runs").glob("*-r[0-9][0-9][0-9].parquet")):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "no run finished"
        time.sleep(0.05)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "the batch has worker processes"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=30)
    took = time.monotonic() - sent
    _, alive = psutil.wait_procs(workers, timeout=max(0.1, 5 - took))
    assert took < 5, f"the batch took {took:.1f} s to stop"
    assert not alive, f"workers still running: {alive}"
    err = proc.communicate()[1]
    assert code == 130 and "interrupted: the workers are stopped" in err and "--resume" in err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "incomplete" and manifest["batches"][-1]["interrupted"]
    finished = list((tmp_path / "out" / "runs").glob("*-r[0-9][0-9][0-9].parquet"))
    assert 1 <= len(finished) < 6
    for path in finished:
        pq.read_metadata(path)
    assert not _partials(tmp_path / "out")
