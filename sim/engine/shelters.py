"""Shelters during a run: capacity, reservations, occupants, and whether each is safe.

A household reserves its places when it sets off (:meth:`Shelters.reserve`), so the
occupants plus reservations of a shelter never exceed its capacity. The shelter chosen
is the nearest *usable* one by current travel time (for the public that time includes
the hazards' costs, see :mod:`sim.engine.roads`) among those with room (refreshed
lazily, see :meth:`Shelters.reserve`) that fits the whole household; ties between
shelters at the same node go to the lowest shelter index. A shelter is usable while it
is safe now and, as far as its side's command knows, over the hazards' forecast
(:meth:`Shelters.set_usable`, fed by the model every hazard step); the occupants of a
shelter that stops being usable move on (:mod:`sim.agents.household`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.network.trees import NO_NODE

if TYPE_CHECKING:
    from sim.engine.roads import RoadState


class Shelters:
    """State of every shelter of a run (index = row of the shelters table).

    Parameters
    ----------
    table
        Shelters with ``name, node, capacity_persons, jurisdiction``.
    roads
        Road state (routers for vehicles and pedestrians).
    """

    def __init__(self, table: pd.DataFrame, roads: RoadState) -> None:
        self.table = table.reset_index(drop=True)
        self.node = self.table["node"].to_numpy(dtype=np.int64)
        self.capacity_persons = self.table["capacity_persons"].to_numpy(dtype=np.int64)
        self.jurisdiction = self.table["jurisdiction"].to_numpy()
        self.reserved_persons = np.zeros(len(self.table), dtype=np.int64)
        self.occupants_persons = np.zeros(len(self.table), dtype=np.int64)
        self.first_arrival_s = np.full(len(self.table), np.inf)
        self.peak_occupants_persons = np.zeros(len(self.table), dtype=np.int64)
        #: Safe now and over the known forecast; changes only through :meth:`set_usable`.
        self.usable = np.ones(len(self.table), dtype=bool)
        #: When each shelter first stopped being usable (inf: never).
        self.unsafe_since_s = np.full(len(self.table), np.inf)
        #: Persons who left each shelter because it became unsafe.
        self.relocated_persons = np.zeros(len(self.table), dtype=np.int64)
        self.roads = roads
        self.on_arrival = None  # set by the model: callback(shelter_index)
        #: Bumped whenever a shelter may have gained room (released, left, usable again).
        self._room_grown = 0
        #: Per (origin, vehicle), the (router version, room count) when it could not reach
        #: a shelter with room: still true until a link gets faster or room grows.
        self._cut_off: dict[tuple[int, bool], tuple[int, int]] = {}
        #: Shelter nodes per mask of shelters (routing sources), reused across calls.
        self._sources: dict[bytes, np.ndarray] = {}

    @property
    def n(self) -> int:
        """Number of shelters."""
        return int(self.node.shape[0])

    def remaining_persons(self) -> np.ndarray:
        """Places neither occupied nor reserved, per shelter."""
        return self.capacity_persons - self.reserved_persons

    def open_remaining_persons(self) -> np.ndarray:
        """Places a household may reserve: those of usable shelters, 0 elsewhere."""
        return np.where(self.usable, self.remaining_persons(), 0)

    def has_room(self, size: int) -> bool:
        """Whether any usable shelter has room for ``size`` persons (reachable or not)."""
        return bool((self.open_remaining_persons() >= size).any())

    def set_usable(self, usable: np.ndarray, now_s: float) -> np.ndarray:
        """Set which shelters are usable; return those that just stopped being usable."""
        usable = np.asarray(usable, dtype=bool)
        if np.array_equal(usable, self.usable):
            return np.zeros(0, dtype=np.int64)
        lost = np.flatnonzero(self.usable & ~usable)
        if (usable & ~self.usable).any():
            self._room_grown += 1
        self.unsafe_since_s[lost] = np.minimum(self.unsafe_since_s[lost], now_s)
        self.usable = usable.copy()
        return lost

    def reserve(self, origin: int, size: int, *, vehicle: bool) -> tuple[int, np.ndarray] | None:
        """Reserve places at the nearest shelter with room; return (shelter, route edges).

        Returns None when no shelter with room can be reached from ``origin``.

        The tree toward shelters with room is shared by all households until it no
        longer holds for the one asking (:meth:`sim.network.routing.Router.tree_for`:
        the shelter it names filled up, or the roads changed on its route or got
        faster somewhere). Only when the nearest shelter with any room is too small
        for the household is a tree toward the shelters that fit it grown.
        """
        remaining = self.open_remaining_persons()
        if not (remaining >= size).any():
            return None
        router = self.roads.router("vehicle" if vehicle else "walk")
        tree = self._tree(router, origin, remaining > 0, "with room")
        shelter = self._pick(tree, origin, size, remaining)
        if shelter == -1:  # nearest shelter with room is too small for this household
            tree = self._tree(router, origin, remaining >= size, "that fit")
            shelter = self._pick(tree, origin, size, remaining)
        if shelter < 0:
            return None
        self.reserved_persons[shelter] += size
        return shelter, router.path_edges(tree, origin)

    def _tree(self, router, origin: int, among: np.ndarray, family: str):
        """Reverse tree toward the shelters ``among`` (a mask), exact for ``origin``."""
        key = among.tobytes()
        sources = self._sources.get(key)
        if sources is None:
            if len(self._sources) > 256:
                self._sources.clear()
            sources = np.unique(self.node[among]).astype(np.int32)
            sources.flags.writeable = False  # checked once by the routers
            self._sources[key] = sources
        return router.tree_for(sources, origin, reverse=True, family=f"shelters {family}")

    def nearest_for_team(self, origin: int, size: int, team, *, reserve: bool = True) -> int:
        """Reserve ``size`` places at the usable shelter nearest ``origin`` for ``team``.

        Road teams go by their router, aircraft in a straight line; ``size`` 0 (people
        who are not residents of the run, e.g. of a scripted incident) needs no room.
        Returns the shelter, or -1 when none with room can be reached. ``reserve``
        False: only find it.
        """
        remaining = self.open_remaining_persons()
        fits = np.flatnonzero((remaining >= size) & self.usable)
        if fits.size == 0:
            return -1
        net = self.roads.network
        if team.tier.travel == "air":
            d = np.hypot(net.x_m[self.node[fits]] - net.x_m[origin],
                         net.y_m[self.node[fits]] - net.y_m[origin])  # fmt: skip
            shelter = int(fits[np.argmin(d)])
        else:
            # the tree toward every usable shelter is shared by all calls until the roads
            # or the usable set change; only when its nearest has no room is one grown
            # toward those that fit
            router = self.roads.router(team.mode)
            tree = self._tree(router, origin, self.usable, "usable")
            target = tree.source[origin]
            if target == NO_NODE:
                return -1
            here = fits[self.node[fits] == target]
            if here.size == 0:
                tree = self._tree(router, origin, (remaining >= size) & self.usable, "that fit")
                target = tree.source[origin]
                if target == NO_NODE:
                    return -1
                here = fits[self.node[fits] == target]
            shelter = int(here[0])
            shelter = self._mind_the_border(shelter, fits, origin, team, tree)
        if reserve:
            self.hold(shelter, size)
        return shelter

    def _mind_the_border(self, shelter: int, fits: np.ndarray, origin: int, team, tree) -> int:
        """Prefer a shelter with no border wait when the wait makes ``shelter`` later.

        A team without priority passage waits at the border to bring people to a
        shelter on the other side (:meth:`sim.agents.aid.MutualAid.passage_delay_s`).
        """
        m = team.model
        wait_s = m.aid.passage_delay_s(team, np.array([origin, int(self.node[shelter])]))
        if wait_s <= 0:
            return shelter
        side = self.roads.network.jurisdiction[self.node[fits]]
        no_wait = np.array(
            [s == team.jurisdiction or m.linkage.priority_passage(team.jurisdiction, int(s))
             for s in side], dtype=bool,
        )  # fmt: skip
        if not no_wait.any():
            return shelter
        ok = fits[no_wait]
        alt = self.roads.router(team.mode).tree(np.unique(self.node[ok]), reverse=True)
        target = alt.source[origin]
        if target == NO_NODE or alt.time_s[origin] > tree.time_s[origin] + wait_s:
            return shelter
        return int(ok[self.node[ok] == target][0])

    def reachable_for_team(self, origin: int, team) -> bool:
        """Whether ``team`` can bring people from ``origin`` to any usable shelter."""
        if team.tier.travel == "air":
            return bool(self.usable.any())
        if not self.usable.any():
            return False
        tree = self._tree(self.roads.router(team.mode), origin, self.usable, "usable")
        return bool(np.isfinite(tree.time_s[origin]))

    def can_reach(self, origin: int, *, vehicle: bool) -> bool:
        """Whether a household at ``origin`` can reach any shelter with room (cheap check).

        Uses the tree toward shelters with room that :meth:`reserve` shares, so asking
        many stranded households after a reopening costs one lookup each; an origin that
        was cut off stays so, without a lookup, until a link gets faster or reopens for
        its mode or some shelter gains room.
        """
        router = self.roads.router("vehicle" if vehicle else "walk")
        seen = self._cut_off.get((origin, vehicle))
        if seen is not None and seen[1] == self._room_grown and not router.faster_since(seen[0]):
            return False
        remaining = self.open_remaining_persons()
        reach = bool((remaining > 0).any())
        if reach:
            tree = self._tree(router, origin, remaining > 0, "with room")
            reach = bool(tree.source[origin] != NO_NODE)
        if reach:
            self._cut_off.pop((origin, vehicle), None)
        else:
            self._cut_off[(origin, vehicle)] = (router.version, self._room_grown)
        return reach

    def _pick(self, tree, origin: int, size: int, remaining: np.ndarray) -> int:
        """Shelter at the tree's nearest node that fits: index, -1 (none fits), -2 (no route)."""
        target = tree.source[origin]
        if target == NO_NODE:
            return -2
        candidates = np.nonzero((self.node == target) & (remaining >= size))[0]
        return int(candidates[0]) if candidates.size else -1

    def hold(self, shelter: int, size: int) -> None:
        """Reserve ``size`` places at ``shelter`` (chosen already, e.g. by a team)."""
        self.reserved_persons[shelter] += size

    def release(self, shelter: int, size: int) -> None:
        """Give back a reservation (the household re-routes)."""
        self.reserved_persons[shelter] -= size
        self._room_grown += 1

    def arrive(self, shelter: int, size: int) -> None:
        """Turn a reservation into occupants."""
        self.occupants_persons[shelter] += size
        self.peak_occupants_persons[shelter] = max(
            self.peak_occupants_persons[shelter], self.occupants_persons[shelter]
        )
        if self.on_arrival is not None:
            self.on_arrival(shelter)

    def leave(self, shelter: int, size: int) -> None:
        """Occupants leave a shelter that became unsafe (their places are freed)."""
        self.occupants_persons[shelter] -= size
        self.reserved_persons[shelter] -= size
        self.relocated_persons[shelter] += size
        self._room_grown += 1

    def summary(self) -> dict:
        """Shelters for the summary: count, fullest share, and those that became unsafe.

        ``unsafe``: shelters that stopped being usable during the run, and the persons
        who had to move on from them (``relocated_persons``).
        """
        lost = np.isfinite(self.unsafe_since_s)
        return {
            "count": self.n,
            "max_occupancy_share": float((self.occupants_persons / self.capacity_persons).max())
            if self.n
            else float("nan"),
            "unsafe": {
                "shelters": int(lost.sum()),
                "relocated_persons": int(self.relocated_persons.sum()),
                "occupants_at_horizon": int(self.occupants_persons[~self.usable].sum()),
            },
        }

    def frame(self) -> pd.DataFrame:
        """One row per shelter: name, node, jurisdiction, capacity, occupants, first arrival."""
        return pd.DataFrame(
            {
                "name": self.table["name"],
                "node": self.node,
                "jurisdiction": self.jurisdiction,
                "capacity_persons": self.capacity_persons,
                "occupants_persons": self.occupants_persons,
                "peak_occupants_persons": self.peak_occupants_persons,
                "first_arrival_s": self.first_arrival_s,
                "unsafe_since_s": self.unsafe_since_s,
                "relocated_persons": self.relocated_persons,
            }
        )
