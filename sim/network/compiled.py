"""RoadNetwork: a road graph compiled to the arrays every hot path uses.

Loading from files goes through :mod:`sim.network.sources` (the only module calling osmnx
I/O). A network comes from the built-in
region, an OSM XML file, a GraphML file saved by osmnx, a place name (downloaded by
osmnx, needs internet) or a compiled ``.npz`` file written by :meth:`RoadNetwork.save`.

Compiled edges are sorted by (source, target) with parallel edges reduced to the
fastest one, so position ``i`` of every edge array is also position ``i`` of the
CSR data: a per-edge weight vector becomes a routable matrix without copying the
network (see :mod:`sim.network.routing`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sim.errors import NetworkError
from sim.files.atomic import write_atomic
from sim.network.road_classes import ROAD_CLASSES

if TYPE_CHECKING:
    import networkx as nx
    from scipy.spatial import cKDTree

#: Version of the ``.npz`` layout written by :meth:`RoadNetwork.save`; bump on change.
COMPILED_FORMAT_VERSION = 1


@dataclass(frozen=True, kw_only=True, eq=False)
class RoadNetwork:
    """A directed road network in projected metres, compiled to arrays.

    Node arrays are indexed by node index ``0..n_nodes-1``; edge arrays by edge index,
    sorted by (source, target) and equal to the CSR data order.

    Attributes
    ----------
    name
        Region name or file stem.
    crs
        Projected CRS of ``x_m``/``y_m``.
    x_m, y_m, elevation_m
        Node position and ground elevation (NaN where unknown), metres.
    jurisdiction
        Jurisdiction index of each node (int8) into ``jurisdiction_names``.
    jurisdiction_names
        Jurisdiction names, in index order.
    node_osmid
        Original node id (OSM id for loaded files, the node index for generated ones).
    edge_source, edge_target
        Node indices of each directed edge (int32).
    length_m, speed_kph, lanes, capacity_veh_per_h, travel_time_s
        Free-flow attributes per edge; lanes and capacity are per direction.
    road_class
        Index into :data:`ROAD_CLASSES` (int8).
    bridge
        True for edges on a bridge.
    indptr
        CSR row pointer over ``edge_target`` (int32), length ``n_nodes + 1``.
    places
        Tables of settlements, shelters, stations, depots, wells, pipelines (may be empty).
    node_population_persons
        Residents per node, or None when the source has no population.
    features
        Named polylines (``"river"``, ``"border"``) in projected metres.
    seed
        Generator seed for built-in regions, else None.
    notes
        What building the region dropped, moved or assumed, in words (said by
        ``sim region check``, ``sim network`` and before runs on the region).
    """

    name: str
    crs: str
    x_m: np.ndarray
    y_m: np.ndarray
    elevation_m: np.ndarray
    jurisdiction: np.ndarray
    jurisdiction_names: tuple[str, ...]
    node_osmid: np.ndarray
    edge_source: np.ndarray
    edge_target: np.ndarray
    length_m: np.ndarray
    speed_kph: np.ndarray
    lanes: np.ndarray
    capacity_veh_per_h: np.ndarray
    travel_time_s: np.ndarray
    road_class: np.ndarray
    bridge: np.ndarray
    indptr: np.ndarray
    places: dict[str, pd.DataFrame] = field(default_factory=dict)
    node_population_persons: np.ndarray | None = None
    features: dict[str, np.ndarray] = field(default_factory=dict)
    seed: int | None = None
    notes: tuple[str, ...] = ()

    # ------------------------------------------------------------------ basics
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.x_m.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges after parallel edges were reduced."""
        return int(self.edge_source.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the compiled arrays (excluding places and caches)."""
        arrays = [getattr(self, f) for f in NODE_FIELDS + EDGE_FIELDS] + [self.indptr]
        return int(sum(a.nbytes for a in arrays))

    def csr(self, weights: np.ndarray | None = None) -> sp.csr_matrix:
        """Return the network as a CSR matrix with ``weights`` (default travel time, s).

        The matrix shares ``indptr`` and ``edge_target`` with the network; only the
        data vector is the caller's. ``np.inf`` marks a closed edge.
        """
        data = self.travel_time_s if weights is None else check_weights(weights, self.n_edges)
        return sp.csr_matrix(
            (data, self.edge_target, self.indptr), shape=(self.n_nodes, self.n_nodes), copy=False
        )

    @cached_property
    def reverse_order(self) -> np.ndarray:
        """Edge permutation that sorts edges by (target, source), for reversed graphs."""
        return np.lexsort((self.edge_source, self.edge_target)).astype(np.int32)

    @cached_property
    def reverse_indptr(self) -> np.ndarray:
        """CSR row pointer of the reversed graph (rows = edge targets)."""
        counts = np.bincount(self.edge_target, minlength=self.n_nodes)
        return np.concatenate(([0], np.cumsum(counts))).astype(np.int32)

    def reverse_csr(self, weights: np.ndarray | None = None) -> sp.csr_matrix:
        """Return the reversed (transposed) network with ``weights`` in forward edge order.

        Trees grown on it give travel times *to* the sources (e.g. to shelters).
        """
        data = self.travel_time_s if weights is None else check_weights(weights, self.n_edges)
        order = self.reverse_order
        return sp.csr_matrix(
            (data[order], self.edge_source[order], self.reverse_indptr),
            shape=(self.n_nodes, self.n_nodes),
            copy=False,
        )

    @cached_property
    def _edge_key(self) -> np.ndarray:
        return self.edge_source.astype(np.int64) * self.n_nodes + self.edge_target

    def edge_ids(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Return the index of edge ``source[i] → target[i]`` for each pair (vectorised).

        Raises
        ------
        NetworkError
            If any pair has no edge.
        """
        key = np.asarray(source, np.int64) * self.n_nodes + np.asarray(target, np.int64)
        found = np.searchsorted(self._edge_key, key)
        found_clipped = np.minimum(found, self.n_edges - 1)
        missing = self._edge_key[found_clipped] != key
        if np.any(missing):
            k = int(np.argmax(missing))
            raise NetworkError(
                f"no edge from node {np.ravel(source)[k]} to node {np.ravel(target)[k]}"
            )
        return found_clipped

    @cached_property
    def _kdtree(self) -> cKDTree:
        from scipy.spatial import cKDTree

        return cKDTree(np.column_stack([self.x_m, self.y_m]))

    def nearest_nodes(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the nearest node index and its distance (m) for each point."""
        distance_m, node = self._kdtree.query(np.column_stack([x_m, y_m]))
        return node.astype(np.int64), distance_m

    def nodes_within(self, x_m: np.ndarray, y_m: np.ndarray, radius_m: float) -> np.ndarray:
        """Return the nodes within ``radius_m`` of any of the points, sorted (one tree)."""
        found = self._kdtree.query_ball_point(np.column_stack([x_m, y_m]), radius_m)
        return np.unique(np.concatenate([np.asarray(f, np.int64) for f in found]))

    def to_projected(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project WGS84 longitude/latitude (degrees) to this network's metres."""
        from pyproj import Transformer

        tr = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        return tr.transform(np.asarray(lon, float), np.asarray(lat, float))

    def to_lonlat(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return WGS84 longitude/latitude (degrees) of projected points."""
        from pyproj import Transformer

        tr = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        return tr.transform(np.asarray(x_m, float), np.asarray(y_m, float))

    @cached_property
    def _osmid_order(self) -> np.ndarray:
        return np.argsort(self.node_osmid, kind="stable")

    def node_index(self, osmid: int) -> int:
        """Return the index of the node whose OSM (or GraphML) id is ``osmid``.

        Raises
        ------
        NetworkError
            When no node has that id (it was not an intersection, or was dropped as not
            drivable or not strongly connected), saying to give lon/lat instead.
        """
        order = self._osmid_order
        at = int(np.searchsorted(self.node_osmid, osmid, sorter=order))
        if at < order.shape[0] and int(self.node_osmid[order[at]]) == int(osmid):
            return int(order[at])
        raise NetworkError(
            f"node id {osmid} is not a node of network {self.name!r} (not an intersection "
            "of its drivable roads, or dropped as not strongly connected; see "
            "`sim region check`); give lon and lat instead"
        )

    def jurisdiction_index(self, name: str) -> int:
        """Return the index of jurisdiction ``name``; the error lists the valid names."""
        try:
            return self.jurisdiction_names.index(name)
        except ValueError:
            valid = ", ".join(self.jurisdiction_names)
            raise NetworkError(
                f"unknown jurisdiction {name!r}; this network has: {valid}"
            ) from None

    def road_class_name(self, edge: int) -> str:
        """Return the road class of edge ``edge``."""
        return ROAD_CLASSES[int(self.road_class[edge])]

    def with_jurisdictions(self, jurisdiction: np.ndarray, names: tuple[str, ...]) -> RoadNetwork:
        """Return a copy whose nodes carry the given jurisdiction indices and names."""
        return replace(self, jurisdiction=jurisdiction.astype(np.int8), jurisdiction_names=names)

    # --------------------------------------------------------------- networkx
    def to_networkx(self) -> nx.MultiDiGraph:
        """Return an osmnx-style ``MultiDiGraph`` (for saving and plotting, not loops)."""
        from sim.network.export import network_to_graph

        return network_to_graph(self)

    # --------------------------------------------------------------- save/load
    def save(self, path: str | Path) -> Path:
        """Write the compiled network to ``path``, a ``.npz`` file.

        It keeps everything (places, population, features) and loads in well under a
        second (GraphML for other tools: :func:`sim.network.sources.save_network`). The
        file is written under a temporary name (unique per process) and renamed, so
        neither a crash nor two processes building the same cache file at once leave a
        half-written file.

        Raises
        ------
        NetworkError
            When ``path`` does not end in ``.npz``.
        """
        path = Path(path)
        if path.suffix.lower() != ".npz":
            raise NetworkError(
                f"{path}: a compiled network is written as .npz; give a FILE.npz "
                "(or use sim.network.save_network for .graphml)"
            )

        def write(tmp: Path) -> None:
            arrays = {f: getattr(self, f) for f in NODE_FIELDS + EDGE_FIELDS}
            meta = {
                "format_version": COMPILED_FORMAT_VERSION,
                "name": self.name,
                "crs": self.crs,
                "jurisdiction_names": list(self.jurisdiction_names),
                "seed": self.seed,
                "notes": list(self.notes),
                "places": {k: v.to_json(orient="split") for k, v in self.places.items()},
            }
            if self.node_population_persons is not None:
                arrays["node_population_persons"] = self.node_population_persons
            for key, line in self.features.items():
                arrays[f"feature_{key}"] = line
            with open(tmp, "wb") as fh:
                np.savez(fh, meta=np.array(json.dumps(meta)), indptr=self.indptr, **arrays)

        return write_atomic(path, write)

    @classmethod
    def load_compiled(cls, path: str | Path) -> RoadNetwork:
        """Load a network written by :meth:`save` (a ``.npz`` file).

        Raises
        ------
        NetworkError
            When the file is not a whole compiled network of this version, with the
            command that rebuilds it.
        """
        import zipfile
        from io import StringIO

        from sim.files.readers import FileError, check_file

        path = Path(path)
        fix = "rebuild it with `sim network --region SOURCE --save FILE.npz`"
        try:
            check_file(path, what="compiled network", fix=fix)
        except FileError as exc:
            raise NetworkError(str(exc)) from None
        try:
            with np.load(path, allow_pickle=False) as npz:
                meta = json.loads(str(npz["meta"]))
                arrays = {k: npz[k] for k in npz.files if k != "meta"}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            raise NetworkError(
                f"{path} is not a compiled network (a .npz archive that `sim network --save` "
                f"writes); {fix}"
            ) from None
        if not isinstance(meta, dict) or meta.get("format_version") != COMPILED_FORMAT_VERSION:
            raise NetworkError(f"{path} was written by another version of sim; {fix}")
        missing = [f for f in ("indptr", *NODE_FIELDS, *EDGE_FIELDS) if f not in arrays]
        if missing:
            raise NetworkError(f"{path} is not complete (no {', '.join(missing)}); {fix}")
        try:
            places = {
                k: pd.read_json(StringIO(v), orient="split") for k, v in meta["places"].items()
            }
            features = {k[8:]: v for k, v in arrays.items() if k.startswith("feature_")}
            network = cls(
                name=meta["name"],
                crs=meta["crs"],
                jurisdiction_names=tuple(meta["jurisdiction_names"]),
                seed=meta["seed"],
                notes=tuple(str(n) for n in meta.get("notes", [])),
                places=places,
                features=features,
                node_population_persons=arrays.get("node_population_persons"),
                indptr=arrays["indptr"],
                **{f: arrays[f] for f in NODE_FIELDS + EDGE_FIELDS},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise NetworkError(
                f"{path} has damaged contents ({type(exc).__name__}); {fix}"
            ) from None
        sizes = {f: getattr(network, f).shape for f in NODE_FIELDS + EDGE_FIELDS}
        n, m = network.n_nodes, network.n_edges
        if (
            any(sizes[f] != (n,) for f in NODE_FIELDS)
            or any(sizes[f] != (m,) for f in EDGE_FIELDS)
            or network.indptr.shape != (n + 1,)
        ):
            raise NetworkError(f"{path} has arrays of inconsistent lengths; {fix}")
        return network


NODE_FIELDS = ("x_m", "y_m", "elevation_m", "jurisdiction", "node_osmid")
EDGE_FIELDS = (
    "edge_source",
    "edge_target",
    "length_m",
    "speed_kph",
    "lanes",
    "capacity_veh_per_h",
    "travel_time_s",
    "road_class",
    "bridge",
)


def check_weights(weights: np.ndarray, n_edges: int) -> np.ndarray:
    """Return ``weights`` as float64, checked to hold one value per edge."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (n_edges,):
        raise NetworkError(
            f"edge weights must have one value per edge ({n_edges}), got shape {weights.shape}"
        )
    return weights
