"""Households: residents who receive warnings, decide to leave, and drive or walk to shelter.

State lives in a :class:`~sim.agents.households.HouseholdTable` of arrays (so warnings
are vectorised); a :class:`Household` agent is a thin view of one row whose ``evacuate``
simpy process moves it link by link: vehicles through the link queues of
:mod:`sim.engine.traffic`, pedestrians at walking speed. The shelter is the nearest one
(by current travel time) whose remaining capacity fits the household; its places are
reserved at departure, so no shelter ever holds more than its capacity. A closed link
ahead makes the household re-route from where it is; no route to any open shelter makes
it *stranded*, which is an incident. When roads reopen before any team has been sent, a
stranded household that can now reach a shelter sets off again on its own and its
incident is withdrawn.
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import numpy as np
import simpy

from sim.agents.households import AT_HOME, DEAD, STATE_NAMES, STRANDED

if TYPE_CHECKING:
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel


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
            return  # died or was stranded by a hazard before setting off
        table.set_off(i, m.env.now)
        self._event("depart")
        if self.tracked:
            m.recorder.track(m.env.now, self.unique_id, self.family, int(table.node[i]))
        yield from self._to_shelter(self._reserve())

    def _event(self, kind: str, **extra) -> None:
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

    def _reserve(self) -> tuple[int, np.ndarray] | None:
        """Reserve places at the nearest shelter with room, from where the household is."""
        table, i = self.model.households, self.index
        return self.model.shelters.reserve(
            int(table.node[i]), int(table.size_persons[i]), vehicle=bool(table.has_vehicle[i])
        )

    def _to_shelter(
        self, choice: tuple[int, np.ndarray] | None
    ) -> Generator[simpy.Event, None, None]:
        """Travel to the reserved shelter, choosing again when a link ahead closes.

        ``choice`` is what :meth:`sim.engine.shelters.Shelters.reserve` returned from the
        household's node; None (no open shelter reachable) strands the household.
        """
        m = self.model
        table, i = m.households, self.index
        size = int(table.size_persons[i])
        vehicle = bool(table.has_vehicle[i])
        while True:
            if choice is None:
                table.strand(i)
                self._event("stranded")
                incident = m.dispatcher.report_stranded(int(table.node[i]), size)
                incident.on_reopen = functools.partial(self._leave_if_open, incident)
                return
            shelter, edges = choice
            arrived = yield from self._travel(edges, vehicle)
            if table.state[i] == DEAD:
                m.shelters.release(shelter, size)
                return
            if arrived:
                break
            m.shelters.release(shelter, size)  # a closure ahead: choose again from here
            choice = self._reserve()
        m.shelters.arrive(shelter, size)
        table.arrive(i, shelter, m.env.now)
        self._event("arrive_shelter")

    def _leave_if_open(self, incident: Incident) -> bool:
        """Roads reopened: set off again if a shelter is now reachable (True if it did).

        The household's incident is withdrawn (no team has been sent yet; the commands
        ask only then) and it travels on from where it was stranded.
        """
        m = self.model
        table, i = m.households, self.index
        if table.state[i] != STRANDED:
            return False
        choice = self._reserve()
        if choice is None:
            return False
        table.resume(i)
        self._event("resume", incident=incident.id)
        m.dispatcher.withdraw(incident)
        m.env.process(self._to_shelter(choice))
        return True

    def _travel(self, edges: np.ndarray, vehicle: bool) -> Generator[simpy.Event, None, bool]:
        """Follow ``edges``; return False (at the current node) if one ahead has closed."""
        m = self.model
        table, i = m.households, self.index
        target = m.network.edge_target
        traffic = m.traffic
        walk_s = m.walk_time_s
        previous = -1
        for edge in edges:
            edge = int(edge)
            if table.state[i] == DEAD or m.roads.closed_for(vehicle)[edge]:
                if previous >= 0:
                    traffic.leave(previous)
                return False
            if vehicle:
                yield from traffic.enter(edge)
                if previous >= 0:
                    traffic.leave(previous)
                yield m.env.timeout(traffic.exit_time_s(edge) - m.env.now)
                previous = edge
            else:
                yield m.env.timeout(walk_s[edge])
            table.node[i] = target[edge]
            if self.tracked:
                m.recorder.track(m.env.now, self.unique_id, self.family, int(target[edge]))
        if previous >= 0:
            traffic.leave(previous)
        return True
