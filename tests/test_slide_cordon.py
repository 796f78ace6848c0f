"""The threat area of a slope seen deforming: cordoned off, and ordered out at once.

A ring of links around a slope at node 1, on A's ground::

        3 (1000, 1500)
       /            \\
    0 home ── 1 slope ── 2 shelter
    (0, 0)   (1000, 0)   (2000, 0)

0-1 and 1-2 are 1000 m, 0-3 and 3-2 1800 m (residential, 36 km/h; walkers 1.2 m/s).
A scripted slide of 100 m around node 1 falls at 30 min: its run-out holds node 1 only.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.agents.households import SHELTERED
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.scenarios import scenario_from_dict
from sim.scenarios.behaviour import WARNING_LEVELS
from tests.engine_fixtures import toy_network
from tests.protective_fixtures import BEHAVIOUR

WALK_M_PER_S = 1.2
POPULATION = {"household_size_mean_persons": 1.0, "vehicle_share": 0.0, "vulnerable_share": 0.0}
SLIDE_S = 1800.0


def _ring(population: list[int]):
    x = np.array([0.0, 1000.0, 2000.0, 1000.0])
    y = np.array([0.0, 0.0, 0.0, 1500.0])
    links = [(0, 1, 1000.0), (1, 2, 1000.0), (0, 3, 1800.0), (3, 2, 1800.0)]
    places = {
        "stations": pd.DataFrame(columns=["name", "tier", "node", "teams", "jurisdiction"]),
        "shelters": pd.DataFrame(
            {
                "name": ["S"],
                "level": ["town"],
                "node": [2],
                "capacity_persons": [100],
                "jurisdiction": ["A"],
            }
        ),
    }
    net = toy_network(x, y, links, places=places)
    return replace(net, node_population_persons=np.asarray(population, dtype=np.int64))


def _run(population: list[int], warning: dict, *, foreseen: bool = True):
    net = _ring(population)
    lon, lat = net.to_lonlat(net.x_m[[1]], net.y_m[[1]])
    slide = {"time_min": SLIDE_S / 60.0, "lon": float(lon[0]), "lat": float(lat[0])}
    slide["foreseen"] = foreseen
    scenario = scenario_from_dict(
        {
            "name": "toy-slope",
            "horizon_h": 1.5,
            "population": POPULATION,
            "behaviour": BEHAVIOUR,
            "hazards": {
                "step_min": 0.5,
                "landslide": {"rain_slides": 0, "slides": [{**slide, "radius_m": 100.0}]},
            },
            "warnings": [warning],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    return model, collect(model)


def test_evacuees_go_round_the_threat_area_of_a_deforming_slope() -> None:
    """Ordered out at 0, the resident of node 0 sets off at 1 min and walks round by
    node 3 (3,600 m) instead of past the slope (2,000 m): the links into node 1 are
    closed to the public from the moment A's command knows of the slope."""
    model, result = _run([1, 0, 0, 0], {"time_min": 0, "level": "imminent", "issued_by": "A"})
    ev = result.events
    depart = 60.0
    arrive = depart + 3600.0 / WALK_M_PER_S
    mine = ev[ev["kind"].isin(["depart", "arrive_shelter"])][["time_s", "kind"]]
    assert mine.values.tolist() == [
        [pytest.approx(depart), "depart"],
        [pytest.approx(arrive), "arrive_shelter"],
    ]
    tracks = result.tracks
    assert 1 not in set(tracks["node"]) and 3 in set(tracks["node"])
    assert arrive > SLIDE_S  # the short way would have passed the slope before it fell
    assert model.households.state.tolist() == [SHELTERED]


def test_a_command_that_knows_the_slope_orders_its_threat_area_out_at_once() -> None:
    """A's only scripted order is an imminent one for node 3's surroundings; the resident
    of node 1, on the slope, hears the plan's immediate order at 0 and leaves (the way
    out of the threat area is open), instead of being buried at 30 min."""
    zone = {"center_lon": None, "center_lat": None, "radius_km": 0.2}
    net = _ring([0, 1, 0, 0])
    lon, lat = net.to_lonlat(net.x_m[[3]], net.y_m[[3]])
    zone.update(center_lon=float(lon[0]), center_lat=float(lat[0]))
    warning = {"time_min": 0, "level": "imminent", "issued_by": "A", "zone": zone}
    model, result = _run([0, 1, 0, 0], warning)
    t = model.households
    assert t.warned_level.tolist() == [WARNING_LEVELS.index("immediate")]
    assert t.warned_time_s.tolist() == [0.0]
    ev = result.events
    plan = ev[(ev["kind"] == "warning_issued") & (ev["tier"] == "plan")]
    assert plan["time_s"].tolist() == [0.0]
    depart = ev.loc[ev["kind"] == "depart", "time_s"].tolist()
    assert depart == [pytest.approx(60.0)]
    assert result.summary["casualties"]["dead"] == 0


def test_a_slope_nobody_watched_is_not_cordoned_off() -> None:
    """``foreseen = false``: the same resident takes the short way past the slope,
    2,000 m, and is in the shelter at 1,727 s, before the slope fails unannounced."""
    model, result = _run(
        [1, 0, 0, 0], {"time_min": 0, "level": "imminent", "issued_by": "A"}, foreseen=False
    )
    ev = result.events
    arrive = 60.0 + 2000.0 / WALK_M_PER_S
    assert ev.loc[ev["kind"] == "arrive_shelter", "time_s"].tolist() == [pytest.approx(arrive)]
    assert 1 in set(result.tracks["node"])
    plan = ev[(ev["kind"] == "warning_issued") & (ev["tier"] == "plan")]
    assert plan["time_s"].tolist() == [SLIDE_S]  # nothing to order out until it fell
    assert model.households.state.tolist() == [SHELTERED]
