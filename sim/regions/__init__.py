"""Regions: the data contract, the built-in region, and regions built from a planner's files.

- :mod:`sim.regions.base`: the data contract (:class:`RegionData`, ``PLACE_COLUMNS``);
- :mod:`sim.regions.fujiang`: the built-in region, generated from a seed;
- :mod:`sim.regions.manifest`: the region manifest (TOML) and its layers;
- :mod:`sim.regions.build`: a manifest built onto the cleaned road network;
- :mod:`sim.regions.places`, :mod:`sim.regions.population`, :mod:`sim.regions.river`,
  :mod:`sim.regions.snapping`, :mod:`sim.regions.report`: the layers and the report;
- :mod:`sim.regions.source`: :func:`load_region` and the region of a scenario.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "base": ["PLACE_COLUMNS", "RegionData"],
        "build": ["RegionBuild", "build_region"],
        "manifest": ["LayerSpec", "RegionManifest", "RiverSpec", "read_manifest"],
        "report": ["RegionReport"],
        "source": ["build_region_report", "load_region", "network_from_spec"],
    },
)
