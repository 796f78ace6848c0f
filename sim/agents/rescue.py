"""Rescue teams in tiers: turn out, travel, get people out in trips, and come home.

A :class:`RescueTeam` waits at its home station. Dispatched to an incident it turns out
(``turnout_s``; the launch delay for aircraft), travels (road tiers along the fastest
open route at their tier's speeds, ignoring queues as emergency vehicles; aviation in a
straight line at cruise speed to the incident). There a team that carries people
(``carry_persons`` > 0) gets them out in trips (:mod:`sim.engine.incidents`): it takes
as many as it carries, spends the extraction time per person (``extraction_s``, by
incident kind; a helicopter's hoist time), brings them to the nearest safe shelter with
room (unloading there takes ``unload_s``) and comes back while anyone is left; at a
reach-only incident, if it carries nobody, or when no safe shelter can be reached from
the incident, it stays ``on_scene_s`` (and the people stay where they are); a team that
finds a team of its tier got before it to an incident with nobody to carry (a blocked
road the other side's team, sent through mutual aid, is already clearing) turns back at
once, and leaves the road to the team that clears it. Then it returns home and is
available again. Arrival times at every node of a road trip are recorded as track
points, and a ``border_cross`` event marks each change of jurisdiction; without priority
passage (``separate``, ``notify``) each crossing first costs the border passage delay
(:mod:`sim.agents.aid`, a ``border_wait`` event).

A team on its way to a mandatory transfer (planned help) may be diverted to a threat
to life it would reach first (:mod:`sim.agents.divert`): it goes on to the next node of
its route and sets off from there, with no second turnout. A team whose road ahead
closes to it turns off at the next node and re-routes (:mod:`sim.agents.on_road`).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING

import mesa
import numpy as np
import simpy

from sim.agents.divert import EnRoute
from sim.agents.extraction import take_out
from sim.engine.incidents import record_at_incident
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
        Time spent at an incident whose people it does not carry.
    name
        Station name and team number, for logs.
    carry_persons
        People the team can carry out of an incident per trip (0: treats on site).
    extraction_s
        Seconds per person to get them out, by incident kind (``"*"``: any other kind).
    unload_s
        Seconds to hand people over at a shelter.
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
        extraction_s: Mapping[str, float] | None = None,
        unload_s: float = 300.0,
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
        self.extraction_s = dict(extraction_s or {"*": 300.0})
        self.unload_s = unload_s
        #: Succeeds (and is replaced) each time the team becomes free at home.
        self.freed = model.env.event()
        #: Its current response (a simpy process), and where it is on its way to a
        #: mandatory transfer, while it may be diverted (:mod:`sim.agents.divert`).
        self.process: simpy.Process | None = None
        self.en_route: EnRoute | None = None
        #: The wait before it sets off on the response it is sent on next, s (None: its
        #: tier's turnout); kept out of :meth:`respond`'s arguments, which subclasses
        #: override with the same three.
        self.sets_off_in_s: float | None = None
        #: The incident it was last sent to, until it is free again.
        self.serving: Incident | None = None

    @property
    def mode(self) -> str:
        """Router this team travels with: its tier's, or ``"boat"`` with a boat."""
        return "boat" if self.boat else self.tier.name

    def per_person_s(self, kind: str) -> float:
        """Seconds to get one person of an incident of ``kind`` out."""
        return float(self.extraction_s.get(kind, self.extraction_s.get("*", 300.0)))

    def respond(
        self, incident: Incident, route_nodes: np.ndarray | None, travel_s: float
    ) -> Generator[simpy.Event, None, None]:
        """Go to ``incident`` along ``route_nodes`` (None for aircraft), work, return home.

        It sets off after its tier's turnout, or after :attr:`sets_off_in_s` when the
        command set it (a team called away or diverted is out already).
        """
        m = self.model
        tier = self.tier.name
        self.available = False
        self.serving = incident
        m.recorder.event(
            m.env.now,
            "dispatch",
            agent=self.unique_id,
            # where it sets out from (a responder called away from a door: that door)
            node=int(route_nodes[0])
            if route_nodes is not None and len(route_nodes)
            else self.station_node,
            jurisdiction=m.jurisdiction_name(self.jurisdiction),
            incident=incident.id,
            tier=tier,
            value=travel_s,
        )
        wait_s = self.tier.turnout_s if self.sets_off_in_s is None else self.sets_off_in_s
        self.sets_off_in_s = None
        start = int(route_nodes[0]) if route_nodes is not None and len(route_nodes) else -1
        divertible = incident.kind == "transfer" and start >= 0
        try:
            if divertible:  # turning out where it sets off from
                self.en_route = EnRoute(incident, np.array([start]), np.array([m.env.now + wait_s]))
            yield m.env.timeout(wait_s)
            self.en_route = None
            ends = [self.station_node, incident.target_node]
            if self.tier.travel == "air":
                ends = [self.station_node, m.dispatcher.landing_node(incident.target_node)]
            where = yield from m.on_road.drive(
                self, route_nodes, ends, travel_s, incident if divertible else None
            )
        except simpy.Interrupt:
            return  # diverted to a threat to life: that response goes on (sim.agents.divert)
        self.en_route = None
        if where != ends[1]:  # every way on was cut (sim.agents.on_road): the next team goes
            m.on_road.hand_back(self, incident)
            if m.dispatcher.join_from(self, where):
                return  # to a threat to life it can reach from here, at once
        else:
            where = yield from self._at_scene(incident)
            if where < 0:
                return  # called away: on its way to a threat to life
        back_nodes, back_s = m.dispatcher.route_home(self, where)
        home = self.station_node
        if np.isfinite(back_s):
            where = yield from m.on_road.drive(self, back_nodes, [where, home], back_s)
        if where != home:  # no open road home (a responder's flooded village): it works
            m.dispatcher.stay_at(self, where)  # on from here
        self.serving = None
        self.available = True
        m.recorder.event(
            m.env.now, "team_home", agent=self.unique_id, node=self.station_node, tier=tier
        )
        freed, self.freed = self.freed, m.env.event()
        freed.succeed()
        m.dispatcher.team_free(self)

    def _at_scene(self, incident: Incident) -> Generator[simpy.Event, None, int]:
        """Work at ``incident`` on arrival; return where the team is when done.

        -1 when it was called away to a threat to life (on its way there).
        """
        m = self.model
        tier = self.tier.name
        first = tier not in incident.arrival_s  # the first team of its tier there
        if first:
            incident.arrival_s[tier] = m.env.now
        record_at_incident(
            m, "arrive_scene", incident, tier=tier, value=m.env.now - incident.report_s,
            agent=self.unique_id,
        )  # fmt: skip
        if incident.kind == "transfer":
            m.transfers.arrived(incident)  # the wait of a transfer handed back ends
        if incident.on_arrival is not None:  # e.g. the doors of a mandatory transfer
            arrived, incident.on_arrival = incident.on_arrival, None
            if (yield from arrived(self)):
                return -1  # called away to a threat to life: on its way there
        where = incident.target_node
        # a team of its tier got to an incident with nobody to carry first and does its
        # work (a slower own team, after mutual aid's arrived): this one turns back
        turns_back = not incident.carried and not first
        if incident.carried and self.carry_persons > 0:
            where = yield from self._get_people_out(incident)
            if where < 0:
                return -1  # called away between two trips (:mod:`sim.agents.transfers`)
        else:
            if not turns_back:
                yield m.env.timeout(incident.on_scene_s.get(tier, self.on_scene_s))
            m.recorder.event(
                m.env.now,
                "leave_scene",
                agent=self.unique_id,
                node=incident.node,
                incident=incident.id,
                tier=tier,
                value=0,
            )
        if incident.on_cleared is not None and tier == "ground" and not turns_back:
            clear, incident.on_cleared = incident.on_cleared, None
            clear()
        return where

    def _get_people_out(self, incident: Incident) -> Generator[simpy.Event, None, int]:
        """Trips between the incident and shelters until nobody waits; return where it ends.

        -1 when, at a mandatory transfer, a threat to life called the team away between
        two trips (:mod:`sim.agents.transfers`).
        """
        m = self.model
        at = incident.target_node
        while incident.waiting and m.env.now < m.scenario.horizon_s:
            if at != incident.target_node:  # back from the previous trip
                if incident.kind == "transfer" and m.dispatcher.call_away(self, at):
                    m.transfers.hand_back(incident, self, np.zeros(0, dtype=np.int64))
                    return -1
                at = yield from self._go(at, incident.target_node)
                if at != incident.target_node:  # no way back: the next team takes the rest
                    m.on_road.hand_back(self, incident)
                    break
            load, shelter = m.operations.load_to_shelter(self, incident, at)
            if load == 0:
                # no way out to a safe shelter (with room, for people safe at home): the
                # team works on scene and leaves; people stay where they are
                yield m.env.timeout(incident.on_scene_s.get(self.tier.name, self.on_scene_s))
                record_at_incident(
                    m, "leave_scene", incident, tier=self.tier.name, agent=self.unique_id,
                    value=max(incident.persons_left, 0),
                )  # fmt: skip
                break
            out = yield from take_out(self, incident, load, shelter)
            if out is None:
                break
            alive_units, held = out
            if alive_units:
                at = yield from self._deliver(incident, alive_units, at, held)
            elif shelter >= 0:
                m.shelters.release(shelter, held[1])
        return at

    def _deliver(
        self, incident: Incident, units: list, at: int, held: tuple[int, int] = (-1, 0)
    ) -> Generator[simpy.Event, None, int]:
        """Bring rescued people to the nearest safe shelter with room; return the node.

        ``held``: a shelter and the places kept there for this load (-1: none), used
        while it is still safe; else they are given back and the nearest is chosen.
        """
        m = self.model
        persons = sum(u.persons for u in units)
        linked = [u for u in units if u.row >= 0]
        size = sum(u.persons for u in linked)
        kept, places = held
        if kept >= 0 and places > size:
            m.shelters.release(kept, places - size)  # those who did not live need none
        if kept >= 0 and not m.shelters.usable[kept]:
            m.shelters.release(kept, size)
            kept = -1
        while True:
            shelter = kept if kept >= 0 else m.shelters.nearest_for_team(at, size, self)
            if shelter < 0:  # nowhere to go: they wait, safe, at the access point
                m.operations.leave_rescued(linked, at)
                return at
            node = int(m.shelters.node[shelter])
            for unit in linked:  # they ride with the team: breathe, and are counted, there
                m.households.node[unit.row] = node
            end = yield from self._go(at, node, escape=True)  # carrying them out
            if end == node:
                break
            m.shelters.release(shelter, size)
            if end == at and kept < 0:  # cut off before it set out: they wait where they are
                m.operations.leave_rescued(linked, at)
                return at
            kept = -1  # the kept shelter was cut off: the nearest from here
            at = end  # the way was cut on the road: the nearest safe shelter from there
        yield m.env.timeout(self.unload_s)
        m.operations.shelter_rescued(linked, shelter)
        m.recorder.event(
            m.env.now,
            "deliver",
            agent=self.unique_id,
            node=node,
            incident=incident.id,
            tier=self.tier.name,
            value=persons,
        )
        return node

    def _go(
        self, origin: int, target: int, *, escape: bool = False
    ) -> Generator[simpy.Event, None, int]:
        """Travel from ``origin`` to ``target``; return where it ends (:mod:`sim.agents.on_road`).

        ``target``, or the node where every way on was cut: ``origin``, and no time
        spent, when none was open at the start. ``escape``: it carries people out
        (:meth:`sim.agents.on_road.RoadTrips.drive`).
        """
        m = self.model
        nodes, time_s = m.operations.route(self, origin, target)
        if not np.isfinite(time_s):
            return origin
        return (yield from m.on_road.drive(self, nodes, [origin, target], time_s, escape=escape))

    def _border_wait(self, route_nodes: np.ndarray | None) -> Generator[simpy.Event, None, None]:
        """Wait at the border on a trip along ``route_nodes`` (``MutualAid.passage_delay_s``)."""
        m = self.model
        wait_s = m.aid.passage_delay_s(self, route_nodes)
        if wait_s > 0:
            m.recorder.event(
                m.env.now,
                "border_wait",
                agent=self.unique_id,
                node=self.station_node,
                jurisdiction=m.jurisdiction_name(self.jurisdiction),
                tier=self.tier.name,
                value=wait_s,
            )
            m.aid.waited(self, wait_s)
            yield m.env.timeout(wait_s)
