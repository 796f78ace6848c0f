"""Exact dispatch timelines on the toy engine region (see tests/engine_fixtures.py).

Ground teams: turnout 180 s. Incident at node 3 (B) reported at t = 60 s.
- B's own team at node 5: 3000 s + 100 s = 3100 s of road → arrives 60 + 180 + 3100 = 3340 s.
- A's team at node 2: 100 s of road → arrives 60 + 180 + 100 = 340 s.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.forces import spread_teams
from sim.engine.model import EmergencyModel
from sim.engine.runs import run
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import toy_engine_network, toy_network


def _scenario(linkage: str, **extra) -> object:
    return scenario_from_dict(
        {
            "name": f"toy-{linkage}",
            "horizon_h": 3.0,
            "policy": {"linkage": linkage, "mutual_aid_request_delay_min": 20.0},
            # teams work 10 min on scene and carry nobody: the plain dispatch timeline
            "forces": {"ground": {"on_scene_min": 10.0, "carry_persons": 0}},
            "incidents": [{"time_min": 1.0, "node": 3, "persons": 5, "tiers": ["ground"]}],
            "outputs": {"track_households": 0},
            **extra,
        }
    )


def _timeline(result) -> list[tuple]:
    ev = result.events
    team = ev[ev["tier"] == "ground"]
    return [
        (round(t, 6), k, int(a)) for t, k, a in zip(team.time_s, team.kind, team.agent, strict=True)
    ]


def test_separate_exact_timeline() -> None:
    result = run(_scenario("separate"), seed=1, network=toy_engine_network())
    # agent ids are Mesa's unique_id from 1: no households here, A-post = 1, B-far = 2
    assert _timeline(result) == [
        (60.0, "incident_reported", -1),
        (60.0, "dispatch", 2),
        (3340.0, "arrive_scene", 2),
        (3940.0, "leave_scene", 2),
        (7040.0, "team_home", 2),
    ]
    assert result.incidents["response_s"].tolist() == [3280.0]
    assert result.summary["coverage"]["B"]["ground_30min"] == 0.0


def test_joint_reaches_across_the_border_sooner_by_the_hand_computed_time() -> None:
    sep = run(_scenario("separate"), seed=1, network=toy_engine_network())
    joint = run(_scenario("joint"), seed=1, network=toy_engine_network())
    assert joint.incidents["response_s"].tolist() == [280.0]
    # 3100 s of road for B's own team against 100 s for A's team across the border
    assert sep.incidents["response_s"].iloc[0] - joint.incidents["response_s"].iloc[0] == 3000.0
    crossings = joint.events[joint.events["kind"] == "border_cross"]
    # into B at node 3 on the way out (340 s), back into A at node 2 on the way home:
    # on scene 340 + 600 s, then 100 s to node 2
    assert crossings[["time_s", "node", "jurisdiction"]].values.tolist() == [
        [340.0, 3, "B"],
        [1040.0, 2, "A"],
    ]
    assert joint.summary["coverage"]["B"]["ground_30min"] == 1.0


def test_coverage_says_how_many_persons_each_share_is_of() -> None:
    """The one incident's 5 persons needed a ground team in B; A needed none.

    The printout puts the base next to each share, so 100 % of 5 persons does not
    read like 100 % of a county.
    """
    from sim.report.run import format_run

    joint = run(_scenario("joint"), seed=1, network=toy_engine_network())
    base = joint.summary["coverage_persons"]
    assert base["B"]["ground_30min"] == 5.0 and base["all"]["ground_30min"] == 5.0
    assert base["A"]["ground_30min"] == 0.0
    assert base["all"]["community_10min"] == 0.0  # the incident asked for ground only
    rows = {line.split()[0]: line.split()[1:] for line in format_run(joint).splitlines()[2:6]}
    # columns: community_10min, ground_30min, aviation_60min
    assert rows["B"] == ["n/a", "100.0%", "of", "5", "n/a"]
    assert rows["A"] == ["n/a", "n/a", "n/a"]
    assert "does not fly at night" not in format_run(joint)  # 10:00 to 13:00


def test_the_printout_says_when_aircraft_were_grounded_by_night() -> None:
    """Aviation does not fly 22:00-06:00 by default: a run from 23:00 to 02:00 is all night;
    one from 05:00 to 08:00 is a third night (05:00-06:00)."""
    from sim.report.run import format_run

    for start, share, until in (("23:00", "100%", "02:00"), ("05:00", "33%", "08:00")):
        result = run(_scenario("joint", start_clock=start), seed=1, network=toy_engine_network())
        expected = 1.0 if start == "23:00" else 60 / 180  # 05:00-06:00 of 05:00-08:00
        assert result.summary["night_share"] == {"aviation": pytest.approx(expected)}
        assert (
            f"  aviation does not fly at night (22:00-06:00): {share} of this run "
            f"({start}-{until}) was night, when its requests waited for daylight"
        ) in format_run(result).splitlines()


def test_mutual_aid_after_request_delay() -> None:
    result = run(_scenario("mutual_aid"), seed=1, network=toy_engine_network())
    # own ETA 3280 s > 30 min: B dispatches its own team AND requests aid; after 1200 s
    # A's team goes (arrives 60 + 1200 + 180 + 100 = 1540 s) and is first on scene
    assert result.incidents["response_s"].tolist() == [1480.0]
    kinds = result.events[result.events["kind"].isin(["aid_requested", "dispatch"])]
    assert kinds[["time_s", "kind", "agent"]].values.tolist() == [
        [60.0, "aid_requested", -1],
        [60.0, "dispatch", 2],
        [1260.0, "dispatch", 1],
    ]


def test_the_slower_own_team_turns_back_from_a_road_the_aid_team_cleared() -> None:
    # a blocked road (reach-only) under mutual aid: A's team clears it (on scene 1540 s to
    # 2140 s); B's own team, sent first and 3100 s of road away, found it cleared at
    # 3340 s and used to work there 10 more min (home 7040 s): now it turns back
    incidents = [
        {"time_min": 1.0, "node": 3, "persons": 1, "kind": "road_blocked", "tiers": ["ground"]}
    ]
    result = run(_scenario("mutual_aid", incidents=incidents), seed=1, network=toy_engine_network())
    ev = result.events[result.events["kind"].isin(["arrive_scene", "leave_scene", "team_home"])]
    assert ev[["time_s", "kind", "agent"]].values.tolist() == [
        [1540.0, "arrive_scene", 1],
        [2140.0, "leave_scene", 1],
        [2240.0, "team_home", 1],
        [3340.0, "arrive_scene", 2],
        [3340.0, "leave_scene", 2],
        [6440.0, "team_home", 2],
    ]


def test_notify_dispatches_like_separate() -> None:
    result = run(_scenario("notify"), seed=1, network=toy_engine_network())
    assert result.incidents["response_s"].tolist() == [3280.0]


def test_busy_team_then_next_free_team_then_queue() -> None:
    scenario = _scenario(
        "joint",
        incidents=[
            {"time_min": 1.0, "node": 3, "persons": 5, "tiers": ["ground"]},
            {"time_min": 2.0, "node": 1, "persons": 2, "tiers": ["ground"]},
            {"time_min": 3.0, "node": 0, "persons": 1, "tiers": ["ground"]},
        ],
    )
    result = run(scenario, seed=1, network=toy_engine_network())
    responses = dict(zip(result.incidents["incident"], result.incidents["response_s"], strict=True))
    assert responses[0] == 280.0
    # incident 1 (node 1, t = 120 s): A-post is busy, so B-far goes at once:
    # 180 s turnout + 3000 + 3 x 100 s of road
    assert responses[1] == 180.0 + 3300.0
    # incident 2 (node 0, t = 180 s): no team free, it waits; A-post is home at
    # 60 + 180 + 100 + 600 + 100 = 1040 s and goes: 1040 + 180 + 200 = 1420 s
    assert responses[2] == 1420.0 - 180.0


def test_forces_teams_total_spread_over_stations() -> None:
    counts = spread_teams(5, np.array([1, 2, 1]))
    assert counts.tolist() == [2, 2, 1]  # station 1 (2 by default) first, then table order
    model = EmergencyModel(
        _scenario("joint", forces={"ground": {"teams": 3}}), toy_engine_network(), seed=1
    )
    assert sorted(t.name for t in model.teams) == ["A-post#1", "A-post#2", "B-far#1"]


def test_aviation_flies_straight_after_launch_delay() -> None:
    # base at node 0, incident at node 4 (a landing site: shelter SB): 4000 m at 220 km/h
    scenario = _scenario(
        "joint", incidents=[{"time_min": 1.0, "node": 4, "persons": 3, "tiers": ["aviation"]}]
    )
    result = run(scenario, seed=1, network=toy_engine_network(aviation_node=0))
    expected = 900.0 + 4000.0 / (220.0 / 3.6)
    assert result.incidents["response_s"].tolist() == [pytest.approx(expected)]
    ev = result.events
    rescued = ev[ev["kind"] == "rescued"]
    # a helicopter carries up to 6: one trip, hoisting 3 persons at 4 min each
    assert rescued["value"].tolist() == [3.0]
    assert rescued["time_s"].tolist() == [pytest.approx(60.0 + expected + 3 * 240.0)]
    assert result.summary["incidents"]["persons_rescued"] == 3


def test_incident_cut_off_waits_and_is_dispatched_when_the_road_reopens() -> None:
    # B's only team (node 5) is cut off by closing the roads at node 5 at t = 0; the
    # incident at node 3 (t = 60 s) waits. The roads reopen at t = 1800 s and the team goes
    # at once: 1800 + 180 s turnout + 3100 s of road = 5080 s, 5020 s after the report.
    net = toy_engine_network()
    lon, lat = net.to_lonlat(net.x_m[[5]], net.y_m[[5]])
    where = {"lon": float(lon[0]), "lat": float(lat[0]), "radius_m": 100.0}
    scenario = _scenario(
        "separate",
        closures=[
            {"time_min": 0.0, "action": "close", **where},
            {"time_min": 30.0, "action": "reopen", **where},
        ],
    )
    result = run(scenario, seed=1, network=net)
    assert _timeline(result)[:3] == [
        (60.0, "incident_reported", -1),
        (1800.0, "dispatch", 2),
        (5080.0, "arrive_scene", 2),
    ]
    assert result.incidents["response_s"].tolist() == [5020.0]


def test_waiting_incidents_are_triaged_threat_to_life_first() -> None:
    # B's only team (B-far, node 5) takes incident 0 (t = 60 s) and is home at
    # 60 + 180 + 3100 + 600 + 3100 = 7040 s. Meanwhile a stranded household (node 4,
    # t = 120 s) and a burial (node 3, t = 180 s) wait: the burial goes first although it
    # came later, arriving 7040 + 180 + 3100 = 10320 s; the household is still waiting.
    scenario = _scenario(
        "separate",
        incidents=[
            {"time_min": 1.0, "node": 3, "persons": 5, "tiers": ["ground"]},
            {"time_min": 2.0, "node": 4, "persons": 2, "tiers": ["ground"], "kind": "stranded"},
            {"time_min": 3.0, "node": 3, "persons": 9, "tiers": ["ground"], "kind": "buried"},
        ],
    )
    result = run(scenario, seed=1, network=toy_engine_network())
    dispatches = result.events[result.events["kind"] == "dispatch"]
    assert dispatches[["time_s", "incident"]].values.tolist() == [[60.0, 0], [7040.0, 2]]
    responses = dict(zip(result.incidents["incident"], result.incidents["response_s"], strict=True))
    assert responses == {0: 3280.0, 1: np.inf, 2: 10320.0 - 180.0}


def _spur_network():
    """``a (A) -1 km- j (B) -30 km- f (B)``, and ``s (B)`` 1 km north of ``j`` on a spur.

    Ground posts at ``a`` (A, node 0) and ``f`` (B, node 2); a shelter at ``a``.
    """
    import pandas as pd

    places = {
        "stations": pd.DataFrame(
            {"name": ["A-post", "B-far"], "tier": ["ground", "ground"], "node": [0, 2],
             "teams": [1, 1], "jurisdiction": ["A", "B"]}
        ),
        "shelters": pd.DataFrame(
            {"name": ["SA"], "level": ["town"], "node": [0], "capacity_persons": [100],
             "jurisdiction": ["A"]}
        ),
    }  # fmt: skip
    return toy_network(
        np.array([0.0, 1000.0, 31000.0, 1000.0]),
        np.array([0.0, 0.0, 0.0, 1000.0]),
        [(0, 1, 1000.0), (1, 2, 30000.0), (1, 3, 1000.0)],
        jurisdiction=np.array([0, 1, 1, 1], np.int8),
        names=("A", "B"),
        places=places,
    )


def test_the_road_reopens_when_the_team_that_clears_it_leaves() -> None:
    # a slide on the spur (node 3, B) at 60 s; B's own team is 3,000 s of road away, so B
    # asks for aid and A's team (100 s away) goes after the 10-min request delay: on
    # scene at 60 + 600 + 180 + 100 = 940 s, clearing for 60 min, to 4,540 s. B's team
    # arrives at 60 + 180 + 3000 = 3,240 s and turns back; it used to reopen the road then
    net = _spur_network()
    lon, lat = net.to_lonlat(net.x_m[[3]], net.y_m[[3]])
    slide = {"time_min": 1.0, "lon": float(lon[0]), "lat": float(lat[0]), "radius_m": 50.0}
    scenario = scenario_from_dict(
        {
            "name": "toy-spur",
            "horizon_h": 3.0,
            "policy": {"linkage": "mutual_aid"},
            "hazards": {"landslide": {"clear_min": 60.0, "slides": [slide]}},
            "outputs": {"track_households": 0},
        }
    )
    ev = run(scenario, seed=0, network=net).events
    log = ev[ev["kind"].isin(["arrive_scene", "leave_scene", "slide_cleared"])]
    assert log[["time_s", "kind", "agent"]].values.tolist() == [
        [940.0, "arrive_scene", 1],
        [3240.0, "arrive_scene", 2],
        [3240.0, "leave_scene", 2],
        [4540.0, "leave_scene", 1],
        [4540.0, "slide_cleared", -1],
    ]


def test_among_equal_benefit_the_nearest_waiting_incident_goes_first() -> None:
    # B-far (node 5) is busy with incident 0 until 7040 s (as above). Two stranded
    # households of 2 persons each (no survival curve: equal benefit) wait: incident 1
    # at node 3 (t = 120 s, 31 km of road) and incident 2 at node 4 (t = 180 s, 30 km).
    # The nearer one goes first though it is younger: 7040 + 180 + 3000 = 10220 s.
    scenario = _scenario(
        "separate",
        incidents=[
            {"time_min": 1.0, "node": 3, "persons": 5, "tiers": ["ground"]},
            {"time_min": 2.0, "node": 3, "persons": 2, "tiers": ["ground"], "kind": "stranded"},
            {"time_min": 3.0, "node": 4, "persons": 2, "tiers": ["ground"], "kind": "stranded"},
        ],
    )
    result = run(scenario, seed=1, network=toy_engine_network())
    dispatches = result.events[result.events["kind"] == "dispatch"]
    assert dispatches[["time_s", "incident"]].values.tolist() == [[60.0, 0], [7040.0, 2]]
    responses = dict(zip(result.incidents["incident"], result.incidents["response_s"], strict=True))
    assert responses[2] == 10220.0 - 180.0


@pytest.mark.parametrize(("kind", "asked"), [("stranded", False), ("road_blocked", True)])
def test_mutual_aid_is_not_asked_for_people_safe_where_they_are(kind, asked) -> None:
    # as test_mutual_aid_after_request_delay, but the household at node 3 is safe where
    # it is (stranded): B's own team goes (3280 s) and A's team stays home for its own
    # area. A blocked road (access for everyone) is still asked for.
    scenario = _scenario(
        "mutual_aid",
        incidents=[{"time_min": 1.0, "node": 3, "persons": 2, "tiers": ["ground"], "kind": kind}],
    )
    result = run(scenario, seed=1, network=toy_engine_network())
    kinds = result.events[result.events["kind"].isin(["aid_requested", "dispatch"])]
    expected = [[60.0, "aid_requested", -1]] if asked else []
    expected += [[60.0, "dispatch", 2]] + ([[1260.0, "dispatch", 1]] if asked else [])
    assert kinds[["time_s", "kind", "agent"]].values.tolist() == expected
    assert result.summary["linkage"]["B"]["cross_border_dispatches"].get("ground", 0) == asked


def test_under_joint_command_a_household_safe_where_it_is_waits_for_its_own_side() -> None:
    # one command, but B's stranded household (node 3) is B's work, as a transfer is:
    # B-far goes (180 + 3100 s), not A's team 1 km away, which stays for threats to life
    scenario = _scenario(
        "joint",
        incidents=[
            {"time_min": 1.0, "node": 3, "persons": 2, "tiers": ["ground"], "kind": "stranded"}
        ],
    )
    result = run(scenario, seed=1, network=toy_engine_network())
    assert _timeline(result)[:3] == [
        (60.0, "incident_reported", -1),
        (60.0, "dispatch", 2),
        (3340.0, "arrive_scene", 2),
    ]
    assert result.summary["linkage"]["B"]["cross_border_dispatches"].get("ground", 0) == 0
