"""Regions: the data contract of a region (:mod:`sim.regions.base`) and the built-in one.

The built-in region ``fujiang`` (:mod:`sim.regions.fujiang`) is generated from a seed.
"""

from sim.regions.base import PLACE_COLUMNS, RegionData

__all__ = ["PLACE_COLUMNS", "RegionData"]
