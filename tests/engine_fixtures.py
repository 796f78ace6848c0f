"""A toy region with places, for exact engine timelines.

::

    0 ── 1 ── 2 ┆ 3 ── 4 ────────── 30 km ────────── 5
    A    A    A ┆ B    B                             B

Links 0-1, 1-2, 2-3, 3-4 are 1000 m residential at 36 km/h (100 s), two-way;
4-5 is 30 km at 36 km/h (3000 s). Ground stations: "A-post" at node 2, "B-far" at node 5.
Shelters: node 0 (A, capacity ``shelter_capacity``) and node 4 (B, 100).
Depots: a city depot at node 0 (A) and one at node 5 (B).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.network import RoadNetwork, compile_region
from sim.regions.base import RegionData
from sim.scenarios import Scenario, scenario_from_dict

#: Everyone hears the SMS after 5 min, complies and sets off exactly 10 min later.
SURE_BEHAVIOUR = {
    "channels": [{"name": "sms", "reach": 1.0, "delay_min": 5.0}],
    "door_knocking": False,
    "compliance": {"imminent": 1.0},
    "premovement_median_min": 10.0,
    "premovement_sigma": 0.0,
}


def toy_network(
    x_m: np.ndarray,
    y_m: np.ndarray,
    links_m: list[tuple[int, int, float]],
    *,
    jurisdiction: np.ndarray | None = None,
    names: tuple[str, ...] = ("A",),
    places: dict | None = None,
) -> RoadNetwork:
    """Nodes at ``x_m``, ``y_m`` (metres from a UTM 48N origin), two-way residential
    links at 36 km/h (``(a, b, length_m)``), nobody living there."""
    n = len(x_m)
    s = [a for a, b, _ in links_m] + [b for a, b, _ in links_m]
    t = [b for a, b, _ in links_m] + [a for a, b, _ in links_m]
    stations = pd.DataFrame(columns=["name", "tier", "node", "teams"])
    return compile_region(
        RegionData(
            name="toy",
            crs="EPSG:32648",
            x_m=np.asarray(x_m, float) + 500_000.0,
            y_m=np.asarray(y_m, float) + 3_350_000.0,
            elevation_m=np.zeros(n),
            jurisdiction=np.zeros(n, np.int8) if jurisdiction is None else jurisdiction,
            jurisdiction_names=names,
            edge_source=np.array(s),
            edge_target=np.array(t),
            edge_length_m=np.array([d for *_, d in links_m] * 2),
            edge_highway=np.array(["residential"] * len(s)),
            edge_lanes=np.full(len(s), np.nan),
            edge_maxspeed_kph=np.full(len(s), 36.0),
            edge_bridge=np.zeros(len(s), bool),
            places=places if places is not None else {"stations": stations},
            node_population_persons=np.zeros(n, np.int64),
        )
    )


def toy_engine_network(
    *,
    population: list[int] | None = None,
    shelter_capacity: int = 100,
    shelter_b_node: int = 4,
    aviation_node: int | None = None,
    link_1_2_m: float = 1000.0,
) -> RoadNetwork:
    """Six nodes on a line, 1-km links 0-1-2-3-4 (``link_1_2_m`` for 1-2), 4-5 30 km."""
    stretch_m = link_1_2_m - 1000.0  # nodes 2 and beyond move east by it
    x = np.array([0.0, 1000.0, 2000.0, 3000.0, 4000.0, 34000.0]) + 500_000.0
    x[2:] += stretch_m
    y = np.full(6, 3_350_000.0)
    pairs = [(0, 1, 1000.0), (1, 2, link_1_2_m), (2, 3, 1000.0), (3, 4, 1000.0), (4, 5, 30000.0)]
    s = [a for a, b, _ in pairs] + [b for a, b, _ in pairs]
    t = [b for a, b, _ in pairs] + [a for a, b, _ in pairs]
    length = [d for *_, d in pairs] * 2
    names = ("A", "B")
    places = {
        "stations": pd.DataFrame(
            {
                "name": ["A-post", "B-far"],
                "tier": ["ground", "ground"],
                "node": [2, 5],
                "teams": [1, 1],
                "jurisdiction": ["A", "B"],
            }
        ),
        "shelters": pd.DataFrame(
            {
                "name": ["SA", "SB"],
                "level": ["town", "town"],
                "node": [0, shelter_b_node],
                "capacity_persons": [shelter_capacity, 100],
                "jurisdiction": ["A", "B"],
            }
        ),
        "depots": pd.DataFrame(
            {
                "name": ["DA", "DB"],
                "level": ["city", "city"],
                "node": [0, 5],
                "stock_kits": [1000, 1000],
                "jurisdiction": ["A", "B"],
            }
        ),
        "settlements": pd.DataFrame(
            {
                "name": ["Avillage", "Bvillage"],
                "kind": ["village"] * 2,
                "x_m": [x[1], x[3]],
                "y_m": [y[1], y[3]],
                "node": [1, 3],
                "population_persons": [0, 0],
                "jurisdiction": ["A", "B"],
            }
        ),
    }
    if aviation_node is not None:
        extra = pd.DataFrame(
            {
                "name": ["A-air"],
                "tier": ["aviation"],
                "node": [aviation_node],
                "teams": [1],
                "jurisdiction": ["A"],
            }
        )
        places["stations"] = pd.concat([places["stations"], extra], ignore_index=True)
    data = RegionData(
        name="toy-engine",
        crs="EPSG:32648",
        x_m=x,
        y_m=y,
        elevation_m=np.zeros(6),
        jurisdiction=np.array([0, 0, 0, 1, 1, 1], np.int8),
        jurisdiction_names=names,
        edge_source=np.array(s),
        edge_target=np.array(t),
        edge_length_m=np.array(length),
        edge_highway=np.array(["residential"] * len(s)),
        edge_lanes=np.full(len(s), np.nan),
        edge_maxspeed_kph=np.full(len(s), 36.0),
        edge_bridge=np.zeros(len(s), bool),
        places=places,
        node_population_persons=np.array(population or [0] * 6, dtype=np.int64),
    )
    return compile_region(data)


def cut_off_scenario(*, reopen_min: float) -> tuple[Scenario, RoadNetwork]:
    """One household at node 1 (A) whose links are all closed from t = 0 to ``reopen_min``.

    It hears the SMS at 300 s, complies and would leave at 900 s (pre-movement 10 min
    exactly); it is tracked. Linkage ``separate``.
    """
    net = toy_engine_network(population=[0, 1, 0, 0, 0, 0])
    lon, lat = net.to_lonlat(net.x_m[[1]], net.y_m[[1]])
    where = {"lon": float(lon[0]), "lat": float(lat[0]), "radius_m": 100.0}
    scenario = scenario_from_dict(
        {
            "name": "toy-cut-off",
            "horizon_h": 2.0,
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 1.0},
            "behaviour": SURE_BEHAVIOUR,
            "warnings": [{"time_min": 0.0, "level": "imminent", "issued_by": "A"}],
            "closures": [
                {"time_min": 0.0, "action": "close", **where},
                {"time_min": reopen_min, "action": "reopen", **where},
            ],
            "outputs": {"track_households": 1},
        }
    )
    return scenario, net
