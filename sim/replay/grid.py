"""A raster over the map for the hazard fields (jurisdictions are polygons: sim.plot.areas).

Hazard fields are sampled at nodes; on the raster each cell takes the inverse-distance
weighted mean of its four nearest nodes (weights and neighbours computed once), and
cells farther than ``max_distance_m`` from every node stay empty, so areas follow the
road network. Values are then classed into the levels of
:data:`sim.plot.style.HAZARD_LEVELS`. Rows run north to south (row 0 at the top), as
images do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.network.compiled import RoadNetwork
from sim.plot.style import hazard_level

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

NEIGHBOURS = 4


@dataclass(frozen=True, eq=False)
class Grid:
    """Cells of ``cell_m`` metres from ``(west_m, north_m)``, ``n_rows`` by ``n_cols``."""

    west_m: float
    north_m: float
    cell_m: float
    n_rows: int
    n_cols: int
    nearest_node: np.ndarray
    near: np.ndarray
    neighbours: np.ndarray
    weights: np.ndarray

    @property
    def extent_m(self) -> tuple[float, float, float, float]:
        """``(west, east, south, north)`` in metres, as ``imshow`` takes it."""
        return (
            self.west_m,
            self.west_m + self.n_cols * self.cell_m,
            self.north_m - self.n_rows * self.cell_m,
            self.north_m,
        )


def make_grid(
    network: RoadNetwork, bbox_m: tuple[float, float, float, float], *, n_cols: int
) -> Grid:
    """Grid over ``bbox_m = (west, south, east, north)`` with ``n_cols`` columns.

    Parameters
    ----------
    network
        Nodes give the sample points.
    bbox_m
        Area covered, metres in the network's CRS.
    n_cols
        Columns; rows follow from the box's aspect.
    """
    west, south, east, north = bbox_m
    cell_m = (east - west) / n_cols
    n_rows = max(int(np.ceil((north - south) / cell_m)), 1)
    cols, rows = np.meshgrid(np.arange(n_cols), np.arange(n_rows))
    x = west + (cols.ravel() + 0.5) * cell_m
    y = north - (rows.ravel() + 0.5) * cell_m
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([network.x_m, network.y_m]))
    k = min(NEIGHBOURS, network.n_nodes)
    distance_m, nodes = tree.query(np.column_stack([x, y]), k=k)
    distance_m = distance_m.reshape(x.shape[0], k)
    nodes = nodes.reshape(x.shape[0], k)
    inverse = 1.0 / np.maximum(distance_m, 1e-3) ** 2
    # a node much farther than the nearest one does not reach across the gap: without
    # this a 60 ppm node 3 km away painted 0.5 ppm (AEGL-1) next to a clean one 300 m away
    inverse[distance_m > np.maximum(3.0 * distance_m[:, :1], cell_m)] = 0.0
    return Grid(
        west_m=west,
        north_m=north,
        cell_m=cell_m,
        n_rows=n_rows,
        n_cols=n_cols,
        nearest_node=nodes[:, 0],
        near=distance_m[:, 0] <= max_distance_m(tree, cell_m),
        neighbours=nodes,
        weights=inverse / inverse.sum(axis=1, keepdims=True),
    )


def max_distance_m(tree: cKDTree, cell_m: float) -> float:
    """Farthest a cell may be from a node and still be drawn: 2.5 median node spacings."""
    if tree.n < 2:
        return 2.0 * cell_m
    distance_m, _ = tree.query(tree.data, k=2)
    return max(2.5 * float(np.median(distance_m[:, 1])), 1.5 * cell_m)


def hazard_classes(
    grid: Grid, hazard: str, node: np.ndarray, value: np.ndarray, n_nodes: int
) -> np.ndarray:
    """Hazard level of each cell (0 = none) for one frame (values at ``node``), 2-D."""
    field = np.zeros(n_nodes)
    field[node] = value
    cells = (grid.weights * field[grid.neighbours]).sum(axis=1)
    levels = hazard_level(hazard, cells)
    levels[~grid.near] = 0
    return levels.reshape(grid.n_rows, grid.n_cols)


def run_lengths(classes: np.ndarray) -> list[int]:
    """Row-major run-length code ``[value, count, value, count, ...]`` of a class raster."""
    flat = np.asarray(classes).ravel()
    if flat.size == 0:
        return []
    starts = np.flatnonzero(np.append(True, flat[1:] != flat[:-1]))
    counts = np.diff(np.append(starts, flat.size))
    return np.column_stack([flat[starts], counts]).ravel().astype(int).tolist()
