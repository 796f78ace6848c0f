"""The collector settings of a run: restored afterwards, and cycles still freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from sim.engine.collector import paused_collector, quiet_collector


class _Node:
    pass


def _cycle() -> weakref.ref:
    node = _Node()
    node.me = node  # only the cyclic collector can free it
    return weakref.ref(node)


def test_quiet_collector_frees_cycles_and_restores_the_settings() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with quiet_collector(young_threshold=1234):
        assert gc.get_threshold() == (1234, *before[1:])
        assert gc.get_freeze_count() > frozen  # what was alive is out of sight
        made_in_run = _cycle()
        gc.collect()
        assert made_in_run() is None  # cycles made during the run are still freed
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    with pytest.raises(RuntimeError), quiet_collector():  # restored on errors too
        raise RuntimeError("a run that fails")
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_paused_collector_pauses_and_restores() -> None:
    assert gc.isenabled()
    with paused_collector():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_collector():
            pass
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


def test_a_run_goes_with_the_quiet_collector_and_restores_it() -> None:
    """``run_for`` runs the clock under :func:`quiet_collector` (what a process of the
    run sees), and the caller's settings are back afterwards."""
    from sim.engine.collector import YOUNG_THRESHOLD
    from sim.engine.model import EmergencyModel
    from tests.test_walking import _network, _scenario

    net = _network()
    model = EmergencyModel(_scenario(net, tracked=0), net, seed=1)
    seen = []

    def look():
        yield model.env.timeout(60.0)
        seen.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))

    model.env.process(look())
    before = gc.get_threshold()
    model.run_for()
    assert seen == [(YOUNG_THRESHOLD, True)]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
