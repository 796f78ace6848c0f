"""Cross-border evacuation and rescue-dispatch simulator.

The public API: load a road network, route on it, and measure 10/30/60-minute coverage::

    import sim

    network = sim.load_network("fujiang")
    stations = network.places["stations"]
    result = sim.static_coverage(network, stations, network.node_population_persons)
    print(result.headline())
"""

from sim.coverage import CoverageResult, static_coverage
from sim.errors import InputError, NetworkError, ScenarioError, SimError
from sim.network import RoadNetwork
from sim.routing import Router, ShortestPathTree
from sim.run import RunResult, run
from sim.scenario import Scenario, load_scenario
from sim.sources import load_network
from sim.tiers import TIERS, TierStandard

__all__ = [
    "TIERS",
    "CoverageResult",
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
