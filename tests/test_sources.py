"""Loading real OSM XML written by the test through osmnx, and jurisdiction polygons."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.errors import InputError, NetworkError
from sim.network import load_network
from sim.network.road_classes import DEFAULT_SPEED_KPH
from tests.osm_fixtures import NODES, write_osm


def _node(net, osmid: int) -> int:
    return int(np.nonzero(net.node_osmid == osmid)[0][0])


@pytest.mark.parametrize("name", ["tiny.osm", "tiny.osm.bz2"])
def test_osm_xml_loads_through_osmnx(tmp_path, name) -> None:
    net = load_network(write_osm(tmp_path / name))
    assert net.crs.upper().startswith("EPSG:326")  # projected to UTM metres
    # osmnx simplified node 2; footway node 5 is gone; node 6, entered only by the one-way
    # 3 → 6, cannot be left by car: not strongly connected, dropped (and said so)
    assert sorted(net.node_osmid) == [1, 3, 4]
    assert any("dropped 1 nodes in 1 parts" in note for note in net.notes)
    assert any("OSM node 6" in note for note in net.notes)
    n1, n3, n4 = (_node(net, i) for i in (1, 3, 4))
    e13, e34 = net.edge_ids(np.array([n1, n3]), np.array([n3, n4]))
    assert net.speed_kph[e13] == 60.0  # from maxspeed
    assert net.speed_kph[e34] == DEFAULT_SPEED_KPH["residential"]  # filled by class
    # lanes=4 on a two-way primary: 2 per direction
    assert net.lanes[e13] == 2.0
    # 0.02° of longitude at 30.3° N ≈ 2 * 961.2 m great-circle; projection keeps it
    assert net.length_m[e13] == pytest.approx(1922.5, rel=2e-3)
    assert net.travel_time_s[e13] == pytest.approx(net.length_m[e13] / (60 / 3.6))
    assert net.jurisdiction_names == (name.split(".")[0],)


def test_one_way_streets_stay_one_way(tmp_path) -> None:
    # one-way 3 → 6 → 4 beside the two-way residential 3-4, and a spur 6-7: all
    # strongly connected, and 6 stays a junction
    nodes = {**NODES, 7: (105.72, 30.32)}
    ways = [
        (10, [1, 2, 3], {"highway": "primary"}),
        (11, [3, 4], {"highway": "residential"}),
        (12, [3, 6], {"highway": "tertiary", "oneway": "yes"}),
        (15, [6, 4], {"highway": "tertiary", "oneway": "yes"}),
        (16, [6, 7], {"highway": "residential"}),
    ]
    net = load_network(write_osm(tmp_path / "loop.osm", nodes=nodes, ways=ways))
    assert sorted(net.node_osmid) == [1, 3, 4, 6, 7]
    assert not any("dropped" in note for note in net.notes)
    n3, n6 = _node(net, 3), _node(net, 6)
    net.edge_ids(np.array([n3]), np.array([n6]))
    with pytest.raises(NetworkError):
        net.edge_ids(np.array([n6]), np.array([n3]))


def test_jurisdiction_polygons_from_geojson(tmp_path) -> None:
    osm = write_osm(tmp_path / "tiny.osm")

    def square(lon0, lon1):
        return {
            "type": "Polygon",
            "coordinates": [[[lon0, 30.2], [lon1, 30.2], [lon1, 30.4], [lon0, 30.4], [lon0, 30.2]]],
        }

    geo = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Suining"},
                "geometry": square(105.6, 105.715),
            },
            {
                "type": "Feature",
                "properties": {"name": "Tongnan"},
                "geometry": square(105.715, 105.8),
            },
        ],
    }
    path = tmp_path / "j.geojson"
    path.write_text(json.dumps(geo))
    net = load_network(osm, jurisdictions=path)
    assert net.jurisdiction_names == ("Suining", "Tongnan")
    names = {
        int(o): net.jurisdiction_names[j]
        for o, j in zip(net.node_osmid, net.jurisdiction, strict=True)
    }
    assert names == {1: "Suining", 3: "Tongnan", 4: "Tongnan"}


def test_bad_geojson(tmp_path) -> None:
    osm = write_osm(tmp_path / "tiny.osm")
    (tmp_path / "bad.geojson").write_text("{not json")
    with pytest.raises(InputError, match=r"bad\.geojson: is not valid JSON"):
        load_network(osm, jurisdictions=tmp_path / "bad.geojson")
    (tmp_path / "noname.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "Point", "coordinates": [0, 0]},
                    }
                ],
            }
        )
    )
    with pytest.raises(InputError, match=r"features\[0\] has no 'name'"):
        load_network(osm, jurisdictions=tmp_path / "noname.geojson")


def test_bad_network_files(tmp_path) -> None:
    with pytest.raises(NetworkError, match="neither a built-in region"):
        load_network(tmp_path / "missing.osm")
    (tmp_path / "junk.osm").write_text("this is not xml")
    with pytest.raises(NetworkError, match="could not be read as OSM XML"):
        load_network(tmp_path / "junk.osm")
    (tmp_path / "junk.graphml").write_text("<graphml>")
    with pytest.raises(NetworkError, match="could not be read as an osmnx GraphML"):
        load_network(tmp_path / "junk.graphml")
    (tmp_path / "roads.txt").write_text("x")
    with pytest.raises(NetworkError, match="unknown file type"):
        load_network(tmp_path / "roads.txt")
    paths = write_osm(tmp_path / "paths.osm", ways=[(1, [1, 2, 3], {"highway": "footway"})])
    with pytest.raises(NetworkError, match="no drivable roads"):
        load_network(paths)
    empty = write_osm(tmp_path / "empty.osm", nodes=NODES, ways=[])
    with pytest.raises(NetworkError):
        load_network(empty)


def test_a_place_that_cannot_be_downloaded_says_which_server_in_one_line(
    tmp_path, monkeypatch, capsys
) -> None:
    """The real osmnx download path against a server that refuses the connection.

    osmnx's geocoder is pointed at 127.0.0.1 port 9 (nothing listens there), so the test
    gives the same answer online and offline; nothing is written in the working folder
    (osmnx would cache to ./cache by default) nor in sim's cache.
    """
    import osmnx as ox

    from sim.cli.app import main

    monkeypatch.setattr(ox.settings, "nominatim_url", "http://127.0.0.1:9/")
    monkeypatch.setenv("SIM_CACHE_DIR", str(tmp_path / "sim-cache"))
    monkeypatch.chdir(tmp_path)
    assert main(["network", "--region", "place:Tongnan District, Chongqing, China"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "sim: error: could not download 'Tongnan District, Chongqing, China' through osmnx: "
        "no connection to 127.0.0.1; this needs internet access, or give a local "
        ".osm/.graphml file"
    ]
    assert not list(tmp_path.rglob("*.graphml"))  # nothing downloaded, nothing cached
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["sim-cache"])  # no ./cache
    assert ox.settings.cache_folder == "./cache"  # osmnx's setting is given back
