"""A sour-gas leak at a well: a Gaussian plume, toxic exposure by AEGL, and its footprint.

Every step the plume of the current release and wind holds wherever its front has
reached (wind speed x time since the release began or the wind last changed; what an
earlier wind released travels on along its axis). It is read at the road nodes, at
points along the links near it, and at the homes near it, each household at its own
point in its node's cell (:mod:`sim.hazards.plume_points`: a night plume is narrower
than the spacing of nodes). A link takes the worst of its ends and points:

- **Roads.** Links close to everyone where methane exceeds ``close_at_lfl_fraction`` of
  its lower flammable limit (ignition). For the public (households, trucks) links at or
  above AEGL-3 for 60 min (50 ppm) are closed and the others cost more by their toxic
  load (``exposure_penalty_min`` per AEGL-2 load of crossing them): routes go around the
  plume, on foot too. Links into the forecast footprint are closed to the public (a
  cordon: people inside may leave, nobody outside enters). Ground teams, in breathing
  apparatus, pass both. Community responders, without, keep out of the lethal links and
  of nodes whose homes are in lethal air, but pass the cordon: they warn and move people
  where the plume is forecast (the protective-action zone of the US DOT Emergency
  Response Guidebook 2020; the lethal air is its isolation zone).
- **Exposure.** Every household accumulates an H2S toxic load where it is
  (:mod:`sim.hazards.exposure`): the outdoor level on the way or unsheltered; indoors
  (at home, cut off, sheltering in place, in a shelter) that of the single-room
  infiltration model at the building's air-exchange rate. AEGL-2 makes an ``exposed``
  incident for community responders and ground teams; AEGL-3 kills. Homes opened on
  the all-clear are aired (:meth:`GasLeakHazard.ventilate`).
- **Footprint.** :meth:`GasLeakHazard.footprint`, the forecast AEGL-2 area for the
  release and wind of the next ``forecast_min`` (commands warn it, close shelters in
  it and choose the protective action from it), for the time people stay,
  ``stay_exposure_min`` (26 ppm for three hours is not safe, though under the 60-min
  AEGL-2 of 27 ppm). :meth:`GasLeakHazard.arrival_s`: when the front reaches a node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.households import AT_HOME, DEAD, SHELTERED, SHELTERING, STRANDED
from sim.engine.incidents import IncidentReport
from sim.hazards import exposure, plume
from sim.hazards.base import HazardStep, step_value
from sim.hazards.plume_points import (
    PlumePoints,
    flammable,
    link_points,
    spread_homes,
    well_xy_m,
)
from sim.network.incidence import edge_any, edge_max

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.scenarios.hazards import GasLeakSpec

#: Links of the public close at AEGL-3 for 60 min (50 ppm): lethal for the time a household
#: caught in the plume may take to get out of it (US EPA/NRC, AEGL Volume 9, 2010, H2S).
LETHAL_PPM = exposure.AEGL_H2S_PPM[3][60]
#: H2S below this (0.1 ppb) counts as clean air, outdoors and indoors. A Gaussian plume is
#: nowhere exactly zero; what it leaves far off its axis adds less than 1e-16 of an AEGL-1
#: load per hour ((1e-4 / 0.51)^4.36) and nothing, in float arithmetic, to a link's cost,
#: while every node it touches would be looked at each step. The odour threshold of H2S
#: is about 0.008 ppm (ATSDR, Toxicological Profile for Hydrogen Sulfide, 2016).
CLEAN_AIR_PPM = 1e-4
#: People smell and feel the gas (a visible danger that raises compliance): AEGL-1, 60 min.
NOTICEABLE_PPM = exposure.AEGL_H2S_PPM[1][60]


class GasLeakHazard:
    """A sour-gas plume: exposure by AEGL, road closures and costs, forecast footprint."""

    name = "plume"
    frame_floor = 0.01

    def __init__(self, model: EmergencyModel, spec: GasLeakSpec) -> None:
        self.model, self.spec = model, spec
        net = model.network
        self.x_m, self.y_m = well_xy_m(net, spec)
        n = model.households.n
        self.load = np.zeros(n)
        self.level = np.zeros(n, dtype=np.int8)
        #: State each household was in when it reached AEGL-2 (-1: it did not).
        self.injured_where = np.full(n, -1, dtype=np.int8)
        #: H2S outdoors at every node, ppm (roads, and people on them or in its buildings).
        self.ppm = np.zeros(net.n_nodes)
        self._nodes = PlumePoints(spec, net.x_m, net.y_m, self.x_m, self.y_m)
        #: Households whose home has a point of its own in its node's cell (those the
        #: plume may reach, :mod:`sim.hazards.plume_points`), and their points' gas.
        self.home_rows, self._homes = spread_homes(model, self._nodes)
        #: Points along the links near the plume, and the link of each.
        self._link_edge, self._links = link_points(self._nodes, net)
        self._home_of = np.full(n, -1, dtype=np.int64)
        self._home_of[self.home_rows] = np.arange(self.home_rows.size)
        #: Outdoors and indoors at those homes, ppm.
        self.home_ppm = np.zeros(self.home_rows.size)
        self.home_indoor_ppm = np.zeros(self.home_rows.size)
        #: The most H2S outdoors anywhere on a node's ground: at it or at a home of it, ppm;
        #: lethal (AEGL-3 for 60 min): teams without breathing apparatus keep out of it.
        self.cell_ppm, self.lethal_air = np.zeros(net.n_nodes), np.zeros(net.n_nodes, bool)
        #: Indoor H2S of ordinary homes and of public shelters at every node, ppm.
        self.indoor = {AT_HOME: np.zeros(net.n_nodes), SHELTERED: np.zeros(net.n_nodes)}
        self._air_changes = {
            AT_HOME: spec.home_air_changes_per_h,
            SHELTERED: spec.shelter_air_changes_per_h,
        }
        #: Indoor H2S of each home sealed to shelter in place (NaN: not sheltering). It
        #: starts from the home's level when the household shuts it, then follows the
        #: outdoor level at the sealed air-exchange rate.
        self.sealed_ppm = np.full(n, np.nan)
        #: The commands' footprint: AEGL-2 for the time people stay (``stay_exposure_min``).
        self.footprint_ppm = exposure.level_ppm(2, spec.stay_exposure_min)
        self._footprints: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        walk = model.roads.base_weights_s("walk")
        self._link_min = {"vehicle": net.travel_time_s / 60.0, "walk": walk / 60.0}

    @property
    def field(self) -> np.ndarray:
        """H2S outdoors on every node's ground (at the node or a home of it), ppm."""
        return self.cell_ppm

    def _h2s_ppm(self, gas: np.ndarray) -> np.ndarray:
        """H2S of a gas concentration (kg/m^3), ppm; clean air (below CLEAN_AIR_PPM) is 0."""
        ppm = plume.h2s_ppm(gas, self.spec.h2s_mass_fraction)
        ppm[ppm < CLEAN_AIR_PPM] = 0.0
        return ppm

    def _cell_max(self, node_ppm: np.ndarray, home_ppm: np.ndarray) -> np.ndarray:
        """Return the most of ``node_ppm`` at a node and ``home_ppm`` at its spread homes."""
        out = np.array(node_ppm, dtype=np.float64)
        hit = np.flatnonzero(home_ppm > 0)
        np.maximum.at(out, self.model.households.home_node[self.home_rows[hit]], home_ppm[hit])
        return out

    @property
    def distance_m(self) -> np.ndarray:
        """Each node's straight-line distance to the well, m."""
        net = self.model.network
        return np.hypot(net.x_m - self.x_m, net.y_m - self.y_m)

    @property
    def unsafe_now(self) -> np.ndarray:
        """Nodes where staying is unsafe now: outdoors at the footprint's AEGL-2 or above.

        Anywhere on the node's ground (:attr:`cell_ppm`): at the node or at a home of it.
        """
        return self.cell_ppm >= self.footprint_ppm

    @property
    def danger(self) -> np.ndarray:
        """Nodes where people notice the gas (AEGL-1 for 60 min, outdoors on its ground)."""
        return self.cell_ppm >= NOTICEABLE_PPM

    def update(self, now_s: float, step_min: float) -> HazardStep:
        """Advance one step; touched: nodes where staying is unsafe (:attr:`unsafe_now`).

        A side's command learns of the gas (after its detection delay) once it is at
        the footprint's level on its ground: where the footprint is drawn, not only
        where a 60-minute stay would harm.
        """
        m, net = self.model, self.model.network
        gas = self._nodes.gas_now(now_s)
        self.ppm = self._h2s_ppm(gas)
        self.home_ppm = self._h2s_ppm(self._homes.gas_now(now_s))
        self.cell_ppm = self._cell_max(self.ppm, self.home_ppm)
        # a link takes the worst of its ends and of its points between them
        link_gas = self._links.gas_now(now_s)
        ignites = edge_any(net, flammable(gas, self.spec))
        ignites[self._link_edge[flammable(link_gas, self.spec)]] = True
        m.roads.set_closures(self.name, ignites, np.zeros(net.n_edges, dtype=bool))
        edge_ppm = edge_max(net, self.ppm)
        link_ppm = self._h2s_ppm(link_gas)
        hit = np.flatnonzero(link_ppm > 0)
        np.maximum.at(edge_ppm, self._link_edge[hit], link_ppm[hit])
        lethal = edge_ppm >= LETHAL_PPM
        self.lethal_air = self.cell_ppm >= LETHAL_PPM  # links to homes in it: unbreathable
        unbreathable = lethal | edge_any(net, self.lethal_air)
        m.roads.set_closures(f"{self.name}-lethal", lethal, lethal, unbreathable=unbreathable)
        # the forecast footprint (next hour) costs what its air will; a cordon: the public
        # may leave it, not enter ("isolate ... and deny entry", ERG 2020 guide 117, H2S)
        ahead_ppm, entry = self._forecast_links(now_s)
        m.roads.set_closures(f"{self.name}-cordon", entry, entry, teams=False)
        cost_ppm = np.maximum(edge_ppm, ahead_ppm)
        m.roads.set_costs(f"{self.name}-exposure", *self._exposure_costs_s(cost_ppm))
        self._update_indoor(step_min)
        incidents = self._expose(step_min)
        return HazardStep(touched=self.unsafe_now, incidents=tuple(incidents))

    def _exposure_costs_s(self, edge_ppm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Extra seconds per link for vehicles and walkers: the toxic load of crossing it.

        ``penalty x (C^n x t) / L_2``: ``exposure_penalty_min`` for every AEGL-2 toxic load
        (60 min at 27 ppm) the crossing adds, ``t`` the link's free-flow time in minutes.
        """
        gassed = np.flatnonzero(edge_ppm > 0.0)  # most links are in clean air
        hot = np.power(edge_ppm[gassed], exposure.TEN_BERGE_N) / exposure.aegl_load(2)
        penalty_s = self.spec.exposure_penalty_min * 60.0
        costs = []
        for mode in ("vehicle", "walk"):
            extra_s = np.zeros(edge_ppm.shape)
            extra_s[gassed] = penalty_s * hot * self._link_min[mode][gassed]
            costs.append(extra_s)
        return costs[0], costs[1]

    def forecast_unsafe(self, now_s: float) -> np.ndarray:
        """Nodes a command keeps people out of: the forecast footprint (:meth:`footprint`)."""
        return self.footprint(now_s)

    def footprint(self, now_s: float) -> np.ndarray:
        """Return the forecast AEGL-2 area of the next hour: where staying is unsafe.

        Nodes at ``footprint_ppm`` or more anywhere on their ground (at the node or a
        home of it): AEGL-2 for ``stay_exposure_min`` (16.8 ppm for the default 8 h;
        27 ppm for 60 min).

        The steady plume of every release and wind of the schedule in force within
        ``forecast_min`` from now, as a command that knows them forecasts it.
        """
        return self._forecast(now_s)[0]

    def _forecast_links(self, now_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Return each link's forecast level and whether it enters the footprint.

        The level is ``LETHAL_PPM`` where either end is inside the forecast footprint,
        else 0; a link entering it from outside is closed to the public (the cordon).
        """
        return self._forecast(now_s)[1:]

    def _forecast(self, now_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Footprint, its links' routing level and its cordon (cached per schedule, read-only)."""
        spec = self.spec
        end_s = now_s + spec.forecast_min * 60.0
        key = (tuple(_active(spec.release, now_s, end_s)), tuple(_active(spec.wind, now_s, end_s)))
        hit = self._footprints.get(key)
        if hit is None:
            net = self.model.network
            area = np.zeros(net.n_nodes, dtype=bool)
            for r in key[0]:
                for w in key[1]:
                    rate, wind = spec.release[r], spec.wind[w]
                    ppm = self._cell_max(
                        self._h2s_ppm(self._nodes.steady(rate, wind)),
                        self._h2s_ppm(self._homes.steady(rate, wind)),
                    )
                    area |= ppm >= self.footprint_ppm
            ahead_ppm = edge_max(net, np.where(area, LETHAL_PPM, 0.0))
            entry = area[net.edge_target] & ~area[net.edge_source]
            hit = (area, ahead_ppm, entry)
            for a in hit:
                a.flags.writeable = False
            self._footprints[key] = hit
        return hit

    def forecast_arrival_s(self, now_s: float) -> np.ndarray:
        """When the plume front reaches each node of the forecast footprint (inf: outside)."""
        return np.where(self.footprint(now_s), self.arrival_s(now_s), np.inf)

    def arrival_s(self, now_s: float) -> np.ndarray:
        """When the plume front reaches each node with the current wind (inf: upwind)."""
        wind = step_value([w.time_min for w in self.spec.wind], list(self.spec.wind), now_s)
        down, _ = self._nodes.frame(wind.from_deg)
        start_s = wind.time_min * 60.0
        return np.where(down > 0, start_s + down / wind.speed_m_per_s, np.inf)

    def _update_indoor(self, step_min: float) -> None:
        """Advance indoor levels: per node, at the spread homes, and in sealed homes."""
        t = self.model.households
        sealing = np.flatnonzero(t.state == SHELTERING)
        new = sealing[np.isnan(self.sealed_ppm[sealing])]
        self.sealed_ppm[new] = self._home_air(new, self.indoor[AT_HOME], self.home_indoor_ppm)
        self.sealed_ppm[sealing] = exposure.indoor_ppm(
            self.sealed_ppm[sealing],
            self._home_air(sealing, self.ppm, self.home_ppm),
            self.spec.sheltering_air_changes_per_h,
            step_min,
        )
        for state, indoor in self.indoor.items():
            indoor = exposure.indoor_ppm(indoor, self.ppm, self._air_changes[state], step_min)
            indoor[indoor < CLEAN_AIR_PPM] = 0.0
            self.indoor[state] = indoor
        home = exposure.indoor_ppm(
            self.home_indoor_ppm, self.home_ppm, self._air_changes[AT_HOME], step_min
        )
        home[home < CLEAN_AIR_PPM] = 0.0
        self.home_indoor_ppm = home

    def _home_air(self, rows: np.ndarray, per_node: np.ndarray, per_home: np.ndarray) -> np.ndarray:
        """Return a level at the homes of ``rows``: at the home's point where it has one."""
        t = self.model.households
        out = per_node[t.home_node[rows]]
        spread = self._home_of[rows]
        own = spread >= 0
        out[own] = per_home[spread[own]]
        return out

    def ventilate(self, rows: np.ndarray) -> None:
        """Open the sealed homes of households ``rows`` on the all-clear.

        Aired, their homes hold the outdoor air where it is cleaner than theirs.
        """
        self.sealed_ppm[rows] = np.nan
        nodes = np.unique(self.model.households.node[rows])
        home = self.indoor[AT_HOME]
        home[nodes] = np.minimum(home[nodes], self.ppm[nodes])
        spread = self._home_of[rows]
        spread = spread[spread >= 0]
        self.home_indoor_ppm[spread] = np.minimum(
            self.home_indoor_ppm[spread], self.home_ppm[spread]
        )

    def outdoor_ppm(self, rows: np.ndarray) -> np.ndarray:
        """H2S outdoors where households ``rows`` are: at the home's point when at home."""
        t = self.model.households
        out = self.ppm[t.node[rows]]
        at_home = t.node[rows] == t.home_node[rows]
        out[at_home] = self._home_air(rows[at_home], self.ppm, self.home_ppm)
        return out

    def concentration_ppm(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Return what each household (or those ``rows``) breathes now.

        The outdoor level, or its building's: the home's (also when cut off: they take
        refuge in a building where they are; at home, their own home at its point), the
        shelter's, or the sealed home's.
        """
        t = self.model.households
        rows = np.arange(t.n) if rows is None else np.asarray(rows)
        node, state = t.node[rows], t.state[rows]
        conc = self.ppm[node]
        for kind, indoor in self.indoor.items():  # indoors: the building's level
            inside = state == kind
            if kind == AT_HOME:
                inside |= state == STRANDED
            conc = np.where(inside, indoor[node], conc)
        home = (node == t.home_node[rows]) & ((state == AT_HOME) | (state == STRANDED))
        conc[home] = self._home_air(rows[home], self.indoor[AT_HOME], self.home_indoor_ppm)
        return np.where(state == SHELTERING, self.sealed_ppm[rows], conc)

    def _expose(self, step_min: float) -> list[IncidentReport]:
        """Add this step's toxic load to every living household where it is."""
        m = self.model
        t = m.households
        # only households where some air (outdoors, a home, a shelter) holds gas, or
        # sealed in, can breathe any: the others are not looked at
        gassy = (self.ppm > 0) | (self.indoor[AT_HOME] > 0) | (self.indoor[SHELTERED] > 0)
        breathes = gassy[t.node] | (t.state == SHELTERING)
        breathes[self.home_rows[(self.home_ppm > 0) | (self.home_indoor_ppm > 0)]] = True
        rows = np.flatnonzero(breathes)
        conc = self.concentration_ppm(rows)
        keep = (conc > 0) & (t.state[rows] != DEAD)
        hit, conc = rows[keep], conc[keep]
        if hit.size == 0:
            return []
        self.load[hit] += exposure.load_increment(conc, step_min)
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
                self.injured_where[new] = t.state[new]
                for node in nodes:
                    rows = new[t.node[new] == node]
                    incidents.append(
                        IncidentReport(
                            kind="exposed",
                            node=int(node),
                            persons=int(persons[node]),
                            tiers=("community", "ground"),
                            households=tuple(int(r) for r in rows),
                        )
                    )
            else:
                t.kill(new)
        self.level[hit] = np.maximum(self.level[hit], level)
        return incidents

    def summary(self) -> dict:
        """Persons who reached each AEGL level."""
        size = self.model.households.size_persons
        return {"aegl_persons": {f"AEGL-{k}": int(size[self.level >= k].sum()) for k in (1, 2, 3)}}


def _active(schedule: tuple, start_s: float, end_s: float) -> list[int]:
    """Return the indices of the schedule entries in force in ``[start_s, end_s]``."""
    times = np.array([e.time_min * 60.0 for e in schedule])
    first = max(int(np.searchsorted(times, start_s, side="right")) - 1, 0)
    last = max(int(np.searchsorted(times, end_s, side="right")) - 1, 0)
    return list(range(first, last + 1))
