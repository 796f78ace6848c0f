"""What a run folder holds, and how a folder this tool wrote is recognised.

``sim run`` writes :data:`RUN_FILES` (``summary.json`` last: its presence means the
folder is complete); ``sim animate``, ``sim plot`` and the GIS export add
:data:`DERIVED_FILES` later. A folder with ``summary.json`` and ``scenario.toml``, or one
a killed write left marked ``.sim-writing``, is a run folder of this tool: ``sim run``
may replace its files (and removes the derived ones it wrote, which described the old
run: replays and figures carry a mark, :mod:`sim.files.marks`); any other file in it is
left alone.
"""

from __future__ import annotations

from pathlib import Path

from sim.files.outputs import WRITING_MARK

#: Files of a run, in the order they are written (``summary.json`` last).
RUN_FILES: tuple[str, ...] = (
    "scenario.toml",
    "events.parquet",
    "tracks.parquet",
    "incidents.parquet",
    "coverage_curve.csv",
    "evacuation_curve.csv",
    "shelters.csv",
    "hazard_frames.parquet",
    "map.gpkg",
    "summary.json",
)
#: The GeoPackage of a run (:mod:`sim.results.gis`).
MAP_FILE = "map.gpkg"
#: Files other commands write into a run folder; stale once the run is replaced, and
#: then removed if sim wrote them (:func:`sim.files.marks.remove_stale`). A
#: ``network.npz`` the user put there for the replay is theirs and stays.
DERIVED_FILES: tuple[str, ...] = (
    "replay.mp4",
    "replay.gif",
    "replay.html",
    "plots",
)
#: The figures ``sim plot`` writes into a run's ``plots`` folder.
PLOT_FILES: tuple[str, ...] = ("coverage_curves.png", "evacuation_curve.png", "response_map.png")
#: Folders of :data:`DERIVED_FILES` and the names sim writes in them: a stale folder
#: loses only those (when sim wrote them), never another file in it.
DERIVED_FOLDERS: dict[str, tuple[str, ...]] = {"plots": PLOT_FILES}
#: The file written last.
COMPLETE_MARK = "summary.json"
#: Every name a run writes or removes as stale in its folder.
RUN_WRITES: frozenset[str] = frozenset((*RUN_FILES, *DERIVED_FILES))


def is_run_folder(path: Path) -> bool:
    """Return True for a run folder of this tool (complete, or marked as being written)."""
    path = Path(path)
    return ((path / "summary.json").is_file() and (path / "scenario.toml").is_file()) or (
        path / WRITING_MARK
    ).is_file()
