"""Drill replay: a run folder as an MP4 or GIF animation, or an offline HTML page.

:mod:`sim.replay.load` reads a run folder, :mod:`sim.replay.state` and
:mod:`sim.replay.counters` rebuild its state at any time, :mod:`sim.replay.frames` and
:mod:`sim.replay.panel` draw video frames, :mod:`sim.replay.html` builds the page
(:mod:`sim.replay.events` its event list), :mod:`sim.replay.outputs` writes the files.
"""

from sim.replay.outputs import animate, load_timeline

__all__ = ["animate", "load_timeline"]
