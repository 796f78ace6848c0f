"""Regions: the data contract of a region (:mod:`sim.regions.base`) and the built-in one.

The built-in region ``fujiang`` (:mod:`sim.regions.fujiang`) is generated from a seed.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "base": ["PLACE_COLUMNS", "RegionData"],
    },
)
