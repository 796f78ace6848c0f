"""When the world a traveller on foot checks can change, and the walks that must hear of it.

A household on foot checks at every node whether it is alive, whether the link ahead
is closed, whether its shelter is still usable and whether its route got costlier
(:meth:`sim.agents.household.Household._travel`). All of that changes only in a
hazard step or a scripted closure, so until the next of those (or the horizon) a walk
can cover several links in one simpy event with the same checks and times as one
event per link (:meth:`sim.agents.household.Household._walk_on`).

A change at any other moment (a researcher's own process closing roads through
``model.roads``, which the model notices, or changing ``model.shelters.usable`` or
killing households, which it cannot) must call :meth:`ChangeClock.interrupt_walks`:
every walk under way then finishes the link it is on and is checked at its end.
"""

from __future__ import annotations

import numpy as np
import simpy


class ChangeClock:
    """The next moment roads, shelters' use or a life may change; the walks under way.

    Parameters
    ----------
    env
        The run's clock.
    horizon_s
        End of the run, s.
    closure_times_s
        When the scripted closures and reopenings happen, s.
    """

    def __init__(self, env: simpy.Environment, horizon_s: float, closure_times_s) -> None:
        self.env = env
        self.horizon_s = float(horizon_s)
        self.closure_times_s = sorted(float(t) for t in closure_times_s)
        self._past = 0  # closures before now
        #: When the next hazard step runs (inf: none left), set by the hazard process
        #: exactly as simpy adds its delay.
        self.next_hazard_step_s = np.inf
        #: Households on foot covering several links in one event: row -> process.
        self.walking_on: dict[int, simpy.Process] = {}

    def next_s(self) -> float:
        """Return the next moment (>= now) something a walker checks may change."""
        times, k, now = self.closure_times_s, self._past, self.env.now
        while k < len(times) and times[k] < now:  # the clock only moves on
            k += 1
        self._past = k
        next_s = min(self.next_hazard_step_s, self.horizon_s)
        return times[k] if k < len(times) and times[k] < next_s else next_s

    def planned_now(self, *, hazard_step: bool) -> bool:
        """Whether a change now was foreseen: in a hazard step or a scripted closure."""
        return hazard_step or self.env.now in self.closure_times_s

    def interrupt_walks(self) -> None:
        """Tell every walk under way that the world changed now (lowest row first)."""
        for row in sorted(self.walking_on):
            process = self.walking_on[row]
            if process is not self.env.active_process and process.is_alive:
                process.interrupt("the world changed")
