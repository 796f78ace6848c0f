"""Teams on the road turn off when a link ahead closes to them (:mod:`sim.agents.on_road`).

The toy: a direct road and a detour from a ground station at node 0 to an incident at 3::

    4 ─────── 3 km ─────── 5
    │ 2 km                 │ 2 km
    0 ── 1 ── 2 ── 3 ──────┘
      1 km 1 km 1 km

Every link is residential at 36 km/h (100 s a km for the ground tier, turnout 180 s).
The incident (1 person, cut off, a kind with no survival curve, ground tier) is
reported at 60 s: the team sets off at 240 s by the direct road (300 s, due at 540 s).
A scripted closure at node 2 closes links 1-2 and 2-3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, network_for
from sim.scenarios import load_scenario, scenario_from_dict
from tests.engine_fixtures import toy_network

X_M = [0.0, 1000.0, 2000.0, 3000.0, 0.0, 3000.0]
Y_M = [0.0, 0.0, 0.0, 0.0, 2000.0, 2000.0]
LINKS = [(0, 1, 1000.0), (1, 2, 1000.0), (2, 3, 1000.0), (0, 4, 2000.0), (4, 5, 3000.0),
         (5, 3, 2000.0)]  # fmt: skip
TURNOUT_S = 180.0
REPORT_S = 60.0
SET_OFF_S = REPORT_S + TURNOUT_S  # 240 s


@pytest.fixture(scope="module")
def builtin_network():
    return network_for(load_scenario("default"))


def _network():
    places = {
        "stations": pd.DataFrame(
            {
                "name": ["A-post"],
                "tier": ["ground"],
                "node": [0],
                "teams": [1],
                "jurisdiction": ["A"],
            }
        ),
        "shelters": pd.DataFrame(
            {
                "name": ["S"],
                "level": ["town"],
                "node": [0],
                "capacity_persons": [100],
                "jurisdiction": ["A"],
            }
        ),
    }
    return toy_network(np.array(X_M), np.array(Y_M), LINKS, places=places)


def _run(closures: list[tuple[float, str, int]]):
    """Run the toy with ``closures`` (minute, "close" or "reopen", node); the team's events."""
    net = _network()
    spec = []
    for minute, action, node in closures:
        lon, lat = net.to_lonlat(net.x_m[[node]], net.y_m[[node]])
        spec.append({"time_min": minute, "action": action, "lon": float(lon[0]),
                     "lat": float(lat[0]), "radius_m": 100.0})  # fmt: skip
    scenario = scenario_from_dict(
        {
            "name": "toy-reroute",
            "horizon_h": 2.0,
            "forces": {"extraction_min_per_person": {"cut_off": 1.0}},
            "closures": spec,
            "incidents": [
                {
                    "time_min": REPORT_S / 60.0,
                    "node": 3,
                    "persons": 1,
                    "kind": "cut_off",
                    "tiers": ["ground"],
                }
            ],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    team = model.teams[0]
    assert team.tier.turnout_s == TURNOUT_S
    model.run_for()
    ev = collect(model).events
    kinds = ["dispatch", "team_rerouted", "team_cut_off", "incident_handed_back",
             "arrive_scene", "team_home"]  # fmt: skip
    ev = ev[ev["kind"].isin(kinds) & ((ev["agent"] == team.unique_id) | (ev["agent"] < 0))]
    return model, ev[["time_s", "kind", "node", "value"]].values.tolist()


def test_a_team_on_the_road_turns_off_at_the_next_node_and_takes_the_detour() -> None:
    """The road closes at 300 s, while the team is on link 0-1 (240-340 s). It drives on
    to node 1 (340 s) and turns back round the detour 1-0-4-5-3 (8 km, 800 s): on scene
    at 1140 s, not 540 s through the closed link."""
    model, timeline = _run([(5.0, "close", 2)])
    assert timeline[:3] == [
        [REPORT_S, "dispatch", 0, pytest.approx(300.0)],
        [pytest.approx(340.0), "team_rerouted", 1, pytest.approx(800.0)],
        [pytest.approx(1140.0), "arrive_scene", 3, pytest.approx(1140.0 - REPORT_S)],
    ]
    assert model.on_road.rerouted["team"].tolist() == [1]
    assert model.on_road.cut_off["team"].tolist() == [0]
    # the replay's track follows the trip as driven: 0 -> 1, then back and round
    trips = [t for t in model.recorder._trips if t[2] == model.teams[0].unique_id]
    assert trips[0][4].tolist() == [0, 1]
    assert trips[1][4].tolist() == [1, 0, 4, 5, 3]
    assert trips[1][1][-1] == pytest.approx(1140.0)


def test_a_route_closed_while_the_team_turned_out_is_planned_again_at_the_start() -> None:
    """The road closes at 120 s, during the turnout (60-240 s): the team sets off by the
    detour 0-4-5-3 (7 km, 700 s) and is on scene at 940 s."""
    _, timeline = _run([(2.0, "close", 2)])
    assert timeline[:3] == [
        [REPORT_S, "dispatch", 0, pytest.approx(300.0)],
        [SET_OFF_S, "team_rerouted", 0, pytest.approx(700.0)],
        [pytest.approx(SET_OFF_S + 700.0), "arrive_scene", 3, pytest.approx(880.0)],
    ]


def test_a_team_with_no_way_on_hands_the_incident_back_and_it_is_sent_again() -> None:
    """Both ways close at 300 s (nodes 2 and 5): the team drives on to node 1 (340 s),
    finds no way, hands the incident back and goes home (440 s). The roads reopen at
    20 min; the commands send it again: 1200 + 180 + 300 s."""
    _, timeline = _run([(5.0, "close", 2), (5.0, "close", 5), (20.0, "reopen", 2)])
    assert timeline == [
        [REPORT_S, "dispatch", 0, pytest.approx(300.0)],
        [pytest.approx(340.0), "team_cut_off", 1, 0.0],
        [pytest.approx(340.0), "incident_handed_back", 3, 1.0],
        [pytest.approx(440.0), "team_home", 0, 0.0],
        [1200.0, "dispatch", 0, pytest.approx(300.0)],
        [pytest.approx(1680.0), "arrive_scene", 3, pytest.approx(1620.0)],
        [pytest.approx(1680.0 + 60.0 + 300.0 + 300.0), "team_home", 0, 0.0],
    ]


def test_a_closure_behind_the_team_does_not_stop_it() -> None:
    """The link 0-1 closes at 360 s, when the team is past node 1: it drives on (540 s)."""
    _, timeline = _run([(6.0, "close", 0)])
    assert timeline[:2] == [
        [REPORT_S, "dispatch", 0, pytest.approx(300.0)],
        [pytest.approx(540.0), "arrive_scene", 3, pytest.approx(480.0)],
    ]


def watch_road_trips(model: EmergencyModel):
    """Keep ``model``'s closures at each change of the roads; return a checker.

    After the run, the checker returns how many links the teams' and trucks' road trips
    entered, and the (agent, link, time) of each entered while closed to its router.
    """
    changes: list[tuple[float, dict[str, np.ndarray]]] = []
    modes = list(model.roads.routers)

    def snapshot() -> None:
        closed = {k: np.isinf(model.roads.router(k).weights_s) for k in modes}
        changes.append((model.env.now, closed))

    inner = model.roads.on_change

    def hook(*args) -> None:
        snapshot()
        inner(*args)

    model.roads.on_change = hook
    snapshot()

    def check() -> tuple[int, list[tuple[int, int, float]]]:
        at_s = np.array([t for t, _ in changes])
        drivers = {a.unique_id: a for a in [*model.teams, *model.supply.trucks]}
        entered, bad = 0, []
        for _, times, agent, _, nodes in model.recorder._trips:
            if agent not in drivers or len(nodes) < 2:
                continue
            edges = model.network.edge_ids(nodes[:-1], nodes[1:])
            state = np.searchsorted(at_s, times[:-1], side="right") - 1
            mode = drivers[agent].mode
            bad += [
                (agent, int(e), float(t))
                for k, e, t in zip(state, edges, times[:-1], strict=True)
                if changes[k][1][mode][e]
            ]
            entered += len(edges)
        return entered, bad

    return check


def test_builtin_landslide_no_team_enters_a_link_closed_to_it(builtin_network) -> None:
    """The built-in landslide, seed 0: the first slide falls at 30 min onto the roads the
    ground teams sent to Guojiachong at 13-15 min were taking (before this check, 6 of
    them drove into it, up to 30 min after it fell). Every link of every road trip of a
    team or truck is open to its router when it enters it."""
    model = EmergencyModel(load_scenario("landslide"), builtin_network, seed=0)
    check = watch_road_trips(model)
    model.run_for()
    entered, closed = check()
    assert closed == []
    assert entered > 1000
    assert model.on_road.cut_off["team"].sum() >= 5  # the teams the slide cut off on their way
