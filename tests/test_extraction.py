"""Teams on scene together share the work of getting people out (sim.agents.extraction).

The toy (tests/engine_fixtures.py): ``0 - 1 - 2 | 3 - 4 ---- 5``; 1-km links take
100 s; two ground teams at A's post, node 2 (turnout 180 s, carry 8); A's shelter at
node 0; the hand-over at a shelter takes 5 min.
"""

from __future__ import annotations

import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import toy_engine_network

#: A kind the scenario names: no survival curve, so everyone survives the wait.
CUT_OFF = "cut_off"


def _two_incidents():
    return scenario_from_dict(
        {
            "name": "toy-shared-extraction",
            "horizon_h": 4.0,
            "forces": {
                "extraction_min_per_person": {CUT_OFF: 30.0},
                "ground": {"teams_per_station": 2},
            },
            "incidents": [
                {"time_min": 1.0, "node": 1, "persons": 4, "kind": CUT_OFF, "tiers": ["ground"]},
                {"time_min": 1.0, "node": 0, "persons": 1, "kind": CUT_OFF, "tiers": ["ground"]},
            ],
        }
    )


def test_a_second_team_on_scene_takes_the_next_person_in_line() -> None:
    # Four persons at node 1, one at node 0, 30 min each to get out, both reported at
    # 60 s. Team 1 is at node 1 at 60 + 180 + 100 = 340 s and starts on the first;
    # team 2 gets the one at node 0 out (440 -> 2240 s), hands them over at the shelter
    # there (2540 s), is home at 2740 s and joins node 1 (there at 2740 + 280 = 3020 s)
    # where team 1 has the first out (2140 s) and is on the second (out 3940 s): team 2
    # takes the third (out 4820 s), team 1 the fourth (out 5740 s). Before, team 1 took
    # all four at 340 s and had them out at 7540 s; team 2 found nobody waiting.
    model = EmergencyModel(_two_incidents(), toy_engine_network(), seed=0)
    model.run_for()
    result = collect(model)
    ev = result.events
    hand_over_s = 5 * 60.0
    team_1, team_2 = (t.unique_id for t in model.teams[:2])
    kinds = ["dispatch", "arrive_scene", "rescued", "deliver", "team_home"]

    def timeline(agent: int) -> list[list]:
        mine = ev[(ev["agent"] == agent) & ev["kind"].isin(kinds)]
        return mine[["time_s", "kind", "value"]].values.tolist()

    assert timeline(team_1) == [
        [60.0, "dispatch", 100.0],
        [340.0, "arrive_scene", 280.0],
        [5740.0, "rescued", 3.0],  # the first, second and fourth
        [5740.0 + 100.0 + hand_over_s, "deliver", 3.0],  # at node 0
        [6140.0 + 200.0, "team_home", 0.0],
    ]
    assert timeline(team_2) == [
        [60.0, "dispatch", 200.0],
        [440.0, "arrive_scene", 380.0],
        [2240.0, "rescued", 1.0],
        [2240.0 + hand_over_s, "deliver", 1.0],  # the shelter is at node 0
        [2540.0 + 200.0, "team_home", 0.0],
        [2740.0, "dispatch", 100.0],  # joins the incident with people still waiting
        [3020.0, "arrive_scene", 2960.0],
        [4820.0, "rescued", 1.0],  # the third
        [4820.0 + 100.0 + hand_over_s, "deliver", 1.0],
        [5220.0 + 200.0, "team_home", 0.0],
    ]
    row = result.incidents.set_index("incident").loc[0]
    assert row["persons_rescued"] == 4
    assert row["completed_s"] == pytest.approx(5740.0)  # the last one out
