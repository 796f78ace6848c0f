"""Agent families: households, warnings, rescue teams, commands, supply trucks.

Each module holds one family (:mod:`sim.agents.household`, :mod:`sim.agents.warning`,
:mod:`sim.agents.rescue`, :mod:`sim.agents.command`, :mod:`sim.agents.supply`).
"""

from sim.agents.household import Household
from sim.agents.rescue import RescueTeam
from sim.agents.supply import SupplyTruck

__all__ = ["Household", "RescueTeam", "SupplyTruck"]
