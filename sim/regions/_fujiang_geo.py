"""Geometry of the synthetic Fujiang region: river, border, terrain and winding roads.

Everything here works in *local* metres (origin at the south-west corner of the
region); :mod:`sim.regions.fujiang` shifts to UTM 48N at the end. Each piece takes its
own ``numpy.random.Generator`` so that, for example, the terrain can be rebuilt from
the seed alone without generating the road network.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.interpolate import CubicSpline
from scipy.spatial import cKDTree

#: Extent of the region in metres (x west→east, y south→north).
WIDTH_M = 60_000.0
HEIGHT_M = 45_000.0
#: UTM 48N easting/northing of the local origin; the centre is near 105.72 E, 30.35 N.
ORIGIN_E = 539_200.0
ORIGIN_N = 3_335_300.0
#: Nominal centres of the two county seats (local metres): Suining (west), Tongnan (east).
SEAT_CENTRES = np.array([[12_000.0, 30_000.0], [47_000.0, 14_000.0]])
#: River bed elevation where the river enters (upstream) and leaves (downstream).
BED_UP_M = 280.0
BED_DOWN_M = 240.0
#: Distance from the river within which distances use the fine samples.
_NEAR_M = 2_000.0
#: Number of independent random streams spawned from the seed.
N_STREAMS = 16

# Indices of the random streams (fixed so that one layer's draws never shift another's).
S_RIVER, S_BORDER, S_TERRAIN, S_SEATS, S_EXPRESSWAY, S_TOWNS, S_BRIDGES = range(7)
S_TRUNK, S_VILLAGES, S_RURAL, S_TRACKS, S_POPULATION, S_PLACES, S_WELLS, S_REPAIR = range(7, 15)


def streams(seed: int) -> list[np.random.Generator]:
    """Independent generators for each layer, all derived from ``seed``.

    Parameters
    ----------
    seed
        Non-negative integer seed.

    Returns
    -------
    list of numpy.random.Generator
        ``N_STREAMS`` generators, indexed by the ``S_*`` constants.
    """
    children = np.random.SeedSequence(seed).spawn(N_STREAMS)
    return [np.random.default_rng(c) for c in children]


def resample(line: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Resample a polyline at (nearly) even arc-length spacing.

    Parameters
    ----------
    line
        ``(n, 2)`` vertices.
    spacing
        Target spacing in metres.

    Returns
    -------
    points, arc
        The resampled ``(m, 2)`` vertices (first and last kept) and their arc length.
    """
    seg = np.hypot(*np.diff(line, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    n = max(2, int(np.ceil(s[-1] / spacing)) + 1)
    t = np.linspace(0.0, s[-1], n)
    pts = np.column_stack([np.interp(t, s, line[:, 0]), np.interp(t, s, line[:, 1])])
    return pts, t


def _normals(pts: np.ndarray) -> np.ndarray:
    """Return the unit left normals of a polyline at its vertices."""
    tan = np.gradient(pts, axis=0)
    tan /= np.hypot(*tan.T)[:, None]
    return np.column_stack([-tan[:, 1], tan[:, 0]])


@dataclass(frozen=True, eq=False)
class River:
    """The Fujiang centreline, upstream (north-west) first.

    Attributes
    ----------
    line
        ``(n, 2)`` centreline at about 100 m spacing (the published feature).
    dense_s
        Arc length of the 20 m resampling used for distance queries.
    length_m
        Total length.
    """

    line: np.ndarray
    dense: np.ndarray
    dense_s: np.ndarray
    length_m: float
    tree: cKDTree
    geom: shapely.LineString
    north_bank: shapely.Polygon
    line_s: np.ndarray
    coarse: cKDTree

    def distance(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance to the centreline and arc length of the nearest point, for ``(n, 2)`` xy.

        Within 2 km the 20 m samples are used; farther away the 100 m vertices (an error
        below 1 m there, and much faster).
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        d, i = self.tree.query(xy, distance_upper_bound=_NEAR_M)
        s = self.dense_s[np.minimum(i, len(self.dense_s) - 1)]
        far = ~np.isfinite(d)
        if far.any():
            d[far], j = self.coarse.query(xy[far])
            s[far] = self.line_s[j]
        return d, s

    def bed_m(self, s: np.ndarray) -> np.ndarray:
        """River bed elevation at arc length ``s`` (falls linearly downstream)."""
        return BED_UP_M + (BED_DOWN_M - BED_UP_M) * np.clip(s / self.length_m, 0.0, 1.0)

    def bank(self, xy: np.ndarray) -> np.ndarray:
        """1 on the north-east (left) bank, 0 on the south-west (right) bank."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return shapely.contains_xy(self.north_bank, xy[:, 0], xy[:, 1]).astype(np.int8)

    def crossings(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Count how often each straight segment ``p[i]→q[i]`` crosses the centreline."""
        p = np.asarray(p, dtype=float).reshape(-1, 2)
        q = np.asarray(q, dtype=float).reshape(-1, 2)
        out = np.zeros(len(p), dtype=np.int64)
        if len(p) == 0:
            return out
        lines = shapely.linestrings(np.stack([p, q], axis=1))
        hit = shapely.STRtree(lines).query(self.geom, predicate="intersects")
        if len(hit):
            inter = shapely.intersection(lines[hit], self.geom)
            out[hit] = np.maximum(shapely.get_num_geometries(inter), 1)
        return out


def make_river(rng: np.random.Generator) -> River:
    """Meandering river from the north-west corner to the south-east, through both seats.

    Parameters
    ----------
    rng
        The river's random stream.

    Returns
    -------
    River
    """
    (wx, wy), (ex, ey) = SEAT_CENTRES
    side = rng.choice([-1.0, 1.0], size=2)
    cx = np.array([-2_000.0, wx, 30_000.0 + rng.uniform(-2_500, 2_500), ex, 62_000.0])
    cy = np.array(
        [
            37_500.0 + rng.uniform(-1_500, 1_500),
            wy + side[0] * rng.uniform(150, 350),
            22_000.0 + rng.uniform(-1_500, 1_500),
            ey + side[1] * rng.uniform(150, 350),
            7_500.0 + rng.uniform(-1_500, 1_500),
        ]
    )
    spline = CubicSpline(cx, cy, bc_type="natural")
    xs = np.arange(cx[0], cx[-1] + 1.0, 10.0)
    base, s = resample(np.column_stack([xs, spline(xs)]), 25.0)
    nrm = _normals(base)
    lam = np.array([rng.uniform(3_500, 5_000), rng.uniform(6_500, 9_000), rng.uniform(13e3, 18e3)])
    amp = np.array([rng.uniform(250, 400), rng.uniform(500, 750), rng.uniform(700, 1_000)])
    phase = rng.uniform(0, 2 * np.pi, size=3)
    off = (amp * np.sin(2 * np.pi * s[:, None] / lam + phase)).sum(axis=1)
    # Calm the river where it runs through the two towns so it does not loop inside them.
    d_seat = np.hypot(*(base[:, None, :] - SEAT_CENTRES[None]).transpose(2, 0, 1)).min(axis=1)
    off *= 1.0 - 0.85 * np.exp(-((d_seat / 2_500.0) ** 2))
    curve = base + off[:, None] * nrm
    line, line_s = resample(curve, 100.0)
    dense, dense_s = resample(line, 20.0)
    top = np.array([[line[-1, 0] + 5_000.0, HEIGHT_M + 10_000.0], [line[0, 0] - 5_000, 60e3]])
    north = shapely.Polygon(np.vstack([line, top]))
    shapely.prepare(north)
    geom = shapely.LineString(line)
    shapely.prepare(geom)
    length = float(dense_s[-1])
    return River(line, dense, dense_s, length, cKDTree(dense), geom, north, line_s, cKDTree(line))


def make_border(rng: np.random.Generator) -> np.ndarray:
    """Wavy north–south border near x = 30 km, as an ``(n, 2)`` polyline south→north.

    Parameters
    ----------
    rng
        The border's random stream.

    Returns
    -------
    numpy.ndarray
    """
    y = np.arange(-500.0, HEIGHT_M + 501.0, 100.0)
    lam = np.concatenate([rng.uniform(8e3, 25e3, 3), rng.uniform(1_200, 3_000, 4)])
    amp = np.concatenate([rng.uniform(300, 900, 3), rng.uniform(40, 140, 4)])
    phase = rng.uniform(0, 2 * np.pi, size=lam.size)
    x = WIDTH_M / 2 + (amp * np.sin(2 * np.pi * y[:, None] / lam + phase)).sum(axis=1)
    return np.column_stack([x, y])


def side_of_border(border: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Jurisdiction index (0 west, 1 east) of each point given the border polyline."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return (xy[:, 0] > np.interp(xy[:, 1], border[:, 1], border[:, 0])).astype(np.int8)


@dataclass(frozen=True, eq=False)
class Terrain:
    """Smooth hills around a low floodplain that follows the river."""

    river: River
    wave: np.ndarray  # (k, 2) wave vectors, rad/m
    phase: np.ndarray
    amp: np.ndarray
    bumps: np.ndarray  # (b, 4): x, y, sigma, height

    def noise(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Unit-variance smooth noise from random Fourier modes."""
        arg = x[..., None] * self.wave[:, 0] + y[..., None] * self.wave[:, 1] + self.phase
        return (self.amp * np.cos(arg)).sum(axis=-1)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Elevation in metres at local coordinates (any matching shapes)."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        shape = x.shape
        x, y = x.ravel(), y.ravel()
        d, s = self.river.distance(np.column_stack([x, y]))
        bed = self.river.bed_m(s)
        n = self.noise(x, y)
        hills = 425.0 + 42.0 * n
        b = self.bumps
        r2 = ((x[:, None] - b[:, 0]) ** 2 + (y[:, None] - b[:, 1]) ** 2) / b[:, 2] ** 2
        hills += (b[:, 3] * np.exp(-0.5 * r2)).sum(axis=1)
        flood = bed + 2.5 + 3.5 * np.clip(d / 1_500.0, 0.0, 1.0)
        width = 1_300.0 + 300.0 * np.clip(n, -1.5, 1.5)
        t = np.clip((d - width) / 3_000.0, 0.0, 1.0)
        w = t * t * (3.0 - 2.0 * t)
        return (flood + w * np.maximum(hills - flood, 0.0)).reshape(shape)


def make_terrain(rng: np.random.Generator, river: River) -> Terrain:
    """Random hills (Fourier modes plus Gaussian bumps) around the river's floodplain.

    Parameters
    ----------
    rng
        The terrain's random stream.
    river
        The river whose floodplain is carved into the hills.

    Returns
    -------
    Terrain
    """
    k = 14
    lam = rng.uniform(4_000, 20_000, k)
    ang = rng.uniform(0, np.pi, k)
    wave = (2 * np.pi / lam)[:, None] * np.column_stack([np.cos(ang), np.sin(ang)])
    amp = (lam / lam.max()) ** 0.7 * rng.uniform(0.5, 1.0, k)
    amp *= np.sqrt(2.0) / np.sqrt((amp**2).sum())
    nb = 9
    bumps = np.column_stack(
        [
            rng.uniform(0, WIDTH_M, nb),
            rng.uniform(0, HEIGHT_M, nb),
            rng.uniform(1_500, 4_000, nb),
            rng.uniform(25, 70, nb),
        ]
    )
    return Terrain(river, wave, rng.uniform(0, 2 * np.pi, k), amp, bumps)


@functools.lru_cache(maxsize=8)
def base_layers(seed: int) -> tuple[River, np.ndarray, Terrain]:
    """River, border and terrain of a seed (cached: hazards evaluate them repeatedly).

    Parameters
    ----------
    seed
        Region seed.

    Returns
    -------
    tuple
        ``(river, border, terrain)`` in local metres.
    """
    rngs = streams(seed)
    river = make_river(rngs[S_RIVER])
    return river, make_border(rngs[S_BORDER]), make_terrain(rngs[S_TERRAIN], river)


def wiggle_paths(
    p: np.ndarray,
    q: np.ndarray,
    rng: np.random.Generator,
    *,
    step: float,
    frac: float,
    max_amp: float = 600.0,
    river: River | None = None,
    clearance: float = 110.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interior vertices of winding roads from ``p[i]`` to ``q[i]`` (vectorised).

    Each road is the straight chord plus a smooth perpendicular offset
    ``sum_k a_k sin(k pi t)`` that vanishes at both ends, sampled every ``step``
    metres along the chord.

    Parameters
    ----------
    p, q
        ``(m, 2)`` end points.
    rng
        Random stream.
    step
        Vertex spacing along the chord, metres.
    frac
        Offset amplitude of the first mode as a fraction of the road length.
    max_amp
        Cap on the offset, metres.
    river
        If given, offsets are limited so no vertex gets closer than ``clearance`` to
        the river than the chord point it came from allows.
    clearance
        Minimum distance to the river kept by the offsets, metres.

    Returns
    -------
    points, counts
        ``(N, 2)`` interior vertices road after road, and the number per road.
    """
    p = np.asarray(p, dtype=float).reshape(-1, 2)
    q = np.asarray(q, dtype=float).reshape(-1, 2)
    d = q - p
    length = np.hypot(d[:, 0], d[:, 1])
    n_seg = np.maximum(1, np.ceil(length / step)).astype(np.int64)
    counts = n_seg - 1
    road = np.repeat(np.arange(len(p)), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    i = np.arange(counts.sum()) - np.repeat(starts, counts) + 1
    t = i / n_seg[road]
    k = np.arange(1, 7)
    a = rng.normal(size=(len(p), k.size)) * (frac * length)[:, None] / k**1.4
    w = (a[road] * np.sin(np.pi * k * t[:, None])).sum(axis=1)
    w = np.clip(w, -max_amp, max_amp)
    base = p[road] + t[:, None] * d[road]
    push = np.zeros_like(base)
    if river is not None and len(base):
        dist, idx = river.tree.query(base, distance_upper_bound=clearance + max_amp + 1.0)
        near = np.isfinite(dist)
        room = np.where(near, np.maximum(dist - clearance, 0.0), np.inf)
        w = np.clip(w, -room, room)
        # Chord points too close to the river are pushed straight away from it.
        gap = np.where(near, dist, clearance)
        foot = river.dense[np.minimum(idx, len(river.dense) - 1)]
        away = (base - foot) / np.maximum(gap, 1e-9)[:, None]
        push = away * np.maximum(clearance - gap, 0.0)[:, None]
    nrm = np.column_stack([-d[:, 1], d[:, 0]]) / np.maximum(length, 1e-9)[:, None]
    return base + w[:, None] * nrm[road] + push, counts
