"""Toxic exposure to H2S judged against AEGL thresholds by duration.

People accumulate a toxic load ``L = sum C^n dt`` (ppm^n min) wherever they are. The
AEGL table (US NRC 2010) is reduced to one load per level with ten Berge's exponent
for H2S, ``n = 4.36``, fixed at the 60-minute value: ``L_k = AEGL_k(60 min)^n x 60``.
Constant exposure at AEGL_k(60 min) for 60 minutes reaches level k exactly; other
durations follow the C^n t = constant law, which matches the table within about 10 %
between 10 minutes and 8 hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

#: H2S AEGL values, ppm, by level and duration (minutes) — docs/validation.md.
AEGL_H2S_PPM: Mapping[int, Mapping[int, float]] = MappingProxyType(
    {
        1: MappingProxyType({10: 0.75, 30: 0.60, 60: 0.51, 240: 0.36, 480: 0.33}),
        2: MappingProxyType({10: 41.0, 30: 32.0, 60: 27.0, 240: 20.0, 480: 17.0}),
        3: MappingProxyType({10: 76.0, 30: 59.0, 60: 50.0, 240: 37.0, 480: 31.0}),
    }
)
#: ten Berge exponent used for H2S in the AEGL derivation.
TEN_BERGE_N = 4.36


def aegl_load(level: int) -> float:
    """Toxic load (ppm^n min) that reaches AEGL ``level`` (1, 2 or 3)."""
    return AEGL_H2S_PPM[level][60] ** TEN_BERGE_N * 60.0


def level_ppm(level: int, minutes: float) -> float:
    """Constant concentration (ppm) that reaches AEGL ``level`` in ``minutes``.

    ``(L_k / minutes)^(1/n)``: 27 ppm for AEGL-2 over 60 min, 19.7 over 4 h and 16.8
    over 8 h (the table: 20 and 17).
    """
    return float((aegl_load(level) / minutes) ** (1.0 / TEN_BERGE_N))


def load_increment(ppm: np.ndarray, minutes: float) -> np.ndarray:
    """Toxic load ``ppm^n x minutes`` gained at concentration ``ppm`` (vectorised)."""
    return np.power(np.maximum(ppm, 0.0), TEN_BERGE_N) * minutes


def add_load(load: np.ndarray, ppm: np.ndarray, minutes: float) -> np.ndarray:
    """Return ``load`` plus ``ppm^n x minutes`` (vectorised)."""
    return load + load_increment(ppm, minutes)


def aegl_level(load: np.ndarray) -> np.ndarray:
    """Highest AEGL level reached by each load (0 = none)."""
    level = np.zeros(np.shape(load), dtype=np.int8)
    for k in (1, 2, 3):
        level[load >= aegl_load(k)] = k
    return level


def indoor_ppm(
    indoor: np.ndarray, outdoor: np.ndarray, air_changes_per_h: float, minutes: float
) -> np.ndarray:
    """Indoor concentration after ``minutes`` of a constant outdoor one (vectorised).

    A well-mixed single room exchanging air with outside at ``air_changes_per_h``
    (``dC_in/dt = lambda (C_out - C_in)``, the infiltration model of ALOHA, Jones et al.
    2013, NOAA Technical Memorandum NOS OR&R 43): ``C_in(t + dt) = C_out + (C_in - C_out)
    exp(-lambda dt)``. With the outdoor level constant from 0, indoors reaches 63 % of it
    after ``1 / lambda`` hours.
    """
    keep = np.exp(-air_changes_per_h * minutes / 60.0)
    return outdoor + (np.asarray(indoor) - outdoor) * keep
