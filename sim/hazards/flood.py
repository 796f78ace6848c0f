"""A river flood: a stage hydrograph travelling downstream, water depths, closures, strandings.

Depths come from :mod:`sim.hazards.river`. Links close to vehicles above
``vehicle_depth_limit_m`` and to walkers above ``walk_depth_limit_m``; bridges close
above ``bridge_close_stage_m``. Households still at home in water deeper than the walking
limit are stranded there: a ``flood_stranded`` incident per node, for boat teams (the
households are its people). The hydrograph is the forecast: a command that knows the
flood knows when each node will be under water (:meth:`FloodHazard.forecast_flooded`,
evaluated once on a 10-minute grid up to the horizon), so it closes shelters that will
flood and warns the nodes ahead of the water.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.households import AT_HOME
from sim.engine.incidents import IncidentReport
from sim.hazards.base import HazardStep
from sim.hazards.river import flood_depth_m, river_geometry, stage_m
from sim.network.incidence import edge_any

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.scenarios.hazards import FloodSpec

#: Time step of the flood forecast, seconds.
FORECAST_STEP_S = 600.0
#: Water that will reach a home within this time is in sight (rising in the street,
#: the river over its banks nearby): a visible danger for the decision to leave, s.
DANGER_LEAD_S = 1800.0


class FloodHazard:
    """A flood wave on the river: depths, closures, stranded households."""

    name = "flood"
    frame_floor = 0.0

    def __init__(self, model: EmergencyModel, spec: FloodSpec) -> None:
        self.model, self.spec = model, spec
        features = model.network.features
        bank = features.get("river_bank_height_m")
        self.geometry = river_geometry(
            model.network,
            features.get("river"),
            bank_search_m=spec.bank_search_m,
            warning_level_m=features.get("river_warning_level_m"),
            bank_height_m=float(bank[0]) if bank is not None and len(bank) else 0.0,
        )
        self.hydro_t = np.array([p.time_min * 60.0 for p in spec.hydrograph])
        self.hydro_stage = np.array([p.stage_m for p in spec.hydrograph])
        self.depth = np.zeros(model.network.n_nodes)
        self._bridges = np.flatnonzero(model.network.bridge)
        self._now_s = 0.0
        #: Per node: the first time it is under water, and its deepest water (forecast).
        self.first_flood_s, self.max_depth_m = self._forecast(model.scenario.horizon_s)

    def _depth_at(self, time_s: float) -> np.ndarray:
        stage = stage_m(
            self.geometry.node_chainage_m,
            time_s,
            hydrograph_time_s=self.hydro_t,
            hydrograph_stage_m=self.hydro_stage,
            wave_speed_m_per_s=self.spec.wave_speed_m_per_s,
        )
        return flood_depth_m(
            self.model.network, self.geometry, stage, river_contact_m=self.spec.river_contact_m
        )

    def _forecast(self, horizon_s: float) -> tuple[np.ndarray, np.ndarray]:
        n = self.model.network.n_nodes
        first, deepest = np.full(n, np.inf), np.zeros(n)
        for time_s in np.arange(0.0, horizon_s + FORECAST_STEP_S, FORECAST_STEP_S):
            depth = self._depth_at(time_s)
            wet = depth > 0
            first[wet & ~np.isfinite(first)] = time_s
            deepest = np.maximum(deepest, depth)
        return first, deepest

    def forecast_arrival_s(self, now_s: float) -> np.ndarray:
        """When the forecast puts each node under water (inf: never by the horizon)."""
        return self.first_flood_s

    def forecast_unsafe(self, now_s: float) -> np.ndarray:
        """Nodes the forecast puts under water at some time up to the horizon."""
        return self.max_depth_m > 0

    @property
    def distance_m(self) -> np.ndarray:
        """Each node's distance to the river, m."""
        return self.geometry.node_distance_m

    @property
    def unsafe_now(self) -> np.ndarray:
        """Nodes under water now."""
        return self.depth > 0

    @property
    def danger(self) -> np.ndarray:
        """Nodes where people see the water coming: wet now, or within ``DANGER_LEAD_S``."""
        return (self.depth > 0) | (self.first_flood_s <= self._now_s + DANGER_LEAD_S)

    @property
    def field(self) -> np.ndarray:
        """Water depth at every node, metres."""
        return self.depth

    def update(self, now_s: float, step_min: float) -> HazardStep:
        """Advance one step; touched: the flooded nodes."""
        m, spec, net = self.model, self.spec, self.model.network
        self._now_s = now_s
        stage = stage_m(
            self.geometry.node_chainage_m,
            now_s,
            hydrograph_time_s=self.hydro_t,
            hydrograph_stage_m=self.hydro_stage,
            wave_speed_m_per_s=spec.wave_speed_m_per_s,
        )
        self.depth = flood_depth_m(net, self.geometry, stage, river_contact_m=spec.river_contact_m)
        bridge_shut = np.zeros(net.n_edges, dtype=bool)
        b = self._bridges
        bridge_shut[b] = (
            np.maximum(stage[net.edge_source[b]], stage[net.edge_target[b]])
            >= spec.bridge_close_stage_m
        )
        # a link is as deep as its deeper end: over a limit when either end is
        m.roads.set_closures(
            self.name,
            edge_any(net, self.depth > spec.vehicle_depth_limit_m) | bridge_shut,
            edge_any(net, self.depth > spec.walk_depth_limit_m) | bridge_shut,
        )
        table = m.households
        deep = self.depth > spec.walk_depth_limit_m
        caught = table.caught_on(deep)
        # people in the open are stranded only while some shelter has room for them: a
        # team that could bring them nowhere left them there, and a new incident would
        # only bring a boat back to leave them again
        room = m.shelters.open_remaining_persons().max(initial=0)
        caught = caught[(table.state[caught] == AT_HOME) | (table.size_persons[caught] <= room)]
        table.strand(caught)
        # those cut off on dry ground were stranded already (and logged so): now a boat's
        rows = np.concatenate((caught, m.operations.catch_cut_off(deep[table.node])))
        incidents = []
        if rows.size:
            at_home = np.bincount(
                table.node[caught], weights=table.size_persons[caught], minlength=net.n_nodes
            )
            persons = np.bincount(
                table.node[rows], weights=table.size_persons[rows], minlength=net.n_nodes
            )
            for node in np.nonzero(persons)[0]:
                if at_home[node]:
                    m.recorder.event(
                        m.env.now,
                        "stranded",
                        node=int(node),
                        jurisdiction=m.jurisdiction_name(net.jurisdiction[node]),
                        value=float(at_home[node]),
                    )
                incidents.append(
                    IncidentReport(
                        kind="flood_stranded",
                        node=int(node),
                        persons=int(persons[node]),
                        tiers=("ground",),
                        needs_boat=True,
                        households=tuple(int(r) for r in rows[table.node[rows] == node]),
                    )
                )
        return HazardStep(touched=self.depth > 0, incidents=tuple(incidents))

    def summary(self) -> dict:
        """Nodes still under water at the horizon."""
        return {"flooded_nodes_at_horizon": int((self.depth > 0).sum())}
