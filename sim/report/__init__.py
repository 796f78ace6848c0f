"""What the commands print and write as text and tables.

- :mod:`sim.report.batch`: ``sim report``, the comparison report of a batch (with
  :mod:`sim.report.tables`, :mod:`sim.report.stats`, :mod:`sim.report.render`);
- :mod:`sim.report.run`: the terminal summary of ``sim run``;
- :mod:`sim.report.coverage`: the table and files of ``sim coverage``;
- :mod:`sim.report.site`: the table and files of ``sim site``.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "batch": ["write_report"],
    },
)
