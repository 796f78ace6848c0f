"""The queues of waiting incidents of the commands, and what reopened roads change.

Part of :class:`sim.agents.command.Dispatcher` (a base class of it): incidents wait
in their command's queue per tier (:meth:`Dispatcher.key`) until a team can take them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.incidents import Incident, triage_key
from sim.engine.survival import survival

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.model import EmergencyModel


class WaitingQueues:
    """Waiting incidents by (command, tier); retries when roads reopen; withdrawals.

    Also which of them a given team could take (:meth:`any_waiting_for`, :meth:`urgent`)
    and serves best (:meth:`_best_waiting`), and calling a team at work away to one.
    """

    model: EmergencyModel
    queues: dict[tuple[int, str], list[Incident]]
    #: Incidents ever put in each queue (:meth:`enqueue`): :meth:`_screen`'s version.
    _arrivals: dict[tuple[int, str], int]
    _screens: dict[tuple, tuple[int, list[Incident], np.ndarray, list[Incident]]]

    def _pending(self, key: tuple[int, str]) -> list[Incident]:
        """Incidents still waiting in queue ``key``, in arrival order (drops served ones).

        Served: a team of the tier was sent (mutual aid took it meanwhile), or the
        incident needs no team any more (:attr:`sim.engine.incidents.Incident.done`,
        e.g. a helicopter got everyone out while it waited for a ground team).
        """
        queue = [i for i in self.queues.get(key, []) if _unserved(i, key[1])]
        self.queues[key] = queue
        return list(queue)

    def retry_waiting(self) -> None:
        """Dispatch waiting incidents that a free team can now reach (after roads reopen).

        An incident waits when no team of its tier is free *or* no free team can reach it;
        in the second case a reopened road may be all it was waiting for. Incidents are taken
        in triage order, each by the nearest free team that can reach it.
        One forward tree per travel mode from the free teams' stations screens out the
        incidents still cut off, so a retry costs a few Dijkstra calls, not one per incident
        (the screen stays valid, if loose, as teams are taken: ``_nearest`` decides).
        Then free teams that found only open incidents with no way out to a safe
        shelter are offered them again (:meth:`Dispatcher.reoffer_parked`).
        """
        self._let_people_leave()
        reachable: dict[tuple[str, int], np.ndarray | None] = {}
        group = self.model.linkage.group
        for key in list(self.queues):
            tier = key[1]
            queue = self._pending(key)
            if not queue:
                continue
            screen = (tier, int(group[key[0]]))  # the teams ``_nearest`` looks at
            if screen not in reachable:
                sides = np.flatnonzero(group == group[key[0]])
                reachable[screen] = self.travel.reachable_by_free(tier, sides)
            mask = reachable[screen]
            if mask is not None:  # the screen first: most wait for a team, not a road
                nodes = np.fromiter((i.target_node for i in queue), np.int64, len(queue))
                queue = [i for i, ok in zip(queue, mask[nodes].tolist(), strict=True) if ok]
            for incident in sorted(queue, key=lambda i: triage_key(i, self.triage_priority)):
                team, eta_s, route = self._nearest(incident, tier, side="own")
                if team is None:
                    continue
                self.queues[key].remove(incident)
                self._dispatch(team, incident, tier, route, eta_s - team.tier.turnout_s)
        self.reoffer_parked()  # teams whose open incidents had no way out

    def _let_people_leave(self) -> None:
        """Ask waiting incidents with no team sent whether their people can now leave."""
        asking = {
            id(i): i
            for queue in self.queues.values()
            for i in queue
            if i.on_reopen is not None and not i.dispatched
        }
        for incident in sorted(asking.values(), key=lambda i: i.id):
            if incident.on_reopen is not None and not incident.dispatched:  # still, after others
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

    def urgent(self, incident: Incident) -> bool:
        """Whether ``incident`` comes before door-knocking: a threat to life, or a transfer."""
        return self.threat_to_life(incident) or incident.kind == "transfer"

    def threat_to_life(self, incident: Incident) -> bool:
        """Whether ``incident`` is of the first triage class (:mod:`sim.engine.incidents`)."""
        return self.triage_priority.get(incident.kind, 0) == 0

    def call_away(self, team: RescueTeam, at: int, *, life_only: bool = True) -> bool:
        """Send ``team``, at work at node ``at``, to a threat to life waiting for it.

        The one it serves best, from ``at`` (:meth:`Dispatcher.team_free`'s ranking),
        among those waiting for its tier that it may take and can reach; it sets off at
        once (it is out already: no turnout, as a team diverted on its way,
        :mod:`sim.agents.divert`) and comes home to its base afterwards. Returns False,
        and nothing changes, when none waits.
        Asked between two doors of a mandatory transfer, mostly to hear no: the cheap
        screen of :meth:`any_waiting_for` comes first. ``life_only=False``: any
        :meth:`urgent` incident (a mandatory transfer too), for a door-knocking round.
        """
        base = team.station_node
        self.rebase(team, at)
        try:
            if not self.any_waiting_for(team, urgent_only=True, life_only=life_only):
                return False
            key = self.key(team.jurisdiction, team.tier.name)
            best = self._best_waiting(team, key, urgent_only=True, turnout_s=0.0)
            if best is None or (life_only and not self.threat_to_life(best[0])):
                return False
            incident, eta_s = best
            self.queues[key].remove(incident)
            route = self._route(team, incident)
            self._dispatch(team, incident, key[1], route, eta_s, turnout_s=0.0)
            return True
        finally:
            self.rebase(team, base)

    def _best_waiting(
        self,
        team: RescueTeam,
        key: tuple[int, str],
        *,
        urgent_only: bool,
        kind: str = "",
        turnout_s: float | None = None,
    ) -> tuple[Incident, float] | None:
        """Return the waiting incident of queue ``key`` ``team`` serves best, and its ETA (s).

        See :meth:`team_free`; ranks (triage class, -persons left x alive on arrival,
        ETA, id) for all candidates at once, from one tree from the team's base (road
        tiers). So among equal benefit the nearest goes first, then the oldest: a team
        that drives less moves more people in the same hours (flood, 40 runs paired:
        oldest-first moved 56-90 fewer persons a run, Suining's transfers 6.5 % fewer).
        ``kind``: only incidents of that kind (default: any). ``turnout_s``: the team's
        wait before it sets off (default its tier's turnout).
        """
        now = self.model.env.now
        if self.grounded(team):
            return None
        # those it may take (:meth:`_may_serve`), from the screen kept per queue; the
        # others must go to another team and keep their place in line. The ranking
        # ends in the id, so the candidates' order does not matter.
        tier = key[1]
        own, _, other = self._screen(key, team, "urgent" if urgent_only else "any")
        if other and self.model.aid.may_lend(team):
            own = own + other
        cands = [i for i in own if _unserved(i, tier) and (not kind or i.kind == kind)]
        if not cands:
            return None
        # the wait before it sets off is in the ETA the reach and the survival odds judge
        wait_s = team.tier.turnout_s if turnout_s is None else turnout_s
        if team.tier.travel == "road":
            router = self.model.roads.router(team.mode)
            road_s = router.tree(np.array([team.station_node])).time_s
            targets = np.array([incident.target_node for incident in cands], dtype=np.int64)
            eta_s = wait_s + road_s[targets]
        else:  # aircraft: their turnout (launch) and flight
            eta_s = np.array([self._eta(team, incident) for incident in cands])
            if turnout_s is not None:
                eta_s += turnout_s - team.tier.turnout_s
        reach_s = np.array([self._reach_s(team, incident) for incident in cands])
        ok = np.flatnonzero(np.isfinite(eta_s) & (eta_s <= reach_s))
        if ok.size == 0:
            return None
        cands = [cands[k] for k in ok]
        eta_s = eta_s[ok]
        left = np.array([max(i.persons_left, 0) for i in cands])
        report_s = np.array([i.report_s for i in cands])
        kinds = np.array([i.kind for i in cands])
        alive = np.ones(len(cands))
        for each in set(kinds.tolist()):
            mine = kinds == each
            alive[mine] = survival(each, now + eta_s[mine] - report_s[mine])
        priority = np.array([self.triage_priority.get(i.kind, 0) for i in cands])
        ids = np.array([i.id for i in cands])
        first = int(np.lexsort((ids, eta_s, -left * alive, priority))[0])
        return cands[first], float(eta_s[first])

    def reassign(self, incident: Incident, tier: str) -> None:
        """Send the nearest free team of ``tier`` to ``incident`` again, or queue it.

        For work a team was called away from (:meth:`call_away`).
        """
        self._assign(incident, tier)

    def enqueue(self, incident: Incident, tier: str) -> None:
        """Put ``incident`` at the end of its command's queue for ``tier``."""
        key = self.key(incident.jurisdiction, tier)
        self.queues.setdefault(key, []).append(incident)
        self._arrivals[key] = self._arrivals.get(key, 0) + 1

    def any_waiting_for(
        self, team: RescueTeam, *, urgent_only: bool = False, life_only: bool = False
    ) -> bool:
        """Whether an incident waits in ``team``'s queue that it could take and reach.

        ``urgent_only``: only :meth:`urgent` incidents; ``life_only``: only threats to
        life (:meth:`threat_to_life`). Asked between two door-knocking
        visits, mostly to hear no: in a flood hundreds of transfers wait cut off from
        the asking team. So the incidents it could take by kind, side and boat are
        listed once per arrival in the queue (:meth:`_screen`); each ask looks up their
        nodes in one forward tree from the team's base (cached until the roads change)
        and checks only those it can reach for being still unserved.
        """
        if self.grounded(team):
            return False
        key = self.key(team.jurisdiction, team.tier.name)
        which = "life" if life_only else "urgent" if urgent_only else "any"
        own, nodes, other = self._screen(key, team, which)
        tier = key[1]
        # another side's incident, as :meth:`_may_serve` asks: the side keeps its reserve
        others_wait = any(_unserved(i, tier) for i in other)
        if others_wait and self.model.aid.may_lend(team):
            own, nodes = own + other, np.concatenate((nodes, self._nodes(other)))
        if not own or team.tier.travel == "air":
            return any(_unserved(i, tier) for i in own)
        time_s = self.model.roads.router(team.mode).tree(np.array([team.station_node])).time_s
        near = [own[k] for k in np.flatnonzero(np.isfinite(time_s[nodes]))]
        return any(_unserved(i, tier) for i in near)

    def _screen(
        self, key: tuple[int, str], team: RescueTeam, which: str
    ) -> tuple[list[Incident], np.ndarray, list[Incident]]:
        """Incidents of queue ``key`` ``team`` may take by kind, side and boat (cached).

        ``which``: ``"any"``, ``"urgent"`` (:meth:`urgent`) or ``"life"``
        (:meth:`threat_to_life`) incidents only.

        Returns those of its own side, their target nodes, and those of other sides
        (which it may take only if its side can lend it, :meth:`_may_serve`). Rebuilt
        when an incident joins the queue; served ones stay listed until then.
        """
        name = (key, which, team.jurisdiction, team.boat, team.tier.name)
        wanted = {"any": None, "urgent": self.urgent, "life": self.threat_to_life}[which]
        hit = self._screens.get(name)
        if hit is not None and hit[0] == self._arrivals.get(key, 0):
            return hit[1], hit[2], hit[3]
        own, other = [], []
        for incident in self._pending(key):
            if (wanted is not None and not wanted(incident)) or not self._by_kind(team, incident):
                continue
            (own if incident.jurisdiction == team.jurisdiction else other).append(incident)
        nodes = self._nodes(own)
        self._screens[name] = (self._arrivals.get(key, 0), own, nodes, other)
        return own, nodes, other

    @staticmethod
    def _nodes(incidents: list[Incident]) -> np.ndarray:
        """Target nodes of ``incidents``."""
        return np.fromiter((i.target_node for i in incidents), np.int64, len(incidents))


def _unserved(incident: Incident, tier: str) -> bool:
    """Whether ``incident`` still waits for a team of ``tier``: none sent, and needed."""
    return tier not in incident.dispatched and not incident.done
