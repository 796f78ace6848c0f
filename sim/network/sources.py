"""Where road networks come from: the only module that calls osmnx I/O.

:func:`load_network` takes a *region source*:

- ``"fujiang"``: the built-in region (generated from a seed, cached after the first build);
- a path ending in ``.osm``, ``.osm.bz2`` or ``.xml``: OSM XML read by ``osmnx.graph_from_xml``;
- a path ending in ``.osm.pbf``: an OSM extract read by pyosmium (:mod:`sim.network.pbf`);
- a path ending in ``.graphml``: a graph saved by ``osmnx.save_graphml``;
- a path ending in ``.npz``: a compiled network written by :meth:`RoadNetwork.save`;
- ``"place:NAME"``: a place name geocoded and downloaded by osmnx (needs internet;
  the drive network is cached as GraphML in the cache folder, so a second load is offline).

Loaded files keep the roads osmnx's drive filter admits (:mod:`sim.network.drive`) and
their largest strongly connected component, and are projected to their UTM zone
(:mod:`sim.network.graphs`); one-way streets stay one-way. :func:`load_roads` also
returns what was dropped (:class:`sim.network.hygiene.RoadsReport`), and the network's
``notes`` say it in words. A region *manifest* (roads with places, population,
elevation, river) is built by :mod:`sim.regions.build`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import NetworkError
from sim.files.cache import cache_dir
from sim.network import road_classes
from sim.network.compile import compile_region
from sim.network.compiled import COMPILED_FORMAT_VERSION, RoadNetwork
from sim.network.graphs import graph_to_network

if TYPE_CHECKING:
    import networkx as nx

    from sim.network.hygiene import RoadsReport

#: Built-in region names accepted by :func:`load_network`.
BUILTIN_REGIONS = ("fujiang",)

_OSM_SUFFIXES = (".osm", ".osm.bz2", ".xml", ".osm.xml")
#: Road file endings :func:`load_roads` reads, for messages.
ROAD_FILE_TYPES = ".osm/.osm.bz2/.xml (OSM XML), .osm.pbf, .graphml (osmnx) or .npz (compiled)"


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
    network, _ = load_roads(
        source, seed=seed, population_persons=population_persons, use_cache=use_cache
    )
    if jurisdictions is not None:
        from sim.network.jurisdictions import jurisdictions_from_geojson

        index, names = jurisdictions_from_geojson(jurisdictions, network)
        network = network.with_jurisdictions(index, names)
    return network


def load_roads(
    source: str | Path = "fujiang",
    *,
    seed: int | None = None,
    population_persons: int | None = None,
    use_cache: bool = True,
) -> tuple[RoadNetwork, RoadsReport | None]:
    """Load a road source and say what loading dropped (see the module docstring).

    Returns
    -------
    network, report
        The report is None for sources that are not cleaned here (the built-in region
        and compiled ``.npz`` files, cleaned when they were built).
    """
    text = str(source)
    if text in BUILTIN_REGIONS:
        return load_builtin(
            text, seed=seed, population_persons=population_persons, use_cache=use_cache
        ), None
    elif text.startswith("place:"):
        return load_place(text[len("place:") :].strip())
    else:
        path = Path(text)
        if not path.exists():
            raise NetworkError(
                f"region {text!r} is neither a built-in region ({', '.join(BUILTIN_REGIONS)}) "
                f"nor an existing file; give a path to {ROAD_FILE_TYPES}, "
                "a region manifest (.toml), or 'place:NAME' to download (needs internet)"
            )
        if not path.is_file() or not os.access(path, os.R_OK):
            raise NetworkError(f"cannot read {path}: not a readable file")
        name = path.name.lower()
        if name.endswith(_OSM_SUFFIXES):
            return load_osm_xml(path)
        if name.endswith(".osm.pbf"):
            return load_pbf(path)
        if name.endswith(".graphml"):
            return load_graphml(path)
        if name.endswith(".npz"):
            return RoadNetwork.load_compiled(path), None
        raise NetworkError(f"{path}: unknown file type; use {ROAD_FILE_TYPES}")


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
def load_osm_xml(path: str | Path) -> tuple[RoadNetwork, RoadsReport]:
    """Load an OSM XML file (``.osm`` or ``.osm.bz2``) through ``osmnx.graph_from_xml``."""
    import osmnx as ox

    path = Path(path)
    try:
        with _way_tags_kept():
            graph = ox.graph_from_xml(path, simplify=False, retain_all=True)
    except Exception as exc:  # osmnx/ElementTree raise many types for bad files
        raise NetworkError(
            f"{path} could not be read as OSM XML ({type(exc).__name__}: {_first_line(exc)}); "
            "export an .osm file from openstreetmap.org or osmium"
        ) from None
    return graph_to_network(graph, name=_stem(path), simplify=True)


@contextlib.contextmanager
def _way_tags_kept() -> Iterator[None]:
    """Let osmnx keep the way tags the drive filter reads (``motor_vehicle``, ...)."""
    from osmnx import settings

    from sim.network.drive import FILTER_TAGS

    before = settings.useful_tags_way
    settings.useful_tags_way = sorted({*before, *FILTER_TAGS})
    try:
        yield
    finally:
        settings.useful_tags_way = before


@contextlib.contextmanager
def _osmnx_cache_in(folder: Path) -> Iterator[None]:
    """Point osmnx's HTTP response cache at ``folder`` while downloading."""
    from osmnx import settings

    before = settings.cache_folder
    settings.cache_folder = str(folder)
    try:
        yield
    finally:
        settings.cache_folder = before


def load_pbf(path: str | Path) -> tuple[RoadNetwork, RoadsReport]:
    """Load an OSM extract (``.osm.pbf``) through pyosmium (:mod:`sim.network.pbf`)."""
    from sim.network.pbf import read_pbf_graph

    path = Path(path)
    graph, filtered = read_pbf_graph(path)
    if graph.number_of_nodes() == 0:
        raise NetworkError(
            f"{path} holds no drivable roads (no highway=* way that the drive filter "
            f"admits; {filtered.text('ways')}); give an extract that covers roads"
        )
    return graph_to_network(graph, name=_stem(path), filtered=filtered)


def load_graphml(path: str | Path) -> tuple[RoadNetwork, RoadsReport]:
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


def load_place(query: str) -> tuple[RoadNetwork, RoadsReport]:
    """Download the drive network of a place through osmnx (needs internet), cached as GraphML.

    The first call geocodes ``query`` with Nominatim and downloads from the Overpass
    API; the graph is saved to ``<cache>/place-<hash>.graphml`` so later calls are offline.
    osmnx's own HTTP cache goes to ``<cache>/osmnx-http``, not to ``./cache`` in the
    folder the user runs sim from (osmnx's default).
    """
    import osmnx as ox

    if not query:
        raise NetworkError("empty place name; use e.g. 'place:Tongnan District, Chongqing, China'")
    slug = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40]
    digest = hashlib.sha1(query.encode()).hexdigest()[:8]
    path = cache_dir() / f"place-{slug}-{digest}.graphml"
    if path.exists():
        return load_graphml(path)
    import requests

    try:
        with _osmnx_cache_in(cache_dir() / "osmnx-http"):
            graph = ox.graph_from_place(query, network_type="drive")
    except requests.exceptions.ConnectionError as exc:  # offline: say so in a few words
        url = getattr(getattr(exc, "request", None), "url", None) or ""
        host = urllib.parse.urlparse(url).hostname or "the OpenStreetMap servers"
        raise NetworkError(
            f"could not download {query!r} through osmnx: no connection to {host}; this "
            "needs internet access, or give a local .osm/.graphml file"
        ) from None
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


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".osm.bz2", ".osm.xml", ".osm.pbf", ".osm", ".xml", ".graphml", ".npz"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else "no details"
