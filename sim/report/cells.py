"""How the report writes a mean with its interval, inside what the quantity can take.

A share is written in percent and its interval cut to 0..100 %; counts and minutes are
never below 0. With fewer than :data:`sim.report.stats.MIN_REPLICATIONS` seeds there is
no interval: the cell says how many seeds it has, and the report says that more are
needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.report.stats import MIN_REPLICATIONS

#: Mark of a cell whose interval needs more seeds (explained under each table).
FEW_SEEDS_MARK = "†"


def interval_text(
    mean: float,
    half: float,
    n: int,
    *,
    scale: float = 1.0,
    digits: int = 1,
    bounds: tuple[float, float] = (0.0, np.inf),
) -> str:
    """Return ``mean ± half``, ``mean [low, high]`` when cut by ``bounds``, or ``mean (n=2) †``.

    ``bounds`` are in the quantity's own unit (before ``scale``).
    """
    if n == 0 or not np.isfinite(mean):
        return "n/a"
    shown = f"{mean * scale:,.{digits}f}"
    if not np.isfinite(half):
        mark = f" {FEW_SEEDS_MARK}" if n < MIN_REPLICATIONS else ""
        return f"{shown} (n={n}){mark}"
    low, high = mean - half, mean + half
    if low >= bounds[0] and high <= bounds[1]:
        return f"{shown} ± {half * scale:,.{digits}f}"
    low, high = max(low, bounds[0]), min(high, bounds[1])
    return f"{shown} [{low * scale:,.{digits}f}, {high * scale:,.{digits}f}]"


def share_text(mean: float, half: float, n: int) -> str:
    """Return a share as percent with its interval within 0..100 %."""
    return interval_text(mean, half, n, scale=100.0, bounds=(0.0, 1.0))


def value_text(mean: float, half: float, n: int, infinite: int, scale: float, unit: str) -> str:
    """Return a count, a time or a share of an evacuation or supply metric (never below 0)."""
    if n == 0 and not infinite:
        return "n/a"
    if infinite:
        return f"not reached in {infinite} of {n + infinite}"
    digits = 0 if unit in ("persons", "min") else 1
    bounds = (0.0, 1.0) if unit == "%" else (0.0, np.inf)
    return interval_text(mean, half, n, scale=scale, digits=digits, bounds=bounds)


def diff_text(row: pd.Series, scale: float, digits: int = 1) -> str:
    """Return a difference, its interval ``[low, high]``, and ``*`` when it exceeds the noise."""
    if not np.isfinite(row["diff"]):
        return "n/a"
    text = f"{row['diff'] * scale:+,.{digits}f}"
    if np.isfinite(row["low"]):
        text += f" [{row['low'] * scale:+,.{digits}f}, {row['high'] * scale:+,.{digits}f}]"
    elif (n := min(row.get("n_baseline", 0), row.get("n_other", 0))) < MIN_REPLICATIONS:
        # how many runs (pairs) it rests on: a time not reached in a run leaves it out
        text += f" (n={n}) {FEW_SEEDS_MARK}"
    if row["exceeds"] is True:
        text += " *"
    return text


def few_seeds_note(replications: int) -> str:
    """Return the line under a table whose cells carry :data:`FEW_SEEDS_MARK`."""
    return (
        f"{FEW_SEEDS_MARK} {replications} seed{'s' if replications != 1 else ''} per "
        f"configuration: too few for a 95 % interval (with 2 seeds the Student-t factor is "
        f"12.7, so the interval would span most of what the quantity can take). Run at "
        f"least {MIN_REPLICATIONS} replications, better 10 or more, for intervals."
    )
