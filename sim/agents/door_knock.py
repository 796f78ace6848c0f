"""Door-knocking rounds of the community responders (鸣锣敲门, ``docs/DOMAIN.md``).

For warnings at ``behaviour.door_knock_min_level`` or above, the community responders
of each side visit, at their homes, the households no channel reached, and again, no
sooner than ``door_knock_revisit_min`` later, those who heard and refused. Every node
belongs to the area of the nearest community post of its side (by the community
responders' travel time); each post's teams work their area's list one node at a time,
the nodes the hazard threatens (forecast unsafe, or visibly in danger, when added)
first, then outward from the hazard's source (the well, the river), then from the post:

- travel from where the team is to the node, then ``door_knock_min_per_household``
  for each household still at home there (the visit is a contact: the household
  decides again, :mod:`sim.agents.compliance`), recorded as a ``door_knock`` event; a
  node it cannot get to waits off the list until a road reopens (:meth:`roads_reopened`).
  Each leg is a road trip like any other of a team (:mod:`sim.agents.on_road`): tracked
  for the replay, and turned off at the next node when a link ahead closes to it (water,
  a slide, air turned lethal); a door it is cut off from on the way waits as above;
- between nodes the team checks its side's queue: when a threat to life or a mandatory
  transfer waits for a community team, it sets off for it from the door it is at
  (:meth:`Dispatcher.team_free` with the team's base there for the call) and comes
  home afterwards; other work (stranded households, blocked roads) waits until the
  post's list is done: warning those no channel reached comes first.

A team knocking doors is not available for incidents (``available`` is False), and one
out on an incident resumes knocking when it is home again.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sim.agents.households import AT_HOME

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.model import EmergencyModel

COMMUNITY = "community"
#: A leg between two doors is looked up within this time first (s): cheap, local trees.
NEAR_S = 900.0


class DoorKnocking:
    """The door-knocking lists and rounds of every community post.

    Parameters
    ----------
    model
        The run (its ``teams``, ``warnings``, ``dispatcher`` and ``households``).
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        b = model.scenario.behaviour
        self.knock_s = b.door_knock_min_per_household * 60.0
        self.revisit_s = b.door_knock_revisit_min * 60.0
        n_juris = len(model.network.jurisdiction_names)
        #: Households visited at the door, per jurisdiction (a household visited twice
        #: counts twice).
        self.knocks = np.zeros(n_juris, dtype=np.int64)
        self.teams = [t for t in model.teams if t.tier.name == COMMUNITY]
        #: Per listing: the warning's shelter-in-place node mask and its action.
        self._orders: list[tuple[np.ndarray, str]] = []
        posts = sorted({(t.jurisdiction, t.station_node) for t in self.teams})
        #: Each responder's post (its home: the key of its list), wherever it is based.
        self._post_of = {t.unique_id: t.station_node for t in self.teams}
        self._lists: dict[int, list] = {node: [] for _, node in posts}
        #: Per post, the list entries its responders found cut off, until a road reopens.
        self._cut_off: dict[int, list] = {node: [] for _, node in posts}
        self._seq = itertools.count()
        self._work: dict[int, simpy.Event] = {node: model.env.event() for _, node in posts}
        self._post, self._post_time_s = self._areas(posts)
        self._started = False

    def _areas(self, posts: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Post of every node (-1: none) and the responders' time from it, s.

        The post is the nearest community post of the node's side by the responders'
        travel time; nodes no post reaches by road go to the post nearest in a straight
        line (their visits wait for the road to open; their time is inf).
        """
        from scipy.spatial import cKDTree

        m = self.model
        net = m.network
        post = np.full(net.n_nodes, -1, dtype=np.int64)
        time_s = np.full(net.n_nodes, np.inf)
        for juris in sorted({j for j, _ in posts}):
            nodes = np.array([n for j, n in posts if j == juris], dtype=np.int64)
            mine = net.jurisdiction == juris
            _, k = cKDTree(np.column_stack([net.x_m[nodes], net.y_m[nodes]])).query(
                np.column_stack([net.x_m, net.y_m])
            )
            nearest = nodes[k]
            if COMMUNITY in m.roads.routers:
                tree = m.roads.router(COMMUNITY).tree(nodes)
                nearest = np.where(tree.source >= 0, tree.source, nearest)
                time_s[mine] = tree.time_s[mine]
            post[mine] = nearest[mine]
        return post, time_s

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        for team in self.teams:
            self.model.env.process(self._round(team))

    # ------------------------------------------------------------------ lists
    def visit(
        self, rows: np.ndarray, level: int, shelter: np.ndarray, action: str = "auto"
    ) -> None:
        """Add households ``rows`` to their posts' lists, to be warned at ``level``.

        ``shelter`` is the warning's node mask where it says to shelter in place, from its
        ``action``; an ``"auto"`` one the responder brings up to date at the door (what
        the command orders there when it knocks: the plume may have moved on).
        """
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0 or not self.teams:
            return
        self._start()
        m = self.model
        self._orders.append((shelter, action))
        mask_id = len(self._orders) - 1
        nodes = m.households.node[rows]
        order = np.lexsort((rows, nodes))
        rows, nodes = rows[order], nodes[order]
        threatened = m.hazards.forecast_unsafe(m.env.now) | m.hazards.danger()
        near_m = m.hazards.distance_m()
        cuts = np.flatnonzero(np.diff(nodes)) + 1
        for group in np.split(np.arange(rows.size), cuts):
            node = int(nodes[group[0]])
            post = int(self._post[node])
            if post < 0:
                continue  # no community post on this side
            key = (
                not threatened[node],
                float(near_m[node]),
                float(self._post_time_s[node]),
                next(self._seq),
            )
            entry = (key, node, rows[group], level, mask_id, m.env.now)
            heapq.heappush(self._lists[post], entry)
            if not self._work[post].triggered:
                self._work[post].succeed()

    def visit_again(
        self, rows: np.ndarray, level: int, shelter: np.ndarray, action: str = "auto"
    ) -> None:
        """Visit households ``rows`` that refused, ``door_knock_revisit_min`` from now."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0 or not self.teams:
            return
        self.model.env.process(self._later(rows, level, shelter, action))

    def _later(
        self, rows: np.ndarray, level: int, shelter: np.ndarray, action: str
    ) -> Generator[simpy.Event, None, None]:
        yield self.model.env.timeout(self.revisit_s)
        self.visit(rows, level, shelter, action)

    # ------------------------------------------------------------------ rounds
    def _round(self, team: RescueTeam) -> Generator[simpy.Event, None, None]:
        """Work the post's list whenever the team is at its base and free (simpy process).

        The base is the responder's home, or where it works from once the hazard cut
        it off from there (:meth:`sim.agents.command.Dispatcher.stay_at`).
        """
        m = self.model
        post = self._post_of[team.unique_id]
        todo = self._lists[post]
        while m.env.now < m.scenario.horizon_s:
            if not todo:
                if self._work[post].triggered:
                    self._work[post] = m.env.event()
                yield self._work[post]
                continue
            if not team.available:
                yield team.freed
                continue
            if m.dispatcher.grounded(team):  # in lethal air: it shelters until it clears
                yield m.env.timeout(m.hazards.step_s)
                continue
            if self._incident_waits(team):  # let the dispatcher send it first
                m.dispatcher.team_free(team)
                if team.available:  # it could not take the incident after all
                    yield m.env.timeout(m.hazards.step_s if m.hazards.active else 60.0)
                continue
            team.available = False
            at = base = team.station_node
            while todo and not self._incident_waits(team) and m.env.now < m.scenario.horizon_s:
                entry = heapq.heappop(todo)
                _, node, rows, level, mask_id, listed_s = entry
                t = m.households
                rows = rows[t.state[rows] == AT_HOME]
                rows = rows[~np.isfinite(t.depart_time_s[rows])]
                cleared_s = t.all_clear_s[rows]  # inf: never sealed in, or not opened
                rows = rows[~(np.isfinite(cleared_s) & (cleared_s > listed_s))]  # ended
                if rows.size == 0:
                    continue
                if at != node:
                    at = yield from self._leg(team, at, node)
                if at != node:  # cut off, at the start or on the way: the door waits
                    self._cut_off[post].append((entry[0], node, rows, level, mask_id, listed_s))
                    continue
                rows = rows[m.households.state[rows] == AT_HOME]  # some left meanwhile
                if rows.size == 0:
                    continue
                m.recorder.event(
                    m.env.now,
                    "door_knock",
                    agent=team.unique_id,
                    node=node,
                    jurisdiction=m.jurisdiction_name(team.jurisdiction),
                    tier=COMMUNITY,
                    value=int(m.households.size_persons[rows].sum()),
                )
                yield m.env.timeout(self.knock_s * rows.size)
                self.knocks[team.jurisdiction] += rows.size
                rows = rows[m.households.state[rows] == AT_HOME]
                shelter, action = self._order_at(mask_id, node, team)
                m.warnings.deliver(
                    rows, level, np.full(rows.size, m.env.now), shelter, action=action
                )
            called = at != base and todo and m.env.now < m.scenario.horizon_s
            # called away by urgent work: it sets off from the door it is at
            if called and m.dispatcher.call_away(team, at, life_only=False):
                continue  # on its way; it resumes the list once home again
            if at != base:
                at = yield from self._leg(team, at, base)
            if at != base:  # no open road back: it works on from where it got to
                m.dispatcher.stay_at(team, at)
            team.available = True
            freed, team.freed = team.freed, m.env.event()
            freed.succeed()
            m.dispatcher.team_free(team)

    def roads_reopened(self) -> None:
        """Put the doors the responders found cut off back on their lists, once reachable.

        A flood receding reopens a few links a step while most cut-off doors stay cut
        off, so they are screened first: a door goes back on its post's list when it is
        in the same strongly connected part of the roads open to responders as one of
        the post's responders (one pass over the links, not a tree per door).
        """
        if not any(self._cut_off.values()):
            return
        net = self.model.network
        is_open = np.isfinite(self.model.roads.router(COMMUNITY).weights_s)
        links = coo_matrix(
            (np.ones(int(is_open.sum())), (net.edge_source[is_open], net.edge_target[is_open])),
            shape=(net.n_nodes, net.n_nodes),
        )
        _, part = connected_components(links, directed=True, connection="strong")
        where: dict[int, set[int]] = {}
        for team in self.teams:
            where.setdefault(self._post_of[team.unique_id], set()).add(int(part[team.station_node]))
        for post, entries in self._cut_off.items():
            mine = where.get(post, set())
            back = [e for e in entries if int(part[e[1]]) in mine]
            if not back:
                continue
            entries[:] = [e for e in entries if int(part[e[1]]) not in mine]
            for entry in back:
                heapq.heappush(self._lists[post], entry)
            if not self._work[post].triggered:
                self._work[post].succeed()

    def _order_at(self, mask_id: int, node: int, team: RescueTeam) -> tuple[np.ndarray, str]:
        """Return the shelter-in-place mask and action a responder brings to ``node`` now."""
        shelter, action = self._orders[mask_id]
        if action == "auto":
            m = self.model
            shelter = np.zeros(m.network.n_nodes, dtype=bool)
            shelter[node] = m.protective.shelter_in_place_at(team.jurisdiction, node)
        return shelter, action

    def has_work(self, team: RescueTeam) -> bool:
        """Whether ``team`` is a community team whose post still has doors to knock."""
        post = self._post_of.get(team.unique_id)
        return post is not None and bool(self._lists[post])

    def _incident_waits(self, team: RescueTeam) -> bool:
        """Whether urgent work waits for a community team of ``team``'s side."""
        return self.model.dispatcher.any_waiting_for(team, urgent_only=True)

    def _leg(self, team: RescueTeam, origin: int, target: int) -> Generator[simpy.Event, None, int]:
        """Drive a leg of the round as a road trip (:mod:`sim.agents.on_road`).

        Returns where it ends: ``target``, or where every way on was cut (``origin``, and
        no time spent, when none was open at the start). The route comes from a tree
        from ``origin``, which the legs from there share while the roads hold: grown to
        :data:`NEAR_S` first (a post's doors lie near each other), else whole. A tree
        toward each door instead (the route search of a team's trip) reached 5.4 M
        nodes in the flood at seed 0, against 65,000 for these: 359 of its 445 legs
        found their door beyond :data:`NEAR_S` or not at all.
        """
        router = self.model.roads.router(team.mode)
        tree = router.tree(np.array([origin]), limit_s=NEAR_S)
        if not np.isfinite(tree.time_s[target]):
            tree = router.tree(np.array([origin]))
            if not np.isfinite(tree.time_s[target]):
                return origin
        nodes, time_s = tree.path(target), float(tree.time_s[target])
        return (yield from self.model.on_road.drive(team, nodes, [origin, target], time_s))
