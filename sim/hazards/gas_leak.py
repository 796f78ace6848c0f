"""A sour-gas leak at a well: a Gaussian plume, toxic exposure by AEGL, flammable closures.

Every step the plume of the current release rate and wind is computed at every node
the plume front has reached (wind speed x time since the release began). Roads close
where methane exceeds ``close_at_lfl_fraction`` of its lower flammable limit (to
vehicles; walkers are not stopped). Every household accumulates an H2S toxic load
where it is (:mod:`sim.hazards.exposure`): reaching AEGL-2 makes an ``exposed``
incident for community responders and ground teams, AEGL-3 kills.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.incidents import IncidentReport
from sim.hazards import exposure, plume
from sim.hazards.base import HazardStep, step_value

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.scenarios.hazards import GasLeakSpec


class GasLeakHazard:
    """A sour-gas plume; exposure by AEGL, road closures in the flammable zone."""

    name = "plume"
    frame_floor = 0.01

    def __init__(self, model: EmergencyModel, spec: GasLeakSpec) -> None:
        self.model, self.spec = model, spec
        net = model.network
        if spec.well is not None:
            wells = net.places["wells"].set_index("name")
            self.x_m, self.y_m = (
                float(wells.loc[spec.well, "x_m"]),
                float(wells.loc[spec.well, "y_m"]),
            )
        else:
            x, y = net.to_projected(np.array([spec.lon]), np.array([spec.lat]))
            self.x_m, self.y_m = float(x[0]), float(y[0])
        self.load = np.zeros(model.households.n)
        self.level = np.zeros(model.households.n, dtype=np.int8)
        self.ppm = np.zeros(net.n_nodes)

    @property
    def field(self) -> np.ndarray:
        """H2S at every node, ppm."""
        return self.ppm

    def update(self, now_s: float, step_min: float) -> HazardStep:
        """Advance one step; touched: nodes at or above AEGL-2 for one hour."""
        m, spec, net = self.model, self.spec, self.model.network
        rate = step_value([r.time_min for r in spec.release], list(spec.release), now_s)
        wind = step_value([w.time_min for w in spec.wind], list(spec.wind), now_s)
        down, cross = plume.wind_frame_m(net.x_m, net.y_m, self.x_m, self.y_m, wind.from_deg)
        # the plume has only travelled wind speed x time since the release began
        reach = np.nonzero((down > 0) & (down <= wind.speed_m_per_s * max(now_s, 0.0)))[0]
        gas = np.zeros(net.n_nodes)
        gas[reach] = plume.concentration_kg_per_m3(
            release_kg_per_s=rate.rate_kg_per_s,
            wind_m_per_s=wind.speed_m_per_s,
            downwind_m=down[reach],
            crosswind_m=cross[reach],
            height_m=spec.receptor_height_m,
            release_height_m=spec.release_height_m,
            stability=wind.stability,
            terrain=spec.terrain,
        )
        self.ppm = plume.h2s_ppm(gas, spec.h2s_mass_fraction)
        flammable = plume.methane_volume_fraction(gas, spec.methane_mass_fraction) >= (
            spec.close_at_lfl_fraction * plume.METHANE_LFL
        )
        closed = flammable[net.edge_source] | flammable[net.edge_target]
        m.roads.set_closures(self.name, closed, np.zeros(net.n_edges, dtype=bool))
        incidents = self._expose(step_min)
        return HazardStep(
            touched=self.ppm >= exposure.AEGL_H2S_PPM[1][60], incidents=tuple(incidents)
        )

    def _expose(self, step_min: float) -> list[IncidentReport]:
        """Add this step's toxic load to every living household where it is."""
        m = self.model
        t = m.households
        # the load gained per node first (nodes are fewer than households, and the
        # power is the costly part), then gathered for the households standing there
        gain = np.zeros_like(self.ppm)
        hot = np.flatnonzero(self.ppm > 0)
        if hot.size == 0:
            return []
        gain[hot] = exposure.load_increment(self.ppm[hot], step_min)
        gain_here = gain[t.node]
        hit = np.flatnonzero((gain_here > 0) & t.alive())
        if hit.size == 0:
            return []
        self.load[hit] += gain_here[hit]
        level = exposure.aegl_level(self.load[hit])
        incidents = []
        for k in (2, 3):
            new = hit[(level >= k) & (self.level[hit] < k)]
            if new.size == 0:
                continue
            persons = t.persons_per_node(new)
            nodes = np.nonzero(persons)[0]
            for node in nodes:
                m.recorder.event(
                    m.env.now,
                    "exposed",
                    node=int(node),
                    jurisdiction=m.jurisdiction_name(m.network.jurisdiction[node]),
                    tier=f"AEGL-{k}",
                    value=float(persons[node]),
                )
            if k == 2:
                incidents.extend(
                    IncidentReport(
                        kind="exposed",
                        node=int(node),
                        persons=int(persons[node]),
                        tiers=("community", "ground"),
                    )
                    for node in nodes
                )
            else:
                t.kill(new)
        self.level[hit] = np.maximum(self.level[hit], level)
        return incidents

    def summary(self) -> dict:
        """Persons who reached each AEGL level."""
        size = self.model.households.size_persons
        return {"aegl_persons": {f"AEGL-{k}": int(size[self.level >= k].sum()) for k in (1, 2, 3)}}
