"""Facility location: where the next stations go.

The array core works on any cost matrix, in the style of spopt
(:mod:`sim.siting.models`: maximal covering, p-median, set covering, with exact
reductions, heuristics with proven bounds and HiGHS); the network front end
(:mod:`sim.siting.stations`) builds those matrices from a road network, its residents
and its existing stations.
"""

from sim.siting.core import InfeasibleSitingError, SitingError, SitingResult
from sim.siting.models import maximal_covering, p_median, set_covering
from sim.siting.orlib import read_orlib_pmed
from sim.siting.stations import (
    StationSiting,
    candidate_nodes,
    read_candidates_csv,
    station_siting,
)

__all__ = [
    "InfeasibleSitingError",
    "SitingError",
    "SitingResult",
    "StationSiting",
    "candidate_nodes",
    "maximal_covering",
    "p_median",
    "read_candidates_csv",
    "read_orlib_pmed",
    "set_covering",
    "station_siting",
]
