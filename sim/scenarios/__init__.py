"""Scenarios: what happens in a run, as validated frozen dataclasses, and the built-in scripts.

- :mod:`sim.scenarios.scenario`: :class:`Scenario` and its region, policy and outputs;
- :mod:`sim.scenarios.behaviour`, :mod:`sim.scenarios.forces`, :mod:`sim.scenarios.hazards`:
  the other sections;
- :mod:`sim.scenarios.load`: TOML to dataclasses, with errors that say the fix;
- :mod:`sim.scenarios.check`: references checked against a loaded network;
- :mod:`sim.scenarios.dump`: a scenario back to TOML;
- :mod:`sim.scenarios.builtin`: the built-in ``*.toml`` scripts in this folder.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "builtin": ["builtin_names"],
        "check": ["check_against_network"],
        "scenario": ["Scenario", "load_scenario", "scenario_from_dict"],
    },
)
