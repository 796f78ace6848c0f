"""Scenarios: what happens in a run, as validated frozen dataclasses, and the built-in scripts.

- :mod:`sim.scenarios.scenario`: :class:`Scenario` and its region, policy and outputs;
- :mod:`sim.scenarios.behaviour`, :mod:`sim.scenarios.forces`, :mod:`sim.scenarios.hazards`:
  the other sections;
- :mod:`sim.scenarios.load`: TOML to dataclasses, with errors that say the fix;
- :mod:`sim.scenarios.check`: references checked against a loaded network;
- :mod:`sim.scenarios.dump`: a scenario back to TOML;
- :mod:`sim.scenarios.builtin`: the built-in ``*.toml`` scripts in this folder.
"""

from sim.scenarios.builtin import builtin_names
from sim.scenarios.check import check_against_network
from sim.scenarios.scenario import Scenario, load_scenario, scenario_from_dict

__all__ = [
    "Scenario",
    "builtin_names",
    "check_against_network",
    "load_scenario",
    "scenario_from_dict",
]
