"""Shelters in a replay: capacity, when each became unsafe, and the relocation flows.

Shelters are drawn per node (several shelters at one node are one marker with their
summed capacity). A node's shelter is *unsafe* from its first ``shelter_unsafe`` event
on (flooded, in the plume's forecast footprint, in a slide: the engine closes it and
its occupants move on; the event log has no reopening). A *relocation flow* is an arrow
from an unsafe shelter to the shelter its relocating households reached, shown from
their ``relocate`` until :data:`sim.replay.symbols.RELOCATION_RECENT_S` after their
arrival (see :func:`sim.replay.households.relocation_flows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.replay.households import relocation_flows
from sim.replay.symbols import RELOCATION_RECENT_S


@dataclass(frozen=True, eq=False)
class ShelterNodes:
    """Shelter nodes (sorted), their capacity and when each became unsafe (inf: never)."""

    node: np.ndarray
    capacity_persons: np.ndarray
    unsafe_s: np.ndarray

    def unsafe_at(self, time_s: float) -> np.ndarray:
        """Whether each shelter node is unsafe at ``time_s``."""
        return self.unsafe_s <= time_s


@dataclass(frozen=True, eq=False)
class Relocations:
    """One row per relocating household that reached another shelter."""

    from_node: np.ndarray
    to_node: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    persons: np.ndarray

    def flows_at(
        self, time_s: float, recent_s: float = RELOCATION_RECENT_S
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``from_node, to_node, persons`` of the arrows shown at ``time_s``.

        One arrow per pair of shelters; ``persons`` sums its households that left by
        ``time_s`` and arrived less than ``recent_s`` before it (or not yet).
        """
        shown = (self.start_s <= time_s) & (time_s < self.end_s + recent_s)
        if not shown.any():
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0)
        pairs, where = np.unique(
            np.column_stack([self.from_node[shown], self.to_node[shown]]),
            axis=0,
            return_inverse=True,
        )
        persons = np.bincount(where.ravel(), weights=self.persons[shown])
        return pairs[:, 0], pairs[:, 1], persons


def shelter_nodes(shelters: pd.DataFrame, events: pd.DataFrame) -> ShelterNodes:
    """Shelter nodes of ``shelters.csv`` and their first ``shelter_unsafe`` time."""
    node = shelters["node"].to_numpy(np.int64)
    nodes, where = np.unique(node, return_inverse=True)
    capacity = np.bincount(
        where, weights=shelters["capacity_persons"].to_numpy(float), minlength=nodes.size
    )
    unsafe = events[events["kind"] == "shelter_unsafe"]
    first = unsafe.groupby("node")["time_s"].min()
    unsafe_s = np.full(nodes.size, np.inf)
    known = np.isin(first.index.to_numpy(np.int64), nodes)
    unsafe_s[np.searchsorted(nodes, first.index.to_numpy(np.int64)[known])] = first.to_numpy(float)[
        known
    ]
    return ShelterNodes(node=nodes, capacity_persons=capacity, unsafe_s=unsafe_s)


def relocations(state_events: pd.DataFrame) -> Relocations:
    """Return the relocation flows of a run (:func:`sim.replay.households.state_events`)."""
    flows = relocation_flows(state_events)
    return Relocations(
        from_node=flows["from_node"].to_numpy(np.int64),
        to_node=flows["to_node"].to_numpy(np.int64),
        start_s=flows["start_s"].to_numpy(float),
        end_s=flows["end_s"].to_numpy(float),
        persons=flows["persons"].to_numpy(float),
    )
