"""Every scenario key with its unit, range and default: ``sim/scenarios/reference.toml``.

The file is generated from the scenario dataclasses (:class:`sim.scenarios.scenario.Scenario`
and the sections it holds), so it cannot drift from them: a test fails when the committed
file differs from what this module writes. After adding or changing a scenario key,
regenerate it with::

    python -m sim.scenarios.reference

Sections that are present by default are written as TOML (loading the file gives the
default scenario, named "reference"); optional sections (the hazards) and lists of
items (warnings, incidents, closures) are written commented out, with every key.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
import types
import typing
from pathlib import Path

from sim.scenarios.load import Bounds
from sim.scenarios.scenario import Scenario

#: The scenario the file describes: every default (``sim scenarios`` lists it by this).
_REFERENCE = Scenario(
    name="reference",
    description="every scenario key at its default, with units and ranges (read the file)",
)
#: Where the reference is committed.
REFERENCE_PATH = Path(__file__).with_name("reference.toml")

_HEADER = """\
# Every scenario key, with its unit, its valid range and its default.
#
# GENERATED from the scenario dataclasses in sim/scenarios/*.py: do not edit by hand;
# regenerate with `python -m sim.scenarios.reference` after changing a scenario key
# (tests/test_readme.py fails while this file is out of date).
#
# Copy the sections you need into your own scenario file; a key left out takes the
# default shown here. Times in scenario files are minutes unless the name says
# otherwise (_s seconds, _h hours). Sections and items marked "optional" are commented
# out: remove the leading "# " to use them. Loading this file as it is gives the
# default scenario.
"""


def reference_toml() -> str:
    """Return the text of ``reference.toml`` for the scenario dataclasses as they are now."""
    lines = [_HEADER]
    lines += _section(Scenario, path=(), commented=False, instance=_REFERENCE)
    return "\n".join(lines).rstrip() + "\n"


def _hints(cls: type) -> dict[str, object]:
    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, vars(module))


def _spec_class(tp: object) -> tuple[type | None, bool, bool]:
    """``(dataclass, optional, many)`` of a field type naming a section, else None."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        return tp, False, False  # type: ignore[return-value]
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and dataclasses.is_dataclass(inner[0]):
            return inner[0], True, False  # type: ignore[return-value]
    if origin is tuple and args and dataclasses.is_dataclass(args[0]):
        return args[0], False, True  # type: ignore[return-value]
    return None, False, False


def _default(f: dataclasses.Field) -> object:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _section(
    cls: type, *, path: tuple[str, ...], commented: bool, instance: object = None
) -> list[str]:
    """Lines of one table: its scalar keys, then its sub-tables, then its arrays of tables.

    Values come from ``instance`` (the default of the field holding this table, which
    may differ from the class defaults: the ground tier's ``carry_persons``), else from
    the class's field defaults.
    """
    hints = _hints(cls)
    fields = dataclasses.fields(cls)
    scalars, tables, arrays = [], [], []
    for f in fields:
        spec, optional, many = _spec_class(hints[f.name])
        if spec is None:
            scalars.append(f)
        elif many:
            arrays.append((f, spec))
        else:
            tables.append((f, spec, optional))
    prefix = "# " if commented else ""
    out: list[str] = []

    def value(f: dataclasses.Field) -> object:
        return _default(f) if instance is None else getattr(instance, f.name)

    for f in scalars:
        out += _key_lines(f, hints[f.name], prefix, value(f))
    for f, spec, optional in tables:
        name = ".".join((*path, f.name))
        out.append("")
        inner = "# " if (commented or optional) else ""
        out.append(f"{inner}[{name}]" + ("  # optional: remove the '# ' to use it" * optional))
        out += _doc_lines(spec, inner)
        out += _section(
            spec, path=(*path, f.name), commented=commented or optional, instance=value(f)
        )
    for f, spec in arrays:
        name = ".".join((*path, f.name))
        default = value(f)
        items = list(default) if default not in (dataclasses.MISSING, None) else []
        if items:
            for item in items:
                out.append("")
                out.append(f"{prefix}[[{name}]]  # default item (a list: give every item)")
                out += _item_lines(spec, item, prefix)
        else:
            out.append("")
            need = "required" if default is dataclasses.MISSING else "optional"
            out.append(f"# [[{name}]]  # {need}, one table per item; none by default")
            out += _doc_lines(spec, "# ")
            out += _section(spec, path=(*path, f.name), commented=True)
    return out


def _doc_lines(cls: type, prefix: str) -> list[str]:
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    words = " ".join(doc.split())
    return [f"{prefix}# {words}"] if words else []


def _item_lines(cls: type, item: object, prefix: str) -> list[str]:
    """Return the keys of one default item of an array of tables, with their comments."""
    hints = _hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        out += _key_lines(f, hints[f.name], prefix, getattr(item, f.name))
    return out


def _key_lines(f: dataclasses.Field, tp: object, prefix: str, value: object) -> list[str]:
    comment = _describe(f, tp)
    if value is dataclasses.MISSING:
        return [f"# {f.name} = ...  # required; {comment}".rstrip("; ")]
    if value is None:
        return [f"# {f.name} =  # unset by default; {comment}".rstrip("; ")]
    line = f"{prefix}{f.name} = {toml_value(value)}"
    return [f"{line}  # {comment}" if comment else line]


def _describe(f: dataclasses.Field, tp: object) -> str:
    parts = []
    bounds: Bounds | None = f.metadata.get("bounds")
    if bounds is not None:
        if bounds.unit:
            parts.append(bounds.unit)
        span = bounds.text() if hasattr(bounds, "text") else ""
        if span:
            parts.append(span)
    choices = _choices(tp)
    if choices:
        parts.append("one of " + ", ".join(repr(c).replace("'", '"') for c in choices))
    return "; ".join(parts)


def _choices(tp: object) -> tuple:
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return typing.get_args(tp)
    for arg in typing.get_args(tp):
        found = _choices(arg)
        if found:
            return found
    return ()


def _key(name: str) -> str:
    """Write ``name`` as a TOML key: bare when it may be, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else '"' + name.replace('"', '\\"') + '"'


def toml_value(value: object) -> str:
    """Return ``value`` written as a TOML value (inline tables for mappings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if dataclasses.is_dataclass(value):
        return toml_value(
            {f.name: getattr(value, f.name) for f in dataclasses.fields(value)
             if getattr(value, f.name) is not None}
        )  # fmt: skip
    raise TypeError(f"no TOML form for {value!r}")


def main() -> None:
    """Write :data:`REFERENCE_PATH`."""
    REFERENCE_PATH.write_text(reference_toml(), encoding="utf-8")
    print(f"wrote {REFERENCE_PATH}")


if __name__ == "__main__":
    main()
