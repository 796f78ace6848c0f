"""The county of README "Your own region": every file its manifest and commands name.

The roads are the grid county of :mod:`tests.region_fixtures` (6 x 5 streets at lon
105.70 .. 105.75, lat 30.30 .. 30.34, with its one-way pocket east of the grid that
``sim region check`` reports as dropped), written as OSM XML (``county.osm``) and, through
pyosmium, as ``county.osm.pbf``. The GIS layers are written the way a district bureau
would have them, each in the format the README's manifest names:

- ``districts.gpkg``: West (lon < 105.725) and East, in UTM 48N (EPSG:32648);
- ``worldpop_100m.tif``: persons per 3-arc-second cell (WorldPop's 100 m grid, EPSG:4326,
  nodata -99999), 2,000 persons in all;
- ``shelters.csv`` (lon/lat, ``capacity_persons``, ``level``) and the same shelters as
  ``shelters.gpkg`` (Web Mercator) for the README's ``gpd.read_file("shelters.gpkg")``;
- ``stations.geojson`` (tier, teams, boats), ``depots.shp`` (UTM, its stock in ``STOCK``);
- ``villages.csv``, ``wells.csv``, ``river.geojson`` (the river along lat 30.315);
- ``dem.tif``: the DEM of :mod:`tests.region_fixtures` raised by 30 m, so the river bed
  lies at 275 .. 280 m and the manifest's ``warning_level_m = 281.5`` is 1.5 m above it
  at the upstream end.

``county.toml`` itself is the README's own manifest block, written as it stands.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.region_fixtures import (
    LATS,
    LONS,
    RIVER_LAT,
    county_osm,
    feature_collection,
    square,
    write_dem,
)

#: What ``my_flood.toml`` holds: a short flood on the README's county manifest.
MY_FLOOD = """\
name = "my_flood"
horizon_h = 1.0

[region]
source = "county.toml"

[[warnings]]
time_min = 0
level = "imminent"
issued_by = "West"
zone = { max_elevation_m = 295.0 }

[hazards.flood]
hydrograph = [{ time_min = 0, stage_m = 0.0 }, { time_min = 20, stage_m = 8.0 },
              { time_min = 60, stage_m = 8.0 }]
river_contact_m = 800.0
boat_teams = 1
"""
#: WorldPop's 100 m product: 3 arc-seconds per cell.
WORLDPOP_CELL_DEG = 1.0 / 1200.0
WORLDPOP_NODATA = -99999.0
WORLDPOP_PERSONS = 2000


def write_pbf(xml: Path, pbf: Path) -> Path:
    """Convert an OSM XML file to ``.osm.pbf`` with pyosmium (as ``osmium cat`` would)."""
    import osmium

    pbf.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    return pbf


def write_worldpop(path: Path) -> Path:
    """A population raster like WorldPop's: persons per cell, densest along the river."""
    import rasterio
    from affine import Affine

    west, north = LONS[0] - 0.005, LATS[-1] + 0.005
    cols = round((LONS[-1] + 0.005 - west) / WORLDPOP_CELL_DEG)
    rows = round((north - (LATS[0] - 0.005)) / WORLDPOP_CELL_DEG)
    lat = north - WORLDPOP_CELL_DEG * (np.arange(rows) + 0.5)
    weight = np.exp(-(((lat - RIVER_LAT) / 0.01) ** 2))[:, None] * np.ones((1, cols))
    grid = WORLDPOP_PERSONS * weight / weight.sum()
    grid[:3, :3] = WORLDPOP_NODATA  # a corner of nodata, as along a raster's edge
    profile = {
        "driver": "GTiff",
        "height": rows,
        "width": cols,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": Affine(WORLDPOP_CELL_DEG, 0.0, west, 0.0, -WORLDPOP_CELL_DEG, north),
        "nodata": WORLDPOP_NODATA,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid.astype(np.float32), 1)
    return path


def write_readme_county(folder: Path, manifest: str) -> None:
    """Write the README's county (see the module docstring) and ``my_flood.toml``."""
    import geopandas as gpd
    import rasterio
    from shapely.geometry import shape

    county_osm(folder / "county.osm")
    write_pbf(folder / "county.osm", folder / "county.osm.pbf")
    (folder / "county.toml").write_text(manifest, encoding="utf-8")
    (folder / "my_flood.toml").write_text(MY_FLOOD, encoding="utf-8")

    districts = gpd.GeoDataFrame(
        {"name": ["West", "East"]},
        geometry=[shape(square(105.69, 105.725)), shape(square(105.725, 105.78))],
        crs="EPSG:4326",
    )
    districts.to_crs("EPSG:32648").to_file(folder / "districts.gpkg", driver="GPKG")
    write_worldpop(folder / "worldpop_100m.tif")

    shelters = gpd.GeoDataFrame(
        {
            "name": ["West School", "East Hall", "Hill Camp"],
            "capacity_persons": [1500, 1500, 300],
            "level": ["county", "town", "village"],
        },
        geometry=gpd.points_from_xy([105.70, 105.75, 105.73], [30.34, 30.34, 30.30]),
        crs="EPSG:4326",
    )
    table = shelters.drop(columns="geometry").assign(
        lon=shelters.geometry.x, lat=shelters.geometry.y
    )
    table.to_csv(folder / "shelters.csv", index=False)
    shelters.to_crs("EPSG:3857").to_file(folder / "shelters.gpkg", driver="GPKG")

    stations = gpd.GeoDataFrame(
        {
            "name": ["West Fire", "East Fire", "West Post", "East Post", "Air Base", "Pocket"],
            "tier": ["ground", "ground", "community", "community", "aviation", "community"],
            "teams": [2, 2, 1, 1, 1, 1],
            "boats": [1, 1, 0, 0, 0, 0],
        },
        geometry=gpd.points_from_xy(
            [105.71, 105.74, 105.71, 105.74, 105.72, 105.765],
            [30.33, 30.33, 30.30, 30.30, 30.34, 30.328],
        ),
        crs="EPSG:4326",
    )
    stations.to_file(folder / "stations.geojson", driver="GeoJSON")

    depots = gpd.GeoDataFrame(
        {"name": ["West Depot", "East Depot"], "level": ["district", "town"], "STOCK": [800, 300]},
        geometry=gpd.points_from_xy([105.70, 105.75], [30.33, 30.33]),
        crs="EPSG:4326",
    )
    depots.to_crs("EPSG:32648").to_file(folder / "depots.shp")

    (folder / "villages.csv").write_text(
        "name,kind,lon,lat,radius_m\n"
        "Lowtown,town,105.72,30.31,800\n"
        "Riverside,village,105.74,30.32,600\n"
        "Upville,village,105.71,30.34,600\n"
    )
    (folder / "wells.csv").write_text("name,lon,lat\nWell-1,105.72,30.305\n")
    river = {"type": "LineString", "coordinates": [[105.695, RIVER_LAT], [105.755, RIVER_LAT]]}
    (folder / "river.geojson").write_text(feature_collection([({"name": "Fu"}, river)]))

    write_dem(folder / "dem.tif")
    with rasterio.open(folder / "dem.tif", "r+") as dem:
        dem.write(dem.read(1) + 30.0, 1)


def readme_manifest(toml_blocks: list[str]) -> str:
    """The README's manifest block (the ``toml`` block that starts ``# county.toml``)."""
    return next(b for b in toml_blocks if b.startswith("# county.toml\n"))
