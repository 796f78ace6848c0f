"""Flood stages and landslide run-outs on hand-built graphs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.hazards.river import flood_depth_m, river_geometry, stage_m
from sim.hazards.slopes import edges_touching, node_slope, runout_nodes
from sim.network import compile_region
from sim.regions.base import RegionData


def _valley() -> object:
    """A river along y = 0 (x 0..4000 m, flowing east) and a road crossing the valley.

    Nodes (x, y, ground m): 0 (1000, 100, 200.5) near the bank, 1 (1000, 600, 201.5),
    2 (1000, 1100, 206) on a ridge, 3 (1000, 1600, 201) a hollow behind the ridge,
    4 (3000, 100, 200) near the bank downstream. Roads 0-1-2-3 and 0-4, two-way.
    """
    x = np.array([1000.0, 1000.0, 1000.0, 1000.0, 3000.0])
    y = np.array([100.0, 600.0, 1100.0, 1600.0, 100.0])
    z = np.array([200.5, 201.5, 206.0, 201.0, 200.0])
    pairs = [(0, 1), (1, 2), (2, 3), (0, 4)]
    s = [a for a, b in pairs] + [b for a, b in pairs]
    t = [b for a, b in pairs] + [a for a, b in pairs]
    length = np.hypot(x[s] - x[t], y[s] - y[t])
    return compile_region(
        RegionData(
            name="valley",
            crs="EPSG:32648",
            x_m=x,
            y_m=y,
            elevation_m=z,
            jurisdiction=np.zeros(5, np.int8),
            jurisdiction_names=("A",),
            edge_source=np.array(s),
            edge_target=np.array(t),
            edge_length_m=length,
            edge_highway=np.array(["tertiary"] * len(s)),
            edge_lanes=np.full(len(s), np.nan),
            edge_maxspeed_kph=np.full(len(s), np.nan),
            edge_bridge=np.zeros(len(s), bool),
            features={"river": np.array([[0.0, 0.0], [4000.0, 0.0]])},
        )
    )


def test_stage_travels_downstream_at_wave_speed() -> None:
    kw = {
        "hydrograph_time_s": np.array([0.0, 3600.0, 7200.0]),
        "hydrograph_stage_m": np.array([0.0, 6.0, 2.0]),
        "wave_speed_m_per_s": 2.0,
    }
    # 3.6 km downstream the peak arrives 1800 s later
    assert stage_m(np.array([0.0]), 3600.0, **kw)[0] == 6.0
    assert stage_m(np.array([3600.0]), 5400.0, **kw)[0] == 6.0
    assert stage_m(np.array([3600.0]), 1800.0, **kw)[0] == 0.0
    assert stage_m(np.array([0.0]), 5400.0, **kw)[0] == pytest.approx(4.0)


def test_flood_must_and_must_not_flood_given_nodes() -> None:
    net = _valley()
    geo = river_geometry(net, net.features["river"], bank_search_m=200.0)
    # warning level = lowest ground within 200 m of each station: 200.5 upstream
    # (node 0), 200.0 from node 4 on, made non-increasing downstream
    assert geo.node_warning_level_m[0] == pytest.approx(200.5)
    stage = np.full(5, 1.5)  # water surface 202.0 at node 0-3, 201.5 at node 4
    depth = flood_depth_m(net, geo, stage, river_contact_m=200.0)
    # node 0 and 1 are below the surface and connected to the river: flooded
    assert depth[0] == pytest.approx(1.5) and depth[1] == pytest.approx(0.5)
    # node 2 is above the water; node 3 is below it but cut off behind the ridge: dry
    assert depth[2] == 0.0 and depth[3] == 0.0
    assert depth[4] == pytest.approx(1.5)
    assert flood_depth_m(net, geo, np.zeros(5)).sum() == 0.0
    # a higher stage overtops the ridge and reaches the hollow
    deep = flood_depth_m(net, geo, np.full(5, 6.0), river_contact_m=200.0)
    assert deep[2] == pytest.approx(0.5) and deep[3] == pytest.approx(5.5)


def test_slide_cuts_the_road_and_isolates_the_village() -> None:
    from sim.network.routing import Router

    net = _valley()
    inside = runout_nodes(net, 1000.0, 1100.0, 300.0)  # around the ridge node 2
    assert inside.tolist() == [False, False, True, False, False]
    cut = edges_touching(net, inside)
    router = Router(net)
    assert np.isfinite(router.tree(np.array([0]), reverse=True).time_s[3])
    router.close_edges(np.nonzero(cut)[0])
    # the hollow (node 3, the "village") has no road to node 0 any more
    assert not np.isfinite(router.tree(np.array([0]), reverse=True).time_s[3])
    assert node_slope(net)[2] == pytest.approx(5.0 / 500.0)
