"""Bad region files: one line ``sim: error: ...`` naming file, field, fix; exit 2; no writes.

The same contract and snapshot check as :mod:`tests.test_bad_input`, on the county of
:mod:`tests.region_fixtures`, through ``sim region build`` (which would write a file),
``sim run`` and ``sim coverage``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.cli.app import main
from tests.region_fixtures import feature_collection, square, write_county, write_dem
from tests.test_bad_input import snapshot


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], list[str]]
    expect: str


def edit(ws: Path, old: str, new: str) -> None:
    path = ws / "county.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def build(ws: Path) -> list[str]:
    return ["region", "build", "county.toml", "--out", "county.npz"]


def _missing(ws: Path) -> list[str]:
    (ws / "shelters.csv").unlink()
    return build(ws)


def _unknown_key(ws: Path) -> list[str]:
    edit(ws, 'shelters = "shelters.csv"', 'shelters = "shelters.csv"\nshelter = "x.csv"')
    return build(ws)


def _no_capacity(ws: Path) -> list[str]:
    (ws / "shelters.csv").write_text("name,lon,lat,beds\nA,105.71,30.31,10\n")
    return build(ws)


def _polygons_cover_nothing(ws: Path) -> list[str]:
    far = feature_collection([({"persons": 500}, square(106.5, 106.6, 31.0, 31.1))])
    (ws / "blocks.geojson").write_text(far)
    edit(ws, 'population = "people.csv"', 'population = "blocks.geojson"')
    edit(ws, 'jurisdictions = "districts.geojson"\n', "")
    return build(ws)


def _raster_without_crs(ws: Path) -> list[str]:
    write_dem(ws / "dem.tif", crs=None)
    return build(ws)


def _river_off_the_map(ws: Path) -> list[str]:
    line = {"type": "LineString", "coordinates": [[106.5, 31.0], [106.6, 31.0]]}
    (ws / "river.geojson").write_text(feature_collection([({}, line)]))
    return build(ws)


def _strict_outside(ws: Path) -> list[str]:
    (ws / "stations.csv").write_text(
        "name,tier,lon,lat\nInside,ground,105.71,30.31\nFar,ground,107.0,31.0\n"
    )
    return [*build(ws), "--strict"]


def _bad_tier(ws: Path) -> list[str]:
    (ws / "stations.csv").write_text("name,tier,lon,lat\nBoat,boat,105.71,30.31\n")
    return build(ws)


def _xy_without_crs(ws: Path) -> list[str]:
    (ws / "wells.csv").write_text("name,x,y\nW,569000,3352000\n")
    return build(ws)


def _scenario_missing_manifest_file(ws: Path) -> list[str]:
    (ws / "depots.csv").unlink()
    (ws / "s.toml").write_text('name = "s"\n[region]\nsource = "county.toml"\n')
    return ["run", "s.toml", "--out", "run", "--no-progress"]


def _flood_on_a_flat_region(ws: Path) -> list[str]:
    edit(ws, 'elevation = "dem.tif"\n', "")
    edit(ws, 'river = { file = "river.geojson", bank_height_m = 0.0 }\n', "")
    (ws / "s.toml").write_text(
        'name = "s"\n[region]\nsource = "county.toml"\n'
        '[[warnings]]\ntime_min = 0\nlevel = "risk"\nissued_by = "West"\n'
        "zone = { max_elevation_m = 270.0 }\n"
    )
    return ["run", "s.toml", "--out", "run", "--no-progress"]


CASES = [
    Case("missing-file", _missing, "county.toml: shelters file not found: "),
    Case("unknown-key", _unknown_key, "shelter is not a known key; did you mean 'shelters'?"),
    Case("csv-without-capacity", _no_capacity, "has no column capacity_persons (or capacity)"),
    Case(
        "polygons-cover-no-node",
        _polygons_cover_nothing,
        "county.toml: population: none of the 1 polygons covers a road node; check the layer's crs",
    ),
    Case(
        "raster-without-crs",
        _raster_without_crs,
        "dem.tif has no CRS; set crs = 'EPSG:...'",
    ),
    Case("river-off-the-map", _river_off_the_map, "from the nearest road node, off the map"),
    Case("strict-outside-point", _strict_outside, "row 2 (station 'Far') lies outside the region"),
    Case("bad-tier", _bad_tier, "tier 'boat' is not valid; use one of community, ground"),
    Case("csv-xy-without-crs", _xy_without_crs, "gives x,y but no crs; set crs = 'EPSG:...'"),
    Case("scenario-region-file-missing", _scenario_missing_manifest_file, "depots file not found"),
    Case("elevation-zone-on-flat-region", _flood_on_a_flat_region, "needs ground elevation"),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("county-template")
    write_county(folder)
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_region_input_is_one_line_exit_2_and_writes_nothing(
    case: Case, template: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(template, ws)
    monkeypatch.chdir(ws)
    argv = case.make(ws)
    before = snapshot(ws)
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2, f"exit {code}\n{err}"
    assert len(lines) == 1 and lines[0].startswith("sim: error: "), err
    assert case.expect in lines[0], lines[0]
    assert "Traceback" not in err + out
    assert snapshot(ws) == before
