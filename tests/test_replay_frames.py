"""Pixel checks of video frames: the expected colour at the expected place at a given time.

The tiny run (tests/test_replay_fixtures.py) is drawn zoomed on nodes 0..4 (about 200 px
per km). Colours are read from the RGBA frame at the pixel of a known map point, found
through ``ax.transData``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from sim.plot import style
from sim.replay.build import build_timeline
from sim.replay.frames import FrameRenderer
from sim.replay.view import FrameOptions
from sim.results.run_folder import load_run
from tests.replay_fixtures import X0, Y0, ZOOM_BBOX_M, tiny_run_dir  # noqa: F401


def rgb255(colour: str) -> np.ndarray:
    return np.round(np.array(to_rgb(colour)) * 255).astype(int)


def blend(colour: str, alpha: float, under: str) -> np.ndarray:
    return np.round(
        (alpha * np.array(to_rgb(colour)) + (1 - alpha) * np.array(to_rgb(under))) * 255
    ).astype(int)


@pytest.fixture(scope="module")
def renderer(tiny_run_dir: Path) -> FrameRenderer:  # noqa: F811
    timeline = build_timeline(load_run(tiny_run_dir))
    return FrameRenderer(timeline, FrameOptions(width_px=1280, height_px=720, bbox_m=ZOOM_BBOX_M))


def colour_at(renderer: FrameRenderer, time_s: float, x_m: float, y_m: float) -> np.ndarray:
    frame = renderer.render(time_s)
    col, row = renderer.data_to_pixel(np.array([x_m]), np.array([y_m]))
    return frame[int(row[0]), int(col[0]), :3].astype(int)


def node_xy(k: int) -> tuple[float, float]:
    return X0 + 1000.0 * k, Y0


def assert_colour(got: np.ndarray, want: np.ndarray, tolerance: int = 2) -> None:
    assert np.abs(got - want).max() <= tolerance, f"got {got.tolist()}, want {want.tolist()}"


def test_frame_is_the_requested_size(renderer: FrameRenderer) -> None:
    assert renderer.render(0.0).shape == (720, 1280, 4)


@pytest.mark.parametrize(
    ("time_s", "state"),
    [(100.0, "not_warned"), (400.0, "warned"), (952.0, "on_the_way")],
)
def test_households_at_home_have_the_state_colour(
    renderer: FrameRenderer, time_s: float, state: str
) -> None:
    got = colour_at(renderer, time_s, *node_xy(1))
    assert_colour(got, rgb255(style.HOUSEHOLD_COLOURS[state]))


def test_home_node_empty_once_everyone_left(renderer: FrameRenderer) -> None:
    got = colour_at(renderer, 1100.0, *node_xy(1))
    for state in style.HOUSEHOLD_STATES:
        assert np.abs(got - rgb255(style.HOUSEHOLD_COLOURS[state])).max() > 20


def test_tracked_household_is_drawn_on_the_road(renderer: FrameRenderer) -> None:
    # household 1 leaves node 1 at 900 s and reaches node 0 at 1004 s
    x = X0 + 1000.0 - 1000.0 * 52 / 104
    assert_colour(colour_at(renderer, 952.0, x, Y0), rgb255(style.HOUSEHOLD_COLOURS["on_the_way"]))


def test_team_is_interpolated_between_nodes_in_its_tier_colour(renderer: FrameRenderer) -> None:
    # A's ground team: node 2 at 240 s, node 3 at 340 s
    assert_colour(colour_at(renderer, 290.0, X0 + 2500.0, Y0), rgb255(style.TIER_COLOURS["ground"]))
    before = colour_at(renderer, 100.0, X0 + 2500.0, Y0)  # not dispatched on the road yet
    assert np.abs(before - rgb255(style.TIER_COLOURS["ground"])).max() > 40


def test_incident_open_then_crossing_highlighted(renderer: FrameRenderer) -> None:
    assert_colour(colour_at(renderer, 100.0, *node_xy(3)), rgb255(style.INCIDENT_OPEN_COLOUR))
    # reached at 340 s by a team that crossed the border at node 3: a recent crossing star
    assert_colour(colour_at(renderer, 400.0, *node_xy(3)), rgb255(style.CROSSING_COLOUR))


def test_shelter_colour_follows_its_fill(renderer: FrameRenderer) -> None:
    fill = style.SHELTER_FILL_COLOURS
    assert_colour(colour_at(renderer, 999.0, *node_xy(0)), rgb255(fill[0]))  # empty
    assert_colour(colour_at(renderer, 1002.0, *node_xy(0)), rgb255(fill[2]))  # 1 of 3
    assert_colour(colour_at(renderer, 1010.0, *node_xy(0)), rgb255(fill[5]))  # full


def test_flood_area_appears_and_clears_with_its_frames(renderer: FrameRenderer) -> None:
    x, y = X0 + 4000.0, Y0 + 300.0  # off the road, near node 4 (B), 1 m deep from 1200 s
    shade_b = style.JURISDICTION_COLOURS[1]
    assert_colour(colour_at(renderer, 1100.0, x, y), rgb255(shade_b))
    flood = style.HAZARD_COLOURS["flood"][int(style.hazard_level("flood", np.array([1.0]))[0]) - 1]
    assert_colour(colour_at(renderer, 1300.0, x, y), blend(flood, style.HAZARD_ALPHA, shade_b), 3)
    assert_colour(colour_at(renderer, 2500.0, x, y), rgb255(shade_b))


def test_plume_appears_with_its_frames_and_is_gone_when_it_has_passed(
    renderer: FrameRenderer,
) -> None:
    x, y = X0 + 1000.0, Y0 - 300.0  # near node 1 (A): 60 ppm in the frames 600 s .. 1500 s
    shade_a = style.JURISDICTION_COLOURS[0]
    assert_colour(colour_at(renderer, 500.0, x, y), rgb255(shade_a))
    plume = style.HAZARD_COLOURS["plume"][int(style.hazard_level("plume", np.array([60.0]))[0]) - 1]
    got = colour_at(renderer, 700.0, x, y)
    assert_colour(got, blend(plume, style.HAZARD_ALPHA, shade_a), 3)
    assert_colour(colour_at(renderer, 1900.0, x, y), rgb255(shade_a))  # no plume row from 1800 s


def test_slide_area_is_drawn_from_its_first_frame(renderer: FrameRenderer) -> None:
    x, y = X0 + 2000.0, Y0 + 300.0  # near node 2 (A): inside a slide from 1800 s
    shade_a = style.JURISDICTION_COLOURS[0]
    assert_colour(colour_at(renderer, 500.0, x, y), rgb255(shade_a))  # before any hazard
    slide = style.HAZARD_COLOURS["landslide"][0]
    assert_colour(colour_at(renderer, 1900.0, x, y), blend(slide, style.HAZARD_ALPHA, shade_a), 3)


def test_closed_road_is_drawn_until_reopened(renderer: FrameRenderer) -> None:
    x, y = X0 + 4400.0, Y0  # on link 4-5, east of node 4
    red = rgb255(style.CLOSED_ROAD_COLOUR)
    assert np.abs(colour_at(renderer, 1400.0, x, y) - red).max() > 40
    assert_colour(colour_at(renderer, 1600.0, x, y), red, 3)
    assert np.abs(colour_at(renderer, 3100.0, x, y) - red).max() > 40


def test_whole_network_view_at_720p(tiny_run_dir: Path) -> None:  # noqa: F811
    renderer = FrameRenderer(build_timeline(load_run(tiny_run_dir)))
    assert_colour(
        colour_at(renderer, 400.0, *node_xy(1)), rgb255(style.HOUSEHOLD_COLOURS["warned"])
    )
