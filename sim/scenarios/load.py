"""Turn parsed TOML into frozen scenario dataclasses, with errors that name the fix.

The conversion is driven by the dataclasses' type hints, so every section gets the same
checks: unknown keys (with "did you mean"), wrong types, bad choices, and then each
class's own ``check()`` for ranges. Errors name the file, the key path, the line when it
can be found, the value and what would be valid.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from sim.errors import ScenarioError


class Where:
    """A key path inside a scenario file, used to word errors."""

    def __init__(self, file: str, text: str, path: tuple[str | int, ...] = ()) -> None:
        self.file, self.text, self.path = file, text, path

    def child(self, key: str | int) -> Where:
        """Return the location of ``key`` below this one."""
        return Where(self.file, self.text, (*self.path, key))

    @property
    def key(self) -> str:
        """The dotted key path, e.g. ``incidents[2].persons``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "(top level)"

    def line(self) -> int | None:
        """Line of the last key in the file, when that key occurs exactly once."""
        names = [p for p in self.path if isinstance(p, str)]
        if not names or not self.text:
            return None
        pattern = re.compile(rf"^\s*{re.escape(names[-1])}\s*=", re.MULTILINE)
        hits = [m.start() for m in pattern.finditer(self.text)]
        if len(hits) != 1:
            return None
        return self.text.count("\n", 0, hits[0]) + 1

    def error(self, message: str) -> ScenarioError:
        """Return a :class:`ScenarioError` located here."""
        line = self.line()
        place = f"{self.file}, line {line}" if line else self.file
        return ScenarioError(f"{place}: {self.key} {message}")


def build(cls: type, data: Any, where: Where) -> Any:
    """Convert ``data`` (parsed TOML) to an instance of dataclass ``cls``, checking it."""
    if not isinstance(data, dict):
        raise where.error(f"must be a table of keys, got {_show(data)}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = [k for k in data if k not in fields]
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(fields)}"
        raise where.child(key).error(f"is not a known key; {hint}")
    hints = get_type_hints(cls)
    values = {}
    for name, field in fields.items():
        if name in data:
            values[name] = convert(hints[name], data[name], where.child(name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise where.child(name).error("is required but missing")
    instance = cls(**values)
    check = getattr(instance, "check", None)
    if check is not None:
        check(where)
    return instance


def convert(hint: Any, value: Any, where: Where) -> Any:
    """Convert one TOML value to the type ``hint`` (recursing into containers)."""
    origin = get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in get_args(hint) if a is not type(None)]
        return convert(options[0], value, where)
    if origin is Literal:
        choices = get_args(hint)
        if value not in choices:
            close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
            hint_text = f" (did you mean {close[0]!r}?)" if close else ""
            raise where.error(
                f"= {_show(value)} is not valid{hint_text}; use one of "
                f"{', '.join(repr(c) for c in choices)}"
            )
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise where.error(f"must be a list, got {_show(value)}")
        item = get_args(hint)[0]
        return tuple(convert(item, v, where.child(i)) for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise where.error(f"must be a table, got {_show(value)}")
        _, item = get_args(hint)
        return {str(k): convert(item, v, where.child(str(k))) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise where.error(f"must be a number, got {_show(value)}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(f"must be a whole number, got {_show(value)}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise where.error(f"must be true or false, got {_show(value)}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise where.error(f"must be a text string, got {_show(value)}")
        return value
    raise TypeError(f"scenario field type {hint!r} is not supported")  # a bug, not bad input


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read_toml(path: str | Path) -> tuple[dict, str]:
    """Read a TOML file; return the parsed table and the text (for line numbers)."""
    import tomllib

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"scenario file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read scenario file {path}: {exc}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None


def check_positive(
    where: Where, name: str, value: float | None, *, allow_zero: bool = False
) -> None:
    """Raise if ``value`` is not > 0 (or >= 0 with ``allow_zero``); None passes."""
    if value is None:
        return
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise where.child(name).error(f"must be {bound}, got {value}")


def check_share(where: Where, name: str, value: float) -> None:
    """Raise if ``value`` is not a share between 0 and 1."""
    if not 0.0 <= value <= 1.0:
        raise where.child(name).error(f"must be a share between 0 and 1, got {value}")
