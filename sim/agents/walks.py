"""Walks under way: households on foot between two nodes they must stop at, as arrays.

A household on foot checks at every node whether it is alive, whether the link ahead
is closed, whether its shelter is still usable and, after the road state changed,
whether the rest of its route now costs too much more than planned
(:meth:`sim.agents.household.Household._travel`). All of that changes only at a
*change*: a hazard step, a scripted closure, or a researcher's own process (which
says so through :meth:`sim.engine.changes.ChangeClock.interrupt_walks`). So a walker
sets off on every link up to its shelter, or up to the first closed link, in one simpy
event, and every planned change checks all the walks under way at once, on arrays:

- :meth:`Walks.place` (at the start of a hazard step) puts each walker at the last node
  it passed, so the hazard sees where it is;
- :meth:`Walks.check` (at the end of a hazard step, after a scripted closure) does the
  checks each walker would do at the next node it reaches, and those that a link
  closed ahead would stop; a walk that must stop earlier than planned is interrupted
  and ends there, where :meth:`~sim.agents.household.Household._travel` takes over.

Between two changes the checks read the same state at every node, so this gives the
times and the decisions of checking node by node. The arrival times are the same float
sums (a left fold from the departure, as one simpy timeout per link would add them).
Only the order of simultaneous events may differ: fewer events are scheduled.

The route ahead of every walk lies in one pool of arrays (link, arrival time, planned
cost of the rest of the route from the link's end); finished walks leave gaps that are
squeezed out when the pool fills.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.agents.households import DEAD
from sim.network.incidence import index_runs

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel

#: A re-plan is due when the rest of the route got this much costlier (share, seconds).
REPLAN_SHARE, REPLAN_S = 0.1, 30.0


def route_cost_s(weights_s: np.ndarray, edges: np.ndarray) -> float:
    """Cost of ``edges`` under ``weights_s``, summed as :meth:`Walks.check` sums a route.

    ``np.add.reduceat`` over one segment adds exactly as it does over many (not as
    ``np.sum`` does), so a walker checked at its node and all walks checked together in
    a hazard step make the same decision.
    """
    return float(np.add.reduceat(weights_s[edges], [0])[0])


def replan_due(now_cost_s, planned_s):
    """Whether a route whose rest was planned at ``planned_s`` must be planned again.

    It must when it now costs ``now_cost_s`` > ``planned_s`` x (1 + ``REPLAN_SHARE``) +
    ``REPLAN_S`` (floats or arrays): a hazard reached the route.
    """
    return now_cost_s > planned_s * (1.0 + REPLAN_SHARE) + REPLAN_S


class Walks:
    """The walks under way of one run, checked together at each planned change.

    Parameters
    ----------
    model
        The run (its households, roads, shelters and walking router are read).
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        n = len(model.households.state)
        # pool: one entry per link ahead of a walk, the walk's entries contiguous
        self._edge = np.zeros(1024, dtype=np.int64)
        self._arrive_s = np.zeros(1024)
        self._to_go_s = np.zeros(1024)  # planned cost of the route after the link's end
        self._top = 0
        # per household row: its walk's pool entries [start, end), the entry it stops at,
        # the router version it last checked against, its shelter and starting node
        self._start = np.zeros(n, dtype=np.int64)
        self._end = np.zeros(n, dtype=np.int64)
        self._stop = np.zeros(n, dtype=np.int64)
        self._at = np.zeros(n, dtype=np.int64)  # the link it is on, as last seen
        self._version = np.zeros(n, dtype=np.int64)
        self._shelter = np.zeros(n, dtype=np.int64)
        self._from_node = np.zeros(n, dtype=np.int64)
        self._process: dict[int, simpy.Process] = {}  # the walking rows, and their processes
        self._told: set[int] = set()  # rows interrupted, not yet resumed
        self._closed_seen = model.roads.closed_walk.copy()  # closures at the last check

    # ------------------------------------------------------------------ one walk
    def begin(
        self,
        row: int,
        edges: np.ndarray,
        arrive_s: np.ndarray,
        to_go_s: np.ndarray,
        *,
        stop: int,
        version: int,
        shelter: int,
        from_node: int,
    ) -> None:
        """Register the active process's walk: household ``row`` on ``edges`` from now.

        ``arrive_s[k]`` is when it reaches the end of ``edges[k]``, ``to_go_s[k]`` the
        planned cost of the route after it; it walks up to the end of ``edges[stop]``
        unless a check stops it earlier. ``version`` is the walking router's version it
        has checked its route against.
        """
        n = len(edges)
        if self._top + n > len(self._edge):
            self._make_room(n)
        start = self._top
        self._edge[start : start + n] = edges
        self._arrive_s[start : start + n] = arrive_s
        self._to_go_s[start : start + n] = to_go_s
        self._top = start + n
        self._start[row], self._end[row], self._stop[row] = start, start + n, start + stop
        self._at[row] = start
        self._version[row], self._shelter[row], self._from_node[row] = version, shelter, from_node
        self._process[row] = self.model.env.active_process

    def heard(self, row: int) -> None:
        """Household ``row``'s process has resumed from its interruption."""
        self._told.discard(row)

    def stop_of(self, row: int) -> int:
        """Return the link (index into its ``edges``) at whose end ``row``'s walk stops."""
        return int(self._stop[row] - self._start[row])

    def finish(self, row: int) -> tuple[int, int]:
        """End household ``row``'s walk: the link it stopped after, and its router version."""
        del self._process[row]
        return self.stop_of(row), int(self._version[row])

    # ------------------------------------------------------------------ all walks
    def place(self, now_s: float) -> None:
        """Put every walker at the last node it passed before ``now_s``."""
        if not self._process:
            return
        rows, at = self._rows_at(now_s)
        passed = self.model.network.edge_target[self._edge[np.maximum(at - 1, 0)]]
        self.model.households.node[rows] = np.where(
            at > self._start[rows], passed, self._from_node[rows]
        )

    def check(self, now_s: float) -> None:
        """Do the checks at each walker's next node; stop the walks that must stop sooner.

        A walk stops at its next node if its household died, its shelter is no longer
        usable, or (the walking router changed since it last looked) the rest of its route
        costs too much more (:func:`replan_due`); otherwise before the first link ahead
        that closed since the last check (it set off stopping before those closed then).
        Those that pass the cost check take the router's version, as they would at that
        node. The rest of a route is summed as :func:`route_cost_s` sums it.
        """
        m = self.model
        closed = m.roads.closed_walk
        newly = closed & ~self._closed_seen
        self._closed_seen = closed.copy()
        if not self._process:
            return
        rows, at = self._rows_at(now_s)  # at: the link each is on (arriving >= now)
        end = self._end[rows]
        fail = m.households.state[rows] == DEAD
        fail |= ~m.shelters.usable[self._shelter[rows]]
        router = m.roads.router("walk")
        asks = np.flatnonzero(~fail & (self._version[rows] != router.version))
        if asks.size:
            due = replan_due(
                self._rest_s(np.asarray(router.weights_s), at[asks] + 1, end[asks]),
                self._to_go_s[at[asks]],
            )
            fail[asks[due]] = True
            self._version[rows[asks[~due]]] = router.version
        stop = np.where(fail, at, self._stop[rows])
        if newly.any():
            stop = np.minimum(stop, self._first_closed(newly, at, end) - 1)
        cut = np.flatnonzero(stop < self._stop[rows])
        self._stop[rows[cut]] = stop[cut]
        self._interrupt(rows[cut])

    def interrupt_all(self, now_s: float) -> None:
        """Something nobody planned changed: every walker stops at its next node."""
        if not self._process:
            return
        rows, at = self._rows_at(now_s)
        cut = np.flatnonzero(at < self._stop[rows])
        self._stop[rows[cut]] = at[cut]
        self._interrupt(rows[cut])

    # ------------------------------------------------------------------ internals
    def _rows_at(self, now_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Return the walking rows (ascending) and the pool entry of the link each is on.

        That is, at ``now_s``, its first link arriving at or after then: the walker
        reaches that link's end now or later, and is checked there. Each walk's entry
        only moves on, a link per pass, over the walks still behind.
        """
        rows = self._rows()
        behind = rows
        while behind.size:
            at = self._at[behind]
            behind = behind[(self._arrive_s[at] < now_s) & (at < self._stop[behind])]
            self._at[behind] += 1
        return rows, self._at[rows]

    def _rest_s(self, weights_s: np.ndarray, first: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Cost of each walk's pool entries ``first`` .. ``end`` - 1 under ``weights_s``."""
        lengths = end - first
        offsets, entries = _ranges(first, lengths)
        rest = np.zeros(len(first))
        some = lengths > 0
        if some.any():
            rest[some] = np.add.reduceat(weights_s[self._edge[entries]], offsets[some])
        return rest

    def _first_closed(self, newly: np.ndarray, at: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Per walk, its first pool entry after ``at`` on a ``newly`` closed link (else ``end``).

        ``at`` and ``end`` are those of the walking rows in ascending order.
        """
        first = end.copy()
        hits = np.flatnonzero(newly[self._edge[: self._top]])
        if hits.size == 0:
            return first
        order = np.argsort(at, kind="stable")  # walks by pool position (they do not overlap)
        walk = order[np.searchsorted(at[order], hits, side="right") - 1]
        keep = (hits >= at[order[0]]) & (hits > at[walk]) & (hits < end[walk])
        hits, walk = hits[keep], walk[keep]
        walk, where = np.unique(walk, return_index=True)  # hits ascend: the first per walk
        first[walk] = hits[where]
        return first

    def _rows(self) -> np.ndarray:
        """Return the walking rows, ascending."""
        return np.sort(np.fromiter(self._process, dtype=np.int64, count=len(self._process)))

    def _interrupt(self, rows: np.ndarray) -> None:
        """Interrupt the walks of ``rows`` once: a walker already told reads the new stop."""
        active = self.model.env.active_process
        for row in rows.tolist():  # ascending rows: a deterministic order
            process = self._process[row]
            if row not in self._told and process is not active and process.is_alive:
                self._told.add(row)
                process.interrupt("the walk must stop sooner")

    def _make_room(self, n: int) -> None:
        """Squeeze the finished walks out of the pool, and grow it if that is not enough."""
        rows = self._rows()
        rows = rows[np.argsort(self._start[rows], kind="stable")]
        lengths = self._end[rows] - self._start[rows]
        new_start, keep = _ranges(self._start[rows], lengths)
        size = len(self._edge)
        while lengths.sum() + n > size // 2:
            size *= 2
        for name in ("_edge", "_arrive_s", "_to_go_s"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: keep.size] = old[keep]
            setattr(self, name, new)
        shift = self._start[rows] - new_start
        self._start[rows] -= shift
        self._end[rows] -= shift
        self._stop[rows] -= shift
        self._at[rows] -= shift
        self._top = int(lengths.sum())


def _ranges(first: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each index run starts when laid end to end, and the runs (:func:`index_runs`)."""
    return np.cumsum(lengths) - lengths, index_runs(first, lengths)
