"""One run of a batch, as a worker process (local pool or Dask worker) executes it.

The road network is compiled once per worker process: :func:`network_for` keeps a
per-process dictionary keyed by the scenario's region spec, so every later run on the
same region reuses it (and workers on one machine take turns building a region's cache
file). Each scenario is checked against its network as ``sim run`` does. A run that
raises is returned as ``status = "failed"`` with its error; it never takes the batch
down. A worker keeps freed memory for its next run (:func:`keep_freed_memory`).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import hashlib
import json
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.metrics import evacuation_flows
from sim.network.compiled import RoadNetwork
from sim.scenarios.scenario import RegionSpec, Scenario

_NETWORKS: dict[str, RoadNetwork] = {}
_LOCK = threading.Lock()
_MEMORY_KEPT: bool | None = None
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc mallopt options

#: Summary entries that describe the run rather than measure it (kept out of the metrics).
_NOT_METRICS = ("schema_version", "scenario", "seed", "region", "policy", "horizon_s", "versions")

#: Time step of the evacuation and supply timeline, seconds.
TIMELINE_STEP_S = 300.0


@dataclass(frozen=True, kw_only=True)
class RunTask:
    """What a worker needs for one run (plain data, cheap to send to another machine)."""

    run_id: str
    scenario_data: dict
    seed: int
    curves: bool = True
    model: str | None = None  # ``module:Class`` or ``/abs/file.py:Class``


@dataclass(kw_only=True)
class RunOutcome:
    """What a worker sends back for one run."""

    run_id: str
    status: str  # "ok" or "failed"
    error: str = ""
    duration_s: float = float("nan")
    network_load_s: float = 0.0
    network_loaded: bool = False
    metrics: dict[str, float] = field(default_factory=dict)
    coverage: pd.DataFrame | None = None
    timeline: pd.DataFrame | None = None


def region_key(region: RegionSpec) -> str:
    """Return the cache key of a region spec: every field of it, as canonical JSON."""
    return json.dumps(dataclasses.asdict(region), sort_keys=True)


def network_for(scenario: Scenario) -> tuple[RoadNetwork, bool]:
    """Return this process's network for the scenario's region, and whether it was loaded now.

    Wraps :func:`sim.engine.runs.network_for` (which also reads the region's stations file) with
    a per-process cache keyed by :func:`region_key`, so a worker compiles each region
    once however many runs it executes.
    """
    from sim.engine.runs import network_for as load

    key = region_key(scenario.region)
    with _LOCK:
        if key in _NETWORKS:
            return _NETWORKS[key], False
        with _one_loader_per_machine(key):
            _NETWORKS[key] = load(scenario)
        return _NETWORKS[key], True


@contextlib.contextmanager
def _one_loader_per_machine(key: str) -> Iterator[None]:
    """Hold a lock file in the region cache folder while loading region ``key``.

    Workers on one machine start together and would all build a built-in region's cache
    file at once, racing on its temporary name; with the lock the first builds it and
    the others read it. Without ``fcntl`` or a writable cache folder: no lock.
    """
    try:
        import fcntl

        from sim.files.cache import cache_dir

        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(key.encode()).hexdigest()[:16]
        handle = open(folder / f".load-{digest}.lock", "a+")  # noqa: SIM115 - closed below
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # releases the lock


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse rather than return it to the system.

    A run allocates and frees many large arrays. Returning them to the system and
    faulting fresh pages back in on the next allocation can cost more than the run's
    arithmetic: on the 2-core virtual machine of the benchmarks two runs in parallel took
    2.3 s each instead of 0.7 s (CPU time 0.75 s), and 0.85 s with this setting. A
    worker does one run after another, so holding on to its peak memory is the better
    trade. Returns whether the setting was applied (False off glibc; nothing changes).
    """
    global _MEMORY_KEPT  # set once per process
    if _MEMORY_KEPT is None:
        try:
            libc = ctypes.CDLL("libc.so.6")
            ok = all(
                libc.mallopt(option, value) == 1
                for option, value in (
                    (_M_TRIM_THRESHOLD, 1 << 30),  # keep up to 1 GiB free at the heap top
                    (_M_TOP_PAD, 64 << 20),  # grow the heap 64 MiB at a time
                    (_M_MMAP_THRESHOLD, 32 << 20),  # heap (reused) below 32 MiB, the max
                )
            )
        except (OSError, AttributeError):
            ok = False
        _MEMORY_KEPT = ok
    return _MEMORY_KEPT


def execute(task: RunTask) -> RunOutcome:
    """Run one task; failures come back as an outcome with the error, never raised."""
    from sim.engine.model import EmergencyModel
    from sim.engine.plugins import load_model_class
    from sim.engine.runs import run
    from sim.scenarios.check import check_against_network
    from sim.scenarios.scenario import scenario_from_dict

    keep_freed_memory()
    try:
        scenario = scenario_from_dict(task.scenario_data, source=task.run_id)
        started = time.perf_counter()
        network, loaded = network_for(scenario)
        load_s = time.perf_counter() - started
        check_against_network(scenario, network, source=task.run_id)
        model_class = EmergencyModel if task.model is None else load_model_class(task.model)
        started = time.perf_counter()
        result = run(
            scenario, seed=task.seed, network=network, model_class=model_class, progress=False
        )
        duration_s = time.perf_counter() - started
    except Exception as exc:  # any failure of one run is recorded and the batch goes on
        return RunOutcome(run_id=task.run_id, status="failed", error=describe_error(exc))
    outcome = RunOutcome(
        run_id=task.run_id,
        status="ok",
        duration_s=duration_s,
        network_load_s=load_s,
        network_loaded=loaded,
        metrics=flatten_metrics(result.summary),
    )
    if task.curves:
        outcome.coverage = result.coverage_curve[
            ["tier", "jurisdiction", "minutes", "coverage_share"]
        ].reset_index(drop=True)
        outcome.timeline = timeline(
            result.events,
            horizon_s=scenario.horizon_s,
            kits_per_person=scenario.supply.kits_per_person,
        )
    return outcome


def describe_error(exc: BaseException) -> str:
    """``Type: message (file:line)`` of the innermost frame, on one line."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}{where}"


def flatten_metrics(summary: dict) -> dict[str, float]:
    """Return numeric summary entries as dotted columns (``coverage.all.ground_30min``)."""
    out: dict[str, float] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, bool | int | float | np.integer | np.floating):
            out[prefix] = float(value)

    for key, value in summary.items():
        if key not in _NOT_METRICS:
            walk(key, value)
    return out


def timeline(
    events: pd.DataFrame,
    *,
    horizon_s: float,
    kits_per_person: float,
    step_s: float = TIMELINE_STEP_S,
) -> pd.DataFrame:
    """Persons departed and sheltered, kits delivered and supply need met, every ``step_s``.

    ``supply_need_met_share`` is kits delivered so far / kits needed by the persons
    sheltered so far, capped at 1 (NaN before anyone is sheltered): the same measure as
    ``summary["supply"]["need_met_share_6h"]``, over time.
    """
    grid = np.arange(0.0, horizon_s + step_s / 2, step_s)
    columns: dict[str, np.ndarray] = {"time_s": grid}
    set_off, sheltered = evacuation_flows(events)  # as summary["evacuation"]
    flows = (
        (set_off, "departed_persons"),
        (sheltered, "sheltered_persons"),
        (events[events["kind"] == "delivery"], "kits_delivered"),
    )
    for rows, column in flows:
        total = np.concatenate(([0.0], rows["value"].cumsum().to_numpy(dtype=float)))
        columns[column] = total[np.searchsorted(rows["time_s"].to_numpy(), grid, side="right")]
    need = columns["sheltered_persons"] * kits_per_person
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(need > 0, np.minimum(columns["kits_delivered"] / need, 1.0), np.nan)
    columns["supply_need_met_share"] = share
    return pd.DataFrame(columns)
