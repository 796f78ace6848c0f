"""Dotted keys into a scenario: ``policy.linkage``, ``forces.ground.teams``, ``warnings[1].zone``.

An experiment varies scenario settings by dotted key. A key is checked against the
scenario's dataclasses (so a typo is an error with "did you mean" before anything runs)
and applied to the scenario's plain TOML structure, which is then built and validated
again like any scenario file.

Grammar: names separated by dots; a list field takes an index, ``warnings[0]``; a table
field (``behaviour.compliance``, ``supply.trucks_per_depot``) takes any key below it,
``behaviour.compliance.risk``.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import re
import types
import typing
from typing import Any, get_args, get_origin, get_type_hints

from sim.errors import ScenarioError
from sim.scenarios.scenario import Scenario

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")

KeyPath = tuple[str | int, ...]


class ExperimentError(ScenarioError):
    """An experiment file with a wrong key, value or setting (exit code 2 on the command line)."""


def parse_key(key: str) -> KeyPath:
    """Split a dotted key into names and list indices.

    >>> parse_key("warnings[1].zone.radius_km")
    ('warnings', 1, 'zone', 'radius_km')
    """
    path: list[str | int] = []
    for part in key.split("."):
        match = _PART.fullmatch(part)
        if match is None:
            raise ExperimentError(
                f"{key!r} is not a dotted key; write names separated by dots with list "
                "indices in brackets, e.g. policy.linkage or warnings[0].time_min"
            )
        path.append(match.group(1))
        path.extend(int(i) for i in _INDEX.findall(match.group(2)))
    return tuple(path)


def format_key(path: KeyPath) -> str:
    """Inverse of :func:`parse_key`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _unwrap(hint: Any) -> Any:
    if get_origin(hint) in (types.UnionType, typing.Union):
        options = [a for a in get_args(hint) if a is not type(None)]
        return options[0]
    return hint


def _fields(cls: type) -> dict[str, Any]:
    hints = get_type_hints(cls)
    return {f.name: _unwrap(hints[f.name]) for f in dataclasses.fields(cls) if f.init}


def settable_keys(cls: type = Scenario, prefix: str = "") -> list[str]:
    """Every dotted key below dataclass ``cls`` (lists shown as ``name[i]``)."""
    out = []
    for name, hint in _fields(cls).items():
        key = f"{prefix}{name}"
        origin = get_origin(hint)
        if dataclasses.is_dataclass(hint):
            out.extend(settable_keys(hint, key + "."))
        elif origin is tuple and dataclasses.is_dataclass(get_args(hint)[0]):
            out.extend(settable_keys(get_args(hint)[0], key + "[i]."))
        else:
            out.append(key)
    return out


def check_key(key: str) -> KeyPath:
    """Parse ``key`` and check it names a scenario setting; return its path.

    Raises
    ------
    ExperimentError
        Naming the first unknown part, the closest valid name and the valid names there.
    """
    path = parse_key(key)
    hint: Any = Scenario
    for depth, part in enumerate(path):
        here = format_key(path[:depth]) or "the scenario"
        origin = get_origin(hint)
        if dataclasses.is_dataclass(hint):
            fields = _fields(hint)
            if not isinstance(part, str) or part not in fields:
                shown = f"[{part}]" if isinstance(part, int) else repr(part)
                close = difflib.get_close_matches(str(part), fields, n=1, cutoff=0.6)
                hint_text = f"did you mean {close[0]!r}? " if close else ""
                raise ExperimentError(
                    f"{key!r} is not a scenario setting: {shown} is not a key of {here}; "
                    f"{hint_text}valid keys there: {', '.join(fields)}"
                )
            hint = fields[part]
        elif origin is tuple:
            if not isinstance(part, int):
                raise ExperimentError(
                    f"{key!r} is not a scenario setting: {here} is a list; give an index, "
                    f"e.g. {here}[0]"
                )
            hint = _unwrap(get_args(hint)[0])
        elif origin is dict:
            if not isinstance(part, str):
                raise ExperimentError(
                    f"{key!r} is not a scenario setting: {here} is a table, not a list"
                )
            hint = _unwrap(get_args(hint)[1])
        else:
            raise ExperimentError(
                f"{key!r} is not a scenario setting: {here} is a single value with nothing below it"
            )
    return path


def _default_data(cls: type, name: str) -> Any:
    """Return a field's default as plain TOML data (tuples of dataclasses as lists of tables)."""
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    if field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    elif field.default is not dataclasses.MISSING:
        value = field.default
    else:
        return None
    return _plain(value)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items() if v is not None}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def apply_overrides(data: dict, overrides: dict[str, Any], *, scenario: str) -> dict:
    """Return a copy of scenario ``data`` with each dotted key set to its value.

    Missing sections are created; a missing list or table is first filled with the
    field's default, so ``behaviour.channels[0].delay_min`` edits the default channels.

    Raises
    ------
    ExperimentError
        When a list index is beyond the scenario's list.
    """
    out = copy.deepcopy(data)
    for key, value in overrides.items():
        path = check_key(key)
        node: Any = out
        cls: Any = Scenario
        for depth, part in enumerate(path[:-1]):
            nxt = path[depth + 1]
            if isinstance(part, int):
                if part >= len(node):
                    raise _index_error(key, path[:depth], len(node), scenario)
                node = node[part]
                cls = _unwrap(get_args(cls)[0])
                continue
            if part not in node:
                default = _default_data(cls, part) if dataclasses.is_dataclass(cls) else None
                node[part] = (
                    default if default is not None else ([] if isinstance(nxt, int) else {})
                )
            node = node[part]
            cls = _fields(cls)[part] if dataclasses.is_dataclass(cls) else _unwrap(get_args(cls)[1])
        last = path[-1]
        if isinstance(last, int) and last >= len(node):
            raise _index_error(key, path[:-1], len(node), scenario)
        node[last] = copy.deepcopy(value)
    return out


def _index_error(key: str, list_path: KeyPath, length: int, scenario: str) -> ExperimentError:
    name = format_key(list_path)
    if length == 1 and name.endswith("s"):
        name = name[:-1]  # "1 warning"
    valid = f"indices 0..{length - 1}" if length else "no entries to change"
    return ExperimentError(
        f"{key!r}: scenario {scenario!r} has {length} {name} ({valid}); "
        "use an index that exists there"
    )
