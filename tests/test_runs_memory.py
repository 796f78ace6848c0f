"""A finished run's model is freed: a batch worker runs many in one process."""

from __future__ import annotations

import gc
import weakref

from sim.engine.model import EmergencyModel
from sim.engine.runs import run
from tests.engine_fixtures import cut_off_scenario


def _watched_run() -> tuple[object, list[weakref.ref]]:
    """Run the cut-off toy; return its result and a weak reference to its model."""
    seen: list[weakref.ref] = []

    class Watched(EmergencyModel):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            seen.append(weakref.ref(self))

    scenario, network = cut_off_scenario(reopen_min=30.0)
    return run(scenario, seed=0, network=network, model_class=Watched), seen


def test_a_model_is_freed_once_its_run_returns() -> None:
    # mesa 3.3 keeps every model in a class-level dict (mesa issue #3179); a batch
    # worker grew by hundreds of MB per flood run until the kernel killed it
    result, seen = _watched_run()
    assert result.summary["households"] > 0  # it ran
    gc.collect()
    assert len(seen) == 1 and seen[0]() is None


def test_a_model_is_freed_before_its_run_returns_without_waiting_for_the_collector() -> None:
    # the model lives in reference cycles that only the cyclic collector frees, and it
    # runs by object counts, blind to the arrays they hold: a batch worker kept some
    # 270 MB per flood run and was killed at 12 GB, 112 runs into a 120-run batch
    was_enabled = gc.isenabled()
    gc.disable()  # the collector may not run on its own between the run and the check
    try:
        _, seen = _watched_run()
        assert len(seen) == 1 and seen[0]() is None
    finally:
        if was_enabled:
            gc.enable()
