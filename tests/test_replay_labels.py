"""Incident labels in a rendered video frame never overlap (boxes from matplotlib)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine.runs import run
from sim.replay.build import build_timeline
from sim.replay.frames import FrameRenderer
from sim.replay.view import FrameOptions
from sim.results.run_folder import load_run
from sim.scenarios import scenario_from_dict
from tests.replay_fixtures import BEHAVIOUR, tiny_network

#: Eight incidents on two neighbouring nodes: without placement their labels stack.
INCIDENTS = [
    {"time_min": 1.0 + k, "node": 3 + k % 2, "persons": 2, "tiers": ["community", "ground"]}
    for k in range(8)
]


@pytest.fixture(scope="module")
def crowded_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = scenario_from_dict(
        {
            "name": "crowded",
            "horizon_h": 1.0,
            "policy": {"linkage": "joint"},
            "population": {"household_size_mean_persons": 1.0, "vehicle_share": 1.0},
            "behaviour": BEHAVIOUR,
            "incidents": INCIDENTS,
        }
    )
    network = tiny_network()
    out = tmp_path_factory.mktemp("crowded") / "run"
    run(scenario, seed=1, network=network, progress=False).write(out)
    network.save(out / "network.npz")
    return out


def _boxes(renderer: FrameRenderer) -> list:
    canvas_renderer = renderer.canvas.get_renderer()
    return [
        label.get_window_extent(canvas_renderer)
        for label in renderer.labels
        if label.get_visible() and label.get_text()
    ]


@pytest.mark.parametrize("size", [(1280, 720), (800, 450)])
def test_no_two_incident_labels_overlap(crowded_run: Path, size: tuple[int, int]) -> None:
    timeline = build_timeline(load_run(crowded_run))
    assert len(timeline.incidents.node) == len(INCIDENTS)
    bbox = (499_000.0, 3_349_000.0, 505_000.0, 3_351_000.0)  # zoomed on the crowd
    renderer = FrameRenderer(
        timeline, FrameOptions(width_px=size[0], height_px=size[1], bbox_m=bbox)
    )
    renderer.render(3500.0)
    reached = np.isfinite(timeline.incidents.first_arrival_s).sum()
    assert reached >= 3
    boxes = _boxes(renderer)
    assert len(boxes) == reached  # every label found a place, none hidden are there, not all hidden
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_w = min(a.x1, b.x1) - max(a.x0, b.x0)
            overlap_h = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert overlap_w <= 0 or overlap_h <= 0, (a, b)
        assert a.x1 <= renderer.panel_left_px() + 0.5  # never over the side panel
