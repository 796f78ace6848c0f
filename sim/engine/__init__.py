"""The simulation engine: one simpy clock, the agent families, the run and its results.

- :mod:`sim.engine.model`: :class:`EmergencyModel`, the ``mesa.Model`` of a run;
- :mod:`sim.engine.runs`: :func:`run` and :class:`RunResult`;
- :mod:`sim.engine.roads`, :mod:`sim.engine.traffic`: closures and link queues;
- :mod:`sim.engine.changes`: whether a change was planned (a hazard step's or a
  scripted closure's, after which all walks are checked at once: :mod:`sim.agents.walks`);
  call ``model.changes.interrupt_walks()`` when a process of your own changes what
  walkers check;
- :mod:`sim.engine.shelters`, :mod:`sim.engine.incidents`: shelters and incidents (with
  triage);
- :mod:`sim.engine.recording`, :mod:`sim.engine.metrics`: the event log and what is
  measured from it.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "model": ["EmergencyModel"],
        "runs": ["RunResult", "network_for", "run"],
    },
)
