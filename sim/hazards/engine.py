"""Hazards in a run: one simpy process updates every hazard each ``step_min``.

Each update is vectorised over nodes and edges: fields at nodes, road closures (through
:class:`sim.engine.roads.RoadState`), exposure of every household where it is, and incidents
(exposed, flood-stranded, buried, blocked roads, isolated villages). The first time a
hazard touches a jurisdiction's nodes, that side *detects* it after its own detection
delay (``policy.detection_delay_min``), which lets it warn without waiting for the other
side. Every ``frame_min`` the non-zero fields are kept for replays
(``hazard_frames.parquet``: time_s, hazard, node, value).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

import sim.hazards.slopes as landslide
from sim.agents.household import AT_HOME, DEAD, STRANDED
from sim.hazards import exposure, plume
from sim.hazards.river import flood_depth_m, river_geometry, stage_m

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.scenarios.hazards import FloodSpec, GasLeakSpec, LandslideSpec


def _step_value(times_min: list[float], values: list, now_s: float):
    """Value of a step schedule (entries hold from their time until the next)."""
    k = int(np.searchsorted(np.asarray(times_min) * 60.0, now_s, side="right")) - 1
    return values[max(k, 0)]


class GasLeakHazard:
    """A sour-gas plume; exposure by AEGL, road closures in the flammable zone."""

    name = "plume"

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

    def update(self, now_s: float, step_min: float) -> np.ndarray:
        """Advance one step; return the nodes the hazard touches now."""
        m, spec, net = self.model, self.spec, self.model.network
        rate = _step_value([r.time_min for r in spec.release], list(spec.release), now_s)
        wind = _step_value([w.time_min for w in spec.wind], list(spec.wind), now_s)
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
        self._expose(step_min)
        return self.ppm >= exposure.AEGL_H2S_PPM[1][60]

    def _expose(self, step_min: float) -> None:
        m = self.model
        t = m.households
        # the load gained per node first (nodes are fewer than households, and the
        # power is the costly part), then gathered for the households standing there
        gain = np.zeros_like(self.ppm)
        hot = np.flatnonzero(self.ppm > 0)
        if hot.size == 0:
            return
        gain[hot] = exposure.load_increment(self.ppm[hot], step_min)
        gain_here = gain[t.node]
        hit = np.flatnonzero((gain_here > 0) & (t.state != DEAD))
        if hit.size == 0:
            return
        self.load[hit] += gain_here[hit]
        level = exposure.aegl_level(self.load[hit])
        for k in (2, 3):
            new = hit[(level >= k) & (self.level[hit] < k)]
            if new.size == 0:
                continue
            persons = np.bincount(t.node[new], weights=t.size_persons[new])
            nodes = np.nonzero(persons)[0]
            for node in nodes:
                m.recorder.event(
                    m.env.now,
                    "exposed",
                    node=int(node),
                    jurisdiction=m.jurisdiction_name(net_j(m, node)),
                    tier=f"AEGL-{k}",
                    value=float(persons[node]),
                )
            if k == 2:
                for node in nodes:
                    m.hazards.report_incident(
                        kind="exposed",
                        node=int(node),
                        persons=int(persons[node]),
                        tiers=("community", "ground"),
                    )
            else:
                t.state[new] = DEAD
        self.level[hit] = np.maximum(self.level[hit], level)


def net_j(model: EmergencyModel, node: int) -> int:
    """Jurisdiction index of ``node``."""
    return int(model.network.jurisdiction[node])


class FloodHazard:
    """A flood wave on the river: depths, closures, stranded households."""

    name = "flood"

    def __init__(self, model: EmergencyModel, spec: FloodSpec) -> None:
        self.model, self.spec = model, spec
        river = model.network.features.get("river")
        self.geometry = river_geometry(model.network, river, bank_search_m=spec.bank_search_m)
        self.hydro_t = np.array([p.time_min * 60.0 for p in spec.hydrograph])
        self.hydro_stage = np.array([p.stage_m for p in spec.hydrograph])
        self.depth = np.zeros(model.network.n_nodes)

    def update(self, now_s: float, step_min: float) -> np.ndarray:
        """Advance one step; return the flooded nodes."""
        m, spec, net = self.model, self.spec, self.model.network
        stage = stage_m(
            self.geometry.node_chainage_m,
            now_s,
            hydrograph_time_s=self.hydro_t,
            hydrograph_stage_m=self.hydro_stage,
            wave_speed_m_per_s=spec.wave_speed_m_per_s,
        )
        self.depth = flood_depth_m(net, self.geometry, stage, river_contact_m=spec.river_contact_m)
        s, t = net.edge_source, net.edge_target
        edge_depth = np.maximum(self.depth[s], self.depth[t])
        bridge_shut = net.bridge & (np.maximum(stage[s], stage[t]) >= spec.bridge_close_stage_m)
        m.roads.set_closures(
            self.name,
            (edge_depth > spec.vehicle_depth_limit_m) | bridge_shut,
            (edge_depth > spec.walk_depth_limit_m) | bridge_shut,
        )
        table = m.households
        caught = np.nonzero(
            (table.state == AT_HOME) & (self.depth[table.node] > spec.walk_depth_limit_m)
        )[0]
        if caught.size:
            table.state[caught] = STRANDED
            persons = np.bincount(table.node[caught], weights=table.size_persons[caught])
            for node in np.nonzero(persons)[0]:
                m.recorder.event(
                    m.env.now,
                    "stranded",
                    node=int(node),
                    jurisdiction=m.jurisdiction_name(net_j(m, node)),
                    value=float(persons[node]),
                )
                m.hazards.report_incident(
                    kind="flood_stranded",
                    node=int(node),
                    persons=int(persons[node]),
                    tiers=("ground",),
                    needs_boat=True,
                )
        return self.depth > 0


class LandslideHazard:
    """Scripted and rain-triggered slides: closures, burials, clearing, isolation."""

    name = "landslide"

    def __init__(self, model: EmergencyModel, spec: LandslideSpec) -> None:
        self.model, self.spec = model, spec
        self.pending = sorted(spec.slides, key=lambda s: s.time_min)
        self.active: dict[int, np.ndarray] = {}  # slide id -> edge mask it blocks
        self.inside = np.zeros(model.network.n_nodes, dtype=bool)
        self.rain_mm = 0.0
        self.rain_done = False
        self.isolated: set[str] = set()
        self.count = 0

    def update(self, now_s: float, step_min: float) -> np.ndarray:
        """Advance one step; return nodes inside slides so far."""
        m, spec, net = self.model, self.spec, self.model.network
        while self.pending and self.pending[0].time_min * 60.0 <= now_s:
            slide = self.pending.pop(0)
            x, y = self._centre(slide)
            self.trigger(x + slide.offset_m[0], y + slide.offset_m[1], slide.radius_m)
        if spec.rainfall and not self.rain_done:
            rain = _step_value([r.time_min for r in spec.rainfall], list(spec.rainfall), now_s)
            self.rain_mm += rain.mm_per_h * step_min / 60.0
            if self.rain_mm >= spec.trigger_mm:
                self.rain_done = True
                sites = landslide.rain_triggered_sites(
                    net,
                    count=spec.rain_slides,
                    min_slope=spec.min_slope,
                    spacing_m=4 * spec.rain_radius_m,
                    rng=m.rng_hazards,
                )
                for node in sites:
                    self.trigger(float(net.x_m[node]), float(net.y_m[node]), spec.rain_radius_m)
        return self.inside

    def _centre(self, slide) -> tuple[float, float]:
        net = self.model.network
        if slide.settlement is not None:
            row = net.places["settlements"].set_index("name").loc[slide.settlement]
            return float(row["x_m"]), float(row["y_m"])
        x, y = net.to_projected(np.array([slide.lon]), np.array([slide.lat]))
        return float(x[0]), float(y[0])

    def trigger(self, x_m: float, y_m: float, radius_m: float) -> None:
        """Start a slide now: close roads, bury those at home inside, send teams."""
        m, net = self.model, self.model.network
        inside = landslide.runout_nodes(net, x_m, y_m, radius_m)
        if not inside.any():
            return
        slide_id = self.count
        self.count += 1
        self.inside |= inside
        self.active[slide_id] = landslide.edges_touching(net, inside)
        self._apply()
        stations = m.network.places["stations"]
        ground = stations.loc[stations["tier"] == "ground", "node"].to_numpy()
        reachable = np.isfinite(m.roads.router("ground").tree(ground).time_s)
        access = landslide.access_node(net, inside, x_m, y_m, reachable)
        centre = int(
            np.nonzero(inside)[0][np.argmin(np.hypot(net.x_m[inside] - x_m, net.y_m[inside] - y_m))]
        )
        m.recorder.event(
            m.env.now,
            "slide",
            node=centre,
            jurisdiction=m.jurisdiction_name(net_j(m, centre)),
            value=radius_m,
        )
        table = m.households
        buried = np.nonzero((table.state == AT_HOME) & inside[table.node])[0]
        if buried.size:
            table.state[buried] = STRANDED
            m.hazards.report_incident(
                kind="buried",
                node=centre,
                access_node=access,
                persons=int(table.size_persons[buried].sum()),
                tiers=("community", "ground"),
            )
        m.hazards.report_incident(
            kind="road_blocked",
            node=centre,
            access_node=access,
            persons=0,
            tiers=("ground",),
            on_scene_s={"ground": self.spec.clear_min * 60.0},
            on_cleared=lambda: self.clear(slide_id),
        )
        self._find_isolated()

    def clear(self, slide_id: int) -> None:
        """Reopen the roads of a slide an engineering team has cleared."""
        self.active.pop(slide_id, None)
        self._apply()
        m = self.model
        m.recorder.event(m.env.now, "slide_cleared", value=float(slide_id))

    def _apply(self) -> None:
        net = self.model.network
        blocked = np.zeros(net.n_edges, dtype=bool)
        for mask in self.active.values():
            blocked |= mask
        self.model.roads.set_closures(self.name, blocked)

    def _find_isolated(self) -> None:
        m, net = self.model, self.model.network
        if "settlements" not in net.places:
            return
        villages = net.places["settlements"]
        villages = villages[villages["kind"] == "village"]
        shelters = np.unique(m.shelters.node)
        drive = m.roads.router("vehicle").tree(shelters, reverse=True).time_s
        walk = m.roads.router("walk").tree(shelters, reverse=True).time_s
        nodes = villages["node"].to_numpy()
        cut = ~np.isfinite(drive[nodes]) & ~np.isfinite(walk[nodes])
        for row in villages[cut].itertuples(index=False):
            if row.name in self.isolated:
                continue
            self.isolated.add(row.name)
            m.recorder.event(
                m.env.now,
                "isolated",
                node=int(row.node),
                jurisdiction=str(row.jurisdiction),
                value=float(row.population_persons),
            )
            m.hazards.report_incident(
                kind="isolated",
                node=int(row.node),
                persons=int(max(row.population_persons, 1)),
                tiers=("aviation",),
            )


class HazardEngine:
    """All hazards of a run, their update process, detection and frames."""

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        spec = model.scenario.hazards
        self.step_s = spec.step_min * 60.0
        self.frame_s = spec.frame_min * 60.0
        self.hazards: list = []
        if spec.gas_leak is not None:
            self.hazards.append(GasLeakHazard(model, spec.gas_leak))
        if spec.flood is not None:
            self.hazards.append(FloodHazard(model, spec.flood))
        if spec.landslide is not None:
            self.hazards.append(LandslideHazard(model, spec.landslide))
        n_juris = len(model.network.jurisdiction_names)
        self.reached_s = np.full(n_juris, np.inf)
        self.frames: list[tuple[float, str, np.ndarray, np.ndarray]] = []
        self.work_s = 0.0
        self._in_step = False
        self._pending: list[dict] = []
        self._retry_pending = False
        if self.hazards:
            model.env.process(self._loop())

    def report_incident(self, **incident) -> None:
        """Hand an incident to the commands (keywords of ``Dispatcher.new_incident``).

        During a hazard step the incidents wait until every hazard has updated, so the
        commands route on this step's closures and the dispatch work is not counted as
        hazard work; outside a step (a slide cleared by a team) they go at once.
        """
        if self._in_step:
            self._pending.append(incident)
        else:
            self.model.dispatcher.new_incident(**incident)

    def roads_reopened(self) -> None:
        """Let the commands retry waiting incidents: now, or after the current step.

        Like incidents, the retry waits for the end of a hazard step, so it sees the
        step's final closures and its routing is not counted as hazard work.
        """
        if self._in_step:
            self._retry_pending = True
        else:
            self.model.dispatcher.retry_waiting()

    def _loop(self) -> Generator[simpy.Event, None, None]:
        import time

        m = self.model
        next_frame = 0.0
        while m.env.now <= m.scenario.horizon_s:
            started = time.perf_counter()
            self._in_step = True
            touched = np.zeros(m.network.n_nodes, dtype=bool)
            for hazard in self.hazards:
                touched |= hazard.update(m.env.now, self.step_s / 60.0)
            self._in_step = False
            self._detect(touched)
            if m.env.now >= next_frame:
                self._frame()
                next_frame += self.frame_s
            self.work_s += time.perf_counter() - started
            if self._retry_pending:  # incidents already waiting go before this step's
                self._retry_pending = False
                m.dispatcher.retry_waiting()
            pending, self._pending = self._pending, []
            for incident in pending:
                m.dispatcher.new_incident(**incident)
            yield m.env.timeout(self.step_s)

    def _detect(self, touched: np.ndarray) -> None:
        m = self.model
        for j in range(self.reached_s.shape[0]):
            if np.isinf(self.reached_s[j]) and (touched & (m.network.jurisdiction == j)).any():
                self.reached_s[j] = m.env.now
                delay = m.scenario.policy.detection_delay_min * 60.0
                m.env.process(m.detect_later(j, delay))

    def _frame(self) -> None:
        now = self.model.env.now
        for hazard in self.hazards:
            values = {
                "plume": getattr(hazard, "ppm", None),
                "flood": getattr(hazard, "depth", None),
                "landslide": getattr(hazard, "inside", None),
            }[hazard.name]
            values = np.asarray(values, dtype=np.float64)
            nodes = np.nonzero(values > (0.01 if hazard.name == "plume" else 0.0))[0]
            self.frames.append((now, hazard.name, nodes, values[nodes]))

    def summary(self) -> dict:
        """Hazard figures for ``summary.json``."""
        names = self.model.network.jurisdiction_names
        out: dict = {"reached_s": {names[j]: float(v) for j, v in enumerate(self.reached_s)}}
        for hazard in self.hazards:
            if hazard.name == "plume":
                out["aegl_persons"] = {
                    f"AEGL-{k}": int(self.model.households.size_persons[hazard.level >= k].sum())
                    for k in (1, 2, 3)
                }
            if hazard.name == "flood":
                out["flooded_nodes_at_horizon"] = int((hazard.depth > 0).sum())
            if hazard.name == "landslide":
                out["slides"] = hazard.count
                out["isolated_villages"] = len(hazard.isolated)
        return out
