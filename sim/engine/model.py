"""EmergencyModel: one simpy clock, three agent families, two commands, one recorder.

Time is seconds from scenario start. Randomness: the run seed feeds
``numpy.random.SeedSequence``, split into one generator per subsystem (population,
behaviour, hazards, dispatch) so extra draws in one never shift another.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

import mesa
import numpy as np
import simpy

from sim.agents.aid import MutualAid
from sim.agents.boats import give_boats
from sim.agents.command import Dispatcher
from sim.agents.compliance import ComplianceModel
from sim.agents.door_knock import DoorKnocking
from sim.agents.household import Household
from sim.agents.households import SHELTERED, households_from_population
from sim.agents.linkage import Linkage
from sim.agents.on_road import RoadTrips
from sim.agents.operations import Operations
from sim.agents.protective import ProtectiveAction
from sim.agents.rescue import RescueTeam
from sim.agents.supply import SupplyService
from sim.agents.transfers import Transfers
from sim.agents.truck import SupplyTruck
from sim.agents.walks import Walks
from sim.agents.warning import WarningService
from sim.agents.warning_plan import WarningPlan
from sim.clock import Clock
from sim.engine.changes import ChangeClock
from sim.engine.collector import paused_collector, quiet_collector
from sim.engine.forces import make_teams, resolve_tiers
from sim.engine.incidents import IncidentReport
from sim.engine.progress import run_clock
from sim.engine.recording import Recorder
from sim.engine.roads import RoadState
from sim.engine.shelters import Shelters
from sim.engine.traffic import LinkTraffic
from sim.errors import ScenarioError
from sim.hazards.engine import HazardEngine
from sim.network.compiled import RoadNetwork
from sim.regions.base import with_place_tables
from sim.scenarios.check import check_against_network
from sim.scenarios.forces import IncidentSpec
from sim.scenarios.hazards import ClosureSpec
from sim.scenarios.scenario import Scenario

#: Subsystems that each get their own random generator, in spawn order.
SUBSYSTEMS = ("population", "behaviour", "hazards", "dispatch")


class EmergencyModel(mesa.Model):
    """A run of a scenario on a network with a seed.

    **Agents.** Every household, rescue team and supply truck is a ``mesa.Agent``, made
    in that order, so their ``unique_id`` (the ``agent`` column of the event log) runs
    1 .. households, then the teams, then the trucks. Reach a family with Mesa's
    ``model.agents_by_type[model.household_class]`` (an ``AgentSet``: ``select``,
    ``do``, ``agg``) or the lists :attr:`household_agents`, :attr:`teams` and
    ``supply.trucks``. To change behaviour, subclass an agent and name it on a subclass
    of the model::

        class MyHousehold(Household): ...
        class MyModel(EmergencyModel):
            household_class = MyHousehold      # also team_class, truck_class

    The decision to act on a warning is :attr:`compliance_class`
    (:class:`~sim.agents.compliance.ComplianceModel`), replaced the same way.

    **What is not stepped through Mesa.** There is no ``model.step()``: a simpy clock
    drives the run, and each agent's behaviour is a simpy process that wakes only when
    something happens to it (a warning, a link's exit time, a dispatch). With 150,000
    households and hours of simulated time, stepping every agent every tick would cost
    agents x ticks; the event clock costs only the events. Household *state* lives in
    one :class:`~sim.agents.households.HouseholdTable` of arrays so warnings, hazards and
    exposure stay vectorised; the agent is a view of its row. The event log
    (:mod:`sim.engine.recording`) takes the place of Mesa's DataCollector.

    **Order.** Ties at equal times resolve in simpy's order (time, priority, the order
    the events were scheduled), which is fixed by the scenario and seed. A hazard step
    updates every hazard, then lets newly reached sides start detecting, then retries
    waiting incidents if roads reopened during the step, then dispatches the step's new
    incidents, then updates which shelters are usable and moves the occupants of those
    that became unsafe, then lets warned households where the hazard just became
    visible decide again.

    Parameters
    ----------
    scenario
        What happens.
    network
        Where; must carry ``shelters`` (and residents to move); ``stations`` and
        ``depots`` may be absent or empty (no rescue teams, no supply trucks).
    seed
        The run seed.
    """

    household_class: type[Household] = Household
    team_class: type[RescueTeam] = RescueTeam
    truck_class: type[SupplyTruck] = SupplyTruck
    compliance_class: type[ComplianceModel] = ComplianceModel

    def __init__(self, scenario: Scenario, network: RoadNetwork, *, seed: int) -> None:
        check_against_network(scenario, network, source=f"scenario {scenario.name!r}")
        if "shelters" not in network.places or len(network.places["shelters"]) == 0:
            raise ScenarioError(
                f"region {network.name!r} has no shelters, so warned households have nowhere "
                "to go; give the region a shelters layer (stations and depots may be absent: "
                "a run without them has no rescue teams or supply trucks)"
            )
        places = with_place_tables(network.places)  # none or empty: no teams, no trucks
        if len(places) != len(network.places):
            network = replace(network, places=places)
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
        behaviour = scenario.behaviour
        self.clock = Clock(scenario.start_clock, behaviour.night_start, behaviour.night_end)
        self.compliance = self.compliance_class(behaviour)

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
            vulnerable_share=pop.vulnerable_share,
        )
        n = self.households.n
        self.tracked_households = np.zeros(n, dtype=bool)
        k = min(scenario.outputs.track_households, n)
        self.tracked_households[self.rng_population.choice(n, size=k, replace=False)] = True
        #: One agent per household row, in row order.
        with paused_collector():  # 150,000 agents: collecting cycles meanwhile costs 60 %
            self.household_agents: list[Household] = [
                self.household_class(self, i, tracked=bool(tracked))
                for i, tracked in enumerate(self.tracked_households)
            ]
        #: ``unique_id`` of each household row (the event log's ``agent``).
        self.household_ids = np.array([a.unique_id for a in self.household_agents], np.int64)

        self.shelters = Shelters(network.places["shelters"], self.roads)
        self.teams = make_teams(self)
        self.linkage = Linkage(self)
        self.aid = MutualAid(self)
        self.dispatcher = Dispatcher(self, self.teams)
        self.operations = Operations(self)
        self.door_knocking = DoorKnocking(self)
        self.transfers = Transfers(self)
        self.on_road = RoadTrips(self)
        self.protective = ProtectiveAction(self)
        self.supply = SupplyService(self, network.places["depots"])
        self.shelters.on_arrival = self._on_shelter_arrival
        self.detected = [self.env.event() for _ in range(len(network.jurisdiction_names))]
        self._seen_danger = np.zeros(network.n_nodes, dtype=bool)
        self.roads.on_change = self._roads_changed
        self._retry_after_step = False
        self.hazards = HazardEngine(self)
        flood = self.hazards.get("flood")
        if flood is not None:
            give_boats(
                self.teams,
                network.places["stations"],
                scenario.hazards.flood.boat_teams,
                flood.geometry.node_distance_m,
            )
        #: The walks under way, checked together at each planned change.
        self.walks = Walks(self)
        #: Which changes were planned; the walks that must hear of the others.
        self.changes = ChangeClock(self.env, self.walks)
        if self.hazards.active:
            self.env.process(self._hazard_steps())
        self.warnings = WarningService(self)
        self.warning_plan = WarningPlan(self)
        for warning in scenario.warnings:
            self.warnings.schedule(warning)
        for closure in scenario.closures:
            self.env.process(self._scripted_closure(closure))
        for spec in scenario.incidents:
            self.env.process(self._scripted_incident(spec))

    # ------------------------------------------------------------------ scripts
    def incident_node(self, spec: IncidentSpec) -> int:
        """Node of a scripted incident's place."""
        if spec.node is not None:
            return int(spec.node)
        net = self.network
        if spec.osmid is not None:
            return net.node_index(spec.osmid)
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
        self.dispatcher.report(
            IncidentReport(
                kind=spec.kind,
                node=self.incident_node(spec),
                persons=spec.persons,
                tiers=spec.tiers,
                on_scene_s=on_scene,
            )
        )

    def _scripted_closure(self, spec: ClosureSpec) -> Generator[simpy.Event, None, None]:
        yield self.env.timeout(spec.time_min * 60.0)
        net = self.network
        x, y = net.to_projected(np.array([spec.lon]), np.array([spec.lat]))
        near = np.hypot(net.x_m - x[0], net.y_m - y[0]) <= spec.radius_m
        edges = np.nonzero(near[net.edge_source] | near[net.edge_target])[0]
        with self.changes.scripted():
            if spec.action == "close":
                self.roads.close(edges)
            else:
                self.roads.reopen(edges)
        self.walks.check(self.env.now)  # what walkers would find at their next node

    # ------------------------------------------------------------------ hazards
    def _hazard_steps(self) -> Generator[simpy.Event, None, None]:
        """Step the hazards every ``hazards.step_min`` up to the horizon (a simpy process)."""
        delay_s = self.scenario.policy.detection_delay_min * 60.0
        while self.env.now <= self.scenario.horizon_s:
            self.walks.place(self.env.now)  # the hazard sees walkers where they are
            step = self.hazards.step(self.env.now)
            for jurisdiction in step.reached:
                self.env.process(self.detect_later(jurisdiction, delay_s))
            if self._retry_after_step:  # incidents already waiting go before this step's
                self._retry_after_step = False
                self.dispatcher.retry_waiting()
                self.supply.retry()  # a shelter no truck could get to may be reached now
            for report in step.incidents:
                self.dispatcher.report(report)
            self._update_shelters()
            self.protective.all_clear()
            self.warning_plan.step()
            self._see_danger()
            self.walks.check(self.env.now)  # what walkers would find at their next node
            yield self.env.timeout(self.hazards.step_s)

    def detect_later(self, jurisdiction: int, delay_s: float) -> Generator[simpy.Event]:
        """Let ``jurisdiction`` detect a hazard that reached it, after ``delay_s``."""
        yield self.env.timeout(delay_s)
        if not self.detected[jurisdiction].triggered:
            self.recorder.event(
                self.env.now, "hazard_detected", jurisdiction=self.jurisdiction_name(jurisdiction)
            )
            self.detected[jurisdiction].succeed()
            self.linkage.learn(jurisdiction, "detected")

    def _see_danger(self) -> None:
        """Let households where the hazard just became visible reconsider (once per node)."""
        danger = self.hazards.danger()
        new = np.flatnonzero(danger & ~self._seen_danger)
        self._seen_danger |= danger
        if new.size:
            self.warnings.see_danger(new)

    def on_hazard_known(self, side: int, how: str) -> None:
        """Side ``side``'s command has just come to know the hazard (``how``).

        Its warning plan starts; told by a neighbour it aids, it pre-positions teams.
        """
        self.warning_plan.start(side)
        if how.startswith("via "):
            source = self.network.jurisdiction_index(how[4:])
            if self.linkage.aids(side, source):
                self.aid.preposition(side)

    @property
    def known_since_s(self) -> np.ndarray:
        """When each side's command came to know the hazard (inf: not yet; the linkage's)."""
        return self.linkage.known_s

    def knows_hazard(self, jurisdiction: int) -> bool:
        """Whether side ``jurisdiction``'s command knows the hazard (and its forecast)."""
        return bool(np.isfinite(self.known_since_s[jurisdiction]))

    def _update_shelters(self) -> None:
        """Close shelters that are unsafe now or forecast unsafe by a side that knows it.

        Also note the depots the hazard has reached (:meth:`SupplyService.note_unsafe`).

        The occupants of a shelter that just became unsafe move on to the next safe one
        (``relocate``); households on their way to it choose again at their next node.
        """
        shelters = self.shelters
        unsafe_nodes = self.hazards.unsafe_now()
        self.supply.note_unsafe(unsafe_nodes, self.env.now)
        unsafe = unsafe_nodes[shelters.node]
        side = self.network.jurisdiction[shelters.node]
        known = np.isfinite(self.known_since_s)[side]
        if known.any():
            unsafe |= self.hazards.forecast_unsafe(self.env.now)[shelters.node] & known
        lost = shelters.set_usable(~unsafe, self.env.now)
        if lost.size == 0:
            return
        t = self.households
        for shelter in lost:
            node = int(shelters.node[shelter])
            self.recorder.event(
                self.env.now,
                "shelter_unsafe",
                node=node,
                jurisdiction=self.jurisdiction_name(self.network.jurisdiction[node]),
                value=int(shelters.occupants_persons[shelter]),
            )
            for row in np.flatnonzero((t.state == SHELTERED) & (t.shelter == shelter)):
                self.env.process(self.household_agents[int(row)].relocate())

    def _roads_changed(
        self, closed: np.ndarray, reopened: np.ndarray, teams_reopened: bool = False
    ) -> None:
        """Record closures; let the commands retry waiting incidents when roads reopen.

        The supply service retries its waiting shelters then too, and teams and trucks
        on the road turn off before a link that closed to them (:mod:`sim.agents.on_road`).

        ``reopened``: links reopened to the public; ``teams_reopened``: whether any
        reopened to a team (a lethal plume moving off a responder's way). Either way the
        commands retry, and the doors the responders could not get to go back on their
        lists (:meth:`sim.agents.door_knock.DoorKnocking.roads_reopened`).

        During a hazard step the retry waits for the step's end, so it sees the step's
        final closures and its routing is not counted as hazard work.
        """
        src = self.network.edge_source
        for kind, edges in (("road_closed", closed), ("road_reopened", reopened)):
            for e in edges:
                self.recorder.event(self.env.now, kind, node=int(src[e]), value=float(e))
        if not self.changes.planned_now(hazard_step=self.hazards.stepping):
            self.changes.interrupt_walks()  # nobody foresaw it: walkers check again
        self.on_road.roads_changed()  # teams and trucks turn off before a closed link
        if reopened.size or teams_reopened:
            self.door_knocking.roads_reopened()
            if self.hazards.stepping:
                self._retry_after_step = True
            else:
                self.dispatcher.retry_waiting()
                self.supply.retry()

    def _on_shelter_arrival(self, shelter: int) -> None:
        if not np.isfinite(self.shelters.first_arrival_s[shelter]):
            self.shelters.first_arrival_s[shelter] = self.env.now
        self.supply.on_arrival(shelter)

    # ------------------------------------------------------------------ running
    def jurisdiction_name(self, index: int) -> str:
        """Name of jurisdiction ``index``."""
        return self.network.jurisdiction_names[int(index)]

    def run_for(self, *, progress: bool | None = False, chunk_s: float = 300.0) -> None:
        """Run the clock to the scenario horizon, with a progress bar in simulated time."""
        with quiet_collector():
            run_clock(
                self.env,
                self.scenario.horizon_s,
                progress=progress,
                chunk_s=chunk_s,
                label=self.scenario.name,
            )
        self.walks.place(self.env.now)
        self.operations.finish()
