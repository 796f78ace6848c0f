"""The ``sim`` command: one module per sub-command, registered in :mod:`sim.cli.app`."""

from sim.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
