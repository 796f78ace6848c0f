"""Shortest paths on the compiled arrays with ``scipy.sparse.csgraph``.

A :class:`Router` holds one per-edge weight vector (travel time in seconds by default;
``np.inf`` = closed) over a :class:`~sim.network.compiled.RoadNetwork` without copying it.
Changing the weights (closures, slowdowns) bumps :attr:`Router.version`; trees are
cached per (sources, direction, limit, version) and recomputed only after a change.

A tree asked for one node's sake (:meth:`Router.tree_for`) may be an older one, when
its path for that node is still a shortest one: no link of the path changed weight,
the path's source is still a source, and no link that got faster since could make a
shorter path. Only a faster link that is a shortcut for the old times (new weight plus
old time at its near end below the old time at its far end) can: any other link costs
no less than the difference of the old times at its ends. A new path through a
shortcut ``u → v`` costs at least its new weight plus the old time at ``v`` (reverse
trees; ``u`` for forward ones), so a node no farther than that keeps its path. A
source added since (a shelter with room again, a team free again) cannot be nearer
than its straight-line distance at the fastest straight-line speed of any link, so a
node whose old time is less than that keeps its path too. Ties between
equally short paths may resolve differently than in a fresh tree.

Directions: a *forward* tree from stations gives the time from the nearest station to
every node; a *reverse* tree from shelters gives every node's time to its nearest
shelter, and following its predecessors from a node walks the route to that shelter.
"""

from __future__ import annotations

import functools
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csgraph

from sim.errors import NetworkError
from sim.network.compiled import RoadNetwork
from sim.network.reach import LeastTime, grow_enough
from sim.network.repair import without_sources
from sim.network.trees import NO_NODE, ShortestPathTree

__all__ = ["NO_NODE", "Router", "ShortestPathTree", "path_edges"]


@dataclass(kw_only=True, eq=False)
class _Latest:
    """The latest tree of a family, when it was grown and from which sources.

    Also the bound of :meth:`Router._faster_bound_s`, cached per version.
    """

    version: int
    sources: np.ndarray
    tree: ShortestPathTree
    #: The sources exactly as given (bytes), to tell "the same sources" cheaply.
    given: bytes = b""
    bound_version: int = -1
    bound_s: float = np.inf
    #: The limit asked for; its tree may stop short of it (``bounded``).
    limit_s: float = np.inf

    @property
    def cut_short(self) -> bool:
        """Whether its tree stops short of the limit asked for."""
        return self.tree.limit_s < self.limit_s


class Router:
    """Shortest paths over a network with a replaceable per-edge weight vector.

    Parameters
    ----------
    network
        The compiled network.
    weights_s
        Per-edge travel times in seconds (``inf`` = closed); default free-flow times.
    cache_size
        Number of trees kept (least recently used are dropped).
    """

    def __init__(
        self, network: RoadNetwork, weights_s: np.ndarray | None = None, *, cache_size: int = 64
    ) -> None:
        self.network = network
        self._cache: OrderedDict[tuple, ShortestPathTree] = OrderedDict()
        self._cache_size = cache_size
        self.version = 0
        #: Per edge, the version that last changed its weight, and that last lowered it.
        self._edge_version = np.zeros(network.n_edges, dtype=np.int64)
        self._edge_faster_version = np.zeros(network.n_edges, dtype=np.int64)
        #: Latest tree of each family (see :meth:`tree_for`).
        self._latest: OrderedDict[tuple, _Latest] = OrderedDict()
        #: The last version in which some edge got faster (or reopened).
        self._faster_version = 0
        #: The least time between nodes, from straight-line distances (see :mod:`.reach`).
        self._least = LeastTime(network)
        #: Read-only source arrays already checked, by id (they cannot have changed).
        self._checked: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()
        #: Per tree (while it lives), the paths traced through nodes: node -> (nodes, edges).
        self._paths: weakref.WeakKeyDictionary[ShortestPathTree, dict] = weakref.WeakKeyDictionary()
        self.set_weights(network.travel_time_s if weights_s is None else weights_s)

    @property
    def weights_s(self) -> np.ndarray:
        """The current per-edge weights (read-only view)."""
        return self._weights_view

    def set_weights(self, weights_s: np.ndarray) -> None:
        """Replace the per-edge weights and invalidate cached trees."""
        weights = np.array(weights_s, dtype=np.float64)  # owned copy: callers may mutate theirs
        if weights.shape != (self.network.n_edges,):
            raise NetworkError(
                f"weights must have one value per edge ({self.network.n_edges}), "
                f"got shape {weights.shape}"
            )
        _check_weights(weights)
        old = getattr(self, "_weights", None)
        if old is None:
            self.version = self._faster_version = self.version + 1
            self._edge_version[:] = self._edge_faster_version[:] = self.version
        else:
            changed = np.flatnonzero(weights != old)  # inf == inf: still closed is unchanged
            self._changed(changed, weights[changed] < old[changed])
        self._install(weights)

    def update_weights(self, edges: np.ndarray, weights_s: np.ndarray) -> None:
        """Set the weights of ``edges`` only, as :meth:`set_weights` would (no-op if equal)."""
        edges = np.asarray(edges, dtype=np.int64)
        values = np.asarray(weights_s, dtype=np.float64)
        _check_weights(values)
        old = self._weights[edges]
        changed = values != old
        if not changed.any():
            return
        weights = self._weights.copy()
        weights[edges] = values
        self._changed(edges[changed], values[changed] < old[changed])
        self._install(weights)

    def _changed(self, edges: np.ndarray, faster: np.ndarray) -> None:
        """Bump the version: ``edges`` changed weight, those where ``faster`` got faster."""
        self.version += 1
        self._edge_version[edges] = self.version
        if faster.any():
            self._edge_faster_version[edges[faster]] = self.version
            self._faster_version = self.version

    def _install(self, weights: np.ndarray) -> None:
        self._weights = weights
        self._weights_view = weights.view()  # made once per change: read at every link
        self._weights_view.flags.writeable = False
        self._forward = self._backward = None  # built when a tree needs them
        self._cache.clear()

    def faster_since(self, version: int) -> bool:
        """Whether any edge got faster (or reopened) after ``version``.

        If not, a node that could reach no source then still cannot (nor any sooner).
        """
        return self._faster_version > version

    def close_edges(self, edges: np.ndarray) -> None:
        """Close the given edges (weight ``inf``)."""
        weights = self._weights.copy()
        weights[np.asarray(edges, dtype=np.int64)] = np.inf
        self.set_weights(weights)

    def slow_edges(self, edges: np.ndarray, factor: float | np.ndarray) -> None:
        """Multiply the weights of ``edges`` by ``factor`` (> 1 slows them down)."""
        weights = self._weights.copy()
        weights[np.asarray(edges, dtype=np.int64)] *= factor
        self.set_weights(weights)

    def _matrix(self, reverse: bool):
        if not reverse:
            if self._forward is None:
                self._forward = self.network.csr(self._weights)
            return self._forward
        if self._backward is None:
            self._backward = self.network.reverse_csr(self._weights)
        return self._backward

    def tree(
        self, sources: np.ndarray, *, reverse: bool = False, limit_s: float = np.inf
    ) -> ShortestPathTree:
        """Multi-source shortest-path tree to or from the nearest of ``sources``.

        Parameters
        ----------
        sources
            Node indices (duplicates allowed).
        reverse
            False: times from the sources; True: times to the sources.
        limit_s
            Stop growing the tree beyond this time; farther nodes are ``inf``.
        """
        sources = self._check_sources(sources)
        key = (sources.tobytes(), reverse, float(limit_s), self.version)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        time_s, predecessor, source = csgraph.dijkstra(
            self._matrix(reverse),
            directed=True,
            indices=sources,
            return_predecessors=True,
            min_only=True,
            limit=limit_s,
        )
        tree = ShortestPathTree(
            time_s=time_s, predecessor=predecessor, source=source, reverse=reverse, limit_s=limit_s
        )
        return self._remember(key, tree)

    def tree_for(
        self,
        sources: np.ndarray,
        node: int,
        *,
        reverse: bool = False,
        limit_s: float = np.inf,
        family: str | None = None,
        bounded: bool = False,
    ) -> ShortestPathTree:
        """Return a tree that is exact for ``node``: its time, nearest source and path.

        As :meth:`tree`, but an older tree of the same ``family`` (default: the same
        sources) is returned when it still holds for ``node`` (see the module
        docstring; a family's sources may shrink, e.g. shelters that filled up). Use
        only its values at ``node``; elsewhere they may be out of date or beyond its
        limit. ``bounded``: grow it only as far as ``node`` needs
        (:func:`sim.network.reach.grow_enough`), for trees seldom asked about again.
        """
        sources = self._check_sources(sources)
        base = (family if family is not None else sources.tobytes(), reverse, float(limit_s))
        latest = self._latest.get(base)
        if latest is not None and self._holds_for(latest, sources, node):
            self._latest.move_to_end(base)
            return latest.tree
        mask = np.zeros(self.network.n_nodes, dtype=bool)
        mask[sources] = True
        tree = None
        if latest is not None and latest.version == self.version and limit_s == np.inf:
            tree = self._without(latest, sources, mask, reverse)
        if tree is None and bounded and limit_s == np.inf:
            least_s = self._least_time_s(node, sources)
            grow = functools.partial(self.tree, sources, reverse=reverse)
            tree = grow_enough(grow, node, least_s, self.network, self._weights)
        if tree is None:
            tree = self.tree(sources, reverse=reverse, limit_s=limit_s)
        self._latest[base] = _Latest(
            version=self.version, sources=mask, tree=tree, given=sources.tobytes(), limit_s=limit_s
        )
        self._latest.move_to_end(base)
        if len(self._latest) > self._cache_size:
            self._latest.popitem(last=False)
        return tree

    def _without(
        self, latest: _Latest, sources: np.ndarray, mask: np.ndarray, reverse: bool
    ) -> ShortestPathTree | None:
        """Return the latest tree without the sources that left (:mod:`sim.network.repair`).

        The tree cached for these sources if there is one; else None when a source was
        added or the cells that left are most of the map: then a fresh tree is grown.
        """
        key = (sources.tobytes(), reverse, np.inf, self.version)
        hit = self._cache.get(key)
        if hit is not None or latest.cut_short or (~latest.sources[sources]).any():
            return hit
        tree = without_sources(self.network, self._weights, latest.tree, latest.sources & ~mask)
        return None if tree is None else self._remember(key, tree)

    def _remember(self, key: tuple, tree: ShortestPathTree) -> ShortestPathTree:
        self._cache[key] = tree
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return tree

    def _holds_for(self, latest: _Latest, sources: np.ndarray, node: int) -> bool:
        """Whether the older tree ``latest`` is still exact for ``node``."""
        tree = latest.tree
        time_s = tree.time_s[node]
        if latest.cut_short and not time_s <= tree.limit_s:
            return False  # beyond the limit it was grown to: farther, or cut off
        same = sources.tobytes() == latest.given
        if same and latest.version == self.version:
            return True  # the very tree a fresh call would grow
        if not same:
            new = sources[~latest.sources[sources]]
            if new.size and not time_s < self._least_time_s(node, new):
                return False  # a new source: it may be nearer
        if time_s > self._faster_bound_s(latest):
            return False  # a link that got faster may give a shorter path (or any path)
        if not np.isfinite(time_s):
            return True  # unreachable then, and still: no faster link leads anywhere
        nodes, edges = self._path(tree, node)
        end = nodes[-1] if tree.reverse else nodes[0]
        if not same and not np.any(sources == end):
            return False  # its nearest source is gone
        if latest.version == self.version or nodes.size < 2:
            return True
        return bool((self._edge_version[edges] <= latest.version).all())

    def path_edges(self, tree: ShortestPathTree, node: int) -> np.ndarray:
        """Edges of ``tree``'s path through ``node`` in travel order (read-only).

        Traced once per tree and node: the households of one node share the tree and
        its path, and :meth:`tree_for` has usually traced it already.
        """
        return self._path(tree, node)[1]

    def _path(self, tree: ShortestPathTree, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Nodes and edges of ``tree``'s path through ``node`` (cached while the tree lives)."""
        paths = self._paths.get(tree)
        if paths is None:
            paths = self._paths[tree] = {}
        hit = paths.get(node)
        if hit is None:
            nodes = tree.path(node)
            edges = path_edges(self.network, nodes)
            nodes.flags.writeable = edges.flags.writeable = False
            hit = paths[node] = (nodes, edges)
        return hit

    def _least_time_s(self, node: int, others: np.ndarray) -> float:
        """Return a lower bound on the time between ``node`` and the nearest ``others``."""
        return self._least.time_s(node, others, self._weights, self.version)

    def _faster_bound_s(self, latest: _Latest) -> float:
        """Least time of a path using a link that got faster since ``latest`` was grown."""
        if latest.bound_version != self.version:
            faster = np.flatnonzero(self._edge_faster_version > latest.version)
            bound = np.inf
            if faster.size:
                tree, net = latest.tree, self.network
                # the part of a new path beyond (reverse) or before (forward) its last or
                # first faster link that is a shortcut runs on links that are not
                near, far = (net.edge_target, net.edge_source)[:: 1 if tree.reverse else -1]
                via = self._weights[faster] + tree.time_s[near[faster]]
                shortcut = via < tree.time_s[far[faster]]
                bound = float(via[shortcut].min()) if shortcut.any() else np.inf
            latest.bound_version, latest.bound_s = self.version, bound
        return latest.bound_s

    def nearest_time_s(
        self, sources: np.ndarray, *, reverse: bool = False, limit_s: float = np.inf
    ) -> np.ndarray:
        """Travel time from (or to, when ``reverse``) the nearest source for every node."""
        sources = self._check_sources(sources)
        return csgraph.dijkstra(
            self._matrix(reverse), directed=True, indices=sources, min_only=True, limit=limit_s
        )

    def matrix_s(
        self, sources: np.ndarray, *, reverse: bool = False, limit_s: float = np.inf
    ) -> np.ndarray:
        """Travel times, one row per source, one column per node (``inf`` beyond ``limit_s``)."""
        sources = self._check_sources(sources)
        return csgraph.dijkstra(
            self._matrix(reverse), directed=True, indices=sources, limit=limit_s
        )

    def route(self, origin: int, target: int) -> tuple[np.ndarray, float]:
        """Fastest node sequence from ``origin`` to ``target`` and its time (s)."""
        tree = self.tree(np.array([origin]))
        if not np.isfinite(tree.time_s[target]):
            raise NetworkError(f"no route from node {origin} to node {target}")
        return tree.path(target), float(tree.time_s[target])

    def _check_sources(self, sources: np.ndarray) -> np.ndarray:
        if self._checked.get(id(sources)) is sources:
            return sources  # a read-only array of node indices checked before
        given = sources
        sources = np.atleast_1d(np.asarray(sources, dtype=np.int32))
        if sources.size == 0:
            raise NetworkError("no source nodes given; routing needs at least one")
        if sources.min() < 0 or sources.max() >= self.network.n_nodes:
            raise NetworkError(
                f"source node out of range 0..{self.network.n_nodes - 1}: "
                f"{sources[(sources < 0) | (sources >= self.network.n_nodes)][:5].tolist()}"
            )
        if sources is given and not sources.flags.writeable:
            self._checked[id(sources)] = sources
        return sources


def _check_weights(weights: np.ndarray) -> None:
    if np.any(np.isnan(weights)) or np.any(weights < 0):
        raise NetworkError("edge weights must be >= 0 (use np.inf to close an edge)")


def path_edges(network: RoadNetwork, nodes: np.ndarray) -> np.ndarray:
    """Return the edge indices along a node path, in travel order."""
    nodes = np.asarray(nodes, dtype=np.int64)
    return network.edge_ids(nodes[:-1], nodes[1:])
