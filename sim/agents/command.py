"""Command: turns incidents into dispatches under the linkage between jurisdictions.

Each side has a command; sides joined by ``joint`` linkage share one (one queue per
tier, :mod:`sim.agents.linkage`). A new incident gets the nearest free team of each
tier it needs from its own command; teams of another side of a joint command, and
teams lent through mutual aid, are taken only beyond the reserve their side keeps
(:mod:`sim.agents.aid`). When the command's best arrival exceeds the tier's standard,
it asks the sides that aid it, and after ``mutual_aid_request_delay_min`` the nearest
free team of theirs goes if it would arrive first. Boat teams are kept for the
incidents that need a boat while a flood runs. Ground teams help with mandatory
transfers when no community responder is free (:mod:`sim.agents.transfer_help`).

How teams travel (roads, boats, aircraft to a landing site) is
:mod:`sim.agents.team_travel`. "Nearest" is by current travel time (turnout included);
among the teams of the nearest station the lower team id goes.

When no team of a tier is free, or no free team can reach the incident, it waits in
its command's queue. The next team of the tier to come home takes the waiting incident
it serves best (:meth:`Dispatcher.team_free`): threats to life
(:data:`sim.engine.incidents.TRIAGE_PRIORITY` 0: buried, trapped, injured, exposed,
people in flood water, and any kind a scenario names that is not listed) before people
who are safe but cannot leave, transfers and blocked roads (priority 1), then the most
persons expected alive on arrival, then the nearest, then the oldest. When roads
reopen, waiting incidents that a free team can now reach are dispatched at once, in
triage order;
before that, stranded households no team has been sent to are asked whether they can
now leave on their own (their incidents are then withdrawn, see
:meth:`Dispatcher.withdraw`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.agents.aid import OWN_SIDE_KINDS
from sim.agents.air_ops import AirOperations
from sim.agents.divert import Diversions
from sim.agents.reinforce import Reinforcements
from sim.agents.team_travel import TeamTravel
from sim.agents.transfer_help import TransferHelp
from sim.agents.waiting import WaitingQueues
from sim.engine.incidents import (
    TRIAGE_PRIORITY,
    Incident,
    IncidentReport,
    incidents_summary,
    record_at_incident,
    rescue_by_side,
)

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.model import EmergencyModel


class Dispatcher(WaitingQueues, AirOperations, Reinforcements, TransferHelp, Diversions):
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
        self.incidents: list[Incident] = []
        self.queues: dict[tuple[int, str], list[Incident]] = {}
        self._arrivals, self._screens, self._parked = {}, {}, {}
        self.travel = TeamTravel(model, teams)
        self._juris = np.array([t.jurisdiction for t in teams], dtype=np.int64)
        self._tier = np.array([t.tier.name for t in teams])
        #: Team indices of each tier, ascending.
        self._of_tier = {name: np.flatnonzero(self._tier == name) for name in set(self._tier)}
        #: Boats are kept for the incidents only they can serve while a flood runs.
        self._keep_boats = model.scenario.hazards.flood is not None
        if any(not t.tier.night_capable for t in teams):
            model.env.process(self.at_daylight())

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
        if self.needs_aircraft(incident):
            incident.tiers = (*incident.tiers, "aviation")
            tiers = incident.tiers
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
        """Return the incident counts for ``summary.json`` (see ``incidents_summary``).

        ``rescue_by_jurisdiction``: persons rescued alive and died waiting per side and
        incident kind (:func:`sim.engine.incidents.rescue_by_side`); ``teams_rerouted``,
        ``teams_cut_off_on_the_way``: team trips a closure ahead turned off, per side,
        and ``handed_back_cut_off`` the incidents they handed back so
        (:mod:`sim.agents.on_road`).
        """
        names = self.model.network.jurisdiction_names
        return {
            **incidents_summary(self.incidents),
            "rescue_by_jurisdiction": rescue_by_side(self.incidents, names),
            **self.model.on_road.summary("team"),
        }

    def report_stranded(
        self, node: int, persons: int, *, row: int = -1, needs_boat: bool = False
    ) -> Incident:
        """Report a household (row ``row``) with no route to any shelter: ground teams.

        In a flood, one no ground team without a boat can drive to needs a boat.
        """
        needs_boat |= self._keep_boats and not self.travel.road_teams_reach(node)
        return self.new_incident(
            kind="stranded",
            node=node,
            persons=persons,
            tiers=("ground",),
            needs_boat=needs_boat,
            households=(row,) if row >= 0 else (),
        )

    def key(self, side: int, tier: str) -> tuple[int, str]:
        """Queue of ``tier`` of the command ``side`` belongs to (one per joint command)."""
        return int(self.model.linkage.group[side]), tier

    def _assign(self, incident: Incident, tier: str) -> None:
        standard_s = self.model.tiers[tier].standard_min * 60.0
        team, eta_s, route = self._nearest(incident, tier, side="own")
        if team is None:  # no responder free for a mandatory transfer: a ground team
            team, eta_s, route = self.ground_for_transfer(incident)
        way = self._on_the_way(incident, tier, eta_s)  # a team to divert from a transfer
        if way is not None:
            team, eta_s = way.team, way.eta_s
        helpers = self._helpers(incident.jurisdiction)
        # no aid asked for people safe where they are, nor for transfers (OWN_SIDE_KINDS;
        # _by_kind would keep the other side's teams from them anyway: no request logged)
        if helpers and incident.kind not in OWN_SIDE_KINDS and (team is None or eta_s > standard_s):
            self._event("aid_requested", incident, tier)
            own_arrival_s = self.model.env.now + eta_s if team is not None else np.inf
            self.model.env.process(self._mutual_aid(incident, tier, own_arrival_s))
        if way is not None:
            self._divert(incident, tier, way)
        elif team is not None:
            self._dispatch(team, incident, tier, route, eta_s - team.tier.turnout_s)
        else:
            self.enqueue(incident, tier)

    def _helpers(self, side: int) -> list[int]:
        """Sides outside ``side``'s command that answer its requests for teams."""
        link = self.model.linkage
        return [
            j
            for j in range(len(link.names))
            if not link.same_command(j, side) and link.aids(j, side)
        ]

    def _mutual_aid(
        self, incident: Incident, tier: str, own_arrival_s: float
    ) -> Generator[simpy.Event, None, None]:
        yield self.model.env.timeout(self.model.aid.request_delay_s)
        if tier in incident.arrival_s or incident.done:
            return
        team, eta_s, route = self._nearest(incident, tier, side="other")
        if team is not None and self.model.env.now + eta_s < own_arrival_s:
            self._dispatch(team, incident, tier, route, eta_s - team.tier.turnout_s)

    def _may_serve(self, team: RescueTeam, incident: Incident) -> bool:
        """Whether ``team`` may take ``incident``: flying, boats kept for water, reserves kept.

        A mandatory transfer is its own side's duty (三个必转 falls to the township and
        village), under joint command too: a village responder sent across the border
        for one was away 2 h and knocked on its own village's doors 106 min late. So
        are households safe where they are (:data:`sim.agents.aid.OWN_SIDE_KINDS`): under
        joint command in the landslide, Suining's ground teams went to Tongnan's cut-off
        households and none reached Suining's own burials within 30 min.
        """
        if self.grounded(team) or not self._by_kind(team, incident):
            return False
        return team.jurisdiction == incident.jurisdiction or self.model.aid.may_lend(team)

    def _by_kind(self, team: RescueTeam, incident: Incident) -> bool:
        """Return the part of :meth:`_may_serve` that never changes: kind, side, boats."""
        if incident.kind in OWN_SIDE_KINDS and team.jurisdiction != incident.jurisdiction:
            return False
        if team.boat and self._keep_boats and not incident.needs_boat:
            return False
        return not (incident.needs_boat and team.tier.name == "ground" and not team.boat)

    def _nearest(
        self, incident: Incident, tier: str, *, side: str
    ) -> tuple[RescueTeam | None, float, np.ndarray | None]:
        """Nearest free team of ``tier``: team, ETA (turnout included), route.

        ``side``: ``"own"`` (the incident's command, all sides of a joint one) or
        ``"other"`` (the sides that aid it). Teams of another side are taken only
        beyond the reserve their side keeps (:mod:`sim.agents.aid`).
        """
        idx = self._of_tier.get(tier, np.zeros(0, dtype=np.int64))
        link = self.model.linkage
        if side == "own":
            idx = idx[link.group[self._juris[idx]] == link.group[incident.jurisdiction]]
        elif side == "other":
            idx = idx[np.isin(self._juris[idx], self._helpers(incident.jurisdiction))]
        teams = self.teams
        idx = np.array(
            [k for k in idx.tolist() if teams[k].available and self._may_serve(teams[k], incident)],
            dtype=np.int64,
        )
        if idx.size == 0:
            return None, np.inf, None
        if self.model.tiers[tier].travel == "air":
            eta = np.array([self._eta(self.teams[k], incident) for k in idx])
            order = np.lexsort((idx, eta))
            if not np.isfinite(eta[order[0]]):
                return None, np.inf, None
            best = self.teams[int(idx[order[0]])]
            return best, float(eta[order[0]]), None
        team, eta_s, route = self.travel.nearest_by_road(incident.target_node, idx)
        if team is not None and eta_s > self._reach_s(team, incident):
            return None, np.inf, None  # out of a community responder's area
        return team, eta_s, route

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
        *,
        turnout_s: float | None = None,
    ) -> None:
        incident.dispatched[tier] = team.unique_id
        team.available = False
        team.sets_off_in_s = turnout_s
        team.process = self.model.env.process(team.respond(incident, route, travel_s))

    # -------------------------------------------------------------------- teams
    def team_free(self, team: RescueTeam) -> None:
        """Give a team that is home the waiting incident it serves best, if any.

        Among the waiting incidents of its command that it may take (boats for water,
        reserves kept, :meth:`_may_serve`) and can reach, the most urgent triage class
        first; within it the greatest expected benefit: the persons still waiting
        times their chance to be alive when the team gets there (the survival curve of
        the kind, :mod:`sim.engine.survival`; 1 for the safe), then the nearest,
        then the oldest. A
        community team with doors still to knock takes only :meth:`urgent` incidents
        (threats to life, mandatory transfers). With nothing waiting it reinforces an
        open incident, or, a ground team, takes a waiting mandatory transfer
        (:meth:`take_transfer`).
        """
        tier = team.tier.name
        key = self.key(team.jurisdiction, tier)
        urgent_only = self.model.door_knocking.has_work(team)
        best = self._best_waiting(team, key, urgent_only=urgent_only)
        if best is not None:
            incident, eta_s = best
            self.queues[key].remove(incident)
            self._dispatch(
                team, incident, tier, self._route(team, incident), eta_s - team.tier.turnout_s
            )
            return
        if not urgent_only and not self._reinforce(team):
            self.take_transfer(team)

    def rebase(self, team: RescueTeam, node: int) -> None:
        """Make ``node`` the base ``team`` sets out from and returns to (pre-positioning)."""
        team.station_node = node
        self.travel.station[self.teams.index(team)] = node

    def stay_at(self, team: RescueTeam, node: int) -> None:
        """Make ``node``, where ``team`` is, its base: the hazard cut it off from the old one.

        It stays in service and sets out from there (``rebased`` event): a responder
        whose own village the water took works on from the shelter it brought people to.
        """
        self.rebase(team, node)
        self.model.recorder.event(
            self.model.env.now,
            "rebased",
            agent=team.unique_id,
            node=node,
            jurisdiction=self.model.jurisdiction_name(team.jurisdiction),
            tier=team.tier.name,
        )

    def _event(self, kind: str, incident: Incident, tier: str) -> None:
        """Record ``kind`` for ``incident`` now, at its node (``value``: its persons)."""
        record_at_incident(self.model, kind, incident, tier=tier, value=incident.persons)
