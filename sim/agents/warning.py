"""Warnings: who hears them, when, who decides to leave, and when they set off.

A warning is issued by one side's command to a zone at a level (``trend``, ``risk``,
``imminent``, ``immediate``). The issuing side's part of the zone is warned at its time;
the other side's part when that side issues it itself, at the earlier of:

- its own detection: once the hazard reaches its territory, after its detection delay
  (in scenarios without hazards: the warning's time plus its detection delay);
- the linkage: ``notify`` and ``mutual_aid`` after the notification delay, ``joint`` at
  once (one command), ``separate`` never.

Each household at home in the zone, not yet warned at this level or higher, hears it
through each channel with the channel's reach (at the channel's delay; the earliest
counts), or failing all channels through door-knocking by community responders. It then
complies with the level's probability and sets off after a log-normal pre-movement delay.
Households are drawn in index order with the behaviour generator, so results depend
only on the seed.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.agents.households import AT_HOME
from sim.scenarios.behaviour import WARNING_LEVELS, WarningSpec, ZoneSpec

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.network.compiled import RoadNetwork


def linkage_delay_s(linkage: str, *, notification_s: float) -> float:
    """Delay before the other side hears of a warning through the linkage (inf: never)."""
    if linkage == "joint":
        return 0.0
    if linkage == "separate":
        return np.inf
    return notification_s


class WarningService:
    """Issues warnings to households under the scenario's behaviour and policy."""

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        self.behaviour = model.scenario.behaviour
        policy = model.scenario.policy
        self.linkage_s = linkage_delay_s(
            policy.linkage, notification_s=policy.notification_delay_min * 60.0
        )
        self.detection_s = policy.detection_delay_min * 60.0
        self.rng = model.rng_behaviour

    def schedule(self, warning: WarningSpec) -> None:
        """Issue ``warning`` at its time on its side, and on the other sides when they know.

        The other side issues at the earlier of: the linkage delay after the warning, and
        its own detection of the hazard (with hazards: when the hazard reaches it plus its
        detection delay; without: the warning's time plus its detection delay).
        """
        m = self.model
        mask = zone_nodes(m.network, warning.zone)
        level = WARNING_LEVELS.index(warning.level)
        issuer = m.network.jurisdiction_index(warning.issued_by)
        time_s = warning.time_min * 60.0
        for j in range(len(m.network.jurisdiction_names)):
            if j == issuer:
                m.env.process(self._issue_at(time_s, j, mask, level))
            else:
                m.env.process(self._issue_other(time_s, j, mask, level))

    def _issue_at(
        self, time_s: float, juris: int, mask: np.ndarray, level: int
    ) -> Generator[simpy.Event, None, None]:
        yield self.model.env.timeout(max(time_s - self.model.env.now, 0.0))
        self.issue(juris, mask, level)

    def _issue_other(
        self, time_s: float, juris: int, mask: np.ndarray, level: int
    ) -> Generator[simpy.Event, None, None]:
        m = self.model
        waits = []
        if np.isfinite(self.linkage_s):
            waits.append(m.env.timeout(time_s + self.linkage_s))
        if m.hazards.hazards:
            waits.append(m.detected[juris])
        else:
            waits.append(m.env.timeout(time_s + self.detection_s))
        yield m.env.any_of(waits)
        self.issue(juris, mask, level)

    def issue(self, juris: int, node_mask: np.ndarray, level: int) -> int:
        """Warn households of ``juris`` at home on ``node_mask`` now; return how many set off."""
        m = self.model
        t = m.households
        now = m.env.now
        m.recorder.event(
            now, "warning_issued", jurisdiction=m.jurisdiction_name(juris), value=level
        )
        who = np.nonzero(
            (t.jurisdiction == juris)
            & node_mask[t.node]
            & (t.state == AT_HOME)
            & (t.warned_level < level)
            & ~np.isfinite(t.depart_time_s)
        )[0]
        if who.size == 0:
            return 0
        b = self.behaviour
        delay = np.full(who.size, np.inf)
        for channel in b.channels:
            reached = self.rng.random(who.size) < channel.reach
            delay = np.where(reached, np.minimum(delay, channel.delay_min * 60.0), delay)
        knocked = self.rng.random(who.size) < b.door_knock_reach
        delay = np.where(np.isinf(delay) & knocked, b.door_knock_delay_min * 60.0, delay)
        heard = np.isfinite(delay)
        who, delay = who[heard], delay[heard]
        receipt = now + delay
        t.warn(who, level, receipt)
        m.recorder.events_bulk(
            receipt,
            "warned",
            agent=m.household_ids[who],
            node=t.node[who],
            jurisdiction=[m.jurisdiction_name(juris)] * who.size,
            value=t.size_persons[who],
        )
        comply = self.rng.random(who.size) < b.compliance.get(WARNING_LEVELS[level], 0.0)
        premove = self.rng.lognormal(
            np.log(b.premovement_median_min * 60.0), b.premovement_sigma, who.size
        )
        depart = receipt + premove
        leaving = comply & (depart < m.scenario.horizon_s)
        t.plan_departure(who[leaving], depart[leaving])
        for i, d in zip(who[leaving], depart[leaving], strict=True):
            m.env.process(m.household_agents[i].evacuate(float(d)))
        return int(leaving.sum())


def zone_nodes(net: RoadNetwork, zone: ZoneSpec) -> np.ndarray:
    """Boolean mask of the nodes inside ``zone`` (the intersection of its criteria).

    A circle (``center_lon``, ``center_lat``, ``radius_km``; distances in the network's
    metres), ground at or below ``max_elevation_m``, a jurisdiction, and the nodes within
    each named settlement's ``radius_m`` (1,500 m where the table has none).
    """
    mask = np.ones(net.n_nodes, dtype=bool)
    if zone.jurisdiction is not None:
        mask &= net.jurisdiction == net.jurisdiction_index(zone.jurisdiction)
    if zone.radius_km is not None:
        cx, cy = net.to_projected(np.array([zone.center_lon]), np.array([zone.center_lat]))
        mask &= np.hypot(net.x_m - cx[0], net.y_m - cy[0]) <= zone.radius_km * 1000.0
    if zone.max_elevation_m is not None:
        mask &= net.elevation_m <= zone.max_elevation_m
    if zone.settlements:
        table = net.places["settlements"].set_index("name")
        near = np.zeros(net.n_nodes, dtype=bool)
        for name in zone.settlements:
            row = table.loc[name]
            radius_m = float(row["radius_m"]) if "radius_m" in table.columns else 1500.0
            near |= np.hypot(net.x_m - row["x_m"], net.y_m - row["y_m"]) <= radius_m
        mask &= near
    return mask
