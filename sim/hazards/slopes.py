"""Landslides: susceptible slopes, rain triggers, run-out areas and isolated villages."""

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
    if candidates.size == 0:
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
