"""Facility location: where the next stations go.

The array core works on any cost matrix, in the style of spopt
(:mod:`sim.siting.models`: maximal covering, p-median, set covering, with exact
reductions, heuristics with proven bounds and HiGHS); the network front end
(:mod:`sim.siting.stations`) builds those matrices from a road network, its residents
and its existing stations.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "core": ["InfeasibleSitingError", "SitingError", "SitingResult"],
        "models": ["maximal_covering", "p_median", "set_covering"],
        "orlib": ["read_orlib_pmed"],
        "stations": ["StationSiting", "candidate_nodes", "read_candidates_csv", "station_siting"],
    },
)
