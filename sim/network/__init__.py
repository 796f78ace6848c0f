"""Road networks: compiled arrays, where they come from, points on them, and routing.

- :mod:`sim.network.compiled`: :class:`RoadNetwork`, the arrays every hot path uses;
- :mod:`sim.network.road_classes`: road classes and their default speed, lanes, capacity;
- :mod:`sim.network.compile`: region arrays to a ``RoadNetwork``;
- :mod:`sim.network.sources`: the only osmnx/OSM I/O (built-in region, OSM XML, GraphML,
  ``.npz``, place names);
- :mod:`sim.network.jurisdictions`: jurisdictions from polygons;
- :mod:`sim.network.points`: stations and population from files, snapped to nodes;
- :mod:`sim.network.routing`: ``scipy.sparse.csgraph`` shortest-path trees.
"""

from sim.network.compile import compile_region
from sim.network.compiled import RoadNetwork
from sim.network.road_classes import ROAD_CLASSES
from sim.network.routing import Router, ShortestPathTree
from sim.network.sources import load_network, save_network

__all__ = [
    "ROAD_CLASSES",
    "RoadNetwork",
    "Router",
    "ShortestPathTree",
    "compile_region",
    "load_network",
    "save_network",
]
