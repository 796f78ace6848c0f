"""Protective action in the replay: relocation from an unsafe shelter, sheltering in place.

The runs are real engine runs on the toy regions (tests/replay_fixtures.py). The flood
run's timeline, by hand (one walker at 1.2 m/s, 1000 m links): warned at 0 s at node 2,
sets off at 60 s, reaches SB (node 3) at 60 + 1000 / 1.2 = 893.3 s; SB floods and is
closed at 960 s and the household relocates at once, 3000 m back to SA (node 0), where
it arrives at 960 + 3000 / 1.2 = 3460 s. Relocation arrows show until 900 s after the
arrival (sim.replay.symbols.RELOCATION_RECENT_S).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli.app import main
from sim.engine.runs import collect, run
from sim.plot import style
from sim.replay.build import build_timeline, pick_up_nodes
from sim.replay.counters import build_counters, counters_at, time_ms
from sim.replay.events import event_list
from sim.replay.frames import FrameRenderer
from sim.replay.households import state_events
from sim.replay.html import build_payload
from sim.replay.legend import legend_entries
from sim.replay.symbols import (
    EXPOSED,
    HOUSEHOLD_COLOURS,
    NOT_WARNED,
    ON_THE_WAY,
    RELOCATION_COLOUR,
    SHELTER_UNSAFE_COLOUR,
    SHELTERED,
    SHELTERING,
    STRANDED,
    UNSHELTERED,
    WARNED,
)
from sim.replay.view import FrameOptions
from sim.results.run_folder import load_run
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import toy_engine_network
from tests.protective_fixtures import with_community_post
from tests.replay_fixtures import (  # noqa: F401
    X0,
    Y0,
    ZOOM_BBOX_M,
    flood_run_dir,
    gas_run_dir,
    reference_counters,
)
from tests.test_protective import BEHAVIOUR, POPULATION, cut_off_flood_model
from tests.test_replay_browser import (  # noqa: F401
    assert_page_agrees_with_events,
    browser,
    canvas_rgb,
    seek,
    wait_for,
)
from tests.test_replay_frames import assert_colour, colour_at, rgb255
from tests.test_replay_state import assert_counters_equal

ARRIVE_SB_S = 60.0 + 1000.0 / 1.2
UNSAFE_S = 960.0
ARRIVE_SA_S = 960.0 + 3000.0 / 1.2


@pytest.fixture(scope="module")
def flood(flood_run_dir: Path):  # noqa: F811
    return build_timeline(load_run(flood_run_dir))


@pytest.fixture(scope="module")
def flood_renderer(flood) -> FrameRenderer:
    return FrameRenderer(flood, FrameOptions(width_px=1280, height_px=720, bbox_m=ZOOM_BBOX_M))


def test_the_flood_run_has_the_hand_computed_timeline(flood) -> None:
    ev = flood.run.events
    mine = ev[ev["kind"].isin(["depart", "arrive_shelter", "shelter_unsafe", "relocate"])]
    assert mine[["time_s", "kind", "node"]].values.tolist() == [
        [pytest.approx(60.0), "depart", 2],
        [pytest.approx(ARRIVE_SB_S), "arrive_shelter", 3],
        [UNSAFE_S, "shelter_unsafe", 3],
        [UNSAFE_S, "relocate", 3],
        [pytest.approx(ARRIVE_SA_S), "arrive_shelter", 0],
    ]


def test_relocating_household_is_on_the_way_again_until_its_next_shelter(flood) -> None:
    times = [0.0, 60.0, 893.0, 894.0, 959.0, 960.0, 1000.0, 3459.0, 3461.0, 5400.0]
    assert [int(flood.household_state_at(t)[0]) for t in times] == [
        WARNED,
        ON_THE_WAY,
        ON_THE_WAY,
        SHELTERED,
        SHELTERED,
        ON_THE_WAY,
        ON_THE_WAY,
        ON_THE_WAY,
        SHELTERED,
        SHELTERED,
    ]
    at = flood.node_persons_at(900.0)
    assert at[SHELTERED, 3] == 1 and at[SHELTERED].sum() == 1
    at = flood.node_persons_at(1000.0)  # tracked: drawn on the road, not at a node
    assert at[SHELTERED].sum() == 0 and at[ON_THE_WAY].sum() == 0
    x, y = flood.moving_households_at(1000.0)  # 40 s x 1.2 m/s from node 3 toward node 2
    assert x.tolist() == pytest.approx([X0 + 3000.0 - 48.0]) and y.tolist() == [Y0]
    at = flood.node_persons_at(3500.0)
    assert at[SHELTERED, 0] == 1 and at[SHELTERED, 3] == 0 and at[SHELTERED].sum() == 1
    assert flood.moving_households_at(3500.0)[0].size == 0


def test_untracked_relocating_household_is_counted_at_the_shelter_it_left(flood) -> None:
    untracked = replace(flood, households=replace(flood.households, tracked=np.zeros(1, bool)))
    assert untracked.node_persons_at(100.0)[ON_THE_WAY, 2] == 1  # set off from home
    at = untracked.node_persons_at(1000.0)
    assert at[ON_THE_WAY, 3] == 1 and at[ON_THE_WAY].sum() == 1 and at[SHELTERED].sum() == 0
    assert untracked.moving_households_at(1000.0)[0].size == 0


def test_counters_follow_the_relocation(flood) -> None:
    counters = flood.counters
    want = {
        900.0: {"evacuated_persons": 1, "on_the_way_persons": 0, "relocated_persons": 0},
        1000.0: {"evacuated_persons": 0, "on_the_way_persons": 1, "relocated_persons": 1},
        3500.0: {"evacuated_persons": 1, "on_the_way_persons": 0, "relocated_persons": 1},
    }
    for t, values in want.items():
        got = counters_at(counters, t)
        assert {k: got[k] for k in values} == values, t
        assert got["departed_persons"] == 1  # one departure: relocating is not departing
        assert got["shelters_unsafe"] == (1 if t >= UNSAFE_S else 0)
    events = flood.run.events
    times = np.unique(events["time_s"])
    for t in np.concatenate([times, times - 1e-6, [5400.0]]):
        assert_counters_equal(counters_at(counters, float(t)), reference_counters(events, t))


def test_shelters_and_relocation_flows_of_the_flood_run(flood) -> None:
    shelters = flood.shelters
    assert shelters.node.tolist() == [0, 3]
    assert shelters.unsafe_s.tolist() == [np.inf, UNSAFE_S]
    assert shelters.unsafe_at(959.0).tolist() == [False, False]
    assert shelters.unsafe_at(960.0).tolist() == [False, True]
    r = flood.relocations
    assert (r.from_node.tolist(), r.to_node.tolist(), r.persons.tolist()) == ([3], [0], [1.0])
    assert r.start_s.tolist() == [UNSAFE_S] and r.end_s.tolist() == pytest.approx([ARRIVE_SA_S])
    assert r.flows_at(959.0)[0].size == 0
    for t in (960.0, 2000.0, ARRIVE_SA_S + 899.0):
        origin, target, persons = r.flows_at(t)
        assert (origin.tolist(), target.tolist(), persons.tolist()) == ([3], [0], [1.0]), t
    assert r.flows_at(ARRIVE_SA_S + 900.0)[0].size == 0


def test_unsafe_shelter_is_crossed_out_from_its_unsafe_time(flood_renderer) -> None:
    cross = flood_renderer.shelters.unsafe_cross
    flood_renderer.update(959.0)
    assert len(cross.get_xdata()) == 0
    flood_renderer.update(UNSAFE_S)
    assert list(cross.get_xdata()) == [X0 + 3000.0] and list(cross.get_ydata()) == [Y0]
    # one person of 100 at SB: its square has the lightest fill; from 960 s a red cross
    fill = style.SHELTER_FILL_COLOURS[1]
    assert_colour(colour_at(flood_renderer, 900.0, X0 + 3000.0, Y0), rgb255(fill))
    for t in (1100.0, 2000.0, 5400.0):  # the household has left node 3 by then
        got = colour_at(flood_renderer, t, X0 + 3000.0, Y0)
        assert_colour(got, rgb255(SHELTER_UNSAFE_COLOUR))
    # SA (node 0) takes the household at 3460 s: 1 of 100 again
    assert_colour(colour_at(flood_renderer, 3500.0, X0, Y0), rgb255(fill))


def test_relocation_arrow_shows_from_the_relocation_until_after_the_arrival(
    flood_renderer,
) -> None:
    x, y = X0 + 1500.0, Y0  # half-way between SA (node 0) and SB (node 3)
    arrow = rgb255(RELOCATION_COLOUR)
    for t in (1000.0, 3000.0, ARRIVE_SA_S + 600.0):
        assert_colour(colour_at(flood_renderer, t, x, y), arrow, 3)
    for t in (959.0, ARRIVE_SA_S + 900.0):
        assert np.abs(colour_at(flood_renderer, t, x, y) - arrow).max() > 60


def test_flood_legend_lists_unsafe_shelters_and_relocations(flood) -> None:
    labels = [e.label for e in legend_entries(flood, ("flood",))]
    assert "shelter unsafe" in labels and "relocation" in labels
    assert "sheltering in place" not in labels and "unsheltered (no room)" not in labels
    unsafe = next(e for e in legend_entries(flood, ()) if e.label == "shelter unsafe")
    assert (unsafe.edge, unsafe.cross) == (SHELTER_UNSAFE_COLOUR, SHELTER_UNSAFE_COLOUR)


def test_page_data_carries_the_unsafe_time_and_the_relocation(flood) -> None:
    data = build_payload(flood, speed=60.0)
    assert data["places"]["shelters"] == {
        "node": [0, 3],
        "capacity": [100, 100],
        "unsafe": [-1, 960_000],
    }
    # times in whole ms, rounded up: the engine's arrival at SA is 960 s plus three link
    # times of 833.33 s, a hair above 3460 s in floating point
    arrive_ms = time_ms(flood.relocations.end_s).tolist()
    assert arrive_ms[0] in (3_460_000, 3_460_001)
    assert data["relocations"] == {
        "from": [3],
        "to": [0],
        "start": [960_000],
        "end": arrive_ms,
        "persons": [1],
    }
    h = data["households"]
    assert h["first"] == [0] and h["n"] == [5] and h["home"] == [2]
    assert h["t"] == [0, 60_000, 893_334, 960_000, *arrive_ms]
    assert h["state"] == [WARNED, ON_THE_WAY, SHELTERED, ON_THE_WAY, SHELTERED]
    assert h["node"] == [2, 2, 3, 3, 0]
    rows = [key for key, _, _ in data["counterRows"]]
    assert "shelters_unsafe" in rows and "relocated_persons" in rows
    assert "sheltering_in_place_persons" not in rows  # nobody did in this run
    texts = [entry[4] for entry in data["legend"]]
    assert "shelter unsafe (closed, occupants moved on)" in texts
    assert [960_000, "shelter", "shelter SB in B unsafe and closed (1 person inside)"] in data[
        "events"
    ]
    assert [960_000, "shelter", "1 person relocating from an unsafe shelter"] in data["events"]


@pytest.fixture(scope="module")
def gas(gas_run_dir: Path):  # noqa: F811
    return build_timeline(load_run(gas_run_dir))


def test_household_sheltering_in_place_has_its_own_state_and_counter(gas) -> None:
    ev = gas.run.events
    assert ev[ev["kind"] == "shelter_in_place"][["time_s", "node"]].values.tolist() == [[1230.0, 6]]
    assert [int(gas.household_state_at(t)[0]) for t in (1229.0, 1230.0, 3600.0)] == [
        NOT_WARNED,
        SHELTERING,
        SHELTERING,
    ]
    assert gas.node_persons_at(1229.0)[NOT_WARNED, 6] == 1  # a resident, not yet warned
    at = gas.node_persons_at(2000.0)
    assert at[SHELTERING, 6] == 1 and at[NOT_WARNED, 6] == 0 and at[:EXPOSED].sum() == 0
    for t, persons in ((1229.0, 0), (1230.0, 1), (3600.0, 1)):
        assert counters_at(gas.counters, t)["sheltering_in_place_persons"] == persons
    # S-near (node 2), in the plume's forecast footprint, is closed at 1260 s, empty
    assert counters_at(gas.counters, 1260.0)["shelters_unsafe"] == 1
    assert counters_at(gas.counters, 3600.0)["relocated_persons"] == 0
    assert gas.relocations.start_s.size == 0
    labels = [e.label for e in legend_entries(gas, ("plume",))]
    assert "sheltering in place" in labels and "shelter unsafe" in labels
    assert "relocation" not in labels and "unsheltered (no room)" not in labels
    events = gas.run.events
    for t in np.unique(events["time_s"]):
        assert_counters_equal(counters_at(gas.counters, t), reference_counters(events, t))


def test_sheltering_in_place_colour_in_a_video_frame(gas) -> None:
    renderer = FrameRenderer(gas)
    x, y = gas.run.network.x_m[6], gas.run.network.y_m[6]
    assert_colour(colour_at(renderer, 1200.0, x, y), rgb255(HOUSEHOLD_COLOURS["not_warned"]))
    for t in (1230.0, 2000.0):  # from its shelter_in_place event on
        got = colour_at(renderer, t, x, y)
        assert_colour(got, rgb255(HOUSEHOLD_COLOURS["sheltering_in_place"]))


def test_household_a_team_brings_to_a_shelter_is_never_on_the_way(tmp_path: Path) -> None:
    # tests/test_protective.py: a vulnerable walker at node 1 is warned (immediate) at 0 s;
    # the community responder, who lives at node 1, takes it out (rescued at 540 s) and
    # delivers it to SA at 940 s. It has no depart event: on the way = departures -
    # arrivals would be -1 from 940 s.
    scenario = scenario_from_dict(
        {
            "name": "transfer",
            "horizon_h": 1.0,
            "population": {**POPULATION, "vulnerable_share": 1.0},
            "behaviour": BEHAVIOUR,
            "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
        }
    )
    net = with_community_post(toy_engine_network(population=[0, 1, 0, 0, 0, 0]), node=2)
    out = tmp_path / "transfer"
    run(scenario, seed=0, network=net).write(out)
    net.save(out / "network.npz")
    tl = build_timeline(load_run(out))
    events = tl.run.events
    assert events[events["kind"] == "deliver"]["time_s"].tolist() == [940.0]
    assert [int(tl.household_state_at(t)[0]) for t in (0.0, 939.0, 940.0)] == [
        WARNED,
        WARNED,
        SHELTERED,
    ]
    assert tl.node_persons_at(939.0)[WARNED, 1] == 1
    assert tl.node_persons_at(940.0)[SHELTERED, 0] == 1
    for t in np.unique(events["time_s"]):
        got = counters_at(tl.counters, t)
        assert got["on_the_way_persons"] == 0 and got["departed_persons"] == 0
        assert got["evacuated_persons"] == (1 if t >= 940.0 else 0)
        assert_counters_equal(got, reference_counters(events, t))


def test_household_brought_in_with_no_event_before_has_its_home_where_it_waited() -> None:
    # a household cut off at home by a flood is reported per node, not by itself: its
    # first own event is its arrival; the team's delivery names the incident at node 4
    events = pd.DataFrame(
        {
            "time_s": [100.0, 500.0, 500.0, 600.0],
            "kind": ["incident_reported", "arrive_shelter", "deliver", "arrive_shelter"],
            "agent": [-1, 1, 9, 2],
            "node": [4, 0, 0, 0],
            "jurisdiction": ["B", "A", "", "A"],
            "incident": [7, -1, 7, -1],
            "tier": ["ground", "", "ground", ""],
            "value": [3.0, 3.0, 3.0, 2.0],
        }
    )
    # household 2 arrives with no delivery at its time: its home stays unknown (the shelter)
    assert pick_up_nodes(events, np.array([500.0, 600.0]), np.array([0, 0])).tolist() == [4, 0]
    at = counters_at(build_counters(events), 600.0)
    assert at["evacuated_persons"] == 5 and at["on_the_way_persons"] == 0


@pytest.fixture(scope="module")
def flood_page(browser, flood_run_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: F811
    out = tmp_path_factory.mktemp("flood-html") / "flood replay.html"
    assert main(["animate", str(flood_run_dir), "--format", "html", "--out", str(out)]) == 0
    browser.get(out.as_uri())
    wait_for(lambda: browser.execute_script("return document.body.dataset.ready === '1'"))
    return browser


def _pixel_between(driver, a: int, b: int) -> list[int]:
    return driver.execute_script(
        """
        const p = window.replay.nodeToCanvas(arguments[0]);
        const q = window.replay.nodeToCanvas(arguments[1]);
        const ctx = document.getElementById("map").getContext("2d");
        const x = Math.floor((p[0] + q[0]) / 2), y = Math.floor((p[1] + q[1]) / 2);
        return Array.from(ctx.getImageData(x, y, 1, 1).data).slice(0, 3);
        """,
        a,
        b,
    )


def test_flood_page_shows_the_unsafe_shelter_and_the_relocation(flood_page, flood) -> None:
    events = flood.run.events
    for t in (0.0, 900.0, 959.0, 960.0, 1000.0, 3459.0, 3461.0, 5400.0):
        assert_page_agrees_with_events(seek(flood_page, t), events)
    view = seek(flood_page, 1000.0)
    assert view["text"]["shelters_unsafe"] == "1" and view["text"]["relocated_persons"] == "1"
    assert view["text"]["on_the_way_persons"] == "1" and view["text"]["evacuated_persons"] == "0"
    red = rgb255(SHELTER_UNSAFE_COLOUR).tolist()
    seek(flood_page, 959.0)
    assert canvas_rgb(flood_page, 3) != red
    seek(flood_page, 2000.0)  # the household is 1.2 km on by then
    assert canvas_rgb(flood_page, 3) == red
    arrow = rgb255(RELOCATION_COLOUR)
    assert np.abs(np.array(_pixel_between(flood_page, 0, 3)) - arrow).max() <= 3
    seek(flood_page, ARRIVE_SA_S + 901.0)  # the page's clock is whole ms
    assert np.abs(np.array(_pixel_between(flood_page, 0, 3)) - arrow).max() > 60
    names = flood_page.execute_script(
        "return [...document.querySelectorAll('#legend div')].map((d) => d.textContent)"
    )
    assert "shelter unsafe (closed, occupants moved on)" in names
    assert "relocation (unsafe shelter → shelter reached)" in names


def _one_household(
    time_s: list[float], kinds: list[str], nodes: list[int], incident: list[int] | None = None
) -> pd.DataFrame:
    """An event log of one household of 2 persons (agent 1) in A."""
    n = len(kinds)
    return pd.DataFrame(
        {
            "time_s": time_s,
            "kind": kinds,
            "agent": [1] * n,
            "node": nodes,
            "jurisdiction": ["A"] * n,
            "incident": incident if incident is not None else [-1] * n,
            "tier": [""] * n,
            "value": [2.0] * n,
        }
    )


def test_unsheltered_household_leaves_the_way_and_keeps_its_node() -> None:
    # a household finds no shelter with room anywhere at node 7, 40 s after setting off
    events = _one_household(
        [0.0, 10.0, 50.0, 900.0], ["warned", "depart", "unsheltered", "warned"], [5, 5, 7, 7]
    )
    table = state_events(events)
    assert table[["time_s", "state", "node"]].values.tolist() == [
        [0.0, WARNED, 5],
        [10.0, ON_THE_WAY, 5],
        [50.0, UNSHELTERED, 7],  # the repeated warning at 900 s changes nothing
    ]
    counters = build_counters(events)
    assert counters_at(counters, 49.0)["on_the_way_persons"] == 2
    at = counters_at(counters, 1000.0)
    assert at["on_the_way_persons"] == 0 and at["unsheltered_persons"] == 2


def test_a_household_caught_where_it_was_cut_off_stays_stranded_and_counts_once() -> None:
    # a car household leaves its car at node 6 (300 s) and walks on, is stranded at node
    # 7 (500 s), and the water reaches it there (900 s): ``caught_by_hazard`` moves it to
    # a boat's incident but it stays stranded at node 7, two persons, not four
    events = _one_household(
        [0.0, 10.0, 300.0, 500.0, 900.0],
        ["warned", "depart", "leave_car", "stranded", "caught_by_hazard"],
        [5, 5, 6, 7, 7],
        incident=[-1, -1, -1, -1, 0],
    )
    table = state_events(events)
    assert table[["time_s", "state", "node"]].values.tolist() == [
        [0.0, WARNED, 5],
        [10.0, ON_THE_WAY, 5],
        [500.0, STRANDED, 7],
    ]
    counters = build_counters(events)
    assert counters_at(counters, 400.0)["on_the_way_persons"] == 2
    assert counters_at(counters, 1000.0)["stranded_persons"] == 2


def test_the_event_list_says_the_water_caught_people_where_they_were_cut_off(
    tmp_path: Path,
) -> None:
    # the flood toy of tests/test_protective.py: B's resident at node 3 finds no road out
    # at 60 s (a ``stranded`` incident, B's team busy) and the water reaches it at 840 s:
    # the list says so, and that its incident was withdrawn for that, not because its
    # people left on their own
    model = cut_off_flood_model(team_sent=False)
    model.run_for()
    out = tmp_path / "cut-off"
    collect(model).write(out)
    model.network.save(out / "network.npz")
    lines = {(t, text) for t, _, text in event_list(build_timeline(load_run(out)))}
    assert (840_000, "1 person cut off on the way, caught there by the hazard") in lines
    assert (840_000, "incident 1 in B withdrawn: the hazard caught its people there") in lines
