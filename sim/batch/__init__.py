"""Batches: an experiment's grid x seeds, run on local processes or Dask, resumably.

- :mod:`sim.batch.experiment`: the experiment file, its plan and seeds;
- :mod:`sim.batch.keys`, :mod:`sim.batch.parse`: dotted scenario keys, file parts;
- :mod:`sim.batch.runner`: :func:`run_batch`; :mod:`sim.batch.executors`: where runs go;
- :mod:`sim.batch.worker`: one run as a worker executes it;
- :mod:`sim.batch.store`: the results folder that never loses a finished run.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "experiment": ["Experiment", "load_experiment"],
        "runner": ["BatchReport", "run_batch"],
    },
)
