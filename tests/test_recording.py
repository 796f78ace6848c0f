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
