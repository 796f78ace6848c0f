"""The hazards of a run: built from the scenario, stepped together, detected, recorded.

:meth:`HazardEngine.step` updates every hazard (vectorised over nodes and edges, see
:mod:`sim.hazards.base`), notes the first time any hazard touches each jurisdiction
(``reached_s``; the model then lets that side *detect* it after its own detection
delay) and keeps the non-zero fields every ``frame_min`` for replays
(``hazard_frames.parquet``: time_s, hazard, node, value). The model runs the steps on
its clock and hands the incidents of a step to the commands once every hazard has
updated.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.engine.incidents import IncidentReport
from sim.hazards.flood import FloodHazard
from sim.hazards.gas_leak import GasLeakHazard
from sim.hazards.landslide import LandslideHazard

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.hazards.base import Hazard

#: Hazard class of each ``[hazards.*]`` scenario section, in update order.
HAZARD_CLASSES: Mapping[str, type] = MappingProxyType(
    {"gas_leak": GasLeakHazard, "flood": FloodHazard, "landslide": LandslideHazard}
)


@dataclass(frozen=True, kw_only=True, eq=False)
class EngineStep:
    """What one step of all hazards produced.

    Attributes
    ----------
    incidents
        Every hazard's incidents, hazard by hazard in update order.
    reached
        Jurisdictions the hazards touched for the first time, in index order.
    """

    incidents: tuple[IncidentReport, ...]
    reached: tuple[int, ...]


class HazardEngine:
    """All hazards of a run, their detection footprint and their frames."""

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        spec = model.scenario.hazards
        self.step_s = spec.step_min * 60.0
        self.frame_s = spec.frame_min * 60.0
        self.hazards: list[Hazard] = [
            cls(model, getattr(spec, section))
            for section, cls in HAZARD_CLASSES.items()
            if getattr(spec, section) is not None
        ]
        n_juris = len(model.network.jurisdiction_names)
        self.reached_s = np.full(n_juris, np.inf)
        self.frames: list[tuple[float, str, np.ndarray, np.ndarray]] = []
        self.work_s = 0.0
        #: True while the hazards update (road changes then wait for the step's end).
        self.stepping = False
        #: Nodes in air immediately dangerous to life on their ground (a lethal plume):
        #: teams without breathing apparatus do not work there (updated each step).
        self.lethal_air = np.zeros(model.network.n_nodes, dtype=bool)
        self._next_frame_s = 0.0

    @property
    def active(self) -> bool:
        """True when the scenario has any hazard."""
        return bool(self.hazards)

    def get(self, name: str) -> Hazard | None:
        """Return the hazard called ``name`` (``"plume"``, ``"flood"``, ``"landslide"``), if any."""
        return next((h for h in self.hazards if h.name == name), None)

    def _union(self, part: str, now_s: float | None = None) -> np.ndarray:
        mask = np.zeros(self.model.network.n_nodes, dtype=bool)
        for hazard in self.hazards:
            value = getattr(hazard, part, None)
            if value is None:
                continue
            mask |= value(now_s) if callable(value) else value
        return mask

    def unsafe_now(self) -> np.ndarray:
        """Nodes where staying is unsafe now (any hazard)."""
        return self._union("unsafe_now")

    def danger(self) -> np.ndarray:
        """Nodes where people see the hazard (water at the door, gas, a slide near)."""
        return self._union("danger")

    def distance_m(self) -> np.ndarray:
        """Each node's distance to the nearest hazard source (well, river; inf: none)."""
        out = np.full(self.model.network.n_nodes, np.inf)
        for hazard in self.hazards:
            value = getattr(hazard, "distance_m", None)
            if value is not None:
                out = np.minimum(out, value)
        return out

    def forecast_arrival_s(self, now_s: float) -> np.ndarray:
        """When each node's forecast says the hazard arrives (now if already; inf: never).

        The earliest over the hazards that forecast (``forecast_arrival_s(now_s)``).
        """
        out = np.full(self.model.network.n_nodes, np.inf)
        for hazard in self.hazards:
            value = getattr(hazard, "forecast_arrival_s", None)
            if value is not None:
                out = np.minimum(out, value(now_s))
        return np.maximum(out, now_s)

    def forecast_unsafe(self, now_s: float) -> np.ndarray:
        """Nodes any hazard's forecast puts in danger (for commands that know it)."""
        return self._union("forecast_unsafe", now_s)

    def step(self, now_s: float) -> EngineStep:
        """Update every hazard to ``now_s``; note first contact; keep a frame when due."""
        started = time.perf_counter()
        touched = np.zeros(self.model.network.n_nodes, dtype=bool)
        incidents: list[IncidentReport] = []
        self.stepping = True
        try:
            for hazard in self.hazards:
                result = hazard.update(now_s, self.step_s / 60.0)
                touched |= result.touched
                incidents.extend(result.incidents)
        finally:
            self.stepping = False
        self.lethal_air = self._union("lethal_air")
        reached = self._reached(touched, now_s)
        if now_s >= self._next_frame_s:
            self._frame(now_s)
            self._next_frame_s += self.frame_s
        self.work_s += time.perf_counter() - started
        return EngineStep(incidents=tuple(incidents), reached=reached)

    def _reached(self, touched: np.ndarray, now_s: float) -> tuple[int, ...]:
        juris = self.model.network.jurisdiction
        new = []
        for j in range(self.reached_s.shape[0]):
            if np.isinf(self.reached_s[j]) and (touched & (juris == j)).any():
                self.reached_s[j] = now_s
                new.append(j)
        return tuple(new)

    def _frame(self, now_s: float) -> None:
        for hazard in self.hazards:
            values = np.asarray(hazard.field, dtype=np.float64)
            nodes = np.nonzero(values > hazard.frame_floor)[0]
            self.frames.append((now_s, hazard.name, nodes, values[nodes]))

    def frames_table(self) -> pd.DataFrame:
        """Return the kept frames as ``hazard_frames.parquet`` holds them (time_s, hazard, ...)."""
        frames = [
            pd.DataFrame({"time_s": t, "hazard": name, "node": nodes, "value": values})
            for t, name, nodes, values in self.frames
        ]
        table = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame({"time_s": [], "hazard": [], "node": [], "value": []})
        )
        return table.astype(
            {"time_s": "float64", "hazard": "str", "node": "int64", "value": "float64"}
        )

    def summary(self) -> dict:
        """Hazard figures for ``summary.json``: when each side was reached, then per hazard."""
        names = self.model.network.jurisdiction_names
        out: dict = {"reached_s": {names[j]: float(v) for j, v in enumerate(self.reached_s)}}
        for hazard in self.hazards:
            out.update(hazard.summary())
        return out
