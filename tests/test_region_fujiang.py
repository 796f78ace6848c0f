"""The built-in "fujiang" region generator: determinism, topology, river, places."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sim.errors import SimError
from sim.regions.base import PLACE_COLUMNS, RegionData
from sim.regions.fujiang import (
    DEFAULT_POPULATION,
    DEFAULT_SEED,
    JURISDICTIONS,
    elevation_at,
    generate_fujiang,
)

ARRAYS = [
    f.name
    for f in dataclasses.fields(RegionData)
    if f.name not in {"name", "crs", "jurisdiction_names", "places", "features", "seed"}
]


@pytest.fixture(scope="module")
def region() -> RegionData:
    return generate_fujiang()


@pytest.fixture(scope="module")
def region_again() -> RegionData:
    return generate_fujiang(seed=DEFAULT_SEED)


@pytest.fixture(scope="module")
def region_million() -> RegionData:
    return generate_fujiang(population_persons=1_000_000)


def _graph(r: RegionData, mask: np.ndarray | None = None) -> coo_matrix:
    m = np.ones(r.n_edges, dtype=bool) if mask is None else mask
    s, t = r.edge_source[m], r.edge_target[m]
    return coo_matrix((np.ones(len(s)), (s, t)), shape=(r.n_nodes, r.n_nodes))


def _crosses_river(r: RegionData) -> np.ndarray:
    xy = np.column_stack([r.x_m, r.y_m])
    lines = shapely.linestrings(np.stack([xy[r.edge_source], xy[r.edge_target]], axis=1))
    return shapely.intersects(lines, shapely.LineString(r.features["river"]))


def _assert_same(a: RegionData, b: RegionData) -> None:
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None:  # optional arrays (node_osmid)
            assert y is None, name
            continue
        assert x.dtype == y.dtype, name
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    assert a.places.keys() == b.places.keys()
    for key in a.places:
        assert a.places[key].equals(b.places[key]), key
    assert a.features.keys() == b.features.keys()
    for key in a.features:
        assert np.array_equal(a.features[key], b.features[key]), key


def test_contract_types(region: RegionData) -> None:
    r = region
    assert r.name == "fujiang"
    assert r.crs == "EPSG:32648"
    assert r.seed == DEFAULT_SEED
    assert r.jurisdiction_names == JURISDICTIONS == ("Suining", "Tongnan")
    n, e = r.n_nodes, r.n_edges
    for name in ("x_m", "y_m", "elevation_m", "jurisdiction", "node_population_persons"):
        assert getattr(r, name).shape == (n,), name
    for name in ARRAYS:
        if name.startswith("edge_"):
            assert getattr(r, name).shape == (e,), name
    assert r.jurisdiction.dtype == np.int8
    assert r.edge_source.dtype == np.int32 and r.edge_target.dtype == np.int32
    assert r.edge_bridge.dtype == bool
    assert r.node_population_persons.dtype == np.int64
    assert np.isfinite(r.x_m).all() and np.isfinite(r.elevation_m).all()


def test_same_seed_is_bit_identical(region: RegionData, region_again: RegionData) -> None:
    _assert_same(region, region_again)


def test_population_does_not_change_the_network(
    region: RegionData, region_million: RegionData
) -> None:
    for name in ("x_m", "y_m", "edge_source", "edge_target", "edge_highway", "edge_bridge"):
        assert np.array_equal(getattr(region, name), getattr(region_million, name))


def test_other_seed_differs(region: RegionData) -> None:
    other = generate_fujiang(seed=7)
    assert other.seed == 7
    assert other.n_nodes != region.n_nodes or not np.array_equal(other.x_m, region.x_m)
    assert not np.array_equal(other.features["river"], region.features["river"])


def test_extent_and_location(region: RegionData) -> None:
    from pyproj import Transformer

    w, h = np.ptp(region.x_m), np.ptp(region.y_m)
    assert 55_000 < w <= 61_000 and 40_000 < h <= 46_000
    to_geo = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)
    lon, lat = to_geo.transform(region.x_m.mean(), region.y_m.mean())
    assert lon == pytest.approx(105.72, abs=0.05) and lat == pytest.approx(30.35, abs=0.05)


def test_node_count(region: RegionData) -> None:
    assert 20_000 <= region.n_nodes <= 40_000


def test_strongly_connected(region: RegionData) -> None:
    n_comp, _ = connected_components(_graph(region), directed=True, connection="strong")
    assert n_comp == 1


def test_edges_clean(region: RegionData) -> None:
    r = region
    assert np.all(r.edge_source != r.edge_target)
    key = r.edge_source.astype(np.int64) * r.n_nodes + r.edge_target
    assert len(np.unique(key)) == r.n_edges
    assert np.all(r.edge_length_m > 0)
    dx = r.x_m[r.edge_source] - r.x_m[r.edge_target]
    dy = r.y_m[r.edge_source] - r.y_m[r.edge_target]
    np.testing.assert_allclose(r.edge_length_m, np.hypot(dx, dy))
    assert set(np.unique(r.edge_highway)) <= {
        "motorway",
        "motorway_link",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "track",
    }
    motorway = r.edge_highway == "motorway"
    assert np.all(r.edge_maxspeed_kph[motorway] == 100)
    assert np.all(r.edge_lanes[motorway] == 2)
    assert np.all(r.edge_lanes[r.edge_highway == "residential"] == 1)


def test_one_way_streets_exist(region: RegionData) -> None:
    r = region
    key = r.edge_source.astype(np.int64) * r.n_nodes + r.edge_target
    rev = r.edge_target.astype(np.int64) * r.n_nodes + r.edge_source
    one_way = ~np.isin(key, rev)
    assert one_way.sum() > 50
    assert set(np.unique(r.edge_highway[one_way])) <= {"residential", "secondary"}


def test_only_bridges_cross_the_river(region: RegionData) -> None:
    r = region
    cross = _crosses_river(r)
    assert not np.any(cross & ~r.edge_bridge)
    assert np.all(cross[r.edge_bridge])
    pairs = np.unique(
        np.sort(np.column_stack([r.edge_source, r.edge_target])[cross], axis=1), axis=0
    )
    assert 5 <= len(pairs) <= 8
    xy = shapely.points(np.column_stack([r.x_m, r.y_m]))
    assert shapely.distance(xy, shapely.LineString(r.features["river"])).min() >= 80


def test_each_bank_connected_without_bridges(region: RegionData) -> None:
    n_comp, _ = connected_components(_graph(region, ~region.edge_bridge), directed=False)
    assert n_comp == 2


def test_features(region: RegionData) -> None:
    river, border = region.features["river"], region.features["border"]
    assert river.ndim == 2 and river.shape[1] == 2 and len(river) > 300
    assert river[0, 0] < river[-1, 0] and river[0, 1] > river[-1, 1]  # NW → SE
    assert np.hypot(*np.diff(river, axis=0).T).max() < 150
    assert border.shape[1] == 2 and np.all(np.diff(border[:, 1]) > 0)  # south → north
    mid_x = region.x_m.min() + np.ptp(region.x_m) / 2
    assert np.abs(border[:, 0] - mid_x).max() < 5_000


def test_jurisdictions_and_border_edges(region: RegionData) -> None:
    r = region
    assert set(np.unique(r.jurisdiction)) == {0, 1}
    border = r.features["border"]
    east = r.x_m > np.interp(r.y_m, border[:, 1], border[:, 0])
    np.testing.assert_array_equal(r.jurisdiction, east.astype(np.int8))
    assert np.sum(r.jurisdiction[r.edge_source] != r.jurisdiction[r.edge_target]) > 10


def test_elevation(region: RegionData) -> None:
    r = region
    np.testing.assert_allclose(elevation_at(r.x_m, r.y_m), r.elevation_m, atol=1e-6)
    assert 230 < r.elevation_m.min() < 290
    assert 400 < np.percentile(r.elevation_m, 95) < 600
    river = r.features["river"]
    z = elevation_at(river[:, 0], river[:, 1])
    assert z[:20].mean() > z[-20:].mean()  # the floodplain falls downstream
    assert elevation_at(np.zeros((2, 3)) + r.x_m[0], r.y_m[0]).shape == (2, 3)


@pytest.mark.parametrize("total", [DEFAULT_POPULATION, 1_000_000])
def test_population_sums(region: RegionData, region_million: RegionData, total: int) -> None:
    r = region if total == DEFAULT_POPULATION else region_million
    assert r.node_population_persons.sum() == total
    assert np.all(r.node_population_persons >= 0)
    settlements = r.places["settlements"]
    assert settlements["population_persons"].sum() == total
    shares = settlements.groupby("kind")["population_persons"].sum() / total
    assert shares["county_seat"] == pytest.approx(0.35, abs=0.03)
    assert shares["town"] == pytest.approx(0.25, abs=0.03)
    assert shares["village"] == pytest.approx(0.40, abs=0.03)
    assert r.places["shelters"]["capacity_persons"].sum() >= 0.4 * total


def test_places_tables(region: RegionData) -> None:
    r = region
    assert set(PLACE_COLUMNS) <= set(r.places)
    for key, cols in PLACE_COLUMNS.items():
        table = r.places[key]
        assert isinstance(table, pd.DataFrame) and len(table) > 0, key
        assert set(cols) <= set(table.columns), key
        if "node" in table:
            nodes = table["node"].to_numpy()
            assert nodes.dtype.kind == "i" and nodes.min() >= 0 and nodes.max() < r.n_nodes
        if "jurisdiction" in table:
            assert set(table["jurisdiction"]) <= set(JURISDICTIONS), key
    kinds = r.places["settlements"]["kind"].value_counts()
    assert kinds["county_seat"] == 2 and 6 <= kinds["town"] <= 12 and kinds["village"] >= 200


def test_stations(region: RegionData) -> None:
    stations = region.places["stations"]
    assert set(stations["tier"]) == {"community", "ground", "aviation"}
    assert (stations["teams"] >= 1).all()
    aviation = stations[stations["tier"] == "aviation"]
    assert sorted(aviation["jurisdiction"]) == sorted(JURISDICTIONS)


def test_depots(region: RegionData) -> None:
    depots = region.places["depots"]
    per_side = depots.groupby(["level", "jurisdiction"]).size()
    for side in JURISDICTIONS:
        assert per_side[("city", side)] == 1
        assert per_side[("district", side)] == 1
    assert set(depots["level"]) == {"city", "district", "town", "village"}


def test_wells_and_pipelines(region: RegionData) -> None:
    wells, pipes = region.places["wells"], region.places["pipelines"]
    assert 80 <= len(wells) <= 120
    assert set(wells["jurisdiction"]) == set(JURISDICTIONS)
    border = region.features["border"]
    off = wells["x_m"] - np.interp(wells["y_m"], border[:, 1], border[:, 0])
    assert np.abs(off).max() <= 8_000
    names = set(wells["name"])
    assert set(pipes["from_well"]) <= names and set(pipes["to_well"]) <= names
    side = dict(zip(wells["name"], wells["jurisdiction"], strict=True))
    ends = zip(pipes["from_well"], pipes["to_well"], strict=True)
    assert any(side[a] != side[b] for a, b in ends)  # the trunk line crosses the border
    assert (pipes["length_m"] > 0).all()


def test_bad_arguments() -> None:
    with pytest.raises(SimError, match="seed"):
        generate_fujiang(seed=-1)
    with pytest.raises(SimError, match="population_persons"):
        generate_fujiang(population_persons=-5)
