"""Road state during a run: which links are closed, and the routers that respect it.

One :class:`RoadState` per run owns a router per travel mode: ``vehicle`` (free flow),
``walk``, each road tier of rescue teams, and ``boat`` (ground teams with boats: like
vehicles, but links closed only by flood water are passable at boat speed). Closures
come from named *sources* (``"script"``, ``"flood"``, ``"plume"``, ``"landslide"``), each
a pair of edge masks for vehicles and pedestrians; a link is closed when any source
closes it. Setting a source's masks rebuilds the routers only when something changed,
and each rebuild bumps the routers' versions so cached trees are recomputed.
"""

from __future__ import annotations

import numpy as np

from sim.coverage import tier_weights_s
from sim.network.compiled import RoadNetwork
from sim.network.routing import Router
from sim.tiers import TierStandard

#: Speed of rescue boats on flooded links (km/h).
BOAT_SPEED_KPH = 8.0


class RoadState:
    """Closures and per-mode routers of one run.

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
        for name in self._road_tiers:
            self._base[name] = tier_weights_s(network, tiers[name])
        self._boat_s = network.length_m / (BOAT_SPEED_KPH / 3.6)
        self.routers = {mode: Router(network, w) for mode, w in self._base.items()}
        self._sources: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.closed_vehicle = np.zeros(network.n_edges, dtype=bool)
        self.closed_walk = np.zeros(network.n_edges, dtype=bool)
        #: Called with (newly closed, reopened) vehicle edge indices after each change,
        #: once the routers reflect it.
        self.on_change = None

    @property
    def closed(self) -> np.ndarray:
        """Links closed to vehicles (kept for callers that do not distinguish modes)."""
        return self.closed_vehicle

    def closed_for(self, vehicle: bool) -> np.ndarray:
        """Links closed to a household travelling by vehicle or on foot."""
        return self.closed_vehicle if vehicle else self.closed_walk

    def router(self, mode: str) -> Router:
        """Router for ``"vehicle"``, ``"walk"``, ``"boat"`` or a road tier's name."""
        return self.routers[mode]

    def base_weights_s(self, mode: str) -> np.ndarray:
        """Open-road travel times of ``mode`` (no closures)."""
        return self._base[mode]

    def set_closures(
        self, source: str, vehicle: np.ndarray, walk: np.ndarray | None = None
    ) -> bool:
        """Set the links ``source`` closes (to vehicles, and to pedestrians); True if changed."""
        vehicle = np.asarray(vehicle, dtype=bool)
        walk = vehicle if walk is None else np.asarray(walk, dtype=bool)
        old = self._sources.get(source)
        if old is not None and np.array_equal(old[0], vehicle) and np.array_equal(old[1], walk):
            return False
        self._sources[source] = (vehicle.copy(), walk.copy())
        self._apply()
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
        return old[0].copy(), old[1].copy()

    def _apply(self) -> None:
        n = self.network.n_edges
        vehicle, walk, not_flood = (np.zeros(n, dtype=bool) for _ in range(3))
        for name, (v, w) in self._sources.items():
            vehicle |= v
            walk |= w
            if name != "flood":
                not_flood |= v
        before = self.closed_vehicle
        self.closed_vehicle, self.closed_walk = vehicle, walk
        for mode, router in self.routers.items():
            if mode == "walk":
                router.set_weights(np.where(walk, np.inf, self._base["walk"]))
            elif mode == "boat":
                flooded = vehicle & ~not_flood
                weights = np.where(
                    flooded, np.maximum(self._boat_s, self._base["boat"]), self._base["boat"]
                )
                router.set_weights(np.where(not_flood, np.inf, weights))
            else:
                router.set_weights(np.where(vehicle, np.inf, self._base[mode]))
        # after the routers, so a listener that re-plans sees the new road state
        if self.on_change is not None:
            self.on_change(np.nonzero(vehicle & ~before)[0], np.nonzero(before & ~vehicle)[0])
