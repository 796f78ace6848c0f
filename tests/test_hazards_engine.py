"""Hazards inside runs: closures avoided, strandings become incidents, policy timing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli.app import main
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, run
from sim.network import load_network
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import toy_engine_network

BEHAVIOUR = {
    "channels": [{"name": "sms", "reach": 1.0, "delay_min": 5.0}],
    "door_knocking": False,
    "compliance": {"imminent": 1.0, "immediate": 1.0},
    "premovement_median_min": 10.0,
    "premovement_sigma": 0.0,
}


def test_scripted_closure_is_avoided() -> None:
    """Residents at node 1; SA (node 0) is 100 s away. Closing the road near node 0 before
    they set off sends them to SB at node 4 (1→2→3→4: 300 s)."""
    net = toy_engine_network(population=[0, 1, 0, 0, 0, 0])
    lon, lat = net.to_lonlat(net.x_m[[0]], net.y_m[[0]])
    scenario = scenario_from_dict(
        {
            "name": "closure",
            "horizon_h": 1.0,
            "behaviour": BEHAVIOUR,
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 1.0},
            "warnings": [{"time_min": 0.0, "level": "imminent", "issued_by": "A"}],
            "closures": [
                {
                    "time_min": 1.0,
                    "action": "close",
                    "lon": float(lon[0]),
                    "lat": float(lat[0]),
                    "radius_m": 50.0,
                }
            ],
        }
    )
    result = run(scenario, seed=1, network=net)
    arrivals = result.events[result.events["kind"] == "arrive_shelter"]
    assert arrivals["time_s"].tolist() == [900.0 + 300.0]
    closed = result.events[result.events["kind"] == "road_closed"]
    assert closed["time_s"].tolist() == [60.0, 60.0]  # 0→1 and 1→0
    assert set(closed["node"]) == {0, 1}


def test_plume_exposure_creates_incidents_and_deaths_on_toy() -> None:
    """A strong release 500 m west of node 0, wind from the west: nodes 0.. downwind."""
    net = toy_engine_network(population=[6, 6, 6, 6, 6, 0])
    lon, lat = net.to_lonlat(net.x_m[[0]] - 500.0, net.y_m[[0]])
    scenario = scenario_from_dict(
        {
            "name": "plume",
            "horizon_h": 1.0,
            "hazards": {
                "gas_leak": {
                    "home_points": "node",  # homes at their nodes: the values by hand
                    "lon": float(lon[0]),
                    "lat": float(lat[0]),
                    "h2s_mass_fraction": 0.15,
                    "release": [{"time_min": 0, "rate_kg_per_s": 20.0}],
                    "wind": [
                        {"time_min": 0, "speed_m_per_s": 2.0, "from_deg": 270.0, "stability": "F"}
                    ],
                }
            },
        }
    )
    model = EmergencyModel(scenario, net, seed=1)
    model.run_for()
    result = collect(model)
    # the plume front moves at 2 m/s: node 0 (500 m) is reached after 250 s, node 4
    # (4500 m) after 2250 s; A detects at once, B when the front crosses the border
    reached = result.summary["hazards"]["reached_s"]
    assert reached["A"] == 300.0  # first whole-minute step with the front past 500 m
    # node 3, B's first node, is 3500 m downwind: front at 1750 s, next whole minute 1800 s
    assert reached["B"] == 1800.0
    exposed = result.events[result.events["kind"] == "exposed"]
    assert (exposed["tier"] == "AEGL-2").any() and (exposed["tier"] == "AEGL-3").any()
    assert result.summary["persons"]["dead"] > 0
    assert sum(result.summary["persons"].values()) == 30
    inc = result.incidents
    assert set(inc["kind"]) == {"exposed"} and set(inc["tier"]) == {"community", "ground"}


@pytest.mark.parametrize("name", ["gas_leak", "flood", "landslide", "default"])
def test_builtin_scripts_run_end_to_end_on_reduced_population(name) -> None:
    from dataclasses import replace

    from sim.scenarios import load_scenario

    scenario = load_scenario(name)
    scenario = replace(scenario, horizon_h=min(scenario.horizon_h, 6.0))
    net = load_network("fujiang", population_persons=40_000)
    result = run(scenario, seed=2, network=net)
    s = result.summary
    assert sum(s["persons"].values()) == 40_000
    assert (result.shelters["occupants_persons"] <= result.shelters["capacity_persons"]).all()
    assert s["incidents"]["count"] > 0
    if name != "default":
        assert len(result.hazard_frames) > 0
        assert (
            set(result.hazard_frames["hazard"])
            == {"gas_leak": {"plume"}, "flood": {"flood"}, "landslide": {"landslide"}}[name]
        )
    if name == "landslide":
        kinds = set(result.incidents["kind"])
        # at a tenth of the population the rain slides (real sizes, 18 m median radius)
        # may bury nobody, and the villages they cut off may hold nobody by then (no
        # incident); burials: tests/test_slides.py and the full-size script
        assert "road_blocked" in kinds and (result.events["kind"] == "isolated").any()
        assert (result.events["kind"] == "slide_cleared").any()
    if name == "flood":
        assert s["hazards"]["reached_s"]["Suining"] < s["hazards"]["reached_s"]["Tongnan"]
        assert (result.incidents["kind"] == "flood_stranded").any()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[hazards.gas_leak]\nwell = "Nowhere-01"\n', "is not a well of region"),
        (
            '[hazards.gas_leak]\nwell = "Gaoshiti-07"\nwind = [{time_min = 0, speed_m_per_s = 2, '
            'from_deg = 270, stability = "G"}]\n',
            "stability = 'G' is not valid",
        ),
        (
            '[hazards.gas_leak]\nwell = "Gaoshiti-07"\nrelease = [{time_min = 10, '
            "rate_kg_per_s = 5}]\n",
            "times must start at 0 and increase",
        ),
        (
            "[hazards.flood]\nhydrograph = [{time_min = 0, stage_m = 1}]\nwave_speed_m_per_s = 0\n",
            "wave_speed_m_per_s must be > 0 and <= 30 m/s, got 0",
        ),
        (
            '[hazards.landslide]\nslides = [{time_min = 5, settlement = "Atlantis"}]\n',
            "unknown settlement 'Atlantis'",
        ),
        ("[hazards.flod]\n", "did you mean 'flood'"),
        (
            '[[closures]]\ntime_min = 5\naction = "shut"\nlon = 105.7\nlat = 30.3\n',
            "action = 'shut' is not valid",
        ),
    ],
)
def test_bad_hazard_sections_exit_2(tmp_path, capsys, text, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\n[region]\npopulation_persons = 40000\n' + text)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("sim: error: ")]
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err


def test_flood_strands_at_home_and_needs_a_boat_team() -> None:
    net = load_network("fujiang", population_persons=40_000)
    scenario = scenario_from_dict(
        {
            "name": "flood-now",
            "horizon_h": 1.5,
            "hazards": {
                "flood": {
                    "boat_teams": 2,
                    "wave_speed_m_per_s": 30.0,
                    "hydrograph": [
                        {"time_min": 0, "stage_m": 0.0},
                        {"time_min": 10, "stage_m": 6.0},
                    ],
                }
            },
        }
    )
    model = EmergencyModel(scenario, net, seed=3)
    model.run_for()
    result = collect(model)
    stranded = result.incidents[result.incidents["kind"] == "flood_stranded"]
    assert len(stranded) > 0
    boats = {t.unique_id for t in model.teams if t.boat}
    assert len(boats) == 2
    dispatched = result.events[
        (result.events["kind"] == "dispatch") & result.events["incident"].isin(stranded["incident"])
    ]
    ground = dispatched[dispatched["tier"] == "ground"]
    assert len(ground) > 0 and set(ground["agent"]) <= boats
    # the rest are aircraft, requested where no boat could get through
    aircraft = {t.unique_id for t in model.teams if t.tier.name == "aviation"}
    assert set(dispatched.loc[dispatched["tier"] != "ground", "agent"]) <= aircraft
    # teams sent along links that closed after they set off still have finite tracks
    assert np.isfinite(result.tracks["time_s"]).all()
    assert isinstance(result.hazard_frames, pd.DataFrame)
    assert (result.hazard_frames["value"] > 0).all()
    assert np.isfinite(result.summary["hazards"]["reached_s"]["Suining"])


@pytest.mark.parametrize(
    ("linkage", "b_warned_s"),
    [
        # B learns of the slide in its own territory at the 10-minute hazard step and
        # detects it after its own 45-minute delay: 600 + 2700 s
        ("separate", 3300.0),
        # notify: A's warning reaches B after the 15-minute notification delay, first
        ("notify", 900.0),
    ],
)
def test_the_other_side_detects_a_hazard_by_itself(linkage: str, b_warned_s: float) -> None:
    net = toy_engine_network()
    scenario = scenario_from_dict(
        {
            "name": "toy-detect",
            "horizon_h": 1.5,
            "policy": {"linkage": linkage},
            "warnings": [{"time_min": 0.0, "level": "risk", "issued_by": "A"}],
            "hazards": {
                "landslide": {"slides": [{"time_min": 10.0, "settlement": "Bvillage",
                                          "radius_m": 50.0}]}
            },
            "outputs": {"track_households": 0},
        }
    )  # fmt: skip
    result = run(scenario, seed=0, network=net)
    ev = result.events
    log = ev[ev["kind"].isin(["warning_issued", "hazard_detected", "slide"])]
    rows = [(t, k, j) for t, k, j in zip(log.time_s, log.kind, log.jurisdiction, strict=True)]
    expected = [(0.0, "warning_issued", "A"), (600.0, "slide", "B")]
    # B's part of A's warning, and, from when B knows, its own plan's order for the
    # slide's run-out area (a threat area: sim.hazards.landslide)
    expected += sorted(
        [(3300.0, "hazard_detected", "B")] + [(b_warned_s, "warning_issued", "B")] * 2,
        key=lambda r: r[0],
    )
    assert rows == expected
    plan = ev[(ev["kind"] == "warning_issued") & (ev["tier"] == "plan")]
    assert plan[["time_s", "jurisdiction"]].values.tolist() == [[b_warned_s, "B"]]
    assert result.summary["hazards"]["reached_s"] == {"A": float("inf"), "B": 600.0}


def test_gas_released_before_a_wind_shift_travels_on_until_it_has_passed() -> None:
    # release 500 m west of node 0, wind from the west at 2 m/s for 40 min, then from
    # the north (the new plume goes south, off the line of nodes). Node 4 is 4500 m
    # downwind of the well on the old axis: the gas released until 2400 s occupies
    # 2 (t - 2400) to 2 t m, so node 4 keeps gas until 2 (t - 2400) >= 4500 m, t = 4650 s
    net = toy_engine_network(population=[0] * 6)
    lon, lat = net.to_lonlat(net.x_m[[0]] - 500.0, net.y_m[[0]])
    scenario = scenario_from_dict(
        {
            "name": "plume-shift",
            "horizon_h": 1.5,
            "hazards": {
                "step_min": 5.0,
                "gas_leak": {
                    "home_points": "node",  # homes at their nodes: the values by hand
                    "lon": float(lon[0]),
                    "lat": float(lat[0]),
                    "release": [{"time_min": 0, "rate_kg_per_s": 20.0}],
                    "wind": [
                        {"time_min": 0, "speed_m_per_s": 2.0, "from_deg": 270.0, "stability": "F"},
                        {"time_min": 40, "speed_m_per_s": 2.0, "from_deg": 0.0, "stability": "F"},
                    ],
                },
            },
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    gas = model.hazards.get("plume")
    seen: dict[float, float] = {}

    def watch():
        while True:
            seen[model.env.now] = float(gas.ppm[4])
            yield model.env.timeout(300.0)

    model.env.process(watch())
    model.run_for()
    assert seen[2100.0] == 0.0  # front at 4200 m: not there yet
    assert seen[2400.0] > 0.0 and seen[3600.0] > 0.0  # the old plume's tail still passing
    # 2 x (4500 - 2400) = 4200 m < 4500: still there; 2 x (4800 - 2400) = 4800 m: gone
    assert seen[4500.0] > 0.0 and seen[4800.0] == 0.0
