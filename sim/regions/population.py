"""Residents of a region from a file: points, polygons or a raster, persons conserved.

- **Points** with ``persons`` (or ``population``): each point's persons go to its nearest
  road node.
- **Polygons** with ``persons``: spread in equal shares over the road nodes inside (a
  census block's residents live along its streets); a polygon holding no node gives its
  persons to the node nearest it; a layer none of whose polygons holds a node is refused
  (a wrong CRS, or the wrong file).
- **A raster** (GeoTIFF) of persons per cell: each cell's persons go to the node nearest
  the cell centre (nodata and non-positive cells hold nobody).

Persons outside the region are clipped (and counted) or refused when the region is
strict; persons whose node was dropped as not strongly connected move to the nearest
kept node and are counted. :func:`whole_persons` rounds to whole persons keeping the
total (largest remainders).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.files.readers import FileError
from sim.network.rasters import raster_points
from sim.regions.places import numbers, read_layer
from sim.regions.snapping import RegionArea, Snapped, snap_layer

if TYPE_CHECKING:
    import geopandas as gpd

    from sim.regions.manifest import LayerSpec
    from sim.regions.report import RegionReport

RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".asc", ".img")
#: Most persons at one point, in one polygon or one raster cell.
MAX_PERSONS = 50_000_000


def population_persons(
    spec: LayerSpec | gpd.GeoDataFrame, area: RegionArea, report: RegionReport, *, where: str
) -> np.ndarray:
    """Persons per node (float) from a population layer (see the module docstring)."""
    if str(getattr(spec, "file", "")).lower().endswith(RASTER_SUFFIXES):
        return _from_raster(spec, area, report, where=where)
    frame = read_layer(spec, area, kind="population", where=where)
    if "persons" not in frame.columns:
        raise FileError(
            f"{where}: {getattr(spec, 'file', 'the GeoDataFrame')} has no column persons (or "
            "population); add it, or name "
            'yours with columns = { persons = "YOUR_COLUMN" } for this layer'
        )
    every = np.arange(len(frame))
    persons = numbers(frame, "persons", every, where=where, default=0, low=0, high=MAX_PERSONS)
    kinds = set(frame.geometry.geom_type.dropna())
    if kinds and kinds <= {"Polygon", "MultiPolygon"}:
        return _from_polygons(frame, persons, area, report, where=where)
    snapped = snap_layer(frame, area, where=where, label="population point")
    return _assign(snapped, persons[snapped.rows], area, report, what="points")


def _assign(
    snapped: Snapped, persons: np.ndarray, area: RegionArea, report: RegionReport, *, what: str
) -> np.ndarray:
    report.snapped(
        f"population {what}",
        snapped,
        names=[f"row {int(r) + 1}" for r in snapped.rows],
        limit_m=area.snap_limit_m,
        weights=persons,
        unit="persons",
    )
    return np.bincount(snapped.node, weights=persons, minlength=area.network.n_nodes)


def _from_raster(
    spec: LayerSpec, area: RegionArea, report: RegionReport, *, where: str
) -> np.ndarray:
    import geopandas as gpd

    cells = raster_points(area.network, spec.file, where=where, band=spec.band, crs=spec.crs)
    if cells.value.size == 0:
        raise FileError(f"{where}: {spec.file} has no cell with persons (all nodata or 0)")
    frame = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(cells.x_m, cells.y_m), crs=area.network.crs
    )
    snapped = snap_layer(frame, area, where=where, label="population cell")
    outside = float(cells.value.sum() - cells.value[snapped.rows].sum())
    if outside:
        report.problems.append(
            f"population cells: {outside:,.0f} persons in cells outside the region, left out"
        )
    return _assign(snapped, cells.value[snapped.rows], area, report, what="cells")


def _from_polygons(
    frame: gpd.GeoDataFrame,
    persons: np.ndarray,
    area: RegionArea,
    report: RegionReport,
    *,
    where: str,
) -> np.ndarray:
    import shapely

    net = area.network
    polygons = frame.geometry.to_numpy()
    nodes = shapely.points(net.x_m, net.y_m)
    poly, node = shapely.STRtree(nodes).query(polygons, predicate="intersects")
    out = np.zeros(net.n_nodes)
    roads = area.roads
    dropped_poly = np.zeros(0, np.int64)
    dropped_node = np.zeros(0, np.int64)
    if roads is not None and roads.dropped_nodes:
        points = shapely.points(roads.dropped_x_m, roads.dropped_y_m)
        dropped_poly, dropped_node = shapely.STRtree(points).query(polygons, predicate="intersects")
    count = np.bincount(poly, minlength=len(frame)) + np.bincount(
        dropped_poly, minlength=len(frame)
    )
    if not (count > 0).any():
        raise FileError(
            f"{where}: none of the {len(frame):,} polygons covers a road node; check the "
            "layer's crs (and that it is this region's), or give points or a raster"
        )
    share = np.divide(persons, count, out=np.zeros(len(frame)), where=count > 0)
    np.add.at(out, node, share[poly])
    if dropped_poly.size:
        kept, _ = net.nearest_nodes(
            roads.dropped_x_m[dropped_node], roads.dropped_y_m[dropped_node]
        )
        moved = share[dropped_poly]
        np.add.at(out, kept, moved)
        if moved.sum() > 0:
            report.problems.append(
                f"population polygons: {moved.sum():,.0f} persons on nodes dropped as not "
                "strongly connected moved to the nearest kept node"
            )
    empty = np.nonzero(count == 0)[0]
    if empty.size:
        sub = frame.iloc[empty]
        snapped = snap_layer(sub, area, where=where, label="population polygon")
        out += np.bincount(
            snapped.node, weights=persons[empty][snapped.rows], minlength=net.n_nodes
        )
        report.problems.append(
            f"population polygons: {empty.size:,} hold no road node; their "
            f"{persons[empty][snapped.rows].sum():,.0f} persons went to the node nearest each"
            + (f" ({snapped.clipped:,} outside the region left out)" if snapped.clipped else "")
        )
    return out


def whole_persons(persons: np.ndarray) -> np.ndarray:
    """Round persons per node to whole persons, keeping the rounded total (largest remainder)."""
    floor = np.floor(persons)
    short = round(float(persons.sum()) - float(floor.sum()))
    if short > 0:
        remainder = persons - floor
        order = np.lexsort((np.arange(persons.shape[0]), -remainder))
        floor[order[:short]] += 1
    return floor.astype(np.int64)


def scaled_persons(persons: np.ndarray, total: int) -> np.ndarray:
    """Scale residents per node to ``total`` whole persons (the same shares; ties by node)."""
    have = float(persons.sum())
    if have <= 0:
        return np.zeros_like(persons, dtype=np.int64)
    return whole_persons(persons * (total / have))
