"""Supply trucks carry relocation kits from depots to shelters as shelters fill.

A shelter needs ``kits_per_person`` kits per occupant. When an arrival leaves its unmet
need (need minus kits delivered or on the way) at ``request_min_kits`` or more, it asks
for supplies. A request is served from the nearest depot (by current vehicle travel
time) that has stock and a free truck, on the shelter's own side (any side of one joint
command, which shares depots). A depot of another side sends its truck only when it
gets there before any of the own side's trucks would, one on its way home included
(the service knows when each truck is due back): otherwise a joint command would haul
kits across the border both ways, each side's trucks away on long trips when their own
shelters ask.
Requests wait in one queue. Whenever a truck is free, it goes to the waiting shelter
with the smallest share of its need delivered or on the way (ties: the one that asked
first) that a truck can serve (:meth:`SupplyService.retry`): relief by need, not by who
asked first. A truck loads up to its capacity and the stock, drives at free-flow speed,
unloads what that shelter still needs and drops what is left at the nearest other
waiting shelters of its side, up to :data:`MAX_STOPS` stops :data:`HOP_LIMIT_S` apart
at most, then returns. A need larger than one truck takes further trucks, each chosen
the same way. Need that no depot can serve now is retried whenever a truck comes home.

A truck goes where the stock is. After unloading it drives back to its depot if that
depot still has kits and a road open to it; otherwise to the nearest depot (by current
vehicle travel time from the shelter) that has kits and that its command may draw on
(its own side's; under a joint command, the shared depots of either side) and is not
where the hazard makes staying unsafe now, and is based there from then on (event
``truck_rebased``). Free trucks at a depot whose last kits were just loaded move the
same way. Reserves are held at several levels down to the village point
(``../shared/DOMAIN.md``, *Forces and materials*): when a flood cuts off a county
depot, the trucks carry on from the reserves that are left instead of parking at the
last shelter they served. With no safe depot with kits in reach, a truck goes home if
it can and home is safe, else waits where it is until a way opens
(:mod:`sim.agents.stranded_trucks`).
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.agents.stranded_trucks import StrandedTrucks
from sim.agents.supply_summary import supply_summary
from sim.agents.truck import Stop, SupplyTruck

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.network.trees import ShortestPathTree

__all__ = ["HOP_LIMIT_S", "MAX_STOPS", "SupplyService", "SupplyTruck"]

#: Stops of one truck trip, and the longest drive between two of them (s). A model
#: assumption, not from a source: a truck with kits to spare after the shelter it was
#: sent to drops them at shelters nearby that wait too, rather than hauling them back.
MAX_STOPS = 4
HOP_LIMIT_S = 1800.0


class SupplyService:
    """Depots, trucks, shelter needs and pending requests of a run."""

    def __init__(self, model: EmergencyModel, depots: pd.DataFrame) -> None:
        spec = model.scenario.supply
        self.model = model
        self.kits_per_person = spec.kits_per_person
        self.unload_s = spec.unload_min * 60.0
        self.request_min_kits = spec.request_min_kits
        depots = depots.reset_index(drop=True)
        self.depot_node = depots["node"].to_numpy(dtype=np.int64)
        self.depot_juris = depots["jurisdiction"].to_numpy()
        self.stock_kits = depots["stock_kits"].to_numpy(dtype=np.int64).copy()
        self.trucks: list[SupplyTruck] = []
        # a region's depots may give their own trucks; else [supply] trucks_per_depot
        own = depots["trucks"].to_numpy() if "trucks" in depots.columns else None
        for d, level in enumerate(depots["level"]):
            count = spec.trucks_per_depot.get(str(level), 0) if own is None else int(own[d])
            for _ in range(count):
                self.trucks.append(
                    model.truck_class(model, depot=d, capacity_kits=spec.truck_capacity_kits)
                )
        juris = model.network.jurisdiction
        for truck in self.trucks:
            truck.side = int(juris[self.depot_node[truck.depot]])
        #: Trucks that moved to another depot (:meth:`rebase`), counted per move.
        self.trucks_rebased = 0
        #: When the hazard first made each depot's node unsafe (s; inf: never).
        self.depot_unsafe_s = np.full(len(self.depot_node), np.inf)
        #: Per depot, kits that trucks on their way to be based there count on.
        self.heading_kits = np.zeros(len(self.depot_node), dtype=np.int64)
        n = model.shelters.n
        self.delivered_kits = np.zeros(n, dtype=np.int64)
        self.pending_kits = np.zeros(n, dtype=np.int64)
        self.first_delivery_s = np.full(n, np.inf)
        self.deliveries: list[tuple[float, int, int]] = []
        #: Kits each shelter received from a depot of another jurisdiction.
        self.across_border_kits = np.zeros(n, dtype=np.int64)
        self.waiting: deque[int] = deque()
        #: Trucks cut off from every depot, waiting for a way back (:mod:`.stranded_trucks`).
        self.stranded = StrandedTrucks(self)

    def depot_tree(self, depot: int, node: int, *, reverse: bool = False) -> ShortestPathTree:
        """Vehicle shortest-path tree from (or, ``reverse``, to) one depot, exact at ``node``.

        One family of trees per depot and direction, reused while it still holds for the
        shelter asked about (:meth:`sim.network.routing.Router.tree_for`): a run has few
        depots with trucks but many shelters, so one tree per depot replaces one tree
        per request, and a change of the roads away from a route keeps it.
        """
        router = self.model.roads.router("vehicle")
        return router.tree_for(
            np.array([self.depot_node[depot]]),
            node,
            reverse=reverse,
            family=f"depot {depot}",
        )

    def note_unsafe(self, unsafe_nodes: np.ndarray, now_s: float) -> None:
        """Note the depots that the hazard step's unsafe nodes reach for the first time.

        Trucks still load there while a road is open (the module docs); the summary
        counts the kits left in such depots, a siting lesson for the planner.
        """
        hit = unsafe_nodes[self.depot_node] & ~np.isfinite(self.depot_unsafe_s)
        self.depot_unsafe_s[hit] = now_s

    def need_kits(self, shelter: int) -> int:
        """Kits the shelter's occupants need now."""
        return int(np.ceil(self.model.shelters.occupants_persons[shelter] * self.kits_per_person))

    def unmet_kits(self, shelter: int) -> int:
        """Kits the shelter still needs beyond those delivered or on the way."""
        served = int(self.delivered_kits[shelter]) + int(self.pending_kits[shelter])
        return self.need_kits(shelter) - served

    def on_arrival(self, shelter: int) -> None:
        """Ask for kits when arrivals leave ``shelter`` short of enough of them."""
        if shelter not in self.waiting and self.unmet_kits(shelter) >= self.request_min_kits:
            m = self.model
            m.recorder.event(
                m.env.now,
                "supply_request",
                node=int(m.shelters.node[shelter]),
                jurisdiction=str(m.shelters.jurisdiction[shelter]),
                value=self.unmet_kits(shelter),
            )
            self.waiting.append(shelter)
            self.retry()

    def retry(self) -> None:
        """Send trucks to the waiting requests, one truckload at a time, least served first.

        Each truck goes to the waiting shelter with the smallest share of its need
        delivered or on the way (ties: the one that asked first) that a truck can serve
        now; then the shares are compared again. Relief goes by need, so every shelter
        gets something before any gets all: the principle of impartiality (Sphere
        Handbook 2018, *The Humanitarian Charter*). Trucks waiting cut off from every
        depot are first offered their way back (:meth:`StrandedTrucks.resume`).
        """
        self.stranded.resume()
        ready = self._commands_with_a_truck()
        if not ready:
            return  # most calls: every truck is out, or at a depot with no kits left
        m = self.model
        group = m.linkage.group[m.network.jurisdiction[m.shelters.node]]
        # a heap of (share, place in line, shelter), its shares checked when popped: a
        # truck's later stops raise other shelters' shares on the way
        heap = [(self._served_share(sh), k, sh) for k, sh in enumerate(self.waiting)]
        heapq.heapify(heap)
        while heap and ready:
            share, k, shelter = heapq.heappop(heap)
            if self.unmet_kits(shelter) <= 0 or group[shelter] not in ready:
                continue  # met on the way, or no truck of its command can go now
            if self._served_share(shelter) != share:
                heapq.heappush(heap, (self._served_share(shelter), k, shelter))
                continue
            if not self._send_one(shelter):
                continue  # no truck can get there now
            heapq.heappush(heap, (self._served_share(shelter), k, shelter))
            ready = self._commands_with_a_truck()
        self.waiting = deque(sh for sh in self.waiting if self.unmet_kits(sh) > 0)

    def _commands_with_a_truck(self) -> set[int]:
        """Commands (linkage groups) with a free truck at a depot that has kits."""
        m = self.model
        group = m.linkage.group[m.network.jurisdiction[self.depot_node]]
        return {
            int(group[t.depot]) for t in self.trucks if t.available and self.stock_kits[t.depot] > 0
        }

    def _served_share(self, shelter: int) -> float:
        """Share of the shelter's kit need delivered or on the way."""
        need = self.need_kits(shelter)
        served = self.delivered_kits[shelter] + self.pending_kits[shelter]
        return float(served / need) if need > 0 else 1.0

    def _send_one(self, shelter: int) -> bool:
        """Send one truck to ``shelter`` and on to others near it; False if none can go.

        It comes from the nearest depot (current vehicle travel time) that has stock
        and a free truck, on the shelter's own side unless depots are shared, and loads
        up to its capacity and the stock. It unloads what ``shelter`` still needs, then
        what is left at the nearest other waiting shelters of that side, each within
        :data:`HOP_LIMIT_S` of the last, up to :data:`MAX_STOPS` stops. A truck is taken
        the moment it is chosen, so one truck never leaves twice at the same instant.
        """
        choice = self._nearest_truck(shelter)
        if choice is None:
            return False
        truck, travel_s = choice
        load = int(min(truck.capacity_kits, self.stock_kits[truck.depot]))
        node = int(self.model.shelters.node[shelter])
        route = self.depot_tree(truck.depot, node).path(node)
        stops = [(shelter, min(load, self.unmet_kits(shelter)), route, travel_s)]
        stops += self._more_stops(shelter, load - stops[0][1])
        for stop, kits, _, _ in stops:
            self.pending_kits[stop] += kits
        self.stock_kits[truck.depot] -= sum(kits for _, kits, _, _ in stops)
        truck.available = False
        if self.stock_kits[truck.depot] == 0:
            self._move_idle(truck.depot)
        last = int(self.model.shelters.node[stops[-1][0]])
        home_s = float(self.depot_tree(truck.depot, last, reverse=True).time_s[last])
        trip_s = sum(t for _, _, _, t in stops) + len(stops) * self.unload_s
        truck.back_s = self.model.env.now + trip_s + home_s
        self.model.env.process(truck.deliver(stops))
        return True

    def _more_stops(self, first: int, load: int) -> list[Stop]:
        """Further stops for a truck with ``load`` kits left after shelter ``first``.

        Each the nearest waiting shelter of ``first``'s side still short of kits, by
        vehicle travel time from the last stop, within :data:`HOP_LIMIT_S`.
        """
        m = self.model
        shelters = m.shelters
        side = m.network.jurisdiction[shelters.node]
        stops: list[Stop] = []
        taken = {first}
        at = int(shelters.node[first])
        router = m.roads.router("vehicle")
        while load > 0 and len(stops) + 1 < MAX_STOPS:
            near = sorted(
                sh
                for sh in self.waiting
                if sh not in taken and side[sh] == side[first] and self.unmet_kits(sh) > 0
            )
            if not near:
                break
            tree = router.tree(np.array([at]), limit_s=HOP_LIMIT_S)
            times = tree.time_s[shelters.node[near]]
            k = int(np.argmin(times))  # ties: the lowest shelter index
            if not np.isfinite(times[k]):
                break
            shelter, node = near[k], int(shelters.node[near[k]])
            kits = min(load, self.unmet_kits(shelter))
            stops.append((shelter, kits, tree.path(node), float(times[k])))
            taken.add(shelter)
            load -= kits
            at = node
        return stops

    def base_for(self, truck: SupplyTruck, node: int) -> tuple[int, np.ndarray, float] | None:
        """Where ``truck`` at ``node`` goes to be based: depot, node route and time (s).

        Its own depot if it has kits, a road open to it and the hazard does not make
        staying there unsafe now; else the nearest such depot of its command (see the
        module docs) with kits that no other truck on its way there counts on; else its
        own depot if in reach and safe (with nothing left to load anywhere it can
        reach). None: it has nowhere to go.
        """
        m = self.model
        safe = ~m.hazards.unsafe_now()[self.depot_node]  # no crew is based in the water
        own = self.depot_tree(truck.depot, node, reverse=True)
        home_s = float(own.time_s[node]) if safe[truck.depot] else np.inf
        if self.stock_kits[truck.depot] > 0 and np.isfinite(home_s):
            return truck.depot, own.path(node), home_s
        juris = m.network.jurisdiction
        mine = m.linkage.group[juris[self.depot_node]] == m.linkage.group[truck.side]
        free_kits = self.stock_kits - self.heading_kits
        stocked = np.flatnonzero(mine & safe & (free_kits > 0))
        if stocked.size:
            # one tree from where the truck is reaches every depot at once
            tree = m.roads.router("vehicle").tree(np.array([node]))
            times = tree.time_s[self.depot_node[stocked]]
            if np.isfinite(times).any():
                k = int(np.argmin(times))  # ties: the first depot in the region's table
                depot = int(stocked[k])
                return depot, tree.path(int(self.depot_node[depot])), float(times[k])
        if np.isfinite(home_s):
            return truck.depot, own.path(node), home_s
        return None

    def rebase(self, truck: SupplyTruck, depot: int) -> None:
        """Make ``depot`` the base of ``truck`` from now on (event ``truck_rebased``)."""
        m = self.model
        truck.depot = depot
        self.trucks_rebased += 1
        m.recorder.event(
            m.env.now,
            "truck_rebased",
            agent=truck.unique_id,
            node=int(self.depot_node[depot]),
            jurisdiction=str(self.depot_juris[depot]),
            value=int(self.stock_kits[depot]),
        )

    def _move_idle(self, depot: int) -> None:
        """Send the free trucks of ``depot``, just emptied, to a depot with kits."""
        at = int(self.depot_node[depot])
        for truck in self.trucks:
            if truck.available and truck.depot == depot:
                plan = self.base_for(truck, at)
                if plan is not None and plan[0] != depot:
                    truck.available = False
                    self.model.env.process(truck.go_to_base(at))

    def _nearest_truck(self, shelter: int) -> tuple[SupplyTruck, float] | None:
        """Return a free truck of the nearest depot that can send one, and its travel time.

        Depots of the shelter's command with stock and a free truck compete by travel
        time. A depot of another side (a joint command's shared depots) sends its truck
        only if it gets there before any truck of the shelter's own side would, a busy
        one back home first included; otherwise the nearest own free truck goes, or,
        with none free, the request waits for one.
        """
        m = self.model
        juris = m.network.jurisdiction
        side = int(juris[m.shelters.node[shelter]])
        ok = self.stock_kits > 0
        ok &= m.linkage.group[juris[self.depot_node]] == m.linkage.group[side]
        own = juris[self.depot_node] == side
        free = np.zeros(len(self.depot_node), dtype=bool)
        ready_s = np.full(len(self.depot_node), np.inf)
        for truck in self.trucks:
            if ok[truck.depot]:
                free[truck.depot] |= truck.available
                at_s = m.env.now if truck.available else max(truck.back_s, m.env.now)
                ready_s[truck.depot] = min(ready_s[truck.depot], at_s)
        if not free.any():
            return None  # no truck to send now, whoever would be first
        target = int(m.shelters.node[shelter])
        times = np.full(len(self.depot_node), np.inf)
        need = free.copy()  # the depots that can send a truck now, and when another
        if (free & ~own).any():  # side's can, the own side's with a truck due back
            need |= own & np.isfinite(ready_s)
        for d in np.flatnonzero(need):
            times[d] = self.depot_tree(int(d), target).time_s[target]
        own_first_s = float(np.min(ready_s[own] + times[own], initial=np.inf))
        # free trucks of the own side, and of the other sides when they are first there
        send = free & (own | (m.env.now + times < own_first_s))
        if not send.any():
            return None
        depot = int(np.argmin(np.where(send, times, np.inf)))
        if not np.isfinite(times[depot]):
            return None
        truck = next(t for t in self.trucks if t.available and t.depot == depot)
        return truck, float(times[depot])

    def summary(self, events: pd.DataFrame) -> dict:
        """Return the supply figures for ``summary.json`` (:mod:`sim.agents.supply_summary`)."""
        return supply_summary(self, events)

    def kits_across_border(self, juris: int) -> int:
        """Kits that shelters of side ``juris`` received from the other side's depots."""
        m = self.model
        side = m.network.jurisdiction[m.shelters.node]
        return int(self.across_border_kits[side == juris].sum())

    def shelter_columns(self) -> pd.DataFrame:
        """Kits delivered and the first delivery time per shelter (rows as the shelters)."""
        return pd.DataFrame(
            {"kits_delivered": self.delivered_kits, "first_delivery_s": self.first_delivery_s}
        )
