"""Command: turns incidents into dispatches under the linkage policy between jurisdictions.

Policies (``PolicySpec.linkage``):

- ``separate`` and ``notify``: each side dispatches only its own teams (``notify`` differs
  in warnings, see :mod:`sim.agents.warning`);
- ``mutual_aid``: own teams first; when no own team can arrive within the tier's
  standard, the side requests aid, and after ``mutual_aid_request_delay_min`` the other
  side sends its nearest free team if that one would arrive before the own team;
- ``joint``: one command; the nearest free team regardless of the border.

How teams travel (roads, boats, aircraft to a landing site) is
:mod:`sim.agents.team_travel`.

"Nearest" is by current travel time (turnout included); among the teams of the nearest
station the lower team id goes.
When no team of a tier is free, or no free team can reach the incident, it waits in the
queue of its side (one shared queue under ``joint``). Waiting incidents are triaged:
threats to life (:data:`sim.engine.incidents.TRIAGE_PRIORITY` 0: buried, trapped, injured, exposed,
people in flood water, and any kind a scenario names that is not listed) before people
who are safe but cannot leave and blocked roads (priority 1), oldest first within a
priority.
The next team of the tier to come home takes the first waiting incident it can reach
(boat incidents wait for a boat team); when roads reopen, waiting incidents that a free
team can now reach are dispatched at once, in the same order; before that, stranded
households no team has been sent to are asked whether they can now leave on their own
(their incidents are then withdrawn, see :meth:`Dispatcher.withdraw`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.agents.team_travel import TeamTravel
from sim.engine.incidents import (
    TRIAGE_PRIORITY,
    Incident,
    IncidentReport,
    incidents_summary,
    triage_key,
)

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.model import EmergencyModel


class Dispatcher:
    """The commands of all jurisdictions, and their linkage.

    Parameters
    ----------
    model
        The run.
    teams
        All rescue teams.
    """

    #: Triage order of waiting incidents by kind; subclasses may override.
    triage_priority: Mapping[str, int] = TRIAGE_PRIORITY

    def __init__(self, model: EmergencyModel, teams: list[RescueTeam]) -> None:
        self.model = model
        self.teams = teams
        policy = model.scenario.policy
        self.linkage = policy.linkage
        self.request_delay_s = policy.mutual_aid_request_delay_min * 60.0
        self.incidents: list[Incident] = []
        self.queues: dict[tuple[int, str], list[Incident]] = {}
        self.travel = TeamTravel(model, teams)
        self._juris = np.array([t.jurisdiction for t in teams], dtype=np.int64)
        self._tier = np.array([t.tier.name for t in teams])
        self._boat = np.zeros(len(teams), dtype=bool)

    # ---------------------------------------------------------------- incidents
    def new_incident(
        self,
        *,
        kind: str,
        node: int,
        persons: int,
        tiers: tuple[str, ...],
        on_scene_s: dict[str, float] | None = None,
        access_node: int = -1,
        needs_boat: bool = False,
        on_cleared: Callable[[], None] | None = None,
        households: tuple[int, ...] = (),
    ) -> Incident:
        """Create an incident reported now and dispatch to it."""
        m = self.model
        incident = Incident(
            id=len(self.incidents),
            kind=kind,
            node=node,
            jurisdiction=int(m.network.jurisdiction[node]),
            persons=persons,
            tiers=tiers,
            report_s=m.env.now,
            on_scene_s=on_scene_s or {},
            access_node=access_node,
            needs_boat=needs_boat,
            on_cleared=on_cleared,
            households=tuple(int(h) for h in households),
        )
        self.incidents.append(incident)
        self._event("incident_reported", incident, ",".join(tiers))
        for tier in tiers:
            self._assign(incident, tier)
        return incident

    def report(self, report: IncidentReport) -> Incident:
        """Create the incident a hazard or a script reported, now, and dispatch to it."""
        return self.new_incident(
            kind=report.kind,
            node=report.node,
            persons=report.persons,
            tiers=report.tiers,
            on_scene_s=dict(report.on_scene_s),
            access_node=report.access_node,
            needs_boat=report.needs_boat,
            on_cleared=report.on_cleared,
            households=report.households,
        )

    def summary(self) -> dict[str, int]:
        """Return the incident counts for ``summary.json`` (see ``incidents_summary``)."""
        return incidents_summary(self.incidents)

    def report_stranded(
        self, node: int, persons: int, *, row: int = -1, needs_boat: bool = False
    ) -> Incident:
        """Report a household (row ``row``) with no route to any shelter: ground teams."""
        return self.new_incident(
            kind="stranded",
            node=node,
            persons=persons,
            tiers=("ground",),
            needs_boat=needs_boat,
            households=(row,) if row >= 0 else (),
        )

    def _assign(self, incident: Incident, tier: str) -> None:
        standard_s = self.model.tiers[tier].standard_min * 60.0
        team, eta_s, route = self._nearest(
            incident, tier, side="own" if self.linkage != "joint" else "any"
        )
        if self.linkage == "mutual_aid" and (team is None or eta_s > standard_s):
            self._event("aid_requested", incident, tier)
            own_arrival_s = self.model.env.now + eta_s if team is not None else np.inf
            self.model.env.process(self._mutual_aid(incident, tier, own_arrival_s))
        if team is not None:
            self._dispatch(team, incident, tier, route, eta_s - team.tier.turnout_s)
        else:
            key = (-1 if self.linkage == "joint" else incident.jurisdiction, tier)
            self.queues.setdefault(key, []).append(incident)

    def _mutual_aid(
        self, incident: Incident, tier: str, own_arrival_s: float
    ) -> Generator[simpy.Event, None, None]:
        yield self.model.env.timeout(self.request_delay_s)
        if tier in incident.arrival_s:
            return
        team, eta_s, route = self._nearest(incident, tier, side="other")
        if team is not None and self.model.env.now + eta_s < own_arrival_s:
            self._dispatch(team, incident, tier, route, eta_s - team.tier.turnout_s)

    def _nearest(
        self, incident: Incident, tier: str, *, side: str
    ) -> tuple[RescueTeam | None, float, np.ndarray | None]:
        """Nearest free team of ``tier`` on ``side`` (own, other, any): team, ETA, route.

        The ETA includes turnout; ties go to the lower team id.
        """
        free = np.array([t.available for t in self.teams], dtype=bool) & (self._tier == tier)
        if side == "own":
            free &= self._juris == incident.jurisdiction
        elif side == "other":
            free &= self._juris != incident.jurisdiction
        if incident.needs_boat and tier == "ground":
            free &= self._boat
        idx = np.nonzero(free)[0]
        if idx.size == 0:
            return None, np.inf, None
        if self.model.tiers[tier].travel == "air":
            eta = np.array([self._eta(self.teams[k], incident) for k in idx])
            order = np.lexsort((idx, eta))
            if not np.isfinite(eta[order[0]]):
                return None, np.inf, None
            best = self.teams[int(idx[order[0]])]
            return best, float(eta[order[0]]), None
        return self.travel.nearest_by_road(incident.target_node, idx)

    def _eta(self, team: RescueTeam, incident: Incident) -> float:
        """Turnout plus travel from the team's station to the incident."""
        return team.tier.turnout_s + self.travel.travel_s(
            team, team.station_node, incident.target_node
        )

    def _route(self, team: RescueTeam, incident: Incident) -> np.ndarray | None:
        return self.travel.route(team, incident.target_node)

    def landing_node(self, target: int) -> int:
        """Return the landing site nearest ``target`` (see :mod:`sim.agents.team_travel`)."""
        return self.travel.landing_node(target)

    def route_home(self, team: RescueTeam, from_node: int) -> tuple[np.ndarray | None, float]:
        """Route and time from ``from_node`` back to the team's station (inf if cut off)."""
        return self.travel.route_home(team, from_node)

    def _dispatch(
        self,
        team: RescueTeam,
        incident: Incident,
        tier: str,
        route: np.ndarray | None,
        travel_s: float,
    ) -> None:
        incident.dispatched[tier] = team.unique_id
        team.available = False
        self.model.env.process(team.respond(incident, route, travel_s))

    # -------------------------------------------------------------------- teams
    def team_free(self, team: RescueTeam) -> None:
        """Give a team that is home the first waiting incident (triage order) it can take.

        A community team with doors still to knock takes only :meth:`urgent` incidents
        (threats to life, mandatory transfers): warning those no channel reached comes
        before other work.
        """
        tier = team.tier.name
        key = (-1 if self.linkage == "joint" else team.jurisdiction, tier)
        urgent_only = self.model.door_knocking.has_work(team)
        for incident in self._waiting(key):
            if incident.needs_boat and tier == "ground" and not team.boat:
                continue  # another team must take it; it keeps its place in line
            if urgent_only and not self.urgent(incident):
                continue
            eta_s = self._eta(team, incident)
            if not np.isfinite(eta_s):
                continue
            self.queues[key].remove(incident)
            self._dispatch(
                team, incident, tier, self._route(team, incident), eta_s - team.tier.turnout_s
            )
            return
        if not urgent_only:
            self._reinforce(team)

    def urgent(self, incident: Incident) -> bool:
        """Whether ``incident`` comes before door-knocking: a threat to life, or a transfer."""
        return self.triage_priority.get(incident.kind, 0) == 0 or incident.kind == "transfer"

    def waiting_for(self, team: RescueTeam, *, urgent_only: bool = False) -> list[Incident]:
        """Incidents waiting in ``team``'s queue that it could take and reach, in triage order.

        ``urgent_only``: only :meth:`urgent` incidents. One forward tree from
        the team's station (cached until the roads change) screens them, so asking
        between two door-knocking visits stays cheap.
        """
        tier = team.tier.name
        key = (-1 if self.linkage == "joint" else team.jurisdiction, tier)
        waiting = [
            i
            for i in self._waiting(key)
            if not (i.needs_boat and tier == "ground" and not team.boat)
            and not (urgent_only and not self.urgent(i))
        ]
        if not waiting or team.tier.travel == "air":
            return waiting
        time_s = self.model.roads.router(team.mode).tree(np.array([team.station_node])).time_s
        return [i for i in waiting if np.isfinite(time_s[i.target_node])]

    def _reinforce(self, team: RescueTeam) -> None:
        """No incident waits for this team: join the open incident with most people left.

        Only incidents that need the team's tier and whose people it can carry, on its
        own side (any side under ``joint``), and only when it can reach them.
        """
        if team.carry_persons <= 0:
            return
        tier = team.tier.name
        best, best_key = None, None
        for incident in self.incidents:
            if not incident.waiting or tier not in incident.tiers or incident.withdrawn:
                continue
            if self.linkage != "joint" and incident.jurisdiction != team.jurisdiction:
                continue
            if incident.needs_boat and tier == "ground" and not team.boat:
                continue
            key = (-len(incident.waiting), incident.id)
            if best_key is None or key < best_key:
                best, best_key = incident, key
        if best is None:
            return
        eta_s = team.tier.turnout_s + self.travel.travel_to_s(
            team, team.station_node, best.target_node
        )
        if np.isfinite(eta_s):
            route = self.travel.route_to(team, best.target_node)
            self._dispatch(team, best, tier, route, eta_s - team.tier.turnout_s)

    def _waiting(self, key: tuple[int, str]) -> list[Incident]:
        """Incidents still waiting in queue ``key``, in triage order (drops served ones)."""
        queue = [i for i in self.queues.get(key, []) if key[1] not in i.dispatched]
        self.queues[key] = queue  # those that mutual aid took meanwhile leave the queue
        return sorted(queue, key=lambda i: triage_key(i, self.triage_priority))

    def retry_waiting(self) -> None:
        """Dispatch waiting incidents that a free team can now reach (after roads reopen).

        An incident waits when no team of its tier is free *or* no free team can reach it;
        in the second case a reopened road may be all it was waiting for. Incidents are taken
        in triage order, each by the nearest free team that can reach it.
        One forward tree per travel mode from the free teams' stations screens out the
        incidents still cut off, so a retry costs a few Dijkstra calls, not one per incident
        (the screen stays valid, if loose, as teams are taken: ``_nearest`` decides).
        """
        self._let_people_leave()
        side = "any" if self.linkage == "joint" else "own"
        reachable: dict[str, np.ndarray | None] = {}
        for key in list(self.queues):
            tier = key[1]
            for incident in self._waiting(key):
                if tier not in reachable:
                    reachable[tier] = self.travel.reachable_by_free(tier)
                mask = reachable[tier]
                if mask is not None and not mask[incident.target_node]:
                    continue
                team, eta_s, route = self._nearest(incident, tier, side=side)
                if team is None:
                    continue
                self.queues[key].remove(incident)
                self._dispatch(team, incident, tier, route, eta_s - team.tier.turnout_s)

    def _let_people_leave(self) -> None:
        """Ask waiting incidents with no team sent whether their people can now leave."""
        waiting = {id(i): i for queue in self.queues.values() for i in queue}
        for incident in sorted(waiting.values(), key=lambda i: i.id):
            if incident.on_reopen is not None and not incident.dispatched:
                incident.on_reopen()

    def withdraw(self, incident: Incident) -> None:
        """Take an incident no team has been sent to out of the queues: it needs none now."""
        if incident.dispatched:
            raise ValueError(f"incident {incident.id} already has a team on the way")
        incident.withdrawn_s = self.model.env.now
        incident.on_reopen = None
        for key, queue in self.queues.items():
            self.queues[key] = [i for i in queue if i is not incident]
        self._event("incident_withdrawn", incident, ",".join(incident.tiers))

    def _event(self, kind: str, incident: Incident, tier: str) -> None:
        """Record ``kind`` for ``incident`` now, at its node (``value``: its persons)."""
        m = self.model
        m.recorder.event(
            m.env.now,
            kind,
            node=incident.node,
            incident=incident.id,
            jurisdiction=m.jurisdiction_name(incident.jurisdiction),
            tier=tier,
            value=incident.persons,
        )

    def set_boats(self, count: int, river_distance_m: np.ndarray) -> None:
        """Give boats to the ``count`` ground teams whose stations are nearest the river.

        When the region's stations say where the boats are (a ``boats`` column: teams of
        that station with a boat), those teams get them instead.
        """
        ground = [k for k, t in enumerate(self.teams) if t.tier.name == "ground"]
        stations = self.model.network.places["stations"]
        if "boats" in stations.columns:
            left = dict(zip(stations["node"], stations["boats"], strict=False))
            for k in ground:
                node = self.teams[k].station_node
                if left.get(node, 0) > 0:
                    self.teams[k].boat = True
                    left[node] -= 1
            self._boat = np.array([t.boat for t in self.teams], dtype=bool)
            return
        ground.sort(key=lambda k: (river_distance_m[self.teams[k].station_node], k))
        for k in ground[:count]:
            self.teams[k].boat = True
        self._boat = np.array([t.boat for t in self.teams], dtype=bool)
