"""The cache folder, read from ``$SIM_CACHE_DIR`` in this one place."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the cache folder.
CACHE_ENV = "SIM_CACHE_DIR"


def cache_dir() -> Path:
    """Return the cache folder: ``$SIM_CACHE_DIR`` or ``~/.cache/border-sim``."""
    root = os.environ.get(CACHE_ENV)
    return Path(root) if root else Path.home() / ".cache" / "border-sim"
