"""``sim animate`` and ``sim plot`` end to end: MP4, GIF, HTML, figures, and bad input.

The MP4 and the GIF are decoded again and their frames compared with the renderer's own
frames and with the expected colours at the expected places (the tiny run of
tests/replay_fixtures.py, zoomed on nodes 0..4).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from sim.cli.app import main
from sim.engine.recording import SCHEMA_VERSION
from sim.network import RoadNetwork
from sim.plot import style
from sim.replay.build import build_timeline
from sim.replay.frames import FrameRenderer
from sim.replay.outputs import bbox_metres, frame_times_s
from sim.replay.view import FrameOptions
from sim.results.run_folder import load_run
from tests.replay_fixtures import X0, Y0, ZOOM_BBOX_M, tiny_run_dir  # noqa: F401


def rgb255(colour: str) -> np.ndarray:
    return np.round(np.array(to_rgb(colour)) * 255).astype(int)


def zoom_bbox_lonlat(run_dir: Path) -> str:
    network = RoadNetwork.load_compiled(run_dir / "network.npz")
    west, south, east, north = ZOOM_BBOX_M
    lon, lat = network.to_lonlat(np.array([west, east]), np.array([south, north]))
    return f"{lon[0]:.6f},{lat[0]:.6f},{lon[1]:.6f},{lat[1]:.6f}"


def renderer_for(run_dir: Path, bbox: str, size_px: tuple[int, int]) -> FrameRenderer:
    """The renderer `sim animate` builds for these options (to locate map points)."""
    run = load_run(run_dir)
    bbox_m = bbox_metres(run, tuple(float(v) for v in bbox.split(",")))
    options = FrameOptions(width_px=size_px[0], height_px=size_px[1], bbox_m=bbox_m)
    return FrameRenderer(build_timeline(run), options)


def pixel(frame: np.ndarray, renderer: FrameRenderer, node: int) -> np.ndarray:
    col, row = renderer.data_to_pixel(np.array([X0 + 1000.0 * node]), np.array([Y0]))
    return frame[int(row[0]), int(col[0]), :3].astype(int)


def files_under(folder: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*") if p.is_file()
    )


def decode_mp4(path: Path, width: int, height: int) -> tuple[list[np.ndarray], str]:
    """RGB frames of an MP4 (decoded by the same ffmpeg) and ffmpeg's description of it."""
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    done = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    )
    data = np.frombuffer(done.stdout, np.uint8)
    assert data.size % (width * height * 3) == 0
    return list(data.reshape(-1, height, width, 3)), done.stderr.decode()


def nearest_style_colour(rgb: np.ndarray) -> str:
    colours = list(dict.fromkeys(style.style_colours()))
    distance = [np.abs(rgb - rgb255(c)).sum() for c in colours]
    return colours[int(np.argmin(distance))]


def test_mp4_frames_show_the_renderer_frames(tiny_run_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "tiny.mp4"
    bbox = zoom_bbox_lonlat(tiny_run_dir)
    options = ["--format", "mp4", "--speed", "1800", "--bbox", bbox, "--out", str(out)]
    assert main(["animate", str(tiny_run_dir), *options, "--no-progress"]) == 0
    frames, info = decode_mp4(out, 1280, 720)
    assert re.search(r"Video: h264.*yuv420p.*1280x720.* 15 fps", info), info
    times = frame_times_s(3600.0, speed=1800.0, fps=15.0)
    assert len(frames) == times.size == 31  # every 120 s, and the horizon
    renderer = renderer_for(tiny_run_dir, bbox, (1280, 720))
    for k, node, colour in (
        (1, 3, style.INCIDENT_OPEN_COLOUR),  # 120 s: incident at node 3, not yet reached
        (3, 3, style.CROSSING_COLOUR),  # 360 s: the team crossed into B at node 3
        (3, 1, style.HOUSEHOLD_COLOURS["warned"]),  # 360 s: SMS at 300 s
        (9, 0, style.SHELTER_FILL_COLOURS[-1]),  # 1080 s: SA holds its 3 persons, full
    ):
        want = renderer.render(float(times[k]))[..., :3].astype(int)
        assert np.abs(frames[k].astype(int) - want).mean() < 3.0  # the same picture
        got = pixel(frames[k], renderer, node)  # H.264 is lossy: the nearest style colour
        assert nearest_style_colour(got) == colour, (k, node, got.tolist(), colour)


def test_gif_keeps_the_style_colours_exactly(tiny_run_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "tiny.gif"
    bbox = zoom_bbox_lonlat(tiny_run_dir)
    options = ["--format", "gif", "--speed", "1800", "--bbox", bbox, "--out", str(out)]
    assert main(["animate", str(tiny_run_dir), *options, "--no-progress"]) == 0
    times = frame_times_s(3600.0, speed=1800.0, fps=6.0)
    renderer = renderer_for(tiny_run_dir, bbox, (800, 450))
    with Image.open(out) as gif:
        assert gif.size == (800, 450) and gif.n_frames == times.size == 13
        assert abs(gif.info["duration"] - 1000 / 6) <= 10

        def frame(k: int) -> np.ndarray:
            gif.seek(k)
            return np.asarray(gif.convert("RGB"))

        for k, node, colour in (
            (1, 3, style.INCIDENT_OPEN_COLOUR),  # 300 s
            (2, 3, style.CROSSING_COLOUR),  # 600 s: crossed at 340 s
            (2, 1, style.HOUSEHOLD_COLOURS["warned"]),
            (4, 0, style.SHELTER_FILL_COLOURS[-1]),  # 1200 s: SA holds its 3 persons, full
        ):
            got = pixel(frame(k), renderer, node)
            assert np.abs(got - rgb255(colour)).max() <= 2, (k, node, got.tolist(), colour)


def test_html_is_one_self_contained_file(tiny_run_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "tiny.html"
    assert main(["animate", str(tiny_run_dir), "--format", "html", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert re.search(r"(https?:)?//[a-z]", text) is None  # no URL at all: nothing to fetch
    assert re.search(r"<(link|img|iframe)\b|<script[^>]*\bsrc=|@import|url\(", text) is None
    assert "default-src 'none'" in text  # and the page forbids fetching anything
    assert "__REPLAY" not in text.replace("__REPLAY_DATA__", "")  # template filled
    assert out.stat().st_size < 2_000_000


def test_default_output_is_in_the_run_folder(tiny_run_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    run = tmp_path / "run"
    shutil.copytree(tiny_run_dir, run)
    assert main(["animate", str(run), "--format", "html", "--no-progress"]) == 0
    assert (run / "replay.html").is_file()
    assert not list(run.glob(".*partial"))


def test_plot_writes_three_figures(tiny_run_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "plots"
    assert main(["plot", str(tiny_run_dir), "--out", str(out)]) == 0
    for name in ("coverage_curves.png", "evacuation_curve.png", "response_map.png"):
        with Image.open(out / name) as image:
            colours = np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0)
        assert len(colours) > 20, name  # drawn, not blank


def _not_a_run(tmp: Path, run: Path) -> list[str]:
    (tmp / "empty").mkdir()
    return ["animate", str(tmp / "empty"), "--format", "mp4"]


def _missing_folder(tmp: Path, run: Path) -> list[str]:
    return ["animate", str(tmp / "nowhere"), "--format", "gif"]


def _no_tracks_file(tmp: Path, run: Path) -> list[str]:
    (run / "tracks.parquet").unlink()
    return ["animate", str(run), "--format", "html"]


def _empty_tracks(tmp: Path, run: Path) -> list[str]:
    tracks = pd.read_parquet(run / "tracks.parquet")
    tracks.iloc[:0].to_parquet(run / "tracks.parquet", index=False)
    return ["animate", str(run), "--format", "mp4"]


def _unknown_format(tmp: Path, run: Path) -> list[str]:
    return ["animate", str(run), "--format", "avi"]


def _bbox_off_the_network(tmp: Path, run: Path) -> list[str]:
    return ["animate", str(run), "--format", "mp4", "--bbox", "10,10,10.1,10.1"]


def _bad_fps(tmp: Path, run: Path) -> list[str]:
    return ["animate", str(run), "--format", "gif", "--fps", "0"]


def _out_is_a_folder(tmp: Path, run: Path) -> list[str]:
    (tmp / "folder.mp4").mkdir()
    return ["animate", str(run), "--format", "mp4", "--out", str(tmp / "folder.mp4")]


def _other_schema(tmp: Path, run: Path) -> list[str]:
    summary = (run / "summary.json").read_text()
    (run / "summary.json").write_text(
        summary.replace(f'"schema_version": {SCHEMA_VERSION}', '"schema_version": 99')
    )
    return ["animate", str(run), "--format", "html"]


def _plot_not_a_run(tmp: Path, run: Path) -> list[str]:
    (tmp / "empty").mkdir()
    return ["plot", str(tmp / "empty")]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_a_run, "is not a run folder"),
        (_missing_folder, "is not a run folder"),
        (_no_tracks_file, "has no tracks"),
        (_empty_tracks, "has no tracks"),
        (_unknown_format, "unknown format 'avi'"),
        (_bbox_off_the_network, "holds no node of the network"),
        (_bad_fps, "--fps: must be a number of frames per second > 0"),
        (_out_is_a_folder, "is a folder"),
        (_other_schema, "schema_version 99"),
        (_plot_not_a_run, "is not a run folder"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    make,
    message: str,
    tiny_run_dir: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run_dir, run)
    argv = make(tmp_path, run)
    before = files_under(tmp_path)
    assert main([*argv, "--no-progress"] if argv[0] == "animate" else argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: "), captured.err
    assert message in lines[0]
    assert captured.out == ""
    assert files_under(tmp_path) == before
