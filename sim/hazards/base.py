"""The protocol every hazard of a run follows, and what one step of it returns.

A hazard is built from its scenario section and the model, and then only
:meth:`Hazard.update` is called, once per hazard step, in scenario order (gas leak,
flood, landslide). An update advances the hazard to time ``t`` and acts through the
model's public parts, never through another subsystem's internals:

- **field**: the hazard's value at every node (H2S ppm, water depth m, 1 inside a
  slide), kept for replays every ``hazards.frame_min``;
- **closures**: the links it closes, through ``model.roads.set_closures(name, ...)``;
- **exposure and people**: households it harms change state through the methods of
  :class:`~sim.agents.households.HouseholdTable` (``strand``, ``kill``);
- **incidents**: what needs rescue, returned as
  :class:`~sim.engine.incidents.IncidentReport` values in the :class:`HazardStep`; the
  model hands them to the commands after every hazard has updated.

The nodes a step *touches* tell each jurisdiction that the hazard has reached it.
Hazards may also say where people are in danger (optional members, node masks):
``unsafe_now`` (staying there is unsafe now: shelters there are not used),
``forecast_unsafe(now_s)`` (what a command that knows the hazard forecasts as unsafe)
and ``danger`` (where people see the hazard, which makes them more likely to act on a
warning, :mod:`sim.agents.compliance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from sim.engine.incidents import IncidentReport

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, eq=False)
class HazardStep:
    """What one update of a hazard produced.

    Attributes
    ----------
    touched
        Boolean node mask: where the hazard is now (its detection footprint).
    incidents
        Incidents it caused in this step, in the order they happened.
    """

    touched: np.ndarray
    incidents: tuple[IncidentReport, ...] = ()


class Hazard(Protocol):
    """One hazard of a run."""

    #: Name in ``hazard_frames.parquet`` and as the road-closure source.
    name: str
    #: Frames keep the nodes whose field is above this.
    frame_floor: float

    @property
    def field(self) -> np.ndarray:
        """The hazard's current value at every node."""
        ...

    def update(self, now_s: float, step_min: float) -> HazardStep:
        """Advance to ``now_s`` (a step of ``step_min`` minutes) and act on the run."""
        ...

    def summary(self) -> dict:
        """Figures for ``summary.json`` under ``hazards``."""
        ...


def step_value(times_min: Sequence[float], values: Sequence[T], now_s: float) -> T:
    """Value of a step schedule (entries hold from their time until the next)."""
    k = int(np.searchsorted(np.asarray(times_min) * 60.0, now_s, side="right")) - 1
    return values[max(k, 0)]
