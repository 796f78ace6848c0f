"""Shelters during a run: capacity, reservations, occupants and relief-kit stock.

A household reserves its places when it sets off (:meth:`Shelters.reserve`), so the
occupants plus reservations of a shelter never exceed its capacity. The shelter chosen
is the nearest by current travel time among those with room (refreshed lazily, see
:meth:`Shelters.reserve`) that fits the whole household; ties between shelters at the
same node go to the lowest shelter index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.network.routing import NO_NODE, path_edges

if TYPE_CHECKING:
    from sim.engine.roads import RoadState


class Shelters:
    """State of every shelter of a run (index = row of the shelters table).

    Parameters
    ----------
    table
        Shelters with ``name, node, capacity_persons, jurisdiction``.
    roads
        Road state (routers for vehicles and pedestrians).
    """

    def __init__(self, table: pd.DataFrame, roads: RoadState) -> None:
        self.table = table.reset_index(drop=True)
        self.node = self.table["node"].to_numpy(dtype=np.int64)
        self.capacity_persons = self.table["capacity_persons"].to_numpy(dtype=np.int64)
        self.jurisdiction = self.table["jurisdiction"].to_numpy()
        self.reserved_persons = np.zeros(len(self.table), dtype=np.int64)
        self.occupants_persons = np.zeros(len(self.table), dtype=np.int64)
        self.first_arrival_s = np.full(len(self.table), np.inf)
        self.roads = roads
        self._trees: dict[str, tuple[int, object]] = {}
        self.on_arrival = None  # set by the model: callback(shelter_index)

    @property
    def n(self) -> int:
        """Number of shelters."""
        return int(self.node.shape[0])

    def remaining_persons(self) -> np.ndarray:
        """Places neither occupied nor reserved, per shelter."""
        return self.capacity_persons - self.reserved_persons

    def reserve(self, origin: int, size: int, *, vehicle: bool) -> tuple[int, np.ndarray] | None:
        """Reserve places at the nearest shelter with room; return (shelter, route edges).

        Returns None when no shelter with room can be reached from ``origin``.

        The tree toward open shelters is refreshed lazily: it is recomputed when the
        roads change, or when the shelter it names for this household has no room left
        (it then leaves out every shelter full at that moment). Only when the nearest
        shelter with any room is too small for the household is a tree toward the
        shelters that fit it grown, for that household alone.
        """
        remaining = self.remaining_persons()
        if not (remaining >= size).any():
            return None
        mode = "vehicle" if vehicle else "walk"
        router = self.roads.router(mode)
        tree = self._trees.get(mode)
        if tree is None or tree[0] != router.version:
            tree = self._open_tree(mode, remaining)
        shelter = self._pick(tree[1], origin, size, remaining)
        if shelter == -1:  # the shelter the tree names has filled up: refresh once
            tree = self._open_tree(mode, remaining)
            shelter = self._pick(tree[1], origin, size, remaining)
        path_tree = tree[1]
        if shelter == -1:  # nearest shelter with room is too small for this household
            path_tree = router.tree(np.unique(self.node[remaining >= size]), reverse=True)
            shelter = self._pick(path_tree, origin, size, remaining)
        if shelter < 0:
            return None
        self.reserved_persons[shelter] += size
        return shelter, path_edges(self.roads.network, path_tree.path(origin))

    def _open_tree(self, mode: str, remaining: np.ndarray) -> tuple[int, object]:
        router = self.roads.router(mode)
        tree = router.tree(np.unique(self.node[remaining > 0]), reverse=True)
        self._trees[mode] = (router.version, tree)
        return self._trees[mode]

    def _pick(self, tree, origin: int, size: int, remaining: np.ndarray) -> int:
        """Shelter at the tree's nearest node that fits: index, -1 (none fits), -2 (no route)."""
        target = tree.source[origin]
        if target == NO_NODE:
            return -2
        candidates = np.nonzero((self.node == target) & (remaining >= size))[0]
        return int(candidates[0]) if candidates.size else -1

    def release(self, shelter: int, size: int) -> None:
        """Give back a reservation (the household re-routes)."""
        self.reserved_persons[shelter] -= size

    def arrive(self, shelter: int, size: int) -> None:
        """Turn a reservation into occupants."""
        self.occupants_persons[shelter] += size
        if self.on_arrival is not None:
            self.on_arrival(shelter)

    def summary(self) -> dict[str, float]:
        """``count`` of shelters and the highest occupancy share at the end, for the summary."""
        return {
            "count": self.n,
            "max_occupancy_share": float((self.occupants_persons / self.capacity_persons).max())
            if self.n
            else float("nan"),
        }

    def frame(self) -> pd.DataFrame:
        """One row per shelter: name, node, jurisdiction, capacity, occupants, first arrival."""
        return pd.DataFrame(
            {
                "name": self.table["name"],
                "node": self.node,
                "jurisdiction": self.jurisdiction,
                "capacity_persons": self.capacity_persons,
                "occupants_persons": self.occupants_persons,
                "first_arrival_s": self.first_arrival_s,
            }
        )
