"""Which protective action a command orders where: evacuate, or shelter in place.

For a toxic release evacuation is not always best. Following the protective-action
guidance for chemical releases (US EPA/FEMA/NOAA, *Emergency Response Guidebook* 2020,
"Protective actions": shelter in place when the public cannot leave before the plume
arrives or is already inside it; Sorensen, Shumpert & Vogt 2004, *Journal of Hazardous
Materials* A107: 1–15), the command of a side orders **shelter in place** at the nodes of
a warning's zone that lie in the forecast AEGL-2 footprint of the next hour
(:meth:`sim.hazards.gas_leak.GasLeakHazard.footprint`) and that the plume front reaches
before a household there could be out of it:

``arrival_s <= now + warning_s + premovement_s + exit_s``

- ``warning_s``: the fastest channel's delay;
- ``premovement_s``: the median pre-movement delay (times the night factor at night);
- ``exit_s``: walking time, on the open roads, from the node to the nearest node
  outside the footprint (a walker: the plan must hold for households without a car).

Everywhere else in the zone it orders evacuation. Other hazards (water, slides) are
escaped by leaving, so without a gas leak the order is always to evacuate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.network.routing import Router

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel


class ProtectiveAction:
    """Chooses the protective action per node for a side's warnings.

    Parameters
    ----------
    model
        The run.
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        self._walk: Router | None = None

    def leave_time_s(self, now_s: float) -> float:
        """Warning and pre-movement time a household needs before it sets off, s."""
        m = self.model
        b = m.scenario.behaviour
        warning_s = min((c.delay_min for c in b.channels), default=0.0) * 60.0
        factor = b.night_premovement_factor if m.clock.is_night(now_s) else 1.0
        return warning_s + b.premovement_median_min * 60.0 * factor

    def exit_time_s(self, footprint: np.ndarray) -> np.ndarray:
        """Return the walking time from every node out of ``footprint`` (s, open roads)."""
        m = self.model
        outside = np.flatnonzero(~footprint)
        if outside.size == 0:
            return np.full(m.network.n_nodes, np.inf)
        if self._walk is None:
            self._walk = Router(m.network, m.roads.base_weights_s("walk"))
        return self._walk.nearest_time_s(outside, reverse=True)

    def shelter_in_place_nodes(self, juris: int, node_mask: np.ndarray) -> np.ndarray:
        """Nodes of ``node_mask`` where side ``juris`` orders shelter in place now.

        ``juris`` is the issuing side (its command knows the plume once it has
        detected it or was told; a side that does not know it orders evacuation).
        """
        m = self.model
        out = np.zeros(m.network.n_nodes, dtype=bool)
        gas = m.hazards.get("plume")
        if gas is None or not m.knows_hazard(juris):
            return out
        now = m.env.now
        footprint = gas.footprint(now) & node_mask
        if not footprint.any():
            return out
        ready_s = now + self.leave_time_s(now) + self.exit_time_s(gas.footprint(now))
        out[footprint] = gas.arrival_s(now)[footprint] <= ready_s[footprint]
        return out
