"""Run an experiment's batch on local worker processes or a Dask cluster, resumably.

>>> from sim.batch.experiment import load_experiment
>>> from sim.batch.runner import run_batch
>>> report = run_batch(load_experiment("force_levels", small=True), workers=2)  # doctest: +SKIP

Runs go to the executor in plan order and come back in any order; the parent process
records each one as it arrives (:class:`sim.batch.store.ResultsFolder`), so the
results do not depend on the executor or the number of workers, and a worker never
needs to see the results folder (Dask workers may be on other machines).

Before anything is written, every configuration is built and checked against its
region (each region loaded once), the results folder is checked and the executor
connected (:mod:`sim.batch.executors`); a bad value, folder or scheduler address is then
an error with nothing on disk. Ctrl-C stops the workers at once and keeps every run
finished so far.

Every worker process keeps the networks it compiled (see
:func:`sim.batch.worker.network_for`), so a network is compiled once per worker.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.batch.executors import make_executor
from sim.batch.experiment import Experiment, PlannedRun, configuration_text
from sim.batch.keys import ExperimentError
from sim.batch.store import ResultsFolder, seeded_as_begun
from sim.batch.worker import RunTask
from sim.errors import SimError
from sim.files.outputs import safe_name

DEFAULT_RESULTS = Path("results")


@dataclass(frozen=True, kw_only=True)
class BatchReport:
    """What a batch did.

    Attributes
    ----------
    out_dir
        The results folder.
    planned, kept, ran, failed, missing
        Runs in the plan; finished earlier and kept (``--resume``); run now; failed
        among all recorded runs; not finished (still to do after an interruption).
    wall_s
        Wall time of this batch, seconds.
    run_s
        Sum of the runs' own durations (network loading excluded), seconds.
    network_loads
        Networks compiled by the workers during this batch.
    executor, workers
        Where the runs went.
    healed
        Runs whose files were damaged and that were run again (one line each).
    """

    out_dir: Path
    planned: int
    kept: int
    ran: int
    failed: int
    missing: int
    wall_s: float
    run_s: float
    network_loads: int
    executor: str
    workers: int
    healed: tuple[str, ...] = ()


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: the workers are stopped, finished runs are recorded."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__("interrupted")
        self.report = report


def default_out_dir(experiment: Experiment) -> Path:
    """``results/<experiment>`` (``-small`` in small mode), the name made file-safe."""
    name = safe_name(experiment.name, fallback="experiment")
    return DEFAULT_RESULTS / (f"{name}-small" if experiment.small else name)


def check_plan(experiment: Experiment, plan: list[PlannedRun]) -> None:
    """Check every configuration against its region before anything runs.

    Each distinct region is loaded once (and kept for this process, see
    :func:`sim.batch.worker.network_for`); a configuration naming an unknown
    jurisdiction, settlement or well, or a region file that does not exist, is an
    :class:`ExperimentError` naming the configuration.
    """
    from sim.batch.worker import network_for
    from sim.scenarios.check import check_against_network
    from sim.scenarios.scenario import scenario_from_dict

    seen: set[tuple] = set()
    for run in plan:
        if run.config in seen:
            continue
        seen.add(run.config)
        where = f"{experiment.source}: {configuration_text(experiment, run.scenario, run.params)}"
        try:
            scenario = scenario_from_dict(run.scenario_data, source=where)
            network, _ = network_for(scenario)
            check_against_network(scenario, network, source=where)
        except ExperimentError:
            raise
        except SimError as exc:
            message = str(exc)
            raise ExperimentError(message if where in message else f"{where}: {message}") from None


def run_batch(
    experiment: Experiment,
    *,
    out_dir: str | Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    dask_local: bool = False,
    resume: bool = False,
    retry_failed: bool = False,
    force: bool = False,
    progress: bool = False,
    say: Callable[[str], object] | None = None,
) -> BatchReport:
    """Run every planned run not yet finished and write the results folder.

    Parameters
    ----------
    experiment
        A loaded experiment (:func:`sim.batch.experiment.load_experiment`).
    out_dir
        Results folder (default :func:`default_out_dir`).
    workers
        Local worker processes, or the size of the Dask ``LocalCluster``.
    scheduler
        Address of a Dask scheduler: run on that cluster instead of local processes.
    dask_local
        Start a Dask ``LocalCluster`` of ``workers`` processes on this machine.
    resume
        Continue the batch in ``out_dir``, keeping every finished run.
    retry_failed
        With ``resume``, run again the runs recorded as failed.
    force
        Write into a folder that holds other files (they are left alone).
    progress
        Show a progress bar (runs done, failures, time left) on standard error.
    say
        Called with one-line messages: runs run again because their files were damaged,
        and the plan (runs, runs kept, where they go), before any run starts.

    Raises
    ------
    SimError
        Bad options, a configuration its region rejects, a folder holding another batch,
        a changed experiment on resume, an unreachable scheduler; nothing is written.
    BatchInterrupted
        On Ctrl-C, once the workers are stopped and the folder is consistent.
    """
    if workers < 1:
        raise SimError(f"--workers must be >= 1, got {workers}")
    if scheduler is not None and dask_local:
        raise SimError("give --scheduler ADDRESS or --dask-local, not both")
    if retry_failed and not resume:
        raise SimError("--retry-failed continues a batch; pass it with --resume")
    started = time.perf_counter()
    out = Path(out_dir or default_out_dir(experiment))
    if resume:
        experiment = seeded_as_begun(experiment, out)
    plan = experiment.plan()
    check_plan(experiment, plan)
    folder = ResultsFolder(out, experiment, plan)
    folder.check(resume=resume, force=force)
    executor = make_executor(workers=workers, scheduler=scheduler, dask_local=dask_local)
    with executor:
        manifest = folder.open(resume=resume)
        try:
            return _run(
                experiment, plan, folder, manifest, executor,
                started=started, retry_failed=retry_failed, progress=progress, say=say,
                workers=workers, scheduler=scheduler,
            )  # fmt: skip
        finally:
            folder.close()


def _run(
    experiment: Experiment,
    plan: list[PlannedRun],
    folder: ResultsFolder,
    manifest: dict,
    executor,
    *,
    started: float,
    retry_failed: bool,
    progress: bool,
    say: Callable[[str], object] | None,
    workers: int,
    scheduler: str | None,
) -> BatchReport:
    finished, healed = folder.finished()
    folder.consolidate()
    redo = {rid for rid, status in finished.items() if status != "ok"} if retry_failed else set()
    todo = [r for r in plan if r.run_id not in finished or r.run_id in redo]
    tasks = [
        RunTask(
            run_id=r.run_id,
            scenario_data=r.scenario_data,
            seed=r.seed,
            curves=experiment.curves,
            model=experiment.model,
        )
        for r in todo
    ]
    if say is not None:
        for line in healed:
            say(line)
        say(_plan_line(experiment, len(plan), len(plan) - len(todo), executor.kind, workers,
                       scheduler))  # fmt: skip
    counts = {"ran": 0, "failed_now": 0, "loads": 0}
    run_s = 0.0
    failed_before = sum(s != "ok" for rid, s in finished.items() if rid not in redo)
    bar = _progress_bar(experiment.name, len(plan), len(plan) - len(todo), progress)
    bar.set_postfix(failed=failed_before, first="loading region and running")
    ticker = _Ticker(bar) if progress and todo else None
    interrupted = False
    try:
        for outcome in executor.run(tasks):
            folder.record(outcome)
            counts["ran"] += 1
            counts["loads"] += int(outcome.network_loaded)
            if outcome.status == "ok":
                run_s += outcome.duration_s
            else:
                counts["failed_now"] += 1
                bar.write(f"run {outcome.run_id} failed: {outcome.error}", file=sys.stderr)
            bar.set_postfix(failed=failed_before + counts["failed_now"], refresh=False)
            bar.update(1)
            if ticker is not None and counts["ran"] >= 1:
                ticker.stop()  # tqdm's own rate and time left take over from here
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if ticker is not None:
            ticker.stop()
        bar.close()
        runs = folder.consolidate()
        failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
        missing = len(plan) - len(runs)
        manifest["status"] = "complete" if missing == 0 else "incomplete"
        manifest["counts"] = {
            "planned": len(plan),
            "ok": len(runs) - failed,
            "failed": failed,
            "missing": missing,
        }
        wall_s = time.perf_counter() - started
        manifest["batches"].append(
            {
                "started_utc": manifest["updated_utc"],
                "executor": executor.kind,
                "workers": workers,
                "scheduler": scheduler,
                "kept_runs": len(plan) - len(todo),
                "ran_runs": counts["ran"],
                "failed_runs": counts["failed_now"],
                "network_loads": counts["loads"],
                "run_s": round(run_s, 3),
                "wall_s": round(wall_s, 3),
                "interrupted": interrupted,
            }
        )
        folder.write_manifest(manifest)
    report = BatchReport(
        out_dir=folder.out_dir,
        planned=len(plan),
        kept=len(plan) - len(todo),
        ran=counts["ran"],
        failed=failed,
        missing=missing,
        wall_s=wall_s,
        run_s=run_s,
        network_loads=counts["loads"],
        executor=executor.kind,
        workers=workers,
        healed=tuple(healed),
    )
    if interrupted:
        raise BatchInterrupted(report)
    return report


def _plan_line(
    experiment: Experiment,
    planned: int,
    kept: int,
    executor: str,
    workers: int,
    scheduler: str | None,
) -> str:
    if scheduler is not None:
        where = f"the Dask cluster at {scheduler}"
    elif executor == "dask":
        where = f"a Dask LocalCluster of {workers} worker{'s' if workers > 1 else ''}"
    else:
        where = f"{workers} local worker process{'es' if workers > 1 else ''}"
    n_config, n_rep = len(experiment.configurations), experiment.replications
    line = (
        f"{experiment.name}{' (small)' if experiment.small else ''}: "
        f"{n_config} configuration{'s' if n_config != 1 else ''} x {n_rep} "
        f"replication{'s' if n_rep != 1 else ''} = {planned} run{'s' if planned != 1 else ''}"
    )
    if kept:
        line += f", {kept} finished earlier and kept"
    return f"{line}; running {planned - kept} on {where}"


class _Ticker:
    """Redraw a bar every second until the first run ends, so its clock never sits still.

    tqdm redraws only on updates; the first run of each worker loads its region and
    runs the whole scenario (30-70 s for a full-size region), so without this the bar
    showed 0 % and no time for that long. The postfix says what is happening.
    """

    def __init__(self, bar, every_s: float = 1.0) -> None:
        import threading

        self._bar = bar
        self._done = threading.Event()
        self._every_s = every_s
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def _tick(self) -> None:
        while not self._done.wait(self._every_s):
            self._bar.refresh()

    def stop(self) -> None:
        """Stop redrawing (idempotent)."""
        if not self._done.is_set():
            self._done.set()
            self._thread.join()


def _progress_bar(name: str, total: int, initial: int, show: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        desc=name,
        unit="run",
        file=sys.stderr,
        disable=not show,
        dynamic_ncols=True,
    )
