"""Teams on their way to a mandatory transfer diverted to a threat to life.

Part of :class:`sim.agents.command.Dispatcher` (a base class of it). A mandatory transfer
is planned help to leave; a threat to life comes first (the triage of
:mod:`sim.engine.incidents`). A team at the doors of a transfer is called away between
two doors (:meth:`sim.agents.waiting.WaitingQueues.call_away`); a team still on its way
to one is diverted here, as a dispatch centre redirects a unit en route to a call of
higher priority.

When a threat to life is reported, the command compares the nearest free team of the
tier with each of its teams of that tier on their way to a transfer (turning out or on
the road) that it may send (side, reserves, boats, :meth:`Dispatcher._may_serve`) and
that gets there within its reach (community responders: their area). A team on the road
goes on to the next node of its route and sets off from there, with no second turnout
(it is out already); one still turning out sets off from where it turns out when its
turnout ends. The one that gets there first goes: a diverted team only if it is sooner
than every free one. Its transfer goes back to the commands as it was
(``transfer_handed_back``, :meth:`sim.agents.transfers.Transfers.hand_back`), for the
next team free. Its track in the replay ends at the node it turned off at.

Before, a responder on its way to a transfer could not be diverted: in the gas leak under
joint command (seed 3951298704), the responder living in an exposed village was on the
road to a transfer 12 min away when the exposure was reported there, and the call went
to a responder 25 min away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.incidents import Incident


@dataclass(frozen=True)
class EnRoute:
    """Where a team on its way to a transfer is: ``nodes`` reached at ``times`` (s).

    ``marks``: where its trip's track points and events are kept in the recorder
    (:meth:`sim.engine.recording.Recorder.cut_trip`); None while it turns out.
    """

    incident: Incident
    nodes: np.ndarray
    times: np.ndarray
    marks: tuple[int, int, int] | None = None

    def ahead(self, now_s: float) -> tuple[int, float]:
        """Return the next node the team reaches (or is at) and the time to it from ``now_s``."""
        return next_node(self.nodes, self.times, now_s)


def next_node(nodes: np.ndarray, times: np.ndarray, now_s: float) -> tuple[int, float]:
    """Return the next of ``nodes`` (reached at ``times``) from ``now_s``, and the wait to it."""
    k = min(int(np.searchsorted(times, now_s, side="left")), len(nodes) - 1)
    return int(nodes[k]), max(float(times[k]) - now_s, 0.0)


class Way(NamedTuple):
    """A team to divert (:meth:`Diversions._on_the_way`): ETA, route, wait to set off (s)."""

    team: RescueTeam
    eta_s: float
    route: np.ndarray
    ready_s: float


class Diversions:
    """Divert teams on their way to a mandatory transfer (module docs)."""

    def _on_the_way(self, incident: Incident, tier: str, eta_s: float) -> Way | None:
        """Find the team on its way to a transfer that reaches ``incident`` before ``eta_s``.

        None also when ``incident`` is no threat to life or the tier does not drive.
        """
        m = self.model
        if not self.threat_to_life(incident) or m.tiers[tier].travel != "road":
            return None
        group = m.linkage.group
        now = m.env.now
        best = None
        for k in self._of_tier.get(tier, np.zeros(0, dtype=np.int64)).tolist():
            team = self.teams[k]
            if team.en_route is None or group[team.jurisdiction] != group[incident.jurisdiction]:
                continue
            if not self._may_serve(team, incident):
                continue
            node, ready_s = team.en_route.ahead(now)
            eta = ready_s + self.travel.travel_to_s(team, node, incident.target_node)
            if eta <= self._reach_s(team, incident) and (best is None or eta < best[1]):
                best = (team, eta, node, ready_s)
        if best is None or not best[1] < eta_s:
            return None
        team, eta, node, ready_s = best
        tree = m.roads.router(team.mode).tree_for(
            np.array([incident.target_node]), node, reverse=True, bounded=True
        )
        return Way(team, eta, tree.path(node), ready_s)

    def _divert(self, incident: Incident, tier: str, way: Way) -> None:
        """Send ``way.team`` from its way to a transfer to ``incident``."""
        m = self.model
        team, eta_s, route, ready_s = way
        on_way = team.en_route
        team.en_route = None
        if on_way.marks is not None:
            m.recorder.cut_trip(team.unique_id, m.env.now + ready_s, on_way.marks)
        team.process.interrupt("diverted to a threat to life")
        self._dispatch(team, incident, tier, route, eta_s - ready_s, turnout_s=ready_s)
        m.transfers.hand_back(on_way.incident, team)
