"""Response times from candidate sites to demand nodes, as static coverage computes them.

One limited Dijkstra per departure node (``scipy.sparse.csgraph`` through
:class:`sim.network.routing.Router`, in chunks) for road tiers, a k-d tree range query
for air tiers; only times up to a limit are kept, as a sparse matrix for
:mod:`sim.siting.models`. As in :mod:`sim.coverage`, a community site's responders set
off from their homes near it (:func:`sim.responders.departure_nodes`; a site's time is
that of its nearest responder), and flights add the tier's ``approach_km``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from sim.coverage import tier_weights_s
from sim.network.compiled import RoadNetwork
from sim.network.routing import Router
from sim.responders import departure_nodes
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
    site_teams: np.ndarray | None = None,
    responders_at_home: bool = True,
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
        Road tiers travel the network on :func:`sim.coverage.tier_weights_s` (community
        responders from their homes); air tiers fly ``tier.approach_km`` plus the
        straight line at ``tier.cruise_speed_kph``.
    site_nodes, demand_nodes
        Node indices of the rows and the columns.
    limit_s
        Longest time kept; farther pairs are not stored.
    site_teams
        Teams of each site (community: one home per responder); None is one each.
    responders_at_home
        False routes community responders from the site itself.
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
    origins, owner = departure_nodes(
        network, tier, site_nodes, site_teams, responders_at_home=responders_at_home
    )
    return _road_times_s(
        network, tier, origins, owner, demand_nodes, limit_s=limit_s, progress=progress
    )


def _road_times_s(
    network: RoadNetwork,
    tier: TierStandard,
    origins: np.ndarray,
    owner: np.ndarray,
    demand_nodes: np.ndarray,
    *,
    limit_s: float,
    progress: bool = False,
) -> sp.csr_matrix:
    """Limited Dijkstras from ``origins`` in chunks; a site's row is the minimum of its own.

    ``owner`` (sorted, every site at least once) gives each origin's site. Kept as CSR
    pieces (12 bytes per entry).
    """
    from tqdm import tqdm

    n_sites = int(owner[-1]) + 1
    first = np.searchsorted(owner, np.arange(n_sites + 1))  # first origin of each site
    router = Router(network, tier_weights_s(network, tier), cache_size=1)
    counts, indices, data = [], [], []
    bar = tqdm(total=n_sites, desc="routing", unit="site", disable=not progress, leave=True)
    start = 0
    while start < n_sites:
        # whole sites, about SOURCES_PER_CHUNK origins (at least one site)
        end = max(int(np.searchsorted(first, first[start] + SOURCES_PER_CHUNK)), start + 1)
        end = min(end, n_sites)
        rows = router.matrix_s(origins[first[start] : first[end]], limit_s=limit_s - tier.turnout_s)
        if first[end] - first[start] > end - start:  # a site with several responders
            rows = np.minimum.reduceat(rows, first[start:end] - first[start], axis=0)
        time_s = tier.turnout_s + rows[:, demand_nodes]
        row, col = np.nonzero(time_s <= limit_s)  # row-major: sorted by row, then column
        counts.append(np.bincount(row, minlength=end - start))
        indices.append(col.astype(np.int32))
        data.append(time_s[row, col])
        bar.update(end - start)
        start = end
    bar.close()
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))])
    return sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), indptr),
        shape=(n_sites, len(demand_nodes)),
    )


def _air_times_s(
    network: RoadNetwork,
    tier: TierStandard,
    site_nodes: np.ndarray,
    demand_nodes: np.ndarray,
    *,
    limit_s: float,
) -> sp.csr_matrix:
    """Flights of ``tier.approach_km`` plus the straight line, as static coverage flies them."""
    from scipy.spatial import cKDTree

    shape = (len(site_nodes), len(demand_nodes))
    speed_m_per_s = tier.cruise_speed_kph / 3.6
    approach_m = tier.approach_km * 1000.0
    reach_m = (limit_s - tier.turnout_s) * speed_m_per_s - approach_m
    if reach_m < 0:
        return sp.csr_matrix(shape, dtype=np.float64)
    bases = cKDTree(np.column_stack([network.x_m[site_nodes], network.y_m[site_nodes]]))
    homes = cKDTree(np.column_stack([network.x_m[demand_nodes], network.y_m[demand_nodes]]))
    pairs = bases.sparse_distance_matrix(homes, reach_m, output_type="ndarray")
    time_s = tier.turnout_s + (approach_m + pairs["v"]) / speed_m_per_s
    keep = time_s <= limit_s
    return sp.csr_matrix((time_s[keep], (pairs["i"][keep], pairs["j"][keep])), shape=shape)
