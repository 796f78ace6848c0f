"""Linkage on the built-in scripts: information sharing warns earlier; what aid costs.

Full-size runs of gas_leak and landslide, the flood on 40,000 residents (seed 0).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect, network_for
from sim.network.sources import load_network
from sim.scenarios import load_scenario


def _run(name: str, linkage: str, *, horizon_h: float | None = None, small: bool = False):
    scenario = load_scenario(name)
    scenario = replace(scenario, policy=replace(scenario.policy, linkage=linkage))
    if horizon_h is not None:
        scenario = replace(scenario, horizon_h=horizon_h)
    net = load_network("fujiang", population_persons=40_000) if small else network_for(scenario)
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    return model, collect(model)


@pytest.mark.parametrize(("name", "horizon_h"), [("gas_leak", 2.0), ("flood", 6.0)])
def test_notify_warns_tongnan_earlier_than_separate(name, horizon_h) -> None:
    first = {}
    for linkage in ("separate", "notify"):
        s = _run(name, linkage, horizon_h=horizon_h, small=name == "flood")[1].summary
        first[linkage] = s["warnings"]["Tongnan"]["first_warning_s"]
        if linkage == "notify":
            link = s["linkage"]["Tongnan"]
            assert link["knew_how"] == "via Suining"
            assert link["lead_over_own_s"] > 0
    # Suining knows first; its news reaches Tongnan 15 min later, before Tongnan's own
    # detection (the plume or the water on its ground + 45 min)
    assert first["notify"] < first["separate"]


@pytest.mark.parametrize("name", ["gas_leak", "landslide", "flood"])
def test_aid_and_joint_cost_no_lives_and_every_person_is_accounted_for(name) -> None:
    dead = {}
    for linkage in ("separate", "mutual_aid", "joint"):
        model, result = _run(name, linkage, small=name == "flood")
        inc = result.summary["incidents"]
        # aid never costs lives. Not "no fewer rescued": linked warnings leave fewer
        # people to rescue (the 40,000-resident flood: Tongnan, warned with Suining's
        # news, has no stranded at all under mutual aid, 63 rescued under separate)
        dead[linkage] = result.summary["casualties"]["dead"]
        table = result.incidents.drop_duplicates("incident")
        assert (table["persons_rescued"] + table["persons_died"] <= table["persons"]).all()
        # every person of an incident teams carry out is out alive, dead, gone on their
        # own, or still waiting; a completed incident has nobody left waiting
        for incident in model.dispatcher.incidents:
            if not incident.carried or incident.withdrawn:
                continue
            out = incident.carried_persons + incident.persons_moved_on
            out += incident.persons_handed_over + incident.persons_sheltered_in_place
            assert out <= incident.persons
            if np.isfinite(incident.completed_s):
                assert out == incident.persons, incident
        # the rescue line of `sim run` adds up: its six outcomes are its persons
        assert inc["persons_to_take_out"] == (
            inc["persons_rescued"]
            + inc["persons_died_waiting"]
            + inc["persons_moved_on"]
            + inc["persons_handed_over"]
            + inc["persons_sheltered_in_place"]
            + inc["persons_still_waiting"]
        )
        by_side = inc["rescue_by_jurisdiction"]
        assert (
            sum(k["rescued"] for kinds in by_side.values() for k in kinds.values())
            == (inc["persons_rescued"])
        )
    if name == "flood":
        assert dead["mutual_aid"] <= dead["separate"]
        assert dead["joint"] <= dead["separate"]
    elif name == "gas_leak":
        # the plume is over the Tongnan villages 5-30 min after the blowout, before any
        # order: linkage cannot change who breathes it, and at one seed the greedy
        # dispatch moves the toll a few either way (seeds 0-3, separate / mutual aid /
        # joint: 21/23/18, 16/21/20, 24/21/23, 24/25/26). Over the linkage experiment's
        # 40 runs no policy costs lives: notify -0.3 [-0.8, +0.2], mutual aid -0.4
        # [-0.9, +0.1], joint -3.0 [-6.0, -0.0] dead a run against separate. So one run
        # is held to "about the same", as the landslide is
        assert dead["separate"] >= 10  # the plume kills: the comparison is not 0 to 0
        assert max(dead["mutual_aid"], dead["joint"]) <= dead["separate"] + 5
    else:
        # lending can cost the lender: a team lent to clear a road across the border is
        # not at home when a rain slide buries people on its own side (seen at seed 0
        # with other slides: 40 dead under joint against 39). So the landslide is held
        # to "about the same": every policy meets the same slides (their own random
        # streams); at seed 0 the scripted slides bury 50 under separate, 46 under joint
        # (37 of them, under either, cut off on their way by the first slide and waiting)
        # and 8 of them die, under every linkage level (each household's fate is its own
        # draw, so the levels differ only in how long people waited)
        assert dead["separate"] >= 5
        assert dead["joint"] <= dead["separate"] + 2
