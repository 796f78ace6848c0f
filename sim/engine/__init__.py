"""The simulation engine: one simpy clock, the agent families, the run and its results.

- :mod:`sim.engine.model`: :class:`EmergencyModel`, the ``mesa.Model`` of a run;
- :mod:`sim.engine.runs`: :func:`run` and :class:`RunResult`;
- :mod:`sim.engine.roads`, :mod:`sim.engine.traffic`: closures and link queues;
- :mod:`sim.engine.shelters`, :mod:`sim.engine.incidents`: shelters and incidents (with
  triage);
- :mod:`sim.engine.recording`, :mod:`sim.engine.metrics`: the event log and what is
  measured from it.
"""

from sim.engine.model import EmergencyModel
from sim.engine.runs import RunResult, network_for, run

__all__ = ["EmergencyModel", "RunResult", "network_for", "run"]
