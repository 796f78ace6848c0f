"""A tiny run folder for the replay tests, with synthetic hazard frames and closures.

On the toy engine region (tests/engine_fixtures.py; SA at node 0 holds 3 persons):

- 3 one-person households at node 1 (A), 2 at node 3 (B); one household is tracked;
- joint warning at t = 0, SMS after 5 min (t = 300), everyone leaves 10 min later
  (t = 900): A's households reach SA (node 0) at 1000/1004/1008 s, B's reach SB
  (node 4) at 1000/1004 s;
- an incident at node 3 (B) at t = 60 s needs a ground team: A's team (node 2) is
  dispatched at once, crosses into B at node 3 and arrives at 340 s; freeing the 5
  trapped takes 15 min each, so it is still on scene at the 1-h horizon;
- synthetic hazard frames, written as the engine writes them (one every 5 min, no row
  for a hazard with nothing left): flood 1 m deep at nodes 4 and 5 in the frames from
  1200 s to 2100 s, gone from 2400 s; 60 ppm of H2S at node 1 from 600 s, passed by
  1800 s; a landslide at node 2 from 1800 s;
- synthetic events: edge 4→5 and 5→4 closed at 1500 s and reopened at 3000 s; 2 persons
  exposed (AEGL-2) at node 1 at 1500 s; 1 person cut off by the flood at node 4 at 1300 s.

Two runs of protective action, on the toy regions of tests/protective_fixtures.py, written
by the engine's own run-folder writer:

- ``flood_run_dir`` (the flooded-shelter timeline of tests/test_protective.py): one tracked
  walker leaves node 2 at 60 s, reaches SB (node 3) at 893.3 s; SB floods and is closed
  at 960 s (``shelter_unsafe``) and the household relocates at once, walking 3 km back to
  SA (node 0), where it arrives at 3460 s. The folder has no ``map.gpkg``: the toy line's
  nodes are collinear, which the map's flood-extent cells cannot take.
- ``gas_run_dir`` (the plume toy): the household at node 6, 2.5 km downwind of the well,
  hears the warning at 1230 s and shelters in place at once; S-near (node 2) is closed
  as unsafe at 1260 s with nobody inside; a scripted incident at B's ground station
  (node 5) makes the team move, so the run has tracks to replay.

This module holds fixtures and the pandas reference for counters (imported by the replay
test modules).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine.runs import run
from sim.engine.survival import SURVIVAL
from sim.scenarios import scenario_from_dict
from sim.tiers import TIERS
from tests.engine_fixtures import SURE_BEHAVIOUR, toy_engine_network
from tests.protective_fixtures import flood_network, plume_network
from tests.test_protective import BEHAVIOUR as PROTECTIVE_BEHAVIOUR
from tests.test_protective import GAS, POPULATION, _flood_scenario

BEHAVIOUR = SURE_BEHAVIOUR
X0, Y0 = 500_000.0, 3_350_000.0
#: Map area of the zoomed pixel tests: nodes 0..4, 5 km wide.
ZOOM_BBOX_M = (X0 - 500.0, Y0 - 1000.0, X0 + 4500.0, Y0 + 1000.0)


def tiny_scenario():
    return scenario_from_dict(
        {
            "name": "tiny",
            "horizon_h": 1.0,
            "policy": {"linkage": "joint"},
            "population": {
                "household_size_mean_persons": 1.0,
                "vehicle_share": 1.0,
                "vulnerable_share": 0.0,
            },
            "behaviour": BEHAVIOUR,
            "warnings": [{"time_min": 0.0, "level": "imminent", "issued_by": "A"}],
            "incidents": [{"time_min": 1.0, "node": 3, "persons": 5, "tiers": ["ground"]}],
            "outputs": {"track_households": 1},
        }
    )


def tiny_network():
    return toy_engine_network(population=[0, 3, 0, 2, 0, 0], shelter_capacity=3)


def write_tiny_run(out: Path) -> Path:
    network = tiny_network()
    result = run(tiny_scenario(), seed=3, network=network)
    result.write(out)
    network.save(out / "network.npz")
    edges = network.edge_ids(np.array([4, 5]), np.array([5, 4]))
    extra = pd.DataFrame(
        {
            "time_s": [1500.0, 1500.0, 3000.0, 3000.0, 1500.0, 1300.0],
            "kind": ["road_closed"] * 2 + ["road_reopened"] * 2 + ["exposed", "stranded"],
            "agent": [-1] * 6,
            "node": [4, 5, 4, 5, 1, 4],
            "jurisdiction": ["B", "B", "B", "B", "A", "B"],
            "incident": [-1] * 6,
            "tier": ["", "", "", "", "AEGL-2", ""],
            "value": [float(edges[0]), float(edges[1]), float(edges[0]), float(edges[1]), 2.0, 1.0],
        }
    )
    events = pd.concat([result.events, extra], ignore_index=True)
    events = events.sort_values("time_s", kind="stable").reset_index(drop=True)
    events.to_parquet(out / "events.parquet", index=False)
    frame_s = np.arange(0.0, 3600.0, 300.0)  # hazards.step_min 1, frame_min 5: the defaults
    frames = pd.concat(
        [
            pd.DataFrame({"time_s": t, "hazard": hazard, "node": node, "value": value})
            for t in frame_s
            for hazard, node, value, start_s, end_s in (
                ("plume", [1], [60.0], 600.0, 1800.0),
                ("flood", [4, 5], [1.0, 1.0], 1200.0, 2400.0),
                ("landslide", [2], [1.0], 1800.0, np.inf),
            )
            if start_s <= t < end_s
        ],
        ignore_index=True,
    )
    frames.to_parquet(out / "hazard_frames.parquet", index=False)
    return out


@pytest.fixture(scope="session")
def tiny_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny run folder (shared: tests must not modify it; copy it first)."""
    return write_tiny_run(tmp_path_factory.mktemp("replay") / "tiny-run")


@pytest.fixture(scope="session")
def tiny_events(tiny_run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(tiny_run_dir / "events.parquet")


def write_flood_run(out: Path) -> Path:
    network = flood_network([0, 0, 1, 0, 0, 0])
    result = run(_flood_scenario(), seed=0, network=network)
    replace(result, network=None).write(out)  # no map.gpkg (see the module docstring)
    network.save(out / "network.npz")
    return out


def gas_scenario():
    return scenario_from_dict(
        {
            "name": "toy-gas",
            "horizon_h": 1.0,
            "population": POPULATION,
            "behaviour": PROTECTIVE_BEHAVIOUR,
            "hazards": {"step_min": 1.0, "gas_leak": GAS},
            "warnings": [{"time_min": 20.5, "level": "imminent", "issued_by": "A"}],
            "incidents": [{"time_min": 1.0, "node": 5, "persons": 1, "tiers": ["ground"]}],
            "outputs": {"track_households": 10},
        }
    )


def write_gas_run(out: Path) -> Path:
    network = plume_network({6: 1})
    run(gas_scenario(), seed=0, network=network).write(out)
    network.save(out / "network.npz")
    return out


@pytest.fixture(scope="session")
def flood_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flood run folder (shared: tests must not modify it)."""
    return write_flood_run(tmp_path_factory.mktemp("replay-flood") / "flood-run")


@pytest.fixture(scope="session")
def gas_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gas run folder (shared: tests must not modify it)."""
    return write_gas_run(tmp_path_factory.mktemp("replay-gas") / "gas-run")


def reference_counters(events: pd.DataFrame, t: float) -> dict[str, float]:
    """Counters computed directly with pandas on ``events[time_s <= t]``.

    Independent of :mod:`sim.replay.counters` (no step functions): the values the
    video panel and the HTML page must show at time ``t``.
    """
    ev = events[events["time_s"] <= t]

    def of(kind: str) -> pd.DataFrame:
        return ev[ev["kind"] == kind]

    warned = of("warned")
    reported = of("incident_reported")
    arrivals = of("arrive_scene")
    stranded = of("stranded")
    withdrawn = of("incident_withdrawn")
    exposed = of("exposed")
    died = of("died_waiting")
    in_state = persons_by_household_state(events, t)
    out = {
        "warnings_issued": len(of("warning_issued")),
        "warned_persons": warned[warned["agent"] >= 0].drop_duplicates("agent")["value"].sum()
        + warned[warned["agent"] < 0]["value"].sum(),
        "departed_persons": of("depart")["value"].sum(),
        "evacuated_persons": in_state["sheltered"],
        "on_the_way_persons": in_state["on_the_way"],
        "stranded_persons": stranded[stranded["agent"] < 0]["value"].sum() + in_state["stranded"],
        "sheltering_in_place_persons": in_state["sheltering_in_place"],
        "unsheltered_persons": in_state["unsheltered"],
        "relocated_persons": of("relocate")["value"].sum(),
        "shelters_unsafe": len(of("shelter_unsafe")),
        "exposed_persons": exposed[exposed["tier"] != "AEGL-3"]["value"].sum(),
        "dead_persons": exposed[exposed["tier"] == "AEGL-3"]["value"].sum()
        + died[died["tier"].isin(list(SURVIVAL))]["value"].sum(),
        "incidents_reported": len(reported),
        "open_incidents": len(
            set(reported["incident"]) - set(arrivals["incident"]) - set(withdrawn["incident"])
        ),
        "dispatches": len(of("dispatch")),
        "border_crossings": len(of("border_cross")),
        "kits_delivered": of("delivery")["value"].sum(),
        "roads_closed": len(of("road_closed")) - len(of("road_reopened")),
    }
    persons = dict(zip(reported["incident"], reported["value"], strict=True))
    for name, tier in TIERS.items():
        needs = reported[np.array([name in str(ts).split(",") for ts in reported["tier"]], bool)]
        gone_s = withdrawn.set_index("incident")["time_s"]
        needed_for_s = needs["incident"].map(gone_s) - needs["time_s"]
        needs = needs[~(needed_for_s <= tier.standard_min * 60.0).to_numpy()]
        total = needs["value"].sum()
        first = arrivals[arrivals["tier"] == name].groupby("incident")["value"].first()
        need = set(needs["incident"])
        covered = sum(
            persons[i] for i, r in first.items() if r <= tier.standard_min * 60.0 and i in need
        )
        out[f"coverage_{name}"] = covered / total if total > 0 else np.nan
    return {k: float(v) for k, v in out.items()}


#: What each household event makes of a household, for :func:`household_states`.
STATE_AFTER = {
    "depart": "on_the_way",
    "resume": "on_the_way",
    "relocate": "on_the_way",
    "arrive_shelter": "sheltered",
    "stranded": "stranded",
    "shelter_in_place": "sheltering_in_place",
    "unsheltered": "unsheltered",
}


def household_states(events: pd.DataFrame, t: float) -> dict[int, tuple[str, int, float]]:
    """``{agent: (state, node, persons)}`` at ``t``, walking each household's events in order.

    Independent of :mod:`sim.replay.households` (a plain loop): the household's state
    is that of its last event up to ``t``; ``warned`` counts only as its first event;
    ``persons`` is the largest ``value`` of its events.
    """
    kinds = [*STATE_AFTER, "warned"]
    rows = events[events["kind"].isin(kinds) & (events["agent"] >= 0)]
    rows = rows.sort_values("time_s", kind="stable")
    out = {}
    for agent, group in rows.groupby("agent", sort=True):
        state, node = "not_warned", -1
        for k, row in enumerate(group.itertuples(index=False)):
            if row.time_s > t:
                break
            if row.kind == "warned":
                if k == 0:
                    state, node = "warned", int(row.node)
                continue
            state, node = STATE_AFTER[row.kind], int(row.node)
        out[int(agent)] = (state, node, float(group["value"].max()))
    return out


def persons_by_household_state(events: pd.DataFrame, t: float) -> dict[str, float]:
    """Persons of the households in each state at ``t`` (see :func:`household_states`)."""
    out = dict.fromkeys(["not_warned", "warned", *STATE_AFTER.values()], 0.0)
    for state, _, persons in household_states(events, t).values():
        out[state] += persons
    return out
