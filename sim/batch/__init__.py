"""Batches: an experiment's grid x seeds, run on local processes or Dask, resumably.

- :mod:`sim.batch.experiment`: the experiment file, its plan and seeds;
- :mod:`sim.batch.keys`, :mod:`sim.batch.parse`: dotted scenario keys, file parts;
- :mod:`sim.batch.runner`: :func:`run_batch`; :mod:`sim.batch.executors`: where runs go;
- :mod:`sim.batch.worker`: one run as a worker executes it;
- :mod:`sim.batch.store`: the results folder that never loses a finished run.
"""

from sim.batch.experiment import Experiment, load_experiment
from sim.batch.runner import BatchReport, run_batch

__all__ = ["BatchReport", "Experiment", "load_experiment", "run_batch"]
