"""Households on foot cover several links in one simpy event: the same timeline as link by link.

Toy engine region (``tests/engine_fixtures.py``) with shelter SB moved to node 5: one
household at node 2 walks at 1 m/s. It hears the SMS at 300 s and sets off at 900 s for
SA at node 0, two 1000-m links away (2 -> 1 -> 0): 900 + 2000 = 2900 s. With both links
at node 0 closed at 1500 s it reaches node 1 at 1900 s, finds 1 -> 0 closed and turns to
SB at node 5: 1 -> 2 -> 3 -> 4 -> 5 is 33,000 m, so it arrives at 1900 + 33,000 = 34,900 s.
A tracked household is recorded at every node, so it walks link by link: the
reference the one-event walk is compared with.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import SURE_BEHAVIOUR, toy_engine_network


def _network():
    return toy_engine_network(population=[0, 0, 1, 0, 0, 0], shelter_b_node=5)


def _scenario(net, *, tracked: int, closure_min: float | None = None):
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
    return scenario_from_dict(data)


def _run(net, scenario, *, close_at_s: float | None = None, shut_sa_at_s: float | None = None):
    """Run; from processes of our own ``close_at_s`` closes the links at node 0 and
    ``shut_sa_at_s`` makes shelter SA unusable (and says so to the walks under way)."""
    model = EmergencyModel(scenario, net, seed=1)
    steps: list[float] = []

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


def test_a_shelter_shut_by_a_process_of_our_own_turns_the_walker_back_at_the_next_node() -> None:
    net = _network()
    one, _ = _run(net, _scenario(net, tracked=0), shut_sa_at_s=1500.0)
    by_link, _ = _run(net, _scenario(net, tracked=1), shut_sa_at_s=1500.0)
    # at node 1 (1900 s) SA is no longer usable: on to SB, 33,000 m, at 34,900 s
    assert [e for e in _timeline(one) if e[1] == "arrive_shelter"] == [
        (34900.0, "arrive_shelter", 5)
    ]
    assert _timeline(one) == _timeline(by_link)
