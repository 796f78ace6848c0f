"""Compilation of a road network to arrays, on the hand-built toy graph."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import NetworkError
from sim.network import RoadNetwork, compile_region
from sim.network.road_classes import CAPACITY_VEH_PER_H_PER_LANE
from tests.conftest import toy_region


def test_parallel_edges_keep_the_fastest(toy: RoadNetwork) -> None:
    e = toy.edge_ids(np.array([1]), np.array([2]))[0]
    assert toy.road_class_name(e) == "primary"
    assert toy.travel_time_s[e] == pytest.approx(50.0)
    # the slower residential 1→2 is gone, its reverse 2→1 stays
    assert toy.n_edges == 10
    assert toy.travel_time_s[toy.edge_ids(np.array([2]), np.array([1]))[0]] == pytest.approx(100.0)


def test_one_way_edges_stay_one_way(toy: RoadNetwork) -> None:
    toy.edge_ids(np.array([2, 5]), np.array([5, 0]))
    with pytest.raises(NetworkError, match="no edge from node 5 to node 2"):
        toy.edge_ids(np.array([5]), np.array([2]))
    with pytest.raises(NetworkError, match="no edge from node 0 to node 5"):
        toy.edge_ids(np.array([0]), np.array([5]))


def test_edges_sorted_and_csr_matches(toy: RoadNetwork) -> None:
    key = toy.edge_source.astype(np.int64) * toy.n_nodes + toy.edge_target
    assert np.all(np.diff(key) > 0)
    dense = toy.csr().toarray()
    for e in range(toy.n_edges):
        assert dense[toy.edge_source[e], toy.edge_target[e]] == toy.travel_time_s[e]
    rev = toy.reverse_csr().toarray()
    np.testing.assert_array_equal(rev, dense.T)


def test_capacity_and_lanes_by_class(toy: RoadNetwork) -> None:
    primary = toy.edge_ids(np.array([1]), np.array([2]))[0]
    residential = toy.edge_ids(np.array([0]), np.array([1]))[0]
    assert toy.lanes[primary] == 2  # primary default: 2 lanes per direction
    assert toy.capacity_veh_per_h[primary] == 2 * CAPACITY_VEH_PER_H_PER_LANE["primary"]
    assert toy.capacity_veh_per_h[residential] == CAPACITY_VEH_PER_H_PER_LANE["residential"]


def test_missing_speed_filled_by_class() -> None:
    data = toy_region()
    speeds = data.edge_maxspeed_kph.copy()
    speeds[0] = np.nan
    net = compile_region(type(data)(**{**data.__dict__, "edge_maxspeed_kph": speeds}))
    e = net.edge_ids(np.array([0]), np.array([1]))[0]
    assert net.speed_kph[e] == 30.0  # residential default
    assert net.travel_time_s[e] == pytest.approx(1000 / (30 / 3.6))


def test_save_and_load_compiled_roundtrip(toy: RoadNetwork, tmp_path) -> None:
    path = toy.save(tmp_path / "toy.npz")
    back = RoadNetwork.load_compiled(path)
    for field in (
        "x_m",
        "edge_source",
        "edge_target",
        "travel_time_s",
        "capacity_veh_per_h",
        "jurisdiction",
        "indptr",
        "node_population_persons",
    ):
        np.testing.assert_array_equal(getattr(back, field), getattr(toy, field))
    assert back.jurisdiction_names == ("A", "B")
    assert not list(tmp_path.glob("*.partial"))


def test_graphml_roundtrip_through_osmnx(toy: RoadNetwork, tmp_path) -> None:
    from sim.network import load_network, save_network

    save_network(toy, tmp_path / "toy.graphml")
    back = load_network(tmp_path / "toy.graphml")
    assert back.n_nodes == toy.n_nodes and back.n_edges == toy.n_edges
    np.testing.assert_allclose(np.sort(back.travel_time_s), np.sort(toy.travel_time_s))
    np.testing.assert_allclose(np.sort(back.capacity_veh_per_h), np.sort(toy.capacity_veh_per_h))


def test_edgeless_network_is_refused() -> None:
    data = toy_region()
    empty = type(data)(
        **{
            **data.__dict__,
            **{
                k: getattr(data, k)[:0]
                for k in (
                    "edge_source",
                    "edge_target",
                    "edge_length_m",
                    "edge_highway",
                    "edge_lanes",
                    "edge_maxspeed_kph",
                    "edge_bridge",
                )
            },
        }
    )
    with pytest.raises(NetworkError, match="no edges"):
        compile_region(empty)
