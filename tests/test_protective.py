"""Protective action on toy regions, with hand-computed timelines (tests/protective_fixtures.py).

Every household is one walker (1.2 m/s) unless said otherwise; one channel reaches
everyone at once and pre-movement is exactly 1 min (log-sd 0), so each timeline below
is arithmetic on link lengths.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.households import SHELTERED, SHELTERING, STRANDED, UNSHELTERED
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.hazards import exposure
from sim.report.run import format_run
from sim.scenarios import scenario_from_dict
from sim.tiers import TIERS
from tests.engine_fixtures import toy_engine_network
from tests.protective_fixtures import (
    AROUND_M,
    BEHAVIOUR,
    TOY_FLOOD,
    flood_network,
    plume_network,
    with_community_post,
)

WALK_M_PER_S = 1.2
POPULATION = {"household_size_mean_persons": 1.0, "vehicle_share": 0.0, "vulnerable_share": 0.0}
#: No channel reaches anyone: the responders' door-knocking is the only warning.
KNOCKING_ONLY = {
    **BEHAVIOUR,
    "channels": [{"name": "sms", "reach": 0.0, "delay_min": 0.0}],
    "door_knocking": True,
}
GAS = {
    "well": "W",
    "home_points": "node",  # homes at their nodes: the values by hand
    "release": [{"time_min": 0, "rate_kg_per_s": 25.0}],
    "wind": [{"time_min": 0, "speed_m_per_s": 2.0, "from_deg": 270.0, "stability": "F"}],
}

#: 3.9 kg/s in a 1.5 m/s wind: 33 ppm at node 2 (3 km), its front there at 2000 s.
SLOW_PLUME = {
    "well": "W",
    "home_points": "node",  # homes at their nodes: the values by hand
    "release": [{"time_min": 0, "rate_kg_per_s": 3.9}],
    "wind": [{"time_min": 0, "speed_m_per_s": 1.5, "from_deg": 270.0, "stability": "F"}],
}


def _gas_scenario(horizon_h: float, action: str = "auto"):
    # the warning at 20.5 min falls between two 1-min hazard steps
    return scenario_from_dict(
        {
            "name": "toy-gas",
            "horizon_h": horizon_h,
            "population": POPULATION,
            "behaviour": BEHAVIOUR,
            "hazards": {"step_min": 1.0, "gas_leak": GAS},
            "warnings": [
                {"time_min": 20.5, "level": "imminent", "issued_by": "A", "action": action}
            ],
            "outputs": {"track_households": 10},
        }
    )


def test_evacuee_goes_round_the_plume_to_the_farther_safe_shelter() -> None:
    model = EmergencyModel(_gas_scenario(3.0, "evacuate"), plume_network({0: 1}), seed=0)
    gas = model.hazards.get("plume")
    model.run_for()
    result = collect(model)
    # the plume: lethal at node 1 (2 km downwind), S-near (3 km) inside the AEGL-2 area
    assert gas.ppm[1] >= 50.0 and gas.ppm[2] >= 27.0
    assert gas.ppm[[0, 3, 4, 5]].max() < 1e-6
    ev = result.events
    unsafe = ev[ev["kind"] == "shelter_unsafe"]
    # A knows the plume from its warning (1230 s); the next step (1260 s) closes S-near
    assert unsafe[["time_s", "node"]].values.tolist() == [[1260.0, 2]]
    depart_s = 1230.0 + 60.0
    mine = ev[ev["agent"] == model.household_ids[0]]
    assert mine[["time_s", "kind"]].values.tolist() == [
        [1230.0, "warned"],
        [depart_s, "depart"],
        [pytest.approx(depart_s + AROUND_M / WALK_M_PER_S), "arrive_shelter"],
    ]
    assert model.households.shelter[0] == 1 and model.households.state[0] == SHELTERED
    # by the way round: 0 -> 4 -> 5 -> S-far, never through node 1
    track = result.tracks[result.tracks["family"] == "household"]
    assert track["node"].tolist() == [0, 4, 5, 3]
    assert track["time_s"].tolist() == pytest.approx(
        [depart_s, depart_s + 2500.0, depart_s + 5000.0 / 1.2, depart_s + AROUND_M / 1.2]
    )
    assert gas.load[0] < exposure.aegl_load(1)


def test_household_the_plume_reaches_first_shelters_in_place_with_the_documented_dose() -> None:
    model = EmergencyModel(_gas_scenario(1.0), plume_network({6: 1}), seed=0)
    gas = model.hazards.get("plume")
    model.run_for()
    result = collect(model)
    spec = model.scenario.hazards.gas_leak
    # node 6 (2.5 km downwind) is reached at 1250 s, 20 s after the warning: leaving
    # takes 60 s of pre-movement and then a walk of 1300 m out of the footprint (to 0)
    assert gas.arrival_s(1230.0)[6] == pytest.approx(1250.0)
    ev = result.events
    assert ev[ev["kind"] == "shelter_in_place"]["time_s"].tolist() == [1230.0]
    assert model.households.state[0] == SHELTERING
    assert result.summary["protective_action"]["sheltered_in_place_persons"] == 1
    # the indoor level, step by step: C_in' = C_out + (C_in - C_out) exp(-lambda dt), with
    # lambda = home_air_changes_per_h until the household has sealed its home (the step
    # after the warning), sheltering_air_changes_per_h after; dose = sum C_in^n dt
    outdoor = gas.ppm[6]
    home_in = sealed = load = 0.0
    for k in range(60):  # the steps at 0, 60, ..., 3540 s (the run stops at 3600 s)
        now = 60.0 * k
        c_out = outdoor if now * 2.0 >= 2500.0 else 0.0  # front at 2 m/s
        if now <= 1230.0:
            home_in = c_out + (home_in - c_out) * np.exp(-spec.home_air_changes_per_h / 60.0)
        else:
            if now == 1260.0:
                sealed = home_in  # the home's level when it was shut
            decay = np.exp(-spec.sheltering_air_changes_per_h / 60.0)
            sealed = c_out + (sealed - c_out) * decay
            load += sealed**exposure.TEN_BERGE_N * 1.0
        if now <= 1230.0 and c_out > 0:
            load += home_in**exposure.TEN_BERGE_N * 1.0
    assert gas.sealed_ppm[0] == pytest.approx(sealed)
    assert gas.load[0] == pytest.approx(load, rel=1e-9)
    assert sealed < outdoor  # sheltering keeps the level below the outdoor one


def _flood_scenario():
    return scenario_from_dict(
        {
            "name": "toy-flood",
            "horizon_h": 1.5,
            # B would take 10 h to detect the water on its side: it never closes SB early
            "policy": {"linkage": "separate", "detection_delay_min": 600.0},
            "population": POPULATION,
            "behaviour": BEHAVIOUR,
            "hazards": {
                "step_min": 1.0,
                "flood": TOY_FLOOD,
            },
            "warnings": [
                {
                    "time_min": 0,
                    "level": "imminent",
                    "issued_by": "A",
                    "zone": {"jurisdiction": "A"},
                }
            ],
        }
    )


def test_occupants_leave_a_shelter_that_floods_within_one_step() -> None:
    model = EmergencyModel(_flood_scenario(), flood_network([0, 0, 1, 0, 0, 0]), seed=0)
    model.run_for()
    result = collect(model)
    ev = result.events
    # 60 s to set off, 1000 m to SB at node 3: 893.3 s. The water reaches SB's ground
    # (10.1 m) when the stage passes 0.1 m at 15 min; the 16-min step sees it wet.
    timeline = ev[
        ev["agent"].isin([model.household_ids[0], -1])
        & ~ev["kind"].isin(["warned", "hazard_known"])
    ]
    assert timeline[["time_s", "kind", "node"]].values.tolist() == [
        [0.0, "warning_issued", -1],
        [pytest.approx(60.0), "depart", 2],
        [pytest.approx(60.0 + 1000.0 / 1.2), "arrive_shelter", 3],
        [960.0, "shelter_unsafe", 3],
        [960.0, "relocate", 3],
        [pytest.approx(960.0 + 3000.0 / 1.2), "arrive_shelter", 0],
    ]
    assert result.shelters["occupants_persons"].tolist() == [1, 0]
    assert result.shelters["unsafe_since_s"].tolist()[1] == 960.0
    assert result.summary["shelters"]["unsafe"] == {
        "shelters": 1,
        "relocated_persons": 1,
        "occupants_at_horizon": 0,
    }


def test_non_complier_acts_at_the_second_contact_at_the_exact_time() -> None:
    scenario = scenario_from_dict(
        {
            "name": "repeat",
            "horizon_h": 1.0,
            "population": POPULATION,
            "behaviour": {
                **BEHAVIOUR,
                "channels": [{"name": "sms", "reach": 1.0, "delay_min": 5.0}],
            },
            "warnings": [
                {"time_min": 0, "level": "risk", "issued_by": "A"},  # nobody acts on it
                {"time_min": 10, "level": "imminent", "issued_by": "A"},
            ],
        }
    )
    model = EmergencyModel(scenario, toy_engine_network(population=[0, 1, 0, 0, 0, 0]), seed=0)
    model.run_for()
    result = collect(model)
    ev = result.events[result.events["agent"] == model.household_ids[0]]
    # heard at 300 s (refused), again at 600 + 300 s, left 60 s later, 1 km to SA
    assert ev[["time_s", "kind"]].values.tolist() == [
        [300.0, "warned"],
        [900.0, "warned"],
        [960.0, "depart"],
        [pytest.approx(960.0 + 1000.0 / 1.2), "arrive_shelter"],
    ]
    assert model.households.acted_at_contact.tolist() == [2]
    warnings = result.summary["warnings"]["A"]
    assert warnings["acted_at_first_contact"] == 0
    assert warnings["acted_after_repeated_contact"] == 1


def test_mandatory_transfer_occupies_the_responder_for_the_computed_time() -> None:
    scenario = scenario_from_dict(
        {
            "name": "transfer",
            "horizon_h": 1.0,
            "population": {**POPULATION, "vulnerable_share": 1.0},
            "behaviour": BEHAVIOUR,
            "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
        }
    )
    net = with_community_post(toy_engine_network(population=[0, 1, 0, 0, 0, 0]), node=2)
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    community = TIERS["community"]
    forces = model.scenario.forces
    link_s = 1000.0 / (min(36.0, community.max_speed_kph) / 3.6)  # one 1-km link
    team = next(t for t in model.teams if t.tier.name == "community")
    # the responder is a resident: the post's only populated node within 1.5 km is the
    # household's own (node 1), so it sets off from there after a volunteer's turnout
    assert team.station_node == 1
    arrive = community.turnout_s
    rescued = arrive + model.scenario.behaviour.door_knock_min_per_household * 60.0
    rescued += forces.extraction_min_per_person["transfer"] * 60.0  # one person
    delivered = rescued + link_s + forces.unload_min * 60.0  # to SA at node 0
    home = delivered + link_s  # SA -> the responder's home at node 1
    ev = result.events
    mine = ev[ev["agent"] == team.unique_id]
    assert mine[["time_s", "kind"]].values.tolist() == [
        [0.0, "dispatch"],
        [pytest.approx(arrive), "arrive_scene"],
        [pytest.approx(arrive), "door_knock"],  # the visit at the door, then the carrying
        [pytest.approx(rescued), "rescued"],
        [pytest.approx(delivered), "deliver"],
        [pytest.approx(home), "team_home"],
    ]
    assert model.households.state.tolist() == [SHELTERED]
    assert result.summary["warnings"]["A"]["transferred_persons"] == 1
    # planned assistance, not a person in need: no community coverage is measured
    assert result.summary["coverage"]["all"]["community_10min"] is None or np.isnan(
        result.summary["coverage"]["all"]["community_10min"]
    )


def test_a_responder_called_away_from_door_knocking_sets_off_from_that_door() -> None:
    # post at node 1; its responder lives at node 0 (the median home within 1.5 km).
    # Nobody hears the SMS; the imminent warning sends the responder knocking: its own
    # node 0 (0-180 s), then node 1 (100 s away: 280-460 s). A trapped person at node 2,
    # reported at 200 s, waits for a community team: at 460 s it goes from node 1,
    # at once (it is out already: no turnout) and 100 s of road, instead of riding home
    # first (+100 s) and turning out (+240 s)
    scenario = scenario_from_dict(
        {
            "name": "called-away",
            "horizon_h": 1.0,
            "population": POPULATION,
            "behaviour": KNOCKING_ONLY,
            "warnings": [{"time_min": 0, "level": "imminent", "issued_by": "A"}],
            "incidents": [{"time_min": 200 / 60, "node": 2, "persons": 1, "tiers": ["community"]}],
        }
    )
    net = with_community_post(toy_engine_network(population=[1, 1, 1, 0, 0, 0]), node=1)
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    team = next(t for t in model.teams if t.tier.name == "community")
    assert team.station_node == 0
    ev = result.events[result.events["agent"] == team.unique_id]
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    link_s = 1000.0 / (min(36.0, TIERS["community"].max_speed_kph) / 3.6)
    first = ev[ev["kind"].isin(["door_knock", "dispatch", "arrive_scene"])].iloc[:4]
    called_s = knock_s + link_s + knock_s
    assert first[["time_s", "kind", "node"]].values.tolist() == [
        [0.0, "door_knock", 0],
        [pytest.approx(knock_s + link_s), "door_knock", 1],
        [pytest.approx(called_s), "dispatch", 1],
        [pytest.approx(called_s + link_s), "arrive_scene", 2],
    ]


def _rising_water(name: str, **extra):
    """The flood toy with the stage rising 0.2 m a minute from 10 min, B detecting late."""
    flood = {
        **TOY_FLOOD,
        "hydrograph": [*TOY_FLOOD["hydrograph"][:2], {"time_min": 20, "stage_m": 2.0}],
    }
    data = {
        "name": name,
        "horizon_h": 0.5,
        "policy": {"linkage": "separate", "detection_delay_min": 600.0},
        "population": POPULATION,
        "behaviour": BEHAVIOUR,
        "hazards": {"step_min": 1.0, "flood": flood},
    }
    return scenario_from_dict({**data, **extra})


@pytest.mark.parametrize("room", [True, False])
def test_people_waiting_in_the_open_where_the_water_rises_are_stranded(room: bool) -> None:
    """A household left unsheltered at node 3 (ground 0.1 m above the warning level, its
    reach of the river 500 m from the upstream end, wave at 30 m/s: 16.7 s late) is
    stranded at the first 1-min step with water above the 0.5 m walking limit: the stage
    rises 0.2 m per minute from 10 min, over 0.6 m at 13 min 16.7 s, so at the 14-min step.
    With no shelter room anywhere it is left where it is: a boat could bring it nowhere.
    """
    scenario = _rising_water("toy-flood-open")
    model = EmergencyModel(scenario, flood_network([0, 0, 0, 1, 0, 0]), seed=0)
    model.households.unshelter(0)  # as a team leaves people it can take no farther
    if not room:
        model.shelters.reserved_persons[:] = model.shelters.capacity_persons
    model.run_for()
    result = collect(model)
    stranded = result.events[result.events["kind"] == "stranded"]
    incident = result.incidents[result.incidents["kind"] == "flood_stranded"]
    if not room:
        assert model.households.state[0] == UNSHELTERED
        assert stranded.empty and incident.empty
        return
    assert model.households.state[0] == STRANDED
    assert stranded[["time_s", "node", "value"]].values.tolist() == [[840.0, 3, 1.0]]
    assert incident["report_s"].tolist() == [840.0] and incident["persons"].tolist() == [1]


def _sweep(reach: float, delay_min: float, comply: float):
    """Two households at node 1 under an immediate order of A at 0, a community post
    there (its responder lives at node 1); one SMS channel of ``reach`` and delay."""
    scenario = scenario_from_dict(
        {
            "name": "sweep",
            "horizon_h": 1.0,
            "population": POPULATION,
            "behaviour": {
                **BEHAVIOUR,
                "channels": [{"name": "sms", "reach": reach, "delay_min": delay_min}],
                "compliance": {"immediate": comply},
            },
            "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
        }
    )
    net = with_community_post(toy_engine_network(population=[0, 2, 0, 0, 0, 0]), node=1)
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    return model, collect(model)


@pytest.mark.parametrize(
    ("reach", "delay_min", "comply", "acted", "transferred"),
    [
        (0.0, 0.0, 1.0, 2, 0),  # no channel reached them: they hear the order at the door
        (1.0, 0.0, 0.0, 0, 2),  # both refused the order they heard: made to leave
        (1.0, 30.0, 1.0, 2, 0),  # the SMS comes after the knock: the knock tells them first
    ],
)
def test_the_door_sweep_is_a_visit_a_warning_and_counted_once(
    reach: float, delay_min: float, comply: float, acted: int, transferred: int
) -> None:
    """Two households at node 1, an immediate order at 0, the responder at the door at its
    turnout (it lives there): one ``door_knock`` of 2 persons then; nobody leaves before
    a ``warned`` event, nor before its door is knocked (3 min each); each household is
    counted once, as acting at its first contact or as transferred (then with a
    ``transfer_requested`` event)."""
    model, result = _sweep(reach, delay_min, comply)
    ev = result.events
    team = next(t for t in model.teams if t.tier.name == "community")
    at_door_s = TIERS["community"].turnout_s
    knocks = ev[ev["kind"] == "door_knock"]
    assert knocks[["time_s", "agent", "node", "value"]].values.tolist() == [
        [pytest.approx(at_door_s), team.unique_id, 1, 2.0]
    ]
    warned = ev[ev["kind"] == "warned"].groupby("agent")["time_s"].min()
    assert sorted(warned.index) == sorted(model.household_ids.tolist())
    heard_s = at_door_s if reach == 0.0 or delay_min * 60.0 > at_door_s else 0.0
    assert warned.tolist() == pytest.approx([heard_s] * 2)
    departs = ev[ev["kind"] == "depart"]
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    # each sets off when its own door has been knocked, one after the other
    assert departs["time_s"].tolist() == pytest.approx([at_door_s + knock_s * k for k in (1, 2)])
    requested = ev[ev["kind"] == "transfer_requested"]
    assert requested["value"].sum() == transferred
    w = result.summary["warnings"]["A"]
    assert (w["persons_warned"], w["door_knocks"]) == (2, 2)
    assert (w["acted_at_first_contact"], w["acted_after_repeated_contact"]) == (acted, 0)
    assert w["transferred_persons"] == transferred


def test_the_only_responder_at_a_door_sweep_stays_its_on_scene_time() -> None:
    # two households at node 1 that no SMS reaches, nobody to carry (none vulnerable):
    # the responder who lives there knocks from its turnout, 3 min a door, then stays
    # its 20 min on scene (it counted as a latecomer once and left after the doors)
    model, result = _sweep(reach=0.0, delay_min=0.0, comply=1.0)
    ev = result.events
    team = next(t for t in model.teams if t.tier.name == "community")
    doors_s = 2 * model.scenario.behaviour.door_knock_min_per_household * 60.0
    on_scene_s = model.scenario.forces.community.on_scene_min * 60.0
    leave = ev[(ev["agent"] == team.unique_id) & (ev["kind"] == "leave_scene")]
    assert leave["time_s"].tolist() == [
        pytest.approx(TIERS["community"].turnout_s + doors_s + on_scene_s)
    ]


def test_a_mandatory_transfer_is_its_own_sides_duty_under_joint_command_too() -> None:
    """A vulnerable household at node 3 (B) under an immediate order of B. A's responder
    (post at node 2, 1 km away) is nearer than B's (post at node 5, 31 km away), but the
    transfer is B's village duty (三个必转): B's own responder is sent, under joint too."""
    from tests.protective_fixtures import with_community_post

    net = toy_engine_network(population=[0, 0, 0, 1, 0, 0])
    net = with_community_post(with_community_post(net, node=2), node=5, jurisdiction="B")
    for linkage in ("separate", "joint"):
        scenario = scenario_from_dict(
            {
                "name": f"transfer-{linkage}",
                "horizon_h": 3.0,
                "policy": {"linkage": linkage},
                "population": {**POPULATION, "vulnerable_share": 1.0},
                "behaviour": BEHAVIOUR,
                "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "B"}],
            }
        )
        model = EmergencyModel(scenario, net, seed=0)
        model.run_for()
        ev = collect(model).events
        sent = ev.loc[(ev["kind"] == "dispatch") & (ev["tier"] == "community"), "agent"]
        teams = {t.unique_id: t for t in model.teams}
        assert [teams[a].jurisdiction for a in sent] == [1], linkage  # B's, never A's


def test_a_transfer_the_water_overtook_is_handed_over_not_gone_on_its_own() -> None:
    """B orders its vulnerable resident at node 3 out at 0 (a transfer) but has no
    responder; the water strands the household at home at the 14-min step (as in the
    test above) and a ``flood_stranded`` incident now holds it. The transfer counts it
    as handed over to that incident, not as having left on its own."""
    scenario = _rising_water(
        "toy-handed-over",
        population={**POPULATION, "vulnerable_share": 1.0},
        warnings=[{"time_min": 0, "level": "immediate", "issued_by": "B"}],
    )
    model = EmergencyModel(scenario, flood_network([0, 0, 0, 1, 0, 0]), seed=0)
    model.run_for()
    result = collect(model)
    assert result.incidents[["kind", "report_s"]].values.tolist() == [
        ["transfer", 0.0],
        ["flood_stranded", 840.0],
    ]
    transfer, stranded = model.dispatcher.incidents
    assert (transfer.persons_handed_over, transfer.persons_moved_on) == (1, 0)
    assert stranded.persons_left == 1  # still waiting for a boat at the horizon
    inc = result.summary["incidents"]
    assert (inc["persons_handed_over"], inc["persons_moved_on"]) == (1, 0)
    assert inc["persons_to_take_out"] == 2 and inc["persons_still_waiting"] == 1


def cut_off_flood_model(team_sent: bool) -> EmergencyModel:
    """The flood toy with its resident at node 3 setting off at 60 s into no road out.

    SB (node 3) is full and the links out of node 3 closed; B's ground team is sent to
    the ``stranded`` incident (``team_sent``) or busy with a scripted one at node 5.
    """
    busy = [{"time_min": 0, "node": 5, "persons": 1, "kind": "trapped", "tiers": ["ground"]}]
    scenario = _rising_water("toy-cut-off", incidents=[] if team_sent else busy)
    net = flood_network([0, 0, 0, 1, 0, 0])
    model = EmergencyModel(scenario, net, seed=0)
    model.shelters.reserved_persons[1] = model.shelters.capacity_persons[1]  # SB full
    model.roads.close(net.edge_ids(np.array([3, 3]), np.array([2, 4])))
    model.env.process(model.household_agents[0].evacuate(60.0))
    return model


@pytest.mark.parametrize("team_sent", [False, True])
def test_a_household_cut_off_on_dry_ground_is_a_boats_once_the_water_reaches_it(
    team_sent: bool,
) -> None:
    """The resident of node 3 sets off at 60 s and finds no road out (SB full, the ways
    from node 3 closed): cut off on dry ground, a ``stranded`` incident for B's ground
    team. The water rises over node 3 at the 14-min step (840 s, as above): the household
    is in a ``flood_stranded`` incident (a boat's) from then on. The ``stranded`` one is
    withdrawn while it waits for B's team (busy at node 5 with a scripted incident),
    else it counts the household as handed over. Before, the water never reached people
    cut off on the way, and no boat was ever asked for them."""
    model = cut_off_flood_model(team_sent)
    model.run_for()
    result = collect(model)
    inc = result.incidents.drop_duplicates("incident")
    cut_off_id = 0 if team_sent else 1
    assert inc[["incident", "kind", "report_s"]].values.tolist()[-2:] == [
        [cut_off_id, "stranded", 60.0],
        [cut_off_id + 1, "flood_stranded", 840.0],
    ]
    cut_off, caught = model.dispatcher.incidents[-2:]
    assert caught.households == (0,) and caught.needs_boat and caught.persons == 1
    assert model.households.state[0] == STRANDED
    ev = result.events
    assert ev.loc[
        ev["kind"] == "caught_by_hazard", ["time_s", "node", "incident"]
    ].values.tolist() == [[840.0, 3, cut_off_id]]
    assert ev[(ev["kind"] == "stranded") & (ev["agent"] < 0)].empty  # not at home: logged once
    if team_sent:
        assert "ground" in cut_off.dispatched and not cut_off.withdrawn
        assert (cut_off.persons_handed_over, cut_off.persons_left) == (1, 0)
    else:
        assert cut_off.withdrawn_s == 840.0
        assert result.summary["incidents"]["withdrawn_persons"] == 1
        assert result.summary["incidents"]["withdrawn_caught_persons"] == 1
        # the run's printout does not say they left on their own
        assert "(1 caught where they waited by the hazard, now in its own incidents)" in (
            format_run(result)
        )


def test_a_household_buried_while_its_responder_takes_it_out_is_the_slides() -> None:
    """A's vulnerable resident at node 1 is to be transferred: its responder (who lives
    there) is at the door at 240 s, knocks (3 min) and starts carrying it out (2 min) at
    420 s; at 480 s a slide over node 1 buries it. The transfer hands it over to the
    ``buried`` incident, whose ground team digs it out (alive, 20 min per person): it is
    not also "got out alive" by the responder at 540 s."""
    net = with_community_post(toy_engine_network(population=[0, 1, 0, 0, 0, 0]), node=2)
    lon, lat = net.to_lonlat(net.x_m[[1]], net.y_m[[1]])
    slide = {"time_min": 8.0, "lon": float(lon[0]), "lat": float(lat[0]), "radius_m": 400.0}
    scenario = scenario_from_dict(
        {
            "name": "toy-buried-at-the-door",
            "horizon_h": 2.0,
            "population": {**POPULATION, "vulnerable_share": 1.0},
            "behaviour": BEHAVIOUR,
            "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
            "hazards": {"step_min": 1.0, "landslide": {"rain_slides": 0, "slides": [slide]}},
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    transfer, buried = (i for i in model.dispatcher.incidents if i.kind in ("transfer", "buried"))
    assert (transfer.persons_rescued, transfer.persons_handed_over) == (0, 1)
    assert (buried.report_s, buried.persons_rescued) == (480.0, 1)
    ev = result.events
    out = ev[ev["kind"] == "rescued"][["time_s", "incident", "value"]].values.tolist()
    assert out == [[480.0 + 180.0 + 1200.0, buried.id, 1.0]]  # none by the transfer at 540 s
    assert result.summary["warnings"]["A"]["transferred_persons"] == 0


def test_a_responder_at_the_door_tells_people_to_stay_in_when_the_plume_is_near() -> None:
    """A vulnerable resident at node 2, 3 km downwind of a 3.9 kg/s release in a 1.5 m/s
    wind (33 ppm there, in the 16.8-ppm footprint): the front reaches it at 2000 s and
    walking out of the footprint takes 1500 s. A's immediate order at 0 says evacuate
    there (2000 > 0 + 60 s pre-movement + 1500 s), so its responder (post at node 4)
    comes to take it out: at the door at 720 s, the plume would arrive before even a
    household sent out at once could walk out (2000 <= 720 + 1500), so it is told to
    shelter in place instead of being driven out through the plume's path."""
    scenario = scenario_from_dict(
        {
            "name": "toy-door-shelter",
            "horizon_h": 3.0,
            "population": {**POPULATION, "vulnerable_share": 1.0},
            "behaviour": BEHAVIOUR,
            "hazards": {"step_min": 1.0, "gas_leak": SLOW_PLUME},
            "warnings": [{"time_min": 0, "level": "immediate", "issued_by": "A"}],
        }
    )
    model = EmergencyModel(scenario, with_community_post(plume_network({2: 1}), node=4), seed=0)
    gas_hazard = model.hazards.get("plume")
    model.run_for()
    result = collect(model)
    assert gas_hazard.arrival_s(0.0)[2] == pytest.approx(2000.0)
    footprint = gas_hazard.footprint(0.0)
    assert model.protective.exit_time_s(footprint)[2] == pytest.approx(1500.0)
    ev = result.events
    mine = ev[ev["agent"] == model.household_ids[0]]
    assert mine[["time_s", "kind"]].values.tolist()[-2:] == [
        [0.0, "transfer_requested"],
        [720.0, "shelter_in_place"],
    ]
    assert ev[ev["kind"] == "rescued"].empty
    (transfer,) = model.dispatcher.incidents
    assert (transfer.persons_sheltered_in_place, transfer.persons_rescued) == (1, 0)
    assert model.households.state.tolist() == [SHELTERING]
    act = result.summary["protective_action"]
    assert (act["sheltered_in_place_persons"], act["evacuated_persons"]) == (1, 0)
    assert result.summary["warnings"]["A"]["vulnerable_waiting_persons"] == 0


def test_a_door_knock_brings_the_order_as_it_stands_when_the_responder_knocks() -> None:
    """As above, but A's order at 0 is ``imminent`` and no channel reaches the resident
    (not vulnerable): it goes on the door-knocking list, under the order of 0 s
    (evacuate: 2000 > 0 + 60 + 1500). The responder drives from its post (480 s; a
    round has no turnout) and knocks from 480 s for 3 min; at 660 s the command would
    order shelter in place there (2000 <= 660 + 60 + 1500), and that is what the knock
    says: the household seals its home instead of walking out."""
    scenario = scenario_from_dict(
        {
            "name": "toy-knock-current-order",
            "horizon_h": 1.0,
            "population": POPULATION,
            "behaviour": KNOCKING_ONLY,
            "hazards": {"step_min": 1.0, "gas_leak": SLOW_PLUME},
            "warnings": [{"time_min": 0, "level": "imminent", "issued_by": "A"}],
        }
    )
    model = EmergencyModel(scenario, with_community_post(plume_network({2: 1}), node=4), seed=0)
    model.run_for()
    result = collect(model)
    ev = result.events
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    knocks = ev[ev["kind"] == "door_knock"]
    assert knocks[["time_s", "node", "value"]].values.tolist()[0] == [480.0, 2, 1.0]
    mine = ev[ev["agent"] == model.household_ids[0]]
    assert mine[["time_s", "kind"]].values.tolist() == [
        [480.0 + knock_s, "warned"],
        [480.0 + knock_s, "shelter_in_place"],
    ]
    assert model.households.state.tolist() == [SHELTERING]


def test_orders_issued_at_one_moment_reach_a_household_once_at_the_highest_level() -> None:
    """A issues an ``imminent`` and an ``immediate`` order over the same zone at 0 (as a
    side that learns late copies all its neighbour's orders at once): each household
    hears one message, the immediate one, and counts one contact, not two."""
    scenario = scenario_from_dict(
        {
            "name": "burst",
            "horizon_h": 0.5,
            "population": POPULATION,
            "behaviour": {**BEHAVIOUR, "compliance": {"imminent": 0.0, "immediate": 0.0}},
            "warnings": [
                {"time_min": 0, "level": level, "issued_by": "A"}
                for level in ("imminent", "immediate")
            ],
        }
    )
    model = EmergencyModel(scenario, toy_engine_network(population=[0, 2, 0, 0, 0, 0]), seed=0)
    model.run_for()
    ev = collect(model).events
    issued = ev[ev["kind"] == "warning_issued"]
    assert issued[["time_s", "jurisdiction", "value"]].values.tolist() == [
        [0.0, "A", 3.0],  # immediate first
        [0.0, "A", 2.0],  # then imminent, which nobody at home still lacks
    ]
    warned = ev[ev["kind"] == "warned"]
    assert sorted(warned["agent"].tolist()) == sorted(model.household_ids.tolist())
    t = model.households
    assert t.contacts.tolist() == [1, 1] and t.warned_level.tolist() == [3, 3]


@pytest.mark.parametrize("ways_in_closed", [False, True])
def test_a_household_no_road_team_can_reach_in_a_flood_waits_for_a_boat(
    ways_in_closed: bool,
) -> None:
    """The cut-off toy: the ways out of node 3 are closed; B's ground team (no boat)
    can still drive in, unless the ways in are closed too. Then the ``stranded``
    incident of 60 s needs a boat: no team without one could ever get there."""
    model = cut_off_flood_model(team_sent=True)
    if ways_in_closed:
        model.roads.close(model.network.edge_ids(np.array([2, 4]), np.array([3, 3])))
    model.env.run(until=61.0)
    incident = model.dispatcher.incidents[-1]
    assert (incident.kind, incident.report_s) == ("stranded", 60.0)
    assert incident.needs_boat is ways_in_closed
    assert ("ground" in incident.dispatched) is not ways_in_closed


def test_a_door_cut_off_when_its_turn_came_is_knocked_once_the_road_reopens() -> None:
    """A's imminent order at 1 min reaches nobody by channel: the resident at node 2 goes
    on the list of the responder at node 4. The roads at node 6, the only way to node 2,
    are closed from 0 to 20 min: the door waits, and when they reopen the responder
    drives there (4 -> 0 -> 1 -> 6 -> 2, 4,800 m at 10 m/s: 480 s) and knocks at 1,680 s."""
    net = with_community_post(plume_network({2: 1}), node=4)
    lon, lat = net.to_lonlat(net.x_m[[6]], net.y_m[[6]])
    at = {"lon": float(lon[0]), "lat": float(lat[0]), "radius_m": 100.0}
    scenario = scenario_from_dict(
        {
            "name": "toy-knock-after-reopening",
            "horizon_h": 1.0,
            "population": POPULATION,
            "behaviour": KNOCKING_ONLY,
            "warnings": [{"time_min": 1, "level": "imminent", "issued_by": "A"}],
            "closures": [
                {"time_min": 0, "action": "close", **at},
                {"time_min": 20, "action": "reopen", **at},
            ],
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    ev = collect(model).events
    knocks = ev[ev["kind"] == "door_knock"]
    assert knocks[["time_s", "node", "value"]].values.tolist() == [[1200.0 + 480.0, 2, 1.0]]
    knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
    mine = ev[ev["agent"] == model.household_ids[0]]
    assert mine[["time_s", "kind"]].values.tolist()[0] == [1680.0 + knock_s, "warned"]
