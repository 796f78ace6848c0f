"""Turn parsed TOML into frozen scenario dataclasses, with errors that name the fix.

The one validation layer of scenarios. The conversion is driven by the dataclasses'
type hints, so every section gets the same checks: unknown keys (with "did you mean"),
wrong types, bad choices, numbers that are not finite. Every section is a :class:`Spec`:
building one, from a file, a dict or directly in Python, checks each number against the
range its field declares (:func:`bounded`: limits with units) and then the class's own
``check()`` for rules between fields. Errors name the file, the key path, the line when
it can be found, the value and what would be valid.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import difflib
import functools
import math
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from sim.errors import ScenarioError

#: Where the section being built comes from (set by :func:`build` around construction).
_BUILDING: contextvars.ContextVar[Where | None] = contextvars.ContextVar("where", default=None)


@dataclasses.dataclass(frozen=True)
class Bounds:
    """The valid range of a number field: ``low <= value`` (``> low`` when ``above``)."""

    low: float | None = None
    high: float | None = None
    above: bool = False
    unit: str = ""

    def text(self) -> str:
        """Return the range in words, e.g. ``> 0 and <= 240 h``."""
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.above else '>='} {show_number(self.low)}")
        if self.high is not None:
            parts.append(f"<= {show_number(self.high)}")
        return " and ".join(parts) + (f" {self.unit}" if self.unit else "")

    def admits(self, value: float) -> bool:
        """Return True when ``value`` lies in the range."""
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high


def bounded(
    default: Any = dataclasses.MISSING,
    *,
    low: float | None = None,
    high: float | None = None,
    above: bool = False,
    unit: str = "",
    default_factory: Any = dataclasses.MISSING,
) -> Any:
    """Return a dataclass field whose number (or each number of a tuple) must be in a range.

    ``None`` values pass (an unset optional setting). ``unit`` is said in the message.
    """
    return dataclasses.field(
        default=default,
        default_factory=default_factory,
        metadata={"bounds": Bounds(low=low, high=high, above=above, unit=unit)},
    )


class Spec:
    """Base of every scenario section: built values are checked, however they are built.

    A dataclass deriving from it fills the keys a table of values by name leaves out
    with their defaults, checks, on construction, every field declared with
    :func:`bounded` and then calls its own ``check(where)`` (rules between fields).
    Errors are :class:`~sim.errors.ScenarioError`; built from a file they name the file,
    key and line, built directly in Python they name the class.
    """

    def __post_init__(self) -> None:
        where = _BUILDING.get()
        if where is None:  # built directly in Python: check the types a file would get
            where = Where(type(self).__name__, "")
            hints = _hints(type(self))
            for f in dataclasses.fields(self):  # type: ignore[arg-type]
                check_type(hints[f.name], getattr(self, f.name), where.child(f.name))
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            _keep_defaults(self, f)
            bounds = f.metadata.get("bounds")
            if bounds is not None:
                check_bounds(where, f.name, getattr(self, f.name), bounds)
        check = getattr(self, "check", None)
        if check is not None:
            check(where)


def _keep_defaults(spec: Spec, f: dataclasses.Field) -> None:
    """Fill a table of values by name that leaves keys out with the defaults of those.

    ``compliance = { immediate = 0.95 }`` keeps the default compliance of the other
    levels (``behaviour.compliance``, ``supply.trucks_per_depot``, ...), in a file or in
    Python alike, as ``reference.toml`` promises for every key left out.
    """
    if f.default_factory is dataclasses.MISSING:
        return
    value = getattr(spec, f.name)
    if not isinstance(value, dict):
        return
    default = f.default_factory()
    if isinstance(default, dict) and default.keys() - value.keys():
        object.__setattr__(spec, f.name, {**default, **value})


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def check_type(hint: Any, value: Any, where: Where) -> None:
    """Raise :class:`ScenarioError` unless ``value`` has the type ``hint`` (for direct building).

    A file's values are converted by :func:`convert`; this is the same rule for a
    section built in Python, so ``Scenario(region={...})`` or
    ``WarningSpec(level="extreme")`` is refused with a message instead of failing later.
    """
    origin = get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in get_args(hint) if a is not type(None)]
        if value is None and len(options) < len(get_args(hint)):
            return
        return check_type(options[0], value, where)
    if origin is Literal:
        if value not in get_args(hint):
            choices = ", ".join(repr(c) for c in get_args(hint))
            raise where.error(f"= {_show(value)} is not valid; use one of {choices}")
        return
    if origin is tuple:
        if not isinstance(value, tuple):
            raise where.error(f"must be a tuple, got {_show(value)}")
        for i, item in enumerate(value):
            check_type(get_args(hint)[0], item, where.child(i))
        return
    if origin is dict:
        if not isinstance(value, dict):
            raise where.error(f"must be a dict, got {_show(value)}")
        for key, item in value.items():
            check_type(get_args(hint)[1], item, where.child(str(key)))
        return
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):
            name = hint.__name__
            raise where.error(
                f"must be a {name}, got {_show(value)}; build it with {name}(...), or give "
                "the whole scenario as a dict to Scenario.from_dict"
            )
        return
    expected = {float: (int, float), int: (int,), bool: (bool,), str: (str,)}.get(hint)
    if expected is None:
        return
    if (isinstance(value, bool) and hint is not bool) or not isinstance(value, expected):
        word = {float: "a number", int: "a whole number", bool: "True or False", str: "text"}
        raise where.error(f"must be {word[hint]}, got {_show(value)}")


def check_bounds(where: Where, name: str, value: Any, bounds: Bounds) -> None:
    """Raise unless ``value`` (a number, or each number of a tuple) is finite and in range."""
    if value is None:
        return
    values = value if isinstance(value, tuple) else (value,)
    for k, item in enumerate(values):
        here = where.child(name).child(k) if isinstance(value, tuple) else where.child(name)
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise here.error(f"must be a number, got {_show(item)}")
        if not math.isfinite(item):
            raise here.error(f"must be a finite number ({bounds.text()}), got {item}")
        if not bounds.admits(item):
            raise here.error(f"must be {bounds.text()}, got {show_number(item)}")


def show_number(value: float) -> str:
    """Write a number as people read it: ``1,000,000``, ``0.25``, ``1e+30``."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"


@contextlib.contextmanager
def _building(where: Where) -> Iterator[None]:
    token = _BUILDING.set(where)
    try:
        yield
    finally:
        _BUILDING.reset(token)


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
        """Line of the last key in the file, when it can be told: the key occurs once.

        Within an entry of an array of tables (``[[warnings]]``, the second one for
        ``warnings[1]``) the key is looked for in that entry only; a key at the start of
        a line is preferred to one inside an inline table (``zone = { radius_km = 3 }``).
        """
        names = [p for p in self.path if isinstance(p, str)]
        if not names or not self.text:
            return None
        start, end = self._entry_span()
        key = re.escape(names[-1])
        for pattern in (rf"^[ \t]*{key}[ \t]*=", rf"[{{,][ \t]*{key}[ \t]*="):
            hits = [m.start() for m in re.finditer(pattern, self.text[start:end], re.MULTILINE)]
            if len(hits) == 1:
                return self.text.count("\n", 0, start + hits[0]) + 1
            if hits:
                return None
        return None

    def _entry_span(self) -> tuple[int, int]:
        """Characters of the innermost ``[[table]]`` entry the path is in (else the file)."""
        start, end = 0, len(self.text)
        for i, part in enumerate(self.path):
            if not isinstance(part, int) or i == 0:
                continue
            table = ".".join(p for p in self.path[:i] if isinstance(p, str))
            header = rf"^[ \t]*\[\[[ \t]*{re.escape(table)}[ \t]*\]\]"
            heads = [m.end() for m in re.finditer(header, self.text, re.MULTILINE)]
            if part >= len(heads):
                return start, end  # an inline array: the whole file is searched
            start = heads[part]
            following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(self.text, start)
            end = following.start() if following else len(self.text)
        return start, end

    def location(self) -> str:
        """``file, line N: key`` (as errors start)."""
        line = self.line()
        place = f"{self.file}, line {line}" if line else self.file
        return f"{place}: {self.key}"

    def error(self, message: str) -> ScenarioError:
        """Return a :class:`ScenarioError` located here."""
        return ScenarioError(f"{self.location()} {message}")


def build(cls: type, data: Any, where: Where, base: Any = None) -> Any:
    """Convert ``data`` (parsed TOML) to an instance of dataclass ``cls``, checking it.

    Keys ``data`` leaves out keep the values of ``base`` (an instance of ``cls``) when
    given, else the class defaults: a table such as ``[forces.ground]`` with one key
    keeps the ground tier's own defaults (it carries 8), not the generic ones (inside a
    table of values by name, see :class:`Spec`).
    """
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
            default = (
                field.default_factory()
                if field.default_factory is not dataclasses.MISSING
                else None
            )
            if dataclasses.is_dataclass(default) and isinstance(data[name], dict):
                values[name] = build(type(default), data[name], where.child(name), default)
            else:
                values[name] = convert(hints[name], data[name], where.child(name))
        elif base is not None:
            values[name] = getattr(base, name)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise where.child(name).error("is required but missing")
    with _building(where):
        instance = cls(**values)
    if not isinstance(instance, Spec):  # a plain dataclass: its check() as before
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
        shorthand = getattr(hint, "SHORTHAND", None)
        if shorthand is not None and isinstance(value, str):  # ``stations = "s.csv"``
            value = {shorthand: value}
        return build(hint, value, where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise where.error(f"must be a number, got {_show(value)}")
        if not math.isfinite(value):
            raise where.error(f"must be a finite number, got {value}")
        return float(value)
    if hint is int:
        if isinstance(value, float) and value.is_integer() and abs(value) <= 2.0**53:
            return int(value)  # 2e5 is a whole number too (exactly); its range is checked next
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


def read_toml(path: str | Path, *, what: str = "scenario file") -> tuple[dict, str]:
    """Read a TOML file; return the parsed table and the text (for line numbers)."""
    from sim.files.readers import FileError
    from sim.files.readers import read_toml as read

    try:
        return read(path, what=what)
    except FileError as exc:
        raise ScenarioError(str(exc)) from None


def check_share(where: Where, name: str, value: float) -> None:
    """Raise if ``value`` is not a share between 0 and 1."""
    if not 0.0 <= value <= 1.0:
        raise where.child(name).error(f"must be a share between 0 and 1, got {value}")
