"""Road layers of the synthetic Fujiang region, assembled into one undirected graph.

The builder collects nodes (with a kind and a settlement label) and undirected road
links (with a class, a one-way flag and a bridge flag). :mod:`sim.regions.fujiang`
cleans the graph (river clearance, per-bank connectivity, strong connectivity) and
expands it into directed edges.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree

from sim.regions._fujiang_geo import HEIGHT_M, WIDTH_M, River, wiggle_paths

#: Road classes, indexed by the integer codes used while building.
CLASSES = (
    "motorway",
    "motorway_link",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "track",
)
MOTORWAY, LINK, PRIMARY, SECONDARY, TERTIARY, UNCLASSIFIED, RESIDENTIAL, TRACK = range(8)
#: Node kinds.
KINDS = (
    "seat", "town", "village", "hamlet", "rural", "trunk", "bridge", "motorway", "track", "ramp",
)  # fmt: skip
K_SEAT, K_TOWN, K_VILLAGE, K_HAMLET, K_RURAL, K_TRUNK, K_BRIDGE, K_MOTORWAY, K_TRACK = range(9)
K_RAMP = 9


class Builder:
    """Growing lists of nodes and undirected links."""

    def __init__(self) -> None:
        self._xy: list[np.ndarray] = []
        self._kind: list[np.ndarray] = []
        self._settle: list[np.ndarray] = []
        self._links: list[tuple[np.ndarray, ...]] = []
        self.n = 0
        self._cache: np.ndarray | None = None

    def add_nodes(self, xy: np.ndarray, kind: int, settle: int | np.ndarray = -1) -> np.ndarray:
        """Append nodes; return their ids."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        m = len(xy)
        self._xy.append(xy)
        self._kind.append(np.full(m, kind, dtype=np.int8))
        self._settle.append(np.broadcast_to(np.asarray(settle, dtype=np.int32), (m,)).copy())
        ids = np.arange(self.n, self.n + m)
        self.n += m
        self._cache = None
        return ids

    def add_links(
        self,
        u: np.ndarray,
        v: np.ndarray,
        cls: int | np.ndarray,
        *,
        oneway: bool | np.ndarray = False,
        bridge: bool = False,
        speed: float | np.ndarray = np.nan,
    ) -> None:
        """Append undirected links ``u—v`` (one-way links only run ``u→v``)."""
        u = np.asarray(u, dtype=np.int64).ravel()
        v = np.asarray(v, dtype=np.int64).ravel()
        m = len(u)

        def full(val: object, dtype: type) -> np.ndarray:
            return np.broadcast_to(np.asarray(val, dtype=dtype), (m,)).copy()

        self._links.append(
            (u, v, full(cls, np.int8), full(oneway, bool), full(bridge, bool), full(speed, float))
        )

    @property
    def xy(self) -> np.ndarray:
        """All node coordinates so far, ``(n, 2)``."""
        if self._cache is None:
            self._cache = np.concatenate(self._xy) if self._xy else np.zeros((0, 2))
        return self._cache

    def kind(self) -> np.ndarray:
        """Kind code of every node."""
        return np.concatenate(self._kind)

    def settle(self) -> np.ndarray:
        """Settlement label of every node (-1 for none)."""
        return np.concatenate(self._settle)

    def links(self) -> tuple[np.ndarray, ...]:
        """``(u, v, cls, oneway, bridge, speed)`` of every link."""
        return tuple(np.concatenate(col) for col in zip(*self._links, strict=True))

    def road(
        self,
        a: np.ndarray,
        b: np.ndarray,
        cls: int | np.ndarray,
        rng: np.random.Generator,
        *,
        step: float,
        frac: float,
        river: River,
        kind: int,
        speed: float | np.ndarray = np.nan,
        max_amp: float = 600.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Winding roads between existing nodes ``a[i]`` and ``b[i]``.

        Returns the ids of the new interior nodes and the road index of each.
        """
        a = np.asarray(a, dtype=np.int64).ravel()
        b = np.asarray(b, dtype=np.int64).ravel()
        m = len(a)
        if m == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        xy = self.xy
        pts, counts = wiggle_paths(
            xy[a], xy[b], rng, step=step, frac=frac, river=river, max_amp=max_amp
        )
        ids = self.add_nodes(pts, kind)
        road = np.repeat(np.arange(m), counts)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        is_first = np.zeros(len(ids), dtype=bool)
        is_first[first[counts > 0]] = True
        prev = np.where(is_first, a[road], ids - 1)
        last = np.where(counts > 0, ids[0] + np.cumsum(counts) - 1 if len(ids) else 0, a)
        cls = np.broadcast_to(np.asarray(cls), (m,))
        speed = np.broadcast_to(np.asarray(speed, dtype=float), (m,))
        self.add_links(
            np.concatenate([prev, last]),
            np.concatenate([ids, b]),
            np.concatenate([cls[road], cls]),
            speed=np.concatenate([speed[road], speed]),
        )
        return ids, road


def grid(
    net: Builder,
    rng: np.random.Generator,
    centre: np.ndarray,
    *,
    radius: float,
    spacing: float,
    river: River,
    kind: int,
    settle: int,
    holes: int,
    oneway_core: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Lay out a slightly rotated street grid with an organic outline and a few superblocks.

    Returns the ids of its nodes and their ``(i, j)`` grid indices. Every tenth street
    (through the centre) is ``secondary``, the others ``residential``; odd streets
    inside ``oneway_core * radius`` are one-way in alternating directions.
    """
    h = int(np.ceil(1.4 * radius / spacing))
    ii, jj = np.meshgrid(np.arange(-h, h + 1), np.arange(-h, h + 1), indexing="ij")
    theta = rng.uniform(-0.35, 0.35)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    loc = np.stack([ii, jj], axis=-1) * spacing
    xy = loc @ rot.T + centre
    r = np.hypot(loc[..., 0], loc[..., 1])
    phi = np.arctan2(loc[..., 1], loc[..., 0])
    a = rng.uniform(0, [0.15, 0.1, 0.06, 0.04])
    ph = rng.uniform(0, 2 * np.pi, 4)
    outline = radius * (1 + sum(a[k] * np.cos((k + 1) * phi - ph[k]) for k in range(4)))
    keep = r <= outline
    made = 0
    while made < holes:  # superblocks: remove the nodes strictly inside a rectangle
        ci, cj = rng.integers(-h // 2, h // 2 + 1, size=2)
        wi, wj = rng.integers(2, 5, size=2)
        if any(c < 10 * np.ceil(c / 10) < c + w for c, w in ((ci, wi), (cj, wj))):
            continue  # never cut a main street
        keep &= ~((ii > ci) & (ii < ci + wi) & (jj > cj) & (jj < cj + wj))
        made += 1
    keep &= river.distance(xy.reshape(-1, 2))[0].reshape(keep.shape) >= 90.0
    idx = np.full(keep.shape, -1, dtype=np.int64)
    idx[keep] = net.add_nodes(xy[keep], kind, settle)
    core = r <= oneway_core * radius
    for axis in (0, 1):
        sl_a = (slice(None, -1), slice(None)) if axis == 0 else (slice(None), slice(None, -1))
        sl_b = (slice(1, None), slice(None)) if axis == 0 else (slice(None), slice(1, None))
        u, v = idx[sl_a], idx[sl_b]
        ok = (u >= 0) & (v >= 0)
        line = (jj if axis == 0 else ii)[sl_a]  # the street an edge belongs to
        cls = np.where(line % 10 == 0, SECONDARY, RESIDENTIAL)
        ow = ok & (line % 2 == 1) & core[sl_a] & core[sl_b]
        flip = ow & ((line // 2) % 2 == 1)
        uu, vv = np.where(flip, v, u), np.where(flip, u, v)
        net.add_links(uu[ok], vv[ok], cls[ok], oneway=ow[ok])
    return idx[keep], np.column_stack([ii[keep], jj[keep]])


def delaunay_edges(pts: np.ndarray) -> np.ndarray:
    """Return the unique undirected Delaunay edges ``(m, 2)`` (all pairs if < 4 points)."""
    n = len(pts)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    if n < 4:
        iu = np.triu_indices(n, 1)
        return np.column_stack(iu)
    tri = Delaunay(pts).simplices
    e = np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    e.sort(axis=1)
    return np.unique(e, axis=0)


def mst_mask(n: int, edges: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Return a mask of the edges that form a minimum spanning forest."""
    if len(edges) == 0:
        return np.zeros(0, dtype=bool)
    w = np.maximum(weight, 1e-6)
    g = coo_matrix((w, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    t = minimum_spanning_tree(g).tocoo()
    lo_t, hi_t = np.minimum(t.row, t.col).tolist(), np.maximum(t.row, t.col).tolist()
    chosen = set(zip(lo_t, hi_t, strict=True))
    lo, hi = edges.min(axis=1), edges.max(axis=1)
    return np.array([(a, b) in chosen for a, b in zip(lo.tolist(), hi.tolist(), strict=True)])


def subtree_sizes(n: int, edges: np.ndarray, roots: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """For tree edges hanging off ``roots``: the summed ``weight`` on each edge's far side.

    Edges that are not in the breadth-first tree get 0.
    """
    root = n
    r_edges = np.column_stack([np.full(len(roots), root), roots])
    all_e = np.concatenate([edges, r_edges]) if len(roots) else edges
    g = coo_matrix((np.ones(len(all_e)), (all_e[:, 0], all_e[:, 1])), shape=(n + 1, n + 1))
    order, pred = breadth_first_order(g.tocsr(), root, directed=False)
    size = np.append(weight.astype(float), 0.0)
    for v in order[::-1]:
        if pred[v] >= 0:
            size[pred[v]] += size[v]
    out = np.zeros(len(edges))
    a, b = edges[:, 0], edges[:, 1]
    out = np.where(pred[b] == a, size[b], out)
    return np.where(pred[a] == b, size[a], out)


def place_points(
    rng: np.random.Generator,
    n: int,
    ok: Callable[[np.ndarray], np.ndarray],
    min_gap: float,
    existing: np.ndarray,
    *,
    margin: float,
    tries: int = 4000,
) -> np.ndarray:
    """Greedy random placement of up to ``n`` points with ``ok(xy)`` and a minimum gap."""
    x = rng.uniform(margin, WIDTH_M - margin, tries)
    cand = np.column_stack([x, rng.uniform(margin, HEIGHT_M - margin, tries)])
    cand = cand[ok(cand)]
    chosen: list[np.ndarray] = []
    for c in cand:
        pts = np.vstack([existing, *chosen]) if (len(existing) or chosen) else np.zeros((0, 2))
        if len(pts) == 0 or np.hypot(*(pts - c).T).min() >= min_gap:
            chosen.append(c)
            if len(chosen) == n:
                break
    return np.array(chosen).reshape(-1, 2)


def nearest(tree_pts: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to and index of the nearest of ``tree_pts`` for each query point."""
    return cKDTree(tree_pts).query(np.asarray(query).reshape(-1, 2))


def inside(xy: np.ndarray, margin: float) -> np.ndarray:
    """Whether points are inside the region shrunk by ``margin``."""
    xy = np.asarray(xy).reshape(-1, 2)
    return (
        (xy[:, 0] >= margin)
        & (xy[:, 0] <= WIDTH_M - margin)
        & (xy[:, 1] >= margin)
        & (xy[:, 1] <= HEIGHT_M - margin)
    )
