"""EmergencyModel: one simpy clock, three agent families, two commands, one recorder.

Time is seconds from scenario start. Nothing steps every agent every tick: agents are
``mesa.Agent`` objects whose behaviour is a simpy process, woken only when something
happens to them. Ties at equal times resolve in simpy's order (time, priority, the order
the events were scheduled), which is fixed by the scenario and seed.

Randomness: the run seed feeds ``numpy.random.SeedSequence``, split into one generator
per subsystem (population, behaviour, hazards, dispatch) so extra draws in one never
shift another.

Agent ids in the event log (``agent``): households are ``0 .. n_households - 1`` (their
row in :attr:`EmergencyModel.households`), then rescue teams, then supply trucks.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

import mesa
import numpy as np
import simpy

from sim.agents.command import Dispatcher
from sim.agents.household import Household, households_from_population
from sim.agents.rescue import RescueTeam
from sim.agents.supply import SupplyService
from sim.agents.warning import WarningService
from sim.engine.recording import Recorder
from sim.engine.roads import RoadState
from sim.engine.shelters import Shelters
from sim.engine.traffic import LinkTraffic
from sim.errors import ScenarioError
from sim.hazards.engine import HazardEngine
from sim.network.compiled import RoadNetwork
from sim.scenarios.check import check_against_network
from sim.scenarios.forces import IncidentSpec
from sim.scenarios.hazards import ClosureSpec
from sim.scenarios.scenario import Scenario
from sim.tiers import TIERS, TierStandard

#: Subsystems that each get their own random generator, in spawn order.
SUBSYSTEMS = ("population", "behaviour", "hazards", "dispatch")


def spread_teams(total: int, defaults: np.ndarray) -> np.ndarray:
    """Spread ``total`` teams over stations one at a time, larger default counts first."""
    counts = np.zeros(defaults.shape[0], dtype=np.int64)
    if defaults.shape[0] == 0:
        return counts
    order = np.lexsort((np.arange(defaults.shape[0]), -defaults))
    for k in range(total):
        counts[order[k % order.shape[0]]] += 1
    return counts


def resolve_tiers(scenario: Scenario) -> dict[str, TierStandard]:
    """Tier standards with the scenario's overrides applied."""
    tiers = {}
    for name, tier in TIERS.items():
        spec = getattr(scenario.forces, name)
        changes = {}
        if spec.turnout_min is not None:
            changes["turnout_s"] = spec.turnout_min * 60.0
        if spec.max_speed_kph is not None:
            changes["max_speed_kph"] = spec.max_speed_kph
        if spec.cruise_speed_kph is not None:
            changes["cruise_speed_kph"] = spec.cruise_speed_kph
        tiers[name] = replace(tier, **changes)
    return tiers


class EmergencyModel(mesa.Model):
    """A run of a scenario on a network with a seed.

    Researchers change behaviour by subclassing an agent and naming it here, e.g.
    ``class MyModel(EmergencyModel): household_class = MyHousehold``.

    Parameters
    ----------
    scenario
        What happens.
    network
        Where; must carry ``stations``, ``shelters`` and ``depots`` places and residents.
    seed
        The run seed.
    """

    household_class: type[Household] = Household
    team_class: type[RescueTeam] = RescueTeam

    def __init__(self, scenario: Scenario, network: RoadNetwork, *, seed: int) -> None:
        check_against_network(scenario, network, source=f"scenario {scenario.name!r}")
        for table in ("stations", "shelters", "depots"):
            if table not in network.places or len(network.places[table]) == 0:
                raise ScenarioError(
                    f"region {network.name!r} has no {table}; a run needs stations, shelters "
                    "and depots (the built-in region has them)"
                )
        sequence = np.random.SeedSequence(seed)
        children = sequence.spawn(len(SUBSYSTEMS) + 1)
        super().__init__(rng=np.random.default_rng(children[-1]))
        rngs = dict(zip(SUBSYSTEMS, (np.random.default_rng(c) for c in children), strict=False))
        self.rng_population = rngs["population"]
        self.rng_behaviour = rngs["behaviour"]
        self.rng_hazards = rngs["hazards"]
        self.rng_dispatch = rngs["dispatch"]
        self.scenario = scenario
        self.network = network
        self.run_seed = seed
        self.env = simpy.Environment()
        self.recorder = Recorder()
        self.tiers = resolve_tiers(scenario)

        pop = scenario.population
        self.roads = RoadState(network, walk_speed_m_per_s=pop.walk_speed_m_per_s, tiers=self.tiers)
        self.walk_time_s = self.roads.base_weights_s("walk")
        self.traffic = LinkTraffic(self.env, network)
        residents = network.node_population_persons
        if residents is None:
            residents = np.zeros(network.n_nodes, dtype=np.int64)
        self.households = households_from_population(
            residents,
            network.jurisdiction,
            mean_size_persons=pop.household_size_mean_persons,
            vehicle_share=pop.vehicle_share,
            rng=self.rng_population,
        )
        n = self.households.n
        self.household_id_offset = 0
        self.tracked_households = np.zeros(n, dtype=bool)
        k = min(scenario.outputs.track_households, n)
        self.tracked_households[self.rng_population.choice(n, size=k, replace=False)] = True

        self.shelters = Shelters(network.places["shelters"], self.roads)
        self.teams = self._make_teams()
        self.dispatcher = Dispatcher(self, self.teams)
        self.supply = SupplyService(self, network.places["depots"])
        self.shelters.on_arrival = self._on_shelter_arrival
        for k, truck in enumerate(self.supply.trucks):
            truck.agent_id = n + len(self.teams) + k
        n_juris = len(network.jurisdiction_names)
        self.detected = [self.env.event() for _ in range(n_juris)]
        self.roads.on_change = self._record_closures
        self.hazards = HazardEngine(self)
        for hazard in self.hazards.hazards:
            if hazard.name == "flood":
                self.dispatcher.set_boats(
                    scenario.hazards.flood.boat_teams, hazard.geometry.node_distance_m
                )
        self.warnings = WarningService(self)
        for warning in scenario.warnings:
            self.warnings.schedule(warning)
        for closure in scenario.closures:
            self.env.process(self._scripted_closure(closure))
        for spec in scenario.incidents:
            self.env.process(self._scripted_incident(spec))

    # ------------------------------------------------------------------ set-up
    def _make_teams(self) -> list[RescueTeam]:
        stations = self.network.places["stations"].reset_index(drop=True)
        counts = stations["teams"].to_numpy(dtype=np.int64).copy()
        for tier in self.tiers:
            spec = getattr(self.scenario.forces, tier)
            rows = np.nonzero((stations["tier"] == tier).to_numpy())[0]
            if spec.teams_per_station is not None:
                counts[rows] = spec.teams_per_station
            elif spec.teams is not None:
                counts[rows] = spread_teams(spec.teams, counts[rows])
        teams: list[RescueTeam] = []
        offset = self.households.n
        for row, count in zip(stations.itertuples(index=False), counts, strict=True):
            spec = getattr(self.scenario.forces, row.tier)
            for k in range(int(count)):
                team = self.team_class(
                    self,
                    tier=self.tiers[row.tier],
                    station_node=int(row.node),
                    jurisdiction=self.network.jurisdiction_index(row.jurisdiction),
                    on_scene_s=spec.on_scene_min * 60.0,
                    name=f"{row.name}#{k + 1}",
                    carry_persons=spec.carry_persons,
                )
                team.agent_id = offset + len(teams)
                teams.append(team)
        return teams

    def incident_node(self, spec: IncidentSpec) -> int:
        """Node of a scripted incident's place."""
        if spec.node is not None:
            return int(spec.node)
        net = self.network
        if spec.settlement is not None:
            table = net.places["settlements"]
            return int(table.loc[table["name"] == spec.settlement, "node"].iloc[0])
        x, y = net.to_projected(np.array([spec.lon]), np.array([spec.lat]))
        return int(net.nearest_nodes(x, y)[0][0])

    def _scripted_incident(self, spec: IncidentSpec) -> Generator[simpy.Event, None, None]:
        yield self.env.timeout(spec.time_min * 60.0)
        on_scene = (
            {} if spec.on_scene_min is None else dict.fromkeys(spec.tiers, spec.on_scene_min * 60.0)
        )
        self.dispatcher.new_incident(
            kind=spec.kind,
            node=self.incident_node(spec),
            persons=spec.persons,
            tiers=spec.tiers,
            on_scene_s=on_scene,
        )

    def _scripted_closure(self, spec: ClosureSpec) -> Generator[simpy.Event, None, None]:
        yield self.env.timeout(spec.time_min * 60.0)
        net = self.network
        x, y = net.to_projected(np.array([spec.lon]), np.array([spec.lat]))
        near = np.hypot(net.x_m - x[0], net.y_m - y[0]) <= spec.radius_m
        edges = np.nonzero(near[net.edge_source] | near[net.edge_target])[0]
        if spec.action == "close":
            self.roads.close(edges)
        else:
            self.roads.reopen(edges)

    def detect_later(self, jurisdiction: int, delay_s: float) -> Generator[simpy.Event]:
        """Let ``jurisdiction`` detect a hazard that reached it, after ``delay_s``."""
        yield self.env.timeout(delay_s)
        if not self.detected[jurisdiction].triggered:
            self.recorder.event(
                self.env.now, "hazard_detected", jurisdiction=self.jurisdiction_name(jurisdiction)
            )
            self.detected[jurisdiction].succeed()

    def _record_closures(self, closed: np.ndarray, reopened: np.ndarray) -> None:
        src = self.network.edge_source
        for kind, edges in (("road_closed", closed), ("road_reopened", reopened)):
            for e in edges:
                self.recorder.event(self.env.now, kind, node=int(src[e]), value=float(e))
        if reopened.size:
            self.hazards.roads_reopened()

    def _on_shelter_arrival(self, shelter: int) -> None:
        if not np.isfinite(self.shelters.first_arrival_s[shelter]):
            self.shelters.first_arrival_s[shelter] = self.env.now
        self.supply.on_arrival(shelter)

    # ------------------------------------------------------------------ running
    def jurisdiction_name(self, index: int) -> str:
        """Name of jurisdiction ``index``."""
        return self.network.jurisdiction_names[int(index)]

    def run_for(self, *, progress: bool = False, chunk_s: float = 300.0) -> None:
        """Run the clock to the scenario horizon, with a progress bar in simulated time."""
        horizon = self.scenario.horizon_s
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(
                total=round(horizon / 60), unit="sim-min", desc=self.scenario.name, leave=False
            )
        t = 0.0
        while t < horizon:
            t = min(t + chunk_s, horizon)
            self.env.run(until=t)
            if bar is not None:
                bar.update(round(t / 60) - bar.n)
        if bar is not None:
            bar.close()
