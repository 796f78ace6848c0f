"""Getting people out: team routes, who survives the wait, where the rescued go.

The logistics teams use once they are at an incident (see :mod:`sim.agents.rescue`):

- :meth:`Operations.route`: a team's route and time between two nodes (road tiers on
  their router, boats on theirs, aircraft in a straight line at cruise speed);
- :meth:`Operations.fates`: who of the people a team has taken out is alive, drawn from
  the survival curve of the incident's kind for the time they waited
  (:mod:`sim.engine.survival`; households killed by the plume meanwhile are dead);
- :meth:`Operations.shelter_rescued` / :meth:`Operations.leave_rescued`: rescued
  households enter the shelter the team brought them to, or, when none can be reached
  any more (the roads closed while the team worked, or, for a threat to life, none has
  room), wait safe at the access point (*unsheltered*); people safe at home are not
  taken out unless a shelter has room for them (:meth:`Operations.load_to_shelter`);
- :meth:`Operations.finish`: at the horizon, people still waiting, and those a team
  has in hand, draw their fate.

Each household draws its fate from one uniform number of its own, drawn when the run
starts (:attr:`Operations.frailty`): it is dead if the number is at least the share
alive after its wait (:func:`sim.engine.survival.survival`), and died when the curve
fell to it (:func:`sim.engine.survival.death_after_s`). So the same household waiting
less lives whenever it lived waiting longer, and two runs of one seed under different
policies differ in who died only through who waited how long: common random numbers
(A. M. Law, *Simulation Modeling and Analysis*, 5th ed., 2015, ch. 11). Before, the
draws came from one stream in the order units were got out, an order each policy sets:
over flood seeds 0-3, joint command's dead less separate's strayed from what the
survival curve expects by 15 persons a run (standard deviation), against 7 now
(``benchmarks/RESULTS.md``, twenty-first stop). People of scripted incidents (not
residents) draw from the run's dispatch generator, one per unit in the order units are
taken.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.households import AT_HOME, DEAD, SHELTERING, STRANDED, UNSHELTERED
from sim.engine.incidents import record_at_incident
from sim.engine.survival import death_after_s, survival

#: States of a household that waits for a team where its incident is.
WAITING_STATES = (AT_HOME, SHELTERING, STRANDED, UNSHELTERED)

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.incidents import Incident, Unit
    from sim.engine.model import EmergencyModel


class Operations:
    """The rescue logistics of a run."""

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        self.rng = model.rng_dispatch
        #: Each household's uniform number for its fate (see the module docs).
        self.frailty = self.rng.random(model.households.n)
        #: Clock time the horizon's fates were drawn at (None: not yet).
        self._finished_s: float | None = None
        #: ``stranded`` incidents of households cut off on dry ground (no road to any
        #: shelter), watched for a hazard reaching them (:meth:`catch_cut_off`).
        self._cut_off: list[Incident] = []

    def route(self, team: RescueTeam, origin: int, target: int) -> tuple[np.ndarray | None, float]:
        """Route (None for aircraft) and time from ``origin`` to ``target`` (inf: cut off)."""
        m = self.model
        net = m.network
        if team.tier.travel == "air":
            if origin == target:
                return None, 0.0
            fly = np.hypot(net.x_m[origin] - net.x_m[target], net.y_m[origin] - net.y_m[target])
            return None, float(fly / (team.tier.cruise_speed_kph / 3.6))
        return self.road_route(team.mode, origin, target)

    def road_route(self, mode: str, origin: int, target: int) -> tuple[np.ndarray | None, float]:
        """Route and time by road for router ``mode`` (a team's or a truck's); (None, inf): cut off.

        Its tree grows only as far as ``origin`` needs (:func:`sim.network.reach.grow_enough`).
        """
        tree = self.model.roads.router(mode).tree_for(
            np.array([target]), origin, reverse=True, bounded=True
        )
        time_s = float(tree.time_s[origin])
        if not np.isfinite(time_s):
            return None, np.inf
        return tree.path(origin), time_s

    def present(self, incident: Incident, row: int) -> bool:
        """Whether household ``row`` of ``incident`` still waits there for the team.

        The dead are (the team finds them); the living are unless on the way or in a
        shelter (they left on their own, or another incident's team took them). A
        transfer's households are while at home: buried or dead, they belong to the
        incident that found them so.
        """
        state = self.model.households.state[row]
        if incident.kind == "transfer":  # buried or dead meanwhile: another incident's
            return bool(state in (AT_HOME, SHELTERING))
        return bool(state == DEAD or state in WAITING_STATES)

    def handed_over(self, incident: Incident, row: int) -> bool:
        """Whether household ``row`` of a transfer is another incident's now.

        The hazard caught it at home before the team took it out: stranded by water,
        buried, or dead there (:meth:`present` is False for it).
        """
        state = self.model.households.state[row]
        return incident.kind == "transfer" and bool(state in (STRANDED, DEAD))

    def hold_cut_off(self, incident: Incident) -> None:
        """Watch ``incident``, a household cut off on dry ground, for :meth:`catch_cut_off`."""
        self._cut_off.append(incident)

    def cut_off_rows(self) -> np.ndarray:
        """Rows of households cut off on dry ground, still waiting in their incidents."""
        table = self.model.households
        return np.array(
            [u.row for i in self._cut_off if not i.done for u in i.waiting
             if table.state[u.row] == STRANDED],
            dtype=np.int64,
        )  # fmt: skip

    def catch_cut_off(self, caught: np.ndarray) -> np.ndarray:
        """Rows of households cut off on dry ground that a hazard catches (``caught``: per row).

        People waiting where no road led on are in the water once it rises over them,
        or under a slide that falls there: they become the hazard's incident (a boat's,
        a digging team's), out of their ``stranded`` one, which is withdrawn when no
        team has been sent yet (it needs none now) and else counts them in
        ``persons_handed_over``. Households a team already has in hand are not caught.
        Each is logged (``caught_by_hazard``).
        """
        m = self.model
        table = m.households
        rows: list[int] = []
        watched: list[Incident] = []
        for incident in self._cut_off:
            if incident.done:  # got out, or left when a road reopened
                continue
            here = {u.row for u in incident.waiting if table.state[u.row] == STRANDED}
            left = incident.hand_over(
                {r for r in here if caught[r]}, lambda row: int(table.size_persons[row])
            )
            for row in left:
                m.household_agents[row].record("caught_by_hazard", incident=incident.id)
            rows += left
            if incident.open:
                watched.append(incident)
            elif left and not incident.dispatched:
                m.dispatcher.withdraw(incident)
        self._cut_off = watched
        return np.array(rows, dtype=np.int64)

    def fates(self, incident: Incident, units: list[Unit]) -> tuple[list[Unit], int]:
        """Split the units a team took out into the living and a count of the dead.

        A transfer's household the hazard caught while the team was taking it out
        (buried at the door) is neither: it is handed over to the incident that found
        it (``persons_handed_over``).
        """
        m = self.model
        table = m.households
        p_alive = float(survival(incident.kind, m.env.now - incident.report_s))
        alive: list[Unit] = []
        dead = 0
        now = m.env.now
        for unit in units:
            if unit.row >= 0 and self.handed_over(incident, unit.row):
                incident.persons_handed_over += unit.persons
                continue
            if unit.row >= 0 and table.state[unit.row] == DEAD:
                dead += unit.persons  # the plume killed them while they waited
                continue
            if p_alive < 1.0 and self._draw(unit) >= p_alive:
                dead += unit.persons
                if unit.row >= 0:
                    table.kill(unit.row)
                continue
            alive.append(unit)
            if unit.row >= 0 and incident.kind == "transfer":
                m.transfers.taken[unit.row] = True
            if unit.row >= 0 and not np.isfinite(table.depart_time_s[unit.row]):
                table.set_off(unit.row, now)  # they leave home with the team
        return alive, dead

    def _draw(self, unit: Unit) -> float:
        """Return the uniform number that decides ``unit``'s fate (its household's, or new)."""
        return float(self.frailty[unit.row]) if unit.row >= 0 else float(self.rng.random())

    def load_to_shelter(self, team: RescueTeam, incident: Incident, at: int) -> tuple[int, int]:
        """Most persons ``team`` takes out of ``incident`` on its next trip from ``at``, and where.

        (0, -1) when no safe shelter can be reached from ``at``. For a threat to life,
        getting people out is the rescue: the team's capacity, and the shelter is
        chosen once they are out (-1), whether or not one has room for them. People
        safe at home (a mandatory transfer, households cut off) are taken out only to
        a shelter with room, which the team picks before it starts and keeps their
        places at, and only as many as it has places for: before, a responder took
        them out of the house to leave them in the open when the shelters were full
        (the flood at seed 0: 59 loads, 201 persons, most then stranded by the water
        where they stood, all counted as transferred).
        """
        m = self.model
        if not m.shelters.reachable_for_team(at, team):
            return 0, -1
        if m.dispatcher.threat_to_life(incident):
            return team.carry_persons, -1
        first = incident.next_persons(
            lambda row: int(m.households.size_persons[row]),
            lambda row: self.present(incident, row),
        )
        if first == 0:
            return team.carry_persons, -1  # nobody left: the take ends the visit
        shelter = m.shelters.nearest_for_team(at, first, team, reserve=False)
        if shelter < 0:
            return 0, -1
        # it has room for ``first`` at least: the first household taken fits (sim.agents.extraction)
        return min(team.carry_persons, int(m.shelters.remaining_persons()[shelter])), shelter

    def shelter_rescued(self, units: list[Unit], shelter: int) -> None:
        """Rescued households enter ``shelter`` (their places were reserved)."""
        m = self.model
        table = m.households
        node = int(m.shelters.node[shelter])
        for unit in units:
            row = unit.row
            table.node[row] = node
            m.shelters.arrive(shelter, int(table.size_persons[row]))
            table.arrive(row, shelter, m.env.now)
            m.household_agents[row].record("arrive_shelter")

    def leave_rescued(self, units: list[Unit], node: int) -> None:
        """Rescued households the team can bring to no shelter wait at ``node`` (unsheltered).

        No shelter with room could be reached (the roads closed while the team worked,
        or, for a threat to life, none had room): they wait in the open, out of the
        house; water reaching ``node`` strands them again
        (:meth:`sim.agents.households.HouseholdTable.caught_on`).
        """
        table = self.model.households
        for unit in units:
            table.node[unit.row] = node
            table.unshelter(unit.row)
            self.model.household_agents[unit.row].record("unsheltered")

    def record_died(self, incident: Incident, persons: int, time_s: float | None = None) -> None:
        """Record that ``persons`` of ``incident`` died waiting (``died_waiting``).

        Now, when a team finds them dead; ``time_s``: when they died (those still
        waiting at the horizon, dated by the survival curve).
        """
        record_at_incident(
            self.model, "died_waiting", incident, tier=incident.kind, value=persons, time_s=time_s
        )

    def finish(self) -> None:
        """At the horizon: people still waiting draw their fate for the time waited.

        So do those a team has in hand, still being dug out or carried at the horizon:
        they are not out yet, and a buried person is as likely dead there. Once per
        clock time: running a finished model's clock again draws nothing twice.
        """
        m = self.model
        if self._finished_s == m.env.now:
            return
        self._finished_s = m.env.now
        for incident in m.dispatcher.incidents:
            if not incident.carried or incident.withdrawn or not incident.open:
                continue
            died = self._fates_at_horizon(incident, incident.waiting, taken=False)
            died += self._fates_at_horizon(incident, incident.in_hand, taken=True)
            for time_s, persons in sorted(died):  # where they waited, when they died
                self.record_died(incident, persons, time_s)

    def _fates_at_horizon(
        self, incident: Incident, line: deque[Unit] | list[Unit], *, taken: bool
    ) -> list[tuple[float, int]]:
        """Draw the fate of the units of ``line`` (waiting, or in hand); return the dead.

        As (time of death, persons) per unit that died: the time the survival curve
        gives for the unit's draw (:func:`sim.engine.survival.death_after_s`), so a
        replay shows them die while they waited, not all at the horizon. The dead leave
        ``line`` and count in ``persons_died``; households that left on their own (only
        those still waiting) count in ``persons_moved_on``, a transfer's that the hazard
        caught in ``persons_handed_over``.
        """
        m = self.model
        size = m.households.size_persons
        p_alive = float(survival(incident.kind, m.env.now - incident.report_s))
        died: list[tuple[float, int]] = []
        for unit in list(line):
            unit_persons = int(size[unit.row]) if unit.row >= 0 else unit.persons
            if unit.row >= 0 and self.handed_over(incident, unit.row):
                incident.persons_handed_over += unit_persons
                line.remove(unit)
                continue
            if not taken and unit.row >= 0 and not self.present(incident, unit.row):
                incident.persons_moved_on += unit_persons
                line.remove(unit)
                continue
            if unit.row >= 0 and m.households.state[unit.row] == DEAD:
                incident.persons_died += unit_persons
                line.remove(unit)
                continue
            if p_alive < 1.0 and (draw := self._draw(unit)) >= p_alive:
                incident.persons_died += unit_persons
                incident.persons_died_at_horizon += unit_persons
                when_s = incident.report_s + death_after_s(incident.kind, draw)
                died.append((min(when_s, m.env.now), unit_persons))
                line.remove(unit)
                if unit.row >= 0:
                    m.households.kill(unit.row)
        return died
