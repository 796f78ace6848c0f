"""Rescue teams in tiers: turn out, travel, work on scene and come home.

A :class:`RescueTeam` waits at its home station. Dispatched to an incident it turns out
(``turnout_s``; the launch delay for aircraft), travels (road tiers along the fastest
open route at their tier's speeds, ignoring queues as emergency vehicles; aviation in a
straight line at cruise speed to the incident), stays ``on_scene_s``, returns home and is
available again. Arrival times at every node of a road trip are recorded as track
points, and a ``border_cross`` event marks each change of jurisdiction along the way.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import numpy as np
import simpy

from sim.tiers import TierStandard

if TYPE_CHECKING:
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel


class RescueTeam(mesa.Agent):
    """One team of a tier, based at a station.

    Parameters
    ----------
    model
        The run.
    tier
        Its tier standard (travel mode, turnout, speeds).
    station_node
        Home station node.
    jurisdiction
        Index of its home jurisdiction.
    on_scene_s
        Time spent at an incident.
    name
        Station name and team number, for logs.
    carry_persons
        People the team can carry out of an incident per trip (0: treats on site).
    """

    family = "team"

    def __init__(
        self,
        model: EmergencyModel,
        *,
        tier: TierStandard,
        station_node: int,
        jurisdiction: int,
        on_scene_s: float,
        name: str,
        carry_persons: int = 0,
    ) -> None:
        super().__init__(model)
        self.tier = tier
        self.station_node = station_node
        self.jurisdiction = jurisdiction
        self.on_scene_s = on_scene_s
        self.name = name
        self.available = True
        self.boat = False
        self.carry_persons = carry_persons

    @property
    def mode(self) -> str:
        """Router this team travels with: its tier's, or ``"boat"`` with a boat."""
        return "boat" if self.boat else self.tier.name

    def respond(
        self, incident: Incident, route_nodes: np.ndarray | None, travel_s: float
    ) -> Generator[simpy.Event, None, None]:
        """Go to ``incident`` along ``route_nodes`` (None for aircraft), then return home."""
        m = self.model
        tier = self.tier.name
        self.available = False
        m.recorder.event(
            m.env.now,
            "dispatch",
            agent=self.unique_id,
            node=self.station_node,
            jurisdiction=m.jurisdiction_name(self.jurisdiction),
            incident=incident.id,
            tier=tier,
            value=travel_s,
        )
        yield m.env.timeout(self.tier.turnout_s)
        ends = [self.station_node, incident.target_node]
        if self.tier.travel == "air":
            ends = [self.station_node, m.dispatcher.landing_node(incident.target_node)]
        self._trace(route_nodes, ends, travel_s)
        yield m.env.timeout(travel_s)
        if tier not in incident.arrival_s:
            incident.arrival_s[tier] = m.env.now
        m.recorder.event(
            m.env.now,
            "arrive_scene",
            agent=self.unique_id,
            node=incident.node,
            jurisdiction=m.jurisdiction_name(incident.jurisdiction),
            incident=incident.id,
            tier=tier,
            value=m.env.now - incident.report_s,
        )
        yield m.env.timeout(incident.on_scene_s.get(tier, self.on_scene_s))
        carried = min(self.carry_persons, incident.persons - incident.carried_persons)
        incident.carried_persons += carried
        m.recorder.event(
            m.env.now,
            "leave_scene",
            agent=self.unique_id,
            node=incident.node,
            incident=incident.id,
            tier=tier,
            value=carried,
        )
        if incident.on_cleared is not None and tier == "ground":
            clear, incident.on_cleared = incident.on_cleared, None
            clear()
        back_nodes, back_s = m.dispatcher.route_home(self, incident.target_node)
        if not np.isfinite(back_s):
            return  # no open road home: the team stays at the scene, out of service
        self._trace(back_nodes, [incident.target_node, self.station_node], back_s)
        yield m.env.timeout(back_s)
        self.available = True
        m.recorder.event(
            m.env.now, "team_home", agent=self.unique_id, node=self.station_node, tier=tier
        )
        m.dispatcher.team_free(self)

    def _trace(self, route_nodes: np.ndarray | None, ends: list[int], travel_s: float) -> None:
        """Record track points and border crossings of a trip starting now."""
        m = self.model
        now = m.env.now
        if route_nodes is None or len(route_nodes) < 2:  # aircraft: two points
            m.recorder.track(now, self.unique_id, self.family, ends[0])
            m.recorder.track(now + travel_s, self.unique_id, self.family, ends[1])
            nodes, times = np.array(ends), np.array([now, now + travel_s])
        else:
            nodes = np.asarray(route_nodes)
            weights = m.roads.router(self.mode).weights_s
            edges = m.network.edge_ids(nodes[:-1], nodes[1:])
            times = now + np.concatenate(([0.0], np.cumsum(weights[edges])))
            for t, n in zip(times, nodes, strict=True):
                m.recorder.track(float(t), self.unique_id, self.family, int(n))
        juris = m.network.jurisdiction[nodes]
        for k in np.nonzero(juris[1:] != juris[:-1])[0]:
            m.recorder.event(
                float(times[k + 1]),
                "border_cross",
                agent=self.unique_id,
                node=int(nodes[k + 1]),
                jurisdiction=m.jurisdiction_name(juris[k + 1]),
                tier=self.tier.name,
            )
