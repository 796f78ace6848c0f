"""``sim.run``: run a scenario with a seed and collect its results.

>>> import sim
>>> result = sim.run("default", seed=1)           # doctest: +SKIP
>>> result.summary["coverage"]["all"]             # doctest: +SKIP
>>> result.write("results/default-1")             # doctest: +SKIP
"""

from __future__ import annotations

import gc
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from sim.engine import metrics, outcomes
from sim.engine.model import EmergencyModel
from sim.engine.recording import SCHEMA_VERSION
from sim.files.jsonfile import write_json
from sim.files.outputs import write_files
from sim.network.compiled import RoadNetwork
from sim.regions.source import network_from_spec
from sim.results.layout import (
    COMPLETE_MARK,
    DERIVED_FILES,
    DERIVED_FOLDERS,
    MAP_FILE,
    RUN_FILES,
)
from sim.scenarios.scenario import Scenario, load_scenario


@dataclass(frozen=True, kw_only=True, eq=False)
class RunResult:
    """Everything a run produced.

    Attributes
    ----------
    scenario, seed
        What was run.
    summary
        Metrics, counts, seed, versions and ``schema_version`` (what ``summary.json`` holds).
    events
        The event log (see :mod:`sim.engine.recording`).
    tracks
        Sampled positions of tracked agents.
    incidents
        One row per (incident, needed tier) with its response time.
    coverage_curve
        Response coverage for T = 0..120 min by tier and jurisdiction.
    evacuation_curve
        Persons departed and sheltered every 5 minutes.
    shelters
        Capacity, occupants and supply per shelter at the horizon.
    hazard_frames
        Non-zero hazard fields every ``hazards.frame_min`` (time_s, hazard, node, value:
        H2S ppm, flood depth m, 1 inside a slide).
    hazard_work_s
        Seconds spent updating hazards.
    network
        The network the run was on (for ``map.gpkg``); None leaves the map out.
    home_counts
        Residents who left home, reached a shelter and died, persons per home node
        (for ``map.gpkg``; :meth:`sim.agents.households.HouseholdTable.by_home`).
    wall_time_s
        Seconds the run took (kept out of ``summary`` so equal seeds give equal summaries).
    """

    scenario: Scenario
    seed: int
    summary: dict
    events: pd.DataFrame
    tracks: pd.DataFrame
    incidents: pd.DataFrame
    coverage_curve: pd.DataFrame
    evacuation_curve: pd.DataFrame
    shelters: pd.DataFrame
    hazard_frames: pd.DataFrame | None = None
    hazard_work_s: float = 0.0
    wall_time_s: float = float("nan")
    network: RoadNetwork | None = None
    home_counts: dict[str, np.ndarray] | None = None

    def write(self, out_dir: str | Path) -> Path:
        """Write the run folder (files in ``sim.results.layout.RUN_FILES``).

        Each file is written under a temporary name and renamed, ``summary.json`` last
        (:func:`sim.files.outputs.write_files`). An earlier run's files in the folder
        are replaced, and what other commands derived from it (replays, plots) removed;
        anything else in the folder is left alone. Check the folder first with
        :func:`sim.files.outputs.check_output_folder` (``sim run`` does).
        """
        from sim.scenarios.dump import scenario_to_toml

        files = {
            "scenario.toml": lambda p: p.write_text(scenario_to_toml(self.scenario)),
            "events.parquet": lambda p: self.events.to_parquet(p, index=False),
            "tracks.parquet": lambda p: self.tracks.to_parquet(p, index=False),
            "incidents.parquet": lambda p: self.incidents.to_parquet(p, index=False),
            "coverage_curve.csv": lambda p: self.coverage_curve.to_csv(p, index=False),
            "evacuation_curve.csv": lambda p: self.evacuation_curve.to_csv(p, index=False),
            "shelters.csv": lambda p: self.shelters.to_csv(p, index=False),
        }
        if self.hazard_frames is not None and len(self.hazard_frames):
            files["hazard_frames.parquet"] = lambda p: self.hazard_frames.to_parquet(p, index=False)
        if self.network is not None:
            from sim.results.gis import write_run_map

            files[MAP_FILE] = lambda p: write_run_map(
                p,
                self.network,
                events=self.events,
                incidents=self.incidents,
                shelters=self.shelters,
                hazard_frames=self.hazard_frames,
                home_counts=self.home_counts,
            )
        files[COMPLETE_MARK] = lambda p: write_json(p, self.summary)
        return write_files(
            out_dir,
            files,
            last=COMPLETE_MARK,
            replaces=(*RUN_FILES, *DERIVED_FILES),
            folders=DERIVED_FOLDERS,
        )


def run(
    scenario: Scenario | str | Path,
    *,
    seed: int = 0,
    network: RoadNetwork | None = None,
    progress: bool | None = None,
    model_class: type[EmergencyModel] = EmergencyModel,
) -> RunResult:
    """Run ``scenario`` (a Scenario, a built-in name or a TOML path) with ``seed``.

    Parameters
    ----------
    scenario
        The scenario.
    seed
        Run seed; the same scenario and seed give identical results.
    network
        A loaded network to reuse (e.g. across a batch); default loads the scenario's region.
    progress
        Show a progress bar in simulated time on standard error; None (default) shows
        it when standard error is a terminal, so scripts and notebooks logging to a file
        stay quiet.
    model_class
        The model to run: :class:`EmergencyModel` or a researcher's subclass of it.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    started = time.perf_counter()
    if network is None:
        network = network_for(scenario)
    result = _run_once(scenario, network, seed, progress, model_class, started)
    # the model is garbage now, but held in reference cycles (agents and the model,
    # simpy processes and their environment) that only the cyclic collector frees; it
    # counts objects, not the arrays they hold, and let a batch worker grow by some
    # 270 MB per flood run until the kernel killed it at 12 GB: free it now
    gc.collect()
    return result


def _run_once(
    scenario: Scenario,
    network: RoadNetwork,
    seed: int,
    progress: bool | None,
    model_class: type[EmergencyModel],
    started: float,
) -> RunResult:
    """Build, run and collect one model; nothing of it is referenced on return."""
    model = model_class(scenario, network, seed=seed)
    model.run_for(progress=progress)
    result = collect(model, wall_s=time.perf_counter() - started)
    _release(model)
    return result


def _release(model: EmergencyModel) -> None:
    """Let the finished ``model`` be freed: mesa 3.3 keeps every model it ever saw.

    ``mesa.Agent._ids`` maps each model to its id counter in a class-level dict, so a
    process that runs many models (a batch worker) kept every one (mesa issue #3179,
    fixed by mesa PR #3180 after 3.3.1, the latest release). No agent is made for
    ``model`` after its run.
    """
    mesa.Agent._ids.pop(model, None)


def network_for(scenario: Scenario) -> RoadNetwork:
    """Load the scenario's region: its source and every layer ``[region]`` names.

    See :func:`sim.regions.source.network_from_spec` (manifests, road files with
    stations, shelters or population files, residents scaled to ``population_persons``).
    """
    return network_from_spec(scenario.region, where=f"scenario {scenario.name!r}")


def collect(model: EmergencyModel, *, wall_s: float = float("nan")) -> RunResult:
    """Turn a finished model into a :class:`RunResult`.

    The summary is assembled from each subsystem's own ``summary()``: households,
    commands (incidents), shelters, supply and hazards; coverage and evacuation are
    measured from the incidents and the event log (:mod:`sim.engine.metrics`).
    """
    net = model.network
    names = net.jurisdiction_names
    events = model.recorder.events()
    incidents = metrics.incidents_table(model.dispatcher.incidents, names)
    curve = metrics.response_coverage(incidents, names)
    horizon = model.scenario.horizon_s
    summary = {
        "schema_version": SCHEMA_VERSION,
        "scenario": model.scenario.name,
        "seed": model.run_seed,
        "region": net.name,
        "policy": model.scenario.policy.linkage,
        "horizon_s": horizon,
        "coverage": metrics.headline(curve, model.tiers),
        "coverage_persons": metrics.headline(curve, model.tiers, "total_persons"),
        "night_share": model.dispatcher.night_share(),  # of tiers that do not fly at night
        "evacuation": metrics.evacuation(events),
        **model.households.summary(),
        "incidents": model.dispatcher.summary(),
        "shelters": model.shelters.summary(),
        "casualties": outcomes.casualties(model),
        "protective_action": outcomes.protective_action(model),
        "warnings": model.warnings.summary(),
        "linkage": _linkage_summary(model),
        "supply": model.supply.summary(events),
        "teams": len(model.teams),
        "trucks": len(model.supply.trucks),
        "hazards": model.hazards.summary(),
        "events": len(events),
        "versions": _versions(),
    }
    return RunResult(
        hazard_frames=model.hazards.frames_table(),
        hazard_work_s=model.hazards.work_s,
        scenario=model.scenario,
        seed=model.run_seed,
        summary=summary,
        events=events,
        tracks=model.recorder.tracks(net.x_m, net.y_m),
        incidents=incidents,
        coverage_curve=curve,
        evacuation_curve=metrics.evacuation_curve(events, horizon_s=horizon),
        shelters=pd.concat([model.shelters.frame(), model.supply.shelter_columns()], axis=1),
        wall_time_s=wall_s,
        network=net,
        home_counts=model.households.by_home(net.n_nodes),
    )


def _linkage_summary(model: EmergencyModel) -> dict:
    """Per side: what each linkage mechanism did (:mod:`sim.agents.linkage`, ``aid``)."""
    aid = model.aid.summary()
    return {name: {**side, **aid[name]} for name, side in model.linkage.summary().items()}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for package in ("border-sim", "mesa", "simpy", "numpy", "scipy", "networkx", "osmnx"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "unknown"
    return out
