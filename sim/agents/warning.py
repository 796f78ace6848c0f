"""Warnings: who hears them, when, who acts on them, and the follow-up.

A warning is issued by one side's command to a zone at a level (``trend``, ``risk``,
``imminent``, ``immediate``) with an action (evacuate, or shelter in place; ``auto``
lets the command choose per node, :mod:`sim.agents.protective`). The issuing side's part
of the zone is warned at its time; the other side's part when that side issues it
itself, at the earlier of:

- its own detection: once the hazard reaches its territory, after its detection delay
  (in scenarios without hazards: the warning's time plus its detection delay);
- the linkage: ``notify`` and ``mutual_aid`` after the notification delay, ``joint`` at
  once (one command), ``separate`` never.

Each household at home in the zone, not yet warned at this level or higher, hears it
through each channel with the channel's reach (less at night, :mod:`sim.clock`) after the
channel's delay (the earliest counts). Those no channel reaches are left to the
community responders' door-knocking rounds (:mod:`sim.agents.door_knock`) when the
level calls for them. A household that hears decides with the compliance model
(:mod:`sim.agents.compliance`: the level, how many times it has been warned, whether it
sees the hazard). Who acts shelters in place or sets off after a log-normal
pre-movement delay (longer at night); who refuses is visited again at the door. The
vulnerable cannot leave on their own. An ``immediate`` order is mandatory (三个必转,
:mod:`sim.agents.transfers`): the responders sweep its zone, take out the vulnerable and
make everyone else still at home leave, refusers included; under a lower level the
vulnerable wait at home for such an order (``vulnerable_waiting_persons`` in the
summary). Draws use the behaviour generator in household order, so results depend only
on the seed.
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

IMMEDIATE = WARNING_LEVELS.index("immediate")
#: A settlement's ground where the settlements table gives no ``radius_m``: 1.5 km,
#: about half the spacing of villages in the hill country of the region (docs/DOMAIN.md).
SETTLEMENT_RADIUS_M = 1500.0


class WarningService:
    """Issues warnings to households under the scenario's behaviour and policy."""

    def __init__(self, model: EmergencyModel) -> None:
        self.model = model
        self.behaviour = model.scenario.behaviour
        policy = model.scenario.policy
        self.detection_s = policy.detection_delay_min * 60.0
        self.rng = model.rng_behaviour
        self.knock_level = WARNING_LEVELS.index(self.behaviour.door_knock_min_level)
        n_juris = len(model.network.jurisdiction_names)
        #: Per jurisdiction: when it issued its first warning (inf: never).
        self.first_warning_s = np.full(n_juris, np.inf)
        #: Scripted warnings (and their copies) due now, per side (see :meth:`_issue_soon`).
        self._due: dict[int, list[tuple]] = {}

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
                m.env.process(self._issue_at(time_s, j, mask, level, warning.action))
            else:
                m.env.process(self._issue_other(time_s, issuer, j, mask, level, warning.action))

    def _issue_at(
        self, time_s: float, juris: int, mask: np.ndarray, level: int, action: str
    ) -> Generator[simpy.Event, None, None]:
        yield self.model.env.timeout(max(time_s - self.model.env.now, 0.0))
        yield from self._issue_soon(juris, mask, level, action, "script")

    def _issue_soon(
        self, juris: int, mask: np.ndarray, level: int, action: str, source: str
    ) -> Generator[simpy.Event, None, None]:
        """Issue a scripted warning of side ``juris`` with the others it issues now.

        Several at the same moment (a side that learns of the hazard late copies all
        of its neighbour's orders at once) go out highest level first, so a household
        in the zones of several hears one message, the highest, and decides once: not
        once per level, nor counting the burst as repeated contacts.
        """
        due = self._due.setdefault(juris, [])
        due.append((level, mask, action, source))
        if len(due) > 1:
            return  # the first of the moment issues them all
        yield self.model.env.timeout(0.0)  # the others due now join first
        for level, mask, action, source in sorted(self._due.pop(juris), key=lambda d: -d[0]):
            self.issue(juris, mask, level, action, source=source)

    def _issue_other(
        self, time_s: float, issuer: int, juris: int, mask: np.ndarray, level: int, action: str
    ) -> Generator[simpy.Event, None, None]:
        m = self.model
        waits = []
        forwarded_s = time_s + m.linkage.notify_s(issuer, juris)
        if np.isfinite(forwarded_s):
            waits.append(m.env.timeout(max(forwarded_s - m.env.now, 0.0)))
        if m.hazards.active:
            waits.append(m.detected[juris])
        else:
            own_s = time_s + self.detection_s  # it would have heard by itself then
            m.linkage.would_know(juris, own_s)
            waits.append(m.env.timeout(max(own_s - m.env.now, 0.0)))
        yield m.env.any_of(waits)
        via_linkage = np.isfinite(forwarded_s) and m.env.now >= forwarded_s
        if via_linkage and not (m.hazards.active and m.detected[juris].triggered):
            m.linkage.warnings_received[juris] += 1
        yield from self._issue_soon(
            juris, mask, level, action, "linkage" if via_linkage else "script"
        )

    def issue(
        self,
        juris: int,
        node_mask: np.ndarray,
        level: int,
        action: str = "auto",
        *,
        source: str = "script",
    ) -> int:
        """Warn households of ``juris`` at home on ``node_mask`` now; return how many heard.

        ``action``: ``"evacuate"``, ``"shelter_in_place"`` or ``"auto"`` (the command
        chooses per node, see :mod:`sim.agents.protective`). ``source`` says where the
        warning comes from (``"script"``, ``"linkage"``: a neighbour's forwarded warning,
        ``"plan"``: the side's warning plan), recorded with ``warning_issued``.
        """
        m = self.model
        t = m.households
        now = m.env.now
        self.first_warning_s[juris] = min(self.first_warning_s[juris], now)
        if source == "script":  # a command knows what it warns of by itself
            m.linkage.learn(juris, "warned")
        m.recorder.event(
            now,
            "warning_issued",
            jurisdiction=m.jurisdiction_name(juris),
            tier=source,
            value=level,
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
        shelter = self.action_nodes(juris, node_mask, action)
        b = self.behaviour
        night = m.clock.is_night(now)
        delay = np.full(who.size, np.inf)
        for channel in b.channels:
            reach = channel.reach * (b.night_reach_factor.get(channel.name, 1.0) if night else 1.0)
            reached = self.rng.random(who.size) < reach
            delay = np.where(reached, np.minimum(delay, channel.delay_min * 60.0), delay)
        heard = np.isfinite(delay)
        if level == IMMEDIATE:  # mandatory: the responders sweep the zone (三个必转)
            helpless = self.deliver(
                who[heard], level, now + delay[heard], shelter, transfer=False, action=action
            )
            stay = shelter[t.node[who]]  # told to shelter in place: not swept
            m.transfers.sweep(helpless, who[~stay], level=level, action=action)
            unheard = who[~heard & stay]
        else:
            self.deliver(who[heard], level, now + delay[heard], shelter, action=action)
            unheard = who[~heard]
        if b.door_knocking and level >= self.knock_level:
            m.door_knocking.visit(unheard, level, shelter, action)
        return int(heard.sum())

    def action_nodes(self, juris: int, node_mask: np.ndarray, action: str) -> np.ndarray:
        """Node mask where the warning says to shelter in place (elsewhere: evacuate)."""
        m = self.model
        if action == "shelter_in_place":
            return node_mask.copy()
        if action == "evacuate":
            return np.zeros_like(node_mask)
        return m.protective.shelter_in_place_nodes(juris, node_mask)

    def see_danger(self, nodes: np.ndarray) -> None:
        """Let warned households where the hazard just became visible (``nodes``) decide again.

        Households at home that heard a warning and have not acted reconsider when they
        see the danger (water rising near the door, the smell of gas: an environmental
        cue of the Protective Action Decision Model, :mod:`sim.agents.compliance`), at
        their highest level heard, without a new contact. Each decides once per cue.
        """
        m = self.model
        t = m.households
        at = np.zeros(m.network.n_nodes, dtype=bool)
        at[nodes] = True
        rows = np.flatnonzero(at[t.node])  # few: the rest is checked on them only
        rows = rows[
            (t.state[rows] == AT_HOME)
            & (t.contacts[rows] > 0)
            & (t.acted_at_contact[rows] == 0)
            & ~np.isfinite(t.depart_time_s[rows])
            & ~m.transfers.requested[rows]
        ]
        for level in np.unique(t.warned_level[rows]):
            mine = rows[t.warned_level[rows] == level]
            for juris in np.unique(t.jurisdiction[mine]):
                part = mine[t.jurisdiction[mine] == juris]
                shelter = self.action_nodes(int(juris), at, "auto")
                self.deliver(part, int(level), np.full(part.size, m.env.now), shelter, cue=True)

    def deliver(
        self,
        rows: np.ndarray,
        level: int,
        receipt_s: np.ndarray,
        shelter: np.ndarray,
        *,
        cue: bool = False,
        transfer: bool = True,
        action: str = "auto",
    ) -> np.ndarray:
        """Deliver the warning to households ``rows`` at ``receipt_s``; each decides.

        ``shelter`` is the node mask where the warning says to shelter in place, from
        its ``action`` (passed on to repeated door-knocking visits).
        ``cue``: no new warning, the household saw the danger (:meth:`see_danger`).
        Under an ``immediate`` order the vulnerable who would leave are to be taken out
        and the refusers made to leave: both are handed to the responders now
        (:mod:`sim.agents.transfers`), or, with ``transfer`` False, the vulnerable are
        returned for the caller's sweep, which visits the refusers anyway (otherwise an
        empty array is returned).
        """
        m = self.model
        t = m.households
        if rows.size == 0:
            return np.zeros(0, dtype=np.int64)
        receipt_s = np.broadcast_to(np.asarray(receipt_s, dtype=np.float64), rows.shape)
        if not cue:
            t.warn(rows, level, receipt_s)
            m.recorder.events_bulk(
                receipt_s,
                "warned",
                agent=m.household_ids[rows],
                node=t.node[rows],
                jurisdiction=[m.jurisdiction_name(j) for j in t.jurisdiction[rows]],
                value=t.size_persons[rows],
            )
        danger = m.hazards.danger()[t.node[rows]]
        comply = m.compliance.decide(self.rng, level, t.contacts[rows], danger)
        first_act = rows[comply & (t.acted_at_contact[rows] == 0)]
        t.acted_at_contact[first_act] = t.contacts[first_act]
        in_place = shelter[t.node[rows]]
        sheltering = comply & in_place
        if sheltering.any():
            m.env.process(self._shelter_at(rows[sheltering], receipt_s[sheltering]))
        leaving = comply & ~in_place
        vulnerable = leaving & t.vulnerable[rows]
        going = leaving & ~vulnerable
        b = self.behaviour
        factor = b.night_premovement_factor if m.clock.is_night(m.env.now) else 1.0
        premove = self.rng.lognormal(
            np.log(b.premovement_median_min * 60.0 * factor), b.premovement_sigma, rows.size
        )
        depart = receipt_s + premove
        go = going & (depart < m.scenario.horizon_s)
        t.plan_departure(rows[go], depart[go])
        for i, d in zip(rows[go], depart[go], strict=True):
            m.env.process(m.household_agents[i].evacuate(float(d)))
        refused = rows[~comply & ~in_place]
        if level == IMMEDIATE:
            m.transfers.refuse(refused)
            if not transfer:
                return rows[vulnerable]
            m.transfers.sweep(rows[vulnerable], refused, level=level, action=action)
        elif b.door_knocking and level >= self.knock_level and not cue:
            m.door_knocking.visit_again(refused, level, shelter, action)
        return np.zeros(0, dtype=np.int64)

    def _shelter_at(
        self, rows: np.ndarray, receipt_s: np.ndarray
    ) -> Generator[simpy.Event, None, None]:
        """Households ``rows`` shut their homes as each hears the warning."""
        m = self.model
        t = m.households
        order = np.argsort(receipt_s, kind="stable")
        for k in order:
            yield m.env.timeout(max(float(receipt_s[k]) - m.env.now, 0.0))
            row = int(rows[k])
            if t.state[row] == AT_HOME:
                t.shelter_in_place(np.array([row]))
                m.household_agents[row].record("shelter_in_place")

    def summary(self) -> dict:
        """Per side: first warning, persons warned, who acted at which contact, follow-up.

        ``acted_*``: persons who left or sheltered in place at their first contact, or
        only after a repeated one; ``door_knocks``: household visits;
        ``transfer_*``: mandatory transfers requested and carried out (persons), and
        ``transferred_by_ground_persons``, of those, at transfers a ground team took,
        ``transferred_dead_persons`` and ``transferred_sheltered_persons``, of those,
        dead and in a shelter at the end; ``transfers_handed_back``: times a team left a
        transfer, on its way or at it, for a threat to life (the rest waited for the next),
        ``transfers_handed_back_wait_min`` the mean wait from a hand-back to the next
        team's arrival (NaN: none reached again) and ``transfers_handed_back_unreached``
        those no team reached again while people waited there;
        ``vulnerable_waiting_persons``: vulnerable persons who decided to leave, or whom
        a team was asked to take out, and never left (no ``immediate`` order reached them,
        no responder came in time, or none could bring them to a shelter with room).
        """
        m = self.model
        t = m.households
        names = m.network.jurisdiction_names
        out = {}
        never_left = ~np.isfinite(t.depart_time_s)
        # decided to leave, or a team was asked to take them out, and never left; not
        # those told to stay in (at the door, or warned so)
        asked = (t.acted_at_contact > 0) | m.transfers.requested
        waiting = t.vulnerable & asked & never_left & ~t.sheltered_in_place()
        for j, name in enumerate(names):
            mine = t.jurisdiction == j
            size = t.size_persons
            dead, sheltered = m.transfers.outcome_persons(j)
            back_wait_min, back_unreached = m.transfers.handed_back_waits(j)
            out[name] = {
                "first_warning_s": float(self.first_warning_s[j]),
                "persons_warned": int(size[mine & (t.contacts > 0)].sum()),
                "acted_at_first_contact": int(size[mine & (t.acted_at_contact == 1)].sum()),
                "acted_after_repeated_contact": int(size[mine & (t.acted_at_contact > 1)].sum()),
                "door_knocks": int(m.door_knocking.knocks[j]),
                "transfer_requested_persons": m.transfers.requested_persons(j),
                "transferred_persons": m.transfers.transferred_persons(j),
                "transferred_by_ground_persons": m.transfers.transferred_persons(j, by_ground=True),
                "transferred_dead_persons": dead,
                "transferred_sheltered_persons": sheltered,
                "transfers_handed_back": int(m.transfers.handed_back[j]),
                "transfers_handed_back_wait_min": back_wait_min,
                "transfers_handed_back_unreached": back_unreached,
                "vulnerable_waiting_persons": int(size[mine & waiting].sum()),
            }
        return out


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
            near |= settlement_nodes(net, table.loc[name])
        mask &= near
    return mask


def settlement_nodes(net: RoadNetwork, row) -> np.ndarray:
    """Boolean mask of the nodes of a settlement (a row of the ``settlements`` table).

    Those within its ``radius_m`` of it, or 1,500 m where the table has no radius.
    """
    radius_m = float(row["radius_m"]) if "radius_m" in row.index else SETTLEMENT_RADIUS_M
    return np.hypot(net.x_m - row["x_m"], net.y_m - row["y_m"]) <= radius_m
