"""The engine on the built-in region (scaled to 40,000 residents to stay quick)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.agents.households import SHELTERED
from sim.cli.app import main
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.network import load_network
from sim.scenarios import load_scenario


@pytest.fixture(scope="module")
def region():
    return load_network("fujiang", population_persons=40_000)


def _run(region, seed: int, linkage: str = "separate"):
    from dataclasses import replace

    scenario = load_scenario("default")
    scenario = replace(scenario, policy=replace(scenario.policy, linkage=linkage))
    model = EmergencyModel(scenario, region, seed=seed)
    model.run_for()
    return model, collect(model)


def test_same_seed_identical_summary_and_event_log(region) -> None:
    _, a = _run(region, seed=4)
    _, b = _run(region, seed=4)
    # compared as the summary.json text (NaN never equals itself in a dict)
    assert json.dumps(a.summary, sort_keys=True) == json.dumps(b.summary, sort_keys=True)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.tracks, b.tracks)
    _, c = _run(region, seed=5)
    assert not a.events.equals(c.events)


def test_invariants_on_the_default_scenario(region) -> None:
    model, result = _run(region, seed=2, linkage="joint")
    h = model.households
    # persons conserved
    assert sum(result.summary["persons"].values()) == 40_000 == h.size_persons.sum()
    # no shelter above capacity
    assert (model.shelters.occupants_persons <= model.shelters.capacity_persons).all()
    # nobody faster than free flow: travel time >= free-flow time from home to the shelter
    # (households responders brought in rode with them: their speed is the team's)
    arrived = np.nonzero((h.state == SHELTERED) & ~_brought_by_teams(model))[0]
    assert arrived.size > 1000
    sample = arrived[:: max(1, arrived.size // 300)]
    for shelter in np.unique(h.shelter[sample]):
        mine = sample[h.shelter[sample] == shelter]
        node = model.shelters.node[shelter]
        walk = model.roads.router("walk").tree(np.array([node]), reverse=True).time_s
        drive = model.roads.router("vehicle").tree(np.array([node]), reverse=True).time_s
        free = np.where(h.has_vehicle[mine], drive[h.home_node[mine]], walk[h.home_node[mine]])
        travel = h.arrive_time_s[mine] - h.depart_time_s[mine]
        assert np.all(travel >= free - 1e-6)
    # every incident persons' response is at least the turnout of its tier
    inc = result.incidents
    for tier, standard in model.tiers.items():
        reached = inc[(inc["tier"] == tier) & np.isfinite(inc["response_s"])]
        assert (reached["response_s"] >= standard.turnout_s).all()


def _brought_by_teams(model) -> np.ndarray:
    rows = [r for i in model.dispatcher.incidents for r in i.households]
    mask = np.zeros(model.households.n, dtype=bool)
    mask[np.array(rows, dtype=np.int64)] = True
    return mask


def test_sim_run_cli_writes_run_folder(tmp_path, capsys) -> None:
    out = tmp_path / "run"
    scenario = tmp_path / "small.toml"
    scenario.write_text(
        'name = "small"\nhorizon_h = 1.0\n[region]\nsource = "fujiang"\n'
        "population_persons = 40000\n"
        '[[incidents]]\ntime_min = 5\nsettlement = "Tongnan"\npersons = 3\n'
    )
    assert main(["run", str(scenario), "--seed", "1", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "community_10min" in text and "Tongnan" in text
    for name in ("scenario.toml", "summary.json", "events.parquet", "tracks.parquet"):
        assert (out / name).is_file()
    events = pd.read_parquet(out / "events.parquet")
    assert events["kind"].iloc[0] == "incident_reported"
    # the resolved scenario in the folder loads and validates again
    assert load_scenario(out / "scenario.toml").name == "small"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n[policy]\nlinkage = "jiont"\n', "policy.linkage = 'jiont' is not valid"),
        ('name = "x"\n[polcy]\n', "did you mean 'policy'"),
        (
            'name = "x"\n[[incidents]]\ntime_min = 5\npersons = -2\nnode = 1\n',
            "incidents[0].persons must be >= 1 and <= 1,000,000 persons, got -2",
        ),
        (
            'name = "x"\nhorizon_h = 1\n[[incidents]]\ntime_min = 90\npersons = 2\nnode = 1\n',
            "is after the horizon",
        ),
        (
            'name = "x"\n[[incidents]]\ntime_min = 5\npersons = 2\nsettlement = "Atlantis"\n',
            "unknown settlement 'Atlantis'",
        ),
        (
            'name = "x"\n[[warnings]]\ntime_min = 0\nlevel = "risk"\nissued_by = "Chengdu"\n',
            "issued_by = 'Chengdu' is not a jurisdiction",
        ),
        ("name = \n", "not valid TOML"),
    ],
)
def test_bad_scenarios_exit_2_and_write_nothing(tmp_path, capsys, text, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("sim: error: ")]
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err
    assert not out.exists()
    assert main(["validate", str(path)]) == 2


def test_validate_and_scenarios_commands(capsys) -> None:
    assert main(["validate", "default"]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["scenarios"]) == 0
    assert "default" in capsys.readouterr().out


def test_region_stations_file_replaces_the_regions_stations(tmp_path, region) -> None:
    from dataclasses import replace

    from sim.engine.runs import network_for

    lon, lat = region.to_lonlat(region.x_m[[100, 2000]], region.y_m[[100, 2000]])
    path = tmp_path / "stations.csv"
    path.write_text(
        "name,tier,lon,lat,jurisdiction\n"
        f"new-a,ground,{lon[0]},{lat[0]},\nnew-b,community,{lon[1]},{lat[1]},\n"
    )
    scenario = load_scenario("default")
    scenario = replace(
        scenario, region=replace(scenario.region, population_persons=40_000, stations=str(path))
    )
    net = network_for(scenario)
    assert net.places["stations"]["name"].tolist() == ["new-a", "new-b"]
    assert net.places["stations"]["node"].tolist() == [100, 2000]
