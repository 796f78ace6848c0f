"""Every static matplotlib figure, and the style the replay shares with them.

:mod:`sim.plot.style` holds colours, road widths and hazard levels without importing
matplotlib (the HTML replay uses it too); :mod:`sim.plot.maps` draws networks and
coverage maps, :mod:`sim.plot.run` the figures of one run, :mod:`sim.plot.batch` those
of a batch report. No function calls ``pyplot``, so no display is needed. Names are
imported on first use (``lazy_loader``), so ``sim.plot.style`` loads no matplotlib.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "coverage_map": ["plot_coverage_map"],
        "maps": ["draw_features", "draw_jurisdictions", "draw_roads", "plot_network"],
        "run": ["write_run_plots"],
    },
)
