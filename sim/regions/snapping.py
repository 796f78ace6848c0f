"""Points of a region's layers onto road nodes: clipped, snapped, and reported.

- A point outside the region (outside the jurisdiction polygons when the region has
  them, else farther than the snap limit from every road node, dropped ones included)
  is *clipped*: left out
  and counted, or refused when the region is ``strict``.
- A point inside is snapped to its nearest road node; one farther than the snap limit
  (:data:`sim.regions.manifest.DEFAULT_SNAP_LIMIT_M`) is listed as a far snap.
- A point whose nearest node was dropped as not strongly connected
  (:mod:`sim.network.hygiene`) is *moved* to the nearest kept node, and listed.

A row may name its node by id instead (an ``osmid`` column): the OSM or GraphML id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.files.readers import FileError

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

    from sim.network.compiled import RoadNetwork
    from sim.network.hygiene import RoadsReport


@dataclass(frozen=True, kw_only=True)
class Snapped:
    """Where each kept row of a layer went.

    Attributes
    ----------
    rows
        Positions (in the layer) of the rows kept, i.e. not clipped.
    node, snap_m
        Node of each kept row and its distance from the point (m).
    x_m, y_m
        The point of each kept row (network CRS).
    moved
        For each kept row, True when its nearest node was dropped (a one-way pocket).
    moved_from_m
        Distance from the point to that dropped node (m; NaN where not moved).
    clipped
        Rows left out as outside the region.
    """

    rows: np.ndarray
    node: np.ndarray
    snap_m: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    moved: np.ndarray
    moved_from_m: np.ndarray
    clipped: int


@dataclass(frozen=True)
class RegionArea:
    """What counts as inside the region, and how far points may snap."""

    network: RoadNetwork
    outline: shapely.Geometry | None
    snap_limit_m: float
    strict: bool
    roads: RoadsReport | None

    def inside(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Return True for points inside the region (see the module docstring)."""
        import shapely

        if self.outline is not None:
            return shapely.contains_xy(self.outline, x_m, y_m) | shapely.intersects_xy(
                self.outline.boundary, x_m, y_m
            )
        _, distance = self.network.nearest_nodes(x_m, y_m)
        roads = self.roads
        if roads is not None and roads.dropped_nodes:  # a pocket's points are inside too
            from scipy.spatial import cKDTree

            tree = cKDTree(np.column_stack([roads.dropped_x_m, roads.dropped_y_m]))
            distance = np.minimum(distance, tree.query(np.column_stack([x_m, y_m]))[0])
        return distance <= self.snap_limit_m

    def snap_xy(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (moved, moved_from_m): points whose nearest node was dropped."""
        moved = np.zeros(x_m.shape[0], dtype=bool)
        moved_from = np.full(x_m.shape[0], np.nan)
        roads = self.roads
        if roads is None or roads.dropped_nodes == 0 or x_m.size == 0:
            return moved, moved_from
        from scipy.spatial import cKDTree

        tree = cKDTree(np.column_stack([roads.dropped_x_m, roads.dropped_y_m]))
        dropped_m, _ = tree.query(np.column_stack([x_m, y_m]))
        _, kept_m = self.network.nearest_nodes(x_m, y_m)
        moved = dropped_m < kept_m
        moved_from[moved] = dropped_m[moved]
        return moved, moved_from


def representative_xy(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return a point per row (polygons and lines give a point on themselves); NaN for none."""
    import shapely

    geometry = frame.geometry.to_numpy()
    empty = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    points = shapely.point_on_surface(np.where(empty, shapely.Point(0, 0), geometry))
    x = np.where(empty, np.nan, shapely.get_x(points))
    y = np.where(empty, np.nan, shapely.get_y(points))
    return x, y


def snap_layer(frame: gpd.GeoDataFrame, area: RegionArea, *, where: str, label: str) -> Snapped:
    """Clip and snap the rows of a layer (see the module docstring).

    Raises
    ------
    FileError
        For a row with neither a place nor a known node id, a point outside the region
        when ``strict``, or a layer whose every point is outside the region.
    """
    network = area.network
    x, y = representative_xy(frame)
    by_id = np.zeros(len(frame), dtype=bool)
    if "osmid" in frame.columns:
        ids = frame["osmid"].astype(str).str.strip()
        by_id = ~np.isfinite(x) & (ids != "").to_numpy()
        for i in np.nonzero(by_id)[0]:
            try:
                node = network.node_index(int(float(ids.iloc[i])))
            except ValueError as exc:
                raise FileError(f"{where}: row {i + 1} ({label}): {exc}") from None
            x[i], y[i] = network.x_m[node], network.y_m[node]
    missing = ~np.isfinite(x)
    if missing.any():
        i = int(np.argmax(missing))
        raise FileError(
            f"{where}: row {i + 1} ({label}) has no place (empty geometry); give it "
            "coordinates or an osmid"
        )
    inside = area.inside(x, y) | by_id
    if not inside.any():
        raise FileError(
            f"{where}: every {label} ({len(frame):,}) lies outside the region; check the "
            "file's crs (or the layer's crs key) and that it is this region's"
        )
    if area.strict and not inside.all():
        i = int(np.argmin(inside))
        raise FileError(
            f"{where}: row {i + 1} ({label}{_name(frame, i)}) lies outside the region and the "
            "region is strict; remove it, or drop strict (--strict) to clip it with a count"
        )
    rows = np.nonzero(inside)[0]
    node, snap_m = network.nearest_nodes(x[rows], y[rows])
    moved, moved_from = area.snap_xy(x[rows], y[rows])
    return Snapped(
        rows=rows,
        node=node,
        snap_m=snap_m,
        x_m=x[rows],
        y_m=y[rows],
        moved=moved,
        moved_from_m=moved_from,
        clipped=int((~inside).sum()),
    )


def _name(frame: gpd.GeoDataFrame, i: int) -> str:
    if "name" in frame.columns and str(frame["name"].iloc[i]).strip():
        return f" {str(frame['name'].iloc[i]).strip()!r}"
    return ""
