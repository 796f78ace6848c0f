"""Gaussian plume and AEGL exposure against shared/validation/README.md."""

from __future__ import annotations

import numpy as np
import pytest

from sim.hazards.exposure import AEGL_H2S_PPM, add_load, aegl_level, aegl_load
from sim.hazards.plume import (
    briggs_sigmas_m,
    concentration_kg_per_m3,
    h2s_ppm,
    methane_volume_fraction,
    wind_frame_m,
)


@pytest.mark.parametrize(
    ("stability", "x_m", "expected"),
    [
        ("D", 100, 3.5735e-3),
        ("D", 500, 1.7978e-4),
        ("D", 1000, 5.4985e-5),
        ("D", 3000, 9.8512e-6),
        ("F", 100, 2.5742e-2),
        ("F", 500, 1.1722e-3),
    ],
)
def test_centreline_ground_values_rural(stability, x_m, expected) -> None:
    c = concentration_kg_per_m3(
        release_kg_per_s=1.0,
        wind_m_per_s=2.0,
        downwind_m=np.array([x_m]),
        crosswind_m=np.array([0.0]),
        stability=stability,
    )
    assert c[0] == pytest.approx(expected, rel=1e-4)


def test_ccps_example_with_briggs_rural() -> None:
    c = concentration_kg_per_m3(
        release_kg_per_s=0.1,
        wind_m_per_s=2.0,
        downwind_m=np.array([500.0]),
        crosswind_m=np.array([0.0]),
        stability="F",
    )
    assert c[0] == pytest.approx(1.17e-4, rel=5e-3)


def test_formula_off_axis_and_elevated_release() -> None:
    sy, sz = briggs_sigmas_m(np.array([800.0]), "C", "urban")
    x, y, z, h, q, u = 800.0, 150.0, 2.0, 30.0, 3.0, 4.0
    expected = (
        q
        / (2 * np.pi * u * sy * sz)
        * np.exp(-(y**2) / (2 * sy**2))
        * (np.exp(-((z - h) ** 2) / (2 * sz**2)) + np.exp(-((z + h) ** 2) / (2 * sz**2)))
    )
    got = concentration_kg_per_m3(
        release_kg_per_s=q,
        wind_m_per_s=u,
        downwind_m=np.array([x]),
        crosswind_m=np.array([y]),
        height_m=z,
        release_height_m=h,
        stability="C",
        terrain="urban",
    )
    assert got == pytest.approx(expected, rel=1e-12)
    assert sy[0] == pytest.approx(0.22 * 800 / np.sqrt(1 + 0.0004 * 800))
    assert sz[0] == pytest.approx(0.20 * 800)


def test_upwind_is_zero_and_wind_frame() -> None:
    # wind from the west (270°) blows east: a point 1 km east is 1 km downwind
    down, cross = wind_frame_m(
        np.array([1000.0, -1000.0, 0.0]), np.array([0.0, 0.0, 500.0]), 0.0, 0.0, 270.0
    )
    np.testing.assert_allclose(down, [1000.0, -1000.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(np.abs(cross), [0.0, 0.0, 500.0], atol=1e-9)
    c = concentration_kg_per_m3(
        release_kg_per_s=1.0, wind_m_per_s=2.0, downwind_m=down, crosswind_m=cross
    )
    assert c[1] == 0.0 and c[2] == 0.0 and c[0] > 0.0


def test_unit_conversions() -> None:
    # 1.39 mg/m^3 of H2S is 1 ppm; methane 0.657 kg/m^3 pure is a volume fraction of 1
    assert h2s_ppm(np.array([1.39e-6]), 1.0)[0] == pytest.approx(1.0)
    assert h2s_ppm(np.array([1.39e-5]), 0.1)[0] == pytest.approx(1.0)
    assert methane_volume_fraction(np.array([0.657 * 0.05]), 1.0)[0] == pytest.approx(0.05)


def test_aegl_loads_at_sixty_minutes_exactly() -> None:
    for level in (1, 2, 3):
        c60 = AEGL_H2S_PPM[level][60]
        load = add_load(np.zeros(1), np.array([c60]), 60.0)
        assert aegl_level(load)[0] == level
        assert aegl_level(add_load(np.zeros(1), np.array([c60]), 59.0))[0] == level - 1
    # the C^n t law stays within about 10 % of the tabulated 10-minute and 4-hour values
    for level in (2, 3):
        for minutes in (10, 240):
            c_equal_load = (aegl_load(level) / minutes) ** (1 / 4.36)
            assert c_equal_load == pytest.approx(AEGL_H2S_PPM[level][minutes], rel=0.10)
