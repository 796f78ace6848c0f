"""The gas of a release schedule at sets of points: road nodes, links, homes.

A :class:`PlumePoints` holds the points' downwind and crosswind distances per wind and
the steady plume of each release rate and wind at them, computed once; :meth:`gas` cuts
those at the plume front each step. The gas leak keeps one set for the road nodes, one
for points along the links near the plume (:func:`link_points`) and one for the homes
near it (:func:`spread_homes`).

Why homes need their own points: a node of the road graph carries the residents of
the buildings around it, up to :data:`sim.network.cells.CELL_RADIUS_M` away, while a
night-time plume is narrow (class F: sigma_y about 38 m at 1 km, Briggs 1973). Read at
the nodes alone, it falls between them and reaches nobody at home; read at each
household's place in its node's cell, it reaches the homes under its axis. Links
likewise: a link 130 m long (the median of the built-in region) can cross the axis
with both ends in clean air.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.hazards import plume
from sim.hazards.base import step_value
from sim.network.cells import CELL_RADIUS_M, node_cells

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.network.compiled import RoadNetwork
    from sim.scenarios.hazards import GasLeakSpec, ReleaseSpec, WindSpec

#: Homes are spread over their node's cell where some plume of the schedule could hold
#: this much H2S (ppm): 1/50 of AEGL-1 for 8 h (0.33 ppm), far below anything the
#: exposure levels count; elsewhere a home stands at its node, as a plume that weak
#: changes nothing there.
SPREAD_FLOOR_PPM = 0.33 / 50
#: Sigmas of crosswind search around the plume axis for homes to spread (the plume at
#: 5 sigma is 4e-6 of its axis value).
SPREAD_SIGMAS = 5.0
#: Links are read every this many metres between their ends (m): at 20 m a plume whose
#: sigma_y is 20 m (class F, 500 m downwind) is not missed between two points.
LINK_SPACING_M = 20.0
#: Seed stream of the home points (apart from the model's subsystem streams, so drawing
#: them shifts no other draw of a run).
HOME_POINTS_STREAM = 7301


def well_xy_m(network: RoadNetwork, spec: GasLeakSpec) -> tuple[float, float]:
    """Where the release is, m in the network's CRS: the named well, or ``lon``/``lat``."""
    if spec.well is not None:
        wells = network.places["wells"].set_index("name")
        return float(wells.loc[spec.well, "x_m"]), float(wells.loc[spec.well, "y_m"])
    x, y = network.to_projected(np.array([spec.lon]), np.array([spec.lat]))
    return float(x[0]), float(y[0])


def flammable(gas_kg_per_m3: np.ndarray, spec: GasLeakSpec) -> np.ndarray:
    """Where methane passes ``close_at_lfl_fraction`` of its lower flammable limit."""
    methane = plume.methane_volume_fraction(gas_kg_per_m3, spec.methane_mass_fraction)
    return methane >= spec.close_at_lfl_fraction * plume.METHANE_LFL


class PlumePoints:
    """Gas of the schedule of ``spec`` at points ``x_m``, ``y_m`` (m, the network's CRS)."""

    def __init__(
        self, spec: GasLeakSpec, x_m: np.ndarray, y_m: np.ndarray, well_x_m: float, well_y_m: float
    ) -> None:
        self.spec = spec
        self.x_m, self.y_m = np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64)
        self.well_x_m, self.well_y_m = well_x_m, well_y_m
        #: Downwind and crosswind distance of every point, per wind direction (degrees).
        self._frames: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        #: Steady plume of each release rate and wind at every point (kg/m^3).
        self._plumes: dict[tuple, np.ndarray] = {}

    def gas_now(self, now_s: float) -> np.ndarray:
        """Gas at every point at ``now_s`` (kg/m^3): the current wind's and earlier winds'.

        The plume of this wind has only travelled wind speed x time since the wind set
        in (the release began at t = 0): after a wind shift the new plume grows from the
        well instead of appearing at once over its whole length.
        """
        spec = self.spec
        rate = step_value([r.time_min for r in spec.release], list(spec.release), now_s)
        wind = step_value([w.time_min for w in spec.wind], list(spec.wind), now_s)
        since_s = max(now_s - wind.time_min * 60.0, 0.0)
        gas = self.gas(rate, wind, front_m=wind.speed_m_per_s * since_s)
        return np.maximum(gas, self._earlier_winds(now_s))

    def _earlier_winds(self, now_s: float) -> np.ndarray:
        """Gas released under earlier winds that has not yet blown off the map, kg/m^3.

        What a wind released from ``t0`` to ``t1`` (when the next wind set in) occupies
        the stretch of its own axis between ``u (now - t1)`` and ``u (now - t0)`` from
        the well: the tail keeps travelling downwind at that wind's speed instead of
        vanishing at the shift. (It drifts along the old axis, not with the new wind:
        an approximation of the steady-plume model, on the safe side for routes.)
        """
        winds = self.spec.wind
        out = np.zeros(self.x_m.shape)
        times = [w.time_min * 60.0 for w in winds]
        rates = [r.time_min for r in self.spec.release]
        for k in range(len(winds) - 1):
            t0, t1 = times[k], times[k + 1]
            if t1 > now_s:
                break
            u = winds[k].speed_m_per_s
            rate = step_value(rates, list(self.spec.release), t1 - 1e-6)
            gas = self.gas(rate, winds[k], front_m=u * (now_s - t0), tail_m=u * (now_s - t1))
            out = np.maximum(out, gas)
        return out

    def gas(self, rate, wind, *, front_m: float, tail_m: float = 0.0) -> np.ndarray:
        """Gas concentration (kg/m^3) at points downwind between ``tail_m`` and ``front_m``."""
        down, _ = self.frame(wind.from_deg)
        return np.where((down > tail_m) & (down <= front_m), self.steady(rate, wind), 0.0)

    def steady(self, rate, wind) -> np.ndarray:
        """Return the steady plume of ``rate`` and ``wind`` at every point, kg/m^3 (read-only)."""
        key = (rate.rate_kg_per_s, wind)
        gas = self._plumes.get(key)
        if gas is None:
            gas = _gas_kg_per_m3(self.spec, rate, wind, *self.frame(wind.from_deg))
            gas.flags.writeable = False
            self._plumes[key] = gas
        return gas

    def frame(self, from_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """Downwind and crosswind distances (m) of every point for a wind from ``from_deg``."""
        frame = self._frames.get(from_deg)
        if frame is None:
            frame = plume.wind_frame_m(self.x_m, self.y_m, self.well_x_m, self.well_y_m, from_deg)
            self._frames[from_deg] = frame
        return frame


def _gas_kg_per_m3(
    spec: GasLeakSpec, rate: ReleaseSpec, wind: WindSpec, down_m: np.ndarray, cross_m: np.ndarray
) -> np.ndarray:
    """Steady plume of ``rate`` and ``wind`` of ``spec`` at downwind/crosswind distances."""
    return plume.concentration_kg_per_m3(
        release_kg_per_s=rate.rate_kg_per_s,
        wind_m_per_s=wind.speed_m_per_s,
        downwind_m=down_m,
        crosswind_m=cross_m,
        height_m=spec.receptor_height_m,
        release_height_m=spec.release_height_m,
        stability=wind.stability,
        terrain=spec.terrain,
    )


def near_plume(points: PlumePoints, candidates: np.ndarray, margin_m: float) -> np.ndarray:
    """Those of ``candidates`` (indices of ``points``) near some plume of the schedule.

    Near: within ``margin_m`` of the plume's wedge, downwind no farther than where the
    axis falls below :data:`SPREAD_FLOOR_PPM`, crosswind within :data:`SPREAD_SIGMAS`
    sigma_y.
    """
    spec = points.spec
    near = np.zeros(candidates.shape, dtype=bool)
    x_axis_m = np.geomspace(1.0, 200_000.0, 400)
    for rate in spec.release:
        for wind in spec.wind:
            axis = plume.h2s_ppm(
                _gas_kg_per_m3(spec, rate, wind, x_axis_m, np.zeros_like(x_axis_m)),
                spec.h2s_mass_fraction,
            )
            over = np.flatnonzero(axis >= SPREAD_FLOOR_PPM)
            if over.size == 0:
                continue
            reach_m = x_axis_m[min(over[-1] + 1, x_axis_m.size - 1)]
            down, cross = points.frame(wind.from_deg)
            down, cross = down[candidates], cross[candidates]
            sigma_y, _ = plume.briggs_sigmas_m(
                np.clip(down + margin_m, 1.0, reach_m), wind.stability, spec.terrain
            )
            near |= (
                (down > -margin_m)
                & (down <= reach_m + margin_m)
                & (np.abs(cross) <= SPREAD_SIGMAS * sigma_y + margin_m)
            )
    return candidates[near]


def link_points(nodes: PlumePoints, network: RoadNetwork) -> tuple[np.ndarray, PlumePoints]:
    """Points along the links near the plume, :data:`LINK_SPACING_M` apart, and their links.

    A link is drawn straight between its ends (the compiled network keeps no shapes);
    its ends are the nodes themselves, so only the points between them are made, and
    only those near some plume of the schedule (:func:`near_plume`) are kept. Points
    are made only on links with an end near the plume widened by half the longest
    link: a point of a link is no farther than that from its nearer end, so no point
    near the plume is missed (and a large map is not covered in points).
    """
    source, target = network.edge_source, network.edge_target
    dx = nodes.x_m[target] - nodes.x_m[source]
    dy = nodes.y_m[target] - nodes.y_m[source]
    chord_m = np.hypot(dx, dy)
    reach_m = float(chord_m.max()) / 2.0 + 1.0 if chord_m.size else 0.0
    near = np.zeros(network.n_nodes, dtype=bool)
    near[near_plume(nodes, np.arange(network.n_nodes), reach_m)] = True
    links = np.flatnonzero(near[source] | near[target])
    inner = np.maximum(np.ceil(chord_m[links] / LINK_SPACING_M).astype(np.int64) - 1, 0)
    edge = np.repeat(links, inner)
    rank = np.arange(edge.size) - np.repeat(np.cumsum(inner) - inner, inner)
    share = (rank + 1) / (np.repeat(inner, inner) + 1)
    x_m = nodes.x_m[source[edge]] + share * dx[edge]
    y_m = nodes.y_m[source[edge]] + share * dy[edge]
    every = PlumePoints(nodes.spec, x_m, y_m, nodes.well_x_m, nodes.well_y_m)
    keep = near_plume(every, np.arange(edge.size), 0.0)
    return edge[keep], PlumePoints(nodes.spec, x_m[keep], y_m[keep], nodes.well_x_m, nodes.well_y_m)


def home_points_m(
    network: RoadNetwork, home_node: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a point for each home, uniform in its node's cell (``node_cells``).

    Drawn by rejection in each cell's bounding box, for all homes at once.
    """
    import shapely

    home_node = np.asarray(home_node, dtype=np.int64)
    if home_node.size == 0:
        return np.zeros(0), np.zeros(0)
    nodes, which = np.unique(home_node, return_inverse=True)
    cells = node_cells(network, nodes)
    shapes = np.array([cells[int(n)] for n in nodes], dtype=object)
    shapely.prepare(shapes)
    shape = shapes[which]
    box = shapely.bounds(shape)
    x_m, y_m = network.x_m[home_node].astype(np.float64), network.y_m[home_node].astype(np.float64)
    todo = np.flatnonzero(shapely.area(shape) > 0)  # a cell of no area: the node itself
    while todo.size:
        xs = rng.uniform(box[todo, 0], box[todo, 2])
        ys = rng.uniform(box[todo, 1], box[todo, 3])
        inside = shapely.contains_xy(shape[todo], xs, ys)
        x_m[todo[inside]], y_m[todo[inside]] = xs[inside], ys[inside]
        todo = todo[~inside]
    return x_m, y_m


def spread_homes(model: EmergencyModel, nodes: PlumePoints) -> tuple[np.ndarray, PlumePoints]:
    """Households whose home gets a point of its own, and the gas at those points.

    Those of nodes whose cell some plume of the schedule reaches (:func:`near_plume`,
    widened by a cell radius), when ``home_points = "cell"``; none for ``"node"``
    (every home at its node, as on a map whose nodes are the buildings). The points come from
    a seed stream of their own (:data:`HOME_POINTS_STREAM`).
    """
    spec, t, net = nodes.spec, model.households, model.network
    rows = np.zeros(0, dtype=np.int64)
    if spec.home_points == "cell" and t.n:
        homes = np.unique(t.home_node)
        near = np.zeros(net.n_nodes, dtype=bool)
        near[near_plume(nodes, homes, CELL_RADIUS_M)] = True
        rows = np.flatnonzero(near[t.home_node])
    seed = np.random.SeedSequence(model.run_seed, spawn_key=(HOME_POINTS_STREAM,))
    x_m, y_m = home_points_m(net, t.home_node[rows], np.random.default_rng(seed))
    return rows, PlumePoints(spec, x_m, y_m, nodes.well_x_m, nodes.well_y_m)
