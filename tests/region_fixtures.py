"""A county built only from files the test writes: OSM XML, GIS layers, a DEM, a river.

The road grid: 6 columns (lon 105.70 .. 105.75, every 0.01° ≈ 962 m) x 5 rows (lat
30.30 .. 30.34, every 0.01° ≈ 1,109 m) of two-way residential streets, the middle row a
primary. OSM ids: 100 + 10 * row + column (row 0 = lat 30.30, column 0 = lon 105.70).

East of the grid lies a **one-way pocket**: nodes 901 (105.765, 30.32) and 902 (105.765,
30.33), entered by a one-way street from grid node 125 (105.75, 30.32) and left only by
a footway and a way under construction: not strongly connected, so it is dropped.

The DEM (EPSG:4326, 0.0025° cells whose centres fall on the grid's lon/lat) encodes
ground = 250 + 2000 |lat - 30.315| - 100 (lon - 105.70) metres: a valley along lat
30.315 falling gently east, where the river runs (west to east, upstream first).
Jurisdictions: West (lon < 105.725) and East.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.osm_fixtures import write_osm

LONS = [105.70 + 0.01 * c for c in range(6)]
LATS = [30.30 + 0.01 * r for r in range(5)]
RIVER_LAT = 30.315
DEM_CELL_DEG = 0.0025


def grid_id(row: int, col: int) -> int:
    return 100 + 10 * row + col


def ground_m(lon: float, lat: float) -> float:
    """The elevation the DEM encodes at a cell centre (m)."""
    return 250.0 + 2000.0 * abs(lat - RIVER_LAT) - 100.0 * (lon - 105.70)


def county_osm(path: Path, *, pocket: bool = True) -> Path:
    nodes = {
        grid_id(r, c): (round(LONS[c], 5), round(LATS[r], 5)) for r in range(5) for c in range(6)
    }
    ways = []
    wid = 1000
    for r in range(5):
        wid += 1
        tags = {"highway": "primary" if r == 2 else "residential"}
        ways.append((wid, [grid_id(r, c) for c in range(6)], tags))
    for c in range(6):
        wid += 1
        ways.append((wid, [grid_id(r, c) for r in range(5)], {"highway": "residential"}))
    if pocket:
        nodes[901] = (105.765, 30.32)
        nodes[902] = (105.765, 30.33)
        ways += [
            (2001, [grid_id(2, 5), 901], {"highway": "residential", "oneway": "yes"}),
            (2002, [901, 902], {"highway": "residential"}),
            (2003, [902, grid_id(3, 5)], {"highway": "footway"}),
            (2004, [901, grid_id(1, 5)], {"highway": "construction"}),
            (2005, [grid_id(0, 0), grid_id(0, 1)], {"highway": "service", "service": "driveway"}),
        ]
    return write_osm(path, nodes=nodes, ways=ways)


def square(lon0: float, lon1: float, lat0: float = 30.29, lat1: float = 30.35) -> dict:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature_collection(features: list[tuple[dict, dict]]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props, "geometry": geom}
                for props, geom in features
            ],
        }
    )


def write_dem(path: Path, *, crs: str | None = "EPSG:4326") -> Path:
    """The DEM of the module docstring, as a float64 GeoTIFF (optionally without a CRS)."""
    import rasterio
    from affine import Affine

    west = LONS[0] - 0.02 - DEM_CELL_DEG / 2
    north = LATS[-1] + 0.02 + DEM_CELL_DEG / 2
    cols, rows = 40, 32
    lon = west + DEM_CELL_DEG * (np.arange(cols) + 0.5)
    lat = north - DEM_CELL_DEG * (np.arange(rows) + 0.5)
    grid = np.array([[ground_m(x, y) for x in lon] for y in lat])
    profile = {
        "driver": "GTiff",
        "height": rows,
        "width": cols,
        "count": 1,
        "dtype": "float64",
        "transform": Affine(DEM_CELL_DEG, 0.0, west, 0.0, -DEM_CELL_DEG, north),
        "nodata": -9999.0,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid, 1)
    return path


def write_county(folder: Path, *, pocket: bool = True) -> Path:
    """Every file of the county and its manifest ``county.toml``; return the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    county_osm(folder / "roads.osm", pocket=pocket)
    (folder / "districts.geojson").write_text(
        feature_collection(
            [
                ({"name": "West"}, square(105.69, 105.725)),
                ({"name": "East"}, square(105.725, 105.78)),
            ]
        )
    )
    rows = ["lon,lat,persons"]
    for r in range(5):
        for c in range(6):
            rows.append(f"{LONS[c]:.2f},{LATS[r]:.2f},{100 + 10 * r + c}")
    (folder / "people.csv").write_text("\n".join(rows) + "\n")
    (folder / "shelters.csv").write_text(
        "name,lon,lat,capacity\n"
        "West School,105.70,30.34,3000\n"
        "East Hall,105.75,30.34,3000\n"
        "Hill Camp,105.73,30.30,500\n"
    )
    (folder / "stations.csv").write_text(
        "name,tier,lon,lat,teams\n"
        "West Fire,ground,105.71,30.33,2\n"
        "East Fire,ground,105.74,30.33,2\n"
        "West Village Post,community,105.71,30.30,1\n"
        "East Village Post,community,105.74,30.30,1\n"
        "Air Base,aviation,105.72,30.34,1\n"
        "Pocket Post,community,105.765,30.328,1\n"
    )
    (folder / "depots.csv").write_text(
        "name,level,lon,lat,stock\nWest Depot,district,105.70,30.33,2000\n"
        "East Depot,town,105.75,30.33,500\n"
    )
    (folder / "villages.csv").write_text(
        "name,lon,lat\nLowtown,105.72,30.31\nRiverside,105.74,30.32\nUpville,105.71,30.34\n"
    )
    (folder / "wells.csv").write_text("name,lon,lat\nWell-1,105.72,30.305\n")
    (folder / "river.geojson").write_text(
        feature_collection(
            [
                (
                    {"name": "river"},
                    {
                        "type": "LineString",
                        "coordinates": [[105.695, RIVER_LAT], [105.755, RIVER_LAT]],
                    },
                )
            ]
        )
    )
    write_dem(folder / "dem.tif")
    manifest = folder / "county.toml"
    manifest.write_text(
        'name = "county"\n'
        'roads = "roads.osm"\n'
        'jurisdictions = "districts.geojson"\n'
        'population = "people.csv"\n'
        'shelters = "shelters.csv"\n'
        'stations = "stations.csv"\n'
        'depots = "depots.csv"\n'
        'settlements = "villages.csv"\n'
        'wells = "wells.csv"\n'
        'elevation = "dem.tif"\n'
        'river = { file = "river.geojson", bank_height_m = 0.0 }\n'
    )
    return manifest
