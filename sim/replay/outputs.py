"""Drill replay: a run folder as an MP4 or GIF animation, or an offline HTML page.

>>> from sim.replay.outputs import animate
>>> animate("results/default-separate-seed0", fmt="mp4")       # doctest: +SKIP
PosixPath('results/default-separate-seed0/replay.mp4')

MP4 frames are piped to the ffmpeg binary shipped with ``imageio-ffmpeg`` (H.264,
yuv420p); GIFs are written by Pillow with one palette for the whole clip; the HTML page
is one self-contained file (see :mod:`sim.replay.html`). Every output is written under a
temporary name and renamed, and every option is checked before anything is written.
How the state at a time is rebuilt from the run folder is in :mod:`sim.replay.state`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import InputError
from sim.files.atomic import write_atomic
from sim.files.marks import MP4_METADATA, gif_comment, is_sim_file
from sim.files.outputs import OutputError, check_writable_folder
from sim.plot.style import hex_to_rgb
from sim.replay.build import build_timeline
from sim.replay.state import Timeline
from sim.replay.symbols import replay_colours
from sim.replay.view import FrameOptions
from sim.results.run_folder import RunFolder, check_run_folder, load_run

if TYPE_CHECKING:
    from sim.replay.frames import FrameRenderer

FORMATS = ("mp4", "gif", "html")
#: Per format: frames per second, seconds the whole run lasts, frame size.
DEFAULTS: Mapping[str, tuple[float, float, tuple[int, int]]] = MappingProxyType(
    {
        "mp4": (15.0, 60.0, (1280, 720)),
        "gif": (6.0, 30.0, (800, 450)),
        "html": (30.0, 60.0, (1280, 720)),
    }
)
MAX_FRAMES = 20_000
#: A GIF is assembled in memory (one byte a pixel): at most this many pixels in all.
MAX_GIF_PIXELS = 400_000_000


@dataclass(frozen=True, kw_only=True)
class AnimationOptions:
    """How to render a run; None picks the format's default.

    Attributes
    ----------
    fmt
        ``"mp4"``, ``"gif"`` or ``"html"``.
    speed
        Simulated seconds per second of playback (default: the run lasts 60 s, 30 s
        for a GIF).
    fps
        Frames per second (MP4 15, GIF 6; the HTML page draws as fast as the browser
        and ignores it).
    size_px
        ``(width, height)`` of video frames (MP4 1280 x 720, GIF 800 x 450; the HTML
        page fills the browser window and ignores it).
    bbox_lonlat
        ``(west, south, east, north)`` in WGS84 degrees; None = the whole network.
    progress
        Show a progress bar on stderr.
    """

    fmt: str
    speed: float | None = None
    fps: float | None = None
    size_px: tuple[int, int] | None = None
    bbox_lonlat: tuple[float, float, float, float] | None = None
    progress: bool = False

    def check(self) -> None:
        """Raise :class:`InputError` for an unknown format or an out-of-range value."""
        if self.fmt not in FORMATS:
            raise InputError(f"unknown format {self.fmt!r}; use one of {', '.join(FORMATS)}")
        if self.speed is not None and not (np.isfinite(self.speed) and self.speed > 0):
            raise InputError(f"--speed must be > 0 simulated seconds per second, got {self.speed}")
        if self.fps is not None and not (0 < self.fps <= 60):
            raise InputError(f"--fps must be in (0, 60], got {self.fps}")
        if self.size_px is not None:
            width, height = self.size_px
            if not (64 <= width <= 3840 and 64 <= height <= 2160):
                raise InputError(
                    f"--resolution must be between 64x64 and 3840x2160, got {width}x{height}"
                )
            if self.fmt == "mp4" and (width % 2 or height % 2):
                raise InputError(
                    f"--resolution must be even for MP4 (H.264 4:2:0), got {width}x{height}"
                )
        if self.bbox_lonlat is not None:
            west, south, east, north = self.bbox_lonlat
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                raise InputError(
                    "--bbox must be WEST,SOUTH,EAST,NORTH in degrees with west < east and "
                    f"south < north, got {','.join(f'{v:g}' for v in self.bbox_lonlat)}"
                )

    def resolved(self, horizon_s: float) -> tuple[float, float, tuple[int, int]]:
        """Return ``(speed, fps, size_px)`` with the format's defaults filled in."""
        fps, duration_s, size = DEFAULTS[self.fmt]
        speed = self.speed if self.speed is not None else max(horizon_s, 1.0) / duration_s
        return speed, self.fps or fps, self.size_px or size


def default_output(run_dir: str | Path, fmt: str) -> Path:
    """``RUN_DIR/replay.<fmt>``."""
    return Path(run_dir) / f"replay.{fmt}"


def frame_times_s(horizon_s: float, *, speed: float, fps: float) -> np.ndarray:
    """Return the frame times: every ``speed / fps`` simulated seconds, and the horizon."""
    step = speed / fps
    times = np.arange(0.0, horizon_s, step)
    return np.append(times, horizon_s) if times.size == 0 or times[-1] < horizon_s else times


def bbox_metres(run: RunFolder, bbox_lonlat: tuple[float, float, float, float]) -> tuple:
    """Project a WGS84 box to the network's metres; raise if it misses the network."""
    west, south, east, north = bbox_lonlat
    x, y = run.network.to_projected(
        np.array([west, east, west, east]), np.array([south, south, north, north])
    )
    box = (float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y)))
    net = run.network
    inside = (net.x_m >= box[0]) & (net.x_m <= box[2]) & (net.y_m >= box[1]) & (net.y_m <= box[3])
    if not inside.any():
        lon, lat = net.to_lonlat(
            np.array([net.x_m.min(), net.x_m.max()]), np.array([net.y_m.min(), net.y_m.max()])
        )
        raise InputError(
            f"--bbox {','.join(f'{v:g}' for v in bbox_lonlat)} holds no node of the network; "
            f"the network spans {lon[0]:.4f},{lat[0]:.4f},{lon[1]:.4f},{lat[1]:.4f}"
        )
    return box


def animate(
    run_dir: str | Path,
    *,
    fmt: str,
    out: str | Path | None = None,
    speed: float | None = None,
    fps: float | None = None,
    size_px: tuple[int, int] | None = None,
    bbox_lonlat: tuple[float, float, float, float] | None = None,
    region: str | Path | None = None,
    progress: bool = False,
) -> Path:
    """Render the run in ``run_dir`` as ``fmt`` and return the file written.

    Parameters
    ----------
    run_dir
        A run folder (``sim run --out DIR``).
    fmt, speed, fps, size_px, bbox_lonlat, progress
        See :class:`AnimationOptions`.
    out
        Output file (default ``RUN_DIR/replay.<fmt>``).
    region
        Region source of the network, overriding the run folder's (see
        :mod:`sim.results.run_folder`).
    """
    options = AnimationOptions(
        fmt=fmt,
        speed=speed,
        fps=fps,
        size_px=size_px,
        bbox_lonlat=bbox_lonlat,
        progress=progress,
    )
    options.check()
    check_run_folder(run_dir)
    named = f"--out {out}" if out is not None else str(default_output(run_dir, fmt))
    out = Path(out) if out is not None else default_output(run_dir, fmt)
    kind = {"mp4": "an MP4", "gif": "a GIF", "html": "an HTML"}[fmt]
    if out.is_dir():
        raise InputError(f"{named} is a folder; give a file name such as replay.{fmt}")
    if out.suffix.lower() != f".{fmt}":
        raise InputError(
            f"{named}: {kind} replay is written as .{fmt}; give a file name such as "
            f"{out.with_suffix(f'.{fmt}').name}"
        )
    check_writable_folder(out.parent)
    if (out.exists() or out.is_symlink()) and not is_sim_file(out):
        raise OutputError(
            f"{named} is a file sim did not write (no replay mark); sim never writes "
            f"over your files: move it or give another file name with --out, such as "
            f"{out.with_name(out.stem + '-2' + out.suffix).name}"
        )
    run = load_run(run_dir, region=region)
    bbox_m = bbox_metres(run, options.bbox_lonlat) if options.bbox_lonlat else None
    speed, fps, size = options.resolved(run.horizon_s)
    times = frame_times_s(run.horizon_s, speed=speed, fps=fps)
    if fmt != "html" and times.size > MAX_FRAMES:
        raise InputError(
            f"{times.size} frames is too many (at most {MAX_FRAMES}); raise --speed or lower --fps"
        )
    if fmt == "gif" and times.size * size[0] * size[1] > MAX_GIF_PIXELS:
        raise InputError(
            f"a GIF of {times.size} frames of {size[0]}x{size[1]} is too large to assemble "
            f"(at most {MAX_GIF_PIXELS:,} pixels in all); raise --speed, lower --fps or "
            "--resolution, or use --format mp4"
        )
    timeline = build_timeline(run)
    if fmt == "html":
        from sim.replay.html import build_html

        html = build_html(timeline, speed=speed, bbox_m=bbox_m)
        return write_atomic(out, lambda p: p.write_text(html, encoding="utf-8"))
    from sim.replay.frames import FrameRenderer

    renderer = FrameRenderer(
        timeline, FrameOptions(width_px=size[0], height_px=size[1], bbox_m=bbox_m)
    )
    if fmt == "mp4":
        return write_atomic(out, lambda p: _write_mp4(p, renderer, times, fps, progress))
    return write_atomic(out, lambda p: _write_gif(p, renderer, times, fps, progress))


def _bar(total: int, enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="frame", desc=desc, disable=not enabled, file=sys.stderr)


def _write_mp4(
    path: Path, renderer: FrameRenderer, times: np.ndarray, fps: float, progress: bool
) -> None:
    import imageio_ffmpeg

    width, height = renderer.options.width_px, renderer.options.height_px
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (width, height),
        fps=fps,
        codec="libx264",
        pix_fmt_in="rgba",
        pix_fmt_out="yuv420p",
        quality=None,
        macro_block_size=1,
        ffmpeg_log_level="error",
        output_params=[
            *("-preset", "veryfast", "-crf", "23", "-movflags", "+faststart"),
            *MP4_METADATA,  # the mark that tells sim's replay from a user's video
            *("-f", "mp4"),
        ],
    )
    writer.send(None)
    try:
        with _bar(times.size, progress, "mp4") as bar:
            for t in times:
                writer.send(renderer.render(float(t)).tobytes())
                bar.update()
    finally:
        writer.close()


def gif_palette(samples: list, *, n_colours: int = 256) -> list[int]:
    """Return a flat RGB palette: every colour of the style exactly, the rest from samples.

    Markers, areas and text keep their exact colours in the GIF (so the legend matches);
    the remaining entries are a median-cut of sample frames (antialiased edges, blends).

    Parameters
    ----------
    samples
        ``PIL.Image`` frames in RGB.
    n_colours
        Palette size (at most 256).
    """
    from PIL import Image

    exact = list(dict.fromkeys(replay_colours()))[:n_colours]
    collage = Image.new("RGB", (samples[0].width, samples[0].height * len(samples)))
    for k, image in enumerate(samples):
        collage.paste(image, (0, k * image.height))
    rest = collage.quantize(colors=n_colours - len(exact), method=Image.Quantize.MEDIANCUT)
    flat = [value for colour in exact for value in hex_to_rgb(colour)]
    flat += rest.getpalette()[: 3 * (n_colours - len(exact))]
    return flat + [0] * (3 * 256 - len(flat))


def _write_gif(
    path: Path, renderer: FrameRenderer, times: np.ndarray, fps: float, progress: bool
) -> None:
    from PIL import Image

    def rgb(t: float) -> Image.Image:
        return Image.fromarray(np.array(renderer.render(t)[..., :3]))

    palette = Image.new("P", (1, 1))
    palette.putpalette(gif_palette([rgb(float(t)) for t in times[[0, times.size // 2, -1]]]))
    frames = []
    with _bar(times.size, progress, "gif") as bar:
        for t in times:
            frames.append(rgb(float(t)).quantize(palette=palette, dither=Image.Dither.NONE))
            bar.update()
    frames[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=round(1000.0 / fps),
        loop=0,
        comment=gif_comment(),  # the mark that tells sim's replay from a user's image
    )


def load_timeline(run_dir: str | Path, *, region: str | Path | None = None) -> Timeline:
    """Read a run folder and precompute its timeline (for scripts and notebooks)."""
    return build_timeline(load_run(run_dir, region=region))
