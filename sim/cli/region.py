"""``sim region check|build``: what a region manifest holds, and its compiled file."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.cli.common import say, slow_step

MANIFEST_HELP = (
    "region manifest (TOML): roads = a road file (.osm, .osm.bz2, .osm.pbf, .graphml) or "
    "'place:NAME', and any of jurisdictions, population, shelters, stations, depots, "
    "settlements, wells, river, elevation (files relative to the manifest; see README "
    "'Your own region')"
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``region`` sub-command and its ``check`` and ``build`` actions."""
    region = commands.add_parser(
        "region",
        help="check a region manifest, or compile it once to a .npz every command loads fast",
        description="A region from your own files: a TOML manifest naming the road file and "
        "GIS layers (CSV, GeoJSON, GeoPackage, Shapefile in any CRS; rasters as GeoTIFF). "
        "`check` builds it and reports what it holds and every problem found (nodes dropped "
        "as not strongly connected, persons and stations moved out of them, far snaps, "
        "points outside the region, defaults applied); `build` writes the compiled region "
        "that every --region option and [region] source accept.",
    )
    actions = region.add_subparsers(
        dest="action",
        metavar="ACTION",
        required=True,
        help="check (report what a manifest builds) or build (write the compiled .npz)",
    )
    check = actions.add_parser(
        "check",
        help="build the region and report what it holds and every problem found",
        description="Build the region a manifest describes and print what it holds "
        "(nodes, jurisdictions, residents, places, elevation, river) and every problem "
        "found. Writes nothing. Exit 0 when it builds, 2 (one line) when a file is unusable.",
    )
    check.add_argument("manifest", type=Path, metavar="MANIFEST", help=MANIFEST_HELP)
    _strict(check)
    check.set_defaults(handler=handle_check)
    build = actions.add_parser(
        "build",
        help="compile the region to a .npz file (loads in well under 2 s)",
        description="Build the region a manifest describes, print its report and write it "
        "compiled (.npz; the report's problems and defaults are kept in it and said when "
        "it is loaded).",
    )
    build.add_argument("manifest", type=Path, metavar="MANIFEST", help=MANIFEST_HELP)
    build.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE.npz",
        help="compiled region to write (e.g. county.npz)",
    )
    _strict(build)
    build.set_defaults(handler=handle_build)


def _strict(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse points outside the region (default: leave them out with a count)",
    )


def _build(args: argparse.Namespace):
    from sim.errors import InputError
    from sim.regions.manifest import is_manifest
    from sim.regions.source import region_from_source

    if not is_manifest(args.manifest):
        raise InputError(
            f"{args.manifest}: a region manifest is a .toml file; to compile a road file "
            "alone use `sim network --region FILE --save FILE.npz`"
        )
    with slow_step(f"building region {args.manifest}"):
        return region_from_source(args.manifest, strict=args.strict)


def handle_check(args: argparse.Namespace) -> int:
    """Build the region and print its report."""
    started = time.perf_counter()
    built = _build(args)
    print("\n".join(built.report.lines()))
    say(f"checked {args.manifest} ({time.perf_counter() - started:.1f} s)")
    return 0


def handle_build(args: argparse.Namespace) -> int:
    """Build the region, print its report and write the compiled file."""
    from sim.errors import InputError
    from sim.files.outputs import check_writable_folder

    if args.out.suffix.lower() != ".npz":
        raise InputError(f"--out {args.out}: give a file ending in .npz (the compiled region)")
    if args.out.is_dir():
        raise InputError(f"--out {args.out} is a folder; give a file name ending in .npz")
    check_writable_folder(args.out.parent, option="--out")
    started = time.perf_counter()
    built = _build(args)
    print("\n".join(built.report.lines()))
    built.network.save(args.out)
    say(f"wrote {args.out} ({time.perf_counter() - started:.1f} s)")
    return 0
