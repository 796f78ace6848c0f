"""The built-in scenario scripts: the ``*.toml`` files next to this module."""

from __future__ import annotations

import difflib
from pathlib import Path

from sim.errors import ScenarioError

BUILTIN_DIR = Path(__file__).parent
#: TOML files beside the scripts that are not scripts: the key reference (documentation,
#: loadable by its path as the default scenario; :mod:`sim.scenarios.reference`).
NOT_SCRIPTS = frozenset({"reference"})


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml") if p.stem not in NOT_SCRIPTS)


def builtin_path(name: str) -> Path | None:
    """Path of built-in scenario ``name``, or None when ``name`` is not one."""
    path = BUILTIN_DIR / f"{name}.toml"
    plain = "/" not in name and not name.endswith(".toml") and name not in NOT_SCRIPTS
    return path if plain and path.exists() else None


def scenario_file(name_or_path: str | Path) -> Path:
    """Return the file of a built-in name, or ``name_or_path`` itself (a file).

    Raises
    ------
    ScenarioError
        For a bare name that is no built-in scenario (with the closest one, "did you
        mean") and no file either.
    """
    text = str(name_or_path)
    path = builtin_path(text)
    if path is not None:
        return path
    candidate = Path(text)
    bare = "/" not in text and "\\" not in text and not text.lower().endswith(".toml")
    if bare and not candidate.exists():
        names = builtin_names()
        close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ScenarioError(
            f"no built-in scenario {text!r}; {hint}built-in: {', '.join(names)} "
            "(`sim scenarios` lists them), or give a TOML file"
        )
    return candidate
