"""State of a run at time t: counters against pandas, household states, positions, hazards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine.runs import run
from sim.replay.build import build_timeline
from sim.replay.counters import build_counters, counter_table, counters_at, time_ms
from sim.replay.symbols import (
    EXPOSED,
    NOT_WARNED,
    ON_THE_WAY,
    SHELTERED,
    STRANDED,
    WARNED,
)
from sim.results.run_folder import hazard_frame_times_s, load_run
from tests.engine_fixtures import cut_off_scenario
from tests.replay_fixtures import reference_counters, tiny_events, tiny_run_dir  # noqa: F401


def assert_counters_equal(got: dict[str, float], want: dict[str, float]) -> None:
    assert got.keys() == want.keys()
    for key, value in want.items():
        if np.isnan(value):
            assert np.isnan(got[key]), key
        else:
            assert got[key] == pytest.approx(value, abs=1e-9), key


def test_counters_of_tiny_run_equal_pandas_at_every_event_time_and_between(
    tiny_events: pd.DataFrame,  # noqa: F811
) -> None:
    counters = build_counters(tiny_events)
    times = np.unique(tiny_events["time_s"])
    for t in np.concatenate([times, times + 0.5, times - 1e-6, [-1.0, 1e9]]):
        assert_counters_equal(counters_at(counters, float(t)), reference_counters(tiny_events, t))


def test_counters_of_tiny_run_hand_checked(tiny_events: pd.DataFrame) -> None:  # noqa: F811
    counters = build_counters(tiny_events)
    before = counters_at(counters, 299.0)
    assert before["warned_persons"] == 0 and before["open_incidents"] == 1
    assert np.isnan(counters_at(counters, 59.0)["coverage_ground"])
    assert counters_at(counters, 300.0)["warned_persons"] == 5
    at = counters_at(counters, 1004.0)
    assert at["evacuated_persons"] == 4 and at["on_the_way_persons"] == 1
    assert at["open_incidents"] == 0 and at["coverage_ground"] == 1.0
    assert counters_at(counters, 1500.0)["roads_closed"] == 2
    assert counters_at(counters, 3000.0)["roads_closed"] == 0
    # the team is still freeing the 5 trapped (15 min each) at the horizon: no way back
    assert counters_at(counters, 3600.0)["border_crossings"] == 1


def test_stranded_household_that_resumes_in_replay_state_and_counters(tmp_path: Path) -> None:
    # tests/engine_fixtures.py: stranded at 900 s, roads reopen at 1800 s, the household
    # sets off again and reaches SA at 1900 s; its incident is withdrawn at 1800 s.
    scenario, net = cut_off_scenario(reopen_min=30.0)
    out = tmp_path / "run"
    run(scenario, seed=3, network=net).write(out)
    net.save(out / "network.npz")
    tl = build_timeline(load_run(out))
    states = [int(tl.household_state_at(t)[0]) for t in (899.0, 900.0, 1799.0, 1800.0, 1900.0)]
    assert states == [WARNED, STRANDED, STRANDED, ON_THE_WAY, SHELTERED]
    assert tl.node_persons_at(1000.0)[STRANDED, 1] == 1.0
    assert tl.incidents.withdrawn_s.tolist() == [1800.0]
    events = tl.run.events
    counters = build_counters(events)
    for t in (899.0, 900.0, 1799.0, 1800.0, 1850.0, 1900.0, 7200.0):
        assert_counters_equal(counters_at(counters, t), reference_counters(events, t))
    at = counters_at(counters, 1000.0)
    assert at["stranded_persons"] == 1 and at["open_incidents"] == 1
    assert at["coverage_ground"] == 0.0  # needed, not reached yet
    at = counters_at(counters, 1850.0)
    assert at["stranded_persons"] == 0 and at["on_the_way_persons"] == 1
    assert at["open_incidents"] == 0 and np.isnan(at["coverage_ground"])  # none needed now


def random_event_log(seed: int, n: int = 3000) -> pd.DataFrame:
    """A random event log with every counted kind, tiers and repeated agents."""
    rng = np.random.default_rng(seed)
    kinds = np.array(
        [
            "warning_issued",
            "warned",
            "depart",
            "arrive_shelter",
            "stranded",
            "exposed",
            "incident_reported",
            "arrive_scene",
            "dispatch",
            "border_cross",
            "delivery",
            "road_closed",
            "road_reopened",
            "resume",
            "incident_withdrawn",
            "relocate",
            "shelter_in_place",
            "unsheltered",
            "shelter_unsafe",
        ]
    )
    kind = kinds[rng.integers(0, kinds.size, n)]
    tier_choices = np.array(["community", "ground", "aviation"])
    tier = np.where(
        kind == "incident_reported",
        np.array(["community,ground", "ground", "ground,aviation", "community"])[
            rng.integers(0, 4, n)
        ],
        np.where(
            kind == "exposed",
            np.array(["AEGL-2", "AEGL-3"])[rng.integers(0, 2, n)],
            tier_choices[rng.integers(0, 3, n)],
        ),
    )
    incident = rng.integers(0, 40, n)
    reported = kind == "incident_reported"
    first_report = pd.Series(np.flatnonzero(reported)).groupby(incident[reported]).first()
    keep = ~reported | np.isin(np.arange(n), first_report.to_numpy())  # report once each
    events = pd.DataFrame(
        {
            "time_s": np.round(rng.uniform(0, 20_000, n), rng.integers(0, 4)),
            "kind": kind,
            "agent": np.where(rng.random(n) < 0.1, -1, rng.integers(0, 300, n)),
            "node": rng.integers(0, 50, n),
            "jurisdiction": "A",
            "incident": incident,
            "tier": tier,
            "value": np.where(
                kind == "arrive_scene", rng.uniform(0, 4000, n), rng.integers(1, 9, n)
            ),
        }
    )[keep]
    events = events.sort_values("time_s", kind="stable").reset_index(drop=True)
    # incidents 30..39 are never reached; as in a run, an incident is withdrawn once,
    # after its report, and never reached
    events = events[(events["kind"] != "arrive_scene") | (events["incident"] < 30)]
    report_s = events[events["kind"] == "incident_reported"].set_index("incident")["time_s"]
    reached = set(events.loc[events["kind"] == "arrive_scene", "incident"])
    gone = events["kind"] == "incident_withdrawn"
    valid = gone & (events["time_s"] > events["incident"].map(report_s).fillna(np.inf))
    valid &= ~events["incident"].isin(reached) & ~events["incident"].where(valid).duplicated()
    return events[~gone | valid].reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counters_of_random_event_logs_equal_pandas(seed: int) -> None:
    events = random_event_log(seed)
    counters = build_counters(events)
    rng = np.random.default_rng(seed + 100)
    times = np.concatenate(
        [rng.uniform(-10, 20_010, 25), events["time_s"].sample(15, random_state=seed)]
    )
    table = counter_table(counters, times)
    for k, t in enumerate(times):
        want = reference_counters(events, float(t))
        assert_counters_equal(counters_at(counters, float(t)), want)
        row = table.iloc[k].drop("time_s").to_dict()
        assert_counters_equal(row, want)


def test_time_ms_keeps_event_order_against_any_whole_millisecond() -> None:
    rng = np.random.default_rng(0)
    times = np.concatenate(
        [rng.uniform(0, 30_000, 2000), np.arange(0, 10, 0.001), [0.1 + 0.2, 1.001, 2.675]]
    )
    ms = time_ms(times)
    for m in (ms - 1, ms, ms + 1):  # the only places where the answer could flip
        assert np.array_equal(times <= m / 1000.0, ms <= m)
    assert time_ms(np.array([np.inf]))[0] == -1


@pytest.fixture(scope="module")
def timeline(tiny_run_dir: Path):  # noqa: F811
    return build_timeline(load_run(tiny_run_dir))


def test_household_states_follow_their_events(timeline) -> None:
    assert timeline.households.agent.tolist() == [1, 2, 3, 4, 5]  # Mesa unique_ids
    assert timeline.household_state_at(299.0).tolist() == [NOT_WARNED] * 5
    assert timeline.household_state_at(300.0).tolist() == [WARNED] * 5
    assert timeline.household_state_at(900.0).tolist() == [ON_THE_WAY] * 5
    assert timeline.household_state_at(1002.0).tolist() == [
        SHELTERED,
        ON_THE_WAY,
        ON_THE_WAY,
        SHELTERED,
        ON_THE_WAY,
    ]
    assert timeline.household_state_at(1008.0).tolist() == [SHELTERED] * 5


def test_node_persons_conserve_residents_and_move_to_shelters(timeline) -> None:
    tracked_moving = {952.0: 1, 100.0: 0, 1100.0: 0}
    for t, moving in tracked_moving.items():
        persons = timeline.node_persons_at(t)
        assert persons[:EXPOSED].sum() + moving == 5  # before the synthetic flood stranding
    at = timeline.node_persons_at(100.0)
    assert at[NOT_WARNED, 1] == 3 and at[NOT_WARNED, 3] == 2
    at = timeline.node_persons_at(952.0)  # household 1 is tracked: drawn on the road
    assert at[ON_THE_WAY, 1] == 2 and at[ON_THE_WAY, 3] == 2
    at = timeline.node_persons_at(1100.0)
    assert at[SHELTERED, 0] == 3 and at[SHELTERED, 4] == 2 and at[:SHELTERED].sum() == 0
    at = timeline.node_persons_at(1600.0)  # node-level events: 1 cut off at 4, 2 exposed at 1
    assert at[STRANDED, 4] == 1 and at[EXPOSED, 1] == 2


def test_positions_interpolate_between_track_points(timeline) -> None:
    x0 = 500_000.0
    x, _ = timeline.moving_households_at(952.0)  # 900 s at node 1, 1004 s at node 0
    assert x.tolist() == pytest.approx([x0 + 1000.0 - 1000.0 * 52 / 104])
    tr = timeline.tracks
    team = np.flatnonzero(tr.family == "team")[0]
    assert tr.tier[team] == "ground"
    for t, want_x, started in (
        (100.0, 2000.0, False),
        (290.0, 2500.0, True),
        (1000.0, 3000.0, True),
        (9e9, 3000.0, True),  # still on scene at the horizon: 5 trapped x 15 min
    ):
        x, _, s = tr.positions_at(t)
        assert x[team] == pytest.approx(x0 + want_x) and s[team] == started


def test_hazard_frames_hold_until_the_next_and_frames_without_rows_are_empty(timeline) -> None:
    flood = timeline.hazards["flood"]
    assert flood.frame_index(1199.0) == -1
    nodes, values = flood.frame(flood.frame_index(2000.0))
    assert nodes.tolist() == [4, 5] and values.tolist() == [1.0, 1.0]
    assert flood.frame(flood.frame_index(2399.0))[0].tolist() == [4, 5]
    for t in (2400.0, 3000.0, 3600.0):  # the engine wrote no flood row: the water is gone
        assert flood.frame(flood.frame_index(t))[0].size == 0
    plume = timeline.hazards["plume"]
    assert plume.frame(plume.frame_index(1799.0))[0].tolist() == [1]
    assert plume.frame(plume.frame_index(1800.0))[0].size == 0  # the plume has passed
    assert set(timeline.hazards) == {"flood", "plume", "landslide"}


def test_hazard_frame_times_follow_the_engine_clock() -> None:
    # updates every 2 min, a frame due every 5 min: taken at the first update at or after
    assert hazard_frame_times_s(step_s=120.0, frame_s=300.0, horizon_s=1800.0).tolist() == [
        0.0,
        360.0,
        600.0,
        960.0,
        1200.0,
        1560.0,
    ]
    # the clock stops at the horizon: no frame at the horizon itself
    assert hazard_frame_times_s(step_s=60.0, frame_s=300.0, horizon_s=900.0).tolist() == [
        0.0,
        300.0,
        600.0,
    ]


def test_hazard_frame_times_match_a_real_hazard_run(tmp_path: Path) -> None:
    from sim.engine.runs import run
    from sim.scenarios import scenario_from_dict
    from tests.replay_fixtures import tiny_network

    network = tiny_network()
    lon, lat = network.to_lonlat(network.x_m[[3]], network.y_m[[3]])
    slide = {"time_min": 7.0, "radius_m": 300.0, "lon": float(lon[0]), "lat": float(lat[0])}
    scenario = scenario_from_dict(
        {
            "name": "tiny-slide",
            "horizon_h": 1.0,
            "hazards": {"step_min": 2.0, "frame_min": 5.0, "landslide": {"slides": [slide]}},
        }
    )
    result = run(scenario, seed=0, network=network)
    recorded = np.unique(result.hazard_frames["time_s"])
    schedule = hazard_frame_times_s(step_s=120.0, frame_s=300.0, horizon_s=3600.0)
    assert recorded.size > 0 and np.isin(recorded, schedule).all()


def test_closed_roads_follow_closure_events(timeline) -> None:
    net = timeline.run.network
    edges = net.edge_ids(np.array([4, 5]), np.array([5, 4]))
    assert timeline.closed_edges_at(1499.0).size == 0
    assert sorted(timeline.closed_edges_at(1500.0).tolist()) == sorted(edges.tolist())
    assert timeline.closed_edges_at(3000.0).size == 0
    assert timeline.closure_version(1500.0) == 2


def test_incident_labels_give_response_minutes_per_tier(timeline) -> None:
    inc = timeline.incidents
    assert inc.label_at(0, 339.0) == ""
    assert inc.label_at(0, 340.0) == "g 5 min"  # reported at 60 s, reached at 340 s


def test_a_track_point_at_an_infinite_time_is_never_reached(
    tiny_run_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    # a team route with an infinite leg (seen in the built-in flood run) once turned every
    # agent's position into nan: the point is left out, the other points are kept
    import shutil

    out = tmp_path / "run"
    shutil.copytree(tiny_run_dir, out)
    tracks = pd.read_parquet(out / "tracks.parquet")
    team = tracks[tracks["family"] == "team"].iloc[[-1]].assign(time_s=np.inf)
    pd.concat([tracks, team], ignore_index=True).to_parquet(out / "tracks.parquet", index=False)
    tl = build_timeline(load_run(out))
    tr = tl.tracks
    assert np.isfinite(tr.time_s).all()
    x, _, started = tr.positions_at(290.0)  # A's ground team half-way from node 2 to node 3
    k = np.flatnonzero(tr.family == "team")[0]
    assert x[k] == pytest.approx(500_000.0 + 2500.0) and started[k]
    x, _ = tl.moving_households_at(952.0)
    assert x.tolist() == pytest.approx([500_000.0 + 1000.0 - 1000.0 * 52 / 104])
