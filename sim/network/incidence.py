"""Links at a few nodes: edge values from node values without touching every edge.

A hazard that covers a small part of the map (a gas plume) sets a value per node; a
link takes the larger value of its two ends. Computing that over every link each step
costs two gathers of the whole edge table; over the links at the covered nodes only,
it costs in proportion to them (the CSR row pointers of the network give each node's
links: out of it by :attr:`RoadNetwork.indptr`, into it by ``reverse_indptr``).
"""

from __future__ import annotations

import numpy as np

from sim.network.compiled import RoadNetwork


def edges_at(network: RoadNetwork, nodes: np.ndarray) -> np.ndarray:
    """Edges that start or end at any of ``nodes`` (an edge may appear twice)."""
    return np.concatenate(
        (edges_into(network, nodes, reverse=True), edges_into(network, nodes, reverse=False))
    )


def edge_max(network: RoadNetwork, node_value: np.ndarray) -> np.ndarray:
    """Per edge, the larger ``node_value`` of its two ends, for values >= 0.

    Equal to ``np.maximum(node_value[source], node_value[target])``; only the links at
    nodes with a value above zero are looked at.
    """
    out = np.zeros(network.n_edges)
    edges = edges_at(network, np.flatnonzero(node_value > 0))
    if edges.size:
        out[edges] = np.maximum(
            node_value[network.edge_source[edges]], node_value[network.edge_target[edges]]
        )
    return out


def _rows(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions ``indptr[r] .. indptr[r + 1] - 1`` of every row ``r``, concatenated."""
    start = indptr[rows].astype(np.int64)
    return index_runs(start, indptr[rows + 1].astype(np.int64) - start)


def index_runs(first: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return indices ``first[k] .. first[k] + lengths[k] - 1`` of every run ``k``, in turn.

    Each index is its run's first plus its rank within the run, on arrays.
    """
    first = np.asarray(first, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths  # where each run starts in the result
    return np.repeat(first - offsets, lengths) + np.arange(int(lengths.sum()))


def edge_any(network: RoadNetwork, node_mask: np.ndarray) -> np.ndarray:
    """Per edge, whether either end is in ``node_mask``: ``mask[source] | mask[target]``."""
    out = np.zeros(network.n_edges, dtype=bool)
    out[edges_at(network, np.flatnonzero(node_mask))] = True
    return out


def edges_into(network: RoadNetwork, nodes: np.ndarray, *, reverse: bool = False) -> np.ndarray:
    """Edges that end at ``nodes`` (``reverse``: that start there, the reversed graph's)."""
    nodes = np.asarray(nodes, dtype=np.int64)
    if reverse:
        return _rows(network.indptr, nodes)
    return network.reverse_order[_rows(network.reverse_indptr, nodes)].astype(np.int64)
