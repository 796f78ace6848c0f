"""Aviation is asked when the roads cut an incident off after it was reported.

:meth:`sim.agents.air_ops.AirOperations.ask_aircraft`. The toy of
tests/test_team_reroute.py (a ground team at node 0, an incident at node 3 reached by a
direct road or a detour), with a helicopter at node 0 too (turnout 900 s, 220 km/h) and
a village at node 3 where it lands.
"""

from __future__ import annotations

import pytest

from sim.engine.runs import collect
from tests.test_team_reroute import _run

#: A helicopter hoists each person in 4 min (``forces.hoist_min_per_person``).
HOIST_S = 240.0


def test_an_incident_the_roads_cut_off_after_its_report_gets_a_helicopter() -> None:
    """Reported at 60 s with a road open, so it asks for the ground team only. Both ways
    close at 300 s (nodes 2 and 5) and stay closed: the team, on its way, is cut off at
    node 1 (340 s) and hands the incident back; no ground team can reach it now, so
    aviation is asked then. The helicopter takes off after its 900 s turnout and flies
    the 3 km to node 3 at 220 km/h (49.1 s): there at 1289.1 s, and hoists the person in
    4 min. Before, the person waited for a ground team to the horizon."""
    model, _ = _run([(5.0, "close", 2), (5.0, "close", 5)], aviation=True)
    aircraft = next(t for t in model.teams if t.tier.name == "aviation")
    assert aircraft.tier.turnout_s == 900.0 and aircraft.tier.cruise_speed_kph == 220.0
    assert model.scenario.forces.hoist_min_per_person * 60.0 == HOIST_S
    result = collect(model)
    ev = result.events
    kinds = ["incident_handed_back", "aviation_requested", "dispatch", "arrive_scene", "rescued"]
    ev = ev[ev["kind"].isin(kinds) & (ev["time_s"] > 300.0)]
    flight_s = 3000.0 / (220.0 / 3.6)
    assert ev[["time_s", "kind", "tier", "value"]].values.tolist() == [
        [pytest.approx(340.0), "incident_handed_back", "ground", 1.0],
        [pytest.approx(340.0), "aviation_requested", "aviation", 1.0],
        [pytest.approx(340.0), "dispatch", "aviation", pytest.approx(flight_s)],
        [pytest.approx(340.0 + 900.0 + flight_s), "arrive_scene", "aviation",
         pytest.approx(280.0 + 900.0 + flight_s)],
        [pytest.approx(340.0 + 900.0 + flight_s + HOIST_S), "rescued", "aviation", 1.0],
    ]  # fmt: skip
    assert result.incidents.groupby("incident")["persons_rescued"].max().tolist() == [1]


def test_the_replay_says_which_incidents_were_cut_off_at_once(tmp_path) -> None:
    """A drill designer's event list: one line per instant, not one per incident (the
    landslide's first slide cut off 23 incidents in one step)."""
    from sim.replay.build import build_timeline
    from sim.replay.events import event_list
    from sim.results.run_folder import load_run

    model, _ = _run([(5.0, "close", 2), (5.0, "close", 5)], aviation=True)
    out = tmp_path / "run"
    collect(model).write(out)
    model.network.save(out / "network.npz")
    lines = [(t, text) for t, _, text in event_list(build_timeline(load_run(out)))]
    asked = [line for line in lines if "aviation requested" in line[1]]
    assert asked == [(340_000, "incident 0 cut off by road (1 person): aviation requested")]
