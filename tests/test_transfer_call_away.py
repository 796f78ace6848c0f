"""A threat to life calls the responder away from a mandatory transfer (sim.agents.transfers).

The toy: three one-person households at node 1, the community post at node 2, its
only responder living at node 1 (the post's populated node); an ``immediate`` order at
0 sends it to their doors. Nobody hears any channel, so every household waits for its
door. A trapped person at node 2 (1 km, 100 s for the responder) is reported while it
is at the transfer and asks for a community team: it is the only one.
"""

from __future__ import annotations

import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.scenarios import scenario_from_dict
from sim.tiers import TIERS
from tests.engine_fixtures import toy_engine_network
from tests.protective_fixtures import transfer_and_trapped, with_community_post

TURNOUT_S = TIERS["community"].turnout_s
LINK_S = 1000.0 / (min(36.0, TIERS["community"].max_speed_kph) / 3.6)  # one 1-km link


def _run(vulnerable_share: float, trapped_at_s: float, *, link_1_2_m: float = 1000.0):
    scenario = scenario_from_dict(
        transfer_and_trapped(
            "transfer-called-away",
            vulnerable_share=vulnerable_share,
            trapped_at_s=trapped_at_s,
            trapped_node=2,
        )
    )
    homes = toy_engine_network(population=[0, 3, 0, 0, 0, 0], link_1_2_m=link_1_2_m)
    # the post at node 2; its responder lives at node 1 (or, 1-2 longer than 1.5 km, at
    # the post: then a post at node 1 keeps the responder at the doors)
    net = with_community_post(homes, node=2 if link_1_2_m <= 1500.0 else 1)
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    team = next(t for t in model.teams if t.tier.name == "community")
    assert team.station_node == 1
    return model, collect(model), team


def test_between_two_doors_the_responder_goes_to_a_threat_to_life() -> None:
    """At the doors from its turnout (240 s), 3 min a door; the trapped person, reported
    at 300 s, calls it away when the first door is done (420 s): it sets off from the
    transfer at once (it is out already: no turnout; 100 s of road), and the two doors
    left go back to the commands. Before, it knocked all three and stayed its 20 min on
    scene first: at the trapped person only at 780 + 1200 + 240 + 100 = 2320 s, not
    520 s."""
    model, result, team = _run(vulnerable_share=0.0, trapped_at_s=300.0)
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    ev = result.events
    mine = ev[ev["agent"] == team.unique_id]
    called_s = TURNOUT_S + knock_s
    trapped_s = called_s + LINK_S
    rescued_s = trapped_s + model.scenario.forces.extraction_min_per_person["trapped"] * 60.0
    assert mine[["time_s", "kind", "node", "incident", "value"]].values.tolist()[:5] == [
        [0.0, "dispatch", 1, 0, 0.0],
        [pytest.approx(TURNOUT_S), "arrive_scene", 1, 0, pytest.approx(TURNOUT_S)],
        [pytest.approx(TURNOUT_S), "door_knock", 1, -1, 3.0],
        [pytest.approx(called_s), "transfer_handed_back", 1, 0, 2.0],  # two doors left
        [pytest.approx(called_s), "dispatch", 1, 1, pytest.approx(LINK_S)],
    ]
    assert mine[mine["kind"] == "arrive_scene"]["time_s"].tolist()[1] == pytest.approx(trapped_s)
    assert mine[mine["kind"] == "rescued"]["time_s"].tolist()[0] == pytest.approx(rescued_s)
    # the first household left when its door was done; the two others when the next
    # team to the transfer (the same responder, home again) knocked theirs
    departs = ev[ev["kind"] == "depart"]["time_s"].tolist()
    assert departs[0] == pytest.approx(called_s)
    again = mine[(mine["kind"] == "door_knock")]["time_s"].tolist()
    assert len(again) == 2 and again[1] > rescued_s
    assert departs[1:] == pytest.approx([again[1] + knock_s, again[1] + 2 * knock_s])
    # each door counted once, everyone out, the transfer done once
    assert result.summary["warnings"]["A"]["door_knocks"] == 3
    assert sorted(model.households.depart_time_s.tolist()) == pytest.approx(departs)
    assert len(ev[ev["kind"] == "transfer_handed_back"]) == 1


def test_between_two_trips_with_the_vulnerable_the_responder_goes_to_a_threat_to_life() -> None:
    """All three vulnerable: three doors (240-780 s), two carried out (2 min each, 1020 s)
    and brought to the shelter at node 0 (100 s, 5 min unloading: 1420 s). The trapped
    person, reported at 1000 s, calls it away from the shelter: 200 s of road to node 2,
    no turnout.
    The third vulnerable resident goes back to the commands, for the next team."""
    model, result, team = _run(vulnerable_share=1.0, trapped_at_s=1000.0)
    forces = model.scenario.forces
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    rescued_s = TURNOUT_S + 3 * knock_s + 2 * forces.extraction_min_per_person["transfer"] * 60
    delivered_s = rescued_s + LINK_S + forces.unload_min * 60.0
    ev = result.events
    mine = ev[ev["agent"] == team.unique_id]
    assert mine[["time_s", "kind", "node", "incident", "value"]].values.tolist()[3:7] == [
        [pytest.approx(rescued_s), "rescued", 1, 0, 2.0],
        [pytest.approx(delivered_s), "deliver", 0, 0, 2.0],
        [pytest.approx(delivered_s), "transfer_handed_back", 1, 0, 1.0],  # one left
        [pytest.approx(delivered_s), "dispatch", 0, 1, pytest.approx(2 * LINK_S)],
    ]
    arrive = mine[mine["kind"] == "arrive_scene"]["time_s"].tolist()
    assert arrive[1] == pytest.approx(delivered_s + 2 * LINK_S)
    # the third vulnerable resident waits for the next team: the same responder, home
    # from the trapped person (15 min to get out, 200 s to the shelter, 5 min there,
    # 100 s home), turns out and takes them out (2 min)
    home_s = arrive[1] + forces.extraction_min_per_person["trapped"] * 60 + 2 * LINK_S
    home_s += forces.unload_min * 60.0 + LINK_S
    back_s = home_s + TURNOUT_S
    assert mine[["time_s", "kind", "incident"]].values.tolist()[-4:] == [
        [pytest.approx(home_s), "team_home", -1],
        [pytest.approx(home_s), "dispatch", 0],
        [pytest.approx(back_s), "arrive_scene", 0],
        [pytest.approx(back_s + forces.extraction_min_per_person["transfer"] * 60), "rescued", 0],
    ]
    transfer = model.dispatcher.incidents[0]
    assert transfer.kind == "transfer" and transfer.persons == 3
    assert transfer.persons_rescued == 3 and len(transfer.waiting) == 0


def test_a_transfer_with_no_threat_to_life_waiting_is_not_interrupted() -> None:
    """The trapped person is reported only after the transfer is done (doors to 780 s,
    then its 20 min on scene): no hand-back, the doors one after the other."""
    model, result, _team = _run(vulnerable_share=0.0, trapped_at_s=1500.0)
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    ev = result.events
    assert (ev["kind"] == "transfer_handed_back").sum() == 0
    departs = ev[ev["kind"] == "depart"]["time_s"].tolist()
    assert departs == pytest.approx([TURNOUT_S + k * knock_s for k in (1, 2, 3)])


def test_a_threat_within_its_area_without_a_turnout_calls_it_away() -> None:
    """The trapped person 10 km away (1000 s of road): 1240 s with a turnout, beyond the
    responder's 20-min area, but it is out already and sets off at once, so 1000 s is
    within it. Called away when the first door is done (420 s), there at 1420 s."""
    model, result, team = _run(vulnerable_share=0.0, trapped_at_s=300.0, link_1_2_m=10_000.0)
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    road_s = 10 * LINK_S
    assert TURNOUT_S + road_s > 20 * 60.0 >= road_s
    called_s = TURNOUT_S + knock_s
    there_s = called_s + road_s
    ev = result.events
    mine = ev[ev["agent"] == team.unique_id]
    assert mine[["time_s", "kind", "node", "incident", "value"]].values.tolist()[3:6] == [
        [pytest.approx(called_s), "transfer_handed_back", 1, 0, 2.0],
        [pytest.approx(called_s), "dispatch", 1, 1, pytest.approx(road_s)],
        [pytest.approx(there_s), "arrive_scene", 2, 1, pytest.approx(there_s - 300.0)],
    ]
