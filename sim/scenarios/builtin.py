"""The built-in scenario scripts: the ``*.toml`` files next to this module."""

from __future__ import annotations

from pathlib import Path

BUILTIN_DIR = Path(__file__).parent


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def builtin_path(name: str) -> Path | None:
    """Path of built-in scenario ``name``, or None when ``name`` is not one."""
    path = BUILTIN_DIR / f"{name}.toml"
    return path if "/" not in name and not name.endswith(".toml") and path.exists() else None
