"""Experiments: base scenarios x a parameter grid x replications, each run with its own seed.

An experiment file (TOML) planners copy and edit::

    name = "cross_border_linkage"
    description = "The four linkage policies on each hazard"
    scenarios = ["default"]            # built-in names, or TOML paths relative to this file
    replications = 10
    base_seed = 2024
    seeding = "common"                 # the default: one seed per (scenario, replication);
                                       # "per_run": a seed of its own for every run

    [set]                              # settings every run gets
    "region.population_persons" = 100000

    [grid]                             # every combination of these values is a configuration
    "policy.linkage" = ["separate", "notify", "mutual_aid", "joint"]
    "forces.ground.teams" = [6, 8]

    [outputs]
    curves = true                      # keep coverage, evacuation and supply curves per run

    [small]                            # the quick mode (``sim batch --small``, run by the tests)
    replications = 2
    set = { "region.population_persons" = 20000 }
    grid = { "policy.linkage" = ["separate", "joint"] }

Keys are dotted scenario keys (see :mod:`sim.batch.keys`); TOML's own dotted keys
(``policy.linkage = [...]`` unquoted) mean the same. Runs are planned in a fixed order:
scenario, then the grid in file order (the last key varying fastest), then replication.

**Files.** Settings that name files (``region.source``, ``region.stations``,
``region.jurisdictions``) may be relative: to the scenario file for a scenario's own
settings, to the experiment file for ``[set]`` and ``[grid]`` values (a relative path
that does not exist there stays relative to the working folder). Seeds and run ids use
the values as written, so moving the folder moves no seed.

**Small mode.** ``[small]`` may replace ``scenarios`` and ``replications`` and add to
(or replace single keys of) ``[set]`` and ``[grid]``; ``sim batch NAME --small`` runs it
into ``results/<name>-small``.

**Seeds.** A run's seed is drawn from ``numpy.random.SeedSequence([base_seed, h])``, ``h``
a SHA-256 hash of the scenario name and the replication (``seeding = "common"``, the
default: every configuration of a replication sees the same households, draws and
hazards, and the report compares them paired), or of those and the grid values
(``"per_run"``, compared by Welch's test). Common random numbers are the default as the
scripts vary far more between seeds than between policies: the built-in landslide killed
119 to 879 over four seeds, within 16 between ``separate`` and ``joint`` on one seed; a
seed per run put joint 76 points ahead in community coverage, the same seeds paired 20.
Adding a grid value or a replication leaves the seeds of existing runs unchanged.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.keys import ExperimentError, apply_overrides, check_key
from sim.batch.parse import (
    PATH_KEYS,
    canonical,
    check_keys,
    flat,
    grid_values,
    resolve_file,
    scenarios_of,
    text,
    with_files_resolved,
)
from sim.scenarios.load import read_toml
from sim.scenarios.scenario import scenario_from_dict

SEEDINGS = ("per_run", "common")
#: Most replications of one configuration, and most runs of one experiment: a plan is
#: held in memory and every run leaves files, so a typo like 1e9 must not start.
MAX_REPLICATIONS = 10_000
MAX_RUNS = 1_000_000
_TOP_KEYS = ("name", "description", "scenarios", "replications", "base_seed", "seeding", "model")
_TABLE_KEYS = ("set", "grid", "outputs", "small")
_SMALL_KEYS = ("scenarios", "replications", "set", "grid")
_OUTPUT_KEYS = ("curves",)


@dataclass(frozen=True, kw_only=True)
class PlannedRun:
    """One run of a batch: which scenario, which grid values, which replication and seed."""

    index: int
    run_id: str
    scenario: str
    params: dict[str, Any]
    replication: int
    seed: int
    scenario_data: dict = field(repr=False)

    @property
    def config(self) -> tuple:
        """The configuration this run replicates: ``(scenario, grid values...)``."""
        return (self.scenario, *(_hashable(v) for v in self.params.values()))


@dataclass(frozen=True, kw_only=True)
class Experiment:
    """A validated experiment file (in its small mode when ``small``)."""

    name: str
    description: str
    source: str
    scenarios: dict[str, dict] = field(repr=False)  # name -> scenario data (TOML structure)
    scenario_folders: dict[str, Path] = field(repr=False)  # name -> folder of its file
    fixed: dict[str, Any]
    grid: dict[str, tuple]
    replications: int
    base_seed: int
    seeding: str
    curves: bool
    small: bool
    content_hash: str
    model: str | None = None  # ``module:Class`` or an absolute ``file.py:Class``
    settings: dict = field(repr=False)  # the parsed file, for manifests and diffs

    @property
    def configurations(self) -> list[tuple[str, dict[str, Any]]]:
        """Every ``(scenario, grid values)`` in plan order."""
        combos = itertools.product(*self.grid.values())
        values = [dict(zip(self.grid, combo, strict=True)) for combo in combos]
        return [(name, params) for name in self.scenarios for params in values]

    def plan(self) -> list[PlannedRun]:
        """Every run of the experiment, in plan order, each with its resolved scenario."""
        runs = []
        for name, params in self.configurations:
            data = resolve_scenario(self, name, params)
            for replication in range(self.replications):
                runs.append(
                    PlannedRun(
                        index=len(runs),
                        run_id=run_id(name, params, replication),
                        scenario=name,
                        params=params,
                        replication=replication,
                        seed=run_seed(
                            self.base_seed,
                            name,
                            params if self.seeding == "per_run" else {},
                            replication,
                        ),
                        scenario_data=data,
                    )
                )
        return runs


def mode_scenarios(mode: dict) -> list:
    """Return the scenario entries an experiment table names (``["default"]`` if none)."""
    names = mode.get("scenarios")
    if names is None:
        return ["default"]
    return [names] if isinstance(names, str) else list(names) if isinstance(names, list) else []


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else canonical(value)


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def run_seed(base_seed: int, scenario: str, params: dict[str, Any], replication: int) -> int:
    """Return the seed of a run (32-bit), stable under changes to the rest of the grid."""
    digest = _digest([scenario, sorted(params.items()), replication])
    words = [int(digest[i : i + 8], 16) for i in range(0, 32, 8)]
    return int(np.random.SeedSequence([base_seed, *words]).generate_state(1)[0])


def run_id(scenario: str, params: dict[str, Any], replication: int) -> str:
    """Return a stable, file-name-safe run id: ``<scenario>-<hash of grid values>-r<rep>``."""
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", scenario)[:40]
    return f"{slug}-{_digest(sorted(params.items()))[:10]}-r{replication:03d}"


def experiments_dir() -> Path:
    """Return the built-in experiments folder (``experiments/`` of the source tree)."""
    return Path(__file__).resolve().parents[2] / "experiments"


def builtin_experiments() -> list[str]:
    """Names of the built-in experiments."""
    folder = experiments_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def experiment_path(name_or_path: str | Path) -> Path:
    """Return the file of a built-in experiment name, or ``name_or_path`` itself."""
    text = str(name_or_path)
    if "/" not in text and not text.endswith(".toml"):
        path = experiments_dir() / f"{text}.toml"
        if path.exists():
            return path
        names = builtin_experiments()
        close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ExperimentError(
            f"no experiment {text!r}: {hint}give a TOML file or a built-in name "
            f"({', '.join(names) or 'none found'})"
        )
    path = Path(text)
    if not path.is_file():
        raise ExperimentError(f"experiment file not found: {path}")
    return path


def load_experiment(name_or_path: str | Path, *, small: bool = False) -> Experiment:
    """Read, check and resolve an experiment file.

    Parameters
    ----------
    name_or_path
        A built-in experiment name or a TOML path.
    small
        Apply the file's ``[small]`` table (fewer replications, values, residents).

    Raises
    ------
    ExperimentError
        For an unknown key, an empty grid, a bad replication count, a grid value a
        scenario rejects, ... with the file name and the fix. A file with a ``[small]``
        table is checked in both modes whichever is asked for.
    """
    path = experiment_path(name_or_path)
    try:
        data, _ = read_toml(path)
    except ExperimentError:
        raise
    except Exception as exc:  # read_toml words its errors for scenarios
        raise ExperimentError(str(exc).replace("scenario file", "experiment file")) from None
    experiment = _build(path, data, small=small)
    if not small and data.get("small"):
        _build(path, data, small=True)  # a broken [small] table is an error in either mode
    return experiment


def _build(path: Path, data: dict, *, small: bool) -> Experiment:
    try:
        return _build_mode(path, data, small=small)
    except ExperimentError as exc:
        if not small:
            raise
        raise ExperimentError(f"{exc} (small mode: the [small] table applied)") from None


def _build_mode(path: Path, data: dict, *, small: bool) -> Experiment:
    where = str(path)
    check_keys(where, data, (*_TOP_KEYS, *_TABLE_KEYS), "")
    small_table = data.get("small", {})
    if not isinstance(small_table, dict):
        raise ExperimentError(f"{where}: small must be a table, e.g. [small]")
    check_keys(where, small_table, _SMALL_KEYS, "small.")
    if small and not small_table:
        raise ExperimentError(
            f"{where}: --small needs a [small] table in the file (e.g. replications = 2)"
        )
    mode = {**data, **small_table} if small else dict(data)
    if small:
        mode["set"] = {
            **flat(where, "set", data.get("set", {})),
            **flat(where, "small.set", small_table.get("set", {})),
        }
        mode["grid"] = {
            **flat(where, "grid", data.get("grid", {})),
            **flat(where, "small.grid", small_table.get("grid", {})),
        }
    name = text(where, mode, "name", path.stem)
    replications = mode.get("replications", 1)
    if (
        isinstance(replications, bool)
        or not isinstance(replications, int)
        or not 1 <= replications <= MAX_REPLICATIONS
    ):
        raise ExperimentError(
            f"{where}: replications must be a whole number from 1 to {MAX_REPLICATIONS:,}, "
            f"got {replications!r}"
        )
    base_seed = mode.get("base_seed", 0)
    if isinstance(base_seed, bool) or not isinstance(base_seed, int) or not 0 <= base_seed < 2**63:
        raise ExperimentError(
            f"{where}: base_seed must be a whole number from 0 to 2**63 - 1, got {base_seed!r}"
        )
    seeding = mode.get("seeding", "common")
    if seeding not in SEEDINGS:
        raise ExperimentError(
            f"{where}: seeding = {seeding!r} is not valid; use 'per_run' or 'common'"
        )
    outputs = mode.get("outputs", {})
    if not isinstance(outputs, dict):
        raise ExperimentError(f"{where}: outputs must be a table, e.g. [outputs]")
    check_keys(where, outputs, _OUTPUT_KEYS, "outputs.")
    curves = outputs.get("curves", True)
    if not isinstance(curves, bool):
        raise ExperimentError(f"{where}: outputs.curves must be true or false, got {curves!r}")
    fixed = flat(where, "set", mode.get("set", {}))
    grid = grid_values(where, flat(where, "grid", mode.get("grid", {})))
    for key in (*fixed, *grid):
        try:
            check_key(key)
        except ExperimentError as exc:
            table = "set" if key in fixed else "grid"
            raise ExperimentError(f"{where}: [{table}] {exc}") from None
    n_runs = len(mode_scenarios(mode)) * replications
    for values in grid.values():
        n_runs *= len(values)
    if n_runs > MAX_RUNS:
        raise ExperimentError(
            f"{where}: the experiment plans {n_runs:,} runs, more than {MAX_RUNS:,}; use fewer "
            "grid values or replications, or split it into several experiments"
        )
    both = sorted(set(fixed) & set(grid))
    if both:
        raise ExperimentError(f"{where}: {both[0]!r} is in both [set] and [grid]; keep one")
    scenarios, folders = scenarios_of(where, path, mode.get("scenarios"))
    model = _model_of(where, path, mode.get("model"))
    experiment = Experiment(
        name=name,
        description=text(where, mode, "description", ""),
        source=where,
        scenarios=scenarios,
        scenario_folders=folders,
        fixed=fixed,
        grid=grid,
        replications=replications,
        base_seed=base_seed,
        seeding=seeding,
        curves=curves,
        small=small,
        content_hash=_digest({"experiment": data, "small": small, "scenarios": scenarios}),
        settings=data,
        model=model,
    )
    for scenario, params in experiment.configurations:  # every value checked before any run
        resolve_scenario(experiment, scenario, params)
    return experiment


def _model_of(where: str, path: Path, spec: Any) -> str | None:
    """Return the model class spec, importable from any folder, checked by importing it."""
    if spec is None:
        return None
    if not isinstance(spec, str):
        raise ExperimentError(f"{where}: model must be a text 'module:Class', got {spec!r}")
    from sim.engine.plugins import load_model_class, resolve_model_spec

    resolved = resolve_model_spec(spec, relative_to=path.parent)
    try:
        load_model_class(resolved)
    except ExperimentError:
        raise
    except Exception as exc:
        raise ExperimentError(f"{where}: {exc}") from None
    return resolved


def configuration_text(experiment: Experiment, scenario: str, params: dict[str, Any]) -> str:
    """``flood with policy.linkage = 'joint', ...``: a configuration, for messages."""
    shown = ", ".join(f"{k} = {v!r}" for k, v in {**experiment.fixed, **params}.items())
    return f"{scenario} with {shown or 'no changes'}"


def resolve_scenario(experiment: Experiment, scenario: str, params: dict[str, Any]) -> dict:
    """Return the scenario data of one configuration: base, then ``[set]``, then grid values."""
    base = with_files_resolved(
        experiment.scenarios[scenario], experiment.scenario_folders[scenario]
    )
    folder = Path(experiment.source).parent
    overrides = {
        key: resolve_file(value, folder) if key in PATH_KEYS else value
        for key, value in {**experiment.fixed, **params}.items()
    }
    try:
        data = apply_overrides(base, overrides, scenario=scenario)
    except ExperimentError as exc:  # name the experiment file the key came from
        text = str(exc)
        raise ExperimentError(
            text if text.startswith(experiment.source) else f"{experiment.source}: {text}"
        ) from None
    try:
        scenario_from_dict(data, source=configuration_text(experiment, scenario, params))
    except ExperimentError:
        raise
    except Exception as exc:
        raise ExperimentError(f"{experiment.source}: {exc}") from None
    return data
