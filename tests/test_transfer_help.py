"""Ground teams help with mandatory transfers when no responder is free.

On the toy line (tests/engine_fixtures.py): A's ground station at node 2, links of
1000 m at 36 km/h (100 s each), shelter SA at node 0. No community responders, so every
transfer falls to the ground teams; one of A's is always kept free for threats to life
(:data:`sim.agents.transfer_help.GROUND_KEPT_FOR_LIFE`).
"""

from __future__ import annotations

import pytest

from sim.agents.households import AT_HOME, SHELTERED
from sim.agents.transfer_help import GROUND_KEPT_FOR_LIFE
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.report.run import format_run
from sim.scenarios import scenario_from_dict
from sim.tiers import TIERS
from tests.engine_fixtures import toy_engine_network
from tests.protective_fixtures import BEHAVIOUR

#: Everyone vulnerable, one person a household: each is carried out by a team.
POPULATION = {"household_size_mean_persons": 1.0, "vehicle_share": 0.0, "vulnerable_share": 1.0}
LINK_S = 100.0  # one 1-km link at 36 km/h


def _run(population: list[int], ground_teams: int) -> tuple[EmergencyModel, object]:
    scenario = scenario_from_dict(
        {
            "name": "ground-transfer",
            "horizon_h": 2.0,
            "population": POPULATION,
            "behaviour": BEHAVIOUR,
            "forces": {"ground": {"teams_per_station": ground_teams}},
            "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
        }
    )
    model = EmergencyModel(scenario, toy_engine_network(population=population), seed=0)
    model.run_for()
    return model, collect(model)


def _times(model: EmergencyModel) -> tuple[float, float, float, float]:
    """Turnout, door knock, one person's extraction and unloading of a ground team, s."""
    forces = model.scenario.forces
    return (
        TIERS["ground"].turnout_s,
        model.scenario.behaviour.door_knock_min_per_household * 60.0,
        forces.extraction_min_per_person["transfer"] * 60.0,
        forces.unload_min * 60.0,
    )


def test_a_ground_team_takes_a_transfer_no_responder_is_free_for() -> None:
    """A's two ground teams are free at 0; one goes to the vulnerable resident at node 1
    (the lower id of the station), the other stays free."""
    assert GROUND_KEPT_FOR_LIFE == 1
    model, result = _run([0, 1, 0, 0, 0, 0], ground_teams=2)
    turnout, knock, extract, unload = _times(model)
    ground_a = [t for t in model.teams if t.tier.name == "ground" and t.jurisdiction == 0]
    first, second = sorted(ground_a, key=lambda t: t.unique_id)
    arrive = turnout + LINK_S  # node 2 -> node 1
    rescued = arrive + knock + extract
    delivered = rescued + LINK_S + unload  # node 1 -> SA at node 0
    home = delivered + 2 * LINK_S  # SA -> the station at node 2
    ev = result.events
    mine = ev[ev["agent"] == first.unique_id]
    assert mine[["time_s", "kind", "tier"]].values.tolist() == [
        [0.0, "dispatch", "ground"],
        [pytest.approx(arrive), "arrive_scene", "ground"],
        [pytest.approx(arrive), "door_knock", "ground"],
        [pytest.approx(rescued), "rescued", "ground"],
        [pytest.approx(delivered), "deliver", "ground"],
        [pytest.approx(home), "team_home", "ground"],
    ]
    assert ev[ev["agent"] == second.unique_id].empty
    (transfer,) = model.dispatcher.incidents
    assert transfer.dispatched == {"community": first.unique_id}  # the request is met
    assert model.households.state.tolist() == [SHELTERED]
    w = result.summary["warnings"]["A"]
    assert (w["transferred_persons"], w["transferred_by_ground_persons"]) == (1, 1)
    assert (w["transferred_sheltered_persons"], w["transferred_dead_persons"]) == (1, 0)
    assert (
        "mandatory transfer: 1 of 1 taken out or made to leave (1 by ground teams), "
        "of them 1 in a shelter and 0 dead at the end"
    ) in format_run(result)


def test_a_sides_last_free_ground_team_is_kept_for_threats_to_life() -> None:
    """With one ground team A keeps it free: the transfer waits, nobody is taken out."""
    model, result = _run([0, 1, 0, 0, 0, 0], ground_teams=1)
    assert result.events[result.events["kind"] == "dispatch"].empty
    assert model.households.state.tolist() == [AT_HOME]
    w = result.summary["warnings"]["A"]
    assert (w["transferred_persons"], w["transferred_by_ground_persons"]) == (0, 0)
    assert result.summary["incidents"]["unserved_tier_requests"] == 1


def test_a_ground_team_home_from_a_transfer_takes_the_one_that_waited() -> None:
    """Vulnerable residents at nodes 1 and 2. The transfer at node 1 is reported first
    and takes one of A's two ground teams; the one at node 2 must wait (the other team
    is kept). When the first comes home it takes the waiting transfer at its own
    station's node, while the kept one stays free."""
    model, result = _run([0, 1, 1, 0, 0, 0], ground_teams=2)
    turnout, knock, extract, unload = _times(model)
    first = min(
        (t for t in model.teams if t.tier.name == "ground" and t.jurisdiction == 0),
        key=lambda t: t.unique_id,
    )
    home = turnout + LINK_S + knock + extract + LINK_S + unload + 2 * LINK_S
    arrive = home + turnout  # the resident lives at the station's node
    rescued = arrive + knock + extract
    delivered = rescued + 2 * LINK_S + unload  # node 2 -> SA at node 0
    ev = result.events
    mine = ev[ev["agent"] == first.unique_id][["time_s", "kind"]].values.tolist()
    assert mine[5:] == [
        [pytest.approx(home), "team_home"],
        [pytest.approx(home), "dispatch"],
        [pytest.approx(arrive), "arrive_scene"],
        [pytest.approx(arrive), "door_knock"],
        [pytest.approx(rescued), "rescued"],
        [pytest.approx(delivered), "deliver"],
        [pytest.approx(delivered + 2 * LINK_S), "team_home"],
    ]
    assert ev.loc[ev["kind"] == "dispatch", "agent"].unique().tolist() == [first.unique_id]
    assert model.households.state.tolist() == [SHELTERED, SHELTERED]
    assert result.summary["warnings"]["A"]["transferred_by_ground_persons"] == 2


def test_among_doors_with_nobody_to_carry_a_ground_team_takes_the_nearest() -> None:
    """Nobody is vulnerable: the sweep at 0 leaves door visits at nodes 0, 1 and 2 (in
    that order). One of A's two ground teams goes to node 0; the others wait. Home again,
    it takes the newer visit at its own node 2 before the older one at node 1: with
    nobody to carry, the nearest goes first."""
    scenario_population = {**POPULATION, "vulnerable_share": 0.0}
    scenario = scenario_from_dict(
        {
            "name": "ground-doors",
            "horizon_h": 2.0,
            "population": scenario_population,
            "behaviour": BEHAVIOUR,
            "forces": {"ground": {"teams_per_station": 2}},
            "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
        }
    )
    model = EmergencyModel(scenario, toy_engine_network(population=[1, 1, 1, 0, 0, 0]), seed=0)
    model.run_for()
    ev = collect(model).events
    on_scene_s = model.scenario.forces.ground.on_scene_min * 60.0
    turnout = TIERS["ground"].turnout_s
    at_0, at_1, at_2 = model.dispatcher.incidents
    assert [i.node for i in (at_0, at_1, at_2)] == [0, 1, 2]
    home = turnout + 2 * LINK_S + on_scene_s + 2 * LINK_S  # nobody left at the door
    sent = ev[ev["kind"] == "dispatch"][["time_s", "incident"]].values.tolist()
    assert sent == [
        [0.0, at_0.id],
        [pytest.approx(home), at_2.id],  # the nearer, newer one
        [pytest.approx(home + turnout + on_scene_s), at_1.id],
    ]


def test_the_screen_of_a_queue_is_kept_per_tier_of_the_team_asking() -> None:
    """A ground team ranks the community transfer queue too (:meth:`take_transfer`). A
    transfer only a boat can reach is one a community responder's screen lists but not
    a ground team's without a boat (``_by_kind``); both ask the same queue, on the same
    side, neither with a boat, so a screen kept without the tier in its key would hand
    the responder's list to the ground team."""
    from sim.engine.incidents import Incident
    from tests.protective_fixtures import with_community_post

    scenario = scenario_from_dict({"name": "screen-key", "horizon_h": 1.0})
    net = with_community_post(toy_engine_network(population=[0] * 6), node=1)
    model = EmergencyModel(scenario, net, seed=0)
    d = model.dispatcher
    side = int(net.jurisdiction[1])
    incident = Incident(
        id=99, kind="transfer", node=1, jurisdiction=side, persons=1, tiers=("community",),
        report_s=0.0, on_scene_s={}, needs_boat=True,
    )  # fmt: skip
    d.enqueue(incident, "community")
    key = d.key(side, "community")
    responder = next(t for t in model.teams if t.tier.name == "community")
    ground = next(t for t in model.teams if t.tier.name == "ground" and t.jurisdiction == side)
    assert not responder.boat and not ground.boat
    assert d._screen(key, responder, "any")[0] == [incident]
    assert d._screen(key, ground, "any")[0] == []
    assert d._screen(key, responder, "any")[0] == [incident]
