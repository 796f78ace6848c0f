"""Network hygiene of loaded road graphs: drivable ways only, one strongly connected part.

A road file holds more than cars can use, and a clipped or badly tagged extract holds
pockets: streets entered by a one-way street and left only by footways or ways under
construction. Routing from such a pocket finds nothing, so static coverage, siting and
runs would measure a data artefact. Loaded graphs therefore keep

- the ways the drive filter admits (:mod:`sim.network.drive`), and
- the largest *strongly* connected component (``osmnx.truncate.largest_component``
  with ``strongly=True``): every kept node can reach and be reached from every other.

:class:`RoadsReport` says what was dropped, and keeps where the dropped nodes were, so
that people and places that would have snapped into a pocket are reported as moved
(:mod:`sim.regions.build`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.network.drive import FilterCount, count_failures, drive_failure
from sim.network.road_classes import ROAD_CLASSES

if TYPE_CHECKING:
    import networkx as nx

#: Dropped parts listed one by one in the report (the largest first).
LISTED_PARTS = 5


@dataclass(frozen=True)
class DroppedPart:
    """A group of nodes dropped because it is not strongly connected to the network."""

    nodes: int
    lon: float
    lat: float
    osmid: int


@dataclass(frozen=True, kw_only=True)
class RoadsReport:
    """What loading a road graph kept, dropped and assumed.

    Attributes
    ----------
    filtered
        Edges (or ways, for ``.osm.pbf``) the drive filter dropped, by reason.
    dropped_parts
        Parts not strongly connected to the largest one, largest first.
    dropped_x_m, dropped_y_m, dropped_osmid
        Where the dropped nodes were (network CRS) and their ids.
    source_crs, crs
        The file's CRS and the projected one the network uses.
    speed_sources
        Edges whose speed came from ``travel_time``, ``speed_kph``, ``maxspeed`` or the
        road class default (:data:`sim.network.road_classes.DEFAULT_SPEED_KPH`).
    elevation
        ``"file"`` when every node carried an ``elevation``, else ``"none"``.
    """

    filtered: FilterCount
    dropped_parts: tuple[DroppedPart, ...] = ()
    dropped_x_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dropped_y_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dropped_osmid: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    source_crs: str = "EPSG:4326"
    crs: str = ""
    speed_sources: dict[str, int] = field(default_factory=dict)
    elevation: str = "none"

    @property
    def dropped_nodes(self) -> int:
        """Nodes dropped as not strongly connected."""
        return int(self.dropped_x_m.shape[0])

    def lines(self) -> list[str]:
        """Return the report as lines of text (for ``sim region check`` and the network notes)."""
        out = [self.filtered.text()]
        if self.dropped_nodes:
            out.append(
                f"dropped {self.dropped_nodes:,} nodes in {len(self.dropped_parts):,} parts "
                "that cars cannot both enter and leave (not strongly connected to the "
                "largest part: one-way entries, exits only by footway or construction)"
            )
            for part in self.dropped_parts[:LISTED_PARTS]:
                out.append(
                    f"  {part.nodes:,} nodes around lon {part.lon:.5f}, lat {part.lat:.5f} "
                    f"(OSM node {part.osmid})"
                )
            if len(self.dropped_parts) > LISTED_PARTS:
                out.append(f"  ... and {len(self.dropped_parts) - LISTED_PARTS:,} more parts")
        else:
            out.append("strongly connected: every node reaches every other")
        if self.source_crs != self.crs:
            out.append(f"projected from {self.source_crs} to {self.crs} (metres)")
        shown = ", ".join(f"{k} {n:,}" for k, n in self.speed_sources.items() if n)
        if shown:
            out.append(f"edge speeds from: {shown}")
        return out


def drivable_edges(graph: nx.MultiDiGraph) -> tuple[list[tuple], FilterCount]:
    """Edges a car may use: a road class of :data:`ROAD_CLASSES` that passes the filter."""
    keep, reasons = [], []
    for u, v, k, data in graph.edges(keys=True, data=True):
        highway = data.get("highway")
        first = highway[0] if isinstance(highway, list) and highway else highway
        reason = drive_failure(data)
        if reason is None and first not in ROAD_CLASSES:
            reason = f"highway={first}"
        reasons.append(reason)
        if reason is None:
            keep.append((u, v, k))
    return keep, count_failures(reasons)


def largest_strong_component(
    graph: nx.MultiDiGraph,
) -> tuple[nx.MultiDiGraph, tuple[DroppedPart, ...], np.ndarray]:
    """Keep the largest strongly connected component (``osmnx.truncate``).

    Returns
    -------
    graph, parts, dropped
        The kept graph, the dropped parts (weakly connected groups of dropped nodes,
        largest first, then by smallest id) and the dropped node ids (sorted).
    """
    import networkx as nx
    import osmnx as ox

    kept = ox.truncate.largest_component(graph, strongly=True)
    dropped = np.array(sorted(set(graph.nodes) - set(kept.nodes)), dtype=np.int64)
    if dropped.size == 0:
        return kept, (), dropped
    groups = sorted(
        (sorted(g) for g in nx.weakly_connected_components(graph.subgraph(dropped.tolist()))),
        key=lambda g: (-len(g), g[0]),
    )
    lonlat = _lonlat(graph)
    parts = []
    for group in groups:
        lon, lat = lonlat(np.array([graph.nodes[n]["x"] for n in group], float),
                          np.array([graph.nodes[n]["y"] for n in group], float))  # fmt: skip
        parts.append(
            DroppedPart(
                nodes=len(group), lon=float(np.mean(lon)), lat=float(np.mean(lat)), osmid=group[0]
            )
        )
    return kept, tuple(parts), dropped


def _lonlat(graph: nx.MultiDiGraph):
    from pyproj import Transformer

    tr = Transformer.from_crs(graph.graph.get("crs", "EPSG:4326"), "EPSG:4326", always_xy=True)
    return lambda x, y: tr.transform(x, y)


def is_utm(crs: object) -> bool:
    """Return True when ``crs`` is a UTM zone (true metres near its centre)."""
    from pyproj import CRS

    return CRS.from_user_input(crs).utm_zone is not None
