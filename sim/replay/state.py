"""The state of a run at any time ``t``, rebuilt from its run folder.

Everything here is precomputed once from the event log and the tracks (sorted arrays),
then evaluated at a time with vectorised comparisons and ``numpy.searchsorted``: no
per-frame loop over events.

Households
    A household's state at ``t`` is that of its last state event up to ``t``
    (:mod:`sim.replay.households`): *not yet warned* before its first event, then
    *warned*, *on the way* (``depart``, ``resume``, ``relocate``), *sheltered*
    (``arrive_shelter``), *stranded*, *sheltering in place* or *unsheltered*, drawn at
    that event's node (the shelter it reached, where it was stranded, the shelter it
    left). Households with no event at all are residents who were never warned: a
    node's *not yet warned* persons are its residents minus those of households with an
    event by ``t`` (at their home: the node of their first event, or for a household a
    team brought to a shelter with no event before, the node of the incident it was
    taken from). Tracked households on the way are drawn at their interpolated
    position; the others stay at the node they set off from until they arrive.
    Node-level events (``stranded`` with no agent: persons a flood cut off at home;
    ``exposed``: persons at AEGL-2 or worse) are drawn at their node from their time on;
    stranded ones are taken out of that node's persons at home.
Shelters
    Per node, with the persons sheltered there at ``t`` (0 once its occupants have
    relocated); unsafe from its first ``shelter_unsafe`` event; relocation flows from an
    unsafe shelter to where its occupants went (:mod:`sim.replay.shelters`).
Teams, trucks, tracked households
    Positions interpolated linearly between track points (one per node reached); an
    agent stays at its first point before it and at its last point after it.
Incidents
    *Open* from ``incident_reported`` until the first ``arrive_scene`` of any tier, then
    *reached*, with that response time; gone from ``incident_withdrawn`` (its people left
    on their own before any team was sent).
Hazards
    ``hazard_frames.parquet``: a frame is all rows of one ``time_s`` and holds until the
    next frame time. The engine writes no row for a hazard with nothing left, so at a
    frame time (:attr:`sim.results.run_folder.RunFolder.hazard_frame_times_s`) with no row of a
    hazard its area is empty (a passed plume, a receded flood). ``road_closed`` /
    ``road_reopened`` events (``value`` = edge index) give the closed roads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.replay.counters import RunCounters
from sim.replay.shelters import Relocations, ShelterNodes
from sim.replay.symbols import (
    EXPOSED,
    HOUSEHOLD_STATES,
    NOT_WARNED,
    ON_THE_WAY,
    STRANDED,
    WARNED,
)
from sim.results.run_folder import RunFolder

FAMILIES = ("household", "team", "truck")


@dataclass(frozen=True, eq=False)
class Households:
    """Households that have at least one state event, and those events as arrays.

    Rows ``start[k]:end[k]`` of ``time_s``, ``state`` and ``node`` are household ``k``'s
    state events in time order (:func:`sim.replay.households.state_events`);
    ``household`` is the household of each row.
    """

    agent: np.ndarray
    home_node: np.ndarray
    size_persons: np.ndarray
    first_s: np.ndarray
    tracked: np.ndarray
    start: np.ndarray
    end: np.ndarray
    household: np.ndarray
    time_s: np.ndarray
    state: np.ndarray
    node: np.ndarray

    def state_at(self, time_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Return each household's state and node at ``time_s`` (its last event's)."""
        if self.time_s.size == 0:
            return np.full(self.agent.size, NOT_WARNED, np.int8), self.home_node.copy()
        done = np.bincount(self.household[self.time_s <= time_s], minlength=self.agent.size)
        last = np.maximum(self.start + done - 1, 0)
        seen = done > 0
        state = np.where(seen, self.state[last], NOT_WARNED).astype(np.int8)
        return state, np.where(seen, self.node[last], self.home_node)


@dataclass(frozen=True, eq=False)
class NodeEvents:
    """Node-level persons events (no agent), sorted by time."""

    time_s: np.ndarray
    node: np.ndarray
    persons: np.ndarray

    def persons_at(self, time_s: float, n_nodes: int) -> np.ndarray:
        """Persons per node of the events up to ``time_s``."""
        k = int(np.searchsorted(self.time_s, time_s, side="right"))
        return np.bincount(self.node[:k], weights=self.persons[:k], minlength=n_nodes)


@dataclass(frozen=True, eq=False)
class Tracks:
    """Track points sorted by (agent, time) with per-agent offsets."""

    agent: np.ndarray
    family: np.ndarray
    tier: np.ndarray
    start: np.ndarray
    end: np.ndarray
    time_s: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    node: np.ndarray
    _key: np.ndarray
    _span_s: float
    _t0_s: float

    def positions_at(self, time_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``x_m, y_m`` of every agent at ``time_s`` and whether it has set off yet."""
        n = self.agent.shape[0]
        if n == 0:
            empty = np.zeros(0)
            return empty, empty, np.zeros(0, bool)
        t = min(max(time_s - self._t0_s, 0.0), self._span_s * 0.999)
        i = np.searchsorted(self._key, np.arange(n) * self._span_s + t, side="right") - 1
        started = self.time_s[self.start] <= time_s
        i = np.clip(i, self.start, self.end - 1)
        j = np.minimum(i + 1, self.end - 1)
        dt = self.time_s[j] - self.time_s[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(dt > 0, (time_s - self.time_s[i]) / dt, 0.0)
        frac = np.clip(np.where(started, frac, 0.0), 0.0, 1.0)
        x = self.x_m[i] + frac * (self.x_m[j] - self.x_m[i])
        y = self.y_m[i] + frac * (self.y_m[j] - self.y_m[i])
        return x, y, started


@dataclass(frozen=True, eq=False)
class Incidents:
    """Reported incidents, their first arrival (any tier) and first arrival per tier."""

    incident: np.ndarray
    node: np.ndarray
    report_s: np.ndarray
    persons: np.ndarray
    tiers: tuple[str, ...]
    first_arrival_s: np.ndarray
    response_s: np.ndarray
    tier_arrival_s: dict[str, np.ndarray]
    withdrawn_s: np.ndarray

    def label_at(self, index: int, time_s: float) -> str:
        """Response minutes of the tiers that reached incident ``index`` by ``time_s``.

        E.g. ``"c 1 · g 34 min"`` (community after 1 min, ground after 34 min).
        """
        parts = [
            f"{tier[0]} {(arrival[index] - self.report_s[index]) / 60.0:.0f}"
            for tier, arrival in self.tier_arrival_s.items()
            if arrival[index] <= time_s
        ]
        return " · ".join(parts) + " min" if parts else ""


@dataclass(frozen=True, eq=False)
class HazardFrames:
    """Frames of one hazard: ``time_s[k]`` and rows ``offsets[k]:offsets[k + 1]`` (none = empty)."""

    time_s: np.ndarray
    offsets: np.ndarray
    node: np.ndarray
    value: np.ndarray

    def frame_index(self, time_s: float) -> int:
        """Index of the frame in force at ``time_s`` (-1 before the first)."""
        return int(np.searchsorted(self.time_s, time_s, side="right")) - 1

    def frame(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Nodes and values of frame ``index`` (empty for -1)."""
        if index < 0:
            return np.zeros(0, np.int64), np.zeros(0)
        a, b = self.offsets[index], self.offsets[index + 1]
        node, value = self.node[a:b], self.value[a:b]
        keep = node >= 0
        return node[keep], value[keep]


@dataclass(frozen=True, eq=False)
class Timeline:
    """Everything needed to draw a run at any time. Build it with :func:`build_timeline`."""

    run: RunFolder
    counters: RunCounters
    households: Households
    node_stranded: NodeEvents
    node_exposed: NodeEvents
    tracks: Tracks
    incidents: Incidents
    crossings: pd.DataFrame
    hazards: dict[str, HazardFrames]
    closures: pd.DataFrame
    population_persons: np.ndarray
    shelters: ShelterNodes
    relocations: Relocations

    @property
    def horizon_s(self) -> float:
        """Run length in seconds."""
        return self.run.horizon_s

    def household_state_at(self, time_s: float) -> np.ndarray:
        """State index (see :data:`sim.replay.symbols.HOUSEHOLD_STATES`) of each household."""
        return self.households.state_at(time_s)[0]

    def node_persons_at(self, time_s: float) -> np.ndarray:
        """Persons per household state and node at ``time_s``, shape (states, nodes).

        Tracked households on the way are left out (they are drawn at their positions).
        """
        h, n = self.households, self.run.network.n_nodes
        state, node = h.state_at(time_s)
        known = h.first_s <= time_s
        drawn = known & ~(h.tracked & (state == ON_THE_WAY))
        flat = (
            np.bincount(
                state[drawn].astype(np.int64) * n + node[drawn],
                weights=h.size_persons[drawn],
                minlength=len(HOUSEHOLD_STATES) * n,
            )
            .reshape(len(HOUSEHOLD_STATES), n)
            .astype(float)
        )  # float even when none is drawn
        at_home = self.population_persons - np.bincount(
            h.home_node[known], weights=h.size_persons[known], minlength=n
        )
        flat[NOT_WARNED] = np.maximum(at_home, 0.0)
        cut_off = self.node_stranded.persons_at(time_s, n)
        from_home = np.minimum(cut_off, flat[NOT_WARNED])
        flat[NOT_WARNED] -= from_home
        flat[WARNED] = np.maximum(flat[WARNED] - (cut_off - from_home), 0.0)
        flat[STRANDED] += cut_off
        flat[EXPOSED] = self.node_exposed.persons_at(time_s, n)
        return flat

    def moving_households_at(self, time_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Positions of tracked households on the way at ``time_s``."""
        tr = self.tracks
        x, y, started = tr.positions_at(time_s)
        h = self.households
        on_way = h.agent[h.tracked & (self.household_state_at(time_s) == ON_THE_WAY)]
        mask = (tr.family == "household") & started & np.isin(tr.agent, on_way)
        return x[mask], y[mask]

    def closed_edges_at(self, time_s: float) -> np.ndarray:
        """Edge indices closed at ``time_s`` (the last closure event of each edge wins)."""
        c = self.closures
        k = int(np.searchsorted(c["time_s"].to_numpy(), time_s, side="right"))
        if k == 0:
            return np.zeros(0, np.int64)
        edge = c["edge"].to_numpy()[:k][::-1]
        closed = c["closed"].to_numpy()[:k][::-1]
        edges, first = np.unique(edge, return_index=True)
        return edges[closed[first]]

    def closure_version(self, time_s: float) -> int:
        """Count the closure events up to ``time_s`` (changes exactly when closures do)."""
        return int(np.searchsorted(self.closures["time_s"].to_numpy(), time_s, side="right"))
