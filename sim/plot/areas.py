"""Jurisdiction areas, their border and where to write their names, from any network.

A network knows each node's jurisdiction (``network.jurisdiction``), and the built-in
region also carries its border as a line (``network.features["border"]``). A region
loaded from files may have any number of jurisdictions and no border line, so the areas
are derived from the nodes: a raster over the network takes the jurisdiction of each
cell's nearest node, is smoothed a little, and its 0.5 contours (``contourpy``, the
contouring library matplotlib itself uses) become the area outlines and the borders
between them. Cells far from every node stay outside, so areas follow the road network.

No matplotlib here: the video frames, the static maps and the HTML replay draw the
same :class:`JurisdictionAreas`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.network.compiled import RoadNetwork

#: Cells along the longer side of the raster the areas are traced on.
RASTER_CELLS = 320
#: Smoothing of the nearest-node raster before contouring, in cells.
SMOOTHING_CELLS = 1.2


@dataclass(frozen=True, eq=False)
class JurisdictionAreas:
    """Outlines, borders and label points of a network's jurisdictions (metres).

    Attributes
    ----------
    names
        Jurisdiction names, in the network's order.
    rings
        Per jurisdiction, the closed rings of its area (``(n, 2)`` arrays; outer
        outlines and holes alike: fill them with the even-odd rule).
    border_lines
        Lines where one jurisdiction meets another (``(n, 2)`` arrays).
    label_xy
        ``(n_jurisdictions, 2)``: a point deep inside each area (``nan`` when a
        jurisdiction has no node).
    border_from_region
        True when ``border_lines`` is the region's own border feature, False when it
        was traced from the nodes' jurisdictions.
    """

    names: tuple[str, ...]
    rings: tuple[tuple[np.ndarray, ...], ...]
    border_lines: tuple[np.ndarray, ...]
    label_xy: np.ndarray
    border_from_region: bool


def jurisdiction_areas(network: RoadNetwork, *, cells: int = RASTER_CELLS) -> JurisdictionAreas:
    """Trace the jurisdictions of ``network`` (see the module docstring).

    Parameters
    ----------
    network
        Any road network; ``jurisdiction`` gives each node's side.
    cells
        Raster cells along the longer side of the network's extent.
    """
    from contourpy import FillType, LineType, contour_generator
    from scipy.ndimage import binary_fill_holes, distance_transform_edt, gaussian_filter
    from scipy.spatial import cKDTree

    x_m, y_m = network.x_m, network.y_m
    n_juris = len(network.jurisdiction_names)
    west, east = float(x_m.min()), float(x_m.max())
    south, north = float(y_m.min()), float(y_m.max())
    cell_m = max(east - west, north - south, 1.0) / cells
    pad = 3 * cell_m
    xs = np.arange(west - pad, east + pad + cell_m, cell_m)
    ys = np.arange(south - pad, north + pad + cell_m, cell_m)
    gx, gy = np.meshgrid(xs, ys)
    tree = cKDTree(np.column_stack([x_m, y_m]))
    distance_m, nearest = tree.query(np.column_stack([gx.ravel(), gy.ravel()]))
    side = network.jurisdiction[nearest].reshape(gx.shape)
    reach_m = _reach_m(tree, cell_m)
    near = binary_fill_holes((distance_m <= reach_m).reshape(gx.shape))
    rings: list[tuple[np.ndarray, ...]] = []
    labels = np.full((n_juris, 2), np.nan)
    borders: list[np.ndarray] = []
    for j in range(n_juris):
        inside = (side == j) & near
        if not inside.any():
            rings.append(())
            continue
        smooth = gaussian_filter(inside.astype(float), SMOOTHING_CELLS)
        filled = contour_generator(xs, ys, smooth, fill_type=FillType.OuterOffset)
        rings.append(tuple(_split_rings(filled.filled(0.5, 2.0))))
        depth = distance_transform_edt(np.pad(inside, 1))[1:-1, 1:-1]
        row, col = np.unravel_index(int(np.argmax(depth)), depth.shape)
        labels[j] = (xs[col], ys[row])
        if j < n_juris - 1:  # the last side's borders are the others' already
            of_side = gaussian_filter((side == j).astype(float), SMOOTHING_CELLS)
            lines = contour_generator(xs, ys, of_side, line_type=LineType.Separate).lines(0.5)
            borders.extend(_within_network(line, tree, reach_m) for line in lines)
    own = network.features.get("border")
    from_region = own is not None and len(own) > 1
    if from_region:
        border_lines = (np.asarray(own, float),)
    else:
        border_lines = tuple(p for line in borders for p in _pieces(line) if len(p) > 1)
    return JurisdictionAreas(
        names=tuple(network.jurisdiction_names),
        rings=tuple(rings),
        border_lines=border_lines,
        label_xy=labels,
        border_from_region=from_region,
    )


def _reach_m(tree, cell_m: float) -> float:
    """Farthest a cell may lie from a node and still be inside.

    Eight median node spacings, at least four cells: far enough to close the gaps
    between rural roads, near enough that an area ends soon after its last road.
    """
    if tree.n < 2:
        return 4.0 * cell_m
    distance_m, _ = tree.query(tree.data, k=2)
    return max(8.0 * float(np.median(distance_m[:, 1])), 4.0 * cell_m)


def _split_rings(filled: tuple[list[np.ndarray], list[np.ndarray]]) -> list[np.ndarray]:
    points, offsets = filled
    out = []
    for pts, off in zip(points, offsets, strict=True):
        out.extend(pts[a:b] for a, b in itertools.pairwise(off) if b - a > 2)
    return out


def _within_network(line: np.ndarray, tree, reach_m: float) -> np.ndarray:
    """Return the line with vertices far from every node set to ``nan`` (split there later)."""
    distance_m, _ = tree.query(line)
    out = np.array(line, float)
    out[distance_m > reach_m] = np.nan
    return out


def _pieces(line: np.ndarray) -> list[np.ndarray]:
    bad = np.isnan(line[:, 0])
    if not bad.any():
        return [line]
    cuts = np.flatnonzero(np.diff(np.concatenate([[True], bad, [True]]).astype(int)))
    return [line[a:b] for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
