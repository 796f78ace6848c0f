"""Population, shelters, stations, depots and gas wells of the Fujiang region.

All functions take the *final* (cleaned, renumbered) node arrays in local metres and
return tables whose coordinates are still local; :mod:`sim.regions.fujiang` shifts
the ``x_m``/``y_m`` columns to UTM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import cKDTree

from sim.regions._fujiang_geo import HEIGHT_M, WIDTH_M, River

WEST_TOWNS = ("Baima", "Longfeng", "Hexing", "Yongxing", "Xinqiao", "Tangfu", "Guixing", "Sanfeng")
EAST_TOWNS = ("Guilin", "Baizi", "Chongkan", "Yuxi", "Taian", "Longxing", "Mixin", "Wufu")
SEAT_NAMES = ("Suining", "Tongnan")
_SURNAME_TEXT = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo Liang "
    "Song Zheng Xie Han Tang Feng Yu Dong Xiao Cheng Cao Yuan Deng Fu Shen Zeng Peng Su Lu "
    "Jiang Cai Jia Ding Wei Xue Ye Yan Pan Du Dai Xia Zhong Tian Ren Fan Fang Shi Yao Tan Liao "
    "Zou Xiong Jin Hao Kong Bai Cui Kang Mao Qiu Qin Gu"
)
_SURNAMES = tuple(_SURNAME_TEXT.split())
_SUFFIXES = (
    "wan",
    "ba",
    "gou",
    "ling",
    "yan",
    "tang",
    "ping",
    "bao",
    "ao",
    "chong",
    "qiao",
    "miao",
)
_FIELDS = ("Moxi", "Gaoshiti", "Longnusi", "Penglai", "Baimiao")
#: Shares of the population living in the seats, the towns and the villages.
SHARES: Mapping[str, float] = MappingProxyType({"county_seat": 0.35, "town": 0.25, "village": 0.40})


@dataclass(frozen=True)
class Nodes:
    """Final node arrays (local metres) that the places are attached to."""

    xy: np.ndarray
    settle: np.ndarray  # settlement index or -1
    hamlet: np.ndarray  # bool: end of a farm track
    road_ok: np.ndarray  # bool: may host a place (not on the expressway or a ramp)
    elevation: np.ndarray
    above_river: np.ndarray  # elevation above the river bed nearest to the node
    jurisdiction: np.ndarray


def settlement_names(rng: np.random.Generator, kinds: list[str], side: np.ndarray) -> list[str]:
    """Seat, town and village names (unique; villages like ``"Wangjiawan"``)."""
    names: list[str] = []
    towns = [list(WEST_TOWNS), list(EAST_TOWNS)]
    combos = [f"{a}jia{b}" for a in _SURNAMES for b in _SUFFIXES]
    order = rng.permutation(len(combos))
    nv = 0
    for k, kind in enumerate(kinds):
        if kind == "county_seat":
            names.append(SEAT_NAMES[k])
        elif kind == "town":
            names.append(towns[side[k]].pop(0))
        else:
            extra = f" {nv // len(combos) + 1}" if nv >= len(combos) else ""
            names.append(combos[order[nv % len(combos)]] + extra)
            nv += 1
    return names


def members_of(settle: np.ndarray, n_s: int) -> list[np.ndarray]:
    """Node ids of each of ``n_s`` settlements, given each node's settlement label."""
    order = np.argsort(settle, kind="stable")
    bounds = np.searchsorted(settle[order], np.arange(n_s + 1))
    return [order[bounds[s] : bounds[s + 1]] for s in range(n_s)]


def population(
    rng: np.random.Generator,
    nodes: Nodes,
    centres: np.ndarray,
    kinds: list[str],
    radius: np.ndarray,
    total: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residents per settlement and per node.

    Returns ``(settlement_population, node_population, central_node)``; settlements
    without any node left get 0 people and central node -1.
    """
    n_s = len(kinds)
    settle = nodes.settle.copy()
    kind = np.array(kinds)
    villages = np.flatnonzero(kind == "village")
    if len(villages) and nodes.hamlet.any():  # hamlets belong to the nearest village
        h = np.flatnonzero(nodes.hamlet)
        d, j = cKDTree(centres[villages]).query(nodes.xy[h])
        settle[h] = np.where(d < 3_000, villages[j], -1)
    members = members_of(settle, n_s)
    present = np.array([len(m) > 0 for m in members])
    weight = np.zeros(n_s)
    for k, share in SHARES.items():
        sel = (kind == k) & present
        if k == "county_seat":
            w = np.array([0.55, 0.45])[sel[:2]] if sel[:2].any() else np.zeros(0)
        elif k == "town":
            w = rng.gamma(4.0, size=sel.sum())
        else:
            w = rng.lognormal(0.0, 0.45, size=sel.sum())
        if w.sum() > 0:
            weight[sel] = share * w / w.sum()
    pop_s = rng.multinomial(total, weight / weight.sum())
    node_pop = np.zeros(len(nodes.xy), dtype=np.int64)
    central = np.full(n_s, -1, dtype=np.int64)
    for s in np.flatnonzero(present):
        m = members[s]
        r = np.hypot(*(nodes.xy[m] - centres[s]).T)
        central[s] = m[np.argmin(r)]
        if kind[s] == "village":
            w = np.where(nodes.hamlet[m], 0.6, 1.0) + (m == central[s])
        else:
            w = np.exp(-((r / (0.5 * radius[s])) ** 2)) + 0.2
        node_pop[m] += rng.multinomial(pop_s[s], w / w.sum())
    return pop_s, node_pop, central


def _spread(rng: np.random.Generator, xy: np.ndarray, cand: np.ndarray, n: int) -> np.ndarray:
    """``n`` of the candidate indices spread out by farthest-point sampling."""
    n = min(n, len(cand))
    chosen = [int(cand[rng.integers(len(cand))])]
    d = np.hypot(*(xy[cand] - xy[chosen[0]]).T)
    while len(chosen) < n:
        k = int(np.argmax(d))
        chosen.append(int(cand[k]))
        d = np.minimum(d, np.hypot(*(xy[cand] - xy[cand[k]]).T))
    return np.array(chosen, dtype=np.int64)


def _pick_dry(rng: np.random.Generator, nodes: Nodes, members: np.ndarray, n: int) -> np.ndarray:
    """``n`` spread-out members, preferring nodes 8 m or more above the river."""
    m = members[nodes.road_ok[members]]
    if len(m) == 0:
        m = members
    dry = m[nodes.above_river[m] >= 8.0]
    if len(dry) >= n:
        return _spread(rng, nodes.xy, dry, n)
    highest = m[np.argsort(-nodes.above_river[m], kind="stable")]
    return _spread(rng, nodes.xy, highest[: 3 * n], n)


def places(
    rng: np.random.Generator,
    nodes: Nodes,
    settlements: pd.DataFrame,
    members: list[np.ndarray],
    names: tuple[str, ...],
    total: int,
) -> dict[str, pd.DataFrame]:
    """Shelters, stations and depots for the settlements.

    Shelter capacities are scaled with ``total`` (nominal ranges hold for 400,000
    residents) and topped up so the total is at least 42 % of the population.
    """
    jur = nodes.jurisdiction
    scale = total / 400_000.0
    shelters: list[tuple] = []
    stations: list[tuple] = []
    depots: list[tuple] = []
    by_side: dict[int, list[int]] = {0: [], 1: []}
    for s, row in settlements.iterrows():
        m = members[s]
        name, kind, c = row["name"], row["kind"], int(row["node"])
        if kind == "county_seat":
            for k, node in enumerate(_pick_dry(rng, nodes, m, int(rng.integers(16, 21)))):
                cap = rng.integers(2_000, 5_001)
                shelters.append((f"{name} Shelter {k + 1:02d}", "county", node, cap))
            stations.append((f"{name} Fire and Rescue", "ground", c, int(rng.integers(2, 4))))
            r = np.hypot(*(nodes.xy[m] - nodes.xy[c]).T)
            edge = m[(r >= 0.8 * r.max()) & nodes.road_ok[m]]
            base = edge[np.argmax(nodes.above_river[edge])]
            stations.append((f"{name} Aviation Base", "aviation", base, int(rng.integers(1, 3))))
            depots.append((f"{name} City Depot", "city", c, int(rng.integers(180, 221)) * 100))
        elif kind == "town":
            for k, node in enumerate(_pick_dry(rng, nodes, m, int(rng.integers(2, 4)))):
                cap = rng.integers(500, 1_501)
                shelters.append((f"{name} Shelter {k + 1}", "town", node, cap))
            stations.append((f"{name} Station", "ground", c, 1))
            depots.append((f"{name} Depot", "town", c, int(rng.integers(20, 101)) * 10))
            by_side[int(jur[c])].append(s)
        else:
            if rng.random() < 0.6:
                node = _pick_dry(rng, nodes, m, 1)[0]
                cap = rng.integers(50, 301)
                shelters.append((f"{name} Temporary Shelter", "village", node, cap))
            if rng.random() < 0.8:
                stations.append((f"{name} Community Post", "community", c, 1))
            if rng.random() < 0.3:
                depots.append((f"{name} Supply Point", "village", c, int(rng.integers(30, 81))))
    for side in (0, 1):  # a district depot in the largest town of each side (else the seat)
        towns = by_side[side]
        if towns:
            s = max(towns, key=lambda t: settlements.loc[t, "population_persons"])
            node, label = int(settlements.loc[s, "node"]), settlements.loc[s, "name"]
        else:
            node, label = int(settlements.loc[side, "node"]), settlements.loc[side, "name"]
        stock = int(rng.integers(45, 56)) * 100
        depots.append((f"{label} District Depot", "district", node, stock))
    cap = np.array([t[3] for t in shelters], dtype=float) * scale
    if total > 0 and cap.sum() < 0.42 * total:
        cap *= 0.42 * total / cap.sum()
    cap = np.maximum(np.ceil(cap), 1).astype(np.int64)
    tables = {
        "shelters": pd.DataFrame(
            {
                "name": [t[0] for t in shelters],
                "level": [t[1] for t in shelters],
                "node": np.array([t[2] for t in shelters], dtype=np.int64),
                "capacity_persons": cap,
            }
        ),
        "stations": pd.DataFrame(stations, columns=["name", "tier", "node", "teams"]),
        "depots": pd.DataFrame(depots, columns=["name", "level", "node", "stock_kits"]),
    }
    for t in tables.values():
        t["node"] = t["node"].astype(np.int64)
        t["jurisdiction"] = [names[j] for j in jur[t["node"].to_numpy()]]
        for col in ("teams", "stock_kits"):
            if col in t:
                t[col] = t[col].astype(np.int64)
    return tables


def wells(
    rng: np.random.Generator,
    nodes: Nodes,
    river: River,
    border: np.ndarray,
    terrain: Callable[[np.ndarray, np.ndarray], np.ndarray],
    names: tuple[str, ...],
    n_wells: int = 100,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gas wells in a few hill-top fields near the border, and their pipelines."""
    n_fields = int(rng.integers(3, 6))
    sides = (np.arange(n_fields) + rng.integers(2)) % 2
    centres: list[np.ndarray] = []
    for side in sides:
        y = rng.uniform(4_000, HEIGHT_M - 4_000, 40)
        bx = np.interp(y, border[:, 1], border[:, 0])
        x = bx + (2 * side - 1) * rng.uniform(1_500, 6_000, 40)
        cand = np.column_stack([x, y])
        ok = river.distance(cand)[0] > 3_000
        for c in centres:
            ok &= np.hypot(*(cand - c).T) > 7_000
        if not ok.any():
            ok[:] = True
        score = np.where(ok, terrain(cand[:, 0], cand[:, 1]), -np.inf)
        centres.append(cand[np.argmax(score)])
    count = 8 + rng.multinomial(n_wells - 8 * n_fields, rng.dirichlet(np.full(n_fields, 3.0)))
    xy: list[np.ndarray] = []
    field: list[int] = []
    for f, (c, n) in enumerate(zip(centres, count, strict=True)):
        cand = c + rng.normal(0, 1_300, (20 * n, 2))
        bx = np.interp(cand[:, 1], border[:, 1], border[:, 0])
        ok = (np.abs(cand[:, 0] - bx) < 8_000) & (river.distance(cand)[0] > 1_500)
        ok &= (cand[:, 0] > 500) & (cand[:, 0] < WIDTH_M - 500)
        ok &= (cand[:, 1] > 500) & (cand[:, 1] < HEIGHT_M - 500)
        got = 0
        for p in cand[ok]:
            if not xy or np.hypot(*(np.array(xy) - p).T).min() >= 250:
                xy.append(p)
                field.append(f)
                got += 1
                if got == n:
                    break
    pts = np.array(xy)
    field_a = np.array(field)
    well_names = []
    seen = np.zeros(n_fields, dtype=int)
    for f in field_a:
        seen[f] += 1
        well_names.append(f"{_FIELDS[f]}-{seen[f]:02d}")
    ok_nodes = np.flatnonzero(nodes.road_ok)
    _, j = cKDTree(nodes.xy[ok_nodes]).query(pts)
    side = (pts[:, 0] > np.interp(pts[:, 1], border[:, 1], border[:, 0])).astype(int)
    well_tab = pd.DataFrame(
        {
            "name": well_names,
            "x_m": pts[:, 0],
            "y_m": pts[:, 1],
            "node": ok_nodes[j].astype(np.int64),
            "jurisdiction": [names[s] for s in side],
            "field": [_FIELDS[f] for f in field_a],
        }
    )
    pipes: list[tuple[int, int, str]] = []
    hubs = []
    for f in range(n_fields):
        idx = np.flatnonzero(field_a == f)
        if len(idx) == 0:
            continue
        hubs.append(idx[np.argmin(np.hypot(*(pts[idx] - pts[idx].mean(axis=0)).T))])
        pipes += [(idx[a], idx[b], "gathering") for a, b in _mst_pairs(pts[idx])]
    hubs_a = np.array(hubs)
    pipes += [(hubs_a[a], hubs_a[b], "trunk") for a, b in _mst_pairs(pts[hubs_a])]
    a = np.array([p[0] for p in pipes])
    b = np.array([p[1] for p in pipes])
    pipe_tab = pd.DataFrame(
        {
            "from_well": [well_names[i] for i in a],
            "to_well": [well_names[i] for i in b],
            "length_m": np.hypot(*(pts[a] - pts[b]).T),
            "kind": [p[2] for p in pipes],
        }
    )
    return well_tab, pipe_tab


def _mst_pairs(pts: np.ndarray) -> list[tuple[int, int]]:
    """Edges of the Euclidean minimum spanning tree of a small point set."""
    if len(pts) < 2:
        return []
    d = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1))
    t = minimum_spanning_tree(np.maximum(d, 1e-6) * (1 - np.eye(len(pts)))).tocoo()
    lo, hi = np.minimum(t.row, t.col).tolist(), np.maximum(t.row, t.col).tolist()
    return sorted(zip(lo, hi, strict=True))
