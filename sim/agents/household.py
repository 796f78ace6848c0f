"""Households: residents who receive warnings, decide to leave, and drive or walk to shelter.

State lives in a :class:`~sim.agents.households.HouseholdTable` of arrays (so warnings
are vectorised); a :class:`Household` agent is a thin view of one row whose ``evacuate``
simpy process moves it link by link: vehicles through the link queues of
:mod:`sim.engine.traffic`, pedestrians at walking speed (up to the shelter or the
first closed link in one simpy event, checked with all other walks in each hazard
step, with the same times and checks as link by link: :mod:`sim.agents.walks`). The
shelter is the nearest one
(by current travel time) whose remaining capacity fits the household; its places are
reserved at departure, so no shelter ever holds more than its capacity. A closed link
ahead makes the household re-route from where it is, and so does a hazard reaching its
route (a link ahead became much costlier, see :mod:`sim.engine.roads`) or its shelter
becoming unusable. No route to any usable shelter makes it *stranded*, which is an
incident; no usable shelter with room anywhere makes it *unsheltered*, which is a
capacity problem, not an incident. When roads reopen before any team has been sent, a
stranded household that can now reach a shelter sets off again on its own and its
incident is withdrawn. The occupants of a shelter that becomes unsafe move on to the
next safe shelter (:meth:`Household.relocate`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import numpy as np
import simpy

from sim.agents.households import AT_HOME, DEAD, SHELTERED, STATE_NAMES, STRANDED
from sim.agents.walks import replan_due, route_cost_s

#: What choosing a shelter found: no usable shelter with room anywhere.
NO_ROOM = "no_room"

if TYPE_CHECKING:
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel


def wait_towards(now_s: float, at_s: float) -> float:
    """Return the next wait (s) on the way from ``now_s`` to exactly ``at_s`` (> ``now_s``).

    simpy's clock lands on ``now + delay``. ``at_s - now_s`` may round so that adding it
    back misses ``at_s`` by one unit in the last place; a step or two to the neighbouring
    float mends that. When no float delay lands on ``at_s`` (possible only when
    ``now_s < at_s / 2``), the wait is ``now_s``, to ``2 * now_s`` exactly, from where a
    later wait reaches ``at_s`` (from ``at_s / 2`` on, ``at_s - now`` is exact: Sterbenz's
    lemma). So a walk in one event ends at the time one event per link would give.
    """
    delay = at_s - now_s
    for _ in range(4):
        reached = now_s + delay
        if reached == at_s:
            return delay
        delay = math.nextafter(delay, math.inf if reached < at_s else -math.inf)
    return now_s


class Household(mesa.Agent):
    """One household; its behaviour after deciding to leave is :meth:`evacuate`.

    Parameters
    ----------
    model
        The run.
    index
        Row in ``model.households``.
    tracked
        Record its position at every node for replays.
    """

    family = "household"

    def __init__(self, model: EmergencyModel, index: int, *, tracked: bool = False) -> None:
        super().__init__(model)
        self.index = index
        self.tracked = tracked

    @property
    def size_persons(self) -> int:
        """Persons in the household."""
        return int(self.model.households.size_persons[self.index])

    @property
    def state(self) -> str:
        """Current state name."""
        return STATE_NAMES[self.model.households.state[self.index]]

    def evacuate(self, depart_s: float) -> Generator[simpy.Event, None, None]:
        """Leave home at ``depart_s`` and travel to a shelter (simpy process)."""
        m = self.model
        table, i = m.households, self.index
        yield m.env.timeout(max(depart_s - m.env.now, 0.0))
        if table.state[i] != AT_HOME:
            return  # died, was stranded or sheltered in place before setting off
        choice = self._choose()
        if choice is None and m.hazards.get("plume") is not None:
            # no open way out of a toxic release: shut the home and shelter in place
            # (what guidance prescribes when evacuating is not possible, US EPA/NRC AEGL
            # and ERG 2020 "protect in place"), not wait outside for a team
            table.shelter_in_place(np.array([i]))
            self.record("shelter_in_place")
            return
        table.set_off(i, m.env.now)
        self.record("depart")
        if self.tracked:
            m.recorder.track(m.env.now, self.unique_id, self.family, int(table.node[i]))
        yield from self._to_shelter(choice)

    def relocate(self) -> Generator[simpy.Event, None, None]:
        """Leave a shelter that became unsafe and go on to the next safe one (simpy process)."""
        m = self.model
        table, i = m.households, self.index
        if table.state[i] != SHELTERED:
            return
        m.shelters.leave(int(table.shelter[i]), int(table.size_persons[i]))
        table.leave_shelter(i)
        self.record("relocate")
        if self.tracked:
            m.recorder.track(m.env.now, self.unique_id, self.family, int(table.node[i]))
        yield from self._to_shelter(self._choose())

    def record(self, kind: str, **extra) -> None:
        """Record ``kind`` for this household now, at its node (``value``: its persons)."""
        m = self.model
        table, i = m.households, self.index
        m.recorder.event(
            m.env.now,
            kind,
            agent=self.unique_id,
            node=int(table.node[i]),
            jurisdiction=m.jurisdiction_name(table.jurisdiction[i]),
            value=int(table.size_persons[i]),
            **extra,
        )

    def _choose(self) -> tuple[int, np.ndarray] | str | None:
        """Reserve the nearest usable shelter with room; ``NO_ROOM`` or None (cut off).

        A household with a car drives; when no road is open to cars it leaves the car
        and goes on foot if it can (``leave_car``): in a flood, water between the car
        limit (0.3 m) and the walking limit (0.5 m) stops small vehicles but not people
        on foot (AIDR 2017 *Flood Hazard*, table 7, classes H2 and H3), and a closure
        for methane stops vehicles only.
        """
        m = self.model
        table, i = m.households, self.index
        size = int(table.size_persons[i])
        if not m.shelters.has_room(size):
            return NO_ROOM
        node = int(table.node[i])
        drives = table.drives(i)
        choice = m.shelters.reserve(node, size, vehicle=drives)
        if choice is None and drives:
            choice = m.shelters.reserve(node, size, vehicle=False)
            if choice is not None:
                table.left_car[i] = True
                self.record("leave_car")
        return choice

    def _to_shelter(
        self, choice: tuple[int, np.ndarray] | str | None
    ) -> Generator[simpy.Event, None, None]:
        """Travel to the reserved shelter, choosing again when the way or the shelter fails.

        ``choice`` is what :meth:`_choose` returned from the household's node: None (no
        usable shelter reachable) strands it, ``NO_ROOM`` leaves it unsheltered.
        """
        m = self.model
        table, i = m.households, self.index
        size = int(table.size_persons[i])
        while True:
            if choice == NO_ROOM:
                table.unshelter(i)
                self.record("unsheltered")
                return
            if choice is None:
                table.strand(i)
                self.record("stranded")
                incident = m.dispatcher.report_stranded(int(table.node[i]), size, row=i)
                incident.on_reopen = functools.partial(self._leave_if_open, incident)
                m.operations.hold_cut_off(incident)
                return
            shelter, edges = choice
            arrived = yield from self._travel(edges, table.drives(i), shelter)
            if table.state[i] == DEAD:
                m.shelters.release(shelter, size)
                return
            if arrived:
                break
            m.shelters.release(shelter, size)  # the way or the shelter failed: choose again
            choice = self._choose()
        m.shelters.arrive(shelter, size)
        table.arrive(i, shelter, m.env.now)
        self.record("arrive_shelter")

    def _leave_if_open(self, incident: Incident) -> bool:
        """Roads reopened: set off again if a shelter is now reachable (True if it did).

        The household's incident is withdrawn (no team has been sent yet; the commands
        ask only then) and it travels on from where it was stranded.
        """
        m = self.model
        table, i = m.households, self.index
        if table.state[i] != STRANDED:
            return False
        node = int(table.node[i])
        by_car = (True, False) if table.drives(i) else (False,)  # else on foot
        if not any(m.shelters.can_reach(node, vehicle=car) for car in by_car):
            return False
        choice = self._choose()
        if choice is None or choice == NO_ROOM:
            return False
        table.resume(i)
        self.record("resume", incident=incident.id)
        m.dispatcher.withdraw(incident)
        m.env.process(self._to_shelter(choice))
        return True

    def _travel(
        self, edges: np.ndarray, vehicle: bool, shelter: int
    ) -> Generator[simpy.Event, None, bool]:
        """Follow ``edges``; return False (at the current node) when it must choose again.

        It must when a link ahead closed, when its shelter stopped being usable, or when
        the road state changed and the rest of the route now costs more than planned
        (:func:`~sim.agents.walks.replan_due`: a hazard reached the route).
        """
        m = self.model
        table, i = m.households, self.index
        roads, shelters, traffic, env = m.roads, m.shelters, m.traffic, m.env
        state, where = table.state, table.node
        target = m.network.edge_target
        walk_s = m.walk_time_s
        router = m.roads.router("vehicle" if vehicle else "walk")
        version = router.version
        edges = np.asarray(edges, dtype=np.int64)
        planned = np.asarray(router.weights_s)[edges]
        to_go_s = np.concatenate((np.cumsum(planned[::-1])[::-1], [0.0]))
        to_go = to_go_s.tolist()
        previous = -1
        tracked = self.tracked
        hop = not vehicle and not tracked
        n_links = len(edges)
        edge_list = edges.tolist()
        reached = target[edges].tolist()  # the node at the end of each link
        k = 0
        # one pass per link, so the checks read plain Python scalars; the arrays a hazard
        # step replaces (closures, usable shelters) are looked up again at every link
        while k < n_links:
            edge = edge_list[k]
            closed = roads.closed_vehicle if vehicle else roads.closed_walk
            turn_back = bool(state[i] == DEAD or closed[edge] or not shelters.usable[shelter])
            if not turn_back and router.version != version:
                version = router.version
                now_cost = route_cost_s(np.asarray(router.weights_s), edges[k:])
                turn_back = replan_due(now_cost, to_go[k])
            if turn_back:
                if previous >= 0:
                    traffic.leave(previous)
                return False
            if vehicle:
                delay = traffic.advance(edge, previous)
                if type(delay) is not float:  # the link is full: wait for room on it
                    yield delay
                    delay = traffic.move_on(edge, previous)
                yield env.timeout(delay)
                previous = edge
            elif hop:
                k, version = yield from self._walk_on(edges, k, to_go_s, version, shelter)
            else:
                yield env.timeout(walk_s[edge])
            where[i] = reached[k]
            if tracked:
                m.recorder.track(env.now, self.unique_id, self.family, reached[k])
            k += 1
        if previous >= 0:
            traffic.leave(previous)
        return True

    def _walk_on(
        self, edges: np.ndarray, k: int, to_go_s: np.ndarray, version: int, shelter: int
    ) -> Generator[simpy.Event, None, tuple[int, int]]:
        """Walk link ``k`` and on, up to the first closed link or a check that stops it.

        Returns the last link walked and the walking router's version the route was
        last checked against. The checks at the nodes on the way are done for all
        walkers at once at each planned change (:mod:`sim.agents.walks`), which
        interrupts a walk that must stop sooner: it ends at its next node. Times add
        link by link, as one event per link would.
        """
        m = self.model
        env, walks = m.env, m.walks
        closed = m.roads.closed_walk[edges[k + 1 :]]
        ahead = int(closed.argmax()) if closed.any() else len(closed)  # open links after k
        if ahead == 0:
            yield env.timeout(m.walk_time_s[edges[k]])
            return k, version
        arrive_s = np.cumsum(np.concatenate(([env.now], m.walk_time_s[edges[k:]])))[1:]
        row = self.index
        walks.begin(
            row,
            edges[k:],
            arrive_s,
            to_go_s[k + 1 :],
            stop=ahead,
            version=version,
            shelter=shelter,
            from_node=int(m.households.node[row]),
        )
        try:
            while env.now != (at_s := float(arrive_s[walks.stop_of(row)])):
                try:
                    yield env.timeout(wait_towards(env.now, at_s))
                except simpy.Interrupt:  # the walk must stop sooner: stop_of says where
                    walks.heard(row)
        finally:
            stop, version = walks.finish(row)
        return k + stop, version
