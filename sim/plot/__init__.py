"""Every static matplotlib figure, and the style the replay shares with them.

:mod:`sim.plot.style` holds colours, road widths and hazard levels without importing
matplotlib (the HTML replay uses it too); :mod:`sim.plot.maps` draws networks and
coverage maps, :mod:`sim.plot.run` the figures of one run, :mod:`sim.plot.batch` those
of a batch report. No function calls ``pyplot``, so no display is needed.
"""

from sim.plot.maps import plot_coverage_map, plot_network
from sim.plot.run import write_run_plots

__all__ = ["plot_coverage_map", "plot_network", "write_run_plots"]
