"""Which changes to the world were planned, and telling the walks under way of the others.

A household on foot checks at every node whether it is alive, whether the link ahead
is closed, whether its shelter is still usable and whether its route got costlier
(:meth:`sim.agents.household.Household._travel`). All of that changes only in a
hazard step or a scripted closure, which check every walk under way at once
(:mod:`sim.agents.walks`), so a walk covers many links in one simpy event.

A change at any other moment (a researcher's own process closing roads through
``model.roads``, which the model notices, or changing ``model.shelters.usable`` or
killing households, which it cannot) must call :meth:`ChangeClock.interrupt_walks`:
every walk under way then finishes the link it is on and is checked at its end.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from sim.agents.walks import Walks


class ChangeClock:
    """Whether a change was planned; the walks that must hear of the others.

    Parameters
    ----------
    env
        The run's clock.
    walks
        The walks under way.
    """

    def __init__(self, env: simpy.Environment, walks: Walks) -> None:
        self.env = env
        self.walks = walks
        self._scripted = False

    @contextlib.contextmanager
    def scripted(self) -> Iterator[None]:
        """Mark the changes made inside as a scripted closure's (checked by its caller)."""
        self._scripted = True
        try:
            yield
        finally:
            self._scripted = False

    def planned_now(self, *, hazard_step: bool) -> bool:
        """Whether the change being made is foreseen: a hazard step's or a scripted one's.

        Another change at the same moment (a process of a researcher's own) is not.
        """
        return hazard_step or self._scripted

    def interrupt_walks(self) -> None:
        """Tell every walk under way that the world changed now: it stops at its next node."""
        self.walks.interrupt_all(self.env.now)
