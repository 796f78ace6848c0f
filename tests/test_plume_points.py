"""A narrow night plume between two road nodes still reaches the homes and links under it.

Toy, metres east/north of the well W; the wind blows from the west (270 deg) at 2 m/s,
class F, so the plume runs east along y = 0 and passes between nodes 0 and 1::

    2 (-3000, 250) shelter ─────────── 0 (2000, 250) village, 100 persons
                                       │
                W (0, 0)  ─ ─ plume axis ─ ─ ─ ─ ─ ─
                                       │
                                       1 (2000, -250)

At 2 km, sigma_y = 0.04 x (1 + 1e-4 x)^-0.5 = 73.0 m and sigma_z = 0.016 x
(1 + 3e-4 x)^-1 = 20.0 m (Briggs 1973, rural F), so the axis holds about 290 ppm of H2S
and node 0, 250 m off it, 0.83 ppm. Node 0's cell is the half-plane y > 0 within 300 m
of it: its homes reach down to the axis.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.engine.model import EmergencyModel
from sim.hazards import exposure
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import toy_network

X0, Y0 = 500_000.0, 3_350_000.0
RATE_KG_PER_S, WIND_M_PER_S, H2S_SHARE = 25.0, 2.0, 0.15
#: Nobody acts on any warning: only where the homes are decides who breathes what.
STAY = {
    "channels": [{"name": "sms", "reach": 1.0, "delay_min": 0.0}],
    "door_knocking": False,
    "compliance": {"trend": 0.0, "risk": 0.0, "imminent": 0.0, "immediate": 0.0},
}


def _network():
    stations = pd.DataFrame(columns=["name", "tier", "node", "teams"])
    places = {
        "stations": stations,
        "shelters": pd.DataFrame(
            {
                "name": ["S"],
                "level": ["town"],
                "node": [2],
                "capacity_persons": [500],
                "jurisdiction": ["A"],
            }
        ),
        "wells": pd.DataFrame({"name": ["W"], "x_m": [X0], "y_m": [Y0]}),
    }
    net = toy_network(
        np.array([2000.0, 2000.0, -3000.0]),
        np.array([250.0, -250.0, 250.0]),
        [(0, 1, 500.0), (0, 2, 5000.0)],
        places=places,
    )
    return replace(net, node_population_persons=np.array([100, 0, 0], np.int64))


def _run(home_points: str, seed: int = 0) -> EmergencyModel:
    scenario = scenario_from_dict(
        {
            "name": "toy-home-points",
            "horizon_h": 1.0,
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 0.0},
            "behaviour": STAY,
            "hazards": {
                "step_min": 1.0,
                "gas_leak": {
                    "well": "W",
                    "home_points": home_points,
                    "h2s_mass_fraction": H2S_SHARE,
                    "release": [{"time_min": 0, "rate_kg_per_s": RATE_KG_PER_S}],
                    "wind": [
                        {
                            "time_min": 0,
                            "speed_m_per_s": WIND_M_PER_S,
                            "from_deg": 270.0,
                            "stability": "F",
                        }
                    ],
                },
            },
        }
    )
    model = EmergencyModel(scenario, _network(), seed=seed)
    model.run_for()
    return model


def _briggs_f_ppm(x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    """H2S by the plume formula of the module docs (receptor 1.5 m, release 2 m)."""
    sy = 0.04 * x_m / np.sqrt(1 + 1e-4 * x_m)
    sz = 0.016 * x_m / (1 + 3e-4 * x_m)
    vertical = np.exp(-(0.5**2) / (2 * sz**2)) + np.exp(-(3.5**2) / (2 * sz**2))
    kg_per_m3 = (
        RATE_KG_PER_S / (2 * np.pi * WIND_M_PER_S * sy * sz) * np.exp(-(y_m**2) / (2 * sy**2))
    ) * vertical
    return kg_per_m3 * H2S_SHARE * 1e6 / 1.39


def test_at_the_nodes_the_plume_passes_between_them_and_hurts_nobody() -> None:
    model = _run("node")
    gas = model.hazards.get("plume")
    assert gas.home_rows.size == 0
    assert gas.ppm[0] == pytest.approx(_briggs_f_ppm(np.array(2000.0), np.array(250.0)), rel=1e-9)
    assert gas.ppm[0] == pytest.approx(0.83, abs=0.01)
    assert gas.level.max() == 0  # indoors, lagging 0.83 ppm outside: not even AEGL-1
    assert not gas.footprint(0.0)[0]


def test_in_the_cells_the_homes_under_the_plume_are_reached() -> None:
    model = _run("cell")
    gas, t = model.hazards.get("plume"), model.households
    assert gas.home_rows.tolist() == list(range(t.n))  # all 100 homes are near the plume
    x = gas._homes.x_m - X0
    y = gas._homes.y_m - Y0
    # every home stands in node 0's cell: nearer node 0 than node 1, within 300 m of it
    assert (y > 0).all()
    assert (np.hypot(x - 2000.0, y - 250.0) <= 300.0).all()
    # the plume front (2 m/s) passed every home long before the hour was out
    expected = _briggs_f_ppm(x, y)
    expected[expected < 1e-4] = 0.0  # clean air (CLEAN_AIR_PPM)
    np.testing.assert_allclose(gas.home_ppm, expected, rtol=1e-9)
    assert gas.home_ppm.max() > 100.0  # homes within a few tens of metres of the axis
    assert gas.cell_ppm[0] == gas.home_ppm.max()
    assert gas.footprint(0.0)[0]  # the commands' footprint covers the village's ground
    dead = t.state == 4
    assert dead.any()
    # who dies is decided by where the home is: every dead home breathed more outdoors
    # than every home that stayed below AEGL-2
    assert gas.home_ppm[dead].min() > gas.home_ppm[gas.level < 2].max()
    # each survivor's toxic load is its home's indoor air, breathed minute by minute
    assert exposure.aegl_level(gas.load[~dead]).tolist() == gas.level[~dead].tolist()


def test_the_home_points_are_drawn_apart_from_the_other_draws() -> None:
    cell, node, again = _run("cell"), _run("node"), _run("cell")
    np.testing.assert_array_equal(
        cell.hazards.get("plume")._homes.x_m, again.hazards.get("plume")._homes.x_m
    )
    for name in ("size_persons", "has_vehicle", "home_node"):
        np.testing.assert_array_equal(
            getattr(cell.households, name), getattr(node.households, name)
        )
    other = _run("cell", seed=1).hazards.get("plume")._homes.x_m
    assert not np.array_equal(other, cell.hazards.get("plume")._homes.x_m)


def test_a_link_across_the_axis_is_closed_although_both_its_ends_are_in_clean_air() -> None:
    model = _run("node")
    gas, net, roads = model.hazards.get("plume"), model.network, model.roads
    across = np.flatnonzero(
        ((net.edge_source == 0) & (net.edge_target == 1))
        | ((net.edge_source == 1) & (net.edge_target == 0))
    )
    assert gas.ppm[[0, 1]].max() < 1.0  # both ends: 0.83 ppm
    # the link is read every 20 m: its point on the axis holds the axis's level
    on_axis = float(_briggs_f_ppm(np.array(2000.0), np.array(0.0)))
    assert on_axis > 250.0
    assert roads.closed_walk[across].all() and roads.closed_vehicle[across].all()
    assert not roads.closed_walk[np.setdiff1d(np.arange(net.n_edges), across)].any()
