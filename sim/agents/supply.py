"""Supply trucks carry relocation kits from depots to shelters as shelters fill.

A shelter needs ``kits_per_person`` kits per occupant. When an arrival leaves its unmet
need (need minus kits delivered or on the way) at ``request_min_kits`` or more, it asks
for supplies. The request goes to the nearest depot (by current vehicle travel time) that has stock
and a free truck, on the shelter's own side (any side of one joint command, which
shares depots). A depot of another side sends its truck only when it gets there before
any of the own side's trucks would, one on its way home included (the service knows
when each truck is due back): otherwise a joint command would haul kits across the
border both ways, each side's trucks away on long trips when their own shelters ask.
A truck loads what the request needs (up to its capacity and the stock), drives at
free-flow speed, unloads, and returns; a need larger than one truck takes further
trucks, each chosen the same way. Need that no depot can serve now waits in
first-in-first-out order and is retried whenever a truck comes home.

A truck goes where the stock is. After unloading it drives back to its depot if that
depot still has kits and a road open to it; otherwise to the nearest depot (by current
vehicle travel time from the shelter) that has kits and that its command may draw on
(its own side's; under a joint command, the shared depots of either side) and is not
where the hazard makes staying unsafe now, and is based there from then on (event
``truck_rebased``). Free trucks at a depot whose last kits were just loaded move the
same way. Reserves are held at several levels down to
the village point (``../shared/DOMAIN.md``, *Forces and materials*): when a flood cuts
off a county depot, the trucks carry on from the reserves that are left instead of
parking at the last shelter they served. With no depot with kits in reach, a truck goes
home if it can, else stays where it is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd
import simpy

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.network.trees import ShortestPathTree


class SupplyTruck(mesa.Agent):
    """One truck based at a depot."""

    family = "truck"

    def __init__(self, model: EmergencyModel, *, depot: int, capacity_kits: int) -> None:
        super().__init__(model)
        self.depot = depot
        self.capacity_kits = capacity_kits
        self.available = True
        #: When the truck is expected back at its depot (s; inf: cut off from it).
        self.back_s = 0.0
        #: The side (jurisdiction index) of the depot it started at: its command's.
        self.side = -1

    def deliver(
        self, shelter: int, kits: int, route: np.ndarray, travel_s: float
    ) -> Generator[simpy.Event, None, None]:
        """Drive ``kits`` to ``shelter`` along ``route``, unload, and return (simpy process).

        The supply service has already taken the truck (``available`` is False).
        """
        m = self.model
        s = m.supply
        m.recorder.event(
            m.env.now,
            "truck_dispatch",
            agent=self.unique_id,
            node=int(s.depot_node[self.depot]),
            value=kits,
        )
        self._trace(route)
        yield m.env.timeout(travel_s + s.unload_s)
        s.delivered_kits[shelter] += kits
        s.pending_kits[shelter] -= kits
        if not np.isfinite(s.first_delivery_s[shelter]):
            s.first_delivery_s[shelter] = m.env.now
        s.deliveries.append((m.env.now, shelter, kits))
        juris = m.network.jurisdiction
        if juris[s.depot_node[self.depot]] != juris[m.shelters.node[shelter]]:
            s.across_border_kits[shelter] += kits
        m.recorder.event(
            m.env.now,
            "delivery",
            agent=self.unique_id,
            node=int(m.shelters.node[shelter]),
            value=kits,
        )
        yield from self.go_to_base(int(m.shelters.node[shelter]))

    def go_to_base(self, node: int) -> Generator[simpy.Event, None, None]:
        """Drive from ``node`` to the depot the service names, then wait there (simpy process).

        Its own depot, or another one with kits (:meth:`SupplyService.base_for`), and on
        to the next if the kits there were gone when it arrived; with none in reach the
        truck stays at ``node`` and is not available again.
        """
        m = self.model
        s = m.supply
        while True:
            plan = s.base_for(self, node)
            if plan is None:
                self.back_s = np.inf
                return  # cut off from every depot it could load at: it stays where it is
            depot, route, travel_s = plan
            self.back_s = m.env.now + travel_s
            if depot != self.depot:
                s.rebase(self, depot)
            self._trace(route)
            yield m.env.timeout(travel_s)
            node = int(s.depot_node[depot])
            if s.stock_kits[depot] > 0 or (s.base_for(self, node) or (depot,))[0] == depot:
                break  # kits to load here, or none anywhere it can reach
            # other trucks took the last kits while it drove: on to the next depot
        self.available = True
        s.retry()

    def _trace(self, route: np.ndarray) -> None:
        m = self.model
        weights = m.roads.router("vehicle").weights_s
        edges = m.network.edge_ids(route[:-1], route[1:])
        times = m.env.now + np.concatenate(([0.0], np.cumsum(weights[edges])))
        m.recorder.track_route(times, self.unique_id, self.family, route)


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
        n = model.shelters.n
        self.delivered_kits = np.zeros(n, dtype=np.int64)
        self.pending_kits = np.zeros(n, dtype=np.int64)
        self.first_delivery_s = np.full(n, np.inf)
        self.deliveries: list[tuple[float, int, int]] = []
        #: Kits each shelter received from a depot of another jurisdiction.
        self.across_border_kits = np.zeros(n, dtype=np.int64)
        self.waiting: deque[int] = deque()

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

    def unmet_kits(self, shelter: int) -> int:
        """Kits the shelter still needs beyond those delivered or on the way."""
        need = int(np.ceil(self.model.shelters.occupants_persons[shelter] * self.kits_per_person))
        return need - int(self.delivered_kits[shelter]) - int(self.pending_kits[shelter])

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
            if not self._serve(shelter):
                self.waiting.append(shelter)

    def retry(self) -> None:
        """Serve waiting requests, oldest first, as far as trucks and stock allow."""
        for _ in range(len(self.waiting)):
            shelter = self.waiting.popleft()
            if self.unmet_kits(shelter) > 0 and not self._serve(shelter):
                self.waiting.append(shelter)

    def _serve(self, shelter: int) -> bool:
        """Send trucks to ``shelter`` until its need is covered; False if some is left.

        Each truck comes from the nearest depot (current vehicle travel time) that has
        stock and a free truck, on the shelter's own side unless depots are shared; it
        loads what is still needed, up to its capacity and the stock. A truck is taken
        the moment it is chosen, so one truck never leaves twice at the same instant.
        """
        while self.unmet_kits(shelter) > 0:
            choice = self._nearest_truck(shelter)
            if choice is None:
                return False
            truck, travel_s = choice
            kits = int(
                min(truck.capacity_kits, self.stock_kits[truck.depot], self.unmet_kits(shelter))
            )
            self.stock_kits[truck.depot] -= kits
            self.pending_kits[shelter] += kits
            truck.available = False
            if self.stock_kits[truck.depot] == 0:
                self._move_idle(truck.depot)
            node = int(self.model.shelters.node[shelter])
            home_s = float(self.depot_tree(truck.depot, node, reverse=True).time_s[node])
            truck.back_s = self.model.env.now + travel_s + self.unload_s + home_s
            route = self.depot_tree(truck.depot, node).path(node)
            self.model.env.process(truck.deliver(shelter, kits, route, travel_s))
        return True

    def base_for(self, truck: SupplyTruck, node: int) -> tuple[int, np.ndarray, float] | None:
        """Where ``truck`` at ``node`` goes to be based: depot, node route and time (s).

        Its own depot if it has kits and a road open to it; else the nearest depot with
        kits of its command (see the module docs) where the hazard does not make staying
        unsafe now; else its own depot if in reach (with nothing left to load anywhere
        it can reach). None: cut off from all of them.
        """
        m = self.model
        own = self.depot_tree(truck.depot, node, reverse=True)
        home_s = float(own.time_s[node])
        if self.stock_kits[truck.depot] > 0 and np.isfinite(home_s):
            return truck.depot, own.path(node), home_s
        juris = m.network.jurisdiction
        mine = m.linkage.group[juris[self.depot_node]] == m.linkage.group[truck.side]
        safe = ~m.hazards.unsafe_now()[self.depot_node]  # no crew is based in the water
        stocked = np.flatnonzero(mine & safe & (self.stock_kits > 0))
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
        for d in np.flatnonzero(np.isfinite(ready_s)):
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

    def _unsafe_depots(self) -> dict:
        hit = np.isfinite(self.depot_unsafe_s)
        sides = sorted(set(self.depot_juris[hit].tolist()))
        return {
            "depots": int(hit.sum()),
            "kits_left": int(self.stock_kits[hit].sum()),
            "kits_left_by_jurisdiction": {
                str(side): int(self.stock_kits[hit & (self.depot_juris == side)].sum())
                for side in sides
            },
        }

    def need_met_share(self, at_s: float, arrivals: pd.DataFrame) -> float:
        """Share of kit need met at time ``at_s`` (delivered / needed by occupants then)."""
        occupants = arrivals.loc[arrivals["time_s"] <= at_s, "value"].sum()
        need = occupants * self.kits_per_person
        delivered = sum(k for t, _, k in self.deliveries if t <= at_s)
        return float(min(delivered / need, 1.0)) if need > 0 else float("nan")

    def summary(self, events: pd.DataFrame) -> dict[str, float]:
        """Supply figures for ``summary.json``.

        ``shelters_used``/``shelters_supplied``: shelters that received anyone / any kits;
        ``trucks_rebased``: moves of a truck to another depot (module docs);
        ``unsafe_depots``: depots the hazard made unsafe at some time, and the kits left
        in them at the horizon, in all and per side (:meth:`note_unsafe`);
        ``first_delivery_wait_median_s``: median wait from a shelter's first arrival to its
        first delivery (inf for shelters never supplied); ``need_met_share_<h>h``: kits
        delivered by hour h over the kits the persons sheltered by then need (NaN beyond
        the horizon or before anyone is sheltered).
        """
        shelters = self.model.shelters
        arrivals = events[events["kind"] == "arrive_shelter"]
        used = np.isfinite(shelters.first_arrival_s)
        wait = self.first_delivery_s[used] - shelters.first_arrival_s[used]
        out = {
            "shelters_used": int(used.sum()),
            "shelters_supplied": int(np.isfinite(self.first_delivery_s).sum()),
            "first_delivery_wait_median_s": float(np.median(wait)) if wait.size else float("nan"),
            "trucks_rebased": self.trucks_rebased,
            "unsafe_depots": self._unsafe_depots(),
        }
        horizon_s = self.model.scenario.horizon_s
        for hours in (6, 12, 24):
            out[f"need_met_share_{hours}h"] = (
                self.need_met_share(hours * 3600.0, arrivals)
                if hours * 3600 <= horizon_s
                else float("nan")
            )
        return out

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
