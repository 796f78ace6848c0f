"""JSON files the tool writes (summaries, manifests)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def write_json(path: Path, payload: dict) -> None:
    """Write ``payload`` as indented JSON (numpy scalars converted)."""

    def default(obj: object) -> object:
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        raise TypeError(f"not JSON serialisable: {type(obj).__name__}")

    path.write_text(json.dumps(payload, indent=2, default=default, allow_nan=True) + "\n")
