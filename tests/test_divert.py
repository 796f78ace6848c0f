"""A team on its way to a mandatory transfer is diverted to a threat to life (sim.agents.divert).

The toy: a chain of 1-km links 0-1-2 in side A (100 s each for a community responder),
three one-person households at node 2 and the community post at node 0, whose
responders live at the post (no home within 1.5 km). An ``immediate`` order at 0 sends
the first responder to their doors: turnout to 240 s, node 1 at 340 s, node 2 at 440 s.
Nobody hears any channel, so the households wait for their doors. A trapped person at
node 0 asks for a community team while the responder is on its way.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.report.run import format_run
from sim.scenarios import scenario_from_dict
from sim.tiers import TIERS
from tests.engine_fixtures import toy_engine_network
from tests.protective_fixtures import transfer_and_trapped, with_community_post

TURNOUT_S = TIERS["community"].turnout_s
LINK_S = 1000.0 / (min(36.0, TIERS["community"].max_speed_kph) / 3.6)  # one 1-km link
COLUMNS = ["time_s", "kind", "node", "incident", "value"]


def _run(trapped_at_s: float, responders: int):
    scenario = scenario_from_dict(
        transfer_and_trapped(
            "transfer-diverted", vulnerable_share=0.0, trapped_at_s=trapped_at_s, trapped_node=0
        )
    )
    homes = toy_engine_network(population=[0, 0, 3, 0, 0, 0])
    net = with_community_post(homes, node=0, teams=responders)
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    community = [t for t in model.teams if t.tier.name == "community"]
    assert [t.station_node for t in community] == [0] * responders
    return model, collect(model), community


def _of(result, team) -> list[list]:
    ev = result.events
    return ev[ev["agent"] == team.unique_id][COLUMNS].values.tolist()


def test_a_responder_on_the_road_turns_back_to_a_threat_to_life() -> None:
    """Reported at 300 s, the responder is 60 s into link 0-1: it reaches node 1 at
    340 s and drives back, at the trapped person at 440 s. The other responder, free at
    the post, would be there at 300 + 240 = 540 s; it takes the transfer instead
    (240 s turnout, 200 s of road: at the doors at 740 s)."""
    model, result, (first, second) = _run(trapped_at_s=300.0, responders=2)
    ahead_s = TURNOUT_S + LINK_S - 300.0
    assert _of(result, first)[:4] == [
        [0.0, "dispatch", 0, 0, pytest.approx(2 * LINK_S)],
        [300.0, "transfer_handed_back", 2, 0, 3.0],  # three doors, none knocked
        [300.0, "dispatch", 1, 1, pytest.approx(LINK_S)],  # from node 1, no 2nd turnout
        [pytest.approx(300.0 + ahead_s + LINK_S), "arrive_scene", 0, 1, pytest.approx(140.0)],
    ]
    doors_s = 300.0 + TURNOUT_S + 2 * LINK_S
    assert _of(result, second)[:3] == [
        [300.0, "dispatch", 0, 0, pytest.approx(2 * LINK_S)],
        [pytest.approx(doors_s), "arrive_scene", 2, 0, pytest.approx(doors_s)],
        [pytest.approx(doors_s), "door_knock", 2, -1, 3.0],
    ]
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    departs = sorted(model.households.depart_time_s.tolist())
    assert departs == pytest.approx([doors_s + k * knock_s for k in (1, 2, 3)])
    # the replay: the trip to the transfer ends at node 1, where it turned back
    tracks = result.tracks
    mine = tracks[(tracks["agent"] == first.unique_id) & (tracks["time_s"] <= 440.0)]
    assert mine[["time_s", "node"]].values.tolist() == [
        [pytest.approx(TURNOUT_S), 0],
        [pytest.approx(TURNOUT_S + LINK_S), 1],
        [pytest.approx(TURNOUT_S + LINK_S), 1],
        [pytest.approx(TURNOUT_S + 2 * LINK_S), 0],
    ]
    assert 2 not in tracks[tracks["agent"] == first.unique_id]["node"].tolist()
    # counted for the planner, with the wait for the next team (300 s -> the second
    # responder at the doors), and printed by ``sim run``
    warned = result.summary["warnings"]["A"]
    assert warned["transfers_handed_back"] == 1
    assert warned["transfers_handed_back_wait_min"] == pytest.approx((doors_s - 300.0) / 60.0)
    assert warned["transfers_handed_back_unreached"] == 0
    lines = format_run(result)
    assert "a team left a transfer for a threat to life 1x (the next team came 7 min later" in lines


def test_a_free_team_that_is_sooner_goes_and_the_transfer_goes_on() -> None:
    """Reported at 350 s: the responder on its way reaches node 2 at 440 s and would
    need 200 s back (290 s); the free one needs its 240 s turnout: it goes."""
    _model, result, (first, second) = _run(trapped_at_s=350.0, responders=2)
    assert (result.events["kind"] == "transfer_handed_back").sum() == 0
    assert result.summary["warnings"]["A"]["transfers_handed_back"] == 0
    assert np.isnan(result.summary["warnings"]["A"]["transfers_handed_back_wait_min"])
    assert _of(result, first)[1][:2] == [pytest.approx(TURNOUT_S + 2 * LINK_S), "arrive_scene"]
    assert _of(result, second)[:2] == [
        [350.0, "dispatch", 0, 1, 0.0],
        [pytest.approx(350.0 + TURNOUT_S), "arrive_scene", 0, 1, pytest.approx(TURNOUT_S)],
    ]


def test_a_responder_still_turning_out_goes_without_a_second_turnout() -> None:
    """Reported at 100 s, while the only responder turns out at the post (to 240 s):
    it sets off for the trapped person, at the post, when its turnout ends (240 s, not
    100 + 240 s); the transfer waits for it to come home."""
    _model, result, (first,) = _run(trapped_at_s=100.0, responders=1)
    assert _of(result, first)[:4] == [
        [0.0, "dispatch", 0, 0, pytest.approx(2 * LINK_S)],
        [100.0, "transfer_handed_back", 2, 0, 3.0],
        [100.0, "dispatch", 0, 1, 0.0],
        [pytest.approx(TURNOUT_S), "arrive_scene", 0, 1, pytest.approx(TURNOUT_S - 100.0)],
    ]
    events = _of(result, first)
    home_s = next(t for t, kind, *_ in events if kind == "team_home")
    back_s = home_s + TURNOUT_S + 2 * LINK_S
    after = [e for e in events if e[0] >= home_s and e[1] not in ("deliver", "team_home")]
    assert after[:3] == [
        [pytest.approx(home_s), "dispatch", 0, 0, pytest.approx(2 * LINK_S)],
        [pytest.approx(back_s), "arrive_scene", 2, 0, pytest.approx(back_s)],
        [pytest.approx(back_s), "door_knock", 2, -1, 3.0],
    ]
    # the transfer waited from 100 s until the responder was back at its doors
    wait_min = result.summary["warnings"]["A"]["transfers_handed_back_wait_min"]
    assert wait_min == pytest.approx((back_s - 100.0) / 60.0)
