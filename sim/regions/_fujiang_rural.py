"""The rural road layers of the Fujiang region: village lanes, winding rural roads, tracks.

Helpers of :func:`sim.regions._fujiang_roads.build_roads`.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

from sim.regions._fujiang_geo import WIDTH_M, River
from sim.regions._fujiang_net import (
    K_BRIDGE,
    K_HAMLET,
    K_RURAL,
    K_SEAT,
    K_TOWN,
    K_TRACK,
    K_TRUNK,
    K_VILLAGE,
    TERTIARY,
    TRACK,
    UNCLASSIFIED,
    Builder,
    delaunay_edges,
    inside,
    mst_mask,
    nearest,
    subtree_sizes,
)


def villages(
    net: Builder,
    rng: np.random.Generator,
    river: River,
    centres: np.ndarray,
    radius: np.ndarray,
    motorway: np.ndarray,
) -> np.ndarray:
    """Jittered-grid village centres, each with a small cluster of lanes; returns centres."""
    cell = 1_900.0
    gx, gy = np.meshgrid(np.arange(cell / 2, WIDTH_M, cell), np.arange(cell / 2, 45_000.0, cell))
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts += rng.uniform(-0.36, 0.36, pts.shape) * cell
    keep = rng.random(len(pts)) < 0.9
    keep &= inside(pts, 700.0) & (river.distance(pts)[0] > 550) & (nearest(motorway, pts)[0] > 600)
    d = np.hypot(*(pts[:, None] - centres).transpose(2, 0, 1)) - radius
    keep &= d.min(axis=1) > 900
    pts = pts[keep]
    first = len(centres)
    for k, c in enumerate(pts):
        m = int(rng.integers(3, 11))
        ang = rng.uniform(0, 2 * np.pi, m)
        rad = rng.uniform(70, 240, m)
        xy = np.vstack([c, c + rad[:, None] * np.column_stack([np.cos(ang), np.sin(ang)])])
        ids = net.add_nodes(xy, K_VILLAGE, first + k)
        full = np.column_stack(np.triu_indices(m + 1, 1))
        length = np.hypot(*(xy[full[:, 0]] - xy[full[:, 1]]).T)
        tree = mst_mask(m + 1, full, length)
        if m >= 4 and rng.random() < 0.3:
            tree[np.argmin(np.where(tree, np.inf, length))] = True
        net.add_links(ids[full[tree, 0]], ids[full[tree, 1]], UNCLASSIFIED)
    return pts


def rural(net: Builder, rng: np.random.Generator, river: River) -> None:
    """Winding rural roads: per bank, an MST hooking villages onto the trunk network."""
    kind, settle, xy = net.kind(), net.settle(), net.xy
    village_centre = np.zeros(net.n, dtype=bool)
    vk = np.flatnonzero(kind == K_VILLAGE)
    _, first = np.unique(settle[vk], return_index=True)
    village_centre[vk[first]] = True
    network = np.isin(kind, [K_TRUNK, K_BRIDGE])
    perim = np.zeros(net.n, dtype=bool)
    u, v, *_ = net.links()
    deg = np.bincount(np.concatenate([u, v]), minlength=net.n)
    perim[(np.isin(kind, [K_SEAT, K_TOWN])) & (deg < 4)] = True
    anchors = np.flatnonzero(village_centre | network | perim)
    a_bank = river.bank(xy[anchors])
    for bank in (0, 1):
        ids = anchors[a_bank == bank]
        pts = xy[ids]
        edges = delaunay_edges(pts)
        edges = edges[river.crossings(pts[edges[:, 0]], pts[edges[:, 1]]) == 0]
        length = np.hypot(*(pts[edges[:, 0]] - pts[edges[:, 1]]).T)
        is_v = village_centre[ids]
        rural = is_v[edges[:, 0]] | is_v[edges[:, 1]]
        tree = mst_mask(len(ids), edges, np.where(rural, length, 1e-6))
        both = is_v[edges[:, 0]] & is_v[edges[:, 1]]
        extra = (~tree) & both & (length < 2_600) & (rng.random(len(edges)) < 0.3)
        t_edges = edges[tree & rural]
        size = subtree_sizes(len(ids), t_edges, np.flatnonzero(~is_v), is_v)
        cls = np.where(size >= 3, TERTIARY, UNCLASSIFIED)
        e = np.concatenate([t_edges, edges[extra]])
        cls = np.concatenate([cls, np.full(extra.sum(), UNCLASSIFIED)])
        step = rng.uniform(100, 200, len(e))
        for lo, hi in ((100, 135), (135, 170), (170, 201)):
            sel = (step >= lo) & (step < hi)
            net.road(
                ids[e[sel, 0]], ids[e[sel, 1]], cls[sel], rng,
                step=(lo + hi) / 2, frac=0.07, river=river, kind=K_RURAL, max_amp=500.0,
            )  # fmt: skip


def tracks(net: Builder, rng: np.random.Generator, river: River, n_tracks: int) -> None:
    """Dead-end farm tracks to hamlets, with some side branches."""
    u, v, *_ = net.links()
    for generation, (kinds, n, lo, hi) in enumerate(
        [((K_RURAL, K_VILLAGE), n_tracks, 300.0, 1_500.0), ((K_TRACK,), n_tracks // 4, 200, 700)]
    ):
        kind, xy = net.kind(), net.xy
        start = rng.choice(np.flatnonzero(np.isin(kind, kinds)), size=n, replace=True)
        ang = rng.uniform(0, 2 * np.pi, n)
        length = rng.uniform(lo, hi, n)
        end = xy[start] + length[:, None] * np.column_stack([np.cos(ang), np.sin(ang)])
        ok = inside(end, 150.0) & (river.distance(end)[0] > 150.0)
        ok &= cKDTree(xy).query(end)[0] > 200.0
        ok &= river.crossings(xy[start], end) == 0
        lines = shapely.linestrings(np.stack([xy[start], end], axis=1))
        roads = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
        hit = shapely.STRtree(roads).query(lines, predicate="crosses")
        ok[hit[0]] = False
        self_hit = shapely.STRtree(lines).query(lines, predicate="intersects")
        bad = (self_hit[0] > self_hit[1]) & ok[self_hit[0]] & ok[self_hit[1]]
        ok[self_hit[0][bad]] = False
        start, end = start[ok], end[ok]
        hamlets = net.add_nodes(end, K_HAMLET)
        net.road(
            start, hamlets, TRACK, rng,
            step=150.0 if generation == 0 else 120.0, frac=0.12, river=river, kind=K_TRACK,
            max_amp=250.0,
        )  # fmt: skip
        u, v, *_ = net.links()
