"""Shared fixtures: a hand-built toy network, and a private cache for built-in regions."""

from __future__ import annotations

import numpy as np
import pytest

from sim.network import RoadNetwork, compile_region
from sim.regions.base import RegionData


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build built-in regions into a test-only cache, never the user's."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SIM_CACHE_DIR", str(tmp_path_factory.mktemp("sim-cache")))
    yield
    mp.undo()


def toy_region() -> RegionData:
    """Six nodes, two jurisdictions, hand-computable times.

    ::

        0 ──1000 m── 1 ══1000 m══ 2 ──1000 m── 3 ──1000 m── 4
        ▲                          │  A | B border between 2 and 3
        └────── 5 ◄── (one-way) ───┘

    All roads 36 km/h (10 m/s, so 1000 m = 100 s) except a parallel *primary* 1→2 at
    72 km/h (50 s, one-way). 2→5 (1000 m) and 5→0 (1800 m) are one-way.
    Nodes 0, 1, 2, 5 are in A; 3, 4 in B.
    """
    x = np.array([0.0, 1000.0, 2000.0, 3000.0, 4000.0, 2000.0])
    y = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1000.0])
    edges = [  # source, target, length_m, highway, maxspeed_kph
        (0, 1, 1000.0, "residential", 36.0),
        (1, 0, 1000.0, "residential", 36.0),
        (1, 2, 1000.0, "residential", 36.0),
        (2, 1, 1000.0, "residential", 36.0),
        (1, 2, 1000.0, "primary", 72.0),  # parallel and faster: kept
        (2, 3, 1000.0, "secondary", 36.0),
        (3, 2, 1000.0, "secondary", 36.0),
        (3, 4, 1000.0, "residential", 36.0),
        (4, 3, 1000.0, "residential", 36.0),
        (2, 5, 1000.0, "residential", 36.0),  # one-way
        (5, 0, 1800.0, "residential", 36.0),  # one-way
    ]
    s, t, length, hw, speed = zip(*edges, strict=True)
    return RegionData(
        name="toy",
        crs="EPSG:32648",
        x_m=x + 500_000.0,
        y_m=y + 3_350_000.0,
        elevation_m=np.zeros(6),
        jurisdiction=np.array([0, 0, 0, 1, 1, 0], dtype=np.int8),
        jurisdiction_names=("A", "B"),
        edge_source=np.array(s),
        edge_target=np.array(t),
        edge_length_m=np.array(length),
        edge_highway=np.array(hw),
        edge_lanes=np.full(len(edges), np.nan),
        edge_maxspeed_kph=np.array(speed),
        edge_bridge=np.zeros(len(edges), dtype=bool),
        node_population_persons=np.array([10, 20, 30, 40, 50, 60]),
    )


@pytest.fixture
def toy() -> RoadNetwork:
    return compile_region(toy_region())
