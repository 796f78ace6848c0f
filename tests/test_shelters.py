"""Shelters' cheap reachability check stays exact as roads and room change (toy graph)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.roads import RoadState
from sim.engine.shelters import Shelters
from sim.network import RoadNetwork
from sim.tiers import TIERS


def _shelters(toy: RoadNetwork) -> Shelters:
    roads = RoadState(toy, walk_speed_m_per_s=1.2, tiers=dict(TIERS))
    table = pd.DataFrame(
        {"name": ["S4"], "node": [4], "capacity_persons": [5], "jurisdiction": ["B"]}
    )
    return Shelters(table, roads)


def test_can_reach_follows_closures_reopenings_and_room(toy: RoadNetwork) -> None:
    shelters = _shelters(toy)
    roads = shelters.roads
    e34 = toy.edge_ids(np.array([3]), np.array([4]))
    assert shelters.can_reach(0, vehicle=True)
    roads.close(e34)  # the only way into node 4
    assert not shelters.can_reach(0, vehicle=True)
    assert not shelters.can_reach(0, vehicle=True)  # remembered, same answer
    roads.reopen(e34)
    assert shelters.can_reach(0, vehicle=True)  # a link got faster: asked again
    full = shelters.reserve(0, 5, vehicle=True)
    assert full is not None and full[0] == 0
    assert not shelters.can_reach(0, vehicle=True)  # no room left anywhere
    shelters.release(0, 5)
    assert shelters.can_reach(0, vehicle=True)  # room again
