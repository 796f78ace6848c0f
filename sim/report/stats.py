"""Statistics of a batch report: intervals across seeds, differences, replications needed.

All intervals are two-sided Student-t intervals at 95 % over replications (runs with
different seeds), NaN values (a tier no incident needed) left out, computed by
``scipy.stats``: ``t.interval`` around the mean for one configuration, the confidence
interval of ``ttest_ind(equal_var=False)`` (Welch) or ``ttest_rel`` (paired) for a
difference between two.

A difference between two configurations "exceeds the noise" when the 95 % interval of
the difference excludes 0, equivalently when the two-sided t-test gives p < 0.05:
Welch's unequal-variance t-test for independent seeds (``seeding = "per_run"``), the
paired t-test over replications for common seeds (``seeding = "common"``). When neither
side varies across seeds (a deterministic metric) the t-test is undefined; then any
non-zero difference exceeds the noise (p = 0) and a zero difference does not (p = 1).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats

LEVEL = 0.95
#: Fewest replications that get an interval. With 2 seeds the 95 % Student-t quantile is
#: 12.7 (one degree of freedom): the interval is honest but spans most of what the
#: quantity can take, so the report says that more seeds are needed instead.
MIN_REPLICATIONS = 3


def _finite(values: np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)]


def mean_interval(values: np.ndarray) -> tuple[float, float, int, float]:
    """Return ``(mean, half_width, n, sd)`` of the finite values.

    The half-width is that of the 95 % Student-t interval of the mean; NaN when n is
    below :data:`MIN_REPLICATIONS` (two equal values do not show that there is no
    spread), 0 when three or more values are all the same.
    """
    x = _finite(values)
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), 0, float("nan")
    mean = float(x.mean())
    if n < 2:
        return mean, float("nan"), n, float("nan")
    same = np.ptp(x) == 0.0  # every value the same: no spread (the sd may carry rounding)
    sd = 0.0 if same else float(x.std(ddof=1))
    if n < MIN_REPLICATIONS:
        return mean, float("nan"), n, sd
    if same:
        return mean, 0.0, n, 0.0
    low, high = stats.t.interval(LEVEL, n - 1, loc=mean, scale=stats.sem(x))
    return mean, float(high - low) / 2.0, n, sd


def band(
    mean: np.ndarray,
    sd: np.ndarray,
    n: np.ndarray,
    *,
    bounds: tuple[float, float] = (-np.inf, np.inf),
) -> tuple[np.ndarray, np.ndarray]:
    """Return the 95 % Student-t interval ``(low, high)`` of means, element-wise.

    Parameters
    ----------
    mean, sd, n
        Mean, sample standard deviation (``ddof=1``) and count of each group.
    bounds
        What the quantity can take (``(0, 1)`` for a share, ``(0, inf)`` for a count):
        the interval is cut to it.

    Returns
    -------
    tuple of ndarray
        NaN where n < :data:`MIN_REPLICATIONS` (and sd > 0); equal to the mean where sd
        is 0.
    """
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    flat = (n >= 2) & ~(sd > 0)
    ok = (n >= MIN_REPLICATIONS) & (sd > 0)
    low = np.where(flat, mean, np.nan)
    high = low.copy()
    if ok.any():
        lo, hi = stats.t.interval(LEVEL, n[ok] - 1, loc=mean[ok], scale=sd[ok] / np.sqrt(n[ok]))
        low[ok], high[ok] = lo, hi
    return np.clip(low, *bounds), np.clip(high, *bounds)


def difference(
    baseline: np.ndarray, other: np.ndarray, *, paired: bool
) -> dict[str, float | int | str]:
    """Mean of ``other`` minus mean of ``baseline`` with its 95 % interval and p-value.

    Parameters
    ----------
    baseline, other
        Per-replication values; with ``paired`` both in replication order and the same
        length (pairs with a NaN on either side are dropped).
    paired
        Paired t-test (common seeds) instead of Welch's test.

    Returns
    -------
    dict
        ``diff, low, high, p_value, n_baseline, n_other, method``.
    """
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(other, dtype=float)
    if paired:
        keep = np.isfinite(a) & np.isfinite(b)
        a, b = a[keep], b[keep]
        out: dict[str, float | int | str] = {
            "n_baseline": int(a.size),
            "n_other": int(b.size),
            "method": "paired t",
        }
        spread = float(np.ptp(b - a)) if a.size else 0.0
    else:
        a, b = _finite(a), _finite(b)
        out = {"n_baseline": int(a.size), "n_other": int(b.size), "method": "Welch t"}
        spread = float(np.ptp(a)) + float(np.ptp(b)) if a.size and b.size else 0.0
    if a.size == 0 or b.size == 0:
        return {**out, **_undefined(float("nan"))}
    diff = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return {**out, **_undefined(diff)}
    if min(a.size, b.size) < MIN_REPLICATIONS:
        return {**out, **_undefined(diff)}  # an interval on one degree of freedom says nothing
    if spread == 0.0:  # no variation across seeds: the t statistic is undefined
        p = 1.0 if diff == 0.0 else 0.0
        return {**out, "diff": diff, "low": diff, "high": diff, "p_value": p}
    with warnings.catch_warnings():
        # near-identical values: scipy warns of precision loss and still answers
        warnings.filterwarnings("ignore", message="Precision loss", category=RuntimeWarning)
        test = stats.ttest_rel(b, a) if paired else stats.ttest_ind(b, a, equal_var=False)
        interval = test.confidence_interval(LEVEL)
    return {
        **out,
        "diff": diff,
        "low": float(interval.low),
        "high": float(interval.high),
        "p_value": float(test.pvalue),
    }


def _undefined(diff: float) -> dict[str, float]:
    nan = float("nan")
    return {"diff": diff, "low": nan, "high": nan, "p_value": nan}


def exceeds_noise(result: dict) -> bool | None:
    """Whether the difference's 95 % interval excludes 0 (None when it is undefined)."""
    p = result["p_value"]
    if not np.isfinite(p):
        return None
    return bool(p < 1.0 - LEVEL)


def replications_needed(sd: float, max_half_width: float, *, n_max: int = 100_000) -> int:
    """Return the smallest n >= 2 whose 95 % half-width ``t(n-1) · sd / sqrt(n)`` is within target.

    Uses the observed standard deviation as if it were exact (a planning figure); the
    t quantile is ``scipy.stats.t.ppf``. Capped at ``n_max``.
    """
    if not np.isfinite(sd) or sd <= 0.0:
        return 2
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    n = max(2, math.ceil((z * sd / max_half_width) ** 2))  # normal guess, then walk up
    while n < n_max and stats.t.ppf(0.5 + LEVEL / 2, n - 1) * sd / math.sqrt(n) > max_half_width:
        n += 1
    return n
