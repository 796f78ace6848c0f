"""Toy regions for protective-action tests: a plume across the way, a shelter that floods.

Gas (``plume_network``), coordinates in metres east/north of the well W; the wind blows
from the west (270 deg), so the plume runs east along y = 0::

    4 (-1000, 800) ─────────── 0 home (2000, 800)
    │                          │
    │             W (0, 0)     1 (2000, 0) ── 2 S-near (3000, 0)     6 (2500, 0) on 1-2
    │                          │
    5 (-1000, -1200) ───────── 3 S-far (2000, -1200)

Links (two-way, residential, 36 km/h): 0-1 800 m, 1-6 500 m, 6-2 500 m, 1-3 1200 m,
0-4 3000 m, 4-5 2000 m, 5-3 3000 m. Nodes 1, 6 and 2 lie on the plume axis 2, 2.5
and 3 km downwind; 0, 3, 4 and 5 are clear of it (4 and 5 are upwind of the well).
All nodes are in A except node 5 (B), which holds the ground station and depot.

Flood (``flood_network``): the toy engine line (tests/engine_fixtures.py) with SB at
node 3 (B, 1000 m from node 2) on ground 10.1 m above sea level beside a river whose
warning level is 10 m; every other node stands at 20 m.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from sim.network import RoadNetwork, compile_region
from sim.regions.base import RegionData
from tests.engine_fixtures import toy_engine_network

#: One channel reaches everyone at once, all comply, pre-movement exactly 1 min.
BEHAVIOUR = {
    "channels": [{"name": "sms", "reach": 1.0, "delay_min": 0.0}],
    "door_knocking": False,
    "compliance": {"risk": 0.0, "imminent": 1.0, "immediate": 1.0},
    "premovement_median_min": 1.0,
    "premovement_sigma": 0.0,
}

X0, Y0 = 500_000.0, 3_350_000.0
PLUME_XY_M = {
    0: (2000.0, 800.0),
    1: (2000.0, 0.0),
    2: (3000.0, 0.0),
    3: (2000.0, -1200.0),
    4: (-1000.0, 800.0),
    5: (-1000.0, -1200.0),
    6: (2500.0, 0.0),
}
PLUME_LINKS_M = [(0, 1, 800.0), (1, 6, 500.0), (6, 2, 500.0), (1, 3, 1200.0)]
PLUME_LINKS_M += [(0, 4, 3000.0), (4, 5, 2000.0), (5, 3, 3000.0)]
#: Walking time of the way around the plume, home 0 -> 4 -> 5 -> S-far, at 1.2 m/s.
AROUND_M = 3000.0 + 2000.0 + 3000.0


def plume_network(population: dict[int, int]) -> RoadNetwork:
    """The gas toy (module docs) with ``population`` residents per node."""
    n = len(PLUME_XY_M)
    x = np.array([PLUME_XY_M[k][0] for k in range(n)]) + X0
    y = np.array([PLUME_XY_M[k][1] for k in range(n)]) + Y0
    s = [a for a, b, _ in PLUME_LINKS_M] + [b for a, b, _ in PLUME_LINKS_M]
    t = [b for a, b, _ in PLUME_LINKS_M] + [a for a, b, _ in PLUME_LINKS_M]
    length = [d for *_, d in PLUME_LINKS_M] * 2
    residents = np.zeros(n, dtype=np.int64)
    for node, persons in population.items():
        residents[node] = persons
    places = {
        "stations": pd.DataFrame(
            {
                "name": ["B-post"],
                "tier": ["ground"],
                "node": [5],
                "teams": [1],
                "jurisdiction": ["B"],
            }
        ),
        "shelters": pd.DataFrame(
            {
                "name": ["S-near", "S-far"],
                "level": ["town"] * 2,
                "node": [2, 3],
                "capacity_persons": [100, 100],
                "jurisdiction": ["A", "A"],
            }
        ),
        "depots": pd.DataFrame(
            {
                "name": ["D"],
                "level": ["city"],
                "node": [5],
                "stock_kits": [100],
                "jurisdiction": ["B"],
            }
        ),
        "wells": pd.DataFrame({"name": ["W"], "x_m": [X0], "y_m": [Y0]}),
    }
    data = RegionData(
        name="toy-plume",
        crs="EPSG:32648",
        x_m=x,
        y_m=y,
        elevation_m=np.zeros(n),
        jurisdiction=np.array([0, 0, 0, 0, 0, 1, 0], np.int8),
        jurisdiction_names=("A", "B"),
        edge_source=np.array(s),
        edge_target=np.array(t),
        edge_length_m=np.array(length),
        edge_highway=np.array(["residential"] * len(s)),
        edge_lanes=np.full(len(s), np.nan),
        edge_maxspeed_kph=np.full(len(s), 36.0),
        edge_bridge=np.zeros(len(s), bool),
        places=places,
        node_population_persons=residents,
    )
    return compile_region(data)


#: The flood of the toy: node 3 (B, 10.1 m) goes under water when the stage passes
#: 0.1 m, at 15 min.
TOY_FLOOD = {
    "wave_speed_m_per_s": 30.0,
    "boat_teams": 0,
    "hydrograph": [
        {"time_min": 0, "stage_m": 0.0},
        {"time_min": 10, "stage_m": 0.0},
        {"time_min": 20, "stage_m": 0.2},
    ],
}


def flood_network(population: list[int]) -> RoadNetwork:
    """The flood toy (module docs)."""
    net = toy_engine_network(population=population, shelter_b_node=3)
    elevation = np.full(net.n_nodes, 20.0)
    elevation[3] = 10.1
    river = np.array(
        [[net.x_m[3] - 500.0, net.y_m[3] - 100.0], [net.x_m[3] + 500.0, net.y_m[3] - 100.0]]
    )
    features = {**net.features, "river": river, "river_warning_level_m": np.full(2, 10.0)}
    return replace(net, elevation_m=elevation, features=features)


def transfer_and_trapped(
    name: str, *, vulnerable_share: float, trapped_at_s: float, trapped_node: int
) -> dict:
    """A 1-h scenario: an ``immediate`` order by A at 0 that no channel carries (so its
    households wait for their doors, a mandatory transfer), and one trapped person at
    ``trapped_node`` reported at ``trapped_at_s`` who asks for a community team."""
    return {
        "name": name,
        "horizon_h": 1.0,
        "population": {
            "household_size_mean_persons": 1.0,
            "vehicle_share": 0.0,
            "vulnerable_share": vulnerable_share,
        },
        "behaviour": {**BEHAVIOUR, "channels": [{"name": "sms", "reach": 0.0, "delay_min": 0.0}]},
        "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
        "incidents": [
            {
                "time_min": trapped_at_s / 60,
                "node": trapped_node,
                "persons": 1,
                "tiers": ["community"],
            }
        ],
    }


def with_community_post(
    net: RoadNetwork, node: int, jurisdiction: str = "A", teams: int = 1
) -> RoadNetwork:
    """``net`` with a community post of ``teams`` responders at ``node``."""
    post = pd.DataFrame(
        {
            "name": ["C-post"],
            "tier": ["community"],
            "node": [node],
            "teams": [teams],
            "jurisdiction": [jurisdiction],
        }
    )
    stations = pd.concat([net.places["stations"], post], ignore_index=True)
    return replace(net, places={**net.places, "stations": stations})
