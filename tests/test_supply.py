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

import numpy as np
import pandas as pd
import pytest

from sim.engine.runs import run
from sim.network import compile_region
from sim.regions.base import RegionData
from sim.scenarios import scenario_from_dict

UNLOAD_S = 900.0


def supply_line(*, stock_a: int, stock_b: int, link_2_3_m: float = 1000.0):
    x = np.array([0.0, 1000.0, 2000.0, 2000.0 + link_2_3_m]) + 500_000.0
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
                "jurisdiction": ["A", "B"],
            }
        ),
        "depots": frame(
            {
                "name": ["DA", "DB"],
                "level": ["city", "town"],
                "node": [0, 3],
                "stock_kits": [stock_a, stock_b],
                "jurisdiction": ["A", "B"],
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
            jurisdiction=np.array([0, 0, 1, 1], np.int8),
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


def supply_scenario(linkage: str, *, trucks: dict[str, int]):
    warn = [
        {"time_min": 0.0, "level": "imminent", "issued_by": side, "zone": {"jurisdiction": side}}
        for side in ("A", "B")
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
                "truck_capacity_kits": 2,
                "trucks_per_depot": trucks,
                "unload_min": UNLOAD_S / 60.0,
                "request_min_kits": 1,
            },
            "outputs": {"track_households": 0},
        }
    )


def truck_log(result) -> list[tuple]:
    ev = result.events
    rows = ev[ev["kind"].isin(["supply_request", "truck_dispatch", "delivery"])]
    return [
        (float(t), k, int(n), int(v))
        for t, k, n, v in zip(rows.time_s, rows.kind, rows.node, rows.value, strict=True)
    ]


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


def test_joint_shares_depots_and_a_request_waits_when_stock_runs_out() -> None:
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
        (2000.0, "truck_dispatch", 0, 2),  # S1 first (it asked first); S2 waits again
        (3000.0, "delivery", 1, 2),
        # home at 3100 s: S2 needs 2 kits but DA has 1 left; the truck takes it
        (3100.0, "truck_dispatch", 0, 1),
        (3100.0 + 200.0 + UNLOAD_S, "delivery", 2, 1),
        # home at 4400 s: S2 still needs 1 kit, DA is out of stock: nothing leaves
    ]
    assert result.summary["supply"]["need_met_share_6h"] == pytest.approx(4 / 5)
    assert result.shelters.set_index("name").loc["S2", "kits_delivered"] == 1


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
