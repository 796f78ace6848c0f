"""A region built only from files: manifest, hygiene report, formats and CRSs, rasters.

The county is :mod:`tests.region_fixtures`: a 6 x 5 OSM grid (corner nodes are not
junctions, so osmnx simplifies them away), a one-way pocket east of it, two districts,
a DEM and a river.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli.app import main
from sim.errors import ScenarioError
from sim.regions.source import build_region_report, load_region
from tests.region_fixtures import (
    LATS,
    LONS,
    county_osm,
    feature_collection,
    grid_id,
    ground_m,
    square,
    write_county,
    write_dem,
)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory):
    return write_county(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def built(county):
    return build_region_report(county)


def _node(net, osmid: int) -> int:
    return net.node_index(osmid)


def test_the_one_way_pocket_is_dropped_and_its_station_moved(built, county, capsys) -> None:
    net, report = built.network, built.report
    assert 901 not in net.node_osmid and 902 not in net.node_osmid
    # 26 junctions of the grid: the 4 corners are inside a street, not junctions
    assert net.n_nodes == 26
    text = "\n".join(report.lines())
    assert "dropped 2 nodes in 1 parts that cars cannot both enter and leave" in text
    assert "2 nodes around lon 105.76500, lat 30.32500 (OSM node 901)" in text
    assert "highway=construction 2" in text and "service=driveway 2" in text
    # the pocket's station goes to the nearest kept node, grid node 135 (105.75, 30.33)
    stations = net.places["stations"].set_index("name")
    assert stations.loc["Pocket Post", "node"] == _node(net, grid_id(3, 5))
    assert "Pocket Post to node 135 (OSM id)" in text
    # the pocket's problems are kept with the network and said by the command
    assert any("OSM node 901" in note for note in net.notes)
    assert main(["region", "check", str(county)]) == 0
    out = capsys.readouterr().out
    assert "moved out of parts dropped as not strongly connected: Pocket Post" in out
    assert "residents: 3,675" in out


def test_layers_snap_to_the_nodes_they_name(built) -> None:
    net = built.network
    # jurisdictions from polygons: West up to lon 105.725
    for c in range(1, 5):
        j = net.jurisdiction_names[net.jurisdiction[_node(net, grid_id(1, c))]]
        assert j == ("West" if LONS[c] < 105.725 else "East")
    # 100 + 10 r + c persons at each grid point, all 3,675 kept; a corner's go to a neighbour
    residents = net.node_population_persons
    assert residents.sum() == sum(100 + 10 * r + c for r in range(5) for c in range(6))
    assert residents[_node(net, grid_id(2, 2))] == 122
    shelters = net.places["shelters"].set_index("name")
    assert shelters.loc["Hill Camp", "node"] == _node(net, grid_id(0, 3))
    assert shelters.loc["Hill Camp", "capacity_persons"] == 500
    depots = net.places["depots"].set_index("name")
    assert depots.loc["West Depot", ["level", "stock_kits"]].tolist() == ["district", 2000]
    # a settlement without a population counts the residents within 1,500 m
    upville = net.places["settlements"].set_index("name").loc["Upville"]
    near = np.hypot(net.x_m - upville["x_m"], net.y_m - upville["y_m"]) <= 1500.0
    assert upville["population_persons"] == residents[near].sum()
    assert "border" in net.features and len(net.features["border"]) >= 2


def test_the_dem_gives_the_elevations_it_encodes(built) -> None:
    net = built.network
    for r in range(5):
        for c in range(1, 5):
            node = _node(net, grid_id(r, c))
            assert net.elevation_m[node] == pytest.approx(ground_m(LONS[c], LATS[r]), abs=1e-9)


def test_the_river_runs_upstream_first_with_its_bank_rule(built) -> None:
    river = built.network.features["river"]
    assert river[0, 0] < river[-1, 0]  # west (higher ground) first
    assert built.network.features["river_bank_height_m"].tolist() == [0.0]


def _shelter_files(tmp_path):
    """The same three shelters as CSV lon/lat, CSV x/y + crs, GeoJSON, GeoPackage, Shapefile."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {"name": ["A", "B", "C"], "capacity": [100, 250, 40]},
        geometry=gpd.points_from_xy([105.71, 105.73, 105.745], [30.31, 30.325, 30.339]),
        crs="EPSG:4326",
    )
    files = {}
    path = tmp_path / "lonlat.csv"
    pd.DataFrame({"name": frame["name"], "lon": frame.geometry.x, "lat": frame.geometry.y,
                  "capacity": frame["capacity"]}).to_csv(path, index=False)  # fmt: skip
    files["csv lon/lat"] = {"file": str(path)}
    utm = frame.to_crs("EPSG:32648")
    path = tmp_path / "xy.csv"
    pd.DataFrame({"name": utm["name"], "x": utm.geometry.x, "y": utm.geometry.y,
                  "capacity": utm["capacity"]}).to_csv(path, index=False)  # fmt: skip
    files["csv x/y"] = {"file": str(path), "crs": "EPSG:32648"}
    frame.to_file(tmp_path / "s.geojson", driver="GeoJSON")
    files["geojson"] = {"file": str(tmp_path / "s.geojson")}
    frame.to_crs("EPSG:3857").to_file(tmp_path / "s.gpkg", layer="shelters", driver="GPKG")
    files["gpkg 3857"] = {"file": str(tmp_path / "s.gpkg"), "layer": "shelters"}
    utm.rename(columns={"capacity": "CAP"}).to_file(tmp_path / "s.shp")
    files["shp utm"] = {"file": str(tmp_path / "s.shp"), "columns": {"capacity_persons": "CAP"}}
    return files


def test_every_vector_format_and_crs_gives_the_same_region(tmp_path) -> None:
    roads = county_osm(tmp_path / "roads.osm")
    tables = {
        kind: load_region(roads=str(roads), shelters=spec).places["shelters"]
        for kind, spec in _shelter_files(tmp_path).items()
    }
    first = tables.pop("csv lon/lat")
    assert first["capacity_persons"].tolist() == [100, 250, 40]
    net = load_region(roads=str(roads))
    assert first["node"].tolist() == [
        _node(net, grid_id(1, 1)),
        _node(net, grid_id(2, 3)),
        _node(net, grid_id(4, 4)),
    ]
    for kind, table in tables.items():
        pd.testing.assert_frame_equal(table, first, obj=kind)


def test_geodataframes_in_memory_build_the_same_region(tmp_path) -> None:
    import geopandas as gpd

    roads = county_osm(tmp_path / "roads.osm")
    files = _shelter_files(tmp_path)
    frame = gpd.read_file(files["gpkg 3857"]["file"], layer="shelters")
    net = load_region({"roads": str(roads), "shelters": frame})
    expected = load_region(roads=str(roads), shelters=files["csv lon/lat"]).places["shelters"]
    pd.testing.assert_frame_equal(net.places["shelters"], expected)


def test_population_raster_and_polygons_give_the_counts_they_encode(tmp_path) -> None:
    import rasterio
    from affine import Affine

    roads = county_osm(tmp_path / "roads.osm", pocket=False)
    net = load_region(roads=str(roads))
    # a UTM raster: three 100 m cells centred on three junctions, 100.4 + 250.3 + 7.3 persons
    cells = {grid_id(1, 1): 100.4, grid_id(2, 3): 250.3, grid_id(3, 4): 7.3}
    x = np.array([net.x_m[_node(net, n)] for n in cells])
    y = np.array([net.y_m[_node(net, n)] for n in cells])
    west, north = x.min() - 1050.0, y.max() + 1050.0
    grid = np.zeros((60, 60))
    for persons, xi, yi in zip(cells.values(), x, y, strict=True):
        grid[int((north - yi) // 100), int((xi - west) // 100)] = persons
    with rasterio.open(
        tmp_path / "pop.tif", "w", driver="GTiff", height=60, width=60, count=1,
        dtype="float64", crs="EPSG:32648", transform=Affine(100.0, 0.0, west, 0.0, -100.0, north),
    ) as dst:  # fmt: skip
        dst.write(grid, 1)
    residents = load_region(roads=str(roads), population=str(tmp_path / "pop.tif"))
    people = residents.node_population_persons
    assert people.sum() == 358  # round(358.0): the total is kept
    assert [people[_node(net, n)] for n in cells] == [101, 250, 7]  # largest remainder: .4 up
    # polygons: 1,000 persons over the 4 junctions of a square, 100 over 3 junctions in a row
    polygons = feature_collection(
        [
            ({"persons": 1000}, square(105.705, 105.725, 30.305, 30.325)),
            ({"persons": 100}, square(105.715, 105.745, 30.335, 30.345)),
        ]
    )
    (tmp_path / "blocks.geojson").write_text(polygons)
    people = load_region(roads=str(roads), population=str(tmp_path / "blocks.geojson"))
    people = people.node_population_persons
    assert people.sum() == 1100
    for r, c in ((1, 1), (1, 2), (2, 1), (2, 2)):
        assert people[_node(net, grid_id(r, c))] == 250
    top = sorted(people[_node(net, grid_id(4, c))] for c in (2, 3, 4))
    assert top == [33, 33, 34]


def test_graphml_from_another_tool_keeps_its_meaning(tmp_path) -> None:
    import networkx as nx
    import osmnx as ox
    from pyproj import Transformer

    to_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    graph = nx.MultiDiGraph(crs="EPSG:3857")
    for i, lon in enumerate((105.70, 105.71, 105.72)):
        x, y = to_3857.transform(lon, 30.30)
        graph.add_node(7000 + i, x=x, y=y)
    for u, v, speed in ((7000, 7001, 40.0), (7001, 7002, 60.0)):
        for a, b in ((u, v), (v, u)):
            graph.add_edge(a, b, highway="residential", length=962.0, speed_kph=speed)
    ox.save_graphml(graph, tmp_path / "tool.graphml")
    net = load_region(roads=str(tmp_path / "tool.graphml"))
    assert net.crs == "EPSG:32648"  # projected to UTM, not left in Web Mercator
    a, b = _node(net, 7000), _node(net, 7001)
    # 0.01 degrees of longitude at 30.3 N is 961 m on the ground (1,113 m in EPSG:3857)
    assert np.hypot(net.x_m[a] - net.x_m[b], net.y_m[a] - net.y_m[b]) == pytest.approx(
        961, rel=3e-3
    )
    e = net.edge_ids(np.array([a, b]), np.array([b, _node(net, 7002)]))
    assert net.speed_kph[e].tolist() == [40.0, 60.0]  # speed_kph honoured, not 30 by class


def test_scenarios_built_in_python_validate_as_files_do(county) -> None:
    from sim.scenarios.behaviour import WarningSpec
    from sim.scenarios.scenario import RegionSpec, Scenario

    with pytest.raises(ScenarioError, match="region must be a RegionSpec"):
        Scenario(name="x", region={"source": str(county)})
    with pytest.raises(ScenarioError, match="level = 'extreme' is not valid"):
        WarningSpec(time_min=0, level="extreme", issued_by="West")
    with pytest.raises(ScenarioError, match="horizon_h must be > 0"):
        Scenario(name="x", horizon_h=-1)
    with pytest.raises(ScenarioError, match=r"region\.shelters\.band must be >= 1"):
        Scenario.from_dict({"name": "x", "region": {"shelters": {"file": "a.csv", "band": 0}}})
    scenario = Scenario.from_dict(
        {"name": "x", "region": {"source": county.name}}, folder=county.parent
    )
    assert scenario.region.source == str(county)
    assert RegionSpec(stations="s.csv").stations.file == "s.csv"


def test_population_persons_scales_a_file_region(county) -> None:
    from sim.regions.source import network_from_spec
    from sim.scenarios.scenario import RegionSpec

    net = network_from_spec(RegionSpec(source=str(county), population_persons=1000))
    assert net.node_population_persons.sum() == 1000
    assert any("residents scaled from 3,675 to 1,000" in n for n in net.notes)


def test_a_compiled_region_loads_with_its_notes(county, tmp_path, capsys) -> None:
    out = tmp_path / "county.npz"
    assert main(["region", "build", str(county), "--out", str(out)]) == 0
    from sim.network.compiled import RoadNetwork

    net = RoadNetwork.load_compiled(out)
    assert net.n_nodes == 26 and len(net.places["stations"]) == 6
    assert any("OSM node 901" in n for n in net.notes)
    capsys.readouterr()
    assert main(["network", "--region", str(out)]) == 0
    assert "OSM node 901" in capsys.readouterr().err
    write_dem(tmp_path / "unused.tif")  # the writer works without the county too
