"""Which ground teams carry boats in a flood.

A flood scenario gives ``boat_teams`` of the ground teams a boat
(:class:`sim.scenarios.hazards.FloodSpec`): those whose stations are nearest the river,
unless the region's stations say where the boats are (a ``boats`` column: how many teams
of that station have one). A team with a boat travels by the ``boat`` router
(:attr:`sim.agents.rescue.RescueTeam.mode`) and, while the flood runs, is kept for the
incidents that need a boat (:meth:`sim.agents.command.Dispatcher._may_serve`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam


def give_boats(
    teams: list[RescueTeam], stations: pd.DataFrame, count: int, river_distance_m: np.ndarray
) -> None:
    """Give boats to ``count`` ground teams of ``teams``: the ones nearest the river.

    ``river_distance_m`` is each node's distance to the river; ties go to the lower
    team index. With a ``boats`` column in ``stations`` (columns ``node``, ``boats``),
    the teams of each station get its boats instead, in team order, and ``count`` is
    not used.
    """
    ground = [k for k, t in enumerate(teams) if t.tier.name == "ground"]
    if "boats" in stations.columns:
        left = dict(zip(stations["node"], stations["boats"], strict=False))
        for k in ground:
            node = teams[k].station_node
            if left.get(node, 0) > 0:
                teams[k].boat = True
                left[node] -= 1
        return
    ground.sort(key=lambda k: (river_distance_m[teams[k].station_node], k))
    for k in ground[:count]:
        teams[k].boat = True
