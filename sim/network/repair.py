"""A shortest-path tree after some of its sources stop being sources, without a full Dijkstra.

When sources leave a multi-source tree (a shelter filled up, a team was sent out) and no
weight changed, only the nodes whose nearest source left (their *cell*) get new times:
every other node's path comes from a source still there and never crosses a cell that
left (a subpath of a tree path has the same source). A new path into a cell node either
stays inside the cells that left or enters them over a link ``u -> v`` from a node
``u`` that keeps its time. So a Dijkstra over the cells only, started from one extra
node per such entering link whose link weighs ``time[u] + w(u, v)``, gives the new times
there: the same float sums a fresh tree adds, link by link. The cost is in proportion
to the cells, not to the map. Ties between equally short paths may resolve differently
than in a fresh tree (as for :meth:`sim.network.routing.Router.tree_for`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from sim.network.compiled import RoadNetwork
from sim.network.incidence import edges_into
from sim.network.trees import NO_NODE, ShortestPathTree


def without_sources(
    network: RoadNetwork,
    weights_s: np.ndarray,
    tree: ShortestPathTree,
    gone: np.ndarray,
    *,
    max_share: float = 0.5,
) -> ShortestPathTree | None:
    """Return ``tree`` (grown on ``weights_s``, no limit) with the sources in ``gone`` removed.

    None when the cells that left hold more than ``max_share`` of the nodes: a fresh
    tree costs less then (one Dijkstra over the map against one over most of it plus
    building its matrix).

    Parameters
    ----------
    network
        The network the tree was grown on.
    weights_s
        The per-edge weights it was grown with (unchanged since).
    tree
        A tree grown without a time limit.
    gone
        Node mask of the sources that are no longer sources.
    """
    source = tree.source
    reached = source != NO_NODE
    cell = np.zeros(network.n_nodes, dtype=bool)
    cell[reached] = gone[source[reached]]
    nodes = np.flatnonzero(cell)
    if nodes.size > max_share * network.n_nodes:
        return None
    # links as the Dijkstra relaxes them: against the edge direction in a reverse tree
    frm, to = network.edge_source, network.edge_target
    if tree.reverse:
        frm, to = to, frm
    edges = edges_into(network, nodes, reverse=tree.reverse)
    weight = weights_s[edges]
    edges, weight = edges[np.isfinite(weight)], weight[np.isfinite(weight)]
    inside = cell[frm[edges]]
    entry = edges[~inside & np.isfinite(tree.time_s[frm[edges]])]
    inner = edges[inside]
    local = np.full(network.n_nodes, -1, dtype=np.int64)
    local[nodes] = np.arange(nodes.size)
    n_local = nodes.size + entry.size  # the cell's nodes, then one start per entering link
    starts = nodes.size + np.arange(entry.size)
    matrix = sp.csr_matrix(
        (
            np.concatenate((weights_s[inner], tree.time_s[frm[entry]] + weights_s[entry])),
            (
                np.concatenate((local[frm[inner]], starts)),
                local[np.concatenate((to[inner], to[entry]))],
            ),
        ),
        shape=(n_local, n_local),
    )
    time_s = tree.time_s.copy()
    predecessor = tree.predecessor.copy()
    new_source = tree.source.copy()
    time_s[nodes], predecessor[nodes], new_source[nodes] = np.inf, NO_NODE, NO_NODE
    if entry.size:
        t, pred, start = csgraph.dijkstra(
            matrix, directed=True, indices=starts, return_predecessors=True, min_only=True
        )
        k = np.flatnonzero(start[: nodes.size] != NO_NODE)  # cell nodes reached again
        via = entry[start[k] - nodes.size]  # the link its path enters the cells by
        pred = pred[k]
        time_s[nodes[k]] = t[k]
        # a node right behind an entering link follows it; the others a cell node
        predecessor[nodes[k]] = np.where(
            pred >= nodes.size, frm[via], nodes[np.minimum(pred, nodes.size - 1)]
        )
        new_source[nodes[k]] = source[frm[via]]
    return ShortestPathTree(
        time_s=time_s, predecessor=predecessor, source=new_source, reverse=tree.reverse
    )
