"""Road state during a run: which links are closed, what they cost, and the routers.

One :class:`RoadState` per run owns a router per travel mode: ``vehicle`` and ``walk``
(the public: households, and supply trucks by vehicle), each road tier of rescue teams,
and ``boat`` (ground teams with boats: like vehicles, but links closed only by flood
water are passable at boat speed). Closures come from named *sources* (``"script"``,
``"flood"``, ``"plume"``, ``"landslide"``, ...), each a pair of edge masks for vehicles
and pedestrians, closing links to everyone, or with ``teams=False`` to the public only
(rescue teams still pass, e.g. a cordon). A source may also mark links ``unbreathable``
(air immediately dangerous to life on or beside them): closed to the road tiers without
breathing apparatus, while those with it pass them and the source's public closures (a
lethal plume: ground teams pass, community responders do not;
:attr:`sim.tiers.TierStandard.breathing_apparatus`). Hazards may also make links
*costlier* to the public (:meth:`RoadState.set_costs`: extra seconds per link, e.g. the
toxic load of crossing a plume), so routes go around them. A link
is closed when any source closes it. Routers are rebuilt only when their weights
change, and each rebuild bumps that router's version so cached trees are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.coverage import tier_weights_s
from sim.network.compiled import RoadNetwork
from sim.network.routing import Router
from sim.tiers import TierStandard

#: Speed of rescue boats on flooded links (km/h).
BOAT_SPEED_KPH = 8.0
#: Modes of the public: households (by vehicle or on foot) and supply trucks.
PUBLIC_MODES = ("vehicle", "walk")


@dataclass(frozen=True, eq=False)
class _Closure:
    vehicle: np.ndarray
    walk: np.ndarray
    teams: bool
    unbreathable: np.ndarray | None = None


class RoadState:
    """Closures, hazard costs and per-mode routers of one run.

    Parameters
    ----------
    network
        The road network.
    walk_speed_m_per_s
        Pedestrian speed (pedestrians use the same directed links as vehicles).
    tiers
        Rescue tiers by name; a router is made for each road tier.
    """

    def __init__(
        self, network: RoadNetwork, *, walk_speed_m_per_s: float, tiers: dict[str, TierStandard]
    ) -> None:
        self.network = network
        self._base = {
            "vehicle": network.travel_time_s,
            "walk": network.length_m / walk_speed_m_per_s,
            "boat": network.travel_time_s,
        }
        self._road_tiers = [n for n, t in tiers.items() if t.travel == "road"]
        self._apparatus = {n for n in self._road_tiers if tiers[n].breathing_apparatus}
        for name in self._road_tiers:
            self._base[name] = tier_weights_s(network, tiers[name])
        self._boat_s = network.length_m / (BOAT_SPEED_KPH / 3.6)
        self.routers = {mode: Router(network, w) for mode, w in self._base.items()}
        self._sources: dict[str, _Closure] = {}
        self._costs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.closed_vehicle = np.zeros(network.n_edges, dtype=bool)
        self.closed_walk = np.zeros(network.n_edges, dtype=bool)
        #: Links closed to teams, and closed to them by other than flood water, as the
        #: boat router has them; links closed to each road tier, as its router has them.
        self._team_closed = np.zeros(network.n_edges, dtype=bool)
        self._team_not_flood = np.zeros(network.n_edges, dtype=bool)
        self._tier_closed = {n: np.zeros(network.n_edges, dtype=bool) for n in self._road_tiers}
        #: Called with (newly closed, reopened) vehicle edge indices of the public and
        #: whether any link reopened to a team after each change, once the routers
        #: reflect it.
        self.on_change = None

    @property
    def closed(self) -> np.ndarray:
        """Links closed to vehicles of the public (kept for callers of one mode)."""
        return self.closed_vehicle

    @property
    def closed_to_teams(self) -> np.ndarray:
        """Links closed to every road team, lethal air aside (water, slides, scripts)."""
        return self._team_closed

    def closed_for(self, vehicle: bool) -> np.ndarray:
        """Links closed to a household travelling by vehicle or on foot."""
        return self.closed_vehicle if vehicle else self.closed_walk

    def router(self, mode: str) -> Router:
        """Router for ``"vehicle"``, ``"walk"``, ``"boat"`` or a road tier's name."""
        return self.routers[mode]

    def base_weights_s(self, mode: str) -> np.ndarray:
        """Open-road travel times of ``mode`` (no closures, no hazard costs)."""
        return self._base[mode]

    def set_closures(
        self,
        source: str,
        vehicle: np.ndarray,
        walk: np.ndarray | None = None,
        *,
        teams: bool = True,
        unbreathable: np.ndarray | None = None,
    ) -> bool:
        """Set the links ``source`` closes (to vehicles, and to pedestrians); True if changed.

        ``teams=False`` closes them to the public only; rescue teams still pass.
        ``unbreathable``: links in air immediately dangerous to life, closed to the road
        tiers without breathing apparatus; the tiers with it pass them and this
        source's closures of the public too.
        """
        vehicle = np.asarray(vehicle, dtype=bool)
        walk = vehicle if walk is None else np.asarray(walk, dtype=bool)
        if unbreathable is not None:
            unbreathable = np.asarray(unbreathable, dtype=bool).copy()
            teams = False
        old = self._sources.get(source)
        if (
            old is not None
            and old.teams == teams
            and _same(old.unbreathable, unbreathable)
            and np.array_equal(old.vehicle, vehicle)
            and np.array_equal(old.walk, walk)
        ):
            return False
        self._sources[source] = _Closure(vehicle.copy(), walk.copy(), teams, unbreathable)
        self._apply()
        return True

    def set_costs(
        self, source: str, vehicle_extra_s: np.ndarray, walk_extra_s: np.ndarray | None = None
    ) -> bool:
        """Set the extra seconds ``source`` adds to each link for the public; True if changed."""
        vehicle = np.asarray(vehicle_extra_s, dtype=np.float64)
        walk = vehicle if walk_extra_s is None else np.asarray(walk_extra_s, dtype=np.float64)
        old = self._costs.get(source)
        if old is not None and np.array_equal(old[0], vehicle) and np.array_equal(old[1], walk):
            return False
        self._costs[source] = (vehicle.copy(), walk.copy())
        if old is None:
            self._apply(everywhere=True)
            return True
        # only the public's weights where this source's costs changed (a plume moving
        # on): the same sums as a full recompute, on a few links instead of all of them
        for k, mode in enumerate(PUBLIC_MODES):
            edges = np.flatnonzero(old[k] != self._costs[source][k])
            self.routers[mode].update_weights(edges, self._public_weights_s(mode, edges))
        if self.on_change is not None:
            none = np.zeros(0, dtype=np.int64)
            self.on_change(none, none, False)
        return True

    def close(self, edges: np.ndarray, *, source: str = "script") -> None:
        """Close links (the given directed edges) to everyone."""
        vehicle, walk = self._masks(source)
        vehicle[np.asarray(edges, dtype=np.int64)] = True
        walk[np.asarray(edges, dtype=np.int64)] = True
        self.set_closures(source, vehicle, walk)

    def reopen(self, edges: np.ndarray, *, source: str = "script") -> None:
        """Reopen links that ``source`` had closed."""
        vehicle, walk = self._masks(source)
        vehicle[np.asarray(edges, dtype=np.int64)] = False
        walk[np.asarray(edges, dtype=np.int64)] = False
        self.set_closures(source, vehicle, walk)

    def _masks(self, source: str) -> tuple[np.ndarray, np.ndarray]:
        n = self.network.n_edges
        old = self._sources.get(source)
        if old is None:
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        return old.vehicle.copy(), old.walk.copy()

    def _public_weights_s(self, mode: str, edges: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Weights of the public's ``mode`` on ``edges`` (default all): closed, or base + costs."""
        k = PUBLIC_MODES.index(mode)
        closed = self.closed_vehicle if mode == "vehicle" else self.closed_walk
        base = self._base[mode][edges]
        extra = np.zeros(base.shape)
        for costs in self._costs.values():
            extra += costs[k][edges]
        return np.where(closed[edges], np.inf, base + extra)

    def _apply(self, *, everywhere: bool = False) -> None:
        """Recompute closures and weights of every router whose closures changed.

        Only the links whose closure changed get new weights (a flood rising closes a
        few links per step); ``everywhere``: all links of the public (a new source of
        costs).
        """
        n = self.network.n_edges
        public_v, public_w, team_v, team_not_flood, lethal = (
            np.zeros(n, dtype=bool) for _ in range(5)
        )
        for name, c in self._sources.items():
            public_v |= c.vehicle
            public_w |= c.walk
            if c.unbreathable is not None:
                lethal |= c.unbreathable
            elif c.teams:
                team_v |= c.vehicle
                if name != "flood":
                    team_not_flood |= c.vehicle
        before = self.closed_vehicle
        changed = {
            "vehicle": public_v != before,
            "walk": public_w != self.closed_walk,
        }
        self.closed_vehicle, self.closed_walk = public_v, public_w
        weights = {}
        for mode, edges in changed.items():
            edges = slice(None) if everywhere else np.flatnonzero(edges)
            weights[mode] = (edges, self._public_weights_s(mode, edges))
        # boats (ground teams, in breathing apparatus) see only closures of teams
        edges = np.flatnonzero(
            (team_v != self._team_closed) | (team_not_flood != self._team_not_flood)
        )
        flooded = team_v[edges] & ~team_not_flood[edges]
        base = self._base["boat"][edges]
        boat = np.where(flooded, np.maximum(self._boat_s[edges], base), base)
        weights["boat"] = (edges, np.where(team_not_flood[edges], np.inf, boat))
        teams_reopened = bool((self._team_closed & ~team_v).any())
        self._team_closed, self._team_not_flood = team_v, team_not_flood
        for tier in self._road_tiers:
            closed = team_v if tier in self._apparatus else team_v | lethal
            edges = np.flatnonzero(closed != self._tier_closed[tier])
            weights[tier] = (edges, np.where(closed[edges], np.inf, self._base[tier][edges]))
            teams_reopened |= bool((self._tier_closed[tier][edges] & ~closed[edges]).any())
            self._tier_closed[tier] = closed
        for mode, (edges, values) in weights.items():
            if isinstance(edges, slice):
                if not np.array_equal(self.routers[mode].weights_s, values):
                    self.routers[mode].set_weights(values)  # unchanged: it keeps its trees
            else:
                self.routers[mode].update_weights(edges, values)
        # after the routers, so a listener that re-plans sees the new road state
        if self.on_change is not None:
            self.on_change(
                np.nonzero(public_v & ~before)[0],
                np.nonzero(before & ~public_v)[0],
                teams_reopened,
            )


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Whether two optional masks are both absent or equal."""
    if a is None or b is None:
        return a is b
    return np.array_equal(a, b)
