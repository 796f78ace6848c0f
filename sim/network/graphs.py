"""An osmnx graph from any tool to a :class:`RoadNetwork`, keeping what its attributes mean.

The steps, each through osmnx where osmnx has the step:

1. drivable edges only (:func:`sim.network.hygiene.drivable_edges`);
2. ``osmnx.simplify_graph`` for raw OSM (after the filter, so footways never merge
   into roads);
3. projection to the local UTM zone (``osmnx.project_graph``) unless the graph already
   is in one: a graph in Web Mercator (EPSG:3857) counts as projected but its metres are
   1/cos(latitude) too long (1.15 at 30° N), so distances, snapping and radius zones
   would be distorted;
4. the largest strongly connected component (:mod:`sim.network.hygiene`);
5. speeds: an edge's own ``travel_time`` (s) is honoured first (speed = length /
   time), then its ``speed_kph``, then ``osmnx.routing.add_edge_speeds`` on ``maxspeed``
   with :data:`sim.network.road_classes.DEFAULT_SPEED_KPH` for edges without one;
6. node ``elevation`` kept when every node has one (osmnx's elevation attribute).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import NetworkError
from sim.network.compile import compile_region
from sim.network.drive import FilterCount
from sim.network.hygiene import (
    RoadsReport,
    drivable_edges,
    is_utm,
    largest_strong_component,
)
from sim.network.road_classes import DEFAULT_SPEED_KPH, ROAD_CLASSES
from sim.regions.base import RegionData

if TYPE_CHECKING:
    import networkx as nx

    from sim.network.compiled import RoadNetwork


def graph_to_network(
    graph: nx.MultiDiGraph,
    *,
    name: str,
    simplify: bool = False,
    filtered: FilterCount | None = None,
) -> tuple[RoadNetwork, RoadsReport]:
    """Clean, project and compile an osmnx graph (see the module docstring).

    Parameters
    ----------
    graph
        An osmnx-style ``MultiDiGraph`` with ``crs`` and node ``x``/``y``.
    name
        Region name (the jurisdiction's name until polygons give others).
    simplify
        Simplify with osmnx after filtering (raw OSM XML).
    filtered
        What the drive filter already dropped while reading (``.osm.pbf``).

    Returns
    -------
    network, report
    """
    import osmnx as ox

    if graph.number_of_nodes() == 0:
        raise NetworkError(f"network {name!r} has no nodes; the file holds no roads")
    source_crs = str(graph.graph.get("crs", "EPSG:4326"))
    keep, counted = drivable_edges(graph)
    if not keep:
        raise NetworkError(
            f"network {name!r} has no drivable roads (no edge with highway in "
            f"{', '.join(ROAD_CLASSES[:6])}, ... that the drive filter admits); "
            "load a file with a road network"
        )
    graph = graph.edge_subgraph(keep).copy()
    if simplify and not graph.graph.get("simplified", False):
        graph = ox.simplify_graph(graph)
    for _, _, data in graph.edges(data=True):
        data.pop("geometry", None)  # not used; projecting it costs more than the nodes
    if not is_utm(graph.graph.get("crs", "EPSG:4326")):
        graph = ox.project_graph(graph)
    before = graph
    graph, parts, dropped = largest_strong_component(graph)
    crs = str(graph.graph["crs"])
    for u, v, k, hw in graph.edges(keys=True, data="highway"):
        graph.edges[u, v, k]["highway"] = _first(hw)
    speed_kph, sources = _speeds(graph)

    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    x = np.array([graph.nodes[n]["x"] for n in nodes], float)
    y = np.array([graph.nodes[n]["y"] for n in nodes], float)
    elevation = np.array([_number(graph.nodes[n].get("elevation")) for n in nodes])
    edges = list(graph.edges(data=True))
    data = RegionData(
        name=name,
        crs=crs,
        x_m=x,
        y_m=y,
        elevation_m=elevation,
        jurisdiction=np.zeros(len(nodes), np.int8),
        jurisdiction_names=(name,),
        edge_source=np.array([index[u] for u, _, _ in edges], np.int64),
        edge_target=np.array([index[v] for _, v, _ in edges], np.int64),
        edge_length_m=np.array([float(d.get("length", 0.0)) for _, _, d in edges]),
        edge_highway=np.array([d["highway"] for _, _, d in edges]),
        edge_lanes=np.array([lanes_per_direction(d) for _, _, d in edges]),
        edge_maxspeed_kph=speed_kph,
        edge_bridge=np.array([_first(d.get("bridge")) not in (None, "no") for _, _, d in edges]),
        node_osmid=np.array(nodes, dtype=np.int64),
    )
    network = compile_region(data)
    report = RoadsReport(
        filtered=filtered if filtered is not None else counted,
        dropped_parts=parts,
        dropped_x_m=np.array([before.nodes[n]["x"] for n in dropped.tolist()], float),
        dropped_y_m=np.array([before.nodes[n]["y"] for n in dropped.tolist()], float),
        dropped_osmid=dropped,
        source_crs=source_crs,
        crs=crs,
        speed_sources=sources,
        elevation="file" if np.isfinite(elevation).all() else "none",
    )
    network = replace(network, notes=tuple(report.lines()))
    if not np.isfinite(elevation).all():
        network = replace(network, elevation_m=np.full(network.n_nodes, np.nan))
    return network, report


def _speeds(graph: nx.MultiDiGraph) -> tuple[np.ndarray, dict[str, int]]:
    """Speed of every edge (km/h) in ``graph.edges`` order and how many came from where."""
    import osmnx as ox

    own = []
    for _, _, data in graph.edges(data=True):
        length = _number(data.get("length"))
        time_s = _number(data.get("travel_time"))
        speed = _number(data.get("speed_kph"))
        if time_s > 0 and length > 0:
            own.append(("travel_time", 3.6 * length / time_s))
        elif speed > 0:
            own.append(("speed_kph", speed))
        elif _first(data.get("maxspeed")) is not None:
            own.append(("maxspeed", math.nan))
        else:
            own.append(("class default", math.nan))
    graph = ox.routing.add_edge_speeds(graph, hwy_speeds=dict(DEFAULT_SPEED_KPH), fallback=30.0)
    imputed = np.array([float(d["speed_kph"]) for _, _, d in graph.edges(data=True)])
    speed = np.array([s for _, s in own])
    missing = ~np.isfinite(speed)
    speed[missing] = imputed[missing]
    counts = {"travel_time": 0, "speed_kph": 0, "maxspeed": 0, "class default": 0}
    for source, _ in own:
        counts[source] += 1
    return speed, counts


def lanes_per_direction(edge: dict) -> float:
    """Lanes per direction from an OSM ``lanes`` tag (``"2"``, ``"2;3"``, a list).

    The tag counts both directions of a two-way road, so it is halved there (at least 1).
    """
    value = _first(edge.get("lanes"))
    match = re.match(r"\s*(\d+(\.\d+)?)", str(value)) if value is not None else None
    if not match:
        return np.nan
    total = float(match.group(1))
    return total if _first(edge.get("oneway")) in (True, "yes", "True") else max(total / 2, 1.0)


def _first(value: object) -> object:
    """Return the first element of an osmnx list attribute, or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _number(value: object) -> float:
    try:
        number = float(_first(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan
