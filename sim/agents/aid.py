"""Mutual aid between commands: requests, reserves, pre-positioning and border passage.

- **Requests.** A command asks for a team as soon as its own best arrival at an incident
  exceeds the tier's standard (or it has no free team that can reach it). Every side
  that aids it (``mutual_aid`` or above with it, :mod:`sim.agents.linkage`) answers
  ``mutual_aid_request_delay_min`` later with its nearest free team, if that team
  would arrive before the requester's own. No aid is asked for the kinds of
  :data:`OWN_SIDE_KINDS`: people safe where they are, and mandatory transfers.
- **Reserves.** A side that knows the hazard is forecast to reach its own ground keeps
  ``reserve_share`` of each tier's teams (rounded up) and lends only beyond that; so
  does a joint command for the teams of each side.
- **Pre-positioning.** A side told of a hazard on its neighbour's ground that is not
  forecast to reach its own sends ``preposition_teams`` free ground teams to its border
  node nearest the threatened area: they wait there (their base for the run) for
  requests.
- **Border passage.** Under ``separate`` and ``notify`` a road team whose trip ends on
  the other side's ground (to work there, or to bring people to a shelter there)
  waits ``border_passage_delay_min`` once on that trip (checkpoint, identification,
  permission); passing through costs nothing; aid partners have priority passage (the
  green channels of the linkage agreements).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.model import EmergencyModel

#: Incidents only the side's own teams serve: no aid is asked for them, and a joint
#: command sends no team of another side. People safe where they are who cannot
#: leave (``stranded``, ``isolated``) come to no harm waiting for the side's own teams,
#: and a lent team is away from its own area for hours: in the landslide under mutual
#: aid (seed 2514754278) Suining lent 5 of its 6 ground teams to such households in
#: Tongnan, 45-67 min away, and its own burial at 3.8 h waited 84 min for a team.
#: Mandatory transfers are each village's own duty (三个必转). Threats to life and
#: blocked roads (access for everyone) cross the border.
OWN_SIDE_KINDS = frozenset({"stranded", "isolated", "transfer"})


class MutualAid:
    """Reserve rules, pre-positioning and border passage of a run.

    Parameters
    ----------
    model
        The run.
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        policy = model.scenario.policy
        self.request_delay_s = policy.mutual_aid_request_delay_min * 60.0
        self.passage_s = policy.border_passage_delay_min * 60.0
        self.reserve_share = policy.reserve_share
        self.preposition_teams = policy.preposition_teams
        self._threat_at: tuple[float, np.ndarray] | None = None
        n = len(model.network.jurisdiction_names)
        #: Per side: teams sent to the border, teams held back as reserve at least once
        #: (ids), and seconds teams of the side waited at the border.
        self.prepositioned = np.zeros(n, dtype=np.int64)
        self.reserve_held: list[set[int]] = [set() for _ in range(n)]
        self.border_wait_s = np.zeros(n)

    # ---------------------------------------------------------------- reserves
    def threatened(self) -> np.ndarray:
        """Per side: whether its command knows the hazard is forecast on its ground."""
        m = self.model
        now = m.env.now
        if self._threat_at is None or self._threat_at[0] != now:
            n = len(m.network.jurisdiction_names)
            unsafe = m.hazards.forecast_unsafe(now) if m.hazards.active else None
            out = np.zeros(n, dtype=bool)
            if unsafe is not None and unsafe.any():
                hit = np.bincount(m.network.jurisdiction[unsafe], minlength=n) > 0
                out = hit & np.isfinite(m.known_since_s)
            self._threat_at = (now, out)
        return self._threat_at[1]

    def may_lend(self, team: RescueTeam) -> bool:
        """Whether ``team`` may go to another side: its side keeps its reserve first."""
        side = team.jurisdiction
        if not self.threatened()[side]:
            return True
        mine = [t for t in self.model.teams if t.jurisdiction == side and t.tier is team.tier]
        keep = math.ceil(self.reserve_share * len(mine))
        free = sum(t.available for t in mine)
        if free > keep:
            return True
        self.reserve_held[side].add(team.unique_id)
        return False

    # ----------------------------------------------------------------- passage
    def passage_delay_s(self, team: RescueTeam, nodes: np.ndarray | None) -> float:
        """Return the wait of ``team`` at the border on a trip along ``nodes``, s.

        A trip that ends on the ground of a side without priority passage with the
        team's own side (to work there, or to bring people to a shelter there) waits
        once: checkpoint, identification, permission. Passing through on a road costs
        nothing (emergency vehicles in transit are not stopped); aircraft do not wait.
        """
        if self.passage_s <= 0 or nodes is None or len(nodes) < 2:
            return 0.0
        m = self.model
        side, own = int(m.network.jurisdiction[int(nodes[-1])]), team.jurisdiction
        if side == own or m.linkage.priority_passage(own, side):
            return 0.0
        return self.passage_s

    def waited(self, team: RescueTeam, wait_s: float) -> None:
        """Count ``wait_s`` seconds ``team`` waited at border crossings."""
        self.border_wait_s[team.jurisdiction] += wait_s

    def summary(self) -> dict:
        """Per side: teams pre-positioned, teams held in reserve, its teams' border waits."""
        names = self.model.network.jurisdiction_names
        return {
            name: {
                "teams_prepositioned": int(self.prepositioned[j]),
                "teams_held_in_reserve": len(self.reserve_held[j]),
                "border_wait_min": round(float(self.border_wait_s[j]) / 60.0, 1),
            }
            for j, name in enumerate(names)
        }

    # ---------------------------------------------------------- pre-position
    def preposition(self, side: int) -> None:
        """Send ``side``'s free ground teams to its border point nearest the threat."""
        m = self.model
        if self.preposition_teams <= 0 or self.threatened()[side] or "ground" not in m.tiers:
            return
        net = m.network
        threat = m.hazards.forecast_unsafe(m.env.now) & (net.jurisdiction != side)
        if not threat.any():
            return
        staging = self._border_node(side, threat)
        if staging < 0:
            return
        router = m.roads.router("ground")
        to_staging = router.tree(np.array([staging]), reverse=True)
        free = [
            t
            for t in m.teams
            if t.jurisdiction == side and t.tier.name == "ground" and t.available and not t.boat
        ]
        free = [t for t in free if np.isfinite(to_staging.time_s[t.station_node])]
        free.sort(key=lambda t: (to_staging.time_s[t.station_node], t.unique_id))
        for team in free[: self.preposition_teams]:
            self.prepositioned[side] += 1
            m.env.process(self._move(team, staging, to_staging))

    def _border_node(self, side: int, threat: np.ndarray) -> int:
        """Node of ``side`` on the border (a link to another side) nearest ``threat``."""
        from scipy.spatial import cKDTree

        net = self.model.network
        s, t = net.edge_source, net.edge_target
        juris = net.jurisdiction
        border = np.unique(s[(juris[s] == side) & (juris[t] != side)])
        if border.size == 0:
            return -1
        targets = np.flatnonzero(threat)
        tree = cKDTree(np.column_stack([net.x_m[targets], net.y_m[targets]]))
        d, _ = tree.query(np.column_stack([net.x_m[border], net.y_m[border]]))
        return int(border[np.argmin(d)])

    def _move(self, team: RescueTeam, staging: int, tree) -> Generator[simpy.Event, None, None]:
        m = self.model
        team.available = False
        route = tree.path(team.station_node)
        travel_s = float(tree.time_s[team.station_node])
        m.recorder.event(
            m.env.now,
            "preposition",
            agent=team.unique_id,
            node=staging,
            jurisdiction=m.jurisdiction_name(team.jurisdiction),
            tier=team.tier.name,
            value=travel_s,
        )
        # a closure ahead: it turns off, or stages where no way on is left (sim.agents.on_road)
        staging = yield from m.on_road.drive(team, route, [team.station_node, staging], travel_s)
        m.dispatcher.rebase(team, staging)
        team.available = True
        freed, team.freed = team.freed, m.env.event()
        freed.succeed()
        m.dispatcher.team_free(team)
