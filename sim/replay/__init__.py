"""Drill replay: a run folder as an MP4 or GIF animation, or an offline HTML page.

:mod:`sim.replay.state` and :mod:`sim.replay.counters` rebuild a run's state at any
time from its folder (read by :mod:`sim.results.run_folder`): households follow their
last event (:mod:`sim.replay.households`), shelters become unsafe and their occupants
relocate (:mod:`sim.replay.shelters`); :mod:`sim.replay.frames`,
:mod:`sim.replay.shelter_layer` and :mod:`sim.replay.panel` draw video frames;
:mod:`sim.replay.html` builds the offline page (:mod:`sim.replay.page_people` its
people and places, :mod:`sim.replay.events` its event list); :mod:`sim.replay.legend`
and :mod:`sim.replay.symbols` are what both show; :mod:`sim.replay.outputs` writes the
files. Names are imported on first use, so
the HTML path loads no matplotlib.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submod_attrs={"outputs": ["animate", "load_timeline"]}
)
