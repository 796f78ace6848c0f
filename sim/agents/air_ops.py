"""When aircraft fly and where they are needed: night limits, places ground teams cannot reach.

Part of :class:`sim.agents.command.Dispatcher` (a base class of it):

- **Night.** Aircraft of a tier without ``night_capable`` do not set out between
  ``behaviour.night_start`` and ``night_end`` (the run's :class:`sim.clock.Clock`); the
  incidents wait in their queue and the aircraft go at dawn. Likewise a team without
  breathing apparatus does not set out from a base in lethal air: it shelters there
  until the air clears (:attr:`sim.hazards.engine.HazardEngine.lethal_air`).
- **Need.** An incident that asked for ground teams also asks for aviation when no
  ground team of its command, or of the sides that aid it, can reach it by road now
  (isolated villages; households cut off by water that no boat reaches), or, for a
  threat to life (triage priority 0: buried, trapped, injured, exposed, in water), when
  the nearest of those ground teams would need longer than the aviation standard
  (60 min) to get there: far from any team by road.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.engine.incidents import record_at_incident

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.incidents import Incident
    from sim.engine.model import EmergencyModel


class AirOperations:
    """Night grounding and aviation by need (see the module docs)."""

    model: EmergencyModel
    teams: list[RescueTeam]
    triage_priority: Mapping[str, int]

    def ask_aircraft(self, incident: Incident) -> bool:
        """Ask aviation for ``incident`` now if the roads have cut it off since it was reported.

        :meth:`needs_aircraft` is asked when an incident is reported; a slide or the
        water may cut it off later. Asked again when a ground team sent there found no
        way on (:meth:`sim.agents.on_road.RoadTrips.hand_back`) and when the village it
        is in is found isolated (:mod:`sim.hazards.landslide`). At seed 0 of the
        landslide the households the first slide cut off waited for a ground team to
        the horizon: their incidents were reported while a road still led there, and
        aviation was never asked (``aviation_requested``, value: persons still there).
        Not while a ground team is on its way or at work there. Returns whether it asked.
        """
        if not incident.waiting or "ground" in incident.dispatched:
            return False  # nobody waits, or a ground team is on its way or at work there
        if incident.done or not self.needs_aircraft(incident):
            return False
        incident.tiers = (*incident.tiers, "aviation")
        record_at_incident(
            self.model, "aviation_requested", incident, tier="aviation",
            value=max(incident.persons_left, 0),
        )  # fmt: skip
        self._assign(incident, "aviation")
        return True

    def needs_aircraft(self, incident: Incident) -> bool:
        """Whether ``incident`` needs aviation it did not ask for (see the module docs)."""
        m = self.model
        if "aviation" in incident.tiers or "ground" not in incident.tiers:
            return False
        if not any(t.tier.name == "aviation" for t in self.teams):
            return False
        sides = {incident.jurisdiction, *self._helpers(incident.jurisdiction)}
        link = m.linkage
        stations: dict[str, set[int]] = {}
        for team in self.teams:
            if team.tier.name != "ground" or (incident.needs_boat and not team.boat):
                continue
            if team.jurisdiction in sides or link.same_command(
                team.jurisdiction, incident.jurisdiction
            ):
                stations.setdefault(team.mode, set()).add(team.station_node)
        # one forward tree per mode from all those stations, kept while it holds there
        best_s = np.inf
        target = incident.target_node
        for mode, nodes in stations.items():
            tree = m.roads.router(mode).tree_for(np.array(sorted(nodes)), target)
            best_s = min(best_s, float(tree.time_s[target]))
        if not np.isfinite(best_s):
            return True
        if self.triage_priority.get(incident.kind, 0) != 0:
            return False
        tiers = m.tiers
        return best_s + tiers["ground"].turnout_s > tiers["aviation"].standard_min * 60.0

    def night_share(self) -> dict[str, float]:
        """Per tier that does not fly at night: the share of the run that was night."""
        m = self.model
        minutes = np.arange(0.0, m.scenario.horizon_s, 60.0)
        night = np.array([m.clock.is_night(float(t)) for t in minutes], dtype=bool)
        share = float(night.mean()) if minutes.size else 0.0
        return {name: share for name, tier in m.tiers.items() if not tier.night_capable}

    def grounded(self, team: RescueTeam) -> bool:
        """Whether ``team`` may not set out now: at night, or in lethal air (module docs)."""
        m = self.model
        if not team.tier.breathing_apparatus and m.hazards.lethal_air[team.station_node]:
            return True
        return not team.tier.night_capable and m.clock.is_night(m.env.now)

    def at_daylight(self) -> Generator[simpy.Event, None, None]:
        """Every morning, send the aircraft grounded overnight to the incidents waiting."""
        m = self.model
        while m.env.now < m.scenario.horizon_s:
            day = m.clock.next_dawn_s(m.env.now)
            if not np.isfinite(day) or day > m.scenario.horizon_s:
                return
            yield m.env.timeout(day - m.env.now)
            for team in self.teams:
                if team.available and not team.tier.night_capable:
                    self.team_free(team)
