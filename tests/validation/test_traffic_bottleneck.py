"""Link-queue traffic against the bottleneck reference: N / capacity + free-flow time.

shared/validation/README.md: clearance of N vehicles through a link of capacity c is
about N / c plus the free-flow travel time; a queue model must reproduce it.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim.engine.traffic import LinkTraffic
from sim.network import compile_region
from sim.regions.base import RegionData


def _corridor(capacity_lanes: float, highway: str) -> RegionData:
    """Three nodes: a wide 2 km feeder 0→1 (motorway) and the 1 km link 1→2 under test."""
    return RegionData(
        name="corridor",
        crs="EPSG:32648",
        x_m=np.array([0.0, 2000.0, 3000.0]),
        y_m=np.zeros(3),
        elevation_m=np.zeros(3),
        jurisdiction=np.zeros(3, np.int8),
        jurisdiction_names=("A",),
        edge_source=np.array([0, 1]),
        edge_target=np.array([1, 2]),
        edge_length_m=np.array([2000.0, 1000.0]),
        edge_highway=np.array(["motorway", highway]),
        edge_lanes=np.array([4.0, capacity_lanes]),
        edge_maxspeed_kph=np.array([72.0, 36.0]),
        edge_bridge=np.zeros(2, bool),
    )


def _run(n_vehicles: int, highway: str = "tertiary", lanes: float = 1.0):
    net = compile_region(_corridor(lanes, highway))
    env = simpy.Environment()
    traffic = LinkTraffic(env, net)
    arrivals: list[float] = []

    def vehicle():
        arrivals.append((yield from traffic.drive(np.array([0, 1]))))

    for _ in range(n_vehicles):
        env.process(vehicle())
    env.run()
    return net, traffic, np.array(arrivals)


def test_single_vehicle_arrives_at_free_flow_time() -> None:
    _, _, arrivals = _run(1)
    # 2000 m at 72 km/h = 100 s, then 1000 m at 36 km/h = 100 s
    assert arrivals.tolist() == [200.0]


@pytest.mark.parametrize(
    ("n", "highway", "lanes"),
    [(200, "tertiary", 1.0), (500, "primary", 2.0), (50, "residential", 1.0)],
)
def test_bottleneck_clears_at_capacity(n: int, highway: str, lanes: float) -> None:
    net, traffic, arrivals = _run(n, highway, lanes)
    capacity_veh_per_s = float(net.capacity_veh_per_h[1]) / 3600.0
    # all leave the feeder (4 lanes x 2100/h, much faster) then queue at the bottleneck
    feeder_first_exit_s = 100.0
    expected_s = feeder_first_exit_s + net.travel_time_s[1] + n / capacity_veh_per_s
    assert arrivals.max() == pytest.approx(expected_s, rel=0.02)
    # nobody faster than free flow, FIFO order kept, and the network is empty at the end
    assert arrivals.min() >= 200.0
    assert np.all(np.diff(arrivals) >= 0)
    assert traffic.occupancy_veh.sum() == 0


def test_spill_back_holds_vehicles_upstream() -> None:
    net = compile_region(_corridor(1.0, "tertiary"))
    env = simpy.Environment()
    storage = LinkTraffic(env, net).storage_veh
    storage[1] = 3
    traffic = LinkTraffic(env, net, storage_veh=storage)
    seen_max = []

    def vehicle():
        yield from traffic.drive(np.array([0, 1]))

    def watch():
        while True:
            seen_max.append(int(traffic.occupancy_veh[1]))
            yield env.timeout(1.0)

    for _ in range(20):
        env.process(vehicle())
    env.process(watch())
    env.run(until=2000)
    assert max(seen_max) == 3  # never more than the storage on the link
    assert traffic.occupancy_veh.sum() == 0


def _advance_along(traffic: LinkTraffic, edges: list[int]):
    """Drive as a household's car does: one :meth:`LinkTraffic.advance` per link."""
    previous = -1
    for edge in edges:
        delay = traffic.advance(edge, previous)
        if type(delay) is not float:
            yield delay
            delay = traffic.move_on(edge, previous)
        yield traffic.env.timeout(delay)
        previous = edge
    traffic.leave(previous)
    return traffic.env.now


@pytest.mark.parametrize("storage_veh", [3, 1000])
def test_advance_gives_the_timeline_of_drive(storage_veh: int) -> None:
    """Spill-back (3 places on the bottleneck) and free queueing: the same arrival times,
    vehicle by vehicle, whether cars go by ``drive`` or by ``advance`` per link."""
    net = compile_region(_corridor(1.0, "tertiary"))
    timelines = []
    for by_advance in (False, True):
        env = simpy.Environment()
        storage = LinkTraffic(env, net).storage_veh
        storage[1] = storage_veh
        traffic = LinkTraffic(env, net, storage_veh=storage)
        arrivals: dict[int, float] = {}

        def vehicle(k, start_s, by_advance=by_advance, traffic=traffic, arrivals=arrivals):
            yield traffic.env.timeout(start_s)
            drive = _advance_along(traffic, [0, 1]) if by_advance else traffic.drive([0, 1])
            arrivals[k] = yield from drive

        for k in range(30):
            env.process(vehicle(k, 2.0 * (k % 7)))
        env.run()
        assert traffic.occupancy_veh.sum() == 0
        timelines.append(arrivals)
    assert timelines[0] == timelines[1]
    assert min(timelines[0].values()) == 200.0  # free flow for the first: 100 s + 100 s
