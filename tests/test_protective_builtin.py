"""The built-in hazard scripts, read as a planner would: does protective action protect?

Each test runs a built-in scenario on the built-in region (seed 0, full population) and
watches it with a simpy process of its own that samples the model after every hazard
step, so the checks see what the households saw.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.agents.households import AT_HOME, DEAD, SHELTERED, SHELTERING
from sim.agents.warning import zone_nodes
from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, network_for
from sim.hazards import exposure, slopes
from sim.network.incidence import edges_at
from sim.replay.counters import build_counters, counters_at
from sim.scenarios import load_scenario
from tests.test_team_reroute import watch_road_trips

CLEAN_PPM = exposure.AEGL_H2S_PPM[2][60]  # 27 ppm: "clean air" below the AEGL-2 footprint
LETHAL_PPM = exposure.AEGL_H2S_PPM[3][60]  # 50 ppm


def _after_every_step(model: EmergencyModel, look) -> None:
    """Call ``look(now)`` right after each hazard step (scheduled after the hazards)."""
    step_s = model.hazards.step_s

    def watch():
        while model.env.now <= model.scenario.horizon_s:
            look(model.env.now)
            yield model.env.timeout(step_s)

    model.env.process(watch())


@pytest.fixture(scope="module")
def network():
    return network_for(load_scenario("default"))


def test_gas_leak_nobody_who_set_off_in_clean_air_dies_or_passes_lethal_air(network) -> None:
    scenario = load_scenario("gas_leak")
    scenario = replace(scenario, outputs=replace(scenario.outputs, track_households=1_000_000))
    model = EmergencyModel(scenario, network, seed=0)
    gas = model.hazards.get("plume")
    fields: list[np.ndarray] = []
    lethal_air: list[np.ndarray] = []
    community = model.roads.router("community")

    def look(now: float) -> None:
        fields.append(gas.ppm.copy())
        lethal_air.append(np.flatnonzero(model.hazards.lethal_air))
        # community responders (no breathing apparatus) have no road into lethal air
        at = edges_at(model.network, lethal_air[-1])
        assert np.isinf(community.weights_s[at]).all()

    _after_every_step(model, look)
    model.run_for()
    result = collect(model)
    # ... nor are they sent to people in it, from it or into it
    ev = result.events
    sent = ev[(ev["kind"] == "dispatch") & (ev["tier"] == "community")]
    target = {i.id: i.target_node for i in model.dispatcher.incidents}
    k = (sent["time_s"].to_numpy() // model.hazards.step_s).astype(int)
    for step, base, incident in zip(k, sent["node"], sent["incident"], strict=True):
        # at a step's own instant the dispatch may come before or after the update
        before, after = lethal_air[max(step - 1, 0)], lethal_air[step]
        assert not (
            np.isin([base, target[incident]], before) & np.isin([base, target[incident]], after)
        ).any()
    assert sum(a.size for a in lethal_air) > 0 and len(sent) > 100
    ppm = np.array(fields)  # ppm[k]: from step k until step k + 1
    tracks = result.tracks[result.tracks["family"] == "household"]
    tracks = tracks.sort_values(["agent", "time_s"], kind="stable")
    k = np.minimum((tracks["time_s"].to_numpy() // model.hazards.step_s).astype(int), len(ppm) - 1)
    nodes = tracks["node"].to_numpy()
    # at a step's own instant the household may have moved before or after the update
    seen = np.maximum(ppm[k, nodes], ppm[np.maximum(k - 1, 0), nodes])
    rows = np.searchsorted(model.household_ids, tracks["agent"].to_numpy())
    first = np.r_[True, rows[1:] != rows[:-1]]  # a track starts where its household set off
    clean = rows[first][seen[first] < CLEAN_PPM]
    peak = np.zeros(model.households.n)
    np.maximum.at(peak, rows, seen)
    assert clean.size > 3_000  # thousands left in clean air
    assert peak[clean].max() < LETHAL_PPM
    assert not (model.households.state[clean] == DEAD).any()
    # whoever died never set off: they were at home where the plume came first
    casualties = result.summary["casualties"]
    assert casualties["dead_by_place"]["on_the_way"] == 0


def test_flood_nobody_stays_in_a_flooded_shelter_beyond_one_step(network) -> None:
    model = EmergencyModel(load_scenario("flood"), network, seed=0)
    flood = model.hazards.get("flood")
    shelters = model.shelters
    t = model.households
    wet_since: dict[int, float] = {}
    late: list[tuple[int, float, int]] = []

    def look(now: float) -> None:
        wet = np.flatnonzero(flood.depth[shelters.node] > 0)
        for s in wet:
            wet_since.setdefault(int(s), now)
        for s, since in wet_since.items():
            inside = int(t.size_persons[(t.state == SHELTERED) & (t.shelter == s)].sum())
            if now > since and inside:  # one step after the water came, still inside
                late.append((s, now, inside))

    _after_every_step(model, look)
    trips = watch_road_trips(model)
    supply = model.supply
    kits = int(supply.stock_kits.sum())
    model.run_for()
    result = collect(model)
    assert len(wet_since) >= 10  # the script floods shelters on both sides
    assert late == []
    # nor does a team or truck drive into water over its limit: before sim.agents.on_road,
    # 442 volunteer and 34 truck trips entered a link the water had closed to them
    entered, closed = trips()
    assert closed == [] and entered > 10_000
    assert model.on_road.rerouted["team"].sum() > 100
    assert model.on_road.rerouted["truck"].sum() > 10
    # kits are conserved: in depots, delivered, on the way, or back aboard a truck the
    # water cut off from the shelter it was loaded for
    aboard = sum(t.kits_aboard for t in supply.trucks)
    assert aboard > 0
    on_hand = supply.stock_kits.sum() + supply.delivered_kits.sum() + supply.pending_kits.sum()
    assert on_hand + aboard == kits
    unsafe = result.shelters.loc[sorted(wet_since)]
    assert np.isfinite(unsafe["unsafe_since_s"]).all()
    assert (unsafe["occupants_persons"] == 0).all()


def test_landslide_nobody_at_home_in_a_slide_area_the_sweep_had_time_to_clear(network) -> None:
    """Households at home where a slide falls are only those the sweep could not reach.

    T_transfer of a node: from the ``immediate`` order until the responders were done
    there (turnout and travel of the community team sent, 3 min at each door, and the
    vulnerable taken out: :meth:`sim.agents.transfers.Transfers.cleared_s`). For
    Guojiachong (243 residents on 58 nodes, ordered out at t = 0) the teams of the
    nearby posts are at the first doors 1 to 28 min after the order and have cleared
    the swept nodes 26 to 40 min after it (the village centre, 17 households, takes
    one team 51 min of knocking); the first slide falls at 30 min, the second at 80.
    """
    scenario = load_scenario("landslide")
    model = EmergencyModel(scenario, network, seed=0)
    hazard = model.hazards.get("landslide")
    t = model.households
    slides: list[tuple[float, np.ndarray, np.ndarray]] = []
    trigger = hazard.trigger

    def watched(x_m: float, y_m: float, radius_m: float) -> None:
        inside = slopes.runout_nodes(network, x_m, y_m, radius_m)
        home = np.flatnonzero(inside[t.node] & np.isin(t.state, (AT_HOME, SHELTERING)))
        slides.append((model.env.now, inside, home))
        trigger(x_m, y_m, radius_m)

    hazard.trigger = watched
    model.run_for()
    order = scenario.warnings[0]
    assert order.level == "immediate" and order.time_min == 0
    zone = zone_nodes(network, order.zone)
    cleared = np.full(network.n_nodes, np.inf)
    for incident in model.transfers.incidents:
        cleared[incident.node] = min(cleared[incident.node], model.transfers.cleared_s(incident))
    in_time = 0
    for slide_s, inside, home in slides:
        ordered = inside & zone
        had_time = ordered & (cleared - order.time_min * 60.0 <= slide_s)
        in_time += int(t.size_persons[np.isin(t.home_node, np.flatnonzero(had_time))].sum())
        assert not had_time[t.node[home]].any(), "at home although the sweep had cleared it"
    assert in_time > 0  # some slide areas were cleared in time, and nobody was left there
    assert (t.state[np.isin(t.home_node, np.flatnonzero(zone))] != AT_HOME).mean() > 0.9


def test_landslide_dead_agree_in_summary_event_log_and_map(network, tmp_path) -> None:
    """Every death of the script (all waiting for rescue) is counted once everywhere:
    the casualties, the ``died_waiting`` events, and the map's dead by home node."""
    import geopandas as gpd

    model = EmergencyModel(load_scenario("landslide"), network, seed=0)
    model.run_for()
    result = collect(model)
    dead = result.summary["casualties"]["dead"]
    # the slides at Guojiachong bury 14 not yet out (8 in the first slide, 6 in the
    # second, among them a household the first cut off at home); 8 of them die: not a
    # vacuous check
    assert dead >= 5
    events = result.events
    assert events.loc[events["kind"] == "died_waiting", "value"].sum() == dead
    # and the replay counts them: before, its dead were the gas's AEGL-3 only
    counters = build_counters(events)
    assert counters_at(counters, model.scenario.horizon_s)["dead_persons"] == dead
    # every resident took one protective action: left, sheltered in place or stayed
    # (the buried and the stranded at home stayed)
    assert sum(result.summary["protective_action"].values()) == 400_000
    # the warnings summary can be checked against the log: everyone asked to be
    # transferred has its event, and nobody leaves before the warning reached them
    warnings = result.summary["warnings"].values()
    asked = events.loc[events["kind"] == "transfer_requested", "value"].sum()
    assert asked == sum(w["transfer_requested_persons"] for w in warnings) > 0
    # what became of the transferred: no more dead among them than on their side
    for side, w in result.summary["warnings"].items():
        outcome = w["transferred_dead_persons"] + w["transferred_sheltered_persons"]
        assert outcome <= w["transferred_persons"]
        assert (
            w["transferred_dead_persons"]
            <= result.summary["casualties"]["by_jurisdiction"][side]["dead"]
        )
    left = events[events["kind"] == "depart"].groupby("agent")["time_s"].min()
    told = events[events["kind"].isin(["warned", "transfer_requested"])]
    told = told.groupby("agent")["time_s"].min().reindex(left.index)
    assert (told <= left).all()
    result.write(tmp_path / "run")
    homes = gpd.read_file(tmp_path / "run" / "map.gpkg", layer="households_start")
    table = model.households
    assert homes["dead"].sum() == result.summary["persons"]["dead"] == dead
    # those who left home: on their own or taken out by a team (transfers, the buried)
    assert homes["departed"].sum() == result.summary["protective_action"]["evacuated_persons"]
    # each at the home node of the households that died
    died = table.state == DEAD
    want = np.bincount(table.home_node[died], weights=table.size_persons[died])
    nodes = np.flatnonzero(want)
    got = homes.set_index("osmid")["dead"]
    assert got.loc[network.node_osmid[nodes]].tolist() == want[nodes].astype(int).tolist()
    # the printout's reconciliation is true to the log: those who left home but did not
    # "set off" are exactly households taken out by a team with no shelter by the end
    from sim.report.run import format_run

    act, p = result.summary["protective_action"], result.summary["persons"]
    ids = np.asarray(model.household_ids)
    logged = set(events.loc[events["kind"].isin(["depart", "arrive_shelter"]), "agent"])
    with_team = table.left_home & ~np.isin(ids, list(logged))
    assert table.size_persons[with_team].sum() > 0  # not vacuous (5 persons, seed 0)
    assert (
        act["evacuated_persons"] - result.summary["evacuation"]["departed_persons"]
        == table.size_persons[with_team].sum()
    )
    assert not (table.state[with_team] == SHELTERED).any()
    line = next(x for x in format_run(result).splitlines() if x.startswith("Protective"))
    stayed = act["stayed_at_home_persons"]
    assert f"{table.size_persons[with_team].sum():,} of them with a team" in line
    assert f"({p['at_home']:,} at home at the end, {stayed - p['at_home']:,} stranded" in line
    # the rescue line adds up to its own persons
    inc = result.summary["incidents"]
    assert inc["persons_to_take_out"] == sum(
        inc[k]
        for k in (
            "persons_rescued",
            "persons_died_waiting",
            "persons_moved_on",
            "persons_handed_over",
            "persons_sheltered_in_place",
            "persons_still_waiting",
        )
    )
    # and every person of an incident is in it, withdrawn, or where nobody is carried
    assert inc["persons"] == (
        inc["persons_to_take_out"] + inc["withdrawn_persons"] + inc["reach_only_persons"]
    )
    assert 0 < inc["reach_only_reached_persons"] <= inc["reach_only_persons"]
    printed = format_run(result)
    assert f"{inc['reach_only_persons']:,} persons where teams carry nobody" in printed


def test_landslide_nobody_cut_off_waits_for_a_ground_team_alone(network) -> None:
    """After every hazard step, no incident with people waiting and no ground team on its
    way is cut off from every ground team by road without having asked for aviation.
    At seed 0 the first slide (30 min) cut off 26 incidents of stranded households
    reported while a road still led there; they waited for a ground team to the
    horizon, or until the road reopened at 5 h."""
    model = EmergencyModel(load_scenario("landslide"), network, seed=0)
    d = model.dispatcher
    left_alone: set[int] = set()

    def look(now: float) -> None:
        for incident in d.incidents:
            alone = incident.waiting and not incident.done and "ground" not in incident.dispatched
            if alone and d.needs_aircraft(incident):
                left_alone.add(incident.id)

    _after_every_step(model, look)
    model.run_for()
    assert not left_alone
    asked = collect(model).events.query("kind == 'aviation_requested'")
    assert len(asked) >= 20  # not vacuous: the slide cut off the stranded households
