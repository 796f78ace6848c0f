"""Cross-border linkage on the toy regions, with hand-computed timelines.

The toy (tests/engine_fixtures.py): ``0 - 1 - 2 | 3 - 4 ---- 5``, A on 0-2, B on 3-5,
1-km links at 36 km/h (100 s) and a 30-km link 4-5 (3000 s); ground teams at node 2
(A) and node 5 (B), turnout 180 s. Nobody lives there unless said, so no traffic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.clock import Clock
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.scenarios import scenario_from_dict
from sim.scenarios.behaviour import WARNING_LEVELS
from sim.tiers import TIERS
from tests.engine_fixtures import toy_engine_network
from tests.protective_fixtures import TOY_FLOOD, flood_network

GROUND_TURNOUT_S = TIERS["ground"].turnout_s
LINK_S = 100.0


def _events(result, kinds):
    ev = result.events
    return ev[ev["kind"].isin(kinds)]


def _flood(linkage: str, **policy):
    """A's warning at 0 s; B's node 3 goes under water at 15 min (tests/protective_fixtures)."""
    return scenario_from_dict(
        {
            "name": "toy-flood-link",
            "horizon_h": 1.0,
            "policy": {
                "linkage": linkage,
                "notification_delay_min": 5.0,
                "detection_delay_min": 600.0,  # B would not notice the water by itself
                **policy,
            },
            "hazards": {"step_min": 1.0, "flood": TOY_FLOOD},
            "warnings": [
                {"time_min": 0, "level": "risk", "issued_by": "A", "zone": {"jurisdiction": "A"}}
            ],
        }
    )


def test_a_forwarded_forecast_warns_the_other_side_before_the_water_arrives() -> None:
    for linkage in ("separate", "notify"):
        model = EmergencyModel(_flood(linkage), flood_network([0, 0, 0, 0, 0, 0]), seed=0)
        model.run_for()
        result = collect(model)
        b = _events(result, ["warning_issued"])
        b = b[b["jurisdiction"] == "B"]
        link = result.summary["linkage"]["B"]
        if linkage == "separate":
            assert b.empty and np.isinf(link["knew_hazard_s"])
            continue
        # told 5 min after A's warning (A's own warning is forwarded too); node 3 is
        # forecast wet at 15 min, 10 min ahead: inside every stage's lead, so B's plan
        # issues the highest, the immediate order, for it
        assert sorted(b[["time_s", "tier", "value"]].values.tolist()) == [
            [300.0, "linkage", WARNING_LEVELS.index("risk")],
            [300.0, "plan", WARNING_LEVELS.index("immediate")],
        ]
        assert link["knew_hazard_s"] == 300.0 and link["knew_how"] == "via A"
        assert np.isinf(link["lead_over_own_s"])  # on its own, never within the hour
        assert result.summary["warnings"]["B"]["first_warning_s"] == 300.0
        assert result.summary["hazards"]["reached_s"]["B"] > 300.0


def _call(linkage: str, **policy):
    return scenario_from_dict(
        {
            "name": "toy-aid",
            "horizon_h": 2.0,
            "policy": {"linkage": linkage, "mutual_aid_request_delay_min": 10.0, **policy},
            "incidents": [{"time_min": 1.0, "node": 3, "persons": 1, "tiers": ["ground"]}],
        }
    )


@pytest.mark.parametrize(
    ("linkage", "requested", "first_s", "arrive_s"),
    [
        # B's own team: 60 + 180 + 100 + 3000 = 3340 s, beyond the 30-min standard
        ("separate", False, 60.0, 60.0 + GROUND_TURNOUT_S + 31 * LINK_S),
        # asked at once, A answers 10 min later from 1 km away
        ("mutual_aid", True, 660.0, 660.0 + GROUND_TURNOUT_S + LINK_S),
        # one command: the nearest team goes at once
        ("joint", False, 60.0, 60.0 + GROUND_TURNOUT_S + LINK_S),
    ],
)
def test_mutual_aid_is_requested_when_own_arrival_exceeds_the_standard(
    linkage, requested, first_s, arrive_s
) -> None:
    model = EmergencyModel(_call(linkage), toy_engine_network(), seed=0)
    model.run_for()
    result = collect(model)
    asked = _events(result, ["aid_requested"])
    assert asked["time_s"].tolist() == ([60.0] if requested else [])
    a_team = next(t for t in model.teams if t.jurisdiction == 0)
    arrivals = _events(result, ["arrive_scene"])
    first = arrivals.iloc[0]
    assert first["time_s"] == pytest.approx(arrive_s)
    if linkage != "separate":
        assert first["agent"] == a_team.unique_id
        dispatch = _events(result, ["dispatch"])
        assert dispatch.loc[dispatch["agent"] == a_team.unique_id, "time_s"].iloc[0] == first_s
    assert result.incidents["response_s"].iloc[0] == pytest.approx(arrive_s - 60.0)
    link = result.summary["linkage"]["B"]
    foreign = 0 if linkage == "separate" else 1
    assert link["cross_border_dispatches"].get("ground", 0) == foreign


def test_border_passage_delay_only_without_priority_passage() -> None:
    for linkage, wait_s in (("separate", 1200.0), ("notify", 1200.0), ("mutual_aid", 0.0)):
        scenario = _call(linkage, border_passage_delay_min=20.0)
        model = EmergencyModel(scenario, toy_engine_network(), seed=0)
        a_team = next(t for t in model.teams if t.jurisdiction == 0)
        # a trip that ends on B's ground waits once; one on A's ground or back home never
        assert model.aid.passage_delay_s(a_team, np.array([2, 3, 4])) == wait_s
        assert model.aid.passage_delay_s(a_team, np.array([2, 3, 2])) == 0.0
        assert model.aid.passage_delay_s(a_team, np.array([0, 1, 2])) == 0.0
        aircraft_route = None
        assert model.aid.passage_delay_s(a_team, aircraft_route) == 0.0


def test_a_threatened_lender_keeps_its_reserve() -> None:
    scenario = _flood("mutual_aid", reserve_share=0.5)
    net = flood_network([0, 0, 0, 0, 0, 0])
    model = EmergencyModel(scenario, net, seed=0)
    b_team = next(t for t in model.teams if t.jurisdiction == 1)
    assert model.aid.may_lend(b_team)  # nobody knows of the flood yet
    model.env.run(until=400.0)
    # B knows at 300 s (A's warning, forwarded) that the water will reach node 3:
    # of its one ground team it keeps ceil(0.5 x 1) = 1, so it lends none
    assert model.aid.threatened().tolist() == [False, True]
    assert not model.aid.may_lend(b_team)
    a_team = next(t for t in model.teams if t.jurisdiction == 0)
    assert model.aid.may_lend(a_team)  # A's ground is dry
    assert model.aid.summary()["B"]["teams_held_in_reserve"] == 1


def _night_call(night_capable: bool):
    return scenario_from_dict(
        {
            "name": "toy-night",
            "horizon_h": 10.0,
            "start_clock": "21:00",
            "forces": {"aviation": {"night_capable": night_capable}},
            "incidents": [{"time_min": 70.0, "node": 1, "persons": 1, "tiers": ["aviation"]}],
        }
    )


@pytest.mark.parametrize(("night_capable", "dispatch_s"), [(False, 9 * 3600.0), (True, 4200.0)])
def test_aircraft_without_night_capability_wait_for_daylight(night_capable, dispatch_s) -> None:
    # reported 22:10, in the night (22:00-06:00): a day-only helicopter launches at 06:00
    model = EmergencyModel(_night_call(night_capable), toy_engine_network(aviation_node=0), seed=0)
    model.run_for()
    result = collect(model)
    dispatch = _events(result, ["dispatch"])
    assert dispatch[["time_s", "tier"]].values.tolist() == [[dispatch_s, "aviation"]]


def test_clock_next_dawn() -> None:
    clock = Clock("21:00", "22:00", "06:00")
    assert clock.next_dawn_s(0.0) == 9 * 3600.0
    assert clock.next_dawn_s(9 * 3600.0) == 33 * 3600.0
    assert Clock("12:00", "00:00", "00:00").next_dawn_s(0.0) == np.inf


def test_joint_triage_takes_the_threat_to_life_before_the_older_stranded_household() -> None:
    # one ground team for both sides (A's, node 2). It takes the first incident at node
    # 1 (t = 60 s): arrives 60 + 180 + 100 = 340 s, 15 min to free the trapped person,
    # 100 s + 5 min unload to SA at node 0, 200 s home: free at 1840 s. Meanwhile a
    # stranded household of A (node 1, t = 120 s) and a burial in B (node 3, t = 180 s)
    # wait in the one joint queue: the burial goes first though it came later
    scenario = scenario_from_dict(
        {
            "name": "toy-joint-triage",
            "horizon_h": 2.0,
            "policy": {"linkage": "joint"},
            "forces": {"ground": {"teams": 1}},
            "incidents": [
                {"time_min": 1.0, "node": 1, "persons": 1, "tiers": ["ground"]},
                {"time_min": 2.0, "node": 1, "persons": 2, "tiers": ["ground"], "kind": "stranded"},
                {"time_min": 3.0, "node": 3, "persons": 3, "tiers": ["ground"], "kind": "buried"},
            ],
        }
    )
    model = EmergencyModel(scenario, toy_engine_network(), seed=0)
    model.run_for()
    result = collect(model)
    assert [t.station_node for t in model.teams] == [2]
    dispatch = _events(result, ["dispatch"])
    free_s = 60.0 + GROUND_TURNOUT_S + LINK_S + 15 * 60.0 + LINK_S + 300.0 + 2 * LINK_S
    assert dispatch[["time_s", "incident"]].values.tolist()[:2] == [
        [60.0, 0],
        [pytest.approx(free_s), 2],
    ]


@pytest.mark.parametrize(("teams", "arrive_s"), [(1, 1200.0 + 180.0 + 100.0), (0, 1200.0 + 480.0)])
def test_a_neighbour_told_of_the_flood_pre_positions_a_team_at_its_border(teams, arrive_s) -> None:
    # B warns at 0 s of the flood that will reach its node 3; A hears 5 min later and,
    # its own ground dry, sends its team from node 0 to its border node nearest the
    # water (node 2, 200 s away). B's incident at node 3 (10 min) is 3280 s away for
    # B's own team: A is asked at once and answers 10 min later, from node 2 (100 s)
    # instead of from home (300 s)
    from dataclasses import replace

    net = flood_network([0, 0, 0, 0, 0, 0])
    stations = net.places["stations"].copy()
    stations.loc[stations["name"] == "A-post", "node"] = 0
    net = replace(net, places={**net.places, "stations": stations})
    spec = scenario_from_dict(
        {
            "name": "toy-preposition",
            "horizon_h": 1.0,
            "policy": {
                "linkage": "mutual_aid",
                "notification_delay_min": 5.0,
                "mutual_aid_request_delay_min": 10.0,
                "preposition_teams": teams,
                "reserve_share": 0.0,
            },
            "hazards": {"step_min": 1.0, "flood": TOY_FLOOD},
            "warnings": [
                {"time_min": 0, "level": "risk", "issued_by": "B", "zone": {"jurisdiction": "B"}}
            ],
            "incidents": [{"time_min": 10.0, "node": 3, "persons": 1, "tiers": ["ground"]}],
        }
    )
    model = EmergencyModel(spec, net, seed=0)
    model.run_for()
    result = collect(model)
    a_team = next(t for t in model.teams if t.jurisdiction == 0)
    moved = _events(result, ["preposition"])
    if teams:
        assert moved[["time_s", "agent", "node", "value"]].values.tolist() == [
            [300.0, a_team.unique_id, 2, 200.0]
        ]
        assert result.summary["linkage"]["A"]["teams_prepositioned"] == 1
    else:
        assert moved.empty
    first = _events(result, ["arrive_scene"]).iloc[0]
    assert first["agent"] == a_team.unique_id
    assert first["time_s"] == pytest.approx(arrive_s)


def test_aviation_is_sent_unasked_to_a_threat_to_life_far_from_any_ground_team() -> None:
    # B's injured at node 3: its ground team needs 10 min turnout + 3100 s = 3700 s, over
    # the 60-min aviation standard, so B's helicopter at node 5 is sent too: 15 min
    # launch + 31 km at 220 km/h, landing at the village (node 3) itself
    from dataclasses import replace

    net = toy_engine_network()
    air = pd.DataFrame(
        {"name": ["B-air"], "tier": ["aviation"], "node": [5], "teams": [1], "jurisdiction": ["B"]}
    )
    stations = pd.concat([net.places["stations"], air], ignore_index=True)
    net = replace(net, places={**net.places, "stations": stations})
    for kind, sent in (("injured", True), ("stranded", False)):
        scenario = scenario_from_dict(
            {
                "name": "toy-air-need",
                "horizon_h": 2.0,
                "forces": {"ground": {"turnout_min": 10.0}},
                "incidents": [
                    {"time_min": 1.0, "node": 3, "persons": 1, "kind": kind, "tiers": ["ground"]}
                ],
            }
        )
        model = EmergencyModel(scenario, net, seed=0)
        model.run_for()
        result = collect(model)
        arrivals = _events(result, ["arrive_scene"])
        flights = arrivals[arrivals["tier"] == "aviation"]
        if not sent:  # safe where they are: the ground team goes, nobody flies
            assert flights.empty
            continue
        fly_s = 900.0 + 31_000.0 / (220.0 / 3.6)  # node 5 (34 km) to node 3 (3 km)
        assert flights["time_s"].tolist() == [pytest.approx(60.0 + fly_s)]
        assert result.incidents["tier"].tolist() == ["ground", "aviation"]
