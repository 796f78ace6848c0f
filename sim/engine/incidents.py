"""Incidents: people at one place who need rescue teams, and the order they wait in.

An incident is reported by a script, a hazard (buried, exposed, flood-stranded,
isolated, a blocked road) or a household that found no route to any shelter. It needs
teams of some tiers; each tier's first arrival gives its response time (the headline
metric, :mod:`sim.engine.metrics`). Hazards describe the incidents they cause as
:class:`IncidentReport` values and the commands turn each into an :class:`Incident`.

**Rescue to completion.** Teams that carry people (``carry_persons`` > 0) take them
out in trips: each trip takes as many as the team carries, costs the extraction time
per person, and brings them to the nearest safe shelter; the incident is *completed*
when its last person is out (``completed_s``). Each person's fate is drawn from the
survival curve of the incident's kind (:mod:`sim.engine.survival`) at the moment they
are got out; persons still waiting at the horizon draw from it then. Incidents of the
kinds in :data:`REACH_ONLY` are reached and dealt with on scene, nobody is carried.
People of a hazard incident are households of the run (``households``): they move to
the shelter (or die) with their household; a scripted incident's persons are counts.

**Triage.** Incidents waiting for a free team are taken in :func:`triage_key` order:
threats to life (``TRIAGE_PRIORITY`` 0: buried, trapped, injured, exposed, people in
flood water, and any kind a scenario names that is not listed) before people who are
safe but cannot leave, mandatory transfers and blocked roads (priority 1), oldest first
within a priority.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel

#: Kinds whose people nobody carries out: teams reach them and work on scene.
REACH_ONLY: frozenset[str] = frozenset({"isolated", "road_blocked", "leak_site"})
#: Kinds that are planned assistance, not people in need: left out of coverage.
NOT_EMERGENCIES: frozenset[str] = frozenset({"transfer"})

#: Triage order of waiting incidents by kind (lower goes first; kinds not listed: 0).
TRIAGE_PRIORITY: Mapping[str, int] = MappingProxyType(
    {
        "buried": 0,
        "trapped": 0,
        "injured": 0,
        "exposed": 0,
        "flood_stranded": 0,
        "isolated": 1,
        "stranded": 1,
        "road_blocked": 1,
        "transfer": 1,
    }
)


@dataclass(frozen=True, kw_only=True)
class IncidentReport:
    """What a hazard or a script reports: the keywords of an incident yet to be created.

    Attributes
    ----------
    kind
        ``"buried"``, ``"exposed"``, ``"flood_stranded"``, ``"isolated"``, ...
    node
        Where the people are.
    persons
        How many (0 for a blocked road).
    tiers
        Tiers whose teams it needs.
    on_scene_s
        Time on scene per tier, overriding the tier's default.
    access_node
        Where teams can get to (e.g. the edge of a landslide); -1: ``node``.
    needs_boat
        Only boat-carrying ground teams can reach it.
    on_cleared
        Called once when a ground team leaves the scene (e.g. reopens a road).
    """

    kind: str
    node: int
    persons: int
    tiers: tuple[str, ...]
    on_scene_s: Mapping[str, float] = field(default_factory=dict)
    access_node: int = -1
    needs_boat: bool = False
    on_cleared: Callable[[], None] | None = None
    households: tuple[int, ...] = ()


@dataclass(frozen=True)
class Unit:
    """People a team takes out together: a household (``row`` >= 0) or one person."""

    row: int
    persons: int


@dataclass(kw_only=True, eq=False)
class Incident:
    """People at one place who need teams of some tiers.

    ``arrival_s`` maps each tier to the first arrival of a team of that tier. Teams drive
    to ``access_node`` (where they can reach, e.g. the edge of a landslide; ``-1`` = the
    incident's node). ``needs_boat`` incidents take only boat-carrying ground teams.
    ``on_cleared`` runs once when a ground team leaves the scene (e.g. a road reopens).
    ``on_reopen``, asked when roads reopen while no team has been sent, returns True when
    the people have left on their own (the incident is then *withdrawn* at
    ``withdrawn_s`` and no longer needs any team).
    """

    id: int
    kind: str
    node: int
    jurisdiction: int
    persons: int
    tiers: tuple[str, ...]
    report_s: float
    on_scene_s: Mapping[str, float]
    arrival_s: dict[str, float] = field(default_factory=dict)
    dispatched: dict[str, int] = field(default_factory=dict)
    access_node: int = -1
    needs_boat: bool = False
    on_cleared: Callable[[], None] | None = None
    on_reopen: Callable[[], bool] | None = None
    #: Work of the first team there (given the team): a simpy sub-process that returns
    #: True when the team was called away from it (a mandatory transfer's doors).
    on_arrival: Callable[..., Generator] | None = None
    withdrawn_s: float = np.inf
    households: tuple[int, ...] = ()
    persons_rescued: int = 0
    persons_died: int = 0
    completed_s: float = np.inf
    waiting: deque[Unit] = field(default_factory=deque)
    in_hand: list[Unit] = field(default_factory=list)  # taken by a team, not yet out
    persons_moved_on: int = 0  # left on their own before a team got to them
    #: Persons the hazard caught before a team took them (a mandatory transfer's at
    #: home: stranded by water, buried, dead; a ``stranded`` incident's where they were
    #: cut off): the incident that found them so carries them out.
    persons_handed_over: int = 0
    #: Persons of a mandatory transfer told at the door to shelter in place instead.
    persons_sheltered_in_place: int = 0
    #: Of ``persons_died``, those still waiting (or in hand) at the horizon, whose fate
    #: the survival curve drew there.
    persons_died_at_horizon: int = 0

    def __post_init__(self) -> None:
        if self.kind in REACH_ONLY or self.persons <= 0:
            return
        if self.households:
            self.waiting.extend(Unit(int(r), 0) for r in self.households)
        else:
            self.waiting.extend(Unit(-1, 1) for _ in range(self.persons))

    @property
    def carried(self) -> bool:
        """Whether teams carry its people out (not a reach-only kind, and anyone in it)."""
        return self.kind not in REACH_ONLY and (self.persons > 0 or bool(self.waiting))

    def add_households(self, rows: list[int], persons: int) -> None:
        """Add households found on scene to the waiting line (``persons`` in all)."""
        self.waiting.extend(Unit(int(r), 0) for r in rows)
        self.persons += persons
        self.households = (*self.households, *(int(r) for r in rows))

    @property
    def open(self) -> bool:
        """Somebody is still to be got out (or on the way out)."""
        return bool(self.waiting) or bool(self.in_hand)

    @property
    def carried_persons(self) -> int:
        """Persons got out so far, alive or dead."""
        return self.persons_rescued + self.persons_died

    @property
    def persons_left(self) -> int:
        """Persons neither got out, nor gone on their own, nor another incident's."""
        gone = self.persons_moved_on + self.persons_handed_over + self.persons_sheltered_in_place
        return self.persons - self.carried_persons - gone

    def keep_in(self, rows: set[int], size_of: Callable[[int], int]) -> None:
        """Households ``rows`` shelter in place: out of the waiting line, not to be carried."""
        self.persons_sheltered_in_place += sum(size_of(r) for r in self._leave_line(rows))

    def hand_over(self, rows: set[int], size_of: Callable[[int], int]) -> list[int]:
        """Households ``rows`` are another incident's now: out of the waiting line.

        Returns those of them that were waiting (not those a team has in hand).
        """
        left = self._leave_line(rows)
        self.persons_handed_over += sum(size_of(r) for r in left)
        return left

    def _leave_line(self, rows: set[int]) -> list[int]:
        """Take the units of households ``rows`` out of the waiting line; return their rows."""
        units = [u for u in self.waiting if u.row in rows]
        for unit in units:
            self.waiting.remove(unit)
        return [u.row for u in units]

    def take_next(
        self,
        room: int | None,
        size_of: Callable[[int], int],
        present: Callable[[int], bool] | None = None,
        handed: Callable[[int], bool] | None = None,
    ) -> Unit | None:
        """Take the next unit out of the waiting line into a team's hands, if it fits.

        ``room``: persons the team can still take (None: any size, the first of a load).
        Returns None when nobody waits or the next unit is larger than ``room``.
        Households that ``present`` says are no longer there leave the line on the way
        and count in ``persons_handed_over`` when ``handed`` says so (another incident
        has them), else in ``persons_moved_on`` (they left on their own).
        """
        while self.waiting:
            unit = self.waiting[0]
            size = unit.persons if unit.row < 0 else size_of(unit.row)
            if unit.row >= 0 and present is not None and not present(unit.row):
                self.waiting.popleft()
                if handed is not None and handed(unit.row):
                    self.persons_handed_over += size
                else:
                    self.persons_moved_on += size
                continue
            if room is not None and size > room:
                return None
            self.waiting.popleft()
            taken = Unit(unit.row, size)
            self.in_hand.append(taken)
            return taken
        return None

    def next_persons(
        self, size_of: Callable[[int], int], present: Callable[[int], bool] | None = None
    ) -> int:
        """Persons of the unit :meth:`take_next` would take next (0: none waits).

        Nothing changes: households no longer there are skipped, not taken off the line.
        """
        for unit in self.waiting:
            if unit.row < 0:
                return unit.persons
            if present is None or present(unit.row):
                return size_of(unit.row)
        return 0

    def got_out(self, unit: Unit, alive: int, dead: int, now_s: float) -> None:
        """Record that ``unit`` (taken by a team) is out: ``alive`` and ``dead`` persons.

        Completes the incident at the last.
        """
        self.in_hand.remove(unit)
        self.persons_rescued += alive
        self.persons_died += dead
        if not self.open and not np.isfinite(self.completed_s):
            self.completed_s = now_s

    @property
    def target_node(self) -> int:
        """Where teams go: the access node when set, else the incident's node."""
        return self.access_node if self.access_node >= 0 else self.node

    @property
    def withdrawn(self) -> bool:
        """True once its people left on their own (no team needed any more)."""
        return math.isfinite(self.withdrawn_s)  # asked per queued incident: no numpy

    @property
    def done(self) -> bool:
        """True once no team is needed: withdrawn, or nobody left to get out.

        Nobody left: all got out (completed), or the last ones left on their own before
        a team took them. A stranded village that a helicopter emptied no longer needs
        the ground team it also asked for; one still waiting in a queue is not sent.
        """
        return self.withdrawn or (self.carried and not self.open)

    def response_s(self, tier: str) -> float:
        """First arrival of ``tier`` minus the report time (inf if never reached)."""
        return self.arrival_s.get(tier, np.inf) - self.report_s


def record_at_incident(
    model: EmergencyModel,
    kind: str,
    incident: Incident,
    *,
    tier: str,
    value: float,
    agent: int = -1,
    time_s: float | None = None,
) -> None:
    """Record ``kind`` now (or at ``time_s``) at ``incident``'s node, on its side.

    ``agent``: a team, or none.
    """
    model.recorder.event(
        model.env.now if time_s is None else time_s,
        kind,
        agent=agent,
        node=incident.node,
        jurisdiction=model.jurisdiction_name(incident.jurisdiction),
        incident=incident.id,
        tier=tier,
        value=value,
    )


def triage_key(incident: Incident, priority: Mapping[str, int]) -> tuple[int, int]:
    """Sort key of a waiting incident: its kind's priority (unlisted: 0), then its age."""
    return priority.get(incident.kind, 0), incident.id


def incidents_summary(incidents: list[Incident]) -> dict[str, int]:
    """Count incidents, persons, unserved tier requests and withdrawals (``summary.json``).

    An unserved tier request is a (incident, tier) the incident needed and no team of
    that tier reached, leaving out incidents that needed no team any more
    (:attr:`Incident.done`: withdrawn because their people left, or nobody left to
    get out, e.g. a helicopter took them all).
    ``withdrawn_persons`` are the persons of the withdrawn incidents: those who set off
    on their own when a road reopened, and ``withdrawn_caught_persons``, those the
    hazard caught where they waited for a team that had not been sent (also counted in
    the incident that found them, e.g. a flood's ``flood_stranded``).
    ``persons_to_take_out``, the persons of the incidents whose people teams carry out
    (not withdrawn), is the sum of ``persons_rescued``, ``persons_died_waiting`` (of
    whom ``persons_died_at_horizon`` still waited at the horizon: their fate is the
    survival curve's there),
    ``persons_moved_on``, ``persons_handed_over`` (people the hazard caught before a
    team took them, at home or where they were cut off: also counted in the incident
    that found them so),
    ``persons_sheltered_in_place`` (people of a mandatory transfer told at the door to
    stay in: the plume was coming) and ``persons_still_waiting``.
    ``reach_only_persons`` are those of the incidents teams reach and deal with on scene,
    carrying nobody (:data:`REACH_ONLY`: a village cut off, a leak site), not withdrawn,
    and ``reach_only_reached_persons`` those of them a team reached; so ``persons`` is
    ``persons_to_take_out + withdrawn_persons + reach_only_persons``.
    """
    withdrawn = [i for i in incidents if i.withdrawn]
    carried = [i for i in incidents if i.carried and not i.withdrawn]
    on_scene = [i for i in incidents if not i.carried and not i.withdrawn]
    return {
        "count": len(incidents),
        "persons": int(sum(i.persons for i in incidents)),
        "unserved_tier_requests": sum(
            tier not in i.arrival_s for i in incidents if not i.done for tier in i.tiers
        ),
        "withdrawn": len(withdrawn),
        "withdrawn_persons": int(sum(i.persons for i in withdrawn)),
        "withdrawn_caught_persons": int(sum(i.persons_handed_over for i in withdrawn)),
        "persons_to_take_out": int(sum(i.persons for i in carried)),
        "persons_rescued": int(sum(i.persons_rescued for i in carried)),
        "persons_died_waiting": int(sum(i.persons_died for i in carried)),
        "persons_died_at_horizon": int(sum(i.persons_died_at_horizon for i in carried)),
        "persons_moved_on": int(sum(i.persons_moved_on for i in carried)),
        "persons_handed_over": int(sum(i.persons_handed_over for i in carried)),
        "persons_sheltered_in_place": int(sum(i.persons_sheltered_in_place for i in carried)),
        "persons_still_waiting": int(sum(i.persons_left for i in carried)),
        "completed": int(sum(np.isfinite(i.completed_s) for i in carried)),
        "to_complete": len(carried),
        "reach_only_persons": int(sum(i.persons for i in on_scene)),
        "reach_only_reached_persons": int(sum(i.persons for i in on_scene if i.arrival_s)),
    }


def rescue_by_side(incidents: list[Incident], names: tuple[str, ...]) -> dict[str, dict]:
    """Per side and incident kind: persons rescued alive and persons who died waiting.

    Only incidents whose people teams carry out (``carried``), not withdrawn ones.
    """
    out: dict[str, dict] = {name: {} for name in names}
    for incident in incidents:
        if not incident.carried or incident.withdrawn:
            continue
        kinds = out[names[incident.jurisdiction]]
        row = kinds.setdefault(incident.kind, {"rescued": 0, "died_waiting": 0})
        row["rescued"] += int(incident.persons_rescued)
        row["died_waiting"] += int(incident.persons_died)
    return out
