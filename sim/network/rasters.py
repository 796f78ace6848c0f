"""Rasters on a road network: ground elevation from a DEM, persons from a population grid.

Read with rasterio. Elevations are sampled by osmnx's own
``osmnx.elevation.add_node_elevations_raster`` (the value of the cell holding each node;
the raster's nodata is unknown) on the nodes transformed into the raster's CRS. A raster
without a CRS is refused unless the layer sets ``crs``: its coordinates could be degrees
or metres of any zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.files.readers import FileError, check_file, first_line

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork


@dataclass(frozen=True)
class RasterPoints:
    """Cell centres of a raster's non-zero cells, in the network CRS, with their values."""

    x_m: np.ndarray
    y_m: np.ndarray
    value: np.ndarray


def _open(path: Path, where: str):
    import rasterio
    from rasterio.errors import RasterioIOError

    try:
        return rasterio.open(path)
    except (RasterioIOError, OSError) as exc:
        raise FileError(
            f"{where}: {path} could not be read as a raster ({first_line(exc)}); give a "
            "GeoTIFF (.tif)"
        ) from None


def _raster_crs(raster, path: Path, where: str, crs: str | None) -> str:
    if raster.crs is None:
        if crs is None:
            raise FileError(
                f"{where}: {path} has no CRS; set crs = 'EPSG:...' (the raster's own, e.g. "
                "'EPSG:4326' for degrees) for this layer in the manifest"
            )
        return crs
    if crs is not None and raster.crs.to_string() != crs:
        from pyproj import CRS

        if not CRS.from_user_input(raster.crs.to_wkt()).equals(CRS.from_user_input(crs)):
            raise FileError(
                f"{where}: {path} is in {raster.crs.to_string()} but the manifest says crs = "
                f"{crs!r}; remove crs (it is for rasters that have none)"
            )
    return raster.crs.to_wkt()


def _check_band(raster, path: Path, where: str, band: int) -> None:
    if not 1 <= band <= raster.count:
        raise FileError(f"{where}: {path} has {raster.count} band(s); band = {band} is not one")


def node_elevations_m(
    network: RoadNetwork, path: str | Path, *, where: str, band: int = 1, crs: str | None = None
) -> np.ndarray:
    """Ground elevation of every node from a DEM (NaN where the DEM has none).

    Raises
    ------
    FileError
        For an unreadable raster, a missing CRS, or a DEM that covers no node.
    """
    import networkx as nx
    import osmnx as ox
    from pyproj import Transformer

    path = check_file(path, what=f"{where} raster", fix="check the path (relative to the manifest)")
    with _open(path, where) as raster:
        raster_crs = _raster_crs(raster, path, where, crs)
        _check_band(raster, path, where, band)
        bounds = raster.bounds
    x, y = Transformer.from_crs(network.crs, raster_crs, always_xy=True).transform(
        network.x_m, network.y_m
    )
    inside = (x >= bounds.left) & (x <= bounds.right) & (y >= bounds.bottom) & (y <= bounds.top)
    if not inside.any():
        raise FileError(
            f"{where}: {path} covers none of the region's {network.n_nodes:,} nodes (its "
            f"bounds {bounds.left:g}, {bounds.bottom:g} - {bounds.right:g}, {bounds.top:g} "
            "are elsewhere); give the DEM of this region, or its crs if it has none"
        )
    graph = nx.MultiDiGraph(crs=raster_crs)
    index = np.nonzero(inside)[0]
    graph.add_nodes_from((int(i), {"x": float(x[i]), "y": float(y[i])}) for i in index)
    graph = ox.elevation.add_node_elevations_raster(graph, path, band=band, cpus=1)
    elevation = np.full(network.n_nodes, np.nan)
    elevation[index] = [float(graph.nodes[int(i)]["elevation"]) for i in index]
    return elevation


def raster_points(
    network: RoadNetwork, path: str | Path, *, where: str, band: int = 1, crs: str | None = None
) -> RasterPoints:
    """Cells of a raster with a positive value (persons per cell) as points on the network.

    Nodata cells and cells at or below zero are left out.
    """
    from pyproj import Transformer

    path = check_file(path, what=f"{where} raster", fix="check the path (relative to the manifest)")
    with _open(path, where) as raster:
        raster_crs = _raster_crs(raster, path, where, crs)
        _check_band(raster, path, where, band)
        values = raster.read(band, masked=True).astype(float).filled(np.nan)
        transform = raster.transform
    rows, cols = np.nonzero(np.isfinite(values) & (values > 0))
    from rasterio.transform import xy as cell_centres

    cx, cy = cell_centres(transform, rows, cols, offset="center")
    x, y = Transformer.from_crs(raster_crs, network.crs, always_xy=True).transform(
        np.asarray(cx, float), np.asarray(cy, float)
    )
    return RasterPoints(x_m=np.asarray(x), y_m=np.asarray(y), value=values[rows, cols])
