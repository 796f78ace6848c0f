"""Track points of a run: one by one (households) or as whole trips (teams, trucks)."""

from __future__ import annotations

import numpy as np

from sim.engine.recording import Recorder


def test_track_points_of_single_nodes_and_whole_trips_keep_their_order_on_ties() -> None:
    """Tracks are sorted by agent and time; points at the same time keep the order in
    which they were recorded, whether recorded one by one or as a whole trip."""
    recorder = Recorder()
    recorder.track(5.0, 2, "household", 1)
    recorder.track_route(np.array([0.0, 5.0, 9.0]), 2, "team", np.array([0, 1, 2]))
    recorder.track(5.0, 2, "household", 2)
    recorder.track(1.0, 1, "household", 0)
    frame = recorder.tracks(np.array([0.0, 10.0, 20.0]), np.zeros(3))
    assert list(zip(frame["agent"], frame["time_s"], frame["node"], strict=True)) == [
        (1, 1.0, 0), (2, 0.0, 0), (2, 5.0, 1), (2, 5.0, 1), (2, 5.0, 2), (2, 9.0, 2),
    ]  # fmt: skip
    assert frame["family"].tolist()[2:5] == ["household", "team", "household"]
    assert frame["x_m"].tolist() == [0.0, 0.0, 10.0, 10.0, 20.0, 20.0]
    assert len(Recorder().tracks(np.zeros(1), np.zeros(1))) == 0


def _trip(recorder: Recorder, agent: int, times: list[float], crossings: list[float]):
    """Record a trip and its planned border crossings; return its marks for cut_trip."""
    trip_at, first = recorder.marks()
    recorder.track_route(np.array(times), agent, "team", np.arange(len(times)))
    for t in crossings:
        recorder.event(t, "border_cross", agent=agent)
    return trip_at, first, recorder.marks()[1]


def test_cutting_trips_takes_back_only_their_crossings_not_made() -> None:
    """Two teams' trips are cut in turn: each loses the crossings after its turn-off,
    and the second cut finds its own crossings although the first took events back
    (the log once shifted under later marks and kept 139 crossings never made in the
    flood, seed 0)."""
    recorder = Recorder()
    recorder.event(0.0, "dispatch", agent=7)
    a = _trip(recorder, 7, [0.0, 100.0, 200.0, 300.0], [150.0, 250.0])
    b = _trip(recorder, 8, [10.0, 60.0, 110.0], [60.0, 100.0])
    recorder.event(50.0, "border_cross", agent=7)  # logged later, at its own time: kept
    recorder.cut_trip(7, 100.0, a)  # turned off at node 1 (100 s)
    recorder.cut_trip(8, 60.0, b)  # turned off at node 1 (60 s): its 60 s crossing is made
    events = recorder.events()
    assert list(zip(events["time_s"], events["agent"], strict=True)) == [
        (0.0, 7), (50.0, 7), (60.0, 8),
    ]  # fmt: skip
    frame = recorder.tracks(np.zeros(4), np.zeros(4))
    assert frame.groupby("agent")["time_s"].max().to_dict() == {7: 100.0, 8: 60.0}
