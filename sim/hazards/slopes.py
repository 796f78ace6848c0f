"""Landslides: susceptible slopes, rain triggers, run-out areas and isolated villages.

Rain-triggered slides have the sizes of real triggered-landslide inventories: the area
of each is drawn from the three-parameter inverse-gamma distribution that Malamud,
Turcotte, Guzzetti & Reichenbach (2004, *Earth Surface Processes and Landforms* 29:
687-711) fit to three inventories (rainfall, snowmelt and earthquake triggered):
``rho = 1.40``, ``a = 1.28e-3 km2``, ``s = -1.32e-4 km2``. Its mean, ``a / (rho - 1) +
s``, is 3.07e-3 km2 (a circle of 31 m radius), its median 1.05e-3 km2 (18 m); fewer
than one slide in a thousand is larger than 0.2 km2 (250 m). A slide is a circle of
that area.
"""

from __future__ import annotations

import numpy as np

from sim.network.compiled import RoadNetwork


def node_slope(network: RoadNetwork) -> np.ndarray:
    """Steepest road gradient (rise over run) at each node, from node elevations."""
    rise = np.abs(
        network.elevation_m[network.edge_target] - network.elevation_m[network.edge_source]
    )
    grade = np.where(network.length_m > 0, rise / np.maximum(network.length_m, 1.0), 0.0)
    slope = np.zeros(network.n_nodes)
    np.maximum.at(slope, network.edge_source, np.nan_to_num(grade))
    np.maximum.at(slope, network.edge_target, np.nan_to_num(grade))
    return slope


#: Malamud et al. (2004): landslide areas ``A = s + X`` with ``X`` inverse-gamma
#: (shape ``rho``, scale ``a``), km2.
AREA_RHO = 1.40
AREA_A_KM2 = 1.28e-3
AREA_S_KM2 = -1.32e-4
#: Smallest slide drawn, km2 (the distribution reaches below 0 with a chance of 2e-4).
MIN_AREA_KM2 = 1e-5


def mean_area_km2() -> float:
    """Mean landslide area of the distribution, km2 (3.07e-3 in Malamud et al. 2004)."""
    return AREA_A_KM2 / (AREA_RHO - 1.0) + AREA_S_KM2


def rain_slide_radii_m(count: int, rng: np.random.Generator) -> np.ndarray:
    """Radii (m) of ``count`` circles with areas drawn from Malamud et al. (2004)."""
    from scipy.stats import invgamma

    area_km2 = AREA_S_KM2 + invgamma.rvs(AREA_RHO, scale=AREA_A_KM2, size=count, random_state=rng)
    return np.sqrt(np.maximum(area_km2, MIN_AREA_KM2) * 1e6 / np.pi)


def runout_nodes(network: RoadNetwork, x_m: float, y_m: float, radius_m: float) -> np.ndarray:
    """Nodes inside a circular run-out area."""
    return np.hypot(network.x_m - x_m, network.y_m - y_m) <= radius_m


def edges_touching(network: RoadNetwork, nodes: np.ndarray) -> np.ndarray:
    """Edges with either end among ``nodes`` (a boolean node mask)."""
    return nodes[network.edge_source] | nodes[network.edge_target]


def rain_triggered_sites(
    network: RoadNetwork,
    *,
    count: int,
    min_slope: float,
    spacing_m: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Pick ``count`` slide centres among susceptible nodes, weighted by slope, apart."""
    slope = node_slope(network)
    candidates = np.nonzero(slope >= min_slope)[0]
    chosen: list[int] = []
    if candidates.size == 0 or count <= 0:
        return np.array(chosen, dtype=np.int64)
    weights = slope[candidates] / slope[candidates].sum()
    order = rng.choice(candidates, size=candidates.size, replace=False, p=weights)
    for node in order:
        if all(
            np.hypot(network.x_m[node] - network.x_m[c], network.y_m[node] - network.y_m[c])
            >= spacing_m
            for c in chosen
        ):
            chosen.append(int(node))
            if len(chosen) == count:
                break
    return np.array(chosen, dtype=np.int64)


def access_node(
    network: RoadNetwork,
    inside: np.ndarray,
    x_m: float,
    y_m: float,
    reachable: np.ndarray | None = None,
) -> int:
    """Return the node outside a run-out area nearest its centre (where teams stage).

    With ``reachable`` (a node mask, e.g. reachable from the rescue stations after the
    slide), only those nodes qualify, so teams are never sent to a cut-off side.
    """
    ok = ~inside if reachable is None or not (reachable & ~inside).any() else ~inside & reachable
    outside = np.nonzero(ok)[0]
    d = np.hypot(network.x_m[outside] - x_m, network.y_m[outside] - y_m)
    return int(outside[np.argmin(d)])
