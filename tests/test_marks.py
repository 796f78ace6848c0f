"""Replays and figures carry sim's mark, so sim never replaces or removes a user's file.

The files are real: MP4 through ffmpeg, GIF and PNG through Pillow and matplotlib, the
HTML page, on the tiny run of tests/replay_fixtures.py. A user's files of the same kinds
(made with the same libraries, without the mark) are never taken for sim's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import imageio_ffmpeg
import matplotlib
import numpy as np
import pytest
from PIL import Image

from sim.cli.app import main
from sim.engine.runs import run
from sim.files.marks import is_sim_file
from tests.replay_fixtures import tiny_network, tiny_run_dir, tiny_scenario  # noqa: F401
from tests.test_bad_input import snapshot

matplotlib.use("Agg")
FAST = ["--speed", "600", "--fps", "2", "--no-progress"]  # 13 frames of the 1-h run
PLOTS = ("coverage_curves.png", "evacuation_curve.png", "response_map.png")


@pytest.fixture
def run_dir(tiny_run_dir: Path, tmp_path: Path) -> Path:  # noqa: F811
    """A copy of the tiny run folder the test may change."""
    return Path(shutil.copytree(tiny_run_dir, tmp_path / "run"))


def _users_files(folder: Path) -> dict[str, Path]:
    """A PNG, GIF, MP4 and HTML file made as a user would, without sim's mark."""
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    fig.savefig(folder / "mine.png", format="png")
    plt.close(fig)
    frames = [Image.new("RGB", (8, 8), (k * 40, 0, 0)) for k in range(3)]
    frames[0].save(folder / "mine.gif", save_all=True, append_images=frames[1:])
    writer = imageio_ffmpeg.write_frames(
        str(folder / "mine.mp4"), (16, 16), fps=5, macro_block_size=1, ffmpeg_log_level="error"
    )
    writer.send(None)
    for k in range(5):
        writer.send(np.full((16, 16, 3), 40 * k, np.uint8).tobytes())
    writer.close()
    (folder / "mine.html").write_text("<html><head><title>my replay notes</title></head></html>")
    return {p.suffix: p for p in folder.iterdir()}


def test_sim_knows_its_own_replays_and_figures_and_no_one_elses(
    tiny_run_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    ours = tmp_path / "ours"
    ours.mkdir()
    for fmt in ("mp4", "gif", "html"):
        out = ours / f"replay.{fmt}"
        assert main(["animate", str(tiny_run_dir), "--format", fmt, "--out", str(out), *FAST]) == 0
        assert is_sim_file(out), fmt
    assert main(["plot", str(tiny_run_dir), "--out", str(ours / "plots")]) == 0
    assert all(is_sim_file(ours / "plots" / name) for name in PLOTS)
    for suffix, path in _users_files(tmp_path / "theirs").items():
        assert not is_sim_file(path), suffix
    (tmp_path / "fake.png").write_text("Software border-sim")  # not a PNG at all
    assert not is_sim_file(tmp_path / "fake.png")
    Image.new("RGB", (4, 4)).save(tmp_path / "photo.png", format="JPEG")  # misnamed JPEG
    assert not is_sim_file(tmp_path / "photo.png")
    (tmp_path / "link.gif").symlink_to(ours / "replay.gif")  # a link is not sim's file
    assert not is_sim_file(tmp_path / "link.gif")


def test_animate_never_writes_over_a_users_file(run_dir: Path, tmp_path: Path, capsys) -> None:
    mine = _users_files(tmp_path / "mine")
    shutil.copy(mine[".html"], run_dir / "replay.html")  # the user's page under sim's name
    cases = [
        ["animate", str(run_dir), "--format", "gif", "--out", str(mine[".gif"])],
        ["animate", str(run_dir), "--format", "mp4", "--out", str(mine[".mp4"])],
        ["animate", str(run_dir), "--format", "html"],  # default RUN_DIR/replay.html
    ]
    for command in cases:
        before = snapshot(tmp_path)
        capsys.readouterr()
        assert main([*command, *FAST]) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "sim did not write" in err[0], err
        assert snapshot(tmp_path) == before, command
    # the default output names no --out it was not given, and suggests a free name
    (run_dir / "replay.html").write_text("mine")
    capsys.readouterr()
    assert main(["animate", str(run_dir), "--format", "html", *FAST]) == 2
    err = capsys.readouterr().err
    assert f"sim: error: {run_dir / 'replay.html'} is a file sim did not write" in err
    assert "--out, such as replay-2.html" in err
    # the format follows the --out file's extension when --format is not given
    assert main(["animate", str(run_dir), "--out", str(tmp_path / "x.gif"), *FAST]) == 0
    with Image.open(tmp_path / "x.gif") as image:
        assert image.format == "GIF"
    # sim's own replay is replaced when animated again
    (run_dir / "replay.html").unlink()
    assert main(["animate", str(run_dir), "--format", "html", *FAST]) == 0
    assert main(["animate", str(run_dir), "--format", "html", *FAST]) == 0
    capsys.readouterr()


def test_a_new_run_removes_only_the_replays_and_figures_sim_wrote(
    run_dir: Path, tmp_path: Path, capsys
) -> None:
    assert main(["plot", str(run_dir)]) == 0
    assert main(["animate", str(run_dir), "--format", "html", *FAST]) == 0
    mine = _users_files(tmp_path / "mine")
    shutil.copy(mine[".png"], run_dir / "plots" / "my_annotated_map.png")
    shutil.copy(mine[".gif"], run_dir / "replay.gif")  # the user's, under a name sim writes
    # a copy of sim's own figure (it carries the mark) under a name of the user's
    shutil.copy(run_dir / "plots" / PLOTS[2], run_dir / "plots" / "briefing.png")
    kept = {
        name: (run_dir / name).read_bytes()
        for name in (
            "plots/my_annotated_map.png",
            "plots/briefing.png",
            "replay.gif",
            "network.npz",
        )
    }
    run(tiny_scenario(), seed=4, network=tiny_network()).write(run_dir)
    assert not (run_dir / "replay.html").exists()  # sim's, of the old run
    left = sorted(p.name for p in (run_dir / "plots").iterdir())
    assert left == ["briefing.png", "my_annotated_map.png"]
    assert {name: (run_dir / name).read_bytes() for name in kept} == kept
    capsys.readouterr()


def test_plot_beside_a_users_file_names_only_that_file(
    run_dir: Path, tmp_path: Path, capsys
) -> None:
    assert main(["plot", str(run_dir)]) == 0
    (run_dir / "plots" / "mine.txt").write_text("my notes on the map")
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(["plot", str(run_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "('mine.txt')" in err[0] and "--force" in err[0], err
    assert snapshot(tmp_path) == before
    assert main(["plot", str(run_dir), "--force"]) == 0
    assert (run_dir / "plots" / "mine.txt").read_text() == "my notes on the map"
    assert all(is_sim_file(run_dir / "plots" / name) for name in PLOTS)
    # an unmarked figure under a name sim writes is the user's: refused, --force or not
    shutil.copy(_users_files(tmp_path / "u")[".png"], run_dir / "plots" / PLOTS[0])
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(["plot", str(run_dir), "--force"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and repr(PLOTS[0]) in err[0] and "would replace" in err[0], err
    assert snapshot(tmp_path) == before
