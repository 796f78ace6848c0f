"""Households: residents who receive warnings, decide to leave, and drive or walk to shelter.

State lives in a :class:`~sim.agents.households.HouseholdTable` of arrays (so warnings
are vectorised); a :class:`Household` agent is a thin view of one row whose ``evacuate``
simpy process moves it link by link: vehicles through the link queues of
:mod:`sim.engine.traffic`, pedestrians at walking speed (several links in one simpy
event while nothing they check can change, with the same times and checks as link by
link: :meth:`Household._walk_on`). The shelter is the nearest one
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

#: A re-plan is due when the rest of the route got this much costlier (share, seconds).
REPLAN_SHARE, REPLAN_S = 0.1, 30.0
#: What choosing a shelter found: no usable shelter with room anywhere.
NO_ROOM = "no_room"

if TYPE_CHECKING:
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel


def delay_to(now_s: float, at_s: float) -> float:
    """Return the delay that simpy's ``now + delay`` turns into ``at_s`` (>= ``now_s``).

    ``at_s - now_s`` may round so that adding it back misses ``at_s`` by one unit in
    the last place; a step or two to the neighbouring float mends that.
    """
    delay = at_s - now_s
    for _ in range(4):
        reached = now_s + delay
        if reached == at_s:
            break
        delay = math.nextafter(delay, math.inf if reached < at_s else -math.inf)
    return delay


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
        """Reserve the nearest usable shelter with room; ``NO_ROOM`` or None (cut off)."""
        m = self.model
        table, i = m.households, self.index
        size = int(table.size_persons[i])
        if not m.shelters.has_room(size):
            return NO_ROOM
        return m.shelters.reserve(int(table.node[i]), size, vehicle=bool(table.has_vehicle[i]))

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
        vehicle = bool(table.has_vehicle[i])
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
                return
            shelter, edges = choice
            arrived = yield from self._travel(edges, vehicle, shelter)
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
        if not m.shelters.can_reach(int(table.node[i]), vehicle=bool(table.has_vehicle[i])):
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
        (``REPLAN_SHARE`` and ``REPLAN_S`` over it: a hazard reached the route).
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
        to_go = np.concatenate((np.cumsum(planned[::-1])[::-1], [0.0])).tolist()
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
                now_cost = float(np.asarray(router.weights_s)[edges[k:]].sum())
                turn_back = now_cost > to_go[k] * (1.0 + REPLAN_SHARE) + REPLAN_S
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
                k = yield from self._walk_on(edge_list, k, closed)
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
        self, edges: list[int], k: int, closed: np.ndarray
    ) -> Generator[simpy.Event, None, int]:
        """Walk link ``k`` and those after it reached before the next change; return the last.

        On foot nothing the checks of :meth:`_travel` read changes before the next
        hazard step or scripted closure (:mod:`sim.engine.changes`): the nodes reached
        before then pass them as this one did, unless their link is closed, so one
        simpy event covers those links. Times add link by link, as one event per link
        would. A change nobody scheduled (a researcher's own process closing roads)
        interrupts the walk: the household finishes the link it is on and is checked
        again at its end.
        """
        m = self.model
        env, walk_s = m.env, m.walk_time_s
        arrive_s = [env.now + walk_s[edges[k]]]
        barrier_s = m.changes.next_s()
        while (
            k + len(arrive_s) < len(edges)
            and arrive_s[-1] < barrier_s
            and not closed[edges[k + len(arrive_s)]]
        ):
            arrive_s.append(arrive_s[-1] + walk_s[edges[k + len(arrive_s)]])
        if len(arrive_s) == 1:
            yield env.timeout(walk_s[edges[k]])
            return k
        m.changes.walking_on[self.index] = env.active_process
        try:
            while True:
                try:
                    yield env.timeout(delay_to(env.now, arrive_s[-1]))
                    break
                except simpy.Interrupt:
                    done = sum(1 for t in arrive_s if t <= env.now)  # links walked by now
                    if done:
                        m.households.node[self.index] = m.network.edge_target[edges[k + done - 1]]
                    arrive_s = arrive_s[: done + 1]
        finally:
            del m.changes.walking_on[self.index]
        return k + len(arrive_s) - 1
