"""Exceptions whose messages name the problem and the fix.

Every error a user can cause by bad input subclasses :class:`SimError` (a
``ValueError``); the command line prints its message on one line and exits with
code 2, without a traceback and without writing results.
"""

from __future__ import annotations


class SimError(ValueError):
    """Base class of all input errors; the message says what would be valid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class NetworkError(SimError):
    """A road network that cannot be loaded or used (missing file, no edges, ...)."""


class InputError(SimError):
    """A stations, population or polygons file that does not fit the network."""


class ScenarioError(SimError):
    """A scenario or experiment file with a wrong field, value or reference."""
