"""The parts of an experiment file: table keys, flattened settings, the grid, scenarios.

Helpers of :func:`sim.batch.experiment.load_experiment`; each raises
:class:`~sim.batch.keys.ExperimentError` naming the file, the key, the value and
what would be valid.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from sim.batch.keys import ExperimentError
from sim.regions.manifest import LAYERS, resolved_data
from sim.scenarios.builtin import builtin_path
from sim.scenarios.load import read_toml

#: Scenario settings that name files (resolved against the file that gives them).
PATH_KEYS = (
    "region.source",
    "region.roads",
    *(f"region.{key}" for key in LAYERS),
    *(f"region.{key}.file" for key in LAYERS),
)


def canonical(value: Any) -> str:
    """Return ``value`` as canonical JSON text (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def resolve_file(value: Any, folder: Path) -> Any:
    """``folder / value`` (absolute) when ``value`` is a relative path that exists there."""
    if not isinstance(value, str) or not value or Path(value).is_absolute():
        return value
    candidate = folder / value
    return str(candidate.resolve()) if candidate.exists() else value


def with_files_resolved(data: dict, folder: Path) -> dict:
    """Return a copy of scenario ``data`` with its file settings resolved against ``folder``."""
    region = data.get("region")
    if not isinstance(region, dict):
        return data
    return {**data, "region": resolved_data(region, folder)}


def check_keys(where: str, table: dict, valid: tuple[str, ...], prefix: str) -> None:
    """Raise for the first key of ``table`` not in ``valid``, with the closest valid one."""
    for key in table:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(valid)}"
            raise ExperimentError(f"{where}: {prefix}{key} is not a known key; {hint}")


def text(where: str, table: dict, key: str, default: str) -> str:
    """Return ``table[key]`` (or ``default``), which must be a text string."""
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ExperimentError(f"{where}: {key} must be a text string, got {value!r}")
    return value


def flat(where: str, name: str, table: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested tables to dotted keys (``{"policy": {"linkage": x}}`` -> ``policy.linkage``).

    A quoted dotted key with a table value (``"behaviour.compliance" = {risk = 0.3}``)
    keeps the table as the value: it replaces that setting whole.
    """
    if not isinstance(table, dict):
        raise ExperimentError(f"{where}: {name} must be a table, e.g. [{name}]")
    out: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and not prefix and "." in key:
            out[full] = value
        elif isinstance(value, dict):
            out.update(flat(where, name, value, f"{full}."))
        else:
            out[full] = value
    return out


def grid_values(where: str, table: dict[str, Any]) -> dict[str, tuple]:
    """Check the flattened ``[grid]``: non-empty lists of distinct values of one kind."""
    if not table:
        raise ExperimentError(
            f"{where}: the grid is empty; give at least one setting with a list of values "
            'under [grid], e.g. "policy.linkage" = ["separate", "joint"]'
        )
    grid = {}
    for key, values in table.items():
        if not isinstance(values, list):
            raise ExperimentError(
                f"{where}: grid {key} must be a list of values, got {values!r}; "
                "put a single fixed value under [set] instead"
            )
        if not values:
            raise ExperimentError(
                f"{where}: grid {key} has no values; give at least one, e.g. {key} = [...]"
            )
        seen = [canonical(v) for v in values]
        if len(set(seen)) != len(seen):
            raise ExperimentError(f"{where}: grid {key} repeats a value: {values!r}")
        kinds = {
            "number" if isinstance(v, int | float) and not isinstance(v, bool) else type(v).__name__
            for v in values
        }
        if len(kinds) > 1:
            raise ExperimentError(
                f"{where}: grid {key} mixes kinds of values ({', '.join(sorted(kinds))}); "
                "give values of one kind"
            )
        grid[key] = tuple(values)
    return grid


def scenarios_of(where: str, path: Path, names: Any) -> tuple[dict[str, dict], dict[str, Path]]:
    """Read the base scenarios; return ``name -> data`` and ``name -> folder of its file``."""
    if names is None:
        names = ["default"]
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        raise ExperimentError(
            f"{where}: scenarios must be a list of built-in names or TOML files, got {names!r}"
        )
    out: dict[str, dict] = {}
    folders: dict[str, Path] = {}
    for entry in names:
        if not isinstance(entry, str):
            raise ExperimentError(f"{where}: scenarios entry {entry!r} must be a text string")
        file = builtin_path(entry) or (path.parent / entry)
        if not file.is_file():
            raise ExperimentError(
                f"{where}: scenario {entry!r} is neither a built-in scenario nor a file "
                f"(looked for {file}); see `sim scenarios`"
            )
        data, _ = read_toml(file)
        data.setdefault("name", file.stem)
        if data["name"] in out:
            raise ExperimentError(
                f"{where}: two scenarios are named {data['name']!r}; give each a distinct name"
            )
        out[str(data["name"])] = data
        folders[str(data["name"])] = file.parent
    return out, folders
