"""How far teams go beyond their first call: reinforcing open incidents, responders' reach.

Part of :class:`sim.agents.command.Dispatcher` (a base class of it):

- a free team with nothing waiting for it joins the open incident of its command with
  most people still waiting, if it gets there within :data:`REINFORCE_WITHIN_STANDARDS`
  times its tier's standard;
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

    def _reinforce(self, team: RescueTeam) -> bool:
        """No incident waits for this team: join the open incident with most people left.

        Only incidents that need the team's tier and whose people it can carry, on its
        own side (any side under ``joint``), and only when it gets there within
        :data:`REINFORCE_WITHIN_STANDARDS` times its tier's standard. Returns whether
        it was sent.
        """
        if team.carry_persons <= 0:
            return False
        tier = team.tier.name
        best, best_key = None, None
        for incident in self.incidents:
            if not incident.waiting or tier not in incident.tiers or incident.withdrawn:
                continue
            if not self.model.linkage.same_command(incident.jurisdiction, team.jurisdiction):
                continue
            if not self._may_serve(team, incident):
                continue
            key = (-len(incident.waiting), incident.id)
            if best_key is None or key < best_key:
                best, best_key = incident, key
        if best is None:
            return False
        eta_s = team.tier.turnout_s + self.travel.travel_to_s(
            team, team.station_node, best.target_node
        )
        # help from farther than twice the tier's standard comes too late to matter
        # (the teams on scene carry on), and leaves the team's own area uncovered
        if eta_s <= REINFORCE_WITHIN_STANDARDS * team.tier.standard_min * 60.0:
            route = self.travel.route_to(team, best.target_node)
            self._dispatch(team, best, tier, route, eta_s - team.tier.turnout_s)
            return True
        return False
