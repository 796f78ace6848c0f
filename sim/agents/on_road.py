"""Teams and trucks on the road turn off when a link ahead closes to them, and re-route.

A road trip of a rescue team (:class:`sim.agents.rescue.RescueTeam`) or a supply truck
(:class:`sim.agents.truck.SupplyTruck`) is planned on the roads open to it when it sets
off and taken as one stretch of time. The hazard moves meanwhile: water rises over the
links of a route planned an hour before, a slope slides onto a road, a lethal plume
drifts over a volunteer's way. Without a check, they drove on through it: at seed 0,
442 of the flood's 2,321 volunteer trips and 34 of its 499 truck trips entered a link
after the water had closed it to them, and 6 of the landslide's 30 ground-team trips
drove into a slide that had fallen after they set off (up to 30 min after it fell).

:class:`RoadTrips` keeps each road trip under way (its nodes and the times it reaches
them). After each change of the roads (:meth:`RoadTrips.roads_changed`, called from the
model) a team or truck whose route ahead (the links it has not entered yet) has a link
now closed to its router is stopped: it drives on to the next node of its route (it is
on its link already) and from there takes the fastest way open to it now to the same
destination (``team_rerouted``/``truck_rerouted``, value: the new travel time in s), as
a driver told by radio that the road ahead is under water or blocked turns off at the
next junction. A route that closed while the team turned out, or waited at the border,
is planned again when it sets off. One exception: a team carrying rescued people to a
shelter drives on out through air that turns lethal ahead of it (it would otherwise
stop, with them, inside the plume: 6 dead so at seed 0 of the gas leak under mutual
aid, in a first version). The rule for responders without breathing apparatus is not to
*enter* air immediately dangerous to life (OSHA 29 CFR 1910.134(g)(3)); IDLH is by
definition the level from which one can still *escape* within 30 min (NIOSH, *IDLH
Values*, 1994 criteria), and a vehicle on its way out is escaping. Before it sets off
(after a border wait) it goes round such air when a way round is open, else through it.
Both checks ask :meth:`RoadTrips._closed`, so a boat with people aboard keeps to the
water its router opens to it (a first version stopped it at the next node at each
flood step: 307 needless turn-offs at seed 0 of the flood).

When no way is open (``team_cut_off``, ``truck_cut_off``) the trip ends at that node: on
its way to an incident the team hands the incident back to the commands, which send the
next team (:meth:`RoadTrips.hand_back`, ``incident_handed_back``; on its way back to the
scene from a shelter, the people still there) and goes home or works on from there;
carrying people, it looks for the nearest safe shelter from there; on its way home, it
works on from there (:meth:`sim.agents.command.Dispatcher.stay_at`). A truck drives on
to its next stop from where it stopped and takes the kits it could not deliver back to a
depot; their shelter asks again, and the supply service retries whenever roads reopen. A
trip waits at the border once (:meth:`sim.agents.rescue.RescueTeam._border_wait`), not
again when it turns off. A team diverted to a threat to life in the instant its road
closed is only diverted (:mod:`sim.agents.divert`).

This is the rule households already follow on the road (:mod:`sim.agents.walks`, issue
12: "people already on the road re-route when the hazard's footprint reaches their
route"), applied to the teams and trucks, to a team's move to its border staging
point (:mod:`sim.agents.aid`), which stages where it stopped if cut off, and to the legs
of a door-knocking round (:mod:`sim.agents.door_knock`): in a first version they were
times only, and at seed 0 of the gas leak one responder drove on into air that had
turned lethal ahead of it on its way to a door (at 63 min); now it stops short of it.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.agents.divert import EnRoute, next_node
from sim.engine.incidents import record_at_incident

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.agents.truck import SupplyTruck
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel

    Driver = RescueTeam | SupplyTruck


@dataclass(frozen=True)
class OnRoad:
    """A road trip under way: ``nodes`` reached at ``times`` (s) over ``edges``.

    ``process``: the team's process making the trip; ``marks``: where its track points
    and events start in the recorder (:meth:`sim.engine.recording.Recorder.cut_trip`).
    """

    nodes: np.ndarray
    times: np.ndarray
    edges: np.ndarray
    process: simpy.Process
    marks: tuple[int, int, int]
    escape: bool = False

    def ahead(self, now_s: float) -> tuple[int, float]:
        """Return the next node the team reaches (or is at) and the time to it from ``now_s``."""
        return next_node(self.nodes, self.times, now_s)


class Reroute:
    """Why a team's trip is interrupted: a link ahead on ``trip`` closed to it."""

    def __init__(self, trip: OnRoad) -> None:
        self.trip = trip


class RoadTrips:
    """The road trips of teams and trucks under way, re-routed when a link ahead closes.

    See the module docs.
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        self._trips: dict[Driver, OnRoad] = {}
        #: Trips re-routed and trips cut off on the way, by family ("team", "truck") and
        #: the side of the team or of the truck's command.
        n = len(model.network.jurisdiction_names)
        self.rerouted = {f: np.zeros(n, dtype=np.int64) for f in ("team", "truck")}
        self.cut_off = {f: np.zeros(n, dtype=np.int64) for f in ("team", "truck")}
        #: Incidents handed back by a team with no way to them, by the team's side.
        self.handed_back = np.zeros(n, dtype=np.int64)

    def drive(
        self,
        team: Driver,
        nodes: np.ndarray | None,
        ends: list[int],
        travel_s: float,
        divertible: Incident | None = None,
        *,
        escape: bool = False,
    ) -> Generator[simpy.Event, None, int]:
        """Drive along ``nodes`` (None: fly from ``ends[0]`` to ``ends[1]``) in ``travel_s``.

        ``team``: a rescue team or a supply truck (which waits at no border). Returns
        where the trip ends: ``ends[1]``, or the node where every way on was cut.
        ``divertible``: the mandatory transfer the team is on its way to, kept in
        ``team.en_route`` while it may be diverted (:mod:`sim.agents.divert`).
        ``escape``: it carries rescued people out, and air that turns lethal ahead does
        not stop it (module docs); a slide, a scripted closure, or water (but for a
        boat) does.
        """
        m = self.model
        target = ends[1]
        waited = False  # at the border, for this route
        while True:
            road = nodes is not None and len(nodes) >= 2
            if road:
                edges = m.network.edge_ids(nodes[:-1], nodes[1:])
                # closed since it was planned (while the team turned out or waited)
                closed = self._closed(team, edges).any()
                if closed and not self._through(team, nodes, edges, escape):
                    start = int(nodes[0])
                    nodes, travel_s = self._replan(team, start, target)
                    if nodes is None:
                        return start
                    ends = [start, target]
                    continue
            if not waited:
                waited = True
                if team.family == "team":
                    yield from team._border_wait(nodes)
                if road:
                    continue  # a link may have closed meanwhile
            way = (nodes, edges) if road else (None, None)
            trip_nodes, times, marks = self._trace(team, *way, ends, travel_s)
            if divertible is not None:
                team.en_route = EnRoute(divertible, trip_nodes, times, marks)
            if not road:
                yield m.env.timeout(travel_s)
                return target
            trip = OnRoad(trip_nodes, times, edges, m.env.active_process, marks, escape)
            self._trips[team] = trip
            try:
                yield m.env.timeout(travel_s)
            except simpy.Interrupt as stop:
                if not isinstance(stop.cause, Reroute):
                    self._trips.pop(team, None)
                    raise  # diverted to a threat to life (sim.agents.divert)
                if divertible is not None and team.process is not m.env.active_process:
                    # diverted in the same instant, after the road closed: the diversion's
                    # interrupt, still to come, ends this response (sim.agents.divert)
                    yield m.env.event()
                node, nodes, travel_s = yield from self._turn_off(team, trip, target, divertible)
                if nodes is None:
                    return node
                ends = [node, target]  # the border wait was this trip's: not again
                continue
            self._trips.pop(team, None)
            return target

    def _trace(
        self,
        team: Driver,
        nodes: np.ndarray | None,
        edges: np.ndarray | None,
        ends: list[int],
        travel_s: float,
    ) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int]]:
        """Record the track points (and a team's border crossings) of a trip starting now.

        Returns its nodes, the times it reaches them, and where its track points and the
        events logged with it are kept (:meth:`sim.engine.recording.Recorder.cut_trip`).
        A road trip's points are spread by its links' times now, scaled so that it takes
        the ``travel_s`` it was sent with (planned on the costs of its departure); a link
        closed since it was planned, which a team carrying people out still drives
        (module docs), takes its open-road time.
        """
        m = self.model
        now, rec = m.env.now, m.recorder
        trip_at, first = rec.marks()
        if nodes is None or edges is None:  # aircraft, or a trip of no length: two points
            nodes, times = np.array(ends), np.array([now, now + travel_s])
            rec.track(now, team.unique_id, team.family, ends[0])
            rec.track(now + travel_s, team.unique_id, team.family, ends[1])
        else:
            link_s = m.roads.router(team.mode).weights_s[edges]
            link_s = np.where(np.isfinite(link_s), link_s, m.roads.base_weights_s(team.mode)[edges])
            cum = np.concatenate(([0.0], np.cumsum(link_s)))
            if np.isfinite(travel_s) and cum[-1] > 0:
                cum *= travel_s / cum[-1]
            times = now + cum
            rec.track_route(times, team.unique_id, team.family, nodes)
        if team.family == "team":
            self._cross_borders(team, nodes, times)
        return nodes, times, (trip_at, first, rec.marks()[1])

    def _cross_borders(self, team: RescueTeam, nodes: np.ndarray, times: np.ndarray) -> None:
        """Log a ``border_cross`` at each change of jurisdiction on ``team``'s trip."""
        m = self.model
        juris = m.network.jurisdiction[nodes]
        for k in np.nonzero(juris[1:] != juris[:-1])[0]:
            m.recorder.event(
                float(times[k + 1]),
                "border_cross",
                agent=team.unique_id,
                node=int(nodes[k + 1]),
                jurisdiction=m.jurisdiction_name(juris[k + 1]),
                tier=team.tier.name,
            )

    def _turn_off(
        self, team: Driver, trip: OnRoad, target: int, divertible: Incident | None
    ) -> Generator[simpy.Event, None, tuple[int, np.ndarray | None, float]]:
        """Go on to the next node of ``trip`` and plan the way on from there.

        Returns that node, the new route and its time: (node, None, inf) when no way is
        open.
        """
        m = self.model
        node, ready_s = trip.ahead(m.env.now)
        m.recorder.cut_trip(team.unique_id, m.env.now + ready_s, trip.marks)
        if divertible is not None:
            team.en_route = EnRoute(divertible, np.array([node]), np.array([m.env.now + ready_s]))
        yield m.env.timeout(ready_s)
        nodes, travel_s = self._replan(team, node, target)
        return node, nodes, travel_s

    def _replan(self, team: Driver, node: int, target: int) -> tuple[np.ndarray | None, float]:
        """Return the fastest way open to ``team`` now from ``node`` to ``target``.

        (None, inf) when none is open. Logged as ``team_rerouted`` (value: its time, s)
        or ``team_cut_off`` (``truck_...`` for a truck).
        """
        m = self.model
        nodes, travel_s = self.route(team, node, target)
        found = bool(np.isfinite(travel_s))
        side = team.jurisdiction if team.family == "team" else team.side
        (self.rerouted if found else self.cut_off)[team.family][side] += 1
        m.recorder.event(
            m.env.now,
            f"{team.family}_rerouted" if found else f"{team.family}_cut_off",
            agent=team.unique_id,
            node=node,
            jurisdiction=m.jurisdiction_name(side),
            tier=team.tier.name if team.family == "team" else "",
            value=travel_s if found else 0.0,
        )
        return (nodes, travel_s) if found else (None, np.inf)

    def route(self, team: Driver, node: int, target: int) -> tuple[np.ndarray | None, float]:
        """Route and time from ``node`` to ``target`` on the roads open to ``team`` now.

        (None, inf) when cut off; an aircraft's route is None (it flies).
        """
        if team.family == "team":
            return self.model.operations.route(team, node, target)
        return self.model.operations.road_route(team.mode, node, target)

    def roads_changed(self) -> None:
        """Stop the teams and trucks whose route ahead has a link now closed to them."""
        now = self.model.env.now
        for team, trip in list(self._trips.items()):
            ahead = trip.edges[trip.times[:-1] >= now]
            if self._closed(team, ahead, escape=trip.escape).any():
                del self._trips[team]
                if trip.process.is_alive:
                    trip.process.interrupt(Reroute(trip))

    def _closed(self, team: Driver, edges: np.ndarray, *, escape: bool = False) -> np.ndarray:
        """Which of ``edges`` are closed to ``team``'s trip now.

        Those closed to its router; for a team carrying people out (``escape``), not
        those closed by lethal air alone (module docs). A boat's router keeps flooded
        links open, and so does its trip with people aboard: the water is its way.
        """
        roads = self.model.roads
        closed = ~np.isfinite(roads.router(team.mode).weights_s[edges])
        if escape:
            closed &= roads.closed_to_teams[edges]
        return closed

    def _through(self, team: Driver, nodes: np.ndarray, edges: np.ndarray, escape: bool) -> bool:
        """Whether a team carrying people out sets off through air turned lethal.

        Only when nothing else closed its route and no way round is open: at the start
        of a trip (after a border wait) it goes round when it can.
        """
        if not escape or self._closed(team, edges, escape=True).any():
            return False
        return not np.isfinite(self.route(team, int(nodes[0]), int(nodes[-1]))[1])

    def summary(self, family: str) -> dict[str, dict[str, int]]:
        """Trips of ``family`` ("team", "truck") re-routed and cut off, by side.

        For ``summary.json``: ``<family>s_rerouted`` and ``<family>s_cut_off_on_the_way``;
        for teams also ``handed_back_cut_off``, the incidents they handed back.
        """
        names = self.model.network.jurisdiction_names
        out = {
            f"{family}s_{what}": dict(zip(names, counts[family].tolist(), strict=True))
            for what, counts in (("rerouted", self.rerouted), ("cut_off_on_the_way", self.cut_off))
        }
        if family == "team":
            out["handed_back_cut_off"] = dict(zip(names, self.handed_back.tolist(), strict=True))
        return out

    def hand_back(self, team: RescueTeam, incident: Incident) -> None:
        """``team`` cannot get to ``incident`` by any open road: the commands send another.

        It goes to the nearest free team of the tier it was sent for, or waits for one
        (a mandatory transfer with its doors as they were; not counted as a transfer a
        team was called away from, :meth:`sim.agents.transfers.Transfers.hand_back`).
        """
        m = self.model
        team.en_route = None
        team.serving = None
        tiers = [t for t, uid in incident.dispatched.items() if uid == team.unique_id]
        for tier in tiers:
            # mutual aid or a reinforcement named in its place: the team sent before is
            # still on its way there or at work, and the incident stays with it
            others = [t for t in m.teams if t.serving is incident and t.tier.name == team.tier.name]
            if others:
                incident.dispatched[tier] = others[0].unique_id
                continue
            self.handed_back[team.jurisdiction] += 1
            del incident.dispatched[tier]
            record_at_incident(
                m, "incident_handed_back", incident, tier=tier, agent=team.unique_id,
                value=incident.persons,
            )  # fmt: skip
            if not incident.done:
                m.dispatcher.reassign(incident, tier)
                m.dispatcher.ask_aircraft(incident)  # cut off since it was reported?
