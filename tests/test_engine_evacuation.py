"""Households on the toy engine region: exact departures, queues, capacity, re-routing.

Residents at node 1 (A); SA at node 0 is 100 s away, SB at node 4 is 300 s away.
Every household hears the SMS after 5 min (reach 1), complies (share 1) and sets off
after exactly 10 min (sigma 0): departure at t = 900 s for a warning at t = 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.households import SHELTERED, STRANDED
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, run
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import SURE_BEHAVIOUR, cut_off_scenario, toy_engine_network

BEHAVIOUR = SURE_BEHAVIOUR


def _scenario(linkage: str = "separate", issued_by: str = "A", **population) -> object:
    return scenario_from_dict(
        {
            "name": "toy-evac",
            "horizon_h": 2.0,
            "policy": {"linkage": linkage},
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 1.0, **population},
            "behaviour": BEHAVIOUR,
            "warnings": [{"time_min": 0.0, "level": "imminent", "issued_by": issued_by}],
            "outputs": {"track_households": 10},
        }
    )


def _times(result, kind: str) -> list[float]:
    return sorted(result.events.loc[result.events["kind"] == kind, "time_s"].tolist())


def test_premovement_delay_and_queue_headway_exact() -> None:
    result = run(_scenario(), seed=3, network=toy_engine_network(population=[0, 3, 0, 0, 0, 0]))
    assert _times(result, "warned") == [300.0, 300.0, 300.0]
    assert _times(result, "depart") == [900.0, 900.0, 900.0]
    # link 1→0: 100 s free flow, 900 veh/h → one vehicle every 4 s
    assert _times(result, "arrive_shelter") == [1000.0, 1004.0, 1008.0]
    assert result.summary["evacuation"]["clearance_100pct_s"] == 1008.0


def test_no_shelter_above_capacity_overflow_to_next() -> None:
    net = toy_engine_network(population=[0, 3, 0, 0, 0, 0], shelter_capacity=2)
    result = run(_scenario(), seed=3, network=net)
    assert result.shelters["occupants_persons"].tolist() == [2, 1]
    assert (result.shelters["occupants_persons"] <= result.shelters["capacity_persons"]).all()
    # the third household goes 1→2→3→4: 300 s at free flow
    assert _times(result, "arrive_shelter") == [1000.0, 1004.0, 1200.0]


def test_reroute_when_link_ahead_closes() -> None:
    # SB moved to node 5, so from node 2 SA (200 s) is nearer than SB (3200 s)
    net = toy_engine_network(population=[0, 0, 1, 0, 0, 0], shelter_b_node=5)
    model = EmergencyModel(_scenario(), net, seed=3)

    def close_later():
        yield model.env.timeout(950.0)  # the household is on 2→1 (900..1000 s)
        model.roads.close(net.edge_ids(np.array([1]), np.array([0])))

    model.env.process(close_later())
    model.run_for()
    result = collect(model)
    # at node 1 (1000 s) the next link is closed: back 1→2→3→4→5 to SB, 3300 s
    assert _times(result, "arrive_shelter") == [4300.0]
    assert result.shelters["occupants_persons"].tolist() == [0, 1]
    assert model.shelters.reserved_persons.tolist() == [0, 1]  # the SA place was given back


def test_stranded_household_becomes_a_ground_incident() -> None:
    net = toy_engine_network(population=[0, 1, 0, 0, 0, 0])
    model = EmergencyModel(_scenario(), net, seed=3)
    model.roads.close(net.edge_ids(np.array([1, 1]), np.array([0, 2])))
    model.run_for()
    result = collect(model)
    assert model.households.state.tolist() == [STRANDED]
    assert result.summary["persons"]["stranded"] == 1
    inc = result.incidents
    assert inc[["kind", "node", "tier", "persons"]].values.tolist() == [
        ["stranded", 1, "ground", 1]
    ]


@pytest.mark.parametrize(
    ("linkage", "delay_s"),
    [("separate", 45 * 60.0), ("notify", 15 * 60.0), ("mutual_aid", 15 * 60.0), ("joint", 0.0)],
)
def test_other_side_warned_after_policy_delay(linkage: str, delay_s: float) -> None:
    net = toy_engine_network(population=[0, 1, 0, 1, 0, 0])
    result = run(_scenario(linkage), seed=3, network=net)
    issued = result.events[result.events["kind"] == "warning_issued"]
    assert dict(zip(issued["jurisdiction"], issued["time_s"], strict=True)) == {
        "A": 0.0,
        "B": delay_s,
    }
    warned = result.events[result.events["kind"] == "warned"]
    assert dict(zip(warned["jurisdiction"], warned["time_s"], strict=True)) == {
        "A": 300.0,
        "B": delay_s + 300.0,
    }


def test_persons_conserved_and_shelters_within_capacity_on_random_run() -> None:
    net = toy_engine_network(population=[30, 40, 25, 35, 20, 10], shelter_capacity=60)
    scenario = scenario_from_dict(
        {
            "name": "toy-random",
            "horizon_h": 2.0,
            "population": {"vehicle_share": 0.5},
            "warnings": [{"time_min": 0.0, "level": "immediate", "issued_by": "A"}],
            "policy": {"linkage": "joint"},
        }
    )
    model = EmergencyModel(scenario, net, seed=11)
    model.run_for()
    result = collect(model)
    assert sum(result.summary["persons"].values()) == 160
    assert model.households.size_persons.sum() == 160
    assert (model.shelters.occupants_persons <= model.shelters.capacity_persons).all()
    sheltered = model.households.state == SHELTERED
    assert model.households.size_persons[sheltered].sum() == model.shelters.occupants_persons.sum()


def test_stranded_household_leaves_on_its_own_when_roads_reopen() -> None:
    # Stranded at its departure (900 s): every link at node 1 is closed, and A-post (node 2)
    # cannot reach it either, so the incident waits. The links reopen at 1800 s: the
    # household sets off (1→0, 100 s) and its incident is withdrawn; no team is sent.
    scenario, net = cut_off_scenario(reopen_min=30.0)
    result = run(scenario, seed=3, network=net)
    ev = result.events
    kinds = ev[ev["kind"].isin(["stranded", "resume", "incident_withdrawn", "arrive_shelter"])]
    assert kinds[["time_s", "kind", "incident"]].values.tolist() == [
        [900.0, "stranded", -1],
        [1800.0, "resume", 0],
        [1800.0, "incident_withdrawn", 0],
        [1900.0, "arrive_shelter", -1],
    ]
    assert (ev["kind"] == "dispatch").sum() == 0
    assert result.incidents["withdrawn_s"].tolist() == [1800.0]
    assert result.summary["incidents"]["withdrawn"] == 1
    assert result.summary["incidents"]["unserved_tier_requests"] == 0
    assert np.isnan(result.summary["coverage"]["all"]["ground_30min"])  # nobody needed one
    assert result.summary["persons"]["sheltered"] == 1
    assert result.summary["persons"]["stranded"] == 0


def test_household_that_waited_past_the_standard_counts_as_not_reached() -> None:
    # Stranded at 900 s, roads reopen at 90 min: it left on its own after waiting
    # 4500 s (75 min) with no team, so it was not reached within 30 min (coverage 0, not
    # n/a); on the curve it leaves the denominator from T = 75 min.
    scenario, net = cut_off_scenario(reopen_min=90.0)
    result = run(scenario, seed=3, network=net)
    assert result.incidents["withdrawn_s"].tolist() == [5400.0]
    assert result.summary["coverage"]["all"]["ground_30min"] == 0.0
    curve = result.coverage_curve
    ground = curve[(curve["tier"] == "ground") & (curve["jurisdiction"] == "all")]
    share = dict(zip(ground["minutes"], ground["coverage_share"], strict=True))
    assert share[74] == 0.0 and np.isnan(share[75])
    assert _times(result, "arrive_shelter") == [5500.0]


# ------------------------------------------------------------------ warning zones
def test_warning_zone_by_radius_elevation_settlement_and_their_intersection() -> None:
    from dataclasses import replace

    from sim.agents.warning import zone_nodes
    from sim.scenarios.behaviour import ZoneSpec

    net = toy_engine_network()  # nodes 0..4 every 1000 m along x, node 5 30 km further
    net = replace(net, elevation_m=np.array([200.0, 230.0, 260.0, 290.0, 320.0, 400.0]))
    lon, lat = net.to_lonlat(net.x_m[[2]], net.y_m[[2]])
    circle = {"center_lon": float(lon[0]), "center_lat": float(lat[0]), "radius_km": 1.5}
    assert np.flatnonzero(zone_nodes(net, ZoneSpec(**circle))).tolist() == [1, 2, 3]
    assert np.flatnonzero(zone_nodes(net, ZoneSpec(max_elevation_m=260.0))).tolist() == [0, 1, 2]
    # Avillage is at node 1, with the default 1,500 m radius: nodes 0, 1, 2
    assert np.flatnonzero(zone_nodes(net, ZoneSpec(settlements=("Avillage",)))).tolist() == [
        0,
        1,
        2,
    ]
    both = ZoneSpec(**circle, max_elevation_m=260.0, jurisdiction="A")
    assert np.flatnonzero(zone_nodes(net, both)).tolist() == [1, 2]
    assert zone_nodes(net, ZoneSpec()).all()


def test_a_zone_warns_only_the_households_inside_it() -> None:
    net = toy_engine_network(population=[1, 1, 1, 1, 1, 0])
    lon, lat = net.to_lonlat(net.x_m[[0]], net.y_m[[0]])
    scenario = scenario_from_dict(
        {
            "name": "toy-zone",
            "horizon_h": 1.0,
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 1.0},
            "behaviour": BEHAVIOUR,
            "warnings": [
                {
                    "time_min": 0.0,
                    "level": "imminent",
                    "issued_by": "A",
                    "zone": {"center_lon": float(lon[0]), "center_lat": float(lat[0]),
                             "radius_km": 1.2},
                }
            ],
            "outputs": {"track_households": 0},
        }
    )  # fmt: skip
    result = run(scenario, seed=0, network=net)
    warned = result.events[result.events["kind"] == "warned"]
    assert sorted(warned["node"].tolist()) == [0, 1]  # 0 m and 1,000 m from node 0


# ------------------------------------------------------------------ researcher hooks
def test_household_and_team_classes_can_be_swapped_by_subclassing_the_model() -> None:
    from sim.agents.household import Household
    from sim.agents.rescue import RescueTeam
    from tests.engine_fixtures import cut_off_scenario

    class LateHousehold(Household):
        """Sets off one minute later than it decided to."""

        def evacuate(self, depart_s: float):
            yield from super().evacuate(depart_s + 60.0)

    calls: list[int] = []

    class LoggingTeam(RescueTeam):
        def respond(self, incident, route_nodes, travel_s):
            calls.append(incident.id)
            yield from super().respond(incident, route_nodes, travel_s)

    class MyModel(EmergencyModel):
        household_class = LateHousehold
        team_class = LoggingTeam

    base = run(_scenario(), seed=0, network=toy_engine_network(population=[0, 2, 0, 0, 0, 0]))
    model = MyModel(_scenario(), toy_engine_network(population=[0, 2, 0, 0, 0, 0]), seed=0)
    model.run_for()
    mine = collect(model)
    assert len(model.agents_by_type[LateHousehold]) == model.households.n == 2
    assert len(model.agents_by_type[LoggingTeam]) == len(model.teams)
    arrive = base.events[base.events["kind"] == "arrive_shelter"]["time_s"].to_numpy()
    late = mine.events[mine.events["kind"] == "arrive_shelter"]["time_s"].to_numpy()
    np.testing.assert_allclose(late, arrive + 60.0)

    scenario, net = cut_off_scenario(reopen_min=30.0)
    incident = {"time_min": 1.0, "node": 3, "persons": 1, "tiers": ["ground"]}
    scenario = scenario_from_dict({**_as_data(scenario), "incidents": [incident]})
    model = MyModel(scenario, net, seed=0)
    model.run_for()
    dispatched = collect(model).events.query("kind == 'dispatch'")["incident"].tolist()
    assert calls == dispatched == [0]


def _as_data(scenario) -> dict:
    import tomllib

    from sim.scenarios.dump import scenario_to_toml

    return tomllib.loads(scenario_to_toml(scenario))


@pytest.mark.parametrize(("home", "close_s"), [(1, 0.0), (2, 950.0)])
def test_a_household_no_road_lets_drive_on_leaves_its_car_and_walks(
    home: int, close_s: float
) -> None:
    # Links 1→0 and 1→2 close to cars only (water between the car and walking limits,
    # or a methane closure) at ``close_s``. From home 1 the household finds no road for
    # its car when it sets off (900 s); from home 2 it is on 2→1 (900..1000 s) and finds
    # none at node 1 (1000 s). Either way it leaves the car at node 1 and walks the 1 km
    # to SA (SB is at node 5, 30 km off). Before, it was stranded there waiting for a
    # ground team. (Setting off, it finds it must walk before it leaves: ``leave_car``
    # comes first.)
    net = toy_engine_network(population=[0] * home + [1] + [0] * (5 - home), shelter_b_node=5)
    model = EmergencyModel(_scenario(), net, seed=3)
    cars_only = np.zeros(net.n_edges, dtype=bool)
    cars_only[net.edge_ids(np.array([1, 1]), np.array([0, 2]))] = True

    def close_later():
        yield model.env.timeout(close_s)
        model.roads.set_closures("water", cars_only, np.zeros(net.n_edges, dtype=bool))

    model.env.process(close_later())
    model.run_for()
    result = collect(model)
    at_node_1_s = 900.0 + 100.0 * (home - 1)
    walk_s = float(model.walk_time_s[net.edge_ids(np.array([1]), np.array([0]))[0]])
    assert walk_s == pytest.approx(1000.0 / 1.2, rel=0.01)  # 1 km at about 1.2 m/s
    ev = result.events[result.events["kind"].isin(["depart", "leave_car", "arrive_shelter"])]
    leave = [[at_node_1_s, "leave_car", 1]]
    depart = [[900.0, "depart", home]]
    assert ev[["time_s", "kind", "node"]].values.tolist() == [
        *(leave + depart if home == 1 else depart + leave),
        [pytest.approx(at_node_1_s + walk_s), "arrive_shelter", 0],
    ]
    assert model.households.state.tolist() == [SHELTERED] and model.households.left_car[0]
    assert result.incidents.empty
