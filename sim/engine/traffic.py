"""Link queues with capacity: congestion for vehicles on the road graph.

Each directed link is a capacity-limited FIFO queue (a point queue at its downstream
end) with a storage limit:

- a vehicle entering link ``e`` at time ``t`` may leave it no earlier than
  ``t + free_flow_s[e]`` and no earlier than ``headway_s[e] = 3600 / capacity`` after the
  previous vehicle left, so a queue clears at the capacity rate and N vehicles clear a
  single bottleneck in about ``N / capacity + free_flow_s``;
- at most ``storage_veh[e]`` vehicles (link length x lanes / 7.5 m, at least 2) are on the
  link; a vehicle whose next link is full waits where it is (spill-back) and is let in,
  first come first served, when a vehicle leaves that link.

Ties at equal times resolve in simpy's order (time, priority, insertion), i.e. by the
order in which vehicles asked, which is deterministic for a given seed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator

import numpy as np
import simpy

from sim.network.compiled import RoadNetwork

#: Road space one queued car takes (m).
JAM_SPACING_M = 7.5
#: Smallest storage of any link (vehicles), so short links in towns never deadlock alone.
MIN_STORAGE_VEH = 2


class LinkTraffic:
    """Vehicle queues on every link of a network, advanced by one simpy environment.

    Parameters
    ----------
    env
        The run's clock.
    network
        The network; free-flow times come from ``weights_s`` when given.
    weights_s
        Per-edge free-flow times (s); default the network's.
    storage_veh
        Per-edge storage (vehicles); default link length x lanes / ``JAM_SPACING_M``,
        at least ``MIN_STORAGE_VEH``.

    The per-link arrays are fixed when the queues are made (the attributes are
    copies for reading); state changes only through :meth:`try_enter`,
    :meth:`exit_time_s`, :meth:`leave` and :meth:`advance` (which does what they do).
    """

    def __init__(
        self,
        env: simpy.Environment,
        network: RoadNetwork,
        weights_s: np.ndarray | None = None,
        *,
        storage_veh: np.ndarray | None = None,
    ) -> None:
        self.env = env
        self.network = network
        free_flow_s = network.travel_time_s if weights_s is None else weights_s
        headway_s = 3600.0 / np.maximum(network.capacity_veh_per_h.astype(np.float64), 1.0)
        if storage_veh is None:
            storage_veh = np.maximum(
                np.floor(network.length_m * network.lanes / JAM_SPACING_M), MIN_STORAGE_VEH
            )
        # per-link state read and written once per vehicle and link: Python lists, whose
        # scalar access costs a fraction of a NumPy element's (same float arithmetic)
        self._free_s: list[float] = np.asarray(free_flow_s, dtype=np.float64).tolist()
        self._headway_s: list[float] = headway_s.tolist()
        self._storage: list[int] = np.asarray(storage_veh, dtype=np.int64).tolist()
        self._next_exit_s: list[float] = [0.0] * network.n_edges
        self._occupancy: list[int] = [0] * network.n_edges
        self._waiting: dict[int, deque[simpy.Event]] = {}

    @property
    def free_flow_s(self) -> np.ndarray:
        """Free-flow time of each link, s (a copy)."""
        return np.array(self._free_s)

    @property
    def headway_s(self) -> np.ndarray:
        """Least time between two vehicles leaving each link (3600 / capacity), s (a copy)."""
        return np.array(self._headway_s)

    @property
    def storage_veh(self) -> np.ndarray:
        """Most vehicles each link holds (a copy)."""
        return np.array(self._storage, dtype=np.int64)

    @property
    def occupancy_veh(self) -> np.ndarray:
        """Vehicles on each link now (a copy)."""
        return np.array(self._occupancy, dtype=np.int64)

    @property
    def next_exit_s(self) -> np.ndarray:
        """Earliest time the next vehicle may leave each link (a copy)."""
        return np.array(self._next_exit_s)

    def try_enter(self, edge: int) -> simpy.Event | None:
        """Occupy ``edge`` now if it has room (None), else the event that lets the vehicle in.

        The caller yields the returned event (spill-back); the vehicle leaving ``edge``
        hands its place over, so occupancy is unchanged when it fires.
        """
        if self._occupancy[edge] < self._storage[edge] and edge not in self._waiting:
            self._occupancy[edge] += 1
            return None
        ticket = self.env.event()
        self._waiting.setdefault(edge, deque()).append(ticket)
        return ticket

    def enter(self, edge: int) -> Generator[simpy.Event, None, None]:
        """Wait (spill-back) until ``edge`` has room, then occupy it (a simpy sub-process)."""
        ticket = self.try_enter(edge)
        if ticket is not None:
            yield ticket

    def exit_time_s(self, edge: int) -> float:
        """Reserve and return the earliest time the vehicle now entering ``edge`` may leave it."""
        exit_s = max(self.env.now + self._free_s[edge], self._next_exit_s[edge])
        self._next_exit_s[edge] = exit_s + self._headway_s[edge]
        return exit_s

    def move_on(self, edge: int, previous: int) -> float:
        """Leave ``previous`` (-1: none) for ``edge``, entered now; return the delay to its exit.

        :meth:`leave` then :meth:`exit_time_s` in one call, for the caller that already
        holds its place on ``edge`` (:meth:`try_enter`).
        """
        if previous >= 0:
            self.leave(previous)
        return self.exit_time_s(edge) - self.env.now

    def advance(self, edge: int, previous: int) -> float | simpy.Event:
        """Move from ``previous`` (-1: none) onto ``edge`` now: the delay to its exit.

        When ``edge`` is full, the event that lets the vehicle in instead (it keeps its
        place on ``previous`` meanwhile); the caller yields it, then calls
        :meth:`move_on`. :meth:`try_enter` then :meth:`move_on` in one call, for the
        vehicles of the run's households, which take this step at every link.
        """
        occupancy = self._occupancy
        if occupancy[edge] >= self._storage[edge] or edge in self._waiting:
            return self.try_enter(edge)  # full: the ticket that lets it in
        occupancy[edge] += 1
        if previous >= 0:  # :meth:`leave` inlined: this runs at every link of every car
            queue = self._waiting.get(previous)
            if queue:
                queue.popleft().succeed()
                if not queue:
                    del self._waiting[previous]
            else:
                occupancy[previous] -= 1
        now = self.env.now
        exit_s = max(now + self._free_s[edge], self._next_exit_s[edge])
        self._next_exit_s[edge] = exit_s + self._headway_s[edge]
        return exit_s - now

    def leave(self, edge: int) -> None:
        """Free one place on ``edge``, or hand it to the first vehicle waiting for it."""
        queue = self._waiting.get(edge)
        if queue:
            queue.popleft().succeed()
            if not queue:
                del self._waiting[edge]
        else:
            self._occupancy[edge] -= 1

    def drive(self, edges: np.ndarray) -> Generator[simpy.Event, None, float]:
        """Drive along ``edges`` in order (a simpy sub-process); return the arrival time.

        The vehicle holds its place on a link until it has a place on the next one.
        """
        previous = -1
        for edge in edges:
            edge = int(edge)
            yield from self.enter(edge)
            if previous >= 0:
                self.leave(previous)
            yield self.env.timeout(self.exit_time_s(edge) - self.env.now)
            previous = edge
        if previous >= 0:
            self.leave(previous)
        return self.env.now
