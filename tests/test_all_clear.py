"""The all-clear: a household sealed in opens its home once the plume has passed it.

The toy of ``tests/test_gas_footprint.py``: one walker at node 2 of
``tests/protective_fixtures.py``, 3 km downwind of a 3.9 kg/s release in a 2 m/s class-F
wind from the west (25.07 ppm there, inside the 8-h AEGL-2 footprint of 16.8 ppm). At
60 min the wind turns to blow from the east: node 2 leaves the forecast footprint at
once, but the gas released before the shift still drifts past it until its tail has
travelled 3 km, at 3600 + 3000 / 2 = 5100 s. One channel reaches everyone after 2 min.

Timeline by hand: A detects the plume at the 1020-s step (it passes 16.8 ppm at node 1,
2 km out, at 1000 s) and warns at once; the warning lands at 1140 s; the plume front
reaches the home at 1500 s, before a walker could be out of the footprint (1020 + 120 +
60 + 1500 s), so the household shuts its home at 1140 s. Outdoors at the home: 25.07 ppm
at the steps 1500 .. 5040 s, 0 from 5100 s. At the 5100-s step the outdoor air is
cleaner than the sealed room's and the home is outside the footprint: the all-clear,
which lands at 5220 s. The sealed room breathes in at 0.5 air changes per hour
(``C_in(t + dt) = C_out + (C_in - C_out) exp(-lambda dt)``), so its load is that
recursion's ``C_in^n dt`` summed over the steps 1500 .. 5160 s; from 5220 s the aired
home holds the outdoor air, 0 ppm, and the load stays.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.households import AT_HOME
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.hazards import exposure
from sim.scenarios import scenario_from_dict
from tests.protective_fixtures import plume_network
from tests.test_protective import BEHAVIOUR, POPULATION

SHIFT_S = 3600.0
DELAY_S = 120.0


def _run():
    behaviour = {**BEHAVIOUR, "channels": [{"name": "sms", "reach": 1.0, "delay_min": 2.0}]}
    wind = {"speed_m_per_s": 2.0, "stability": "F"}
    gas = {
        "well": "W",
        "home_points": "node",  # homes at their nodes: the values by hand
        "release": [{"time_min": 0, "rate_kg_per_s": 3.9}],
        "wind": [
            {"time_min": 0, "from_deg": 270.0, **wind},
            {"time_min": SHIFT_S / 60.0, "from_deg": 90.0, **wind},
        ],
    }
    scenario = scenario_from_dict(
        {
            "name": "toy-all-clear",
            "horizon_h": 4.0,
            "population": POPULATION,
            "behaviour": behaviour,
            "policy": {"detection_delay_min": 0.0},
            "hazards": {"step_min": 1.0, "gas_leak": gas},
        }
    )
    model = EmergencyModel(scenario, plume_network({2: 1}), seed=0)
    model.run_for()
    return model, collect(model)


def _sealed_load(outdoor_ppm: float, first_s: float, last_gas_s: float, last_s: float) -> float:
    """Load of a room sealed clean, outdoors ``outdoor_ppm`` from ``first_s`` to ``last_gas_s``."""
    inside, load = 0.0, 0.0
    for now in np.arange(first_s, last_s + 1.0, 60.0):
        outdoor = outdoor_ppm if now <= last_gas_s else 0.0
        inside = outdoor + (inside - outdoor) * np.exp(-0.5 / 60.0)
        load += inside**exposure.TEN_BERGE_N * 1.0
    return load


def test_a_sealed_home_is_opened_once_the_plume_has_passed_and_its_dose_stops() -> None:
    model, result = _run()
    gas = model.hazards.get("plume")
    assert not gas.footprint(SHIFT_S)[2]  # out of the footprint at the shift already...
    ev = result.events
    mine = ev[ev["agent"] == model.household_ids[0]]
    clear_s = 5100.0 + DELAY_S  # ...but the all-clear waits for clean air there
    assert mine[["time_s", "kind"]].values.tolist() == [
        [1140.0, "warned"],
        [1140.0, "shelter_in_place"],
        [clear_s, "all_clear"],
    ]
    outdoor = 25.0693065  # the steady plume at node 2
    assert gas.load[0] == pytest.approx(_sealed_load(outdoor, 1500.0, 5040.0, 5160.0), rel=1e-6)
    # sealed to the 4-h horizon instead, as before the all-clear: 2.6 times the load
    assert _sealed_load(outdoor, 1500.0, 5040.0, 14400.0) > 2 * gas.load[0]
    assert model.households.state[0] == AT_HOME
    assert model.households.all_clear_s[0] == clear_s
    act = result.summary["protective_action"]
    assert (act["sheltered_in_place_persons"], act["all_clear_persons"]) == (1, 1)
    assert act["evacuated_persons"] + act["stayed_at_home_persons"] == 0
