"""Survival while waiting for rescue: the chance a person is alive when a team gets them out.

Each incident kind has a survival curve ``S(t)``, the share alive ``t`` after the
incident was reported, piecewise linear between the tabulated points and flat after the
last. A team that gets a person out draws their fate from ``S(wait)``; persons still
waiting at the horizon draw from ``S(horizon - report)`` (died waiting, or still
waiting). Kinds not listed survive (people who are safe but cannot leave).

Sources of the curves (adapted; the tables say where they come from):

``buried``
    Complete burial under debris: the avalanche burial survival curve (Haegeli et al.
    2011, *CMAJ* 183(7): 789–795; Brugger et al. 2001, *Resuscitation* 51: 7–15):
    91 % at 18 min, 34 % at 35 min (asphyxia), 7 % at 130 min.
``trapped``
    Trapped in a collapsed building: survival by time of rescue after the Tangshan
    earthquake as summarised by Macintyre et al. 2006 (*Prehospital and Disaster
    Medicine* 21(3): 162–166): 99.3 % when rescued within 30 min, 81 % on day 1,
    36.7 % on day 2, 33.7 % on day 3, 19 % on day 4, 7.4 % on day 5.
``injured``
    10 % of the injured are critically injured (an assumption) and each 3 min of delay
    costs about 1 % of them (Clarke et al. 2002, *Journal of Trauma* 52(3): 420–425), so
    the share alive falls linearly to 90 % at 300 min: a planning figure, not triage.
``flood_stranded``
    People cut off at home by water deeper than they can wade: Jonkman (2007, PhD thesis,
    TU Delft) finds about 1 % of those exposed to deep slow-rising floods die; spread
    over the first 12 h of waiting here (an assumption).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

_MIN = 60.0
_HOUR = 3600.0

#: ``kind -> (times_s, share alive)``: piecewise-linear survival since the report.
SURVIVAL: Mapping[str, tuple[tuple[float, ...], tuple[float, ...]]] = MappingProxyType(
    {
        "buried": (
            (0.0, 18 * _MIN, 35 * _MIN, 130 * _MIN),
            (1.0, 0.91, 0.34, 0.07),
        ),
        "trapped": (
            (0.0, 30 * _MIN, 24 * _HOUR, 48 * _HOUR, 72 * _HOUR, 96 * _HOUR, 120 * _HOUR),
            (1.0, 0.993, 0.81, 0.367, 0.337, 0.19, 0.074),
        ),
        "injured": ((0.0, 300 * _MIN), (1.0, 0.90)),
        "flood_stranded": ((0.0, 12 * _HOUR), (1.0, 0.99)),
    }
)


def survival(kind: str, wait_s: np.ndarray | float) -> np.ndarray:
    """Share of persons of ``kind`` alive ``wait_s`` after the report (1 for unlisted kinds)."""
    wait = np.maximum(np.asarray(wait_s, dtype=np.float64), 0.0)
    curve = SURVIVAL.get(kind)
    if curve is None:
        return np.ones_like(wait)
    times, alive = curve
    return np.interp(wait, times, alive)


def death_after_s(kind: str, share_alive: float) -> float:
    """Time after the report when the share alive of ``kind`` falls to ``share_alive`` (s).

    The inverse of :func:`survival` on its tabulated span: a person whose uniform draw
    ``u`` is at least ``survival(kind, t)`` is dead by ``t``, and died at
    ``death_after_s(kind, u)`` (inverse transform sampling, the same draw). Kinds with
    no curve never die by waiting: 0.
    """
    curve = SURVIVAL.get(kind)
    if curve is None:
        return 0.0
    times, alive = curve
    return float(np.interp(share_alive, alive[::-1], times[::-1]))
