"""Cross-border evacuation and rescue-dispatch simulator.

The public API: load a road network, route on it, run a scenario and measure
10/30/60-minute coverage::

    import sim

    network = sim.load_network("fujiang")  # or sim.load_region("county.toml")
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

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "coverage": ["CoverageResult", "static_coverage"],
        "engine.model": ["EmergencyModel"],
        "engine.runs": ["RunResult", "run"],
        "errors": ["InputError", "NetworkError", "ScenarioError", "SimError"],
        "network.compiled": ["RoadNetwork"],
        "network.routing": ["Router", "ShortestPathTree"],
        "network.sources": ["load_network"],
        "regions.source": ["load_region"],
        "scenarios.scenario": ["Scenario", "load_scenario"],
        "tiers": ["TIERS", "TierStandard"],
    },
)
