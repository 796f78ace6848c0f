"""Response times from candidate sites to demand nodes, as static coverage computes them.

One limited Dijkstra per site (``scipy.sparse.csgraph`` through :class:`sim.network.routing.Router`,
in chunks) for road tiers, a k-d tree range query for air tiers; only times up to a
limit are kept, as a sparse matrix for :mod:`sim.siting.models`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from sim.coverage import tier_weights_s
from sim.network.compiled import RoadNetwork
from sim.network.routing import Router
from sim.tiers import TierStandard

#: Candidate sites routed per Dijkstra call (bounds the dense temporary: rows × nodes).
SOURCES_PER_CHUNK = 256


def response_times_s(
    network: RoadNetwork,
    tier: TierStandard,
    site_nodes: np.ndarray,
    demand_nodes: np.ndarray,
    *,
    limit_s: float,
    progress: bool = False,
) -> sp.csr_matrix:
    """Response times (turnout + travel, seconds) from sites to demand nodes, up to a limit.

    Computed as :func:`sim.coverage.station_times_s` computes them, so a site set's
    coverage here equals :func:`sim.coverage.static_coverage` of the same stations.

    Parameters
    ----------
    network
        The road network.
    tier
        Road tiers travel the network on :func:`sim.coverage.tier_weights_s`; air tiers
        fly straight at ``tier.cruise_speed_kph``.
    site_nodes, demand_nodes
        Node indices of the rows and the columns.
    limit_s
        Longest time kept; farther pairs are not stored.
    progress
        Show a bar of sites routed on standard error (road tiers: the slow part).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(len(site_nodes), len(demand_nodes))``; stored entries, explicit zeros
        included, are the times up to ``limit_s``.
    """
    site_nodes = np.asarray(site_nodes, dtype=np.int64)
    demand_nodes = np.asarray(demand_nodes, dtype=np.int64)
    shape = (len(site_nodes), len(demand_nodes))
    travel_limit_s = limit_s - tier.turnout_s
    if len(site_nodes) == 0 or len(demand_nodes) == 0 or travel_limit_s < 0:
        return sp.csr_matrix(shape, dtype=np.float64)
    if tier.travel == "air":
        return _air_times_s(network, tier, site_nodes, demand_nodes, limit_s=limit_s)
    return _road_times_s(
        network, tier, site_nodes, demand_nodes, limit_s=limit_s, progress=progress
    )


def _road_times_s(
    network: RoadNetwork,
    tier: TierStandard,
    site_nodes: np.ndarray,
    demand_nodes: np.ndarray,
    *,
    limit_s: float,
    progress: bool = False,
) -> sp.csr_matrix:
    """One limited Dijkstra per site, in chunks, kept as CSR pieces (12 bytes per entry)."""
    from tqdm import tqdm

    router = Router(network, tier_weights_s(network, tier), cache_size=1)
    counts, indices, data = [], [], []
    bar = tqdm(total=len(site_nodes), desc="routing", unit="site", disable=not progress, leave=True)
    for start in range(0, len(site_nodes), SOURCES_PER_CHUNK):
        chunk = site_nodes[start : start + SOURCES_PER_CHUNK]
        time_s = tier.turnout_s + router.matrix_s(chunk, limit_s=limit_s - tier.turnout_s)
        time_s = time_s[:, demand_nodes]
        row, col = np.nonzero(time_s <= limit_s)  # row-major: sorted by row, then column
        counts.append(np.bincount(row, minlength=len(chunk)))
        indices.append(col.astype(np.int32))
        data.append(time_s[row, col])
        bar.update(len(chunk))
    bar.close()
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))])
    return sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), indptr),
        shape=(len(site_nodes), len(demand_nodes)),
    )


def _air_times_s(
    network: RoadNetwork,
    tier: TierStandard,
    site_nodes: np.ndarray,
    demand_nodes: np.ndarray,
    *,
    limit_s: float,
) -> sp.csr_matrix:
    """Straight-line flights, distances from the same k-d tree code as static coverage."""
    from scipy.spatial import cKDTree

    bases = cKDTree(np.column_stack([network.x_m[site_nodes], network.y_m[site_nodes]]))
    homes = cKDTree(np.column_stack([network.x_m[demand_nodes], network.y_m[demand_nodes]]))
    speed_m_per_s = tier.cruise_speed_kph / 3.6
    pairs = bases.sparse_distance_matrix(
        homes, (limit_s - tier.turnout_s) * speed_m_per_s, output_type="ndarray"
    )
    time_s = tier.turnout_s + pairs["v"] / speed_m_per_s
    keep = time_s <= limit_s
    return sp.csr_matrix(
        (time_s[keep], (pairs["i"][keep], pairs["j"][keep])),
        shape=(len(site_nodes), len(demand_nodes)),
    )
