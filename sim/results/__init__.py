"""Results on disk read back: run folders (for replays and plots).

:mod:`sim.results.run_folder` reads what ``sim run`` wrote and the network it ran on;
:mod:`sim.results.gis` writes ``map.gpkg`` (GeoPackage layers for QGIS).
Names are imported on first use (``lazy_loader``).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "gis": ["write_coverage_map", "write_run_map"],
        "run_folder": ["RunFolder", "check_run_folder", "load_run"],
    },
)
