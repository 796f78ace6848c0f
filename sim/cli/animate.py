"""``sim animate``: a run folder as an MP4 or GIF animation or an offline HTML replay."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.cli.common import number, say


def _resolution(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT in pixels such as 1280x720, got {text!r}"
        ) from None
    return width, height


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f"expected WEST,SOUTH,EAST,NORTH in degrees such as 105.5,30.2,105.9,30.5, got {text!r}"
        )
    return values  # type: ignore[return-value]


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``animate`` sub-command."""
    anim = commands.add_parser(
        "animate",
        help="render a run folder as an MP4 or GIF animation or an offline HTML replay",
        description="Render a run folder (from `sim run`) as an animation or as one "
        "self-contained HTML page that plays offline: roads, river, border, jurisdictions, "
        "hazards, households by state, teams with trails, supply trucks, shelters filling, "
        "incidents and their response times, border crossings, a clock and running "
        "counters. The network is RUN_DIR/network.npz when present, else the region "
        "named in RUN_DIR/scenario.toml, unless --region is given.",
    )
    anim.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="run folder")
    anim.add_argument(
        "--format",
        dest="fmt",
        default=None,
        metavar="FORMAT",
        help="mp4 (H.264 through the ffmpeg of imageio-ffmpeg), gif (Pillow) or html (one "
        "file, no network access needed); default: the --out file's extension, else mp4",
    )
    anim.add_argument(
        "--speed",
        type=number(0.0, 1e7, "simulated seconds per second"),
        default=None,
        metavar="X",
        help="simulated seconds per second of playback (default: the whole run plays in "
        "60 s, 30 s for a GIF; e.g. 600 = 10 minutes per second)",
    )
    anim.add_argument(
        "--fps",
        type=number(0.0, 60.0, "frames per second"),
        default=None,
        help="frames per second of the MP4 (default 15) or GIF (default 6); the HTML page "
        "draws as fast as the browser",
    )
    anim.add_argument(
        "--resolution",
        type=_resolution,
        default=None,
        metavar="WxH",
        help="frame size in pixels (default 1280x720; 800x450 for a GIF); the HTML page "
        "fills the browser window",
    )
    anim.add_argument(
        "--bbox",
        type=_bbox,
        default=None,
        metavar="W,S,E,N",
        help="map area as west,south,east,north in WGS84 degrees (default: the whole "
        "network); the HTML page opens on it and can be panned and zoomed",
    )
    anim.add_argument(
        "--region",
        default=None,
        metavar="SOURCE",
        help="network to draw on instead of the run folder's (a .npz, .osm, .graphml file "
        "or 'fujiang'); needed when the run folder has no network.npz and its scenario's "
        "region does not rebuild the network it ran on",
    )
    anim.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="output file (RUN_DIR/replay.FORMAT)"
    )
    anim.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    anim.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Render the run folder in the asked format."""
    from sim.engine.progress import progress_wanted
    from sim.replay.outputs import FORMATS, animate

    started = time.perf_counter()
    fmt = args.fmt
    if fmt is None:  # the --out file's extension says it, when it is one of the formats
        suffix = args.out.suffix.lower().lstrip(".") if args.out is not None else ""
        fmt = suffix if suffix in FORMATS else "mp4"
    out = animate(
        args.run_dir,
        fmt=str(fmt).lower(),
        out=args.out,
        speed=args.speed,
        fps=args.fps,
        size_px=args.resolution,
        bbox_lonlat=args.bbox,
        region=args.region,
        progress=progress_wanted(False if args.no_progress else None),  # a bar on a terminal
    )
    size_mb = out.stat().st_size / 1e6
    say(f"wrote {out} ({size_mb:.1f} MB; made in {time.perf_counter() - started:.1f} s)")
    return 0
