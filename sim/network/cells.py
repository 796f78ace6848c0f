"""The ground a node stands for: its Voronoi cell among all nodes, cut to a circle.

A node of the road graph carries the residents of the buildings around it (a whole
village may stand on one node). Where a hazard covers part of that ground, only part
of them are hit: :func:`node_cells` gives each node its Voronoi cell among all nodes,
cut to :data:`CELL_RADIUS_M` around it (so an isolated node does not stand for a whole
valley), and :func:`covered_share` the share of each cell a circle covers. The map
layers (:mod:`sim.results.gis`) paint hazards over the same cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork

#: A cell reaches at most this far from its node (m): about half the spacing of rural
#: road nodes, so isolated nodes do not stand for whole valleys.
CELL_RADIUS_M = 300.0


def node_cells(network: RoadNetwork, nodes: np.ndarray) -> dict[int, object]:
    """Voronoi cell (a shapely polygon) of each of ``nodes`` among all nodes, cut to its circle."""
    import shapely
    from scipy.spatial import cKDTree

    nodes = np.asarray(nodes, dtype=np.int64)
    if nodes.size == 0:
        return {}
    xy = np.column_stack([network.x_m, network.y_m])
    found = cKDTree(xy).query_ball_point(xy[nodes], 3 * CELL_RADIUS_M)
    near = np.unique(np.concatenate([np.asarray(f, np.int64) for f in found]))
    near = np.union1d(near, nodes)
    if near.size < 3:  # too few points for a diagram: each node keeps its circle
        circles = shapely.buffer(shapely.points(xy[nodes]), CELL_RADIUS_M, quad_segs=16)
        return dict(zip(nodes.tolist(), circles, strict=True))
    diagram = shapely.voronoi_polygons(shapely.multipoints(xy[near]), ordered=True)
    cells = shapely.get_parts(diagram)
    where = {int(n): i for i, n in enumerate(near)}
    circles = shapely.buffer(shapely.points(xy[nodes]), CELL_RADIUS_M, quad_segs=16)
    chosen = cells[[where[int(n)] for n in nodes]]
    return dict(zip(nodes.tolist(), shapely.intersection(chosen, circles), strict=True))


def covered_share(
    network: RoadNetwork, x_m: float, y_m: float, radius_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes whose cell a circle touches, and the share of each cell it covers (0-1].

    The circle (centre ``x_m``, ``y_m``; ``radius_m``) is drawn as a 64-gon, as are the
    cells' circles.
    """
    import shapely

    d = np.hypot(network.x_m - x_m, network.y_m - y_m)
    near = np.flatnonzero(d <= radius_m + CELL_RADIUS_M)
    if near.size == 0:
        return near, np.zeros(0)
    cells = node_cells(network, near)
    polygons = np.array([cells[int(n)] for n in near], dtype=object)
    circle = shapely.buffer(shapely.Point(x_m, y_m), radius_m, quad_segs=16)
    area = shapely.area(polygons)
    covered = shapely.area(shapely.intersection(polygons, circle))
    share = np.divide(covered, area, out=np.zeros(near.size), where=area > 0)
    hit = share > 0
    return near[hit], np.minimum(share[hit], 1.0)
