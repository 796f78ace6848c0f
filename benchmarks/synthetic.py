"""A large synthetic road network for benchmarks.

Not a realistic map: a jittered grid with missing links and faster arterials, about
``n_nodes`` nodes, two jurisdictions, stations and population.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.network import RoadNetwork, compile_region
from sim.regions.base import RegionData


def synthetic_network(
    n_nodes: int = 200_000,
    *,
    seed: int = 7,
    spacing_m: float = 150.0,
    n_stations: int = 100,
    population_persons: int | None = None,
) -> RoadNetwork:
    """Return a grid-like network of about ``n_nodes`` nodes with stations and population."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_nodes)))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = ii.ravel() * spacing_m + rng.uniform(-30, 30, side * side) + 500_000
    y = jj.ravel() * spacing_m + rng.uniform(-30, 30, side * side) + 3_350_000
    idx = np.arange(side * side).reshape(side, side)
    horizontal = np.column_stack([idx[:, :-1].ravel(), idx[:, 1:].ravel()])
    vertical = np.column_stack([idx[:-1, :].ravel(), idx[1:, :].ravel()])
    pairs = np.concatenate([horizontal, vertical])
    arterial = np.concatenate([(ii[:, :-1] % 20 == 0).ravel(), (jj[:-1, :] % 20 == 0).ravel()])
    keep = arterial | (rng.random(len(pairs)) > 0.12)
    pairs, arterial = pairs[keep], arterial[keep]
    s = np.concatenate([pairs[:, 0], pairs[:, 1]])
    t = np.concatenate([pairs[:, 1], pairs[:, 0]])
    art = np.concatenate([arterial, arterial])
    length = np.hypot(x[s] - x[t], y[s] - y[t])
    juris = (ii.ravel() >= side // 2).astype(np.int8)
    n = side * side
    if population_persons is None:
        population = rng.poisson(5, n)
    else:
        population = rng.multinomial(population_persons, np.full(n, 1.0 / n))
    shelter_nodes = rng.choice(n, size=max(n // 100, 2), replace=False)
    capacity = np.full(shelter_nodes.size, int(0.6 * population.sum() / shelter_nodes.size) + 1)
    depot_nodes = rng.choice(n, size=max(n // 5000, 2), replace=False)
    station_nodes = rng.choice(side * side, size=n_stations, replace=False)
    order = np.arange(n_stations)  # 4 aviation bases, the rest community and ground
    tiers = np.where(order < 4, "aviation", np.where(order % 2 == 0, "community", "ground"))
    stations = pd.DataFrame(
        {
            "name": [f"s{i}" for i in range(n_stations)],
            "tier": tiers,
            "node": station_nodes,
            "teams": 1,
            "jurisdiction": np.array(["West", "East"])[juris[station_nodes]],
        }
    )
    data = RegionData(
        name=f"synthetic-{n_nodes}",
        crs="EPSG:32648",
        x_m=x,
        y_m=y,
        elevation_m=np.zeros(side * side),
        jurisdiction=juris,
        jurisdiction_names=("West", "East"),
        edge_source=s,
        edge_target=t,
        edge_length_m=length,
        edge_highway=np.where(art, "primary", "residential"),
        edge_lanes=np.full(len(s), np.nan),
        edge_maxspeed_kph=np.full(len(s), np.nan),
        edge_bridge=np.zeros(len(s), bool),
        places={
            "stations": stations,
            "shelters": pd.DataFrame(
                {
                    "name": [f"shelter{i}" for i in range(shelter_nodes.size)],
                    "level": "town",
                    "node": shelter_nodes,
                    "capacity_persons": capacity,
                    "jurisdiction": np.array(["West", "East"])[juris[shelter_nodes]],
                }
            ),
            "depots": pd.DataFrame(
                {
                    "name": [f"depot{i}" for i in range(depot_nodes.size)],
                    "level": np.where(np.arange(depot_nodes.size) < 2, "city", "town"),
                    "node": depot_nodes,
                    "stock_kits": 20_000,
                    "jurisdiction": np.array(["West", "East"])[juris[depot_nodes]],
                }
            ),
        },
        node_population_persons=population,
    )
    return compile_region(data)
