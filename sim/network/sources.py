"""Where road networks come from: the only module that calls osmnx I/O.

:func:`load_network` takes a *region source*:

- ``"fujiang"``: the built-in region (generated from a seed, cached after the first build);
- a path ending in ``.osm``, ``.osm.bz2`` or ``.xml``: OSM XML read by ``osmnx.graph_from_xml``;
- a path ending in ``.graphml``: a graph saved by ``osmnx.save_graphml``;
- a path ending in ``.npz``: a compiled network written by :meth:`RoadNetwork.save`;
- ``"place:NAME"``: a place name geocoded and downloaded by osmnx (needs internet;
  the drive network is cached as GraphML in the cache folder, so a second load is offline).

Loaded files keep drivable roads only (the classes in :data:`sim.network.road_classes.ROAD_CLASSES`)
and their largest weakly connected component; one-way streets stay one-way.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import NetworkError
from sim.files.cache import cache_dir
from sim.network import road_classes
from sim.network.compile import compile_region
from sim.network.compiled import COMPILED_FORMAT_VERSION, RoadNetwork
from sim.network.road_classes import DEFAULT_SPEED_KPH, ROAD_CLASSES
from sim.regions.base import RegionData

if TYPE_CHECKING:
    import networkx as nx

#: Built-in region names accepted by :func:`load_network`.
BUILTIN_REGIONS = ("fujiang",)

_OSM_SUFFIXES = (".osm", ".osm.bz2", ".xml", ".osm.xml")


def load_network(
    source: str | Path = "fujiang",
    *,
    seed: int | None = None,
    population_persons: int | None = None,
    jurisdictions: str | Path | None = None,
    use_cache: bool = True,
) -> RoadNetwork:
    """Load a road network from a region source (see the module docstring).

    Parameters
    ----------
    source
        ``"fujiang"``, a file path, or ``"place:NAME"``.
    seed, population_persons
        Built-in region only: generator seed and total residents (defaults of the region).
    jurisdictions
        GeoJSON file of polygons with a ``name`` property; nodes take the name of the
        polygon that contains them (nodes outside every polygon take the nearest one).
        Without it a loaded file has one jurisdiction named after the file.
    use_cache
        Read and write the built-in region cache.

    Returns
    -------
    RoadNetwork
    """
    text = str(source)
    if text in BUILTIN_REGIONS:
        network = load_builtin(
            text, seed=seed, population_persons=population_persons, use_cache=use_cache
        )
    elif text.startswith("place:"):
        network = load_place(text[len("place:") :].strip())
    else:
        path = Path(text)
        if not path.exists():
            raise NetworkError(
                f"region {text!r} is neither a built-in region ({', '.join(BUILTIN_REGIONS)}) "
                "nor an existing file; give a path to .osm/.osm.bz2/.graphml/.npz, "
                "or 'place:NAME' to download (needs internet)"
            )
        if not path.is_file() or not os.access(path, os.R_OK):
            raise NetworkError(f"cannot read {path}: not a readable file")
        name = path.name.lower()
        if name.endswith(_OSM_SUFFIXES):
            network = load_osm_xml(path)
        elif name.endswith(".graphml"):
            network = load_graphml(path)
        elif name.endswith(".npz"):
            network = RoadNetwork.load_compiled(path)
        else:
            raise NetworkError(
                f"{path}: unknown file type; use .osm, .osm.bz2, .xml (OSM XML), "
                ".graphml (osmnx) or .npz (compiled by `sim network --save`)"
            )
    if jurisdictions is not None:
        from sim.network.jurisdictions import jurisdictions_from_geojson

        index, names = jurisdictions_from_geojson(jurisdictions, network)
        network = network.with_jurisdictions(index, names)
    return network


# ----------------------------------------------------------------- built-in
def load_builtin(
    name: str = "fujiang",
    *,
    seed: int | None = None,
    population_persons: int | None = None,
    use_cache: bool = True,
) -> RoadNetwork:
    """Generate (or read from cache) a built-in region and compile it."""
    from sim.regions import fujiang

    seed = fujiang.DEFAULT_SEED if seed is None else int(seed)
    population = fujiang.DEFAULT_POPULATION if population_persons is None else population_persons
    if population < 0:
        raise NetworkError(f"population_persons must be >= 0, got {population}")
    key = f"{name}-g{fujiang.GENERATOR_VERSION}-s{seed}-p{population}-{_compile_signature()}"
    path = cache_dir() / f"{key}.npz"
    if use_cache and path.exists():
        try:
            return RoadNetwork.load_compiled(path)
        except NetworkError:
            path.unlink(missing_ok=True)  # a stale or damaged cache is rebuilt
    network = compile_region(fujiang.generate_fujiang(seed=seed, population_persons=population))
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        network.save(path)
    return network


def _compile_signature() -> str:
    """Hash of what compilation depends on, so a changed table invalidates the cache."""
    text = repr(
        (
            road_classes.ROAD_CLASSES,
            dict(road_classes.DEFAULT_SPEED_KPH),
            dict(road_classes.DEFAULT_LANES),
            dict(road_classes.CAPACITY_VEH_PER_H_PER_LANE),
            COMPILED_FORMAT_VERSION,
        )
    )
    return hashlib.sha1(text.encode()).hexdigest()[:10]


# ---------------------------------------------------------------- OSM files
def load_osm_xml(path: str | Path) -> RoadNetwork:
    """Load an OSM XML file (``.osm`` or ``.osm.bz2``) through ``osmnx.graph_from_xml``."""
    import osmnx as ox

    path = Path(path)
    try:
        graph = ox.graph_from_xml(path, simplify=False, retain_all=True)
    except Exception as exc:  # osmnx/ElementTree raise many types for bad files
        raise NetworkError(
            f"{path} could not be read as OSM XML ({type(exc).__name__}: {_first_line(exc)}); "
            "export an .osm file from openstreetmap.org or osmium"
        ) from None
    return graph_to_network(graph, name=_stem(path), simplify=True)


def load_graphml(path: str | Path) -> RoadNetwork:
    """Load a GraphML file saved by ``osmnx.save_graphml``."""
    import osmnx as ox

    path = Path(path)
    try:
        graph = ox.load_graphml(path)
    except Exception as exc:
        raise NetworkError(
            f"{path} could not be read as an osmnx GraphML file "
            f"({type(exc).__name__}: {_first_line(exc)}); save graphs with osmnx.save_graphml"
        ) from None
    _check_coordinates(graph, path)
    return graph_to_network(graph, name=_stem(path))


def _check_coordinates(graph: nx.MultiDiGraph, path: Path) -> None:
    """Refuse a graph whose nodes do not all carry numeric ``x`` and ``y``."""
    for node, data in graph.nodes(data=True):
        try:
            ok = np.isfinite(float(data["x"])) and np.isfinite(float(data["y"]))
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise NetworkError(
                f"{path}: node {node} has no x/y coordinates; every node of a road graph "
                "needs them (osmnx.save_graphml writes them)"
            )


def load_place(query: str) -> RoadNetwork:
    """Download the drive network of a place through osmnx (needs internet), cached as GraphML.

    The first call geocodes ``query`` with Nominatim and downloads from the Overpass
    API; the graph is saved to ``<cache>/place-<hash>.graphml`` so later calls are offline.
    """
    import osmnx as ox

    if not query:
        raise NetworkError("empty place name; use e.g. 'place:Tongnan District, Chongqing, China'")
    slug = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40]
    digest = hashlib.sha1(query.encode()).hexdigest()[:8]
    path = cache_dir() / f"place-{slug}-{digest}.graphml"
    if path.exists():
        return load_graphml(path)
    try:
        graph = ox.graph_from_place(query, network_type="drive")
    except Exception as exc:
        raise NetworkError(
            f"could not download {query!r} through osmnx ({type(exc).__name__}: "
            f"{_first_line(exc)}); this needs internet access, or give a local .osm/.graphml file"
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    save_graphml(graph, path)
    return graph_to_network(graph, name=slug)


def save_graphml(graph: nx.MultiDiGraph, path: str | Path) -> None:
    """Save ``graph`` with ``osmnx.save_graphml``."""
    import osmnx as ox

    ox.save_graphml(graph, Path(path))


def save_network(network: RoadNetwork, path: str | Path) -> Path:
    """Write ``network`` to ``path`` by its suffix: ``.npz`` (compiled) or ``.graphml``.

    ``.npz`` keeps everything and loads fast (:meth:`RoadNetwork.save`); ``.graphml`` is
    an osmnx-style graph for other tools (places and population are not in it). Both
    are written under a temporary name and renamed.

    Raises
    ------
    NetworkError
        For any other suffix.
    """
    from sim.files.atomic import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return network.save(path)
    if suffix == ".graphml":
        return write_atomic(path, lambda tmp: save_graphml(network.to_networkx(), tmp))
    raise NetworkError(
        f"{path}: cannot save a network as {suffix or 'a file without a suffix'}; "
        "use .npz (compiled, loads fast) or .graphml (for other tools)"
    )


def graph_to_network(graph: nx.MultiDiGraph, *, name: str, simplify: bool = False) -> RoadNetwork:
    """Project an osmnx graph, keep drivable roads, fill speeds, and compile it.

    With ``simplify`` the drivable subgraph is simplified by ``osmnx.simplify_graph``
    afterwards, so footways never merge into roads. Speeds:
    ``osmnx.routing.add_edge_speeds`` parses ``maxspeed`` and fills missing values
    from :data:`sim.network.road_classes.DEFAULT_SPEED_KPH` by road class.
    """
    import osmnx as ox

    if graph.number_of_nodes() == 0:
        raise NetworkError(f"network {name!r} has no nodes; the file holds no roads")
    drivable = [
        (u, v, k)
        for u, v, k, hw in graph.edges(keys=True, data="highway")
        if _first(hw) in ROAD_CLASSES
    ]
    if not drivable:
        raise NetworkError(
            f"network {name!r} has no drivable roads (no edge with highway in "
            f"{', '.join(ROAD_CLASSES[:6])}, ...); load a file with a road network"
        )
    graph = graph.edge_subgraph(drivable).copy()
    graph = ox.truncate.largest_component(graph, strongly=False)
    if simplify and not graph.graph.get("simplified", False):
        graph = ox.simplify_graph(graph)
    if not ox.projection.is_projected(graph.graph.get("crs", "EPSG:4326")):
        graph = ox.project_graph(graph)
    hwy = {k: v for k, v in DEFAULT_SPEED_KPH.items()}
    for u, v, k, hw in graph.edges(keys=True, data="highway"):
        graph.edges[u, v, k]["highway"] = _first(hw)
    graph = ox.routing.add_edge_speeds(graph, hwy_speeds=hwy, fallback=30.0)

    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    x = np.array([graph.nodes[n]["x"] for n in nodes], float)
    y = np.array([graph.nodes[n]["y"] for n in nodes], float)
    elevation = np.array([float(graph.nodes[n].get("elevation", np.nan)) for n in nodes])
    edges = list(graph.edges(data=True))
    data = RegionData(
        name=name,
        crs=str(graph.graph["crs"]),
        x_m=x,
        y_m=y,
        elevation_m=elevation,
        jurisdiction=np.zeros(len(nodes), np.int8),
        jurisdiction_names=(name,),
        edge_source=np.array([index[u] for u, _, _ in edges], np.int64),
        edge_target=np.array([index[v] for _, v, _ in edges], np.int64),
        edge_length_m=np.array([float(d.get("length", 0.0)) for _, _, d in edges]),
        edge_highway=np.array([d["highway"] for _, _, d in edges]),
        edge_lanes=np.array([_lanes_per_direction(d) for _, _, d in edges]),
        edge_maxspeed_kph=np.array([float(d["speed_kph"]) for _, _, d in edges]),
        edge_bridge=np.array([_first(d.get("bridge")) not in (None, "no") for _, _, d in edges]),
        node_osmid=np.array(nodes, dtype=np.int64),
    )
    return compile_region(data)


def _first(value: object) -> object:
    """Return the first element of an osmnx list attribute, or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _lanes_per_direction(edge: dict) -> float:
    """Lanes per direction from an OSM ``lanes`` tag (``"2"``, ``"2;3"``, a list).

    The tag counts both directions of a two-way road, so it is halved there (at least 1).
    """
    value = _first(edge.get("lanes"))
    match = re.match(r"\s*(\d+(\.\d+)?)", str(value)) if value is not None else None
    if not match:
        return np.nan
    total = float(match.group(1))
    return total if _first(edge.get("oneway")) in (True, "yes", "True") else max(total / 2, 1.0)


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".osm.bz2", ".osm.xml", ".osm", ".xml", ".graphml", ".npz"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else "no details"
