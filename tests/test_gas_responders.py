"""Who may enter a lethal plume: teams in breathing apparatus, not community responders.

The gas toy of ``tests/protective_fixtures.py``: 25 kg/s in a 2 m/s west wind (F); the
plume is above AEGL-3 for 60 min (50 ppm) at nodes 1 (2 km downwind) and 6 (2.5 km) from
its front's arrival (1000 s), so every link of 1 and 6 is lethal long before 30 min.
Community responder post at node 3, a ground station at node 4, both in A; links at
36 km/h (10 m/s), turnout 240 s (community) and 180 s (ground).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.scenarios import scenario_from_dict
from tests.protective_fixtures import BEHAVIOUR, plume_network, with_community_post
from tests.test_protective import GAS, POPULATION


def _run(community_apparatus: bool | None, post: int = 3):
    forces = {}
    if community_apparatus is not None:
        forces = {"community": {"carry_persons": 2, "breathing_apparatus": community_apparatus}}
    scenario = scenario_from_dict(
        {
            "name": "toy-apparatus",
            "horizon_h": 1.5,
            "population": POPULATION,
            "behaviour": BEHAVIOUR,
            "hazards": {"step_min": 1.0, "gas_leak": GAS},
            "forces": forces,
            "incidents": [
                # in the lethal plume, for either tier; then one on clean ground north of
                # it, for community responders only
                {"time_min": 30, "node": 6, "persons": 1, "tiers": ["community", "ground"]},
                {"time_min": 31, "node": 0, "persons": 1, "tiers": ["community"]},
            ],
        }
    )
    net = with_community_post(plume_network({}), node=post)
    stations = net.places["stations"].copy()
    stations.loc[0, ["node", "jurisdiction"]] = [4, "A"]  # the ground station, in A
    net = replace(net, places={**net.places, "stations": stations})
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    ev = collect(model).events
    rows = ev[ev["kind"].isin(["dispatch", "arrive_scene"])]
    return model, rows[["time_s", "kind", "tier", "incident", "node"]].values.tolist()


def test_community_responders_keep_out_of_the_lethal_plume_and_go_round_it() -> None:
    """The community responder, 1,700 m from node 6 through node 1, is not sent into the
    lethal air: the ground team goes (4 -> 0 -> 1 -> 6, 4,300 m: 180 + 430 s). The
    responder then takes the call at node 0 by the way round the plume, 3 -> 5 -> 4 -> 0
    (8,000 m: 240 + 800 s), not through node 1 (2,000 m)."""
    model, timeline = _run(None)
    gas = model.hazards.get("plume")
    assert gas.ppm[[1, 6]].min() >= 50.0 and gas.ppm[[0, 3, 4, 5]].max() < 1e-6
    assert timeline == [
        [1800.0, "dispatch", "ground", 0, 4],
        [1860.0, "dispatch", "community", 1, 3],
        [1800.0 + 180.0 + 430.0, "arrive_scene", "ground", 0, 6],
        [1860.0 + 240.0 + 800.0, "arrive_scene", "community", 1, 0],
    ]
    roads = model.roads
    through_1 = np.flatnonzero((model.network.edge_source == 1) | (model.network.edge_target == 1))
    assert roads.closed_vehicle[through_1].all() and roads.closed_walk[through_1].all()
    assert np.isinf(roads.router("community").weights_s[through_1]).all()
    assert np.isfinite(roads.router("ground").weights_s[through_1]).all()


def test_a_scenario_that_equips_its_responders_sends_them_into_the_plume() -> None:
    """``forces.community.breathing_apparatus = true``: the responder, 240 + 170 s from
    node 6, is the first there; the call at node 0 waits for it (node 6 -> S-far 3 ->
    node 0 after its 15-min extraction and hand-over)."""
    _, timeline = _run(True)
    assert timeline[:3] == [
        [1800.0, "dispatch", "community", 0, 3],
        [1800.0, "dispatch", "ground", 0, 4],
        [1800.0 + 240.0 + 170.0, "arrive_scene", "community", 0, 6],
    ]
    assert [1860.0, "dispatch", "community", 1, 3] not in timeline


def test_a_responder_whose_home_is_in_lethal_air_stays_in_until_it_clears() -> None:
    """The responder lives at node 6, in the lethal plume from 1250 s (its front at 2.5
    km, 2 m/s) to the horizon. It is not sent, not even to its own node (no road to
    take: 0 s away): the ground team goes there, and the call at node 0 waits."""
    model, timeline = _run(None, post=6)
    assert model.hazards.lethal_air[6] and model.dispatcher.grounded(
        next(t for t in model.teams if t.tier.name == "community")
    )
    assert timeline == [
        [1800.0, "dispatch", "ground", 0, 4],
        [1800.0 + 180.0 + 430.0, "arrive_scene", "ground", 0, 6],
    ]
