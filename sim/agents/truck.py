"""A supply truck: one agent based at a depot, driving kits to shelters.

The service (:mod:`sim.agents.supply`) chooses which truck goes where and with what;
the truck drives there, unloads, and drives back to the depot the service names for it
(its own, or one that still has kits: :meth:`SupplyService.base_for`).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import numpy as np
import simpy

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel

#: One stop of a trip: shelter, kits unloaded there, node route to it, travel time (s).
Stop = tuple[int, int, np.ndarray, float]


class SupplyTruck(mesa.Agent):
    """One truck based at a depot."""

    family = "truck"
    #: The router it drives with: the public's vehicle closures.
    mode = "vehicle"

    def __init__(self, model: EmergencyModel, *, depot: int, capacity_kits: int) -> None:
        super().__init__(model)
        self.depot = depot
        self.capacity_kits = capacity_kits
        self.available = True
        #: When the truck is expected back at its depot (s; inf: cut off from it).
        self.back_s = 0.0
        #: The side (jurisdiction index) of the depot it started at: its command's.
        self.side = -1
        #: Kits loaded for shelters it found no open way to, taken back to a depot.
        self.kits_aboard = 0

    def deliver(self, stops: list[Stop]) -> Generator[simpy.Event, None, None]:
        """Drive the load to each stop in turn, unload there, then go to base (simpy process).

        ``stops`` are (shelter, kits, route from the previous stop or the depot, travel
        time s); the supply service has already taken the truck (``available`` False).
        """
        m = self.model
        s = m.supply
        m.recorder.event(
            m.env.now,
            "truck_dispatch",
            agent=self.unique_id,
            node=int(s.depot_node[self.depot]),
            value=sum(kits for _, kits, _, _ in stops),
        )
        juris = m.network.jurisdiction
        at = int(s.depot_node[self.depot])
        for shelter, kits, route, travel_s in stops:
            node = int(m.shelters.node[shelter])
            if int(route[0]) != at:  # a stop before was cut off: from where the truck is
                route, travel_s = m.on_road.route(self, at, node)
            if route is not None:
                at = yield from m.on_road.drive(self, route, [at, node], travel_s)
            if at != node:  # no way to it is open (sim.agents.on_road): kits stay aboard
                s.pending_kits[shelter] -= kits
                self.kits_aboard += kits
                if shelter not in s.waiting and s.unmet_kits(shelter) >= s.request_min_kits:
                    s.waiting.append(shelter)  # it asks again
                continue
            yield m.env.timeout(s.unload_s)
            s.delivered_kits[shelter] += kits
            s.pending_kits[shelter] -= kits
            if not np.isfinite(s.first_delivery_s[shelter]):
                s.first_delivery_s[shelter] = m.env.now
            s.deliveries.append((m.env.now, shelter, kits))
            if juris[s.depot_node[self.depot]] != juris[m.shelters.node[shelter]]:
                s.across_border_kits[shelter] += kits
            m.recorder.event(
                m.env.now,
                "delivery",
                agent=self.unique_id,
                node=int(m.shelters.node[shelter]),
                value=kits,
            )
        yield from self.go_to_base(at)

    def go_to_base(self, node: int) -> Generator[simpy.Event, None, None]:
        """Drive from ``node`` to the depot the service names, then wait there (simpy process).

        Its own depot, or another one with kits (:meth:`SupplyService.base_for`), and on
        to the next if the kits there were gone when it arrived; with none in reach the
        truck waits at ``node`` until a way opens (:mod:`sim.agents.stranded_trucks`).
        """
        m = self.model
        s = m.supply
        arrived = False
        while True:
            plan = s.base_for(self, node)
            if arrived and (plan is None or plan[0] == self.depot):
                break  # no kits left anywhere it can reach: it waits at this depot
            if plan is None:  # cut off from every depot: it waits there for a way back
                s.stranded.strand(self, node)
                return
            depot, route, travel_s = plan
            self.back_s = m.env.now + travel_s
            claim = 0
            if depot != self.depot:
                s.rebase(self, depot)
                # kits a truck heads for are not also the goal of the next one
                claim = int(min(self.capacity_kits, s.stock_kits[depot] - s.heading_kits[depot]))
                s.heading_kits[depot] += claim
            there = int(s.depot_node[depot])
            end = yield from m.on_road.drive(self, route, [node, there], travel_s)
            s.heading_kits[depot] -= claim
            if end != there:  # a closure ahead left no way on (sim.agents.on_road)
                node = end
                continue  # another depot from where it stopped, or it stays there
            node, arrived = end, True
            s.stock_kits[depot] += self.kits_aboard  # what it could not deliver
            self.kits_aboard = 0
            if s.stock_kits[depot] > 0:
                break  # kits to load here
            # other trucks took the last kits while it drove: on to the next depot
        self.available = True
        s.retry()
