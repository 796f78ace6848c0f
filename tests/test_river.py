"""Projecting nodes on the river: the values GEOS gives, bit for bit, on arrays."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sim.engine.runs import network_for
from sim.hazards.river import project_on_line
from sim.scenarios import load_scenario

#: A river bending at (10, 0): 10 m east, then 10 m north.
BEND = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]])


@pytest.mark.parametrize(
    ("x", "y", "chainage", "distance"),
    [
        (5.0, 3.0, 5.0, 3.0),  # beside the first reach
        (12.0, 5.0, 15.0, 2.0),  # beside the second reach
        (-3.0, -4.0, 0.0, 5.0),  # before the source: its first vertex
        (10.0, 13.0, 20.0, 3.0),  # past the mouth: its last vertex
        (10.0, 0.0, 10.0, 0.0),  # on the bend
        (11.0, -1.0, 10.0, np.sqrt(2.0)),  # outside the bend: both reaches tie, first wins
    ],
)
def test_hand_computed_positions_on_a_bend(x, y, chainage, distance) -> None:
    along, away = project_on_line(BEND, np.array([x]), np.array([y]))
    assert along[0] == pytest.approx(chainage, abs=1e-12)
    assert away[0] == pytest.approx(distance, abs=1e-12)


def test_same_bits_as_shapely_on_random_rivers() -> None:
    """Ties (points on vertices, integer grids), repeated vertices, long and short reaches."""
    rng = np.random.default_rng(7)
    for case in range(30):
        n = int(rng.integers(2, 80))
        river = np.cumsum(rng.normal(size=(n, 2)) * rng.choice([1.0, 50.0, 1000.0]), axis=0)
        x = rng.normal(size=2000) * river.std() * 2 + river.mean()
        y = rng.normal(size=2000) * river.std() * 2 + river.mean()
        if case % 3 == 0:  # a grid: many points equally near two reaches
            river, x, y = np.round(river), np.round(x), np.round(y)
            x[:n], y[:n] = river[:, 0], river[:, 1]
        if case % 4 == 0 and n > 3:
            river = np.concatenate([river[:3], river[2:3], river[3:]])  # a repeated vertex
        along, away = project_on_line(river, x, y)
        line, points = shapely.LineString(river), shapely.points(x, y)
        np.testing.assert_array_equal(along, shapely.line_locate_point(line, points))
        np.testing.assert_array_equal(away, shapely.distance(line, points))


def test_same_bits_as_shapely_on_the_builtin_river() -> None:
    network = network_for(load_scenario("flood"))
    river = network.features["river"]
    along, away = project_on_line(river, network.x_m, network.y_m)
    line, points = shapely.LineString(river), shapely.points(network.x_m, network.y_m)
    np.testing.assert_array_equal(along, shapely.line_locate_point(line, points))
    np.testing.assert_array_equal(away, shapely.distance(line, points))
