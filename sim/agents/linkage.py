"""Cross-border linkage: what each pair of jurisdictions shares, and what it bought.

Linkage is pairwise (``policy.linkage`` for every pair, ``policy.pairs`` for some):

- **information sharing** (``notify`` and above): a side that comes to know a hazard
  (its own detection, or its own warning) forwards it to the other
  ``notification_delay_min`` later (at once under ``joint``): the receiving side's
  command then knows the hazard and its forecast (shelters it closes, protective
  action it chooses, its warning plan, :mod:`sim.agents.warning_plan`);
- **mutual aid** (``mutual_aid`` and above): requests for teams, pre-positioning at
  the border, priority passage (:mod:`sim.agents.command`, :mod:`sim.agents.prepositioning`);
- **joint command** (``joint``): sides joined by joint pairs form one command with
  one queue per tier.

The :meth:`Linkage.summary` says what each mechanism did, per side: how much earlier
the linkage told it than its own detection would have, warnings it received through
the linkage, cross-border dispatches by tier, incidents reached only by a foreign
team, persons sheltered across the border and relief kits from the other side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.scenarios.scenario import LINKAGES

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel

NOTIFY, MUTUAL_AID, JOINT = (LINKAGES.index(k) for k in ("notify", "mutual_aid", "joint"))


class Linkage:
    """The linkage between every pair of jurisdictions of a run.

    Parameters
    ----------
    model
        The run.
    """

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        policy = model.scenario.policy
        names = model.network.jurisdiction_names
        n = len(names)
        self.names = names
        self.notification_s = policy.notification_delay_min * 60.0
        #: Linkage level index of every pair (diagonal: joint).
        self.level = np.full((n, n), LINKAGES.index(policy.linkage), dtype=np.int64)
        for pair, linkage in policy.pairs.items():
            a, b = (model.network.jurisdiction_index(x.strip()) for x in pair.split("|"))
            self.level[a, b] = self.level[b, a] = LINKAGES.index(linkage)
        np.fill_diagonal(self.level, JOINT)
        self.group = self._command_groups()
        #: When each side's command came to know the hazard (inf: not yet), and how.
        self.known_s = np.full(n, np.inf)
        self.known_how = [""] * n
        #: When each side would have known it by itself (own detection or warning).
        self.own_s = np.full(n, np.inf)
        self.warnings_received = np.zeros(n, dtype=np.int64)

    def _command_groups(self) -> np.ndarray:
        """Command of every side: sides joined by ``joint`` pairs share one (union-find)."""
        n = self.level.shape[0]
        group = np.arange(n)

        def root(k: int) -> int:
            while group[k] != k:
                k = group[k]
            return k

        for a in range(n):
            for b in range(a + 1, n):
                if self.level[a, b] >= JOINT:
                    group[root(b)] = root(a)
        return np.array([root(k) for k in range(n)])

    # ------------------------------------------------------------------ pairs
    def notify_s(self, source: int, target: int) -> float:
        """Delay before ``target`` hears what ``source`` knows (inf: never)."""
        level = self.level[source, target]
        if level >= JOINT:
            return 0.0
        return self.notification_s if level >= NOTIFY else np.inf

    def aids(self, lender: int, borrower: int) -> bool:
        """Whether ``lender`` answers ``borrower``'s requests for teams."""
        return bool(self.level[lender, borrower] >= MUTUAL_AID)

    def same_command(self, a: int, b: int) -> bool:
        """Whether sides ``a`` and ``b`` are one command (``joint``)."""
        return bool(self.group[a] == self.group[b])

    def priority_passage(self, a: int, b: int) -> bool:
        """Whether teams pass the border between ``a`` and ``b`` without waiting."""
        return bool(self.level[a, b] >= MUTUAL_AID)

    # -------------------------------------------------------------- knowledge
    def learn(self, side: int, how: str) -> None:
        """Side ``side`` knows the hazard now (``how``: detected, warned, or via a side).

        Its own knowledge is forwarded to the sides it shares information with.
        """
        m = self.model
        now = m.env.now
        if how in ("detected", "warned"):
            self.own_s[side] = min(self.own_s[side], now)
        if now >= self.known_s[side]:
            return
        self.known_s[side] = now
        self.known_how[side] = how
        m.recorder.event(now, "hazard_known", jurisdiction=self.names[side], tier=how)
        for other in range(len(self.names)):
            delay = self.notify_s(side, other) if other != side else np.inf
            if np.isfinite(delay) and now + delay < self.known_s[other]:
                m.env.process(self._tell(other, delay, f"via {self.names[side]}"))
        m.on_hazard_known(side, how)

    def would_know(self, side: int, at_s: float) -> None:
        """Side ``side`` would have known the hazard by itself at ``at_s`` (for the summary)."""
        self.own_s[side] = min(self.own_s[side], at_s)

    def _tell(self, side: int, delay_s: float, how: str):
        yield self.model.env.timeout(delay_s)
        self.learn(side, how)

    # ---------------------------------------------------------------- summary
    def summary(self) -> dict:
        """Return what the linkage did, per side (see the module docs)."""
        m = self.model
        out: dict = {}
        foreign = _foreign_work(m)
        for j, name in enumerate(self.names):
            own, known = self.own_s[j], self.known_s[j]
            out[name] = {
                "knew_hazard_s": float(known),
                "knew_how": self.known_how[j] or "never",
                "own_knowledge_s": float(own),
                "lead_over_own_s": float(own - known) if np.isfinite(known) else 0.0,
                "warnings_received": int(self.warnings_received[j]),
                **foreign[j],
            }
        return out


def _foreign_work(m: EmergencyModel) -> list[dict]:
    """Per side: cross-border dispatches, reached only by foreign teams, across-border care."""
    n = len(m.network.jurisdiction_names)
    teams = {t.unique_id: t for t in m.teams}
    out = [
        {
            "cross_border_dispatches": {},
            "incidents_reached_only_by_foreign_teams": 0,
            "persons_reached_only_by_foreign_teams": 0,
            "persons_sheltered_across_border": 0,
            "kits_from_other_side": 0,
        }
        for _ in range(n)
    ]
    for incident in m.dispatcher.incidents:
        sides = {teams[t].jurisdiction for t in incident.dispatched.values() if t in teams}
        for tier, team_id in incident.dispatched.items():
            team = teams.get(team_id)
            if team is not None and team.jurisdiction != incident.jurisdiction:
                counts = out[incident.jurisdiction]["cross_border_dispatches"]
                counts[tier] = counts.get(tier, 0) + 1
        if incident.arrival_s and sides and incident.jurisdiction not in sides:
            out[incident.jurisdiction]["incidents_reached_only_by_foreign_teams"] += 1
            out[incident.jurisdiction]["persons_reached_only_by_foreign_teams"] += int(
                incident.persons
            )
    t = m.households
    sheltered = t.shelter >= 0
    shelter_side = np.full(t.n, -1)
    shelter_side[sheltered] = m.network.jurisdiction[m.shelters.node[t.shelter[sheltered]]]
    across = sheltered & (shelter_side != t.jurisdiction)
    for j in range(n):
        out[j]["persons_sheltered_across_border"] = int(
            t.size_persons[across & (t.jurisdiction == j)].sum()
        )
        out[j]["kits_from_other_side"] = int(m.supply.kits_across_border(j))
    return out
