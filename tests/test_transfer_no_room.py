"""A team does not take people safe at home out of the house when no shelter has room.

The toy: three one-person vulnerable households at node 1, the community post at node
2 (its responder lives at node 1, the post's populated node); an ``immediate`` order at
0 that no channel carries sends it to their doors, a mandatory transfer. The only
shelter with room, SA at node 0 (1 km from node 1), has two places; SB's one place is
taken (reserved before the run starts, as by someone on the way there). The
responder carries two a trip: it takes two to SA, comes back, and with no place left
anywhere leaves the third at home (``leave_scene``, 1 person), instead of taking her out
of the house to wait in the open (``rescued`` and ``unsheltered``, as before: 59 such
loads, 201 persons, in the built-in flood at seed 0, counted as transferred).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sim.agents.households import AT_HOME, SHELTERED
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.scenarios import scenario_from_dict
from sim.tiers import TIERS
from tests.engine_fixtures import toy_engine_network
from tests.protective_fixtures import transfer_and_trapped, with_community_post

TURNOUT_S = TIERS["community"].turnout_s
LINK_S = 1000.0 / (min(36.0, TIERS["community"].max_speed_kph) / 3.6)  # one 1-km link


@pytest.mark.parametrize("places", [2, 1])
def test_with_no_place_left_the_responder_leaves_the_vulnerable_at_home(places: int) -> None:
    """``places`` at SA: the responder takes that many (of the 2 it could carry) and
    leaves the rest at home; with 1, before, it took 2, found no shelter for both and
    left them in the open."""
    spec = transfer_and_trapped("no-room", vulnerable_share=1.0, trapped_at_s=0.0, trapped_node=2)
    spec["incidents"] = []
    homes = toy_engine_network(population=[0, 3, 0, 0, 0, 0])
    shelters = homes.places["shelters"].assign(capacity_persons=[places, 1])
    net = with_community_post(replace(homes, places={**homes.places, "shelters": shelters}), 2)
    model = EmergencyModel(scenario_from_dict(spec), net, seed=0)
    model.shelters.reserved_persons[1] = 1  # SB's place is taken
    model.run_for()
    team = next(t for t in model.teams if t.tier.name == "community")
    assert team.station_node == 1
    s = model.scenario
    knock_s = s.behaviour.door_knock_min_per_household * 60.0
    lift_s = s.forces.extraction_min_per_person["transfer"] * 60.0
    at_doors_s = TURNOUT_S + 3 * knock_s
    delivered_s = at_doors_s + places * lift_s + LINK_S + team.unload_s
    back_s = delivered_s + LINK_S
    left_s = back_s + team.on_scene_s
    ev = collect(model).events
    mine = ev[(ev["agent"] == team.unique_id) & (ev["kind"] != "border_cross")]
    assert mine[["time_s", "kind", "node", "value"]].values.tolist() == [
        [0.0, "dispatch", 1, 0.0],
        [pytest.approx(TURNOUT_S), "arrive_scene", 1, pytest.approx(TURNOUT_S)],
        [pytest.approx(TURNOUT_S), "door_knock", 1, 3.0],
        [pytest.approx(at_doors_s + places * lift_s), "rescued", 1, float(places)],
        [pytest.approx(delivered_s), "deliver", 0, float(places)],
        [pytest.approx(left_s), "leave_scene", 1, float(3 - places)],
        [pytest.approx(left_s), "team_home", 1, 0.0],
    ]
    assert (ev["kind"] == "unsheltered").sum() == 0
    t = model.households
    assert sorted(t.state.tolist()) == sorted([SHELTERED] * places + [AT_HOME] * (3 - places))
    assert model.shelters.occupants_persons.tolist() == [places, 0]
    assert model.shelters.remaining_persons().tolist() == [0, 0]
    warnings = collect(model).summary["warnings"]["A"]
    assert warnings["transferred_persons"] == places
    assert warnings["vulnerable_waiting_persons"] == 3 - places
