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

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.engine.incidents import IncidentReport
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, network_for
from sim.scenarios import load_scenario, scenario_from_dict
from tests.engine_fixtures import toy_engine_network, toy_network
from tests.protective_fixtures import transfer_and_trapped, with_community_post
from tests.test_supply import supply_line, supply_scenario

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


def _network(*, aviation: bool = False):
    """The toy; ``aviation``: a helicopter at node 0 too, and a village at node 3 where it
    lands (tests/test_aviation_cut_off.py)."""
    stations = {"name": ["A-post"], "tier": ["ground"], "node": [0], "teams": [1]}
    if aviation:
        stations = {"name": ["A-post", "A-air"], "tier": ["ground", "aviation"],
                    "node": [0, 0], "teams": [1, 1]}  # fmt: skip
    places = {
        "stations": pd.DataFrame({**stations, "jurisdiction": ["A"] * len(stations["node"])}),
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
    if aviation:
        places["settlements"] = pd.DataFrame(
            {"name": ["C"], "kind": ["village"], "x_m": [500_000.0 + X_M[3]],
             "y_m": [3_350_000.0 + Y_M[3]], "node": [3], "population_persons": [0],
             "jurisdiction": ["A"]}
        )  # fmt: skip
    return toy_network(np.array(X_M), np.array(Y_M), LINKS, places=places)


def _run(
    closures: list[tuple[float, str, int]],
    more_incidents: tuple[dict, ...] = (),
    *,
    aviation: bool = False,
):
    """Run the toy with ``closures`` (minute, "close" or "reopen", node); the team's events.

    ``more_incidents``: scenario incidents besides the one at node 3; ``aviation``: see
    :func:`_network`."""
    net = _network(aviation=aviation)
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
                },
                *more_incidents,
            ],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    team = next(t for t in model.teams if t.tier.name == "ground")
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


def test_a_team_cut_off_on_its_way_goes_from_there_to_a_burial_waiting_for_a_team() -> None:
    """As above, cut off at node 1 at 340 s; a burial (1 person) was reported at node 4 at
    240 s while the only team was out. The team goes there from node 1 at once, out
    already (1-0-4, 3 km, 300 s, no turnout): on scene at 640 s. Before, it drove home
    (440 s) and turned out again (180 s) to be there at 820 s, the burial survival
    curve falling all the while (91 % at 18 min)."""
    burial = {"time_min": 4.0, "node": 4, "persons": 1, "kind": "buried", "tiers": ["ground"]}
    _, timeline = _run([(5.0, "close", 2), (5.0, "close", 5)], (burial,))
    assert timeline[:5] == [
        [REPORT_S, "dispatch", 0, pytest.approx(300.0)],
        [pytest.approx(340.0), "team_cut_off", 1, 0.0],
        [pytest.approx(340.0), "incident_handed_back", 3, 1.0],
        [pytest.approx(340.0), "dispatch", 1, pytest.approx(300.0)],
        [pytest.approx(640.0), "arrive_scene", 4, pytest.approx(640.0 - 240.0)],
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


def _closure(net, minute: float, action: str, node: int) -> dict:
    lon, lat = net.to_lonlat(net.x_m[[node]], net.y_m[[node]])
    return {"time_min": minute, "action": action, "lon": float(lon[0]), "lat": float(lat[0]),
            "radius_m": 100.0}  # fmt: skip


def test_a_rerouted_team_waits_at_the_border_once() -> None:
    """Nodes 3 and 5 in B, ``separate`` (20 min at the border): the team waits 1200 s,
    sets off along 0-1-2-3; the road closes at 21 min (1260 s) while it is on link 0-1.
    It turns off at node 1 (1300 s) and goes round by 1-0-4-5-3 (800 s) with no second
    wait: there at 2100 s."""
    names = ("A", "B")
    base = _network()
    places = {**base.places}
    net = toy_network(np.array(X_M), np.array(Y_M), LINKS, places=places, names=names,
                      jurisdiction=np.array([0, 0, 0, 1, 0, 1], np.int8))  # fmt: skip
    scenario = scenario_from_dict(
        {
            "name": "toy-border-reroute",
            "horizon_h": 1.0,
            "policy": {"linkage": "separate", "border_passage_delay_min": 20.0},
            "closures": [_closure(net, 21.0, "close", 2)],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    team = model.teams[0]
    ended = []

    def send():
        team.available = False
        nodes, travel_s = model.operations.route(team, 0, 3)
        ended.append((yield from model.on_road.drive(team, nodes, [0, 3], travel_s)))
        ended.append(model.env.now)

    model.env.process(send())
    model.run_for()
    assert ended == [3, pytest.approx(2100.0)]
    ev = collect(model).events
    ev = ev[(ev["agent"] == team.unique_id) & ev["kind"].isin(["border_wait", "team_rerouted"])]
    assert ev[["time_s", "kind", "node", "value"]].values.tolist() == [
        [0.0, "border_wait", 0, 1200.0],
        [pytest.approx(1300.0), "team_rerouted", 1, pytest.approx(800.0)],
    ]
    assert model.aid.border_wait_s.tolist() == [1200.0, 0.0]


def test_a_team_cut_off_on_its_way_back_to_the_scene_hands_the_rest_back() -> None:
    """It carries one of two people (carry 1) to the shelter at node 0 by the direct road
    and heads back; both ways close at 1250 s while it is on link 0-1 (1200-1300 s). At
    node 1 it finds no way on: the second person goes back to the commands, which send
    the team again when the road reopens at 2000 s (turnout, 300 s: on scene at 2480 s)."""
    net = _network()
    scenario = scenario_from_dict(
        {
            "name": "toy-back-to-scene",
            "horizon_h": 3.0,
            "forces": {"extraction_min_per_person": {"cut_off": 1.0},
                       "ground": {"carry_persons": 1}},
            "closures": [_closure(net, 1250 / 60, "close", 2), _closure(net, 1250 / 60, "close", 5),
                         _closure(net, 2000 / 60, "reopen", 2)],
            "incidents": [{"time_min": 1.0, "node": 3, "persons": 2, "kind": "cut_off",
                           "tiers": ["ground"]}],
        }
    )  # fmt: skip
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    ev = collect(model).events
    kinds = ["arrive_scene", "deliver", "team_cut_off", "incident_handed_back", "dispatch"]
    timeline = ev[ev["kind"].isin(kinds)][["time_s", "kind", "node"]].values.tolist()
    # 60 + 180 + 300: on scene; 60 s out; 300 s to node 0 and 300 s to hand over
    assert timeline == [
        [60.0, "dispatch", 0],
        [pytest.approx(540.0), "arrive_scene", 3],
        [pytest.approx(1200.0), "deliver", 0],
        [pytest.approx(1300.0), "team_cut_off", 1],
        [pytest.approx(1300.0), "incident_handed_back", 3],
        [pytest.approx(2000.0), "dispatch", 0],
        [pytest.approx(2480.0), "arrive_scene", 3],
        [pytest.approx(2480.0 + 60.0 + 300.0 + 300.0), "deliver", 0],
    ]
    assert model.dispatcher.incidents[0].done


def test_a_truck_cut_off_takes_its_kits_back_and_the_shelter_is_supplied_after_reopening() -> None:
    """One household at shelter S2 (node 2) asks for one kit at 900 s; the truck leaves
    depot DA (node 0) then. The road at node 2 closes at 950 s, while the truck is on
    link 0-1: at node 1 (1000 s) no way is open; it takes the kit back to DA. The road
    reopens at 2000 s and the shelter's request is served then (200 s and the unload)."""
    net = supply_line(stock_a=10, stock_b=0, sides=(0, 0, 0, 0))
    net = replace(net, node_population_persons=np.array([0, 0, 1, 0]))
    scenario = supply_scenario(
        "separate", trucks={"city": 1, "town": 0}, sides="A", capacity_kits=10,
        closures=[_closure(net, 950 / 60, "close", 2), _closure(net, 2000 / 60, "reopen", 2)],
    )  # fmt: skip
    model = EmergencyModel(scenario, net, seed=0)
    supply = model.supply
    model.run_for()
    ev = collect(model).events
    kinds = ["truck_dispatch", "truck_cut_off", "delivery"]
    unload_s = supply.unload_s
    assert ev[ev["kind"].isin(kinds)][["time_s", "kind", "node", "value"]].values.tolist() == [
        [900.0, "truck_dispatch", 0, 1.0],
        [pytest.approx(1000.0), "truck_cut_off", 1, 0.0],
        [pytest.approx(2000.0), "truck_dispatch", 0, 1.0],
        [pytest.approx(2000.0 + 200.0 + unload_s), "delivery", 2, 1.0],
    ]
    assert supply.delivered_kits.tolist() == [0, 1] and supply.stock_kits.tolist() == [9, 0]
    assert supply.trucks[0].kits_aboard == 0


def test_a_truck_cut_off_from_every_depot_waits_and_goes_back_when_a_road_reopens() -> None:
    """As above, but the road at node 0 (depot DA) closes too, at 950 s while the truck
    is on link 0-1: at node 1 (1000 s) no way is open on or back, and depot DB (node 3)
    has no kits, so the truck waits there with the kit (before, it stayed for the rest of
    the run and the kit was lost to relief). Both roads reopen at 2000 s: it drives
    back to DA (2100 s), returns the kit and is sent again (200 s and the unload)."""
    net = supply_line(stock_a=10, stock_b=0, sides=(0, 0, 0, 0))
    net = replace(net, node_population_persons=np.array([0, 0, 1, 0]))
    closures = [_closure(net, 950 / 60, "close", node) for node in (0, 2)]
    closures += [_closure(net, 2000 / 60, "reopen", node) for node in (0, 2)]
    scenario = supply_scenario(
        "separate", trucks={"city": 1, "town": 0}, sides="A", capacity_kits=10, closures=closures
    )
    model = EmergencyModel(scenario, net, seed=0)
    supply = model.supply
    model.run_for()
    ev = collect(model).events
    kinds = ["truck_dispatch", "truck_cut_off", "truck_stranded", "truck_resume", "delivery"]
    assert ev[ev["kind"].isin(kinds)][["time_s", "kind", "node", "value"]].values.tolist() == [
        [900.0, "truck_dispatch", 0, 1.0],
        [pytest.approx(1000.0), "truck_cut_off", 1, 0.0],
        [pytest.approx(1000.0), "truck_stranded", 1, 1.0],
        [pytest.approx(2000.0), "truck_resume", 1, 1.0],
        [pytest.approx(2100.0), "truck_dispatch", 0, 1.0],
        [pytest.approx(2100.0 + 200.0 + supply.unload_s), "delivery", 2, 1.0],
    ]
    assert supply.delivered_kits.tolist() == [0, 1] and supply.stock_kits.tolist() == [9, 0]
    assert supply.trucks[0].kits_aboard == 0 and supply.trucks[0].available
    assert len(supply.stranded) == 0


def test_a_road_closing_and_a_diversion_in_the_same_instant_divert_the_team_once() -> None:
    """A hazard step closes the road ahead of a responder on its way to a transfer and
    then reports a threat to life: both interrupt the responder's trip at 300 s. The
    diversion wins (the responder, on link 0-1, goes on to node 1 and back: at node 0 at
    440 s) and the transfer is handed back once. A second threat to life at 320 s waits
    for the responder (home at 1640 s, 240 s turnout: there at 1880 s); before, the turn
    off left the trip's place on the road set after the diversion and the responder was
    diverted a second time, from its new response."""
    spec = transfer_and_trapped("race", vulnerable_share=0.0, trapped_at_s=320.0, trapped_node=0)
    net = with_community_post(toy_engine_network(population=[0, 0, 3, 0, 0, 0]), node=0)
    model = EmergencyModel(scenario_from_dict(spec), net, seed=0)
    env = model.env
    team = next(t for t in model.teams if t.tier.name == "community")

    def hazard_like_step():
        yield env.timeout(300.0)
        model.roads.close(model.network.edge_ids(np.array([1]), np.array([2])))
        model.dispatcher.report(
            IncidentReport(kind="trapped", node=0, persons=1, tiers=("community",))
        )
        yield env.timeout(1.0)
        assert team.en_route is None

    env.process(hazard_like_step())
    model.run_for()
    ev = collect(model).events
    assert (ev["kind"] == "transfer_handed_back").sum() == 1
    arrivals = {i.id: i.arrival_s.get("community") for i in model.dispatcher.incidents}
    assert arrivals[1] == pytest.approx(440.0) and arrivals[2] == pytest.approx(1880.0)


def _lethal_between(model: EmergencyModel, a: int, b: int, at_s: float) -> None:
    """Make the link a-b (both ways) unbreathable at ``at_s``, as a gas leak's step does."""
    net = model.network
    mask = np.zeros(net.n_edges, dtype=bool)
    mask[net.edge_ids(np.array([a, b]), np.array([b, a]))] = True

    def step():
        yield model.env.timeout(at_s)
        model.roads.set_closures("plume", np.zeros(net.n_edges, bool), unbreathable=mask)

    model.env.process(step())


def _community_run(lethal_at_s: float):
    """A volunteer (post at node 0, carries 1) fetches one person from node 3 for the
    shelter at node 0; the link 1-2 turns lethal at ``lethal_at_s``."""
    net = with_community_post(_network(), node=0)
    scenario = scenario_from_dict(
        {
            "name": "toy-escape",
            "horizon_h": 2.0,
            "forces": {"extraction_min_per_person": {"cut_off": 1.0},
                       "community": {"carry_persons": 1}},
            "incidents": [{"time_min": REPORT_S / 60.0, "node": 3, "persons": 1,
                           "kind": "cut_off", "tiers": ["community"]}],
        }
    )  # fmt: skip
    model = EmergencyModel(scenario, net, seed=0)
    team = next(t for t in model.teams if t.tier.name == "community")
    link_s = float(model.roads.router("community").weights_s[0])
    _lethal_between(model, 1, 2, lethal_at_s)
    model.run_for()
    ev = collect(model).events
    kinds = ["arrive_scene", "team_rerouted", "team_cut_off", "deliver"]
    ev = ev[(ev["agent"] == team.unique_id) & ev["kind"].isin(kinds)]
    return team, link_s, ev[["time_s", "kind", "node"]].values.tolist()


def test_lethal_air_ahead_stops_a_volunteer_going_in_but_not_one_carrying_people_out() -> None:
    """Going in, the volunteer turns off before air that turned lethal (it must not
    enter it without breathing apparatus) and takes the detour; carrying a rescued
    person out, it drives on through (escape from IDLH air), as planned."""
    team, link_s, _ = _community_run(lethal_at_s=7200.0)
    set_off_s = REPORT_S + team.tier.turnout_s
    # going in: lethal from just after it set off, while it is on link 0-1
    _, _, going_in = _community_run(lethal_at_s=set_off_s + 0.5 * link_s)
    assert going_in[:2] == [
        [pytest.approx(set_off_s + link_s), "team_rerouted", 1],
        [pytest.approx(set_off_s + link_s + 8 * link_s), "arrive_scene", 3],
    ]
    # carrying out: on scene at set off + 3 links, out 60 s later, lethal while on 3-2
    out_s = set_off_s + 3 * link_s + 60.0
    _, _, carrying = _community_run(lethal_at_s=out_s + 0.5 * link_s)
    assert carrying == [
        [pytest.approx(set_off_s + 3 * link_s), "arrive_scene", 3],
        [pytest.approx(out_s + 3 * link_s + 300.0), "deliver", 0],
    ]


def test_a_responder_knocking_doors_turns_off_before_a_closed_road_and_knocks_after() -> None:
    """The door-knocking toy of ``tests/test_protective.py`` (plume toy, post at node 4,
    the one resident at node 2, reached only by 4-0-1-6-2: 4,800 m at 10 m/s). A's
    imminent order at 1 min reaches nobody by channel: the responder sets off at 60 s.
    The roads at node 1 close at 2 min, while it is on link 4-0 (60-360 s): it drives on
    to node 0 and finds no way on (cut off at 360 s), so the door waits and it drives
    home (660 s). The roads reopen at 20 min: it drives the 480 s again and knocks at
    1,680 s. Before door-knocking legs were driven as road trips it drove through the
    closed roads and knocked at 540 s."""
    from tests.protective_fixtures import BEHAVIOUR, plume_network

    net = with_community_post(plume_network({2: 1}), node=4)
    at = _closure(net, 2.0, "close", 1)
    scenario = scenario_from_dict(
        {
            "name": "toy-knock-cut-off-on-the-way",
            "horizon_h": 1.0,
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 0.0,
                           "vulnerable_share": 0.0},
            "behaviour": {**BEHAVIOUR, "door_knocking": True,
                          "channels": [{"name": "sms", "reach": 0.0, "delay_min": 0.0}]},
            "warnings": [{"time_min": 1, "level": "imminent", "issued_by": "A"}],
            "closures": [at, {**at, "time_min": 20.0, "action": "reopen"}],
        }
    )  # fmt: skip
    model = EmergencyModel(scenario, net, seed=0)
    team = next(t for t in model.teams if t.tier.name == "community")
    assert team.station_node == 4
    model.run_for()
    ev = collect(model).events
    mine = ev[(ev["agent"] == team.unique_id) & ev["kind"].isin(["door_knock", "team_cut_off"])]
    assert mine[["time_s", "kind", "node"]].values.tolist() == [
        [pytest.approx(360.0), "team_cut_off", 0],
        [pytest.approx(1680.0), "door_knock", 2],
    ]
    # its track: out to node 0 and back home; once the roads reopened, the whole way
    # there, the visit (180 s) and home again
    track = collect(model).tracks
    track = track[track["agent"] == team.unique_id]
    assert track[["time_s", "node"]].values.tolist() == [
        [60.0, 4], [360.0, 0], [360.0, 0], [660.0, 4],
        [1200.0, 4], [1500.0, 0], [1580.0, 1], [1630.0, 6], [1680.0, 2],
        [1860.0, 2], [1910.0, 6], [1960.0, 1], [2040.0, 0], [2340.0, 4],
    ]  # fmt: skip


def _drive_out(model: EmergencyModel, team, events: list) -> None:
    """Send ``team`` from node 0 to node 3 carrying people out (``escape``) at 0 s."""

    def send():
        team.available = False
        nodes, travel_s = model.operations.route(team, 0, 3)
        events.append((yield from model.on_road.drive(team, nodes, [0, 3], travel_s, escape=True)))
        events.append(model.env.now)

    model.env.process(send())


def test_a_boat_carrying_people_out_keeps_to_the_water_on_its_route() -> None:
    """The toy's ground team with a boat drives 0-1-2-3 (300 s) with people aboard; at
    100 s the water closes links 1-2 and 2-3 to every road team, not to boats. It
    carries on and is there at 300 s: no turn-off. A first version stopped it at the
    next node and re-planned at every hazard step (307 times in the flood, seed 0)."""
    model = EmergencyModel(
        scenario_from_dict({"name": "toy-boat-out", "horizon_h": 1.0}), _network(), seed=0
    )
    team = model.teams[0]
    team.boat = True
    ended: list = []
    _drive_out(model, team, ended)
    net = model.network

    def water():
        yield model.env.timeout(100.0)
        model.roads.close(
            net.edge_ids(np.array([1, 2, 2, 3]), np.array([2, 1, 3, 2])), source="flood"
        )

    model.env.process(water())
    model.run_for()
    assert ended == [3, pytest.approx(300.0)]
    assert model.on_road.rerouted["team"].sum() == 0
    assert np.isfinite(
        model.roads.router("boat").weights_s[net.edge_ids(np.array([1]), np.array([2]))]
    ).all()


@pytest.mark.parametrize("detour_open", [True, False])
def test_a_volunteer_carrying_people_out_after_a_border_wait_goes_round_lethal_air_if_it_can(
    detour_open: bool,
) -> None:
    """A volunteer (nodes 3 and 5 in B, ``separate``: 20 min at the border) carries
    people from node 0 to node 3; link 1-2 turns lethal at 10 min, while it waits. With
    the detour 0-4-5-3 open it sets off round the air at 1,200 s (700 s: there at
    1,900 s). With the detour closed too (a scripted closure at node 4) it drives
    through the lethal link as planned (300 s: there at 1,500 s), as on the way (module
    docs of ``sim.agents.on_road``): a first version left it, and its people, where it
    was."""
    names = ("A", "B")
    base = with_community_post(_network(), node=0)
    net = toy_network(np.array(X_M), np.array(Y_M), LINKS, places={**base.places}, names=names,
                      jurisdiction=np.array([0, 0, 0, 1, 0, 1], np.int8))  # fmt: skip
    closures = [] if detour_open else [_closure(net, 0.0, "close", 4)]
    scenario = scenario_from_dict(
        {
            "name": "toy-escape-after-wait",
            "horizon_h": 1.0,
            "policy": {"linkage": "separate", "border_passage_delay_min": 20.0},
            "closures": closures,
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    team = next(t for t in model.teams if t.tier.name == "community")
    link_s = float(model.roads.router("community").weights_s[0])
    ended: list = []
    _drive_out(model, team, ended)
    _lethal_between(model, 1, 2, 600.0)
    model.run_for()
    if detour_open:
        assert ended == [3, pytest.approx(1200.0 + 7 * link_s)]
        assert model.on_road.rerouted["team"].tolist() == [1, 0]
    else:
        assert ended == [3, pytest.approx(1200.0 + 3 * link_s)]
        assert model.on_road.cut_off["team"].sum() == 0
