"""Road networks: compiled arrays, where they come from, points on them, and routing.

- :mod:`sim.network.compiled`: :class:`RoadNetwork`, the arrays every hot path uses;
- :mod:`sim.network.road_classes`: road classes and their default speed, lanes, capacity;
- :mod:`sim.network.compile`: region arrays to a ``RoadNetwork``;
- :mod:`sim.network.sources`: the only osmnx/OSM I/O (built-in region, OSM XML,
  ``.osm.pbf`` through :mod:`sim.network.pbf`, GraphML, ``.npz``, place names);
- :mod:`sim.network.drive`, :mod:`sim.network.hygiene`, :mod:`sim.network.graphs`: the
  drive filter, the strongly connected part, any osmnx graph to a network;
- :mod:`sim.network.vectors`, :mod:`sim.network.rasters`: GIS files in any CRS, DEMs;
- :mod:`sim.network.jurisdictions`: jurisdictions from polygons;
- :mod:`sim.network.points`: stations and population from files, snapped to nodes;
- :mod:`sim.network.routing`: ``scipy.sparse.csgraph`` shortest-path trees
  (:mod:`sim.network.trees`: reading one).

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "compile": ["compile_region"],
        "compiled": ["RoadNetwork"],
        "road_classes": ["ROAD_CLASSES"],
        "routing": ["Router"],
        "trees": ["ShortestPathTree"],
        "hygiene": ["RoadsReport"],
        "sources": ["load_network", "load_roads", "save_network"],
    },
)
