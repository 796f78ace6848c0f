"""A command's warning plan: staged warnings from its forecast, ahead of the hazard.

Once a side's command knows a hazard (own detection, its own warning, or a neighbour's
notice through the linkage, :mod:`sim.agents.linkage`), it warns the nodes of its own
ground that the hazard's forecast puts in danger, each at the staged lead times before
the forecast arrival (``policy.warning_plan_lead_min``; ``docs/DOMAIN.md``: 24 h
trend, 6 h risk, 2 h imminent, then the real-time ``immediate`` order). The forecast
arrival of a node is :meth:`sim.hazards.engine.HazardEngine.forecast_arrival_s`: the
flood's hydrograph (when each node goes under water) and the plume's footprint for the
next hour (when its front gets there), and the threat areas of the scripted slides
still to come (now: when a slope fails is not known; rain slides are not forecast). The
plan runs after every hazard step and when the command first learns of the hazard; each
node gets each level once, and the protective action is the command's choice
(:mod:`sim.agents.protective`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.scenarios.behaviour import WARNING_LEVELS

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel


class WarningPlan:
    """The staged warnings every side issues from its forecast.

    Parameters
    ----------
    model
        The run.
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        policy = model.scenario.policy
        self.enabled = policy.warning_plan and model.hazards.active
        leads = policy.warning_plan_lead_min
        #: (level index, lead s), lowest level first.
        self.stages = sorted(
            (WARNING_LEVELS.index(level), lead * 60.0) for level, lead in leads.items()
        )
        #: Highest plan level each node has been warned at (-1: none).
        self.issued = np.full(model.network.n_nodes, -1, dtype=np.int8)
        self.active = np.zeros(len(model.network.jurisdiction_names), dtype=bool)

    def start(self, side: int) -> None:
        """Side ``side`` knows the hazard: its plan runs from now on."""
        if not self.enabled or self.active[side]:
            return
        self.active[side] = True
        self.step()

    def step(self) -> None:
        """Issue the stages now due on every side whose command knows the hazard."""
        if not self.enabled or not self.active.any():
            return
        m = self.model
        now = m.env.now
        arrival = m.hazards.forecast_arrival_s(now)
        ahead = arrival - now
        juris = m.network.jurisdiction
        # the highest stage due at each node (a node told late hears the latest stage)
        stage = np.full(arrival.shape, -1, dtype=np.int8)
        for level, lead_s in self.stages:
            stage[ahead <= lead_s] = np.maximum(stage[ahead <= lead_s], level)
        for side in np.flatnonzero(self.active):
            mine = (juris == side) & np.isfinite(arrival) & (stage > self.issued)
            for level in np.unique(stage[mine]):
                due = mine & (stage == level)
                self.issued[due] = level
                m.warnings.issue(int(side), due, int(level), "auto", source="plan")
