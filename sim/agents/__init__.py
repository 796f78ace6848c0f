"""Agent families: households, warnings, rescue teams, commands, supply trucks.

Each module holds one family (:mod:`sim.agents.household`, :mod:`sim.agents.warning`,
:mod:`sim.agents.rescue`, :mod:`sim.agents.command`, :mod:`sim.agents.supply` with
:mod:`sim.agents.truck`).

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "household": ["Household"],
        "rescue": ["RescueTeam"],
        "truck": ["SupplyTruck"],
    },
)
