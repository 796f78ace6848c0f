"""Read any vector file a GIS user has: CSV, GeoJSON, GeoPackage or Shapefile, in any CRS.

Files are read by geopandas through pyogrio (GDAL) and reprojected with pyproj to the
network's CRS. A CSV gives its places as ``lon,lat`` (WGS84 degrees, or the degrees of
the layer's ``crs``), as ``x,y`` with the layer's ``crs``, as well-known text in a
``wkt`` (or ``geometry``) column, or as ``osmid`` (a node id of the road file). Column
names are compared without case; a layer's ``columns`` table maps the names this tool
reads to the file's own (``columns = { capacity_persons = "CAP" }``). Every problem is
one :class:`~sim.files.readers.FileError` line naming the file, the field and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.files.readers import FileError, check_file, first_line, read_csv

if TYPE_CHECKING:
    import geopandas as gpd

#: File endings read as vector layers (besides ``.csv``).
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".kml")


def read_vector(
    path: str | Path,
    *,
    where: str,
    to_crs: str,
    crs: str | None = None,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer, reprojected to ``to_crs``, with lower-case column names.

    Parameters
    ----------
    path
        CSV, GeoJSON, GeoPackage, Shapefile (or another format GDAL reads).
    where
        What names the file, for messages (``"county.toml: shelters"``).
    to_crs
        CRS of the result (the network's).
    crs
        CRS of a file that has none (a CSV's ``x,y``, a Shapefile without ``.prj``).
    layer
        Layer of a multi-layer file (GeoPackage); default the first.
    columns
        This tool's column name -> the file's column name.

    Returns
    -------
    geopandas.GeoDataFrame
        Rows in file order; geometry None for rows given by ``osmid`` only.
    """
    import geopandas as gpd

    path = check_file(path, what=f"{where} file", fix="check the path (relative to the manifest)")
    if path.suffix.lower() == ".csv":
        frame = _read_csv_layer(path, where=where, crs=crs, columns=columns)
    else:
        frame = _read_gis_layer(path, where=where, crs=crs, layer=layer)
        frame = _renamed(frame, path, where, columns)
    if len(frame) == 0:
        raise FileError(f"{where}: {path} has no features; give at least one")
    try:
        frame = frame.to_crs(to_crs)
    except Exception as exc:  # pyproj raises several types for impossible transforms
        raise FileError(
            f"{where}: {path} cannot be reprojected from {frame.crs} to {to_crs} "
            f"({first_line(exc)}); check its crs"
        ) from None
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=to_crs)


def _read_gis_layer(
    path: Path, *, where: str, crs: str | None, layer: str | None
) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pyogrio

    try:
        if layer is not None:
            names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
            if layer not in names:
                raise FileError(
                    f"{where}: {path} has no layer {layer!r}; its layers are {', '.join(names)}"
                )
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except FileError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise DataSourceError and friends
        raise FileError(
            f"{where}: {path} could not be read as a GIS layer ({first_line(exc)}); give a "
            "CSV, GeoJSON, GeoPackage or Shapefile"
        ) from None
    frame.columns = [c if c == "geometry" else str(c).strip().lower() for c in frame.columns]
    if frame.crs is None:
        if crs is None:
            raise FileError(
                f"{where}: {path} has no CRS (a Shapefile without .prj?); set crs = "
                "'EPSG:4326' (or the file's EPSG code) for this layer in the manifest"
            )
        frame = frame.set_crs(_crs(crs, where))
    elif crs is not None and not frame.crs.equals(_crs(crs, where)):
        raise FileError(
            f"{where}: {path} is in {frame.crs.to_string()} but the manifest says crs = "
            f"{crs!r}; remove crs (it is for files that have none)"
        )
    return frame


def _read_csv_layer(
    path: Path, *, where: str, crs: str | None, columns: Mapping[str, str] | None
) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pandas as pd
    import shapely

    table = read_csv(path, what=f"{where} table", text_only=True)
    table = _renamed(table, path, where, columns)
    names = set(table.columns)

    def numbers(column: str) -> np.ndarray:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            raise FileError(
                f"{where}: {path}, line {i + 2}: {column} must be a number, got "
                f"{table[column].iloc[i]!r}"
            )
        return values

    if {"lon", "lat"} <= names:
        lon, lat = numbers("lon"), numbers("lat")
        bad = (np.abs(lat) > 90) | (np.abs(lon) > 180)
        if bad.any():
            i = int(np.argmax(bad))
            raise FileError(
                f"{where}: {path}, line {i + 2}: lon/lat must be degrees, got "
                f"{table['lon'].iloc[i]}, {table['lat'].iloc[i]}; for projected metres use "
                "columns x,y and set crs"
            )
        geometry = gpd.points_from_xy(lon, lat)
        layer_crs = _crs(crs, where) if crs is not None else "EPSG:4326"
    elif {"x", "y"} <= names:
        if crs is None:
            raise FileError(
                f"{where}: {path} gives x,y but no crs; set crs = 'EPSG:...' for this layer "
                "in the manifest (or give lon,lat in WGS84)"
            )
        geometry = gpd.points_from_xy(numbers("x"), numbers("y"))
        layer_crs = _crs(crs, where)
    elif names & {"wkt", "geometry"}:
        column = "wkt" if "wkt" in names else "geometry"
        try:
            geometry = shapely.from_wkt(table[column].to_numpy(str))
        except Exception as exc:  # shapely.errors.GEOSException
            raise FileError(
                f"{where}: {path}: column {column} is not well-known text ({first_line(exc)})"
            ) from None
        table = table.drop(columns=[column])
        layer_crs = _crs(crs, where) if crs is not None else "EPSG:4326"
    elif "osmid" in names:
        geometry = [None] * len(table)
        layer_crs = "EPSG:4326"
    else:
        raise FileError(
            f"{where}: {path} has no coordinates; give columns lon,lat (WGS84), x,y with a "
            "crs, wkt, or osmid (a node id of the road file)"
        )
    return gpd.GeoDataFrame(table, geometry=geometry, crs=layer_crs)


def _renamed(table, path: Path, where: str, columns: Mapping[str, str] | None):
    if not columns:
        return table
    lower = {str(c).lower(): c for c in table.columns}
    renames = {}
    for ours, theirs in columns.items():
        found = lower.get(str(theirs).strip().lower())
        if found is None:
            raise FileError(
                f"{where}: {path} has no column {theirs!r} (named by columns.{ours}); its "
                f"columns are {', '.join(str(c) for c in table.columns if c != 'geometry')}"
            )
        renames[found] = ours.lower()
    return table.rename(columns=renames)


def _crs(text: str, where: str) -> object:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise FileError(
            f"{where}: crs = {text!r} is not a CRS pyproj knows; give e.g. 'EPSG:4326' or "
            "'EPSG:32648'"
        ) from None
