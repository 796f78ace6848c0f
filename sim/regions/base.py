"""The data contract between a region generator and :class:`sim.network.compiled.RoadNetwork`.

A region is plain arrays and tables: nodes in projected metres, directed edges with
a road class, and the places (settlements, shelters, stations, depots, wells) that a
scenario needs. ``RoadNetwork`` compiles it (speeds, travel times, capacities, CSR).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

#: Columns every places table must have (more are allowed).
PLACE_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "settlements": ("name", "kind", "x_m", "y_m", "node", "population_persons", "jurisdiction"),
        "shelters": ("name", "level", "node", "capacity_persons", "jurisdiction"),
        "stations": ("name", "tier", "node", "teams", "jurisdiction"),
        "depots": ("name", "level", "node", "stock_kits", "jurisdiction"),
        "wells": ("name", "x_m", "y_m", "node", "jurisdiction"),
        "pipelines": ("from_well", "to_well", "length_m"),
    }
)


@dataclass(frozen=True, kw_only=True)
class RegionData:
    """A road network with its places, as arrays, before compilation.

    Node arrays have one entry per node (index = node id used everywhere else).
    Edge arrays have one entry per *directed* edge: a two-way road appears twice.

    Attributes
    ----------
    name
        Region name, e.g. ``"fujiang"``.
    crs
        Projected CRS of ``x_m``/``y_m`` (an EPSG string such as ``"EPSG:32648"``).
    x_m, y_m
        Node coordinates in metres in ``crs``.
    elevation_m
        Ground elevation of each node in metres above sea level.
    jurisdiction
        Index into ``jurisdiction_names`` for each node (int8).
    jurisdiction_names
        Names of the jurisdictions, e.g. ``("Suining", "Tongnan")``.
    edge_source, edge_target
        Node indices of each directed edge (int32).
    edge_length_m
        Length of each edge along its geometry, metres (> 0).
    edge_highway
        OSM ``highway`` class of each edge (``"motorway"``, ``"primary"``, ``"residential"`` ...).
    edge_lanes
        Lanes per direction (float; NaN = unknown, filled by class).
    edge_maxspeed_kph
        Posted speed (float; NaN = unknown, filled by class).
    edge_bridge
        True where the edge is on a bridge.
    places
        Tables named as in :data:`PLACE_COLUMNS`; ``node`` columns index the node arrays.
    node_population_persons
        Residents whose home is each node (int64), summing to the settlements' population.
    features
        Named polylines in projected metres for maps and hazards, each an ``(n, 2)`` array:
        ``"river"`` (upstream first), ``"border"``; may be empty for loaded files.
    seed
        Seed the region was generated from (None for loaded files).
    node_osmid
        Original node ids (OSM ids for loaded files); None means ``0..n_nodes-1``.
    """

    name: str
    crs: str
    x_m: np.ndarray
    y_m: np.ndarray
    elevation_m: np.ndarray
    jurisdiction: np.ndarray
    jurisdiction_names: tuple[str, ...]
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_length_m: np.ndarray
    edge_highway: np.ndarray
    edge_lanes: np.ndarray
    edge_maxspeed_kph: np.ndarray
    edge_bridge: np.ndarray
    places: dict[str, pd.DataFrame] = field(default_factory=dict)
    node_population_persons: np.ndarray | None = None
    features: dict[str, np.ndarray] = field(default_factory=dict)
    seed: int | None = None
    node_osmid: np.ndarray | None = None

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.x_m.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.edge_source.shape[0])


def with_place_tables(places: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return ``places`` with an empty table (the right columns) for each one missing.

    A region that only evacuates has no stations or depots: its runs have no teams and
    no trucks, instead of needing dummy ones.
    """
    out = dict(places)
    for kind, columns in PLACE_COLUMNS.items():
        if kind not in out:
            out[kind] = pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})
    return out


def _dtype(column: str) -> str:
    if column in ("node", "teams", "capacity_persons", "stock_kits", "population_persons"):
        return "int64"
    if column in ("x_m", "y_m", "length_m"):
        return "float64"
    return "object"
