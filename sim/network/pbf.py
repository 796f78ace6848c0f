"""Read an ``.osm.pbf`` extract with pyosmium into an osmnx-style graph of intersections.

osmnx reads only OSM XML, and through XML a county-sized extract takes minutes (its
ElementTree parse and ``simplify_graph`` run in Python over every OSM node). Here
pyosmium (libosmium, C++) reads the ways with a ``highway`` tag and their node
locations; each way passing the drive filter (:mod:`sim.network.drive`) is cut at the
nodes it shares with other ways (and at its ends), which is what
``osmnx.simplify_graph`` keeps; the length of each piece is the sum of its segments'
great-circle lengths (``osmnx.distance.great_circle``, as osmnx measures edges), and the
pieces are added by osmnx's own ``_add_paths``, so one-way streets (``oneway=yes``,
``-1``, roundabouts) follow osmnx's rules exactly. Nodes outside a clipped extract (no
location) end a way there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import NetworkError
from sim.network.drive import FilterCount, count_failures, drive_failure

if TYPE_CHECKING:
    import networkx as nx

#: Way tags kept on edges (osmnx's ``settings.useful_tags_way`` and what the filter reads).
WAY_TAGS = (
    "access",
    "area",
    "bridge",
    "highway",
    "junction",
    "lanes",
    "maxspeed",
    "motor_vehicle",
    "motorcar",
    "name",
    "oneway",
    "ref",
    "service",
    "tunnel",
)


def read_pbf_graph(path: str | Path) -> tuple[nx.MultiDiGraph, FilterCount]:
    """Return the drivable ways of a ``.osm.pbf`` file as a simplified osmnx graph (WGS84).

    Returns
    -------
    graph, filtered
        The graph (``crs`` EPSG:4326, ``simplified`` True; node ids are OSM ids) and
        the ways the drive filter dropped, by reason.

    Raises
    ------
    NetworkError
        For a file pyosmium cannot read.
    """
    import networkx as nx
    import osmium
    from osmnx import graph as ox_graph

    path = Path(path)
    refs: list[list[int]] = []
    lons: list[list[float]] = []
    lats: list[list[float]] = []
    tags: list[dict[str, str]] = []
    reasons: list[str | None] = []
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        for way in processor.with_locations():
            if not way.is_way() or "highway" not in way.tags:
                continue
            way_tags = {k: way.tags[k] for k in WAY_TAGS if k in way.tags}
            reason = drive_failure(way_tags)
            reasons.append(reason)
            if reason is not None:
                continue
            run_refs: list[int] = []
            run_lon: list[float] = []
            run_lat: list[float] = []
            for node in way.nodes:
                if node.location.valid():
                    run_refs.append(node.ref)
                    run_lon.append(node.lon)
                    run_lat.append(node.lat)
                    continue
                if len(run_refs) > 1:  # a node outside the extract ends the way here
                    refs.append(run_refs), lons.append(run_lon), lats.append(run_lat)
                    tags.append({**way_tags, "osmid": way.id})
                run_refs, run_lon, run_lat = [], [], []
            if len(run_refs) > 1:
                refs.append(run_refs), lons.append(run_lon), lats.append(run_lat)
                tags.append({**way_tags, "osmid": way.id})
    except (RuntimeError, OSError, ValueError) as exc:
        text = str(exc).strip().splitlines()
        raise NetworkError(
            f"{path} could not be read as an OSM PBF file ({text[0][:160] if text else exc}); "
            "download an extract (.osm.pbf) from an OSM mirror or convert one with osmium"
        ) from None
    filtered = count_failures(reasons)
    graph = nx.MultiDiGraph(crs="EPSG:4326", simplified=True)
    if not refs:
        return graph, filtered
    pieces, nodes, x, y = _pieces(refs, lons, lats, tags)
    graph.add_nodes_from(
        (int(n), {"x": float(a), "y": float(b)}) for n, a, b in zip(nodes, x, y, strict=True)
    )
    ox_graph._add_paths(graph, pieces, bidirectional=False)
    return graph, filtered


def _pieces(
    refs: list[list[int]], lons: list[list[float]], lats: list[list[float]], tags: list[dict]
) -> tuple[list[dict], np.ndarray, np.ndarray, np.ndarray]:
    """Cut ways at shared nodes; return osmnx paths (two nodes each) and the node table."""
    from osmnx.distance import great_circle

    sizes = np.array([len(r) for r in refs])
    ref = np.concatenate([np.asarray(r, np.int64) for r in refs])
    lon = np.concatenate([np.asarray(v, float) for v in lons])
    lat = np.concatenate([np.asarray(v, float) for v in lats])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    ends = starts + sizes - 1
    unique, inverse, counts = np.unique(ref, return_inverse=True, return_counts=True)
    keep = counts[inverse] > 1  # shared by two ways, or twice in one
    keep[starts] = True
    keep[ends] = True
    # segment k joins positions k and k+1 of the same way
    segment_m = np.zeros(ref.shape[0])
    inner = np.ones(ref.shape[0], dtype=bool)
    inner[ends] = False
    k = np.nonzero(inner)[0]
    segment_m[k] = great_circle(lat[k], lon[k], lat[k + 1], lon[k + 1])
    cumulative = np.concatenate(([0.0], np.cumsum(segment_m)))
    way_of = np.repeat(np.arange(len(refs)), sizes)
    kept = np.nonzero(keep)[0]
    same_way = way_of[kept[:-1]] == way_of[kept[1:]]
    a, b = kept[:-1][same_way], kept[1:][same_way]
    length = cumulative[b] - cumulative[a]
    pieces = [
        {**tags[w], "nodes": [int(ref[i]), int(ref[j])], "length": float(m)}
        for w, i, j, m in zip(way_of[a], a, b, length, strict=True)
    ]
    used = np.unique(np.concatenate([ref[a], ref[b]])) if a.size else unique[:0]
    first = np.zeros(unique.shape[0], np.int64)
    first[inverse[::-1]] = np.arange(ref.shape[0])[::-1]
    where = first[np.searchsorted(unique, used)]
    return pieces, used, lon[where], lat[where]
