"""Rescue carried to completion on the toy region: trips, completion time, survival.

The toy (tests/engine_fixtures.py): ``0 - 1 - 2 | 3 - 4 ---- 5``; 1-km links take
100 s; A's ground team at node 2 (turnout 180 s, carries 8), shelter SB at node 4.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.engine.survival import death_after_s, survival
from sim.report.run import format_run
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import toy_engine_network

LINK_S = 100.0
#: People waiting at node 3 (B) whom A's team, 1 km away, may take under joint command:
#: a kind the scenario names (not listed, so no survival curve: they survive waiting),
#: got out in 1 min each. Stranded households are each side's own (``OWN_SIDE_KINDS``).
CUT_OFF = "cut_off"
CUT_OFF_FORCES = {"extraction_min_per_person": {CUT_OFF: 1.0}}


def _incident(persons: int, kind: str, horizon_h: float = 12.0, **forces):
    return scenario_from_dict(
        {
            "name": "toy-rescue",
            "horizon_h": horizon_h,
            "policy": {"linkage": "joint"},  # A's team, 1 km away, takes B's incident
            "forces": forces,
            "incidents": [
                {"time_min": 1.0, "node": 3, "persons": persons, "kind": kind, "tiers": ["ground"]}
            ],
        }
    )


def test_three_trips_complete_at_the_hand_computed_time() -> None:
    # 20 persons cut off (they survive waiting), 1 min each to get out, 8 per trip
    scenario = _incident(20, CUT_OFF, **CUT_OFF_FORCES)
    model = EmergencyModel(scenario, toy_engine_network(), seed=0)
    model.run_for()
    result = collect(model)
    unload_s = scenario.forces.unload_min * 60.0
    per_s = scenario.forces.extraction_min_per_person[CUT_OFF] * 60.0
    t = 60.0 + 180.0 + LINK_S  # reported, turnout, node 2 -> 3
    expected = [[t, "arrive_scene"]]
    for trip, load in enumerate((8, 8, 4)):
        if trip > 0:
            t += LINK_S  # back from SB at node 4 to the incident at node 3
        t += load * per_s
        expected.append([t, "rescued"])
        t += LINK_S + unload_s  # to SB and hand over
        expected.append([t, "deliver"])
    t += 2 * LINK_S  # SB (node 4) -> home (node 2)
    expected.append([t, "team_home"])
    team = next(m for m in model.teams if m.jurisdiction == 0)
    ev = result.events[result.events["agent"] == team.unique_id]
    ev = ev[ev["kind"].isin(["arrive_scene", "rescued", "deliver", "team_home"])]
    assert ev[["time_s", "kind"]].values.tolist() == [[pytest.approx(a), b] for a, b in expected]
    assert ev.loc[ev["kind"] == "rescued", "value"].tolist() == [8, 8, 4]
    row = result.incidents.iloc[0]
    assert row["persons_rescued"] == 20 and row["persons_died"] == 0
    assert row["completed_s"] == pytest.approx(expected[5][0])  # the last person out


def test_a_load_the_horizon_cuts_short_is_in_the_event_log() -> None:
    # 20 cut off, 1 min each: the team is on scene at 340 s and gets one out a minute;
    # a 10-min horizon (600 s) stops the first load after the 4th (at 580 s; the 5th
    # would be out at 640 s). The four are counted and logged, as a "rescued" of 4 at 580 s
    scenario = _incident(20, CUT_OFF, horizon_h=600.0 / 3600.0, **CUT_OFF_FORCES)
    model = EmergencyModel(scenario, toy_engine_network(), seed=0)
    model.run_for()
    result = collect(model)
    rescued = result.events[result.events["kind"] == "rescued"]
    assert rescued[["time_s", "value"]].values.tolist() == [[pytest.approx(580.0), 4.0]]
    assert result.incidents.iloc[0]["persons_rescued"] == 4


def test_a_death_drawn_from_the_curve_is_dated_by_it() -> None:
    # buried: 91 % alive at 18 min, 34 % at 35 min; a draw of 0.625 lies halfway between,
    # so the person died at 18 + 17 / 2 = 26.5 min; 0.34 at 35 min exactly; stranded in a
    # flood (99 % at 12 h, linear), a draw of 0.995 at 6 h; a kind with no curve at 0
    assert death_after_s("buried", 0.625) == pytest.approx(26.5 * 60.0)
    assert death_after_s("buried", 0.34) == pytest.approx(35 * 60.0)
    assert death_after_s("flood_stranded", 0.995) == pytest.approx(6 * 3600.0)
    assert death_after_s("stranded", 0.5) == 0.0
    for u in (0.08, 0.2, 0.5, 0.9, 0.99):  # the inverse of the curve on its span
        assert survival("buried", death_after_s("buried", u)) == pytest.approx(u)


def test_deaths_while_waiting_follow_the_survival_curve() -> None:
    # 400 buried, 30 s each to dig out (so 50 trips spread over the curve's hours)
    scenario = _incident(400, "buried", extraction_min_per_person={"buried": 0.5})
    model = EmergencyModel(scenario, toy_engine_network(), seed=0)
    model.run_for()
    result = collect(model)
    # the team arrives at 60 + 180 + 100 s; each trip digs out 8, one every 30 s (each
    # person's fate is the curve at that moment), then 100 s to SB, 5 min to hand over
    # the living, 100 s back (a load found all dead skips the hand-over, but by then,
    # after 130 min, the curve is flat at 7 %, so the expectation does not move)
    t, out_s = 340.0, []
    for _ in range(50):
        for _ in range(8):
            t += 30.0
            out_s.append(t)
        t += 100.0 + scenario.forces.unload_min * 60.0 + 100.0
    p_dead = 1.0 - survival("buried", np.array(out_s) - 60.0)
    expected, sd = float(p_dead.sum()), float(np.sqrt((p_dead * (1 - p_dead)).sum()))
    rescued = result.events[result.events["kind"] == "rescued"]
    assert rescued["time_s"].iloc[0] == pytest.approx(out_s[7])  # the first load's last
    row = result.incidents.iloc[0]
    assert row["persons_rescued"] + row["persons_died"] == 400
    # every death has its event: where and when (on the way out, or at the horizon)
    died = result.events[result.events["kind"] == "died_waiting"]["value"].sum()
    assert died == row["persons_died"]
    # each trip's fates are independent draws: within 3 standard deviations
    assert abs(row["persons_died"] - expected) <= 3 * sd
    assert 100 < expected < 390  # the curve matters: neither all alive nor all dead


def test_a_tier_table_with_one_key_keeps_the_tier_defaults() -> None:
    # `[forces.aviation] approach_km = 100` once made helicopters carry nobody
    forces = scenario_from_dict(
        {"name": "x", "forces": {"ground": {"teams": 1}, "aviation": {"approach_km": 100.0}}}
    ).forces
    assert (forces.ground.teams, forces.ground.carry_persons, forces.ground.on_scene_min) == (
        1,
        8,
        30.0,
    )
    assert (forces.aviation.carry_persons, forces.aviation.approach_km) == (6, 100.0)
    assert forces.community.carry_persons == 2


def test_a_ground_request_the_helicopter_made_moot_is_not_sent() -> None:
    # A's one ground team (node 2) works 8 stranded at node 1, 10 min each; meanwhile a
    # helicopter (node 0) gets the 2 of a second incident (ground + aviation) out by
    # 1500 s. Before, the ground team, home at 5740 s, was sent to that empty incident.
    scenario = scenario_from_dict(
        {
            "name": "toy-moot",
            "horizon_h": 6.0,
            "policy": {"linkage": "separate"},
            "forces": {"extraction_min_per_person": {"stranded": 10.0}},
            "incidents": [
                {"time_min": 1.0, "node": 1, "persons": 8, "kind": "stranded",
                 "tiers": ["ground"]},
                {"time_min": 2.0, "node": 0, "persons": 2, "kind": "stranded",
                 "tiers": ["ground", "aviation"]},
            ],
        }
    )  # fmt: skip
    model = EmergencyModel(scenario, toy_engine_network(aviation_node=0), seed=0)
    model.run_for()
    result = collect(model)
    ground = next(t for t in model.teams if t.tier.name == "ground" and t.jurisdiction == 0)
    ev = result.events[result.events["agent"] == ground.unique_id]
    # on scene at 60 + 180 + 100 s; 8 x 600 s; 100 s to SA at node 0, 300 s to hand
    # over, 200 s home
    assert ev[["time_s", "kind", "incident"]].values.tolist() == [
        [60.0, "dispatch", 0],
        [340.0, "arrive_scene", 0],
        [5140.0, "rescued", 0],
        [5540.0, "deliver", 0],
        [5740.0, "team_home", -1],
    ]
    moot = result.incidents[result.incidents["incident"] == 1]
    assert moot["completed_s"].tolist() == [1500.0, 1500.0]  # by the helicopter
    assert result.summary["incidents"]["unserved_tier_requests"] == 0  # not needed any more


def test_people_a_team_is_still_digging_out_at_the_horizon_draw_their_fate() -> None:
    # 8 buried, 30 min each: the team takes all 8 on scene at 340 s and has 5 out by the
    # 3-h horizon (2140 s, ..., 9340 s); the other 3 are in its hands there. At the
    # horizon they draw from the curve like those still in line (7 % alive after
    # 130 min); before, they stayed "still waiting" and never died.
    scenario = _incident(8, "buried", horizon_h=3.0, extraction_min_per_person={"buried": 30.0})
    model = EmergencyModel(scenario, toy_engine_network(), seed=0)
    model.run_for()
    result = collect(model)
    ev = result.events
    # the part of the load out by the horizon is logged when the 5th is out
    fifth_s = 340.0 + 5 * 1800.0
    out = ev[(ev["kind"].isin(["rescued", "died_waiting"])) & (ev["time_s"] == fifth_s)]
    assert out["value"].sum() == 5
    # those who died in the team's hands are dated by the curve: within its 130 min of
    # the report (at 60 s), one event each; the summary says they were drawn at the horizon
    late = ev[(ev["kind"] == "died_waiting") & (ev["time_s"] != fifth_s)]
    at_horizon = late["value"].sum()
    assert late["time_s"].between(60.0, 60.0 + 130 * 60.0).all() and (late["value"] == 1).all()
    summary = result.summary["incidents"]
    assert at_horizon >= 1  # 3 draws at 7 % alive: with seed 0, at least one died
    assert summary["persons_still_waiting"] == 3 - at_horizon
    assert summary["persons_rescued"] + summary["persons_died_waiting"] == 5 + at_horizon
    assert summary["persons_died_at_horizon"] == at_horizon  # and the printout says so
    line = next(x for x in format_run(result).splitlines() if "rescue of the" in x)
    assert f"({int(at_horizon):,} of them still waiting at the horizon" in line


def test_running_a_finished_model_again_draws_no_fate_twice() -> None:
    # 400 buried, the horizon cuts the digging short: those still waiting draw their fate
    # once; a second run_for (a researcher's loop) used to draw the living again
    scenario = _incident(400, "buried", horizon_h=1.0, extraction_min_per_person={"buried": 0.5})
    model = EmergencyModel(scenario, toy_engine_network(), seed=0)
    model.run_for()
    first = collect(model).summary["incidents"]
    assert first["persons_still_waiting"] > 0  # some drew "alive" at the horizon
    model.run_for()
    assert collect(model).summary["incidents"] == first


def test_a_team_cut_off_from_its_base_works_on_from_where_it_is() -> None:
    # A's team (node 2) takes 2 persons cut off at node 3 to SB (node 4); at 5 min the
    # links at node 2 close, so there is no road home from SB: the team is based at SB
    # from then on and takes the next incident at node 3 (30 min) from there, 1 link
    # away. Out of service instead, B's team would come from node 5, 31 links away.
    net = toy_engine_network()
    lon, lat = net.to_lonlat(net.x_m[[2]], net.y_m[[2]])
    scenario = scenario_from_dict(
        {
            "name": "toy-cut-off-base",
            "horizon_h": 2.0,
            "policy": {"linkage": "joint"},
            "forces": CUT_OFF_FORCES,
            "closures": [
                {"time_min": 5.0, "action": "close", "lon": float(lon[0]),
                 "lat": float(lat[0]), "radius_m": 100.0},
            ],
            "incidents": [
                {"time_min": t, "node": 3, "persons": n, "kind": CUT_OFF, "tiers": ["ground"]}
                for t, n in ((1.0, 2), (30.0, 1))
            ],
        }
    )  # fmt: skip
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    unload_s = scenario.forces.unload_min * 60.0
    per_s = scenario.forces.extraction_min_per_person[CUT_OFF] * 60.0
    team = next(m for m in model.teams if m.jurisdiction == 0)
    turnout_s = team.tier.turnout_s
    delivered = 60.0 + turnout_s + LINK_S + 2 * per_s + LINK_S + unload_s
    ev = result.events[result.events["agent"] == team.unique_id]
    kinds = ["dispatch", "arrive_scene", "deliver", "rebased", "team_home"]
    ev = ev[ev["kind"].isin(kinds)]
    assert ev[["time_s", "kind", "node"]].values.tolist() == [
        [60.0, "dispatch", 2],
        [pytest.approx(60.0 + turnout_s + LINK_S), "arrive_scene", 3],
        [pytest.approx(delivered), "deliver", 4],
        [pytest.approx(delivered), "rebased", 4],
        [pytest.approx(delivered), "team_home", 4],
        [1800.0, "dispatch", 4],
        [pytest.approx(1800.0 + turnout_s + LINK_S), "arrive_scene", 3],
        [pytest.approx(1800.0 + turnout_s + LINK_S + per_s + LINK_S + unload_s), "deliver", 4],
        [pytest.approx(1800.0 + turnout_s + LINK_S + per_s + LINK_S + unload_s), "team_home", 4],
    ]  # SB is its base now: home at once
    assert team.station_node == 4 and team.available
    assert result.incidents["persons_rescued"].tolist() == [2, 1]


def test_a_load_got_out_dead_is_logged_as_died_not_as_rescued() -> None:
    # 1 buried at node 3, reported at 60 s, 150 min to dig out: on scene at 340 s, out at
    # 9340 s, 9280 s after the report, where the curve leaves 7 % alive; with seed 0 the
    # person is dead. Before, the trip also logged a "rescued" of 0 persons.
    scenario = _incident(1, "buried", horizon_h=6.0, extraction_min_per_person={"buried": 150.0})
    model = EmergencyModel(scenario, toy_engine_network(), seed=0)
    model.run_for()
    ev = collect(model).events
    out = ev[ev["kind"].isin(["rescued", "died_waiting"])]
    assert out[["time_s", "kind", "value"]].values.tolist() == [[9340.0, "died_waiting", 1]]
    assert survival("buried", 9280.0) == pytest.approx(0.07)


def test_a_team_with_no_way_out_is_not_sent_back_until_a_road_reopens() -> None:
    # A's team takes 2 of 4 persons cut off at node 3 to SB (node 4), delivered at
    # 60 + 180 + 100 + 2 x 60 + 100 + 300 = 860 s, and is back at node 3 at 960 s. At
    # 900 s the links at nodes 2 and 4 close: node 3 has no road to any shelter nor
    # home. The team works its 10 min on scene and stays there (1560 s). It used to be
    # sent to the same incident again every turnout + 10 min, moving nobody. Now it waits
    # until the roads reopen (3600 s) and goes then: on scene at 3780 s, the last two
    # out at 3900 s and delivered at 4300 s.
    net = toy_engine_network()
    lon, lat = net.to_lonlat(net.x_m[[2, 4]], net.y_m[[2, 4]])
    closures = [
        {"time_min": t, "action": action, "lon": float(x), "lat": float(y), "radius_m": 100.0}
        for t, action in ((15.0, "close"), (60.0, "reopen"))
        for x, y in zip(lon, lat, strict=True)
    ]
    scenario = scenario_from_dict(
        {
            "name": "toy-no-way-out",
            "horizon_h": 3.0,
            "policy": {"linkage": "joint"},
            "forces": {"ground": {"carry_persons": 2, "on_scene_min": 10.0}, **CUT_OFF_FORCES},
            "closures": closures,
            "incidents": [
                {"time_min": 1.0, "node": 3, "persons": 4, "kind": CUT_OFF, "tiers": ["ground"]}
            ],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    team = next(m for m in model.teams if m.jurisdiction == 0)
    assert team.tier.turnout_s == 180.0
    ev = result.events[result.events["agent"] == team.unique_id]
    kinds = ["dispatch", "arrive_scene", "deliver", "rebased", "team_home"]
    assert ev[ev["kind"].isin(kinds)][["time_s", "kind", "node"]].values.tolist() == [
        [60.0, "dispatch", 2],
        [340.0, "arrive_scene", 3],
        [860.0, "deliver", 4],
        [1560.0, "rebased", 3],
        [1560.0, "team_home", 3],
        [3600.0, "dispatch", 3],
        [3780.0, "arrive_scene", 3],
        [4300.0, "deliver", 4],
        [4400.0, "team_home", 3],
    ]
    assert result.incidents["persons_rescued"].tolist() == [4]
