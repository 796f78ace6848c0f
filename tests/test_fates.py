"""Each household's fate is its own draw (:mod:`sim.agents.operations`): common random numbers.

A household is dead after waiting ``t`` when its uniform number (drawn once for the run)
is at least the survival curve's share alive at ``t``. So it lives whenever it waits less
than the time the curve falls to its number, whatever the order teams get people out in,
and two policies of one seed differ in who died only through the waits.
"""

from __future__ import annotations

import pytest

from sim.engine.incidents import Incident, Unit
from sim.engine.model import EmergencyModel
from sim.engine.survival import death_after_s, survival
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import toy_engine_network


def _model() -> EmergencyModel:
    """Four households (4, 3, 3 and 2 persons) at node 1 of the toy, seed 0."""
    net = toy_engine_network(population=[0, 12, 0, 0, 0, 0])
    return EmergencyModel(scenario_from_dict({"name": "toy-fates", "horizon_h": 1.0}), net, seed=0)


def _buried(rows: tuple[int, ...], waited_s: float) -> Incident:
    """A burial of households ``rows`` reported ``waited_s`` before the clock's start."""
    return Incident(
        id=0, kind="buried", node=1, jurisdiction=0, persons=0, tiers=("ground",),
        report_s=-waited_s, on_scene_s={}, households=rows,
    )  # fmt: skip


def _dead_rows(model: EmergencyModel, rows: tuple[int, ...], waited_s: float) -> set[int]:
    size = model.households.size_persons
    units = [Unit(r, int(size[r])) for r in rows]
    alive, _ = model.operations.fates(_buried(rows, waited_s), units)
    return set(rows) - {u.row for u in alive}


def test_a_household_dies_once_the_curve_falls_below_its_own_number() -> None:
    u = _model().operations.frailty
    assert u.tolist() == pytest.approx([0.364, 0.511, 0.458, 0.232], abs=1e-3)
    for row in range(4):
        # the curve falls to u[row] at this wait: for 0.364, between 91 % at 18 min and
        # 34 % at 35 min, 18 + (0.91 - 0.364) / 0.57 * 17 = 34.27 min
        at_s = death_after_s("buried", float(u[row]))
        assert survival("buried", at_s) == pytest.approx(u[row])
        assert _dead_rows(_model(), (row,), at_s - 60.0) == set()
        assert _dead_rows(_model(), (row,), at_s + 60.0) == {row}
    assert death_after_s("buried", float(u[0])) / 60.0 == pytest.approx(34.27, abs=0.01)


def test_the_order_teams_get_people_out_in_does_not_change_who_dies() -> None:
    # after 30 min the curve is at 0.91 - 12 / 17 * 0.57 = 0.508: household 1, whose
    # number is 0.511, is dead; 0 (0.364), 2 (0.458) and 3 (0.232) live
    waited_s = 30 * 60.0
    assert survival("buried", waited_s) == pytest.approx(0.91 - 12 / 17 * 0.57)
    forward = _dead_rows(_model(), (0, 1, 2, 3), waited_s)
    backward = _dead_rows(_model(), (3, 2, 1, 0), waited_s)
    assert forward == backward == {1}
