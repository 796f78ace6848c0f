"""Supply trucks: exact delivery timelines on a toy line, depot choice and sharing, stock.

::

    DA 0 ──── 1 ──── 2 ──── 3 DB        1000 m links at 36 km/h: 100 s each
       A      A  ┆   B      B
            S1   ┆  S2

Depot DA (city level, node 0, side A) and DB (town level, node 3, side B); shelters S1
(node 1, A) and S2 (node 2, B). Three one-person households live at node 1 and two at
node 2: warned by SMS at 300 s, they leave after exactly 10 minutes and, living at their
shelter's node, arrive at 900 s. A shelter needs one kit per person; any unmet need of
at least one kit is a request. Trucks carry 2 kits and unload in 15 minutes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, run
from sim.network import compile_region
from sim.regions.base import RegionData
from sim.report.run import format_run
from sim.scenarios import scenario_from_dict
from tests.protective_fixtures import TOY_FLOOD, flood_network

UNLOAD_S = 900.0


def supply_line(
    *, stock_a: int, stock_b: int, link_2_3_m: float = 1000.0, sides: tuple = (0, 0, 1, 1)
):
    """The line above; ``sides`` (0 = A, 1 = B per node) may put all of it on side A."""
    x = np.array([0.0, 1000.0, 2000.0, 2000.0 + link_2_3_m]) + 500_000.0
    side_name = ["AB"[k] for k in sides]
    pairs = [(0, 1), (1, 2), (2, 3)]
    s = [a for a, b in pairs] + [b for a, b in pairs]
    t = [b for a, b in pairs] + [a for a, b in pairs]
    frame = pd.DataFrame
    places = {
        "stations": frame(
            {"name": ["post"], "tier": ["ground"], "node": [0], "teams": [1], "jurisdiction": ["A"]}
        ),
        "shelters": frame(
            {
                "name": ["S1", "S2"],
                "level": ["town", "town"],
                "node": [1, 2],
                "capacity_persons": [100, 100],
                "jurisdiction": [side_name[1], side_name[2]],
            }
        ),
        "depots": frame(
            {
                "name": ["DA", "DB"],
                "level": ["city", "town"],
                "node": [0, 3],
                "stock_kits": [stock_a, stock_b],
                "jurisdiction": [side_name[0], side_name[3]],
            }
        ),
    }
    return compile_region(
        RegionData(
            name="supply-line",
            crs="EPSG:32648",
            x_m=x,
            y_m=np.full(4, 3_350_000.0),
            elevation_m=np.zeros(4),
            jurisdiction=np.array(sides, np.int8),
            jurisdiction_names=("A", "B"),
            edge_source=np.array(s),
            edge_target=np.array(t),
            edge_length_m=np.array([1000.0, 1000.0, link_2_3_m] * 2),
            edge_highway=np.array(["residential"] * len(s)),
            edge_lanes=np.full(len(s), np.nan),
            edge_maxspeed_kph=np.full(len(s), 36.0),
            edge_bridge=np.zeros(len(s), bool),
            places=places,
            node_population_persons=np.array([0, 3, 2, 0]),
        )
    )


def supply_scenario(
    linkage: str,
    *,
    trucks: dict[str, int],
    sides: str = "AB",
    closures: tuple = (),
    capacity_kits: int = 2,
):
    warn = [
        {"time_min": 0.0, "level": "imminent", "issued_by": side, "zone": {"jurisdiction": side}}
        for side in sides
    ]
    return scenario_from_dict(
        {
            "name": f"supply-{linkage}",
            "horizon_h": 6.0,
            "policy": {"linkage": linkage},
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 1.0},
            "behaviour": {
                "channels": [{"name": "sms", "reach": 1.0, "delay_min": 5.0}],
                "door_knocking": False,
                "compliance": {"imminent": 1.0},
                "premovement_median_min": 10.0,
                "premovement_sigma": 0.0,
            },
            "warnings": warn,
            "supply": {
                "kits_per_person": 1.0,
                "truck_capacity_kits": capacity_kits,
                "trucks_per_depot": trucks,
                "unload_min": UNLOAD_S / 60.0,
                "request_min_kits": 1,
            },
            "outputs": {"track_households": 0},
            "closures": list(closures),
        }
    )


def truck_log(result) -> list[tuple]:
    ev = result.events
    rows = ev[ev["kind"].isin(["supply_request", "truck_dispatch", "delivery", "truck_rebased"])]
    return [
        (float(t), k, int(n), int(v))
        for t, k, n, v in zip(rows.time_s, rows.kind, rows.node, rows.value, strict=True)
    ]


def all_side_a(*, stock_a: int, city_trucks: int, capacity_kits: int = 2):
    """Run the line with every node on side A (DB is A's too, 10 kits, no truck)."""
    trucks = {"city": city_trucks, "town": 0}
    return run(
        supply_scenario("separate", trucks=trucks, sides="A", capacity_kits=capacity_kits),
        seed=0,
        network=supply_line(stock_a=stock_a, stock_b=10, sides=(0, 0, 0, 0)),
    )


def test_one_truck_serves_its_own_side_in_order_and_never_leaves_twice_at_once() -> None:
    # DA's one truck; DB has none (town depots get 0 trucks), so under `separate` S2 waits
    result = run(
        supply_scenario("separate", trucks={"city": 1, "town": 0}),
        seed=0,
        network=supply_line(stock_a=4, stock_b=10),
    )
    assert truck_log(result) == [
        (900.0, "supply_request", 1, 1),  # first arrival at S1: 1 kit short
        (900.0, "truck_dispatch", 0, 1),  # DA's truck takes it at once
        (900.0, "supply_request", 1, 1),  # second arrival: 1 more, no truck: waits
        (900.0, "supply_request", 2, 1),  # S2 (side B): no truck on its side: waits
        (900.0 + 100.0 + UNLOAD_S, "delivery", 1, 1),
        (2000.0, "truck_dispatch", 0, 2),  # home at 2000 s: S1's remaining 2 kits
        (2000.0 + 100.0 + UNLOAD_S, "delivery", 1, 2),
    ]
    shelters = result.shelters.set_index("name")
    assert shelters.loc["S1", "kits_delivered"] == 3
    assert shelters.loc["S2", "kits_delivered"] == 0
    # 3 of 5 kits delivered by 6 h
    assert result.summary["supply"]["need_met_share_6h"] == pytest.approx(3 / 5)
    assert result.summary["supply"]["shelters_supplied"] == 1


def test_joint_shares_depots_and_a_truck_whose_depot_runs_out_moves_to_the_other() -> None:
    # also: the least served shelter goes first, not the one that asked first
    result = run(
        supply_scenario("joint", trucks={"city": 1, "town": 0}),
        seed=0,
        network=supply_line(stock_a=4, stock_b=10),
    )
    assert truck_log(result) == [
        (900.0, "supply_request", 1, 1),
        (900.0, "truck_dispatch", 0, 1),
        (900.0, "supply_request", 1, 1),
        (900.0, "supply_request", 2, 1),  # S2 may now take DA's truck, when it is free
        (1900.0, "delivery", 1, 1),
        # home at 2000 s: S1 has 1 of its 3 kits, S2 none of its 2: S2 first, 200 s
        (2000.0, "truck_dispatch", 0, 2),
        (2000.0 + 200.0 + UNLOAD_S, "delivery", 2, 2),
        # home at 3300 s: S1 needs 2 kits but DA has 1 left; the truck takes it
        (3300.0, "truck_dispatch", 0, 1),
        (3300.0 + 100.0 + UNLOAD_S, "delivery", 1, 1),
        # DA is out of stock: from S1 the truck drives to DB (shared under `joint`,
        # 200 s) instead of home, and is based there
        (4300.0, "truck_rebased", 3, 10),
        (4500.0, "truck_dispatch", 3, 1),  # S1's last kit
        (4500.0 + 200.0 + UNLOAD_S, "delivery", 1, 1),
    ]
    assert result.summary["supply"]["need_met_share_6h"] == pytest.approx(5 / 5)
    assert result.summary["supply"]["trucks_rebased"] == 1
    assert result.shelters.set_index("name").loc[["S1", "S2"], "kits_delivered"].tolist() == [3, 2]


def test_a_truck_whose_depot_runs_out_loads_at_the_nearest_depot_of_its_side() -> None:
    # the whole line is side A: DB (node 3) is A's too. DA has 2 kits, its one truck
    # carries 2; S1 needs 3 kits, S2 needs 2
    result = all_side_a(stock_a=2, city_trucks=1)
    assert truck_log(result) == [
        (900.0, "supply_request", 1, 1),
        (900.0, "truck_dispatch", 0, 1),  # DA: 1 kit left
        (900.0, "supply_request", 1, 1),
        (900.0, "supply_request", 2, 1),
        (1900.0, "delivery", 1, 1),
        # home at 2000 s: DA's last kit, to S2 (none of its 2 yet; S1 has 1 of 3)
        (2000.0, "truck_dispatch", 0, 1),
        (2000.0 + 200.0 + UNLOAD_S, "delivery", 2, 1),
        # DA is empty: from S2 to DB, 100 s, where the truck is based from now on
        (3100.0, "truck_rebased", 3, 10),
        (3200.0, "truck_dispatch", 3, 2),  # S1 (1 of 3) before S2 (1 of 2): 2 kits
        (3200.0 + 200.0 + UNLOAD_S, "delivery", 1, 2),
        (4500.0, "truck_dispatch", 3, 1),  # back at DB (200 s): S2's last kit
        (4500.0 + 100.0 + UNLOAD_S, "delivery", 2, 1),
    ]
    assert result.summary["supply"]["need_met_share_6h"] == pytest.approx(5 / 5)


def test_free_trucks_leave_a_depot_whose_last_kit_was_just_loaded() -> None:
    # all side A; DA has 1 kit and 2 trucks: when the first loads it, the second drives
    # at once to DB (300 s) and serves S2 from there; the first follows from S1 (200 s)
    result = all_side_a(stock_a=1, city_trucks=2)
    assert truck_log(result) == [
        (900.0, "supply_request", 1, 1),
        # the first truck loads DA's only kit; the second, with nothing left at DA,
        # moves at once (logged first: the first truck's trip starts a moment later)
        (900.0, "truck_rebased", 3, 10),
        (900.0, "truck_dispatch", 0, 1),
        (900.0, "supply_request", 1, 1),
        (900.0, "supply_request", 2, 1),
        (1200.0, "truck_dispatch", 3, 2),  # at DB: S2's 2 kits (S1 has 1 on the way)
        (1900.0, "delivery", 1, 1),
        (1900.0, "truck_rebased", 3, 8),  # the first truck, from S1 to DB
        (2100.0, "truck_dispatch", 3, 2),  # S1's other 2 kits, 200 s
        (1200.0 + 100.0 + UNLOAD_S, "delivery", 2, 2),
        (2100.0 + 200.0 + UNLOAD_S, "delivery", 1, 2),
    ]
    assert result.summary["supply"]["trucks_rebased"] == 2


def test_a_truck_with_kits_to_spare_drops_them_at_other_waiting_shelters() -> None:
    # all side A; one truck of 10 kits. At 2000 s S1 (1 of 3 kits) and S2 (0 of 2) wait:
    # the truck loads DA's 9 kits, goes to S2 first (least served, 200 s), unloads its 2,
    # drives on to S1 (100 s, within the 30-min hop) with S1's 2, takes 5 back to DA
    result = all_side_a(stock_a=10, city_trucks=1, capacity_kits=10)
    assert truck_log(result)[4:] == [
        (1900.0, "delivery", 1, 1),
        (2000.0, "truck_dispatch", 0, 4),  # kits unloaded on the trip
        (2000.0 + 200.0 + UNLOAD_S, "delivery", 2, 2),
        (3100.0 + 100.0 + UNLOAD_S, "delivery", 1, 2),
    ]
    assert result.summary["supply"]["need_met_share_6h"] == pytest.approx(5 / 5)
    assert result.shelters.set_index("name").loc[["S1", "S2"], "kits_delivered"].tolist() == [3, 2]
    # first kits 1000 s (S1) and 2200 s (S2) after the first arrivals: median 1600 s
    assert "Supply: 2 of 2 used shelters supplied, the first kits a median 27 min after " in (
        format_run(result)
    )


def test_a_truck_never_moves_to_a_depot_its_command_may_not_draw_on() -> None:
    # as above, but DB is side B's: under `separate` A's truck goes home to empty DA
    result = run(
        supply_scenario("separate", trucks={"city": 1, "town": 0}),
        seed=0,
        network=supply_line(stock_a=2, stock_b=10),
    )
    log = truck_log(result)
    assert [r for r in log if r[1] == "truck_rebased"] == []
    deliveries = [r for r in log if r[1] == "delivery"]
    assert deliveries == [(1900.0, "delivery", 1, 1), (3000.0, "delivery", 1, 1)]
    assert result.summary["supply"]["trucks_rebased"] == 0
    assert result.summary["supply"]["persons_in_shelters_without_kits"] == 2  # S2's, side B
    # the median first-delivery wait is not reached (S2's): not printed
    assert "Supply: 1 of 2 used shelters supplied (2 persons in the others); kit " in (
        format_run(result)
    )


def test_a_truck_cut_off_from_its_depot_moves_to_one_it_can_reach() -> None:
    # all side A; at 40 min a closure around DA (node 0) cuts the link 0-1: the truck,
    # unloading at S2 until 3100 s, cannot get home although DA still has kits
    net = supply_line(stock_a=10, stock_b=10, sides=(0, 0, 0, 0))
    lon, lat = net.to_lonlat(net.x_m[:1], net.y_m[:1])
    closure = {"time_min": 40.0, "action": "close", "lon": float(lon[0]), "lat": float(lat[0])}
    scenario = supply_scenario(
        "separate", trucks={"city": 1, "town": 0}, sides="A", closures=[closure]
    )
    result = run(scenario, seed=0, network=net)
    assert truck_log(result)[4:] == [
        (1900.0, "delivery", 1, 1),
        (2000.0, "truck_dispatch", 0, 2),  # home at 2000 s, before the closure: S2's 2
        (2000.0 + 200.0 + UNLOAD_S, "delivery", 2, 2),
        (3100.0, "truck_rebased", 3, 10),  # DA cut off: to DB, 100 s
        (3200.0, "truck_dispatch", 3, 2),  # S1's other 2 kits, 200 s away
        (3200.0 + 200.0 + UNLOAD_S, "delivery", 1, 2),
    ]


def test_nearest_depot_with_stock_and_a_truck_is_chosen() -> None:
    # both depots have a truck; under `joint` S2 (node 2) is 100 s from DB and 200 s from
    # DA, so DB serves it; S1 (node 1) is 100 s from DA
    result = run(
        supply_scenario("joint", trucks={"city": 1, "town": 1}),
        seed=0,
        network=supply_line(stock_a=10, stock_b=10),
    )
    dispatches = [r for r in truck_log(result) if r[1] == "truck_dispatch"]
    assert dispatches[:2] == [(900.0, "truck_dispatch", 0, 1), (900.0, "truck_dispatch", 3, 1)]
    # with DB empty, DA's truck goes to S2 instead, once it is home
    empty_b = run(
        supply_scenario("joint", trucks={"city": 1, "town": 1}),
        seed=0,
        network=supply_line(stock_a=10, stock_b=0),
    )
    nodes = {r[2] for r in truck_log(empty_b) if r[1] == "truck_dispatch"}
    assert nodes == {0}


def test_a_depot_across_the_border_sends_a_truck_only_when_it_is_there_first() -> None:
    # joint command; DB is 20 km beyond S2 (2000 s from S2, 2100 s from S1), DA 100 s from
    # S1 and 200 s from S2; one truck each, a 100 s trip and 900 s unloading
    result = run(
        supply_scenario("joint", trucks={"city": 1, "town": 1}),
        seed=0,
        network=supply_line(stock_a=10, stock_b=10, link_2_3_m=20_000.0),
    )
    assert truck_log(result) == [
        (900.0, "supply_request", 1, 1),
        (900.0, "truck_dispatch", 0, 1),  # DA's truck to S1, due home at 2000 s
        # S1 asks again: DA's truck, back at 2000 s, is there at 2100 s, DB's free one
        # only at 3000 s: S1 waits for its own side's truck (no haul across the border)
        (900.0, "supply_request", 1, 1),
        (900.0, "supply_request", 2, 1),
        (900.0, "truck_dispatch", 3, 1),  # S2's own side: DB's free truck, there at 2900 s
        (900.0, "supply_request", 2, 1),  # both trucks away: waits
        (1900.0, "delivery", 1, 1),
        (2000.0, "truck_dispatch", 0, 2),  # DA home: S1 (first in line) gets its 2 kits
        (3000.0, "delivery", 1, 2),
        # DA home at 3100 s: S2's own truck is due back at 5800 s (there at 7800 s); DA's
        # is there at 3300 s, so it crosses the border
        (3100.0, "truck_dispatch", 0, 1),
        (900.0 + 2000.0 + UNLOAD_S, "delivery", 2, 1),
        (3100.0 + 200.0 + UNLOAD_S, "delivery", 2, 1),
    ]
    shelters = result.shelters.set_index("name")
    assert shelters.loc["S1", "kits_delivered"] == 3
    assert shelters.loc["S2", "kits_delivered"] == 2


def test_depots_the_hazard_reaches_are_counted_with_the_kits_left_in_them() -> None:
    # the flood toy (tests/protective_fixtures): node 3 (side B) goes under water at 15
    # min, with shelter SB on it; put B's depot there too, and A's at dry node 0
    net = flood_network([0, 0, 0, 0, 0, 0])
    depots = net.places["depots"].assign(node=[0, 3], stock_kits=[1000, 700])
    net = replace(net, places={**net.places, "depots": depots})
    scenario = scenario_from_dict(
        {
            "name": "toy-flood-depot",
            "horizon_h": 1.0,
            "hazards": {"step_min": 1.0, "flood": TOY_FLOOD},
            "warnings": [
                {"time_min": 0, "level": "risk", "issued_by": "A", "zone": {"jurisdiction": "A"}}
            ],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    assert result.summary["supply"]["unsafe_depots"] == {
        "depots": 1,
        "kits_left": 700,
        "kits_left_by_jurisdiction": {"B": 700},
    }
    # reached in the same hazard step as the shelter on the same node, at 16 min: the
    # first step with water above it (stage 0.1 m at 15 min is the ground's own level)
    ev = result.events
    shelter_s = ev.loc[(ev["kind"] == "shelter_unsafe") & (ev["node"] == 3), "time_s"]
    assert model.supply.depot_unsafe_s.tolist() == [np.inf, float(shelter_s.iloc[0])]
    assert float(shelter_s.iloc[0]) == 16 * 60.0
    assert "; 700 kits left in the 1 depot the hazard reached (B 700)" in format_run(result)


def test_a_truck_is_not_based_at_a_depot_the_hazard_makes_unsafe() -> None:
    # the flood toy under `joint` (depots shared): A's truck at empty DA (node 0) may move
    # to DB3 (node 3, 300 s, under water from 16 min) or DB (node 5, 3,300 s)
    net = flood_network([0, 0, 0, 0, 0, 0])
    depots = pd.concat(
        [
            net.places["depots"].assign(stock_kits=[0, 50]),
            pd.DataFrame(
                {
                    "name": ["DB3"],
                    "level": ["village"],
                    "node": [3],
                    "stock_kits": [50],
                    "jurisdiction": ["B"],
                }
            ),
        ],
        ignore_index=True,
    )
    net = replace(net, places={**net.places, "depots": depots})
    scenario = scenario_from_dict(
        {
            "name": "toy-flood-depots",
            "horizon_h": 1.0,
            "policy": {"linkage": "joint"},
            "hazards": {"step_min": 1.0, "flood": TOY_FLOOD},
            "warnings": [],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    truck = next(t for t in model.supply.trucks if t.depot == 0)
    # dry: the nearer one, 3 links of 100 s
    depot, route, travel_s = model.supply.base_for(truck, 0)
    assert (depot, route.tolist(), travel_s) == (2, [0, 1, 2, 3], 300.0)
    model.run_for()  # node 3 is under water at the horizon
    depot, route, travel_s = model.supply.base_for(truck, 0)
    assert model.supply.depot_unsafe_s[2] == 16 * 60.0
    assert (depot, route[-1], travel_s) == (1, 5, 300.0 + 100.0 + 3000.0)
    # nor driven back to its own depot there, kits and an open road notwithstanding
    truck.depot = 2
    assert model.supply.base_for(truck, 0)[0] == 1
