"""Mandatory transfer (三个必转, ``docs/DOMAIN.md``): responders clear an ``immediate`` zone.

An ``immediate`` order is mandatory. When a side issues one, its community responders
sweep the zone: every node with households still at home becomes one ``transfer``
incident (:meth:`Transfers.sweep`). At the door (``behaviour.door_knock_min_per_household``
per household) everyone still at home who can leave is made to leave at once: those
who refused the order, those still packing, and those no channel reached. The
vulnerable (``population.vulnerable_share``: elderly living alone, disabled, no means to
leave) are taken out by the team in trips like any rescue (:mod:`sim.agents.rescue`:
``carry_persons`` per trip, ``extraction_min_per_person["transfer"]`` each, to the
nearest safe shelter with room). A household whose need shows later (a door-knock
visit, the sight of the hazard) gets a visit of its own. When no responder of the
side is free, a ground team takes the transfer (:mod:`sim.agents.transfer_help`).

A transfer is planned work, and a threat to life comes first (the triage of
:mod:`sim.engine.incidents`). So between two doors, and at a shelter between two trips
with the vulnerable, the team answers a threat to life that waits for its tier and that
it can reach (:meth:`sim.agents.waiting.WaitingQueues.call_away`): it sets off from where
it is, and the doors not yet knocked and the vulnerable not yet taken out go back to the
commands as the same transfer (``transfer_handed_back``), for the next team free. A
team still on its way to a transfer is diverted to a threat to life it reaches before
any free team (:mod:`sim.agents.divert`).
Without this, one responder held a whole village's doors for hours (3 min a door)
while people exposed to gas in the next village waited for teams from farther away.

The responder brings the command's order as it stands when it knocks: where a toxic
plume is there or arrives before people sent out at once could walk out of its forecast
footprint (:mod:`sim.agents.protective`, for an ``auto`` order), everyone at home at the
doors, the vulnerable too, is told to shut the home and shelter in place instead of
being sent out into the gas (the incident's ``persons_sheltered_in_place``).

*Transferred* persons are those the responders took out and the refusers they made
leave. A transfer is rescue workload with travel and capacity, but it is planned
assistance, not people in danger: it is left out of the response-coverage measure
(:data:`sim.engine.incidents.NOT_EMERGENCIES`); in the triage of waiting incidents it
comes after threats to life, and community teams take it before door-knocking rounds of
lower levels (:mod:`sim.agents.door_knock`).
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.agents.households import AT_HOME, DEAD, SHELTERED, SHELTERING
from sim.engine.incidents import record_at_incident

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel

#: Who transfers residents: the community responders of the village (ground teams when
#: none is free, :mod:`sim.agents.transfer_help`).
TRANSFER_TIERS = ("community",)


class Transfers:
    """Transfer requests of a run and their incidents.

    Parameters
    ----------
    model
        The run.
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        n = model.households.n
        self.incidents: list[Incident] = []
        #: Households the responders take out (each at most once).
        self.requested = np.zeros(n, dtype=bool)
        #: Households a sweep visits at the door (each at most once).
        self.swept = np.zeros(n, dtype=bool)
        #: Households that refused an ``immediate`` order.
        self.refused = np.zeros(n, dtype=bool)
        #: Refusers the responders made leave, and the transfer incident where (id).
        self.forced = np.zeros(n, dtype=bool)
        self.forced_at = np.full(n, -1, dtype=np.int64)
        #: Vulnerable households a team got out of their homes alive.
        self.taken = np.zeros(n, dtype=bool)
        self.knock_s = model.scenario.behaviour.door_knock_min_per_household * 60.0
        #: When the responders were done at the doors of each transfer incident (by id).
        self.doors_done_s: dict[int, float] = {}
        #: Per side, times a team left a transfer for a threat to life (:meth:`hand_back`).
        self.handed_back = np.zeros(len(model.network.jurisdiction_names), dtype=np.int64)
        #: Transfers handed back that no team has reached since: id -> (incident, since s).
        self._back_since: dict[int, tuple[Incident, float]] = {}
        #: Per side, seconds from a hand-back to the next team's arrival (:meth:`arrived`).
        self.back_wait_s: list[list[float]] = [[] for _ in model.network.jurisdiction_names]

    def refuse(self, rows: np.ndarray) -> None:
        """Households ``rows`` refused an ``immediate`` order: they are to be made to leave.

        Each is logged once (``transfer_requested``), as the vulnerable are when a team
        is asked to take them out.
        """
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        self._log_asked(rows)
        self.refused[rows] = True

    def _log_asked(self, rows: np.ndarray) -> None:
        """Log ``transfer_requested`` for the households ``rows`` not asked for before."""
        for row in rows[~(self.requested[rows] | self.refused[rows])]:
            self.model.household_agents[int(row)].record("transfer_requested")

    def sweep(
        self, carry: np.ndarray, visit: np.ndarray, *, level: int = 3, action: str = "auto"
    ) -> None:
        """Take out ``carry`` and make ``visit`` leave at the door: one incident per node.

        ``carry`` are vulnerable households; ``visit`` households at home that can leave
        on their own (refusers, packing, not yet warned); ``level`` is the order they
        hear at the door, ``action`` its protective action (module docs).
        """
        m = self.model
        t = m.households
        carry = np.unique(np.asarray(carry, dtype=np.int64))
        carry = carry[~self.requested[carry]]
        visit = np.unique(np.asarray(visit, dtype=np.int64))
        visit = np.setdiff1d(visit[~self.swept[visit] & ~self.requested[visit]], carry)
        if carry.size == 0 and visit.size == 0:
            return
        self._log_asked(carry)
        self.requested[carry] = True
        self.swept[visit] = True
        for node in np.unique(np.concatenate([t.node[carry], t.node[visit]])):
            mine = carry[t.node[carry] == node]
            door = visit[t.node[visit] == node]
            incident = m.dispatcher.new_incident(
                kind="transfer",
                node=int(node),
                persons=int(t.size_persons[mine].sum()),
                tiers=TRANSFER_TIERS,
                households=tuple(int(r) for r in mine),
            )
            incident.on_arrival = functools.partial(self._at_door, incident, door, level, action)
            self.incidents.append(incident)

    def _at_door(
        self, incident: Incident, rows: np.ndarray, level: int, action: str, team: RescueTeam
    ) -> Generator[simpy.Event, None, bool]:
        """Send out everyone at home at the doors; take the vulnerable along (sub-process).

        Or, where the command now orders shelter in place (module docs), tell them all
        to stay in (:meth:`_keep_in`).

        The visit is a ``door_knock`` by ``team``; households that had not heard the
        order hear it as the team arrives (``warned``). Door by door, the vulnerable's
        first, ``knock_s`` each: a household made to leave sets off when its door is
        done; those who had not refused the order acted at this contact (the warnings
        summary counts them so), the refusers count as transferred. Between two doors
        the team answers a threat to life that waits for it (module docs): it is called
        away and the doors left and the vulnerable are handed back (:meth:`hand_back`).
        Returns True when it was called away.
        """
        m = self.model
        t = m.households
        now = m.env.now
        came_for = np.asarray(incident.households, dtype=np.int64)  # the vulnerable
        rows = rows[(t.state[rows] == AT_HOME) & ~self.requested[rows]]
        visits = came_for.size + rows.size
        home = np.concatenate([came_for[t.state[came_for] == AT_HOME], rows])
        m.recorder.event(
            now,
            "door_knock",
            agent=team.unique_id,
            node=incident.node,
            jurisdiction=m.jurisdiction_name(incident.jurisdiction),
            tier=team.tier.name,
            value=int(t.size_persons[home].sum()),
        )
        self._tell(rows, level)
        seal = m.protective.shelter_in_place_at  # sent out at once: no pre-movement
        if action == "auto" and seal(incident.jurisdiction, incident.node, leave_s=0.0):
            m.door_knocking.knocks[incident.jurisdiction] += visits
            self._keep_in(incident, home, came_for)
            yield m.env.timeout(self.knock_s * visits)
            self.doors_done_s[incident.id] = m.env.now
            return False
        for k in range(visits):
            if k and m.dispatcher.call_away(team, incident.target_node):
                left = rows[max(k - came_for.size, 0) :]
                self.hand_back(incident, team, left, level, action)
                return True
            m.door_knocking.knocks[incident.jurisdiction] += 1
            row = int(rows[k - came_for.size]) if k >= came_for.size else -1
            leaves = row >= 0 and self._at_their_door(incident, row)
            yield m.env.timeout(self.knock_s)
            if leaves and t.state[row] == AT_HOME:
                t.plan_departure(np.array([row]), np.array([m.env.now]))
                m.env.process(m.household_agents[row].evacuate(m.env.now))
        self.doors_done_s[incident.id] = m.env.now
        return False

    def _tell(self, rows: np.ndarray, level: int) -> None:
        """Households ``rows`` hear the order at ``level`` now (``warned``), if not yet."""
        m = self.model
        t = m.households
        now = m.env.now
        unwarned = rows[t.warned_level[rows] < level]
        t.warn(unwarned, level, np.full(unwarned.size, now))
        # a channel's message still on its way: the knock brings the order first
        early = rows[(t.warned_level[rows] >= level) & (t.warned_time_s[rows] > now)]
        t.warned_time_s[early] = now
        told = np.concatenate([unwarned, early])
        if told.size:
            m.recorder.events_bulk(
                np.full(told.size, now),
                "warned",
                agent=m.household_ids[told],
                node=t.node[told],
                jurisdiction=[m.jurisdiction_name(j) for j in t.jurisdiction[told]],
                value=t.size_persons[told],
            )

    def _at_their_door(self, incident: Incident, row: int) -> bool:
        """Knock at household ``row``'s door: return True if it is to leave when done.

        A vulnerable one joins those the team takes out; one gone meanwhile is passed.
        """
        t = self.model.households
        if t.state[row] != AT_HOME or self.requested[row]:
            return False
        if t.vulnerable[row]:
            self._log_asked(np.array([row]))
            self.requested[row] = True
            incident.add_households([row], int(t.size_persons[row]))
            return False
        if self.refused[row]:
            self.forced[row] = True
            self.forced_at[row] = incident.id
        elif t.acted_at_contact[row] == 0:
            t.acted_at_contact[row] = t.contacts[row]
        return True

    def hand_back(
        self,
        incident: Incident,
        team: RescueTeam,
        rows: np.ndarray | None = None,
        level: int = 3,
        action: str = "auto",
    ) -> None:
        """Hand transfer ``incident`` back to the commands: its team was called away.

        The doors ``rows`` not yet knocked and the vulnerable not yet taken out wait for
        the next team the commands send (``transfer_handed_back``, at the incident).
        ``rows`` None: the team was diverted on its way (:mod:`sim.agents.divert`), and
        the doors wait as they were.
        """
        m = self.model
        incident.dispatched.pop(TRANSFER_TIERS[0], None)
        self.handed_back[incident.jurisdiction] += 1
        self._back_since.setdefault(incident.id, (incident, m.env.now))
        if rows is None:  # the doors of the visit still to come (its arguments, _at_door's)
            arrival = incident.on_arrival
            rows = arrival.args[1] if arrival is not None else np.zeros(0, dtype=np.int64)
        elif rows.size:
            incident.on_arrival = functools.partial(self._at_door, incident, rows, level, action)
        t = m.households
        left = rows[t.state[rows] == AT_HOME]
        record_at_incident(
            m, "transfer_handed_back", incident, tier=team.tier.name, agent=team.unique_id,
            value=int(t.size_persons[left].sum()) + max(incident.persons_left, 0),
        )  # fmt: skip
        m.dispatcher.reassign(incident, TRANSFER_TIERS[0])

    def _keep_in(self, incident: Incident, home: np.ndarray, came_for: np.ndarray) -> None:
        """Households ``home`` shelter in place; the vulnerable ``came_for`` stay in.

        Those of ``came_for`` already sealed in stay so; all leave the waiting line.
        """
        m = self.model
        t = m.households
        acting = home[t.acted_at_contact[home] == 0]
        t.acted_at_contact[acting] = t.contacts[acting]
        t.shelter_in_place(home)
        for row in home:
            m.household_agents[int(row)].record("shelter_in_place")
        stay = set(home.tolist()) | set(came_for[t.state[came_for] == SHELTERING].tolist())
        incident.keep_in(stay, lambda row: int(t.size_persons[row]))

    def cleared_s(self, incident: Incident) -> float:
        """When ``incident``'s node was cleared: doors done and the vulnerable taken out."""
        doors = self.doors_done_s.get(incident.id, np.inf)
        return max(doors, incident.completed_s) if incident.households else doors

    def transferred_persons(self, juris: int, *, by_ground: bool = False) -> int:
        """Persons of side ``juris`` taken out by the teams or made to leave by them.

        ``by_ground``: only at the transfers a ground team was sent to
        (:mod:`sim.agents.transfer_help`).
        """
        t = self.model.households
        mine = [i for i in self.incidents if i.jurisdiction == juris]
        forced = self.forced & (t.jurisdiction == juris)
        if by_ground:
            ground = {team.unique_id for team in self.model.teams if team.tier.name == "ground"}
            mine = [i for i in mine if i.dispatched.get(TRANSFER_TIERS[0]) in ground]
            forced &= np.isin(self.forced_at, [i.id for i in mine])
        taken = sum(i.persons_rescued for i in mine)
        return int(taken) + int(t.size_persons[forced].sum())

    def arrived(self, incident: Incident) -> None:
        """Note a team at transfer ``incident``: the wait since it was handed back ends."""
        back = self._back_since.pop(incident.id, None)
        if back is not None:
            self.back_wait_s[incident.jurisdiction].append(self.model.env.now - back[1])

    def handed_back_waits(self, juris: int) -> tuple[float, int]:
        """Side ``juris``'s transfers handed back: mean wait for the next team (min), unreached.

        The wait runs from a transfer's first hand-back to the next team's arrival (NaN
        when none was reached again); unreached: those no team reached by now while
        people still waited there.
        """
        waits = self.back_wait_s[juris]
        mean_min = float(np.mean(waits)) / 60.0 if waits else float("nan")
        unreached = sum(
            1 for i, _ in self._back_since.values() if i.jurisdiction == juris and not i.done
        )
        return mean_min, unreached

    def outcome_persons(self, juris: int) -> tuple[int, int]:
        """Persons of side ``juris`` taken out or made to leave: (dead, in a shelter) now.

        Being transferred is no safety by itself: a slide may still catch them on
        their way, or a team find no shelter it can reach.
        """
        t = self.model.households
        moved = (self.taken | self.forced) & (t.jurisdiction == juris)
        dead = int(t.size_persons[moved & (t.state == DEAD)].sum())
        return dead, int(t.size_persons[moved & (t.state == SHELTERED)].sum())

    def requested_persons(self, juris: int) -> int:
        """Persons of side ``juris`` to be taken out (vulnerable) or made to leave (refusers)."""
        t = self.model.households
        mine = (self.requested | self.refused) & (t.jurisdiction == juris)
        return int(t.size_persons[mine].sum())
