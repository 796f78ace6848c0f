"""The `sim` command: help, coverage on a loaded OSM file, and every bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli.app import build_parser, main
from tests.osm_fixtures import write_osm

STATION_HEADER = "name,tier,lon,lat,jurisdiction\n"


@pytest.fixture
def osm(tmp_path):
    return write_osm(tmp_path / "tiny.osm")


def _stations(tmp_path, rows: str):
    path = tmp_path / "stations.csv"
    path.write_text(STATION_HEADER + rows)
    return path


def test_help_documents_every_option(capsys) -> None:
    for argv in (["--help"], ["coverage", "--help"], ["network", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in (
        "--region",
        "--stations",
        "--population",
        "--policy",
        "--tier",
        "--out",
        "--jurisdictions",
        "--seed",
        "--save",
        "--plot",
    ):
        assert option in out
    # every option of every sub-command has a help text
    parser = build_parser()
    for sub in parser._subparsers._group_actions[0].choices.values():
        for action in sub._actions:
            assert action.help, f"{sub.prog} {action.option_strings} has no help"


def test_coverage_on_osm_file(tmp_path, osm, capsys) -> None:
    stations = _stations(tmp_path, "post,ground,105.70,30.30,\n")
    population = tmp_path / "pop.csv"
    # 30 persons at node 1 (the station), 100 at node 4, 50 at node 3 (node 6, entered
    # only by a one-way street, is not in the strongly connected network)
    population.write_text("lon,lat,persons\n105.70,30.30,30\n105.73,30.30,100\n105.72,30.301,50\n")
    out = tmp_path / "out"
    code = main(
        [
            "coverage",
            "--region",
            str(osm),
            "--stations",
            str(stations),
            "--population",
            str(population),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "ground_30min" in text and "gain of joint over separate" in text
    curve = pd.read_csv(out / "coverage.csv")
    joint = curve[
        (curve.policy == "joint") & (curve.tier == "ground") & (curve.jurisdiction == "all")
    ]
    share = dict(zip(joint.minutes, joint.coverage_share, strict=True))
    # turnout 3 min; 1→3 is 1922 m at 60 km/h (1.9 min); 3→4 961 m at 30 km/h (1.9 min):
    # at 4 min only node 1 (30 of 180), at 5 min nodes 1 and 3 (80), at 7 min all
    assert share[4] == pytest.approx(30 / 180)
    assert share[5] == pytest.approx(80 / 180)
    assert share[7] == pytest.approx(1.0)
    assert share[2] == 0.0
    assert (out / "coverage.png").stat().st_size > 10_000
    assert not any(p.name.endswith(".partial") for p in out.iterdir())


def test_coverage_without_population_says_so(tmp_path, osm, capsys) -> None:
    stations = _stations(tmp_path, "post,ground,105.70,30.30,\n")
    assert (
        main(
            [
                "coverage",
                "--region",
                str(osm),
                "--stations",
                str(stations),
                "--no-plot",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    assert "persons spread evenly over nodes" in capsys.readouterr().out


def test_coverage_takes_the_tiers_of_a_scenario(tmp_path, capsys) -> None:
    # The built-in scripts fly helicopters 100 km from the real base: no aircraft is
    # anywhere before 15 min launch + 100 km at 220 km/h = 42.27 min. Without a scenario
    # the built-in region's farthest home is under 25 min from a base.
    def aviation_share(out) -> dict[float, float]:
        curve = pd.read_csv(out / "coverage.csv")
        rows = curve[
            (curve.policy == "joint") & (curve.tier == "aviation") & (curve.jurisdiction == "all")
        ]
        return dict(zip(rows.minutes, rows.coverage_share, strict=True))

    base = ["coverage", "--no-plot", "--policy", "joint"]
    assert main([*base, "--out", str(tmp_path / "tiers")]) == 0
    assert "approach" not in capsys.readouterr().out
    assert aviation_share(tmp_path / "tiers")[25] == 1.0
    assert main([*base, "--scenario", "default", "--out", str(tmp_path / "default")]) == 0
    assert "aviation 60 min (turnout 15 min, 100 km approach from the base)" in (
        capsys.readouterr().out
    )
    share = aviation_share(tmp_path / "default")
    first = 15.0 + 100.0 / 220.0 * 60.0
    assert share[np.floor(first)] == 0.0 and share[np.ceil(first)] > 0.0
    assert share[60] == 1.0  # the region is small: within 60 min even so


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing_region", "neither a built-in region"),
        ("not_osm", "could not be read as OSM XML"),
        ("footways_only", "no drivable roads"),
        ("no_stations", "has no stations; pass --stations"),
        ("station_outside", "outside the network"),
        ("unknown_tier", "tier 'boat' is not valid; use one of community, ground, aviation"),
        ("unknown_jurisdiction", "jurisdiction 'Mars' is not in this network"),
        ("population_outside", "population point at lon 120.0"),
        ("missing_column", "has no column lat; the header must have lon,lat,persons"),
        ("missing_stations_file", "file not found"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path, osm, capsys, case, message
) -> None:
    out = tmp_path / "out"
    args = ["coverage", "--region", str(osm), "--out", str(out)]
    ok_station = "post,ground,105.70,30.30,\n"
    if case == "missing_region":
        args[2] = str(tmp_path / "nope.osm")
    elif case == "not_osm":
        (tmp_path / "bad.osm").write_text("<html>hello</html>")
        args[2] = str(tmp_path / "bad.osm")
    elif case == "footways_only":
        args[2] = str(write_osm(tmp_path / "f.osm", ways=[(1, [1, 2], {"highway": "footway"})]))
    elif case == "station_outside":
        args += ["--stations", str(_stations(tmp_path, "far,ground,110.0,30.3,\n"))]
    elif case == "unknown_tier":
        args += ["--stations", str(_stations(tmp_path, "x,boat,105.70,30.30,\n"))]
    elif case == "unknown_jurisdiction":
        args += ["--stations", str(_stations(tmp_path, "x,ground,105.70,30.30,Mars\n"))]
    elif case in ("population_outside", "missing_column"):
        pop = tmp_path / "pop.csv"
        pop.write_text(
            "lon,lat,persons\n120.0,30.3,5\n"
            if case == "population_outside"
            else "lon,persons\n105.7,5\n"
        )
        args += ["--stations", str(_stations(tmp_path, ok_station)), "--population", str(pop)]
    elif case == "missing_stations_file":
        args += ["--stations", str(tmp_path / "nope.csv")]
    assert main(args) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("sim: error: ")]
    assert len(errors) == 1, err
    assert message in errors[0]
    assert "Traceback" not in err
    assert not out.exists()


def test_sim_network_saves_npz_and_graphml_and_plots(tmp_path, osm, capsys) -> None:
    import matplotlib.image as mpimg
    import numpy as np

    from sim.network import load_network

    original = load_network(osm)
    npz, graphml, png = tmp_path / "net.npz", tmp_path / "net.graphml", tmp_path / "net.png"
    assert main(["network", "--region", str(osm), "--save", str(npz), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert f"nodes        {original.n_nodes:,}" in out and "edges" in out
    back = load_network(npz)
    np.testing.assert_array_equal(back.travel_time_s, original.travel_time_s)
    np.testing.assert_array_equal(back.edge_target, original.edge_target)
    assert main(["network", "--region", str(osm), "--save", str(graphml)]) == 0
    again = load_network(graphml)
    assert (again.n_nodes, again.n_edges) == (original.n_nodes, original.n_edges)
    np.testing.assert_allclose(np.sort(again.travel_time_s), np.sort(original.travel_time_s))
    image = mpimg.imread(png)
    assert image.shape[0] > 300 and image.shape[1] > 300
    # roads are drawn: some pixels are far from the white background
    assert (image[..., :3].min(axis=2) < 0.6).mean() > 0.001


def test_sim_network_refuses_an_unknown_save_suffix(tmp_path, osm, capsys) -> None:
    target = tmp_path / "net.txt"
    assert main(["network", "--region", str(osm), "--save", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ".npz" in err[0] and ".graphml" in err[0]
    assert not target.exists()
