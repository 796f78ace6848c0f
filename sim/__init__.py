"""Cross-border evacuation and rescue-dispatch simulator.

The public API: load a road network, route on it, run a scenario and measure
10/30/60-minute coverage::

    import sim

    network = sim.load_network("fujiang")
    stations = network.places["stations"]
    result = sim.static_coverage(network, stations, network.node_population_persons)
    print(result.headline())
    run = sim.run("flood", seed=0)

Names are imported lazily, on first use, so ``import sim`` (and ``sim --help``, and
``import sim.errors``) loads no mesa, pandas or scipy. The packages hold the concepts:
:mod:`sim.network`, :mod:`sim.regions`, :mod:`sim.scenarios`, :mod:`sim.engine`,
:mod:`sim.agents`, :mod:`sim.hazards`, :mod:`sim.coverage`, :mod:`sim.siting`,
:mod:`sim.batch`, :mod:`sim.report`, :mod:`sim.plot`, :mod:`sim.replay`, :mod:`sim.cli`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "TIERS": "sim.tiers",
    "TierStandard": "sim.tiers",
    "SimError": "sim.errors",
    "InputError": "sim.errors",
    "NetworkError": "sim.errors",
    "ScenarioError": "sim.errors",
    "RoadNetwork": "sim.network.compiled",
    "Router": "sim.network.routing",
    "ShortestPathTree": "sim.network.routing",
    "load_network": "sim.network.sources",
    "CoverageResult": "sim.coverage",
    "static_coverage": "sim.coverage",
    "Scenario": "sim.scenarios.scenario",
    "load_scenario": "sim.scenarios.scenario",
    "EmergencyModel": "sim.engine.model",
    "RunResult": "sim.engine.runs",
    "run": "sim.engine.runs",
}

__all__ = [
    "TIERS",
    "CoverageResult",
    "EmergencyModel",
    "InputError",
    "NetworkError",
    "RoadNetwork",
    "Router",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "ShortestPathTree",
    "SimError",
    "TierStandard",
    "load_network",
    "load_scenario",
    "run",
    "static_coverage",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sim.coverage import CoverageResult, static_coverage
    from sim.engine.model import EmergencyModel
    from sim.engine.runs import RunResult, run
    from sim.errors import InputError, NetworkError, ScenarioError, SimError
    from sim.network.compiled import RoadNetwork
    from sim.network.routing import Router, ShortestPathTree
    from sim.network.sources import load_network
    from sim.scenarios.scenario import Scenario, load_scenario
    from sim.tiers import TIERS, TierStandard


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
