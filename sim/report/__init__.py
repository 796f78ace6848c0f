"""What the commands print and write as text and tables.

- :mod:`sim.report.batch`: ``sim report``, the comparison report of a batch (with
  :mod:`sim.report.tables`, :mod:`sim.report.stats`, :mod:`sim.report.render`);
- :mod:`sim.report.run`: the terminal summary of ``sim run``;
- :mod:`sim.report.coverage`: the table and files of ``sim coverage``;
- :mod:`sim.report.site`: the table and files of ``sim site``.
"""

from sim.report.batch import write_report

__all__ = ["write_report"]
