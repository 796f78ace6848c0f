"""Ground teams that help the community responders with mandatory transfers.

Part of :class:`sim.agents.command.Dispatcher` (a base class of it). Mandatory transfers
(三个必转, :mod:`sim.agents.transfers`) are done by community responders or ground
teams (issue 12; ``docs/DOMAIN.md``, *Warning and evacuation*). The village's responders
go first: they are there and know the doors. When none of them is free, a ground team
of the transfer's own side that is not kept for boat work takes it:

- when the transfer is reported and no responder of its command is free to go, the
  nearest such ground team goes (:meth:`TransferHelp.ground_for_transfer`);
- when such a ground team comes home and no incident of its own tier waits for it, it
  takes the waiting transfer of its side it serves best: the most persons left to
  carry, then the nearest, then the oldest (:meth:`TransferHelp.take_transfer`).

Either way at least :attr:`TransferHelp.ground_kept_for_life` other ground teams of the
side stay free for threats to life (buried, trapped, people in the water), which come
first in triage (:data:`sim.engine.incidents.TRIAGE_PRIORITY`). A ground team carries
its tier's ``carry_persons`` (8) a trip where a responder carries 2. It is sent for the
transfer's ``community`` request, which it meets; its arrival is recorded as its own
tier's. A ground team idle at home when a road reopens to a transfer that waits does not
take it until it is next sent somewhere and comes home (the retry after roads reopen,
:meth:`sim.agents.waiting.WaitingQueues.retry_waiting`, asks the transfer's own tier).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel

#: Ground teams of a side kept free for threats to life while the others help with
#: transfers: a planning assumption of this project (a county keeps a duty team on
#: standby), to be replaced by a county's own rule.
GROUND_KEPT_FOR_LIFE = 1

#: The tier a transfer asks for (:data:`sim.agents.transfers.TRANSFER_TIERS`).
TRANSFER_TIER = "community"


class TransferHelp:
    """Ground teams for mandatory transfers when no responder is free (module docs)."""

    model: EmergencyModel
    teams: list[RescueTeam]
    queues: dict[tuple[int, str], list[Incident]]
    _of_tier: dict[str, np.ndarray]
    _keep_boats: bool
    #: Free ground teams a side keeps for threats to life (:data:`GROUND_KEPT_FOR_LIFE`).
    ground_kept_for_life: int = GROUND_KEPT_FOR_LIFE

    def ground_for_transfer(
        self, incident: Incident
    ) -> tuple[RescueTeam | None, float, np.ndarray | None]:
        """Nearest free ground team to send to transfer ``incident``: team, ETA (s), route.

        (None, inf, None) when it is not a transfer or its side has no ground team to
        spare beyond :attr:`ground_kept_for_life`.
        """
        if incident.kind != "transfer" or not self._spare_ground(incident.jurisdiction):
            return None, np.inf, None
        return self._nearest(incident, "ground", side="own")

    def take_transfer(self, team: RescueTeam) -> bool:
        """Send ``team``, a ground team just home with nothing to do, to a waiting transfer.

        Returns whether it was sent.
        """
        if team.tier.name != "ground" or (team.boat and self._keep_boats):
            return False
        key = self.key(team.jurisdiction, TRANSFER_TIER)
        if not self.queues.get(key) or not self._spare_ground(team.jurisdiction):
            return False
        best = self._best_waiting(team, key, urgent_only=False, kind="transfer")
        if best is None:
            return False
        incident, eta_s = best
        self.queues[key].remove(incident)
        route = self._route(team, incident)
        self._dispatch(team, incident, TRANSFER_TIER, route, eta_s - team.tier.turnout_s)
        return True

    def _spare_ground(self, side: int) -> bool:
        """Whether side ``side`` can spare one of its free ground teams for a transfer.

        Its free ground teams not kept for boat work, the one to go among them, must
        outnumber :attr:`ground_kept_for_life`.
        """
        free = sum(
            1
            for k in self._of_tier.get("ground", np.zeros(0, dtype=np.int64)).tolist()
            if self.teams[k].available
            and self.teams[k].jurisdiction == side
            and not (self.teams[k].boat and self._keep_boats)
        )
        return free > self.ground_kept_for_life
