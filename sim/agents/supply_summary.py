"""The supply figures of ``summary.json``: shelters supplied, waits, need met, depots.

See :func:`supply_summary`; the service (:mod:`sim.agents.supply`) keeps the counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.agents.supply import SupplyService


def supply_summary(service: SupplyService, events: pd.DataFrame) -> dict:
    """Return the supply figures of a finished run.

    ``shelters_used``/``shelters_supplied``: shelters that received anyone / any kits;
    ``persons_in_shelters_without_kits``: occupants at the horizon of used shelters
    that never received a kit;
    ``trucks_rebased``: moves of a truck to another depot (:mod:`sim.agents.supply`);
    ``trucks_rerouted``, ``trucks_cut_off_on_the_way``: truck trips a closure ahead
    turned off, per side of the truck's command (:mod:`sim.agents.on_road`);
    ``unsafe_depots``: depots the hazard made unsafe at some time, and the kits left
    in them at the horizon, in all and per side
    (:meth:`~sim.agents.supply.SupplyService.note_unsafe`);
    ``first_delivery_wait_median_s``: median wait from a shelter's first arrival to its
    first delivery (inf for shelters never supplied); ``need_met_share_<h>h``: kits
    delivered by hour h over the kits the persons sheltered by then need (NaN beyond
    the horizon or before anyone is sheltered).
    """
    s = service
    shelters = s.model.shelters
    arrivals = events[events["kind"] == "arrive_shelter"]
    used = np.isfinite(shelters.first_arrival_s)
    wait = s.first_delivery_s[used] - shelters.first_arrival_s[used]
    out = {
        "shelters_used": int(used.sum()),
        "shelters_supplied": int(np.isfinite(s.first_delivery_s).sum()),
        "persons_in_shelters_without_kits": int(
            shelters.occupants_persons[used & ~np.isfinite(s.first_delivery_s)].sum()
        ),
        "first_delivery_wait_median_s": float(np.median(wait)) if wait.size else float("nan"),
        "trucks_rebased": s.trucks_rebased,
        **s.model.on_road.summary("truck"),
        "unsafe_depots": _unsafe_depots(s),
    }
    horizon_s = s.model.scenario.horizon_s
    for hours in (6, 12, 24):
        out[f"need_met_share_{hours}h"] = (
            need_met_share(s, hours * 3600.0, arrivals)
            if hours * 3600 <= horizon_s
            else float("nan")
        )
    return out


def need_met_share(service: SupplyService, at_s: float, arrivals: pd.DataFrame) -> float:
    """Share of kit need met at time ``at_s`` (delivered / needed by occupants then)."""
    occupants = arrivals.loc[arrivals["time_s"] <= at_s, "value"].sum()
    need = occupants * service.kits_per_person
    delivered = sum(k for t, _, k in service.deliveries if t <= at_s)
    return float(min(delivered / need, 1.0)) if need > 0 else float("nan")


def _unsafe_depots(service: SupplyService) -> dict:
    """Depots the hazard reached, and the kits left in them, in all and per side."""
    hit = np.isfinite(service.depot_unsafe_s)
    juris, stock = service.depot_juris, service.stock_kits
    return {
        "depots": int(hit.sum()),
        "kits_left": int(stock[hit].sum()),
        "kits_left_by_jurisdiction": {
            str(side): int(stock[hit & (juris == side)].sum())
            for side in sorted(set(juris[hit].tolist()))
        },
    }
