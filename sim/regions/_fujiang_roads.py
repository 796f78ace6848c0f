"""The road layers of the Fujiang region, from expressway to farm tracks.

:func:`build_roads` returns a :class:`Layout` with the undirected graph and the
settlements it was built around; :mod:`sim.regions.fujiang` cleans and compiles it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.regions._fujiang_geo import (
    S_BRIDGES,
    S_EXPRESSWAY,
    S_RURAL,
    S_SEATS,
    S_TOWNS,
    S_TRACKS,
    S_TRUNK,
    S_VILLAGES,
    SEAT_CENTRES,
    WIDTH_M,
    River,
    resample,
    side_of_border,
)
from sim.regions._fujiang_net import (
    K_BRIDGE,
    K_MOTORWAY,
    K_RAMP,
    K_RURAL,
    K_SEAT,
    K_TOWN,
    K_TRUNK,
    LINK,
    MOTORWAY,
    PRIMARY,
    SECONDARY,
    Builder,
    delaunay_edges,
    grid,
    inside,
    mst_mask,
    nearest,
    place_points,
)
from sim.regions._fujiang_rural import rural, tracks, villages

SEAT_RADIUS_M = 2_000.0
TOWN_RADIUS_M = 700.0


@dataclass
class Layout:
    """An undirected road graph and the settlements it was built around."""

    net: Builder
    centres: np.ndarray  # (s, 2) settlement centres; 0, 1 = seats, then towns, then villages
    kinds: list[str]  # "county_seat" / "town" / "village" per settlement
    radius: np.ndarray  # settlement radius, metres
    motorway_xy: np.ndarray


def _expressway(rng: np.random.Generator, river: River) -> np.ndarray:
    """Expressway shape nodes west→east, with a gap over the river (one crossing)."""
    for _ in range(50):
        y0, y1 = rng.uniform(18_500, 23_500), rng.uniform(17_000, 21_500)
        lam = rng.uniform(18e3, 40e3, 2)
        amp = rng.uniform(400, 1_300, 2)
        ph = rng.uniform(0, 2 * np.pi, 2)
        x = np.arange(0.0, WIDTH_M + 1.0, 25.0)
        y = y0 + (y1 - y0) * x / WIDTH_M
        y += (amp * np.sin(2 * np.pi * x[:, None] / lam + ph)).sum(axis=1)
        shape, s = resample(np.column_stack([x, y]), 25.0)
        if np.hypot(*(shape[:, None] - SEAT_CENTRES).transpose(2, 0, 1)).min() < 3_500:
            continue
        d, _ = river.distance(shape)
        bank = river.bank(shape)
        flips = np.flatnonzero(np.diff(bank) != 0)
        if len(flips) != 1:
            continue
        k = flips[0]
        lo = k - np.argmax(d[k::-1] >= 180.0)
        hi = k + 1 + np.argmax(d[k + 1 :] >= 180.0)
        far = np.ones(len(d), dtype=bool)
        far[lo : hi + 1] = False
        if d[far].min() < 180.0 or s[hi] - s[lo] > 1_200:
            continue
        left = s[lo] - np.arange(0.0, s[lo], 400.0)
        right = s[hi] + np.arange(0.0, s[-1] - s[hi], 400.0)
        ss = np.unique(np.concatenate([[0.0], left, right, [s[-1]]]))
        ss = ss[(np.diff(ss, prepend=-1e9) > 150.0) | (ss == s[hi])]
        return np.column_stack([np.interp(ss, s, shape[:, 0]), np.interp(ss, s, shape[:, 1])])
    raise RuntimeError("could not route the expressway")  # pragma: no cover


def _seats(net: Builder, rng: np.random.Generator, river: River) -> list[np.ndarray]:
    """Street grids of the two county seats, each with two bridges over the river."""
    ids = []
    for k, c in enumerate(SEAT_CENTRES):
        spacing = rng.uniform(90, 115)
        g, ij = grid(
            net,
            rng,
            c,
            radius=SEAT_RADIUS_M * rng.uniform(0.9, 1.05),
            spacing=spacing,
            river=river,
            kind=K_SEAT,
            settle=k,
            holes=int(rng.integers(5, 9)),
            oneway_core=0.55,
        )
        for u, v in _grid_bridges(net, river, g, ij, spacing):
            net.add_links(u, v, PRIMARY, bridge=True)
        ids.append(g)
    return ids


def _grid_bridges(
    net: Builder, river: River, ids: np.ndarray, ij: np.ndarray, spacing: float
) -> list[tuple[int, int]]:
    """Up to two bridges continuing grid streets across the river, ≥ 800 m apart.

    The first prefers a main street; both prefer the shortest span.
    """
    xy = net.xy
    bank = river.bank(xy[ids])
    cand = []
    for axis in (0, 1):
        line, pos = ij[:, 1 - axis], ij[:, axis]
        o = np.lexsort((pos, line))
        k = np.flatnonzero((line[o][1:] == line[o][:-1]) & (bank[o][1:] != bank[o][:-1]))
        gap = (pos[o][k + 1] - pos[o][k]) * spacing
        cand.append(np.column_stack([ids[o][k], ids[o][k + 1], gap, line[o][k] % 10 != 0]))
    c = np.concatenate(cand)
    once = river.crossings(xy[c[:, 0].astype(int)], xy[c[:, 1].astype(int)]) == 1
    c = c[(c[:, 2] <= 450) & once]
    if len(c) == 0:
        return []
    first = c[np.lexsort((c[:, 2], c[:, 3]))[0]]
    mid = (xy[c[:, 0].astype(int)] + xy[c[:, 1].astype(int)]) / 2
    mid0 = (xy[int(first[0])] + xy[int(first[1])]) / 2
    far = c[np.hypot(*(mid - mid0).T) >= 800]
    pairs = [first] + ([far[np.argmin(far[:, 2])]] if len(far) else [])
    return [(int(p[0]), int(p[1])) for p in pairs]


def _bridges(net: Builder, rng: np.random.Generator, river: River, avoid: np.ndarray) -> np.ndarray:
    """One or two rural bridges away from the seats and ``avoid``; returns their end ids."""
    s_seat = river.distance(SEAT_CENTRES)[1]
    ends: list[np.ndarray] = []
    want = int(rng.integers(1, 3))
    d_avoid, s_avoid = river.distance(avoid)
    s_avoid = np.append(s_seat, s_avoid[np.argmin(d_avoid)])
    for s in rng.permutation(np.arange(4_000.0, river.length_m - 4_000.0, 500.0)):
        p = np.array([np.interp(s, river.dense_s, river.dense[:, i]) for i in (0, 1)])
        if not inside(p, 3_000.0)[0] or np.abs(s_avoid - s).min() < 7_000:
            continue
        k = np.searchsorted(river.dense_s, s)
        t = river.dense[min(k + 3, len(river.dense) - 1)] - river.dense[max(k - 3, 0)]
        n = np.array([-t[1], t[0]]) / np.hypot(*t)
        half = rng.uniform(120, 180)
        pq = np.array([p + half * n, p - half * n])
        if river.distance(pq)[0].min() < 100 or river.crossings(pq[0], pq[1])[0] != 1:
            continue
        ids = net.add_nodes(pq, K_BRIDGE)
        net.add_links(ids[0], ids[1], SECONDARY, bridge=True)
        ends.append(ids)
        s_avoid = np.append(s_avoid, s)
        if len(ends) == want:
            break
    return np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64)


def _towns(
    net: Builder, rng: np.random.Generator, river: River, border: np.ndarray, motorway: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    n_towns = int(rng.integers(8, 12))
    centres = SEAT_CENTRES.copy()
    for side in (0, 1):
        want = n_towns // 2 + (n_towns % 2) * side

        def ok(xy: np.ndarray, side: int = side) -> np.ndarray:
            bx = np.interp(xy[:, 1], border[:, 1], border[:, 0])
            far_seat = np.hypot(*(xy[:, None] - SEAT_CENTRES).transpose(2, 0, 1)).min(axis=1)
            return (
                (side_of_border(border, xy) == side)
                & (np.abs(xy[:, 0] - bx) > 1_500)
                & (river.distance(xy)[0] > 1_400)
                & (nearest(motorway, xy)[0] > 1_400)
                & (far_seat > 7_500)
            )

        new = place_points(rng, want, ok, 6_500.0, centres, margin=2_500.0)
        centres = np.vstack([centres, new])
    town_ids = []
    for k in range(2, len(centres)):
        town_ids.append(
            grid(
                net,
                rng,
                centres[k],
                radius=TOWN_RADIUS_M * rng.uniform(0.8, 1.15),
                spacing=rng.uniform(90, 115),
                river=river,
                kind=K_TOWN,
                settle=k,
                holes=int(rng.integers(0, 3)),
            )[0]
        )
    return centres[2:], town_ids


def _trunk(
    net: Builder,
    rng: np.random.Generator,
    river: River,
    grids: list[np.ndarray],
    n_seats: int,
    bridge_ends: np.ndarray,
) -> None:
    """Primary/secondary roads: per bank, an MST over seats, towns and bridge ends plus loops."""
    xy = net.xy
    for bank in (0, 1):
        groups: list[np.ndarray] = []
        is_seat: list[bool] = []
        for k, ids in enumerate(grids):
            sub = ids[river.bank(xy[ids]) == bank]
            if len(sub):
                groups.append(sub)
                is_seat.append(k < n_seats)
        for e in bridge_ends[river.bank(xy[bridge_ends]) == bank] if len(bridge_ends) else []:
            groups.append(np.array([e]))
            is_seat.append(False)
        if len(groups) < 2:
            continue
        proxy = np.array([xy[g].mean(axis=0) for g in groups])
        edges = delaunay_edges(proxy)
        edges = edges[river.crossings(proxy[edges[:, 0]], proxy[edges[:, 1]]) == 0]
        length = np.hypot(*(proxy[edges[:, 0]] - proxy[edges[:, 1]]).T)
        tree = mst_mask(len(groups), edges, length)
        extra = (~tree) & (length < 14_000) & (rng.random(len(edges)) < 0.35)
        edges = edges[tree | extra]
        a, b, cls = [], [], []
        for i, j in edges:
            gi, gj = groups[i], groups[j]
            u = gi[np.argmin(np.hypot(*(xy[gi] - proxy[j]).T))]
            v = gj[np.argmin(np.hypot(*(xy[gj] - xy[u]).T))]
            u = gi[np.argmin(np.hypot(*(xy[gi] - xy[v]).T))]
            a.append(u)
            b.append(v)
            cls.append(PRIMARY if is_seat[i] or is_seat[j] else SECONDARY)
        a, b, cls = np.array(a), np.array(b), np.array(cls)
        good = river.crossings(xy[a], xy[b]) == 0
        speed = np.where((cls == PRIMARY) & (rng.random(len(a)) < 0.4), 60.0, np.nan)
        net.road(
            a[good], b[good], cls[good], rng,
            step=220.0, frac=0.035, river=river, kind=K_TRUNK, speed=speed[good], max_amp=900.0,
        )  # fmt: skip


def _motorway(net: Builder, rng: np.random.Generator, river: River, shape: np.ndarray) -> None:
    """Add the expressway chain, 3–5 interchanges and their ramps."""
    ids = net.add_nodes(shape, K_MOTORWAY)
    u, v = ids[:-1], ids[1:]
    bridge = river.crossings(shape[:-1], shape[1:]) > 0
    net.add_links(u[~bridge], v[~bridge], MOTORWAY, speed=100.0)
    net.add_links(u[bridge], v[bridge], MOTORWAY, speed=100.0, bridge=True)
    kind = net.kind()
    targets = np.flatnonzero(np.isin(kind, [K_TRUNK, K_SEAT, K_TOWN]))
    t_bank = river.bank(net.xy[targets])
    m_bank = river.bank(shape)
    s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(shape, axis=0).T))])
    s_bridge = s[np.flatnonzero(bridge)[0]]
    dist = np.full(len(ids), np.inf)
    tgt = np.zeros(len(ids), dtype=np.int64)
    for b in (0, 1):
        on = m_bank == b
        d, j = nearest(net.xy[targets[t_bank == b]], shape[on])
        dist[on], tgt[on] = d, targets[t_bank == b][j]
    ok = (s > 3_000) & (s < s[-1] - 3_000) & (np.abs(s - s_bridge) > 2_000)
    dist[~ok] = np.inf
    n_ic = int(rng.integers(3, 6))
    chosen: list[int] = []
    for b in (0, 1):  # the best interchange on each bank first
        cand = np.flatnonzero(m_bank == b)
        chosen.append(int(cand[np.argmin(dist[cand])]))
    for k in np.argsort(dist + rng.uniform(0, 1_500, len(dist)), kind="stable"):
        if len(chosen) >= n_ic or not np.isfinite(dist[k]):
            break
        if np.abs(s[chosen] - s[k]).min() >= 8_000:
            chosen.append(int(k))
    chosen_a = np.array(chosen)
    chosen_a = chosen_a[river.crossings(shape[chosen_a], net.xy[tgt[chosen_a]]) == 0]
    # A short slip road (motorway_link) to a junction, then a connector road to the target.
    p, q = shape[chosen_a], net.xy[tgt[chosen_a]]
    length = np.hypot(*(q - p).T)
    t = np.minimum(rng.uniform(400, 700, len(p)) / np.maximum(length, 1.0), 0.5)
    junction = net.add_nodes(p + t[:, None] * (q - p), K_TRUNK)
    net.road(ids[chosen_a], junction, LINK, rng, step=150.0, frac=0.02, river=river, kind=K_RAMP)
    net.road(
        junction, tgt[chosen_a], SECONDARY, rng, step=200.0, frac=0.035, river=river, kind=K_TRUNK
    )


def build_roads(rngs: list[np.random.Generator], river: River, border: np.ndarray) -> Layout:
    """All road layers of the region.

    Parameters
    ----------
    rngs
        The region's random streams (see :func:`sim.regions._fujiang_geo.streams`).
    river, border
        Base geometry of the region.

    Returns
    -------
    Layout
    """
    net = Builder()
    seat_ids = _seats(net, rngs[S_SEATS], river)
    motorway = _expressway(rngs[S_EXPRESSWAY], river)
    town_xy, town_ids = _towns(net, rngs[S_TOWNS], river, border, motorway)
    bridge_ends = _bridges(net, rngs[S_BRIDGES], river, motorway)
    grids = seat_ids + town_ids
    _trunk(net, rngs[S_TRUNK], river, grids, len(seat_ids), bridge_ends)
    _motorway(net, rngs[S_EXPRESSWAY], river, motorway)
    centres = np.vstack([SEAT_CENTRES, town_xy])
    radius = np.concatenate([[SEAT_RADIUS_M] * 2, [TOWN_RADIUS_M] * len(town_xy)])
    village_xy = villages(net, rngs[S_VILLAGES], river, centres, radius, motorway)
    rural(net, rngs[S_RURAL], river)
    n_rural = int((net.kind() == K_RURAL).sum())
    tracks(net, rngs[S_TRACKS], river, int(0.7 * n_rural))
    kinds = ["county_seat"] * 2 + ["town"] * len(town_xy) + ["village"] * len(village_xy)
    radius = np.concatenate([radius, np.full(len(village_xy), 250.0)])
    return Layout(net, np.vstack([centres, village_xy]), kinds, radius, motorway)
