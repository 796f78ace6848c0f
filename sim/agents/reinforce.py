"""How far teams go beyond their first call: reinforcing open incidents, responders' reach.

Part of :class:`sim.agents.command.Dispatcher` (a base class of it):

- a free team with nothing waiting for it joins the open incident of its command with
  most people still waiting, if it gets there within :data:`REINFORCE_WITHIN_STANDARDS`
  times its tier's standard and can take them on from there to a safe shelter; a team
  that finds only incidents with no way out waits for a road to reopen
  (:meth:`Reinforcements.reoffer_parked`);
- community responders are never sent farther than that (they serve their own area).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel

#: A free team joins an open incident only if it gets there within this many times its
#: tier's standard, and community responders (volunteers who serve their own area) are
#: never sent farther (a planning rule of this project: 20 min for community responders).
REINFORCE_WITHIN_STANDARDS = 2.0


class Reinforcements:
    """Reinforcement of open incidents and the reach of community responders."""

    model: EmergencyModel
    incidents: list[Incident]
    #: Free teams whose open incidents had no way out to a safe shelter, by team id.
    _parked: dict[int, RescueTeam]

    def _reach_s(self, team: RescueTeam, incident: Incident | None = None) -> float:
        """Farthest a team is sent (ETA, s): community responders stay near home.

        Mandatory transfers (planned help to leave, not an emergency) are the exception:
        a responder from farther away may still come for the vulnerable.
        """
        if team.tier.name != "community":
            return np.inf
        if incident is not None and incident.kind == "transfer":
            return np.inf
        return REINFORCE_WITHIN_STANDARDS * team.tier.standard_min * 60.0

    def join_from(self, team: RescueTeam, at: int) -> bool:
        """Send ``team``, cut off on its way at node ``at``, to an open threat to life from there.

        A team whose road was cut hands its incident back (:mod:`sim.agents.on_road`)
        and is out already: it is first offered the threats to life waiting for a team
        (:meth:`sim.agents.waiting.WaitingQueues.call_away`), then, as
        :meth:`_reinforce` would offer it at home, the open threat to life with most
        people still waiting, from where it stands and with no turnout. At seed 0 of
        the landslide a ground team was cut off by the slide at the very node its
        burial is reached from, drove home for 18 min and came back 38 min after the
        slide, while the burial survival curve falls from 91 % at 18 min to 34 % at 35.
        Returns whether it was sent; it then comes home to its base afterwards.
        """
        if self.call_away(team, at):
            return True
        base = team.station_node
        self.rebase(team, at)
        try:
            return self._reinforce(team, life_only=True)
        finally:
            self.rebase(team, base)

    def _reinforce(self, team: RescueTeam, *, life_only: bool = False) -> bool:
        """No incident waits for this team: join the open incident with most people left.

        Only incidents that need the team's tier and whose people it can carry, on its
        own side (any side under ``joint``), from which it can take them to a safe
        shelter, and only when it gets there within :data:`REINFORCE_WITHIN_STANDARDS`
        times its tier's standard. Returns whether it was sent.

        An incident with no road out to a safe shelter (a village the slide or the water
        cut off; for people safe at home, to one with room) is left: a team there works
        on scene and leaves, moving nobody, and used to be sent back to it every turnout
        plus time on scene. Such a team is parked instead and offered the incidents
        again when a road reopens. ``life_only``: threats to life only, for a team out
        already (:meth:`join_from`): no turnout, and it is not parked.
        """
        if team.carry_persons <= 0:
            return False
        tier = team.tier.name
        open_ = []
        for incident in self.incidents:
            if not incident.waiting or tier not in incident.tiers or incident.withdrawn:
                continue
            if life_only and not self.threat_to_life(incident):
                continue
            if not self.model.linkage.same_command(incident.jurisdiction, team.jurisdiction):
                continue
            if not self._may_serve(team, incident):
                continue
            open_.append(((-len(incident.waiting), incident.id), incident))
        # the first it could take people out of to a safe shelter (with room, for
        # people safe at home: Operations.load_to_shelter, as the team would on scene)
        load = self.model.operations.load_to_shelter
        best = next((i for _, i in sorted(open_) if load(team, i, i.target_node)[0] > 0), None)
        if best is None:
            if open_ and not life_only:  # none has a way out: ask when a road reopens
                self._parked[team.unique_id] = team
            return False
        turnout_s = 0.0 if life_only else team.tier.turnout_s
        travel_s = self.travel.travel_to_s(team, team.station_node, best.target_node)
        # help from farther than twice the tier's standard comes too late to matter
        # (the teams on scene carry on), and leaves the team's own area uncovered
        if turnout_s + travel_s <= REINFORCE_WITHIN_STANDARDS * team.tier.standard_min * 60.0:
            route = self.travel.route_to(team, best.target_node)
            self._dispatch(team, best, tier, route, travel_s, turnout_s=turnout_s)
            return True
        return False

    def reoffer_parked(self) -> None:
        """Offer the open incidents again to the free teams that found no way out.

        Called when roads reopen (:meth:`sim.agents.waiting.WaitingQueues.retry_waiting`):
        the road out may be open again. Teams sent elsewhere meanwhile are skipped.
        """
        parked, self._parked = self._parked, {}
        for team in parked.values():
            if team.available:
                self.team_free(team)
