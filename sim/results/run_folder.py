"""Read a run folder back: tables, the network it ran on, and checks (for replays and plots).

The network comes from, in this order: the ``region`` argument (any region source
:func:`sim.network.sources.load_network` accepts, e.g. a ``.npz`` file); ``network.npz`` in the
run folder (write it with ``network.save(run_dir / "network.npz")`` for runs on a
network that no region source rebuilds); else the ``[region]`` table of the folder's
``scenario.toml`` (the built-in region is rebuilt from its seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engine.recording import SCHEMA_VERSION, agent_id_ranges
from sim.errors import InputError, SimError
from sim.files.outputs import WRITING_MARK
from sim.files.readers import read_csv, read_json_object, read_parquet, read_toml
from sim.network.compiled import RoadNetwork
from sim.scenarios.hazards import HazardsSpec

#: Files every replayable run folder has.
REQUIRED_FILES = ("summary.json", "events.parquet", "tracks.parquet")
EVENT_COLUMNS = ("time_s", "kind", "agent", "node", "jurisdiction", "incident", "tier", "value")
TRACK_COLUMNS = ("time_s", "agent", "family", "node")
HAZARD_COLUMNS = ("time_s", "hazard", "node", "value")
HAZARDS = ("plume", "flood", "landslide")


@dataclass(frozen=True, kw_only=True, eq=False)
class RunFolder:
    """A run folder's tables and the network it ran on.

    Attributes
    ----------
    path
        The folder.
    summary
        ``summary.json``.
    scenario_name, horizon_s
        What was run and for how long.
    events, tracks
        The event log and track points (sorted by time, and by agent then time).
    shelters
        ``shelters.csv`` (name, node, jurisdiction, capacity_persons, ...).
    hazard_frames
        ``hazard_frames.parquet`` (time_s, hazard, node, value), empty when absent.
    hazard_frame_times_s
        Every time the engine took a hazard frame (see :func:`hazard_frame_times_s`),
        including frames in which a hazard had nothing left and so wrote no row.
    network
        The road network.
    network_source
        Where the network came from, for messages.
    """

    path: Path
    summary: dict
    scenario_name: str
    horizon_s: float
    events: pd.DataFrame
    tracks: pd.DataFrame
    shelters: pd.DataFrame
    hazard_frames: pd.DataFrame
    hazard_frame_times_s: np.ndarray
    network: RoadNetwork
    network_source: str

    @property
    def n_households(self) -> int:
        """Households in the run."""
        return int(self.summary.get("households", 0))

    @property
    def agent_ids(self) -> dict[str, range]:
        """The ``agent`` ids of households, teams and trucks (see ``agent_id_ranges``)."""
        return agent_id_ranges(
            self.n_households,
            int(self.summary.get("teams", 0)),
            int(self.summary.get("trucks", 0)),
        )


def check_run_folder(run_dir: str | Path) -> Path:
    """Return ``run_dir`` as a Path if it holds a run; raise :class:`InputError` if not."""
    path = Path(run_dir)
    if path.is_file():
        raise InputError(f"{path} is a file, not a run folder; give the folder `sim run` wrote")
    if not path.is_dir():
        raise InputError(
            f"{path} is not a run folder (no such folder); make one with `sim run --out {path}`"
        )
    if (path / WRITING_MARK).exists():
        raise InputError(
            f"{path} was being written when sim stopped (killed or crashed) and is not "
            f"complete; run the scenario again with `sim run --out {path}`"
        )
    missing = [name for name in REQUIRED_FILES[:2] if not (path / name).is_file()]
    if missing:
        # a folder holding files of the user's would be refused by `sim run --out` itself
        empty = not any(path.iterdir())
        make = f"`sim run --out {path}`" if empty else "`sim run --out NEW_FOLDER`"
        raise InputError(
            f"{path} is not a run folder: it has no {' or '.join(missing)}; make one with {make}"
        )
    tracks = path / "tracks.parquet"
    if not tracks.is_file():
        raise InputError(
            f"run {path} has no tracks (tracks.parquet is missing); re-run it with a "
            "version of `sim run` that writes tracks"
        )
    return path


def load_run(run_dir: str | Path, *, region: str | Path | None = None) -> RunFolder:
    """Read a run folder and its network; raise :class:`InputError` on anything unusable.

    Parameters
    ----------
    run_dir
        A folder written by ``sim run`` / :meth:`sim.engine.runs.RunResult.write`.
    region
        Region source to replay on instead of the folder's own (see the module docstring).
    """
    path = check_run_folder(run_dir)
    summary = _read_summary(path)
    events = _read_parquet(path / "events.parquet", EVENT_COLUMNS)
    tracks = _read_parquet(path / "tracks.parquet", TRACK_COLUMNS)
    if len(tracks) == 0:
        raise InputError(
            f"run {path} has no tracks (tracks.parquet is empty): nothing moved, so there is "
            "nothing to replay; give the scenario incidents or set outputs.track_households > 0"
        )
    events = events.sort_values("time_s", kind="stable").reset_index(drop=True)
    tracks = tracks.sort_values(["agent", "time_s"], kind="stable").reset_index(drop=True)
    hazard_path = path / "hazard_frames.parquet"
    if hazard_path.is_file():
        frames = _read_parquet(hazard_path, HAZARD_COLUMNS)
        unknown = sorted(set(frames["hazard"].astype(str)) - set(HAZARDS))
        if unknown:
            raise InputError(
                f"{hazard_path}: unknown hazard {unknown[0]!r}; "
                f"expected one of {', '.join(HAZARDS)}"
            )
    else:
        frames = pd.DataFrame({c: [] for c in HAZARD_COLUMNS})
    frames = frames.astype({"time_s": "float64", "hazard": "str", "node": "int64"})
    shelters_path = path / "shelters.csv"
    shelters = (
        read_run_csv(shelters_path, ("name", "node", "capacity_persons"))
        if shelters_path.is_file()
        else pd.DataFrame({"name": [], "node": [], "jurisdiction": [], "capacity_persons": []})
    )
    network, source = load_network_for_run(path, region)
    _check_nodes(path, network, source, events, tracks, frames)
    scenario = _read_scenario(path)
    horizon_s = float(summary.get("horizon_s") or scenario.get("horizon_h", 0.0) * 3600.0)
    if not np.isfinite(horizon_s):
        horizon_s = 0.0
    if not horizon_s > 0:
        horizon_s = float(max(events["time_s"].max(), tracks["time_s"].max(), 0.0))
    spec = scenario.get("hazards", {})
    schedule_s = hazard_frame_times_s(
        step_s=60.0 * float(spec.get("step_min", HazardsSpec.step_min)),
        frame_s=60.0 * float(spec.get("frame_min", HazardsSpec.frame_min)),
        horizon_s=horizon_s,
    )
    recorded_s = frames["time_s"].to_numpy(float)
    return RunFolder(
        path=path,
        summary=summary,
        scenario_name=str(summary.get("scenario", scenario.get("name", path.name))),
        horizon_s=horizon_s,
        events=events,
        tracks=tracks,
        shelters=shelters,
        hazard_frames=frames.sort_values("time_s", kind="stable").reset_index(drop=True),
        hazard_frame_times_s=np.union1d(schedule_s, recorded_s) if recorded_s.size else schedule_s,
        network=network,
        network_source=source,
    )


def hazard_frame_times_s(*, step_s: float, frame_s: float, horizon_s: float) -> np.ndarray:
    """Return the times at which the engine takes hazard frames (:mod:`sim.hazards.engine`).

    Hazards are updated every ``step_s`` from 0; a frame is taken at the first update at
    or after each multiple of ``frame_s`` since the previous frame's due time, and the
    clock stops at the horizon (updates due at the horizon itself do not run). The
    clock's own sums are repeated here so the times match the recorded ones exactly. A
    hazard with nothing left writes no row, so its frame at such a time is empty.

    Parameters
    ----------
    step_s, frame_s
        ``hazards.step_min`` and ``hazards.frame_min`` of the scenario, in seconds.
    horizon_s
        Run length.
    """
    times: list[float] = []
    now_s, due_s = 0.0, 0.0
    while now_s < horizon_s:
        if now_s >= due_s:
            times.append(now_s)
            due_s += frame_s
        now_s += step_s
    return np.array(times, float)


def _fix(path: Path) -> str:
    return f"re-run the scenario with `sim run --out {path}`"


def _read_summary(path: Path) -> dict:
    summary = read_json_object(
        path / "summary.json", what="run summary", keys=("schema_version",), fix=_fix(path)
    )
    version = summary.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"run {path} has schema_version {version!r}; this version of sim reads "
            f"{SCHEMA_VERSION}: re-run the scenario with this version"
        )
    return summary


def _read_parquet(file: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    return read_parquet(file, what="run table", columns=columns, fix=_fix(file.parent))


def read_run_csv(file: Path, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV table of a run folder (``shelters.csv``, the curves)."""
    return read_csv(file, what="run table", columns=columns, fix=_fix(file.parent))


def read_run_table(file: Path, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a Parquet table of a run folder (``incidents.parquet``, ...)."""
    return _read_parquet(file, columns)


def _read_scenario(path: Path) -> dict:
    file = path / "scenario.toml"
    if not file.is_file():
        return {}
    return read_toml(file, what="run scenario", fix=_fix(path))[0]


def load_network_for_run(
    path: str | Path, region: str | Path | None = None
) -> tuple[RoadNetwork, str]:
    """Return the network of a run folder and where it came from (module docstring)."""
    from sim.network.sources import load_network

    path = Path(path)
    if region is not None:
        from sim.regions.source import region_from_source

        built = region_from_source(region)
        network = built.network if built is not None else load_network(region)
        return network, f"--region {region}"
    stored = path / "network.npz"
    if stored.is_file():
        return RoadNetwork.load_compiled(stored), str(stored)
    scenario = _read_scenario(path)
    spec = scenario.get("region")
    if not spec or ("source" not in spec and "roads" not in spec):
        raise InputError(
            f"run {path} has no network.npz and its scenario.toml names no [region] source; "
            "pass --region SOURCE"
        )
    from sim.regions.source import network_from_spec
    from sim.scenarios.load import Where, build
    from sim.scenarios.scenario import RegionSpec

    try:
        where = Where(str(path / "scenario.toml"), "", ("region",))
        network = network_from_spec(build(RegionSpec, spec, where), where=str(path))
    except SimError as exc:
        raise InputError(f"cannot load the region of run {path}: {exc}") from None
    named = spec.get("roads") or spec["source"]
    return network, f"region {named!r} of {path / 'scenario.toml'}"


def _check_nodes(
    path: Path,
    network: RoadNetwork,
    source: str,
    events: pd.DataFrame,
    tracks: pd.DataFrame,
    frames: pd.DataFrame,
) -> None:
    fix = "replay it on the network it ran on (put network.npz in the run folder or pass --region)"
    for name, table in (("events", events), ("tracks", tracks), ("hazard frames", frames)):
        nodes = table["node"].to_numpy(np.int64)
        if nodes.size and (int(nodes.max()) >= network.n_nodes or int(nodes.min()) < -1):
            bad = int(nodes.max()) if int(nodes.max()) >= network.n_nodes else int(nodes.min())
            raise InputError(
                f"run {path}: its {name} name node {bad} but the network from "
                f"{source} has {network.n_nodes} nodes; {fix}"
            )
    if {"x_m", "y_m"} <= set(tracks.columns):
        nodes = tracks["node"].to_numpy(np.int64)
        off_m = np.hypot(
            tracks["x_m"].to_numpy(float) - network.x_m[nodes],
            tracks["y_m"].to_numpy(float) - network.y_m[nodes],
        )
        if off_m.size and float(np.nanmax(off_m)) > 1.0:
            k = int(np.nanargmax(off_m))
            raise InputError(
                f"run {path}: track point {k} is at node {int(nodes[k])}, which lies "
                f"{off_m[k]:.0f} m from that node in the network from {source}; {fix}"
            )
