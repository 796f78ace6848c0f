"""Grow a shortest-path tree only as far as one node needs.

Most trees a run grows answer one question about one node: a team's way to an
incident, a team's way home, a re-route from the node where it turned off. A full tree
settles every node of the region (about 26,000 in the built-in one, 2.7 ms); a tree with
a time limit settles only the nodes within it, at a cost that grows with the area it
covers. Dijkstra's algorithm settles nodes in order of time, so within its limit a
limited tree's times are exact, and its path to a node it reaches is a shortest one.

:func:`grow_enough` first tries a limit of a few times the least time the node could be
from the sources (straight-line distance at the fastest link speed, a lower bound by
the triangle inequality), then a limit that many times larger, then none. On the
flood's team routes the time found was a median 1.7-2.3 times that bound, a 90th
percentile 4-6 times (seed 0, the seventeenth stop of issue 12). A node the search did
not reach is unreachable when the search ran out of links before the limit (nothing
left beyond the last nodes it settled): then the tree is complete and said so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from sim.network.compiled import RoadNetwork
from sim.network.trees import ShortestPathTree

__all__ = ["FIRST_FACTOR", "FLOOR_S", "GROWTH", "LeastTime", "exhausted", "grow_enough"]

#: The first limit, in multiples of the node's least possible time (see module docs).
FIRST_FACTOR = 4.0
#: Each next limit, in multiples of the one before; after two tries there is none.
GROWTH = 4.0
#: The least first limit (s): close nodes get a small neighbourhood, not a point.
FLOOR_S = 600.0


def grow_enough(
    grow: Callable[..., ShortestPathTree],
    node: int,
    least_s: float,
    network: RoadNetwork,
    weights_s: np.ndarray,
) -> ShortestPathTree:
    """Return a tree exact at ``node``, grown with as small a limit as found to do.

    Parameters
    ----------
    grow
        Grows the tree with the time limit ``limit_s`` (s, a keyword); ``inf``: whole.
    node
        The node the tree must be exact at: reached, or proved unreachable.
    least_s
        A lower bound of the node's time (s), e.g. from its straight-line distance.
    network, weights_s
        The network and per-edge weights the tree grows on (to tell a search that ran
        out of links from one that stopped at its limit).

    Returns
    -------
    ShortestPathTree
        With ``limit_s`` the limit it was grown to (``inf`` when complete): its times
        and paths are exact for every node it reached.
    """
    if np.isfinite(least_s):
        limit_s = max(FIRST_FACTOR * least_s, FLOOR_S)
        for _ in range(2):
            tree = grow(limit_s=limit_s)
            if np.isfinite(tree.time_s[node]):
                return tree
            if exhausted(tree, network, weights_s):
                return dataclasses.replace(tree, limit_s=np.inf)  # nothing lies beyond
            limit_s *= GROWTH
    return grow(limit_s=np.inf)


def exhausted(tree: ShortestPathTree, network: RoadNetwork, weights_s: np.ndarray) -> bool:
    """Whether a limited tree reached every node it could (no open link leads beyond).

    A link leads beyond when it is open and runs from a reached node to one that is not
    (against the link for a reverse tree, whose search follows links backwards).
    """
    reached = np.isfinite(tree.time_s)
    inner, outer = network.edge_source, network.edge_target
    if tree.reverse:
        inner, outer = outer, inner
    return not bool(np.any(reached[inner] & ~reached[outer] & np.isfinite(weights_s)))


class LeastTime:
    """Lower bounds of travel times from straight-line distances.

    No link covers more straight-line distance per second than the fastest one does
    under the current weights, so no path does either (triangle inequality). The
    fastest speed is found once per version of the weights.
    """

    def __init__(self, network: RoadNetwork) -> None:
        self.network = network
        self._chord_m = np.hypot(
            network.x_m[network.edge_target] - network.x_m[network.edge_source],
            network.y_m[network.edge_target] - network.y_m[network.edge_source],
        )
        self._version = -1
        self._speed_m_per_s = np.inf

    def time_s(self, node: int, others: np.ndarray, weights_s: np.ndarray, version: int) -> float:
        """Least time (s) between ``node`` and the nearest of ``others``.

        ``weights_s`` are the per-edge times of the weights' ``version``.
        """
        speed = self._speed(weights_s, version)
        if speed <= 0.0:  # no link is open: only the node itself is reached
            return 0.0 if np.any(others == node) else np.inf
        x, y = self.network.x_m, self.network.y_m
        d_m = np.hypot(x[others] - x[node], y[others] - y[node]).min()
        return float(d_m / speed)

    def _speed(self, weights_s: np.ndarray, version: int) -> float:
        """Return the fastest straight-line speed of any link under ``weights_s`` (m/s)."""
        if self._version != version:
            with np.errstate(divide="ignore", invalid="ignore"):
                speed = self._chord_m / weights_s
            speed = speed[~np.isnan(speed)]  # 0 / 0: a link of no length and no time
            self._speed_m_per_s = float(speed.max()) if speed.size else 0.0
            self._version = version
        return self._speed_m_per_s
