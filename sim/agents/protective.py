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

**All-clear.** Some time after the plume has passed a sealed home, the outdoor air is
cleaner than the air inside, and staying sealed only adds to the dose: responders then
tell people to ventilate their homes and go outside, and prompt ending matters as much
as prompt sealing (Mannan & Kilpatrick 2000, *Process Safety Progress* 19: 210-218;
Chan, Nazaroff, Price & Gadgil 2007, *Atmospheric Environment* 41: 2962-2976). At
each hazard step a command that knows the plume gives the all-clear to the households
of its side sealed in at a node outside the forecast footprint whose outdoor air is
now cleaner than their sealed room (the same indoor model the hazard runs: the
commands' software, as ALOHA's indoor estimate); it reaches them after the fastest
channel's delay (they are listening for it) and they open their homes
(:meth:`sim.hazards.gas_leak.GasLeakHazard.ventilate`, event ``all_clear``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.agents.households import SHELTERING
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
        #: The latest footprint and its exit times (:meth:`exit_time_s`).
        self._exits: tuple[np.ndarray, np.ndarray] | None = None
        #: Households an all-clear is on its way to.
        self._clearing = np.zeros(model.households.n, dtype=bool)

    def warning_s(self) -> float:
        """Delay of the fastest warning channel, s."""
        channels = self.model.scenario.behaviour.channels
        return min((c.delay_min for c in channels), default=0.0) * 60.0

    def leave_time_s(self, now_s: float) -> float:
        """Warning and pre-movement time a household needs before it sets off, s."""
        m = self.model
        b = m.scenario.behaviour
        factor = b.night_premovement_factor if m.clock.is_night(now_s) else 1.0
        return self.warning_s() + b.premovement_median_min * 60.0 * factor

    def all_clear(self) -> None:
        """Give the all-clear to sealed households the plume has passed (module docs)."""
        m = self.model
        gas = m.hazards.get("plume")
        if gas is None:
            return
        t = m.households
        rows = np.flatnonzero((t.state == SHELTERING) & ~self._clearing)
        if rows.size == 0:
            return
        knows = np.array([m.knows_hazard(j) for j in range(len(m.network.jurisdiction_names))])
        node = t.node[rows]
        outdoor = gas.outdoor_ppm(rows)  # at the home's own point
        # no dirtier outside; NaN (sealed since the last step: no level yet) compares False
        cleaner = outdoor <= gas.sealed_ppm[rows]
        rows = rows[knows[t.jurisdiction[rows]] & ~gas.footprint(m.env.now)[node] & cleaner]
        if rows.size:
            self._clearing[rows] = True
            m.env.process(self._open(rows, m.env.now + self.warning_s()))

    def _open(self, rows: np.ndarray, at_s: float) -> Generator[simpy.Event, None, None]:
        """Households ``rows`` open their homes at ``at_s``, if still sealed in then."""
        m = self.model
        yield m.env.timeout(max(at_s - m.env.now, 0.0))
        t = m.households
        self._clearing[rows] = False
        rows = rows[t.state[rows] == SHELTERING]
        m.hazards.get("plume").ventilate(rows)
        t.end_shelter_in_place(rows, m.env.now)
        for row in rows:
            m.household_agents[row].record("all_clear")

    def exit_time_s(self, footprint: np.ndarray) -> np.ndarray:
        """Return the walking time from every node out of ``footprint`` (s, open roads)."""
        if self._exits is not None and self._exits[0] is footprint:
            return self._exits[1]  # the hazard keeps one read-only array per footprint
        m = self.model
        outside = np.flatnonzero(~footprint)
        if outside.size == 0:
            return np.full(m.network.n_nodes, np.inf)
        if self._walk is None:
            self._walk = Router(m.network, m.roads.base_weights_s("walk"))
        exit_s = self._walk.nearest_time_s(outside, reverse=True)
        if not footprint.flags.writeable:
            exit_s.flags.writeable = False
            self._exits = (footprint, exit_s)
        return exit_s

    def shelter_in_place_nodes(
        self, juris: int, node_mask: np.ndarray, *, leave_s: float | None = None
    ) -> np.ndarray:
        """Nodes of ``node_mask`` where side ``juris`` orders shelter in place now.

        ``juris`` is the issuing side (its command knows the plume once it has
        detected it or was told; a side that does not know it orders evacuation).
        ``leave_s``: the time people need before they set off (default: the warning
        and pre-movement time, :meth:`leave_time_s`; 0 for a responder at the door who
        makes them leave at once).
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
        leave_s = self.leave_time_s(now) if leave_s is None else leave_s
        ready_s = now + leave_s + self.exit_time_s(gas.footprint(now))
        out[footprint] = gas.arrival_s(now)[footprint] <= ready_s[footprint]
        return out

    def shelter_in_place_at(self, juris: int, node: int, *, leave_s: float | None = None) -> bool:
        """Whether side ``juris`` orders shelter in place at ``node`` now (one door).

        As :meth:`shelter_in_place_nodes` for that node alone.
        """
        here = np.zeros(self.model.network.n_nodes, dtype=bool)
        here[node] = True
        return bool(self.shelter_in_place_nodes(juris, here, leave_s=leave_s)[node])
