"""Incidents: people at one place who need rescue teams, and the order they wait in.

An incident is reported by a script, a hazard (buried, exposed, flood-stranded,
isolated, a blocked road) or a household that found no route to any shelter. It needs
teams of some tiers; each tier's first arrival gives its response time (the headline
metric, :mod:`sim.engine.metrics`). Hazards describe the incidents they cause as
:class:`IncidentReport` values and the commands turn each into an :class:`Incident`.

**Triage.** Incidents waiting for a free team are taken in :func:`triage_key` order:
threats to life (``TRIAGE_PRIORITY`` 0: buried, trapped, injured, exposed, people in
flood water, and any kind a scenario names that is not listed) before people who are
safe but cannot leave and blocked roads (priority 1), oldest first within a priority.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

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
    carried_persons: int = 0
    on_cleared: Callable[[], None] | None = None
    on_reopen: Callable[[], bool] | None = None
    withdrawn_s: float = np.inf

    @property
    def target_node(self) -> int:
        """Where teams go: the access node when set, else the incident's node."""
        return self.access_node if self.access_node >= 0 else self.node

    @property
    def withdrawn(self) -> bool:
        """True once its people left on their own (no team needed any more)."""
        return bool(np.isfinite(self.withdrawn_s))

    def response_s(self, tier: str) -> float:
        """First arrival of ``tier`` minus the report time (inf if never reached)."""
        return self.arrival_s.get(tier, np.inf) - self.report_s


def triage_key(incident: Incident, priority: Mapping[str, int]) -> tuple[int, int]:
    """Sort key of a waiting incident: its kind's priority (unlisted: 0), then its age."""
    return priority.get(incident.kind, 0), incident.id


def incidents_summary(incidents: list[Incident]) -> dict[str, int]:
    """Count incidents, persons, unserved tier requests and withdrawals (``summary.json``).

    An unserved tier request is a (incident, tier) the incident needed and no team of
    that tier reached, leaving out incidents withdrawn because their people left.
    """
    withdrawn = [i for i in incidents if i.withdrawn]
    return {
        "count": len(incidents),
        "persons": int(sum(i.persons for i in incidents)),
        "unserved_tier_requests": sum(
            tier not in i.arrival_s for i in incidents if not i.withdrawn for tier in i.tiers
        ),
        "withdrawn": len(withdrawn),
        "withdrawn_persons": int(sum(i.persons for i in withdrawn)),
        "persons_carried_out": int(sum(i.carried_persons for i in incidents)),
    }
