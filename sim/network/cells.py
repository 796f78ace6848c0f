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
    """Voronoi cell (a shapely polygon) of each of ``nodes`` among all nodes, cut to its circle.

    Nodes at the same point share its cell. The diagram is drawn over the nodes within
    three cell radii, extended to their bounds plus one cell radius (GEOS would clip it
    to the points' own extent, too tight around a small hamlet) and made valid (GEOS can
    return a self-intersecting cell).
    """
    import shapely

    nodes = np.asarray(nodes, dtype=np.int64)
    if nodes.size == 0:
        return {}
    xy = np.column_stack([network.x_m, network.y_m])
    near = network.nodes_within(xy[nodes, 0], xy[nodes, 1], 3 * CELL_RADIUS_M)
    points, point_of = np.unique(xy[near], axis=0, return_inverse=True)
    circles = shapely.buffer(shapely.points(xy[nodes]), CELL_RADIUS_M, quad_segs=16)
    if len(points) < 2:  # one point: its cell is its circle
        return dict(zip(nodes.tolist(), circles, strict=True))
    low, high = points.min(axis=0) - CELL_RADIUS_M, points.max(axis=0) + CELL_RADIUS_M
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=shapely.box(*low, *high), ordered=True
    )
    cells = shapely.make_valid(shapely.get_parts(diagram))
    where = {int(n): int(point_of.ravel()[i]) for i, n in enumerate(near)}
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

    near = network.nodes_within(np.array([x_m]), np.array([y_m]), radius_m + CELL_RADIUS_M)
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
