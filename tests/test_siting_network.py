"""Siting on a road network: response times, candidates, and `sim site` end to end."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli.app import main
from sim.coverage import static_coverage
from sim.errors import InputError
from sim.network import RoadNetwork, compile_region
from sim.network.points import read_stations_csv
from sim.regions.base import RegionData
from sim.siting import maximal_covering
from sim.siting.stations import candidate_nodes, read_candidates_csv, station_siting
from sim.siting.times import response_times_s
from sim.tiers import TIERS, TierStandard
from tests.osm_fixtures import write_osm

# ---------------------------------------------------------------- a line network
#
#   0 ─ 1 ─ 2 ─ 3 ─ 4 ┆ 5 ─ 6 ─ 7 ─ 8      links 1000 m, 36 km/h: 100 s, two-way
#   A   A   A   A   A ┆ B   B   B   B      existing ground station "A-post" at node 0
#
# Ground turnout is 3 min, so within 5 min (300 s) a station reaches its own node and
# its neighbours (280 s), never two links (380 s). Residents per node:
LINE_PERSONS = [10, 10, 5, 40, 30, 50, 2, 20, 25]  # A: 95, B: 97, all 192
# A-post covers nodes 0, 1 (20 persons). What one new site at node k adds:
#   joint (any site serves anyone):  k=2: {2,3} 45, k=3: {2,3,4} 75, k=4: {3,4,5} 120,
#     k=5: {4,5,6} 82, k=6: {5,6,7} 72, k=7: {6,7,8} 47, k=8: {7,8} 45.
#     Two sites: {4, 7} = 120 + 47 = 167 beats {4, 8} 165, {3, 6} 147, {4, 6} 142, ...
#     -> covered 20 + 167 = 187: A 90 of 95 (node 2 missed), B 97 of 97.
#   separate (a site serves its own side only): A sites k=2: 45, k=3: 75, k=4: {3,4} 70;
#     B sites k=5: {5,6} 52, k=6: {5,6,7} 72, k=7: 47, k=8: 45.
#     Two sites: {3, 6} = 75 + 72 = 147 -> covered 167: A 95 of 95, B 72 of 97.


def line_network() -> RoadNetwork:
    n = 9
    x = 500_000.0 + 1000.0 * np.arange(n)
    y = np.full(n, 3_350_000.0)
    source = np.r_[np.arange(n - 1), np.arange(1, n)]
    target = np.r_[np.arange(1, n), np.arange(n - 1)]
    places = {
        "stations": pd.DataFrame(
            {
                "name": ["A-post"],
                "tier": ["ground"],
                "node": [0],
                "teams": [2],
                "jurisdiction": ["A"],
            }
        ),
        # shelters and depots only so that `sim run` can run on it
        "shelters": pd.DataFrame(
            {"name": ["SA", "SB"], "level": "town", "node": [0, 8], "capacity_persons": 500}
        ).assign(jurisdiction=["A", "B"]),
        "depots": pd.DataFrame(
            {"name": ["DA", "DB"], "level": "city", "node": [0, 8], "stock_kits": 1000}
        ).assign(jurisdiction=["A", "B"]),
    }
    data = RegionData(
        name="line",
        crs="EPSG:32648",
        x_m=x,
        y_m=y,
        elevation_m=np.zeros(n),
        jurisdiction=np.array([0] * 5 + [1] * 4, dtype=np.int8),
        jurisdiction_names=("A", "B"),
        edge_source=source,
        edge_target=target,
        edge_length_m=np.full(len(source), 1000.0),
        edge_highway=np.array(["residential"] * len(source)),
        edge_lanes=np.full(len(source), np.nan),
        edge_maxspeed_kph=np.full(len(source), 36.0),
        edge_bridge=np.zeros(len(source), dtype=bool),
        places=places,
        node_population_persons=np.array(LINE_PERSONS),
    )
    return compile_region(data)


@pytest.fixture
def line_npz(tmp_path: Path) -> Path:
    return line_network().save(tmp_path / "line.npz")


# ------------------------------------------------------------------ response times


def test_response_times_are_turnout_plus_travel_from_the_site(toy: RoadNetwork) -> None:
    # From node 2 of the toy graph (tests/conftest.py): 2->1 100 s, 2->1->0 200 s (the
    # one-way 2->5->0 takes 280 s), 2->3 100 s, 2->3->4 200 s, 2->5 100 s. From node 0:
    # 0->1 100 s, 1->2 50 s on the 72 km/h primary, so 150, 250, 350 s to 2, 3, 4 and
    # 250 s to 5. Ground turnout is 180 s.
    nodes = np.arange(6)
    times = response_times_s(toy, TIERS["ground"], [2, 0], nodes, limit_s=1e9).toarray()
    travel = np.array([[200, 100, 0, 100, 200, 100], [0, 100, 150, 250, 350, 250]])
    np.testing.assert_allclose(times, 180.0 + travel, rtol=1e-12)
    # community riders are capped at 40 km/h: the primary 1->2 takes 90 s, turnout 240 s.
    # From the post at node 0 itself:
    times = response_times_s(
        toy, TIERS["community"], [0], [2], limit_s=1e9, responders_at_home=False
    ).toarray()
    np.testing.assert_allclose(times, [[240.0 + 100.0 + 90.0]], rtol=1e-12)
    # ...but its responder lives at node 1 (the median of A's populated nodes within
    # 1.5 km of node 0: [0, 1]); two responders of a post at node 1 live at 0 and 5
    # (tests/test_responders.py) and the nearer one counts: to node 2 from 0 190 s,
    # from 5 370 s; to node 5 0 s
    times = response_times_s(toy, TIERS["community"], [0], [2], limit_s=1e9).toarray()
    np.testing.assert_allclose(times, [[240.0 + 90.0]], rtol=1e-12)
    times = response_times_s(
        toy, TIERS["community"], [0, 1], [2, 5], limit_s=1e9, site_teams=np.array([1, 2])
    ).toarray()
    np.testing.assert_allclose(times, 240.0 + np.array([[90, 190], [190, 0]]), rtol=1e-12)
    # beyond the limit nothing is stored; a zero time is stored, not dropped
    limited = response_times_s(toy, TIERS["ground"], [2], nodes, limit_s=280.0)
    assert sorted(limited.indices.tolist()) == [1, 2, 3, 5]
    aviation = TIERS["aviation"]
    flights = response_times_s(toy, aviation, [0], nodes, limit_s=1e9).toarray()[0]
    distance_m = np.hypot(toy.x_m - toy.x_m[0], toy.y_m - toy.y_m[0])
    np.testing.assert_allclose(flights, 900.0 + distance_m / (220.0 / 3.6), rtol=1e-12)
    # a corps based off the map flies 100 km to node 0 first; beyond reach nothing is stored
    far = replace(aviation, approach_km=100.0)
    flights = response_times_s(toy, far, [0], nodes, limit_s=1e9).toarray()[0]
    np.testing.assert_allclose(
        flights, 900.0 + (100_000.0 + distance_m) / (220.0 / 3.6), rtol=1e-12
    )
    assert response_times_s(toy, far, [0], nodes, limit_s=900.0 + 1600.0).nnz == 0
    instant = TierStandard(name="x", standard_min=1, travel="road", turnout_s=0.0)
    zero = response_times_s(toy, instant, [2], [2], limit_s=10.0)
    assert zero.nnz == 1 and zero.data[0] == 0.0


@pytest.mark.parametrize("tier", ["community", "ground", "aviation"])
@pytest.mark.parametrize("policy", ["separate", "joint"])
def test_covered_persons_equal_static_coverage_of_the_same_stations(
    toy: RoadNetwork, tier: str, policy: str
) -> None:
    # Every choice of one or two added sites, on top of a station at node 4 (side B):
    # the persons the siting model counts equal sim.coverage's static coverage.
    existing = pd.DataFrame(
        {"name": ["B1"], "tier": [tier], "node": [4], "teams": [1], "jurisdiction": ["B"]}
    )
    standard_s = TIERS[tier].standard_min * 60.0
    within_s = {"community": 300.0, "ground": 400.0, "aviation": standard_s}[tier]
    persons = toy.node_population_persons.astype(float)
    problem = station_siting(
        toy,
        tier=tier,
        existing=existing,
        candidates=pd.DataFrame({"node": np.arange(6)}),
        population_persons=persons,
        policy=policy,
        limit_s=within_s,
    )
    assert problem.site_nodes[problem.fixed].tolist() == [4]
    assert 4 not in problem.site_nodes[len(problem.fixed) :]
    free = range(len(problem.fixed), len(problem.site_nodes))
    for added in itertools.chain(itertools.combinations(free, 1), itertools.combinations(free, 2)):
        times = problem.response_s[np.r_[problem.fixed, added]]
        reached = _stored(times) & (times.toarray() <= within_s)  # absent = not reached
        counted = problem.demand_persons[reached.any(axis=0)].sum()
        stations = pd.concat([existing, problem.new_stations(np.array(added))])
        static = static_coverage(
            toy,
            stations,
            persons,
            policies=(policy,),
            tiers={tier: TIERS[tier]},
            minutes=np.array([within_s / 60.0]),
        )
        row = static.within(within_s / 60.0)
        assert counted == row[row["jurisdiction"] == "all"]["covered_persons"].item()


@pytest.mark.parametrize(
    ("tier", "teams"),
    [
        (TIERS["community"], [1, 2, 3]),
        (replace(TIERS["aviation"], approach_km=100.0), [1, 1, 1]),
        (TIERS["ground"], [2, 1, 1]),
    ],
    ids=["community-at-home", "aviation-approach", "ground"],
)
def test_response_times_equal_static_coverage_times(
    toy: RoadNetwork, tier: TierStandard, teams: list[int]
) -> None:
    # the nearest of three stations (nodes 1, 3, 4; community: one home per responder)
    # to each node, as siting stores it and as static coverage computes it
    nodes, sides = np.array([1, 3, 4]), ["A", "B", "B"]
    stations = pd.DataFrame(
        {"name": ["s1", "s3", "s4"], "tier": tier.name, "node": nodes, "teams": teams}
    ).assign(jurisdiction=sides)
    matrix = response_times_s(
        toy, tier, nodes, np.arange(6), limit_s=7200.0, site_teams=np.array(teams)
    ).toarray()
    static = static_coverage(
        toy,
        stations,
        toy.node_population_persons,
        policies=("joint",),
        tiers={tier.name: tier},
        minutes=np.array([120]),
    )
    np.testing.assert_allclose(matrix.min(axis=0), static.time_s[("joint", tier.name)], rtol=1e-12)


def _stored(matrix) -> np.ndarray:
    mask = np.zeros(matrix.shape, dtype=bool)
    coo = matrix.tocoo()
    mask[coo.row, coo.col] = True
    return mask


def test_separate_policy_keeps_each_site_on_its_own_side() -> None:
    network = line_network()
    args = {
        "tier": "ground",
        "existing": network.places["stations"],
        "candidates": pd.DataFrame({"node": np.arange(9)}),
        "population_persons": network.node_population_persons,
        "limit_s": 300.0,
    }
    joint = station_siting(network, policy="joint", **args)
    separate = station_siting(network, policy="separate", **args)
    row_4 = int(np.flatnonzero(joint.site_nodes == 4)[0])
    reach = {
        name: problem.demand_nodes[problem.response_s[row_4].indices].tolist()
        for name, problem in (("joint", joint), ("separate", separate))
    }
    assert reach == {"joint": [3, 4, 5], "separate": [3, 4]}
    for problem, expected in ((joint, [4, 7]), (separate, [3, 6])):
        result = maximal_covering(
            problem.response_s, problem.demand_persons, p=2, within=300.0, fixed=problem.fixed
        )
        assert problem.site_nodes[result.added].tolist() == expected
        assert result.status == "optimal"


# --------------------------------------------------------------------- candidates


def test_candidate_nodes_by_road_class_and_jurisdiction(toy: RoadNetwork) -> None:
    # toy: primary 1->2, secondary 2<->3, residential elsewhere; A = 0, 1, 2, 5
    assert candidate_nodes(toy).tolist() == [0, 1, 2, 3, 4, 5]
    assert candidate_nodes(toy, road_class="primary").tolist() == [1, 2]
    assert candidate_nodes(toy, road_class="secondary").tolist() == [1, 2, 3]
    assert candidate_nodes(toy, road_class="secondary", jurisdiction="B").tolist() == [3]
    with pytest.raises(InputError, match=r"unknown road class 'highway'; use one of motorway"):
        candidate_nodes(toy, road_class="highway")
    with pytest.raises(InputError, match=r"unknown jurisdiction 'C'; this network has A, B"):
        candidate_nodes(toy, jurisdiction="C")
    with pytest.raises(InputError, match=r"no candidate node on motorway roads"):
        candidate_nodes(toy, road_class="motorway")


def test_read_candidates_csv_snaps_and_names(tmp_path: Path) -> None:
    from sim.network.sources import load_network

    network = load_network(write_osm(tmp_path / "tiny.osm"))
    path = tmp_path / "candidates.csv"
    path.write_text("name,lon,lat\nhill,105.7301,30.3001\n,105.70,30.30\n")
    table = read_candidates_csv(path, network)
    x, y = network.to_projected(np.array([105.73, 105.70]), np.array([30.30, 30.30]))
    expected = network.nearest_nodes(x, y)[0]
    assert table["node"].tolist() == expected.tolist()
    assert table["name"].tolist() == ["hill", "candidate 3"]
    path.write_text("lon,lat\n105.70,30.30\n106.5,30.30\n")
    with pytest.raises(InputError, match=r"line 3: candidate site at lon 106.5, lat 30.30 is"):
        read_candidates_csv(path, network)


# ------------------------------------------------------------------------ sim site


def _site(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(["site", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("policy", "nodes", "after"),
    [("separate", [3, 6], {"all": 167, "A": 95, "B": 72}), ("joint", [4, 7], {"all": 187})],
)
def test_sim_site_end_to_end(line_npz, tmp_path, capsys, policy, nodes, after) -> None:
    out = tmp_path / "out"
    argv = ["--region", str(line_npz), "--add", "2", "--within", "5", "--policy", policy]
    code, text, err = _site([*argv, "--out", str(out)], capsys)
    assert code == 0, err
    assert "solver: milp, optimal" in text or "solver: greedy+swap, optimal" in text
    sites = pd.read_csv(out / "sites.csv")
    assert sites["node"].tolist() == nodes
    assert sites["adds_persons"].sum() == after["all"] - 20
    change = pd.read_csv(out / "coverage.csv").set_index("jurisdiction")
    assert change.loc["all", "before_persons"] == 20
    for juris, persons in after.items():
        assert change.loc[juris, "after_persons"] == persons
    assert f"{after['all']:>11,.0f} ( {100 * after['all'] / 192:4.1f}%)" in text
    assert (out / "site_map.png").stat().st_size > 10_000

    # the stations file: every station, new ones included, read back onto the same nodes
    network = RoadNetwork.load_compiled(line_npz)
    stations = read_stations_csv(out / "stations.csv", network)
    assert stations["node"].tolist() == [0, *nodes]
    assert stations["teams"].tolist() == [2, 1, 1]
    assert (stations["snap_m"] < 1e-3).all()

    # ... and `sim coverage --stations` reports the coverage `sim site` called "after"
    cov_out = tmp_path / "cov"
    argv = ["coverage", "--region", str(line_npz), "--stations", str(out / "stations.csv")]
    assert main([*argv, "--out", str(cov_out), "--no-plot"]) == 0
    capsys.readouterr()
    curve = pd.read_csv(cov_out / "coverage.csv")
    rows = curve[(curve.policy == policy) & (curve.tier == "ground") & (curve.minutes == 5)]
    reported = dict(zip(rows.jurisdiction, rows.covered_persons, strict=True))
    assert reported == {j: change.loc[j, "after_persons"] for j in ("all", "A", "B")}


def test_sim_run_uses_the_written_stations(line_npz, tmp_path, capsys) -> None:
    # The simulated gain: an incident at node 6 (side B) at 5 min. Before, B has no ground
    # station and under separate dispatch A-post never goes; with the stations `sim site`
    # wrote (a new one at node 6) a team is there after its 3 min turnout.
    out = tmp_path / "site"
    argv = ["--region", str(line_npz), "--add", "2", "--within", "5", "--no-plot"]
    assert main(["site", *argv, "--out", str(out)]) == 0
    response_s = {}
    for name, stations in (("before", None), ("after", out / "stations.csv")):
        scenario = tmp_path / f"{name}.toml"
        scenario.write_text(
            f'name = "line-{name}"\nhorizon_h = 1.0\n[region]\nsource = "{line_npz.as_posix()}"\n'
            + (f'stations = "{stations.as_posix()}"\n' if stations else "")
            + '[[incidents]]\ntime_min = 5\nnode = 6\npersons = 3\ntiers = ["ground"]\n'
        )
        run_out = tmp_path / name
        assert main(["run", str(scenario), "--out", str(run_out), "--no-progress"]) == 0
        incidents = pd.read_parquet(run_out / "incidents.parquet")
        response_s[name] = incidents["response_s"].tolist()
    capsys.readouterr()
    assert response_s == {"before": [np.inf], "after": [180.0]}


def test_sim_site_teams_per_new_station_reach_the_simulation(line_npz, tmp_path, capsys) -> None:
    # Three teams at each new station: two incidents at node 6 at 5 min both get a team
    # from the new station at node 6 after its 3 min turnout (with one team, the second
    # would wait for it to come back).
    out = tmp_path / "site"
    argv = ["--region", str(line_npz), "--add", "2", "--within", "5", "--no-plot"]
    assert main(["site", *argv, "--teams", "3", "--out", str(out)]) == 0
    network = RoadNetwork.load_compiled(line_npz)
    stations = read_stations_csv(out / "stations.csv", network)
    assert stations[["node", "teams"]].values.tolist() == [[0, 2], [3, 3], [6, 3]]
    scenario = tmp_path / "after.toml"
    incident = '[[incidents]]\ntime_min = 5\nnode = 6\npersons = 3\ntiers = ["ground"]\n'
    scenario.write_text(
        f'name = "line-teams"\nhorizon_h = 1.0\n[region]\nsource = "{line_npz.as_posix()}"\n'
        f'stations = "{(out / "stations.csv").as_posix()}"\n' + incident * 2
    )
    assert main(["run", str(scenario), "--out", str(tmp_path / "run"), "--no-progress"]) == 0
    capsys.readouterr()
    incidents = pd.read_parquet(tmp_path / "run" / "incidents.parquet")
    assert incidents["response_s"].tolist() == [180.0, 180.0]


def _lonlat(network: RoadNetwork, node: int) -> str:
    lon, lat = network.to_lonlat(network.x_m[[node]], network.y_m[[node]])
    return f"{lon[0]:.8f},{lat[0]:.8f}"


def test_sim_site_candidates_file_and_jurisdiction(line_npz, tmp_path, capsys) -> None:
    # Candidates from a list, on side B only (pA at node 1 is dropped). Separate: p5 adds
    # {5, 6} = 52, p7 {6, 7, 8} = 47, p8 {7, 8} = 45 -> p5.
    network = RoadNetwork.load_compiled(line_npz)
    path = tmp_path / "candidates.csv"
    rows = {"p5": 5, "p7": 7, "p8": 8, "pA": 1}
    path.write_text(
        "name,lon,lat\n" + "".join(f"{k},{_lonlat(network, n)}\n" for k, n in rows.items())
    )
    out = tmp_path / "out"
    argv = ["--region", str(line_npz), "--within", "5", "--candidates", str(path)]
    code, text, err = _site(
        [*argv, "--jurisdiction", "B", "--heuristic", "--out", str(out)], capsys
    )
    assert code == 0, err
    sites = pd.read_csv(out / "sites.csv")
    assert sites[["name", "node", "jurisdiction"]].values.tolist() == [["p5", 5, "B"]]
    assert sites["adds_persons"].tolist() == [52]
    assert "solver: greedy+swap, optimal" in text


def test_sim_site_leaves_out_sites_that_add_nobody(line_npz, tmp_path, capsys) -> None:
    # Within 4 min (turnout 3 + 1 min) a station reaches only its own node. Residents
    # only at nodes 3 (40) and 4 (30); candidates on side A: nodes 1-4 (0 has A-post).
    # Three sites asked: 3 and 4 add 40 and 30, the third adds nobody and is not written.
    network = RoadNetwork.load_compiled(line_npz)
    population = tmp_path / "pop.csv"
    population.write_text(f"lon,lat,persons\n{_lonlat(network, 3)},40\n{_lonlat(network, 4)},30\n")
    out = tmp_path / "out"
    argv = ["--region", str(line_npz), "--within", "4", "--jurisdiction", "A"]
    argv += ["--population", str(population), "--out", str(out), "--no-plot"]
    code, text, _ = _site([*argv, "--add", "3"], capsys)
    assert code == 0
    sites = pd.read_csv(out / "sites.csv")
    assert sites["node"].tolist() == [3, 4] and sites["adds_persons"].tolist() == [40, 30]
    assert "only 2 of the 3 sites asked for reach anyone new within 4 min" in text
    assert len(read_stations_csv(out / "stations.csv", network)) == 3
    code, text, err = _site([*argv, "--add", "5"], capsys)
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "sim: error: p=5 exceeds the 4 candidate sites not already fixed (5 sites, 1 fixed); "
        "lower p or add candidate sites."
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--add", "0"], "--add: must be a whole number of stations from 1 to 1,000, got '0'"),
        (["--teams", "0"], "--teams: must be a whole number of teams from 1 to 1,000, got '0'"),
        (["--within", "-5"], "--within: must be a number of minutes > 0 and <= 1440, got '-5'"),
        (["--time-limit", "0"], "--time-limit: must be a number of seconds > 0 and <= 86400"),
        (["--road-class", "highway"], "unknown road class 'highway'; use one of motorway"),
        (["--jurisdiction", "C"], "unknown jurisdiction 'C'; this network has A, B"),
        (["--candidates", "missing.csv"], "file not found: missing.csv"),
    ],
)
def test_sim_site_bad_input_is_one_line_and_exit_2(
    line_npz, tmp_path, capsys, extra, message
) -> None:
    out = tmp_path / "out"
    code, text, err = _site(["--region", str(line_npz), *extra, "--out", str(out)], capsys)
    assert code == 2 and text == ""
    errors = [line for line in err.splitlines() if line.startswith("sim: ")]
    assert len(errors) == 1 and message in errors[0], errors
    assert "Traceback" not in err and not out.exists()


def test_sim_site_from_scratch_on_an_osm_file(tmp_path, capsys) -> None:
    # tests/osm_fixtures.py: no stations, no population (one person per node); the
    # network keeps the road nodes 1, 3, 4 (2 is inside a way; 6, entered only by a
    # one-way street, is not strongly connected). Within 5 min (2 min of travel after
    # turnout) only the junction, OSM node 3, reaches all three: 1 over 1922 m of
    # 60 km/h primary (115 s), 4 over 961 m at 30 km/h (115 s); from 1 or 4 the
    # other end takes 230 s.
    osm = write_osm(tmp_path / "tiny.osm")
    out = tmp_path / "out"
    code, text, err = _site(["--region", str(osm), "--within", "5", "--out", str(out)], capsys)
    assert code == 0, err
    assert "has no stations: siting from scratch" in err
    assert "note: no population given" in text
    sites = pd.read_csv(out / "sites.csv")
    assert sites["adds_persons"].tolist() == [3]
    assert (sites["lon"].round(6).tolist(), sites["lat"].round(6).tolist()) == ([105.72], [30.3])
    stations = pd.read_csv(out / "stations.csv")
    assert stations[["tier", "teams"]].values.tolist() == [["ground", 1]]
