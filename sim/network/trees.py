"""Shortest-path trees: what :class:`sim.network.routing.Router` grows.

Reading one tree: a node's time, its nearest source and the path to or from it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.errors import NetworkError

#: Predecessor value scipy uses for "no predecessor".
NO_NODE = -9999


@dataclass(frozen=True, kw_only=True, eq=False)
class ShortestPathTree:
    """Multi-source shortest-path tree.

    Attributes
    ----------
    time_s
        Travel time per node (``inf`` where unreachable within the limit).
    predecessor
        Per node, the previous node on the path from (forward) or next node on the path
        to (reverse) its nearest source; ``NO_NODE`` at sources and unreachable nodes.
    source
        Per node, the nearest source node (``NO_NODE`` when unreachable).
    reverse
        True when times are *to* the sources.
    limit_s
        The time limit it was grown to (``inf``: the whole tree): beyond it, ``inf``
        means "farther", not "unreachable".
    """

    time_s: np.ndarray
    predecessor: np.ndarray
    source: np.ndarray
    reverse: bool
    limit_s: float = np.inf

    def path(self, node: int) -> np.ndarray:
        """Return the node sequence of the tree path through ``node``, in travel order.

        Forward trees: from the nearest source to ``node``. Reverse trees: from ``node``
        to its nearest source (e.g. a household's route to its shelter).

        Raises
        ------
        NetworkError
            If ``node`` is unreachable.
        """
        if not np.isfinite(self.time_s[node]):
            raise NetworkError(f"node {node} is not reachable from any source")
        step = self.predecessor.item  # a Python int per node: the loop stays cheap
        at = int(node)
        chain = [at]
        while (at := step(at)) != NO_NODE:
            chain.append(at)
        nodes = np.array(chain, dtype=np.int64)
        return nodes if self.reverse else nodes[::-1]

    def paths_flat(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tree paths of many nodes as one ragged array (vectorised pointer jumping).

        Returns
        -------
        flat, offsets
            Path ``k`` is ``flat[offsets[k]:offsets[k + 1]]`` in tree order: from the node
            to its source (a route in travel order for reverse trees; reversed for forward
            trees). Unreachable nodes have empty paths.
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        pred = self.predecessor
        rows = np.nonzero(np.isfinite(self.time_s[nodes]))[0]
        current = nodes[rows]
        row_parts, node_parts, step_parts = [rows], [current], [np.zeros(rows.size, np.int64)]
        step = 0
        while rows.size:
            nxt = pred[current]
            alive = nxt != NO_NODE
            rows, current = rows[alive], nxt[alive]
            step += 1
            row_parts.append(rows)
            node_parts.append(current)
            step_parts.append(np.full(rows.size, step, np.int64))
        row = np.concatenate(row_parts)
        order = np.lexsort((np.concatenate(step_parts), row))
        counts = np.bincount(row, minlength=nodes.size)
        offsets = np.concatenate(([0], np.cumsum(counts)))
        return np.concatenate(node_parts)[order], offsets

    def paths(self, nodes: np.ndarray) -> list[np.ndarray]:
        """Return :meth:`path` for many nodes at once (empty arrays where unreachable)."""
        flat, offsets = self.paths_flat(nodes)
        pieces = [flat[a:b] for a, b in itertools.pairwise(offsets)]
        return pieces if self.reverse else [p[::-1] for p in pieces]
