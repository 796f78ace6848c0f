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
    """

    def __init__(
        self, env: simpy.Environment, network: RoadNetwork, weights_s: np.ndarray | None = None
    ) -> None:
        self.env = env
        self.network = network
        self.free_flow_s = network.travel_time_s if weights_s is None else weights_s
        self.headway_s = 3600.0 / np.maximum(network.capacity_veh_per_h.astype(np.float64), 1.0)
        self.storage_veh = np.maximum(
            np.floor(network.length_m * network.lanes / JAM_SPACING_M), MIN_STORAGE_VEH
        ).astype(np.int64)
        self.next_exit_s = np.zeros(network.n_edges)
        self.occupancy_veh = np.zeros(network.n_edges, dtype=np.int64)
        self._waiting: dict[int, deque[simpy.Event]] = {}

    def enter(self, edge: int) -> Generator[simpy.Event, None, None]:
        """Wait (spill-back) until ``edge`` has room, then occupy it (a simpy sub-process)."""
        if self.occupancy_veh[edge] < self.storage_veh[edge] and edge not in self._waiting:
            self.occupancy_veh[edge] += 1
            return
        ticket = self.env.event()
        self._waiting.setdefault(edge, deque()).append(ticket)
        yield ticket  # the leaving vehicle hands its place over: occupancy is unchanged

    def exit_time_s(self, edge: int) -> float:
        """Reserve and return the earliest time the vehicle now entering ``edge`` may leave it."""
        exit_s = max(self.env.now + self.free_flow_s[edge], self.next_exit_s[edge])
        self.next_exit_s[edge] = exit_s + self.headway_s[edge]
        return exit_s

    def leave(self, edge: int) -> None:
        """Free one place on ``edge``, or hand it to the first vehicle waiting for it."""
        queue = self._waiting.get(edge)
        if queue:
            queue.popleft().succeed()
            if not queue:
                del self._waiting[edge]
        else:
            self.occupancy_veh[edge] -= 1

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
