"""Gaussian plume (ground-reflected, steady state) with Briggs (1973) dispersion.

``C(x, y, z) = Q / (2 pi u sy sz) exp(-y^2 / 2 sy^2) [exp(-(z - H)^2 / 2 sz^2)
+ exp(-(z + H)^2 / 2 sz^2)]`` with ``x`` downwind, ``y`` crosswind, ``z`` height (m),
``Q`` release (kg/s), ``u`` wind speed (m/s), ``H`` release height (m). Sigmas are
Briggs' open-country (rural) or McElroy-Pooler urban fits by Pasquill stability class
A-F. Everything is vectorised over receptor points.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import numpy as np

Stability = Literal["A", "B", "C", "D", "E", "F"]
Terrain = Literal["rural", "urban"]

#: (sy_a, sy_b, sy_power, sz_a, sz_b, sz_power): sigma = a x (1 + b x)^power.
_RURAL: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "A": (0.22, 0.0001, -0.5, 0.20, 0.0, 0.0),
        "B": (0.16, 0.0001, -0.5, 0.12, 0.0, 0.0),
        "C": (0.11, 0.0001, -0.5, 0.08, 0.0002, -0.5),
        "D": (0.08, 0.0001, -0.5, 0.06, 0.0015, -0.5),
        "E": (0.06, 0.0001, -0.5, 0.03, 0.0003, -1.0),
        "F": (0.04, 0.0001, -0.5, 0.016, 0.0003, -1.0),
    }
)
_URBAN: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "A": (0.32, 0.0004, -0.5, 0.24, 0.001, 0.5),
        "B": (0.32, 0.0004, -0.5, 0.24, 0.001, 0.5),
        "C": (0.22, 0.0004, -0.5, 0.20, 0.0, 0.0),
        "D": (0.16, 0.0004, -0.5, 0.14, 0.0003, -0.5),
        "E": (0.11, 0.0004, -0.5, 0.08, 0.0015, -0.5),
        "F": (0.11, 0.0004, -0.5, 0.08, 0.0015, -0.5),
    }
)

#: mg/m^3 per ppm of H2S at 25 °C (docs/validation.md).
H2S_MG_PER_M3_PER_PPM = 1.39
#: Density of methane at 25 °C and 1 atm, kg/m^3 (to turn mass into volume fraction).
METHANE_DENSITY_KG_PER_M3 = 0.657
#: Methane lower flammable limit, volume fraction.
METHANE_LFL = 0.05


def briggs_sigmas_m(
    x_m: np.ndarray, stability: Stability, terrain: Terrain = "rural"
) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical dispersion (m) at downwind distance ``x_m`` (> 0)."""
    table = _RURAL if terrain == "rural" else _URBAN
    ya, yb, yp, za, zb, zp = table[stability]
    x = np.asarray(x_m, dtype=np.float64)
    return ya * x * (1.0 + yb * x) ** yp, za * x * (1.0 + zb * x) ** zp


def concentration_kg_per_m3(
    *,
    release_kg_per_s: float,
    wind_m_per_s: float,
    downwind_m: np.ndarray,
    crosswind_m: np.ndarray,
    height_m: float | np.ndarray = 0.0,
    release_height_m: float = 0.0,
    stability: Stability = "D",
    terrain: Terrain = "rural",
) -> np.ndarray:
    """Plume concentration (kg/m^3); zero upwind (``downwind_m <= 0``)."""
    x = np.asarray(downwind_m, dtype=np.float64)
    y = np.asarray(crosswind_m, dtype=np.float64)
    out = np.zeros(np.broadcast(x, y).shape)
    down = x > 0.0
    if release_kg_per_s <= 0.0 or wind_m_per_s <= 0.0 or not down.any():
        return out
    xd, yd = np.broadcast_to(x, out.shape)[down], np.broadcast_to(y, out.shape)[down]
    z = np.broadcast_to(np.asarray(height_m, dtype=np.float64), out.shape)[down]
    sy, sz = briggs_sigmas_m(xd, stability, terrain)
    h = release_height_m
    vertical = np.exp(-((z - h) ** 2) / (2 * sz**2)) + np.exp(-((z + h) ** 2) / (2 * sz**2))
    out[down] = (
        release_kg_per_s / (2 * np.pi * wind_m_per_s * sy * sz)
        * np.exp(-(yd**2) / (2 * sy**2)) * vertical
    )  # fmt: skip
    return out


def wind_frame_m(
    x_m: np.ndarray, y_m: np.ndarray, source_x_m: float, source_y_m: float, from_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Downwind and crosswind distances of points for a wind blowing *from* ``from_deg``.

    Directions are meteorological: 0 = from the north, 90 = from the east.
    """
    toward = np.deg2rad(from_deg + 180.0)
    ux, uy = np.sin(toward), np.cos(toward)  # unit vector the wind blows toward (east, north)
    dx, dy = np.asarray(x_m) - source_x_m, np.asarray(y_m) - source_y_m
    return dx * ux + dy * uy, -dx * uy + dy * ux


def h2s_ppm(concentration_gas_kg_per_m3: np.ndarray, h2s_mass_fraction: float) -> np.ndarray:
    """H2S in ppm from a gas concentration and the H2S mass fraction of the gas."""
    return concentration_gas_kg_per_m3 * h2s_mass_fraction * 1e6 / H2S_MG_PER_M3_PER_PPM


def methane_volume_fraction(
    concentration_gas_kg_per_m3: np.ndarray, methane_mass_fraction: float
) -> np.ndarray:
    """Methane volume fraction in air from a gas concentration."""
    return concentration_gas_kg_per_m3 * methane_mass_fraction / METHANE_DENSITY_KG_PER_M3
