"""Supply trucks cut off from every depot: they wait where they are for a way back.

A truck that finds no depot to go to (:meth:`sim.agents.supply.SupplyService.base_for`
gives None: its own depot is cut off or unsafe, and no safe depot with kits of its
command is in reach) stops where it is (event ``truck_stranded``, value: the kits still
aboard). Before this module it stayed there for the rest of the run, out of service,
and the kits aboard were lost to relief: in the flood at seed 0, one truck with 500
kits from the ninth hour on, although the roads around it reopened.

Now it is offered its way back each time the supply service retries (whenever roads
reopen or a truck comes home, :meth:`sim.agents.supply.SupplyService.retry`): when a
way is open it sets off (``truck_resume``), takes the kits aboard back to the depot it
is based at and is in service again from there. A way can open only when a link got
faster or reopened, a depot became safe again, or one in reach got kits; until one of
these happens since its last try, the truck is not asked again (no route search).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.agents.supply import SupplyService
    from sim.agents.truck import SupplyTruck


class StrandedTrucks:
    """The trucks of a run waiting, cut off, for a way back to a depot (module docs).

    Parameters
    ----------
    supply
        The supply service the trucks belong to.
    """

    def __init__(self, supply: SupplyService) -> None:
        self.supply = supply
        #: truck -> (node it waits at, vehicle router version and depot situation at its
        #: last try); insertion order is the order they stopped (deterministic).
        self._waiting: dict[SupplyTruck, tuple[int, int, bytes]] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def strand(self, truck: SupplyTruck, node: int) -> None:
        """Stop ``truck`` at ``node``: no depot is in reach (event ``truck_stranded``)."""
        truck.back_s = np.inf
        self._waiting[truck] = (node, self._router().version, self._situation())
        self._event("truck_stranded", truck, node)

    def resume(self) -> None:
        """Send back to a depot every waiting truck that now has a way (``truck_resume``)."""
        if not self._waiting:
            return
        router, situation = self._router(), self._situation()
        supply = self.supply
        for truck, (node, version, seen) in list(self._waiting.items()):
            if not router.faster_since(version) and situation == seen:
                continue  # nothing that could open a way has changed since its last try
            if supply.base_for(truck, node) is None:
                self._waiting[truck] = (node, router.version, situation)
                continue
            del self._waiting[truck]
            self._event("truck_resume", truck, node)
            supply.model.env.process(truck.go_to_base(node))

    def _router(self):
        return self.supply.model.roads.router("vehicle")

    def _situation(self) -> bytes:
        """Which depots are safe and have kits no truck heads for: base_for's other inputs."""
        s = self.supply
        safe = ~s.model.hazards.unsafe_now()[s.depot_node]
        return np.concatenate((safe, s.stock_kits - s.heading_kits > 0)).tobytes()

    def _event(self, kind: str, truck: SupplyTruck, node: int) -> None:
        m = self.supply.model
        m.recorder.event(
            m.env.now,
            kind,
            agent=truck.unique_id,
            node=node,
            jurisdiction=m.jurisdiction_name(m.network.jurisdiction[node]),
            value=int(truck.kits_aboard),
        )
