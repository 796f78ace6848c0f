"""The built-in "fujiang" region: a synthetic Suining–Tongnan border along the Fujiang.

A deterministic, seeded stand-in for the border between Suining (Sichuan, west) and
Tongnan (Chongqing, east): about 60 km × 45 km in UTM 48N, centred near 105.72 E,
30.35 N. The Fujiang meanders from the north-west to the south-east through both
county seats and is crossed by only a handful of bridges. Each county seat has a dense
street grid (with some one-way streets), towns have small grids, villages sit on
winding tree-like rural roads with farm tracks to hamlets, and an expressway with a few
interchanges runs west→east. Places (shelters, stations, depots, gas wells and their
pipelines) come with it.

Examples
--------
>>> from sim.regions.fujiang import generate_fujiang
>>> region = generate_fujiang(seed=2020)  # doctest: +SKIP
>>> region.jurisdiction_names  # doctest: +SKIP
('Suining', 'Tongnan')
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from sim.errors import ScenarioError
from sim.regions._fujiang_geo import (
    ORIGIN_E,
    ORIGIN_N,
    S_PLACES,
    S_POPULATION,
    S_REPAIR,
    S_WELLS,
    River,
    base_layers,
    side_of_border,
    streams,
)
from sim.regions._fujiang_net import (
    CLASSES,
    K_BRIDGE,
    K_HAMLET,
    K_MOTORWAY,
    K_RAMP,
    K_RURAL,
    LINK,
    MOTORWAY,
    PRIMARY,
    UNCLASSIFIED,
    Builder,
)
from sim.regions._fujiang_places import (
    Nodes,
    members_of,
    places,
    population,
    settlement_names,
    wells,
)
from sim.regions._fujiang_roads import Layout, build_roads
from sim.regions.base import PLACE_COLUMNS, RegionData

#: Bump whenever the generated region changes (the caller caches by it).
GENERATOR_VERSION: int = 1
DEFAULT_SEED: int = 2020
DEFAULT_POPULATION: int = 400_000
#: Jurisdiction names; index 0 is the west (Sichuan), 1 the east (Chongqing).
JURISDICTIONS: tuple[str, str] = ("Suining", "Tongnan")
CRS = "EPSG:32648"
#: Minimum distance of any road node from the river centreline, metres.
RIVER_CLEARANCE_M = 80.0

__all__ = [
    "DEFAULT_POPULATION",
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "JURISDICTIONS",
    "elevation_at",
    "generate_fujiang",
]


def _check(seed: int, population_persons: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"region seed must be a non-negative integer, got {seed!r}")
    if (
        isinstance(population_persons, bool)
        or not isinstance(population_persons, int | np.integer)
        or population_persons < 0
    ):
        raise ScenarioError(
            f"population_persons must be a non-negative integer, got {population_persons!r}"
        )


def elevation_at(x_m: np.ndarray, y_m: np.ndarray, *, seed: int = DEFAULT_SEED) -> np.ndarray:
    """Ground elevation of the region generated from ``seed``, anywhere (vectorised).

    The same surface gives ``RegionData.elevation_m``: a floodplain a few metres above
    the Fujiang (whose bed falls from 280 m upstream to 240 m downstream) within about
    1–2 km of it, rising to hills of roughly 400–550 m.

    Parameters
    ----------
    x_m, y_m
        UTM 48N (EPSG:32648) coordinates in metres; any broadcastable shapes.
    seed
        Seed of the region.

    Returns
    -------
    numpy.ndarray
        Elevation in metres above sea level, in the broadcast shape of the inputs.
    """
    _check(seed, 0)
    _, _, terrain = base_layers(int(seed))
    return terrain(np.asarray(x_m, dtype=float) - ORIGIN_E, np.asarray(y_m, dtype=float) - ORIGIN_N)


def _components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    g = coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    return connected_components(g, directed=False)[1]


def _clean(
    net: Builder, river: River, rng: np.random.Generator, *, reconnect: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the nodes and links to keep.

    Drops nodes too close to the river, self loops, duplicate links, non-bridge links
    that cross the river and, per bank, everything outside the largest piece of the
    bank's own (bridge-free) network. With ``reconnect``, stray pieces are first joined
    to the main piece by a short unclassified road where possible (adds to ``net``).
    """
    xy, kind = net.xy, net.kind()
    u, v, _, _, bridge, _ = net.links()
    n = net.n
    node_ok = river.distance(xy)[0] >= RIVER_CLEARANCE_M
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = (u != v) & node_ok[u] & node_ok[v]
    keep &= np.hypot(*(xy[u] - xy[v]).T) > 0.5
    _, first = np.unique(lo * n + hi, return_index=True)
    unique = np.zeros(len(u), dtype=bool)
    unique[first] = True
    keep &= unique
    cross = np.zeros(len(u), dtype=np.int64)
    cross[keep] = river.crossings(xy[u[keep]], xy[v[keep]])
    bank = river.bank(xy)
    keep &= np.where(bridge, cross == 1, (cross == 0) & (bank[u] == bank[v]))
    intra = keep & ~bridge
    comp = _components(n, u[intra], v[intra])
    size = np.bincount(comp, minlength=n)
    main = np.zeros(n, dtype=bool)
    for b in (0, 1):
        on = np.flatnonzero((bank == b) & node_ok)
        big = np.bincount(comp[on], minlength=n).argmax()
        main[on[comp[on] == big]] = True
    if reconnect:
        hookable = ~np.isin(kind, [K_MOTORWAY, K_RAMP]) & node_ok
        a_list, b_list = [], []
        wanted = (size[comp] >= 3) | (kind == K_BRIDGE)  # never strand a bridge end
        for c in np.unique(comp[~main & node_ok & hookable & wanted]):
            m = np.flatnonzero((comp == c) & hookable)
            target = np.flatnonzero(main & hookable & (bank == bank[m[0]]))
            d, j = cKDTree(xy[target]).query(xy[m])
            best = np.argsort(d, kind="stable")[:40]
            best = best[d[best] < 4_000]
            ok = best[river.crossings(xy[m[best]], xy[target[j[best]]]) == 0]
            if len(ok):
                a_list.append(m[ok[0]])
                b_list.append(target[j[ok[0]]])
        if a_list:
            net.road(
                np.array(a_list), np.array(b_list), UNCLASSIFIED, rng,
                step=180.0, frac=0.05, river=river, kind=K_RURAL,
            )  # fmt: skip
            return _clean(net, river, rng, reconnect=False)
    keep &= main[u] & main[v]
    return main, keep


def _directed(
    n: int, u: np.ndarray, v: np.ndarray, oneway: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand links into directed edges, making one-way links two-way until strongly connected.

    Returns ``(source, target, link_index)``.
    """
    oneway = oneway.copy()
    while True:
        two = np.flatnonzero(~oneway)
        src = np.concatenate([u, v[two]])
        dst = np.concatenate([v, u[two]])
        link = np.concatenate([np.arange(len(u)), two])
        g = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
        n_comp, lab = connected_components(g, directed=True, connection="strong")
        if n_comp == 1:
            break
        big = np.bincount(lab).argmax()
        fix = oneway & ((lab[u] != big) | (lab[v] != big))
        if not fix.any():  # pragma: no cover - the bank networks are connected
            raise RuntimeError("fujiang network is not strongly connected")
        oneway[fix] = False
    order = np.lexsort((dst, src))
    return src[order], dst[order], link[order]


def _finish(
    layout: Layout, river: River, border: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Clean the layout and compile node and edge arrays (local metres)."""
    net = layout.net
    node_keep, link_keep = _clean(net, river, rng, reconnect=True)
    u, v, cls, oneway, bridge, speed = (c[link_keep] for c in net.links())
    new_id = np.cumsum(node_keep) - 1
    n = int(node_keep.sum())
    u, v = new_id[u], new_id[v]
    src, dst, link = _directed(n, u, v, oneway)
    xy = net.xy[node_keep]
    cls_e = cls[link]
    lanes = np.where(np.isin(cls_e, [MOTORWAY, PRIMARY]), 2.0, 1.0)
    speed_e = np.where(cls_e == MOTORWAY, 100.0, speed[link])
    speed_e = np.where(cls_e == LINK, np.nan, speed_e)
    return {
        "xy": xy,
        "kind": net.kind()[node_keep],
        "settle": net.settle()[node_keep],
        "src": src.astype(np.int32),
        "dst": dst.astype(np.int32),
        "length": np.hypot(*(xy[src] - xy[dst]).T),
        "highway": np.array(CLASSES)[cls_e],
        "lanes": lanes,
        "speed": speed_e,
        "bridge": bridge[link],
        "jurisdiction": side_of_border(border, xy),
    }


def generate_fujiang(
    *, seed: int = DEFAULT_SEED, population_persons: int = DEFAULT_POPULATION
) -> RegionData:
    """Generate the built-in "fujiang" region.

    The road network, terrain and places depend only on ``seed``; the population (and
    the shelter capacities, which scale with it) also on ``population_persons``.

    Parameters
    ----------
    seed
        Non-negative integer; the same seed gives bit-identical arrays and tables.
    population_persons
        Residents in the region: about 35 % in the two county seats, 25 % in the towns
        and 40 % in the villages.

    Returns
    -------
    RegionData
        About 20,000–40,000 nodes in EPSG:32648 metres, jurisdictions
        ``("Suining", "Tongnan")``, strongly connected, with places
        ``settlements``, ``shelters``, ``stations``, ``depots``, ``wells`` and
        ``pipelines`` and features ``"river"`` and ``"border"``.

    Raises
    ------
    ScenarioError
        If ``seed`` or ``population_persons`` is negative or not an integer.
    """
    _check(seed, population_persons)
    seed, total = int(seed), int(population_persons)
    rngs = streams(seed)
    river, border, terrain = base_layers(seed)
    layout = build_roads(rngs, river, border)
    g = _finish(layout, river, border, rngs[S_REPAIR])
    xy = g["xy"]
    elevation = terrain(xy[:, 0], xy[:, 1])
    _, s = river.distance(xy)
    nodes = Nodes(
        xy=xy,
        settle=g["settle"],
        hamlet=g["kind"] == K_HAMLET,
        road_ok=~np.isin(g["kind"], [K_MOTORWAY, K_RAMP]),
        elevation=elevation,
        above_river=elevation - river.bed_m(s),
        jurisdiction=g["jurisdiction"],
    )
    centres = layout.centres
    side = side_of_border(border, centres)
    names = settlement_names(rngs[S_PLACES], layout.kinds, side)
    pop_s, node_pop, central = population(
        rngs[S_POPULATION], nodes, centres, layout.kinds, layout.radius, total
    )
    members = members_of(nodes.settle, len(layout.kinds))
    keep_idx = np.flatnonzero(central >= 0)
    settlements = pd.DataFrame(
        {
            "name": [names[k] for k in keep_idx],
            "kind": [layout.kinds[k] for k in keep_idx],
            "x_m": xy[central[keep_idx], 0] + ORIGIN_E,
            "y_m": xy[central[keep_idx], 1] + ORIGIN_N,
            "node": central[keep_idx],
            "population_persons": pop_s[keep_idx].astype(np.int64),
            "jurisdiction": [JURISDICTIONS[j] for j in g["jurisdiction"][central[keep_idx]]],
        }
    )
    tables = places(
        rngs[S_PLACES], nodes, settlements, [members[k] for k in keep_idx], JURISDICTIONS, total
    )
    well_tab, pipe_tab = wells(rngs[S_WELLS], nodes, river, border, terrain, JURISDICTIONS)
    well_tab["x_m"] += ORIGIN_E
    well_tab["y_m"] += ORIGIN_N
    all_places = {"settlements": settlements, **tables, "wells": well_tab, "pipelines": pipe_tab}
    for key, cols in PLACE_COLUMNS.items():  # contract columns first, extras after
        t = all_places[key]
        all_places[key] = t[list(cols) + [c for c in t.columns if c not in cols]]
    origin = np.array([ORIGIN_E, ORIGIN_N])
    return RegionData(
        name="fujiang",
        crs=CRS,
        x_m=xy[:, 0] + ORIGIN_E,
        y_m=xy[:, 1] + ORIGIN_N,
        elevation_m=elevation,
        jurisdiction=g["jurisdiction"],
        jurisdiction_names=JURISDICTIONS,
        edge_source=g["src"],
        edge_target=g["dst"],
        edge_length_m=g["length"],
        edge_highway=g["highway"],
        edge_lanes=g["lanes"],
        edge_maxspeed_kph=g["speed"],
        edge_bridge=g["bridge"],
        places=all_places,
        node_population_persons=node_pop,
        features={"river": river.line + origin, "border": border + origin},
        seed=seed,
    )
