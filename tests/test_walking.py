"""Households on foot cover several links in one simpy event: the same timeline as link by link.

Toy engine region (``tests/engine_fixtures.py``) with shelter SB moved to node 5: one
household at node 2 walks at 1 m/s. It hears the SMS at 300 s and sets off at 900 s for
SA at node 0, two 1000-m links away (2 -> 1 -> 0): 900 + 2000 = 2900 s. With both links
at node 0 closed at 1500 s it reaches node 1 at 1900 s, finds 1 -> 0 closed and turns to
SB at node 5: 1 -> 2 -> 3 -> 4 -> 5 is 33,000 m, so it arrives at 1900 + 33,000 = 34,900 s.
A tracked household is recorded at every node, so it walks link by link: the
reference the one-event walk is compared with.

With a slide at node 0 at 1500 s (a hazard step; hazards step every minute), the
checks are made for all walks at once in the step (:mod:`sim.agents.walks`): the
walker stops at node 1 (1900 s) as if it had checked there, and walks 1 -> 5 in one
event while the hazard steps go on, each step seeing it at the last node it passed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import simpy

from sim.agents.household import wait_towards
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, run
from sim.network.sources import load_network
from sim.scenarios import load_scenario, scenario_from_dict
from tests.engine_fixtures import SURE_BEHAVIOUR, toy_engine_network


def _network():
    return toy_engine_network(population=[0, 0, 1, 0, 0, 0], shelter_b_node=5)


def _scenario(
    net,
    *,
    tracked: int,
    closure_min: float | None = None,
    slide_min: float | None = None,
    reopen_far_min: float | None = None,
):
    data = {
        "name": "toy-walk",
        "horizon_h": 12.0,
        "population": {
            "household_size_mean_persons": 1.0,
            "vehicle_share": 0.0,
            "walk_speed_m_per_s": 1.0,
        },
        "behaviour": SURE_BEHAVIOUR,
        "warnings": [{"time_min": 0.0, "level": "imminent", "issued_by": "A"}],
        "outputs": {"track_households": tracked},
    }
    if closure_min is not None:
        lon, lat = net.to_lonlat(net.x_m[[0]], net.y_m[[0]])
        where = {"lon": float(lon[0]), "lat": float(lat[0]), "radius_m": 100.0}
        data["closures"] = [{"time_min": closure_min, "action": "close", **where}]
    if reopen_far_min is not None:  # a scripted reopening at node 5, which changes nothing
        lon, lat = net.to_lonlat(net.x_m[[5]], net.y_m[[5]])
        where = {"lon": float(lon[0]), "lat": float(lat[0]), "radius_m": 100.0}
        data["closures"] = [{"time_min": reopen_far_min, "action": "reopen", **where}]
    if slide_min is not None:
        lon, lat = net.to_lonlat(net.x_m[[0]], net.y_m[[0]])
        slide = {
            "time_min": slide_min,
            "lon": float(lon[0]),
            "lat": float(lat[0]),
            "radius_m": 100.0,
            "foreseen": False,  # it comes unannounced, in a hazard step
        }
        data["hazards"] = {"step_min": 1.0, "landslide": {"slides": [slide]}}
    return scenario_from_dict(data)


def _run(
    net,
    scenario,
    *,
    close_at_s: float | None = None,
    shut_sa_at_s: float | None = None,
    seen: list[int] | None = None,
):
    """Run; from processes of our own ``close_at_s`` closes the links at node 0,
    ``shut_sa_at_s`` makes shelter SA unusable (and says so to the walks under way), and
    ``seen`` gets the walker's node half a minute after each minute."""
    model = EmergencyModel(scenario, net, seed=1)
    steps: list[float] = []

    def look():
        yield model.env.timeout(30.0)
        while True:
            seen.append(int(model.households.node[0]))
            yield model.env.timeout(60.0)

    def close_later():
        yield model.env.timeout(close_at_s)
        edges = np.flatnonzero((net.edge_source == 0) | (net.edge_target == 0))
        model.roads.close(edges)

    def shut_later():
        yield model.env.timeout(shut_sa_at_s)
        model.shelters.set_usable(np.array([False, True]), model.env.now)
        model.changes.interrupt_walks()

    if close_at_s is not None:
        model.env.process(close_later())
    if shut_sa_at_s is not None:
        model.env.process(shut_later())
    if seen is not None:
        model.env.process(look())
    env_step = model.env.step

    def counting_step():
        steps.append(model.env.now)
        env_step()

    model.env.step = counting_step
    model.run_for()
    return collect(model), len(steps)


def _timeline(result) -> list[tuple[float, str, int]]:
    ev = result.events
    ev = ev[ev["kind"].isin(["warned", "depart", "arrive_shelter", "road_closed"])]
    rows = zip(ev["time_s"], ev["kind"], ev["node"], strict=True)
    return [(round(t, 9), k, int(n)) for t, k, n in rows]


def test_a_walk_with_nothing_in_its_way_is_one_event_and_arrives_on_time() -> None:
    net = _network()
    one, events_one = _run(net, _scenario(net, tracked=0))
    by_link, events_by_link = _run(net, _scenario(net, tracked=1))
    assert _timeline(one) == [(300.0, "warned", 2), (900.0, "depart", 2),
                              (2900.0, "arrive_shelter", 0)]  # fmt: skip
    assert _timeline(one) == _timeline(by_link)
    assert events_by_link - events_one == 1  # node 1 is passed without waking the walker


@pytest.mark.parametrize("how", ["scripted", "own process"])
def test_a_closure_ahead_turns_the_walker_back_at_the_same_node_and_time(how: str) -> None:
    net = _network()
    closure_min = 25.0  # 1500 s: the walker is on 2 -> 1 (900 .. 1900 s)
    if how == "scripted":
        one, _ = _run(net, _scenario(net, tracked=0, closure_min=closure_min))
        by_link, _ = _run(net, _scenario(net, tracked=1, closure_min=closure_min))
    else:  # a change no schedule announces: the walk is interrupted
        one, _ = _run(net, _scenario(net, tracked=0), close_at_s=1500.0)
        by_link, _ = _run(net, _scenario(net, tracked=1), close_at_s=1500.0)
    arrivals = [e for e in _timeline(one) if e[1] == "arrive_shelter"]
    assert arrivals == [(34900.0, "arrive_shelter", 5)]
    assert _timeline(one) == _timeline(by_link)
    assert one.shelters["occupants_persons"].tolist() == [0, 1]


def test_a_closure_of_our_own_at_the_moment_of_a_scripted_one_still_turns_the_walker() -> None:
    # the scripted reopening at 1500 s is checked for; the closure our process makes at
    # the same moment is not announced by any script, so it must interrupt the walk
    net = _network()
    one, _ = _run(net, _scenario(net, tracked=0, reopen_far_min=25.0), close_at_s=1500.0)
    by_link, _ = _run(net, _scenario(net, tracked=1, reopen_far_min=25.0), close_at_s=1500.0)
    assert [e for e in _timeline(one) if e[1] == "arrive_shelter"] == [
        (34900.0, "arrive_shelter", 5)
    ]
    assert _timeline(one) == _timeline(by_link)
    assert one.shelters["occupants_persons"].tolist() == [0, 1]


def test_a_shelter_shut_by_a_process_of_our_own_turns_the_walker_back_at_the_next_node() -> None:
    net = _network()
    one, _ = _run(net, _scenario(net, tracked=0), shut_sa_at_s=1500.0)
    by_link, _ = _run(net, _scenario(net, tracked=1), shut_sa_at_s=1500.0)
    # at node 1 (1900 s) SA is no longer usable: on to SB, 33,000 m, at 34,900 s
    assert [e for e in _timeline(one) if e[1] == "arrive_shelter"] == [
        (34900.0, "arrive_shelter", 5)
    ]
    assert _timeline(one) == _timeline(by_link)


def test_a_slide_in_a_hazard_step_turns_the_walker_back_at_its_next_node() -> None:
    net = _network()
    one, events_one = _run(net, _scenario(net, tracked=0, slide_min=25.0))
    by_link, events_by_link = _run(net, _scenario(net, tracked=1, slide_min=25.0))
    assert [e for e in _timeline(one) if e[1] in ("depart", "arrive_shelter")] == [
        (900.0, "depart", 2),
        (34900.0, "arrive_shelter", 5),
    ]
    assert _timeline(one) == _timeline(by_link)
    ev = one.events
    assert ev[ev["kind"] == "shelter_unsafe"]["time_s"].tolist() == [1500.0]
    # link by link: a timeout per link (to nodes 1, 2, 3, 4 and 5); in one event: the
    # walk to node 0 (its timeout fires unheard at 2900 s), the step's interruption at
    # 1500 s, the rest of the way to node 1 and the walk to node 5
    assert events_by_link - events_one == 5 - 4


def test_each_hazard_step_sees_the_walker_at_the_last_node_it_passed() -> None:
    net = _network()
    seen: list[int] = []
    _run(net, _scenario(net, tracked=0, slide_min=25.0), seen=seen)
    # passed: node 2 from 900 s, 1 at 1900, 2 at 2900, 3 at 3900, 4 at 4900, 5 at
    # 34,900 s (arrival); a step sees a node passed before it (3900 s is a step: node 3
    # counts from the next one)
    passed = [(0.0, 2), (1900.0, 1), (2900.0, 2), (3900.0, 3), (4900.0, 4), (34900.0, 5)]
    for k, node in enumerate(seen):
        step_s = 60.0 * k  # the last step before this look, 30 s later
        expected = [n for t, n in passed if t < step_s or (t == 34900.0 and t < step_s + 30)]
        assert node == (expected[-1] if expected else 2), (step_s, node)
    assert len(seen) == 720


def test_a_wait_in_one_event_ends_exactly_where_link_by_link_ends() -> None:
    # 523.47... + 3278.07... has no float delay landing on the link-by-link sum: the
    # wait doubles the clock first (to 1046.9... s), then lands exactly
    now_s, at_s = 523.4729006797568, 3801.548537972661
    assert now_s + (at_s - now_s) != at_s
    env = simpy.Environment(initial_time=now_s)
    waits = []

    def walk():
        while env.now != at_s:
            waits.append(wait_towards(env.now, at_s))
            yield env.timeout(waits[-1])

    env.process(walk())
    env.run()
    assert env.now == at_s and waits[0] == now_s and len(waits) == 2
    rng = np.random.default_rng(7)
    for _ in range(2000):  # random walks: the same float sum as a timeout per link
        start_s = float(rng.uniform(0.0, 7200.0))
        links_s = rng.uniform(1.0, 400.0, rng.integers(1, 80))
        by_link_s = start_s
        for link_s in links_s:
            by_link_s = by_link_s + link_s
        clock = simpy.Environment(initial_time=start_s)
        target_s = float(np.cumsum(np.concatenate(([start_s], links_s)))[-1])
        assert target_s == by_link_s

        def one_event(clock=clock, target_s=target_s):
            while clock.now != target_s:
                yield clock.timeout(wait_towards(clock.now, target_s))

        clock.process(one_event())
        clock.run()
        assert clock.now == by_link_s


def test_the_built_in_landslide_gives_the_same_events_walking_in_one_event_as_link_by_link() -> (
    None
):
    # every household tracked walks link by link, checking at every node; untracked,
    # walks are checked together in the hazard steps: the same events at the same
    # float times (only simultaneous ones may come in another order)
    net = load_network("fujiang")
    scenario = load_scenario("landslide")
    by_link = replace(scenario, outputs=replace(scenario.outputs, track_households=1_000_000))
    one = run(scenario, seed=0, network=net, progress=False)
    every_node = run(by_link, seed=0, network=net, progress=False)
    columns = list(one.events.columns)
    walked = one.events[one.events["kind"] == "arrive_shelter"]
    assert len(walked) > 300  # many trips, so the comparison means something
    assert len(one.tracks) < len(every_node.tracks)
    assert (
        one.events.sort_values(columns)
        .reset_index(drop=True)
        .equals(every_node.events.sort_values(columns).reset_index(drop=True))
    )
