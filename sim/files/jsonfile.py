"""JSON files the tool writes (summaries, manifests): strict JSON any reader accepts.

``NaN`` and ``Infinity`` are not JSON (a browser's ``JSON.parse`` and most non-Python
readers refuse them), so they are written as ``null``. What ``null`` means is said where
each file's fields are described: in ``summary.json`` a share of nothing (coverage of a
tier no incident needed), a time that never came (clearance not reached by the horizon,
a side the hazard never reached) or a figure beyond the horizon.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np


def strict(value: Any) -> Any:
    """Return ``value`` with numpy types made plain and non-finite floats made ``None``."""
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    if isinstance(value, np.ndarray):
        return [strict(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, payload: dict) -> None:
    """Write ``payload`` as indented, strict JSON (see the module docstring)."""
    text = json.dumps(strict(payload), indent=2, allow_nan=False, default=str)
    Path(path).write_text(text + "\n")
