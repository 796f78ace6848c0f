"""Where a batch's runs go: local worker processes, or a Dask cluster.

An executor is a context manager: entering it connects (a Dask scheduler is reached, or
its address refused, before the results folder is touched); :meth:`Executor.run` yields
each run's outcome as it arrives; leaving it on an error or Ctrl-C stops the workers at
once, and finished runs are already recorded by then.

``local``
    ``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes started by the
    ``forkserver`` method (``spawn`` where there is none), which imports the simulator
    once and forks the workers from it. Each worker holds the read end of a pipe whose
    only write end the batch holds: when the batch ends in any way (``kill -9``
    included) or closes it on Ctrl-C, every worker exits at once.
``dask``
    ``distributed.Client`` on ``scheduler`` (an address such as ``tcp://host:8786``;
    each worker machine needs this package installed), or on a ``LocalCluster`` of
    ``workers`` single-threaded processes started here. The local cluster speaks TLS
    with a certificate made for it alone (``Security.temporary()``), so no other process
    on the machine can join it as a client and run code as this user; it binds to the
    loopback interface only, and its HTTP listeners (which Dask always opens) serve no
    route at all: no dashboard, no metrics.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from sim.batch.worker import RunOutcome, RunTask, describe_error, execute
from sim.errors import SimError
from sim.files.cache import CACHE_ENV, cache_dir


class Executor(contextlib.AbstractContextManager):
    """Runs tasks somewhere and yields their outcomes (see the module docstring)."""

    kind = "local"

    def run(self, tasks: list[RunTask]) -> Iterator[RunOutcome]:  # pragma: no cover
        """Yield the outcome of every task, in the order they finish."""
        raise NotImplementedError


class LocalExecutor(Executor):
    """A pool of local worker processes."""

    kind = "local"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._keep_open: Connection | None = None
        self._parent_alive: Connection | None = None

    def __exit__(self, *exc_info: object) -> None:
        self._stop(now=exc_info[0] is not None)

    def run(self, tasks: list[RunTask]) -> Iterator[RunOutcome]:
        """Yield the outcome of every task, in the order they finish."""
        if not tasks:
            return
        context = _local_context()
        self._parent_alive, self._keep_open = context.Pipe(duplex=False)
        self._pool = ProcessPoolExecutor(
            max_workers=min(self.workers, len(tasks)),
            mp_context=context,
            initializer=_init_local_worker,
            initargs=(str(cache_dir()), self._parent_alive),
        )
        futures = [self._pool.submit(execute, task) for task in tasks]
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                raise SimError(
                    "a worker process died (out of memory, or killed); the finished runs "
                    "are kept: run the same command with --resume to continue"
                ) from None

    def _stop(self, *, now: bool) -> None:
        """Shut the pool down; ``now``: first close the pipe, so every worker exits at once."""
        if now and self._keep_open is not None:
            self._keep_open.close()
            self._keep_open = None
        if self._pool is not None:
            self._pool.shutdown(wait=not now, cancel_futures=True)
            self._pool = None
        for end in (self._keep_open, self._parent_alive):
            if end is not None:
                end.close()
        self._keep_open = self._parent_alive = None


def _knock(address: str) -> None:
    """Raise OSError or ValueError unless a TCP port answers at scheduler ``address``.

    Asked before a ``Client`` is made: one whose connection fails is left half made to
    the garbage collector (clients sit in reference cycles, dask/distributed issue
    7770), and when the collector freed it, its ``__del__`` waited in
    ``LoopRunner.stop`` on distributed's loop lock until the test's 40 s deadline (twice
    in full test runs; never alone). A refused port needs no ``Client``: the error is
    given at once. Other protocols than TCP and TLS (``inproc``, ``ucx``) are left to
    the ``Client``.
    """
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    scheme, where = parse_address(address)
    if scheme not in ("tcp", "tls"):
        return
    host, port = parse_host_port(where)
    with socket.create_connection((host, port), timeout=10.0):
        pass


class DaskExecutor(Executor):
    """A Dask cluster: the one at ``scheduler``, or a ``LocalCluster`` started here."""

    kind = "dask"

    def __init__(self, *, workers: int, scheduler: str | None) -> None:
        self.workers, self.scheduler = workers, scheduler
        self.cluster: Any = None
        self.client: Any = None

    def __enter__(self) -> DaskExecutor:
        import dask
        from distributed import Client, LocalCluster
        from distributed.security import Security

        if self.scheduler is None:
            security = Security.temporary()
            with dask.config.set(
                {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}
            ):
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    protocol="tls://",
                    security=security,
                    dashboard_address="127.0.0.1:0",
                    scheduler_kwargs={"dashboard": False},
                )
            self.client = Client(self.cluster, security=security)
            return self
        try:
            _knock(self.scheduler)
            self.client = Client(self.scheduler, timeout=10)
        except (OSError, ValueError, TypeError) as exc:
            raise SimError(
                f"--scheduler {self.scheduler}: cannot reach a Dask scheduler there "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]}); give an address "
                "such as tcp://HOST:8786 of a running scheduler"
            ) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, tasks: list[RunTask]) -> Iterator[RunOutcome]:
        """Yield the outcome of every task, in the order they finish."""
        if not tasks:
            return
        import uuid

        from distributed import as_completed as dask_as_completed

        token = uuid.uuid4().hex[:8]
        futures = {
            self.client.submit(execute, task, key=f"sim-run-{task.run_id}-{token}"): task
            for task in tasks
        }
        try:
            for future in dask_as_completed(futures):
                task = futures[future]
                if future.status == "error":  # e.g. the worker died on it (KilledWorker)
                    error = describe_error(future.exception())
                    yield RunOutcome(run_id=task.run_id, status="failed", error=error)
                else:
                    yield future.result()
                future.release()
        finally:
            self.client.cancel(list(futures), force=True)


def make_executor(*, workers: int, scheduler: str | None, dask_local: bool) -> Executor:
    """Return the executor the options ask for."""
    if scheduler is not None or dask_local:
        return DaskExecutor(workers=workers, scheduler=scheduler)
    return LocalExecutor(workers)


def _init_local_worker(cache_folder: str, parent_alive: Connection) -> None:
    """Set up a local worker: the parent's cache folder, and exit when the parent goes.

    A forkserver may predate the parent's ``$SIM_CACHE_DIR``, so the parent's cache
    folder is passed on here. ``parent_alive`` is the read end of a pipe whose only
    write end the batch process holds: it reaches end-of-file when that process ends in
    any way (``kill -9`` included) or closes it, and the worker then exits at once.
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
        context.set_forkserver_preload(["sim.batch.worker", "sim.engine.runs"])
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows
