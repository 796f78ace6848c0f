"""Run an experiment's batch on local worker processes or a Dask cluster, resumably.

>>> from sim.batch.experiment import load_experiment
>>> from sim.batch.runner import run_batch
>>> report = run_batch(load_experiment("force_levels", small=True), workers=2)  # doctest: +SKIP

Runs go to the executor in plan order and come back in any order; the parent process
records each one as it arrives (:class:`sim.batch.store.ResultsFolder`), so the
results do not depend on the executor or the number of workers, and a worker never
needs to see the results folder (Dask workers may be on other machines).

Executors
---------
``local`` (default)
    ``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes started by the
    ``forkserver`` method (``spawn`` where there is none), which imports the simulator
    once and forks the workers from it.
``dask``
    ``distributed.Client`` on ``scheduler`` (an address such as ``tcp://host:8786``;
    each worker machine needs this package installed), or on a ``LocalCluster`` of
    ``workers`` single-threaded processes started here (``dask_local``).

Every worker process keeps the networks it compiled (see
:func:`sim.batch.worker.network_for`), so a network is compiled once per worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from sim.batch.experiment import Experiment
from sim.batch.store import ResultsFolder
from sim.batch.worker import RunOutcome, RunTask, describe_error, execute
from sim.errors import SimError
from sim.files.cache import CACHE_ENV, cache_dir

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


def default_out_dir(experiment: Experiment) -> Path:
    """``results/<experiment>`` (``results/<experiment>-small`` in small mode)."""
    return DEFAULT_RESULTS / (f"{experiment.name}-small" if experiment.small else experiment.name)


def run_batch(
    experiment: Experiment,
    *,
    out_dir: str | Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    dask_local: bool = False,
    resume: bool = False,
    retry_failed: bool = False,
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
    progress
        Show a progress bar (runs done, failures, time left) on standard error.
    say
        Called with a one-line plan (runs, runs kept, where they go) once the options
        and the results folder are checked, before any run starts.

    Raises
    ------
    SimError
        Bad options, a folder holding another batch, a changed experiment on resume.
    """
    if workers < 1:
        raise SimError(f"--workers must be >= 1, got {workers}")
    if scheduler is not None and dask_local:
        raise SimError("give --scheduler ADDRESS or --dask-local, not both")
    if retry_failed and not resume:
        raise SimError("--retry-failed continues a batch; pass it with --resume")
    started = time.perf_counter()
    plan = experiment.plan()
    folder = ResultsFolder(Path(out_dir or default_out_dir(experiment)), experiment, plan)
    manifest = folder.open(resume=resume)
    executor = "dask" if scheduler is not None or dask_local else "local"
    try:
        finished = folder.finished()
        folder.consolidate()
        redo = (
            {rid for rid, status in finished.items() if status != "ok"} if retry_failed else set()
        )
        todo = [r for r in plan if r.run_id not in finished or r.run_id in redo]
        tasks = [
            RunTask(
                run_id=r.run_id,
                scenario_data=r.scenario_data,
                seed=r.seed,
                curves=experiment.curves,
            )
            for r in todo
        ]
        if say is not None:
            say(
                _plan_line(
                    experiment, len(plan), len(plan) - len(todo), executor, workers, scheduler
                )
            )
        counts = {"ran": 0, "failed_now": 0, "loads": 0}
        run_s = 0.0
        failed_before = sum(s != "ok" for rid, s in finished.items() if rid not in redo)
        bar = _progress_bar(experiment.name, len(plan), len(plan) - len(todo), progress)
        bar.set_postfix(failed=failed_before)
        try:
            if executor == "local":
                outcomes = _run_local(tasks, workers)
            else:
                outcomes = _run_dask(tasks, workers=workers, scheduler=scheduler)
            for outcome in outcomes:
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
        finally:
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
                    "executor": executor,
                    "workers": workers,
                    "scheduler": scheduler,
                    "kept_runs": len(plan) - len(todo),
                    "ran_runs": counts["ran"],
                    "failed_runs": counts["failed_now"],
                    "network_loads": counts["loads"],
                    "run_s": round(run_s, 3),
                    "wall_s": round(wall_s, 3),
                }
            )
            folder.write_manifest(manifest)
    finally:
        folder.close()
    return BatchReport(
        out_dir=folder.out_dir,
        planned=len(plan),
        kept=len(plan) - len(todo),
        ran=counts["ran"],
        failed=failed,
        missing=missing,
        wall_s=wall_s,
        run_s=run_s,
        network_loads=counts["loads"],
        executor=executor,
        workers=workers,
    )


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
    line = (
        f"{experiment.name}{' (small)' if experiment.small else ''}: "
        f"{len(experiment.configurations)} configurations x {experiment.replications} "
        f"replications = {planned} runs"
    )
    if kept:
        line += f", {kept} finished earlier and kept"
    return f"{line}; running {planned - kept} on {where}"


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


def _init_local_worker(cache_folder: str, parent_alive: Connection) -> None:
    """Set up a local worker: the parent's cache folder, and exit when the parent dies.

    A forkserver may predate the parent's ``$SIM_CACHE_DIR``, so the parent's cache
    folder is passed on here.
    ``parent_alive`` is the read end of a pipe whose only write end the batch process
    holds: it reaches end-of-file when that process ends in any way (``kill -9``
    included), and the worker then exits instead of lingering as an orphan.
    """
    os.environ[CACHE_ENV] = cache_folder
    watcher = threading.Thread(
        target=_exit_with_parent, args=(parent_alive,), name="sim-parent-watch", daemon=True
    )
    watcher.start()


def _exit_with_parent(parent_alive: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        parent_alive.recv_bytes()
    os._exit(1)


def _local_context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            ["sim.batch.worker", "sim.engine.runs", "sim.network.sources"]
        )
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def _run_local(tasks: list[RunTask], workers: int) -> Iterator[RunOutcome]:
    if not tasks:
        return
    context = _local_context()
    parent_alive, keep_open = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)),
        mp_context=context,
        initializer=_init_local_worker,
        initargs=(str(cache_dir()), parent_alive),
    )
    try:
        futures = [pool.submit(execute, task) for task in tasks]
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                raise SimError(
                    "a worker process died (out of memory, or killed); the finished runs "
                    "are kept: run the same command with --resume to continue"
                ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        keep_open.close()
        parent_alive.close()


def _run_dask(tasks: list[RunTask], *, workers: int, scheduler: str | None) -> Iterator[RunOutcome]:
    if not tasks:
        return
    import uuid

    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
    try:
        client = Client(cluster if cluster is not None else scheduler)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise SimError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    token = uuid.uuid4().hex[:8]
    try:
        futures = {
            client.submit(execute, task, key=f"sim-run-{task.run_id}-{token}"): task
            for task in tasks
        }
        for future in dask_as_completed(futures):
            task = futures[future]
            if future.status == "error":  # e.g. the worker died on it (KilledWorker)
                error = describe_error(future.exception())
                yield RunOutcome(run_id=task.run_id, status="failed", error=error)
            else:
                yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
