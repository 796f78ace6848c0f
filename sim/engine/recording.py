"""Event log and tracks of a run, written as Parquet with a schema version.

``events.parquet`` has one row per event, in the order the clock produced them:
``time_s, kind, agent, node, jurisdiction, incident, tier, value`` (``agent``, ``node``,
``incident`` are -1 and ``tier``/``jurisdiction`` empty where they do not apply).
``tracks.parquet`` has sampled positions of moving agents (``time_s, agent, family,
node, x_m, y_m``): one row each time a tracked agent reaches a node, so a replay can
interpolate between rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

#: Bump when a column or an event kind changes meaning. 3: ``agent`` ids are Mesa's
#: ``unique_id`` (households from 1, see :func:`agent_id_ranges`), no longer from 0.
SCHEMA_VERSION = 3

#: Mesa numbers a model's agents from 1 in creation order; a run creates every household,
#: then every rescue team, then every supply truck.
FIRST_AGENT_ID = 1


def agent_id_ranges(households: int, teams: int, trucks: int) -> dict[str, range]:
    """Return the ``agent`` ids of each family in a run with these counts."""
    first_team = FIRST_AGENT_ID + households
    first_truck = first_team + teams
    return {
        "household": range(FIRST_AGENT_ID, first_team),
        "team": range(first_team, first_truck),
        "truck": range(first_truck, first_truck + trucks),
    }


#: Event kinds and what ``value`` holds for each.
EVENT_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "warning_issued": "warning level index (0 trend .. 3 immediate)",
        "warned": "persons in the household",
        "depart": "persons",
        "arrive_shelter": "persons",
        "stranded": "persons",
        "resume": "persons (a stranded household sets off again; ``incident`` = its incident)",
        "incident_reported": "persons",
        "incident_withdrawn": "persons (no team needed any more: they left on their own, or "
        "a hazard caught them where they were cut off and its incident has them now)",
        "caught_by_hazard": "persons (a household cut off on dry ground that the water or "
        "a slide reached: out of its ``stranded`` incident, ``incident``, into the hazard's)",
        "dispatch": "estimated travel time, s",
        "aid_requested": "persons",
        "aviation_requested": "persons still there (the roads cut the incident off after it "
        "was reported: aviation is asked too)",
        "border_cross": "0",
        "border_wait": "seconds a team waits at border crossings without priority passage",
        "preposition": "travel time, s (a team moves to its border staging point)",
        "hazard_known": "0 (``tier``: how the command learnt: detected, warned, via a side)",
        "arrive_scene": "response time since report, s",
        "leave_scene": "persons left waiting there (0: a team that carries nobody leaves the "
        "scene; else it could bring them to no safe shelter, one with room for people safe "
        "at home)",
        "rescued": "persons a team got out alive on this trip (``tier``: the team's)",
        "died_waiting": "persons found dead on this trip (``tier``: the incident kind); for "
        "those still waiting at the horizon, persons dead at the time the kind's survival "
        "curve gives for their draw",
        "deliver": "persons a team handed over at a shelter (``node``: the shelter's)",
        "door_knock": "persons at home at the node a community team visits",
        "shelter_in_place": "persons (the household shuts its home, as the warning said)",
        "all_clear": "persons (the plume has passed: the household opens its sealed home)",
        "transfer_requested": "persons (mandatory transfer: a refuser or vulnerable)",
        "transfer_handed_back": "persons at home at the doors left and vulnerable not yet "
        "taken out (a threat to life called the team, ``agent``, away from the transfer)",
        "leave_car": "persons (no road open to cars: the household goes on on foot)",
        "unsheltered": "persons (out of the house, waiting in the open: no shelter with room "
        "could be reached)",
        "shelter_unsafe": "occupants, persons (the shelter is no longer safe)",
        "relocate": "persons (the household leaves a shelter that became unsafe)",
        "team_home": "0",
        "team_rerouted": "new travel time, s (a link ahead closed to the team: it turns off "
        "at ``node`` and takes the fastest open way on)",
        "team_cut_off": "0 (a link ahead closed to the team and no way on is open from "
        "``node``: its trip ends there)",
        "truck_rerouted": "new travel time, s (a link ahead closed to the truck: it turns "
        "off at ``node``)",
        "truck_cut_off": "0 (no way on from ``node``: the kits for that stop stay aboard)",
        "truck_stranded": "kits aboard (no depot in reach: the truck waits at ``node`` for a "
        "way back)",
        "truck_resume": "kits aboard (a way opened: the truck leaves ``node`` for a depot)",
        "incident_handed_back": "persons (the team, ``agent``, found no way to the incident: "
        "the commands send the next team)",
        "rebased": "0 (no open road to its base: the team is based at ``node`` from now on)",
        "supply_request": "kits",
        "truck_dispatch": "kits loaded",
        "delivery": "kits",
        "truck_rebased": "kits at the depot (``node``) the truck is based at from now on",
        "hazard_detected": "0",
        "exposed": "persons newly at the AEGL level in ``tier`` (AEGL-2 injured, AEGL-3 dead)",
        "slide": "run-out radius, m",
        "slide_cleared": "slide number",
        "isolated": "village residents",
        "road_closed": "edge index (node = its source)",
        "road_reopened": "edge index (node = its source)",
    }
)


class Recorder:
    """Collects events and track points in memory during a run."""

    def __init__(self) -> None:
        self._events: list[tuple | None] = []  # None: taken back (:meth:`cut_trip`)
        self._void = 0
        # single points (time, agent, family, node, order) and whole trips (order of the
        # first point, times, agent, family, nodes); ``order`` numbers every point in
        # the order it was recorded, which breaks ties in time when writing
        self._tracks: list[tuple] = []
        self._trips: list[tuple] = []
        self._n_points = 0

    def event(
        self,
        time_s: float,
        kind: str,
        *,
        agent: int = -1,
        node: int = -1,
        jurisdiction: str = "",
        incident: int = -1,
        tier: str = "",
        value: float = 0.0,
    ) -> None:
        """Append one event."""
        self._events.append((time_s, kind, agent, node, jurisdiction, incident, tier, value))

    def events_bulk(
        self,
        time_s: np.ndarray,
        kind: str,
        *,
        agent: np.ndarray,
        node: np.ndarray,
        jurisdiction: list[str],
        value: np.ndarray,
    ) -> None:
        """Append many events of one kind (vectorised callers, e.g. warnings)."""
        self._events.extend(
            (float(t), kind, int(a), int(n), j, -1, "", float(v))
            for t, a, n, j, v in zip(time_s, agent, node, jurisdiction, value, strict=True)
        )

    def track(self, time_s: float, agent: int, family: str, node: int) -> None:
        """Append one track point (the position is looked up when writing)."""
        self._tracks.append((time_s, agent, family, node, self._n_points))
        self._n_points += 1

    def track_route(self, time_s: np.ndarray, agent: int, family: str, nodes: np.ndarray) -> None:
        """Append the track points of a trip: ``nodes[k]`` reached at ``time_s[k]``."""
        times, at = np.asarray(time_s, dtype=np.float64), np.asarray(nodes, dtype=np.int64)
        self._trips.append((self._n_points, times, agent, family, at))
        self._n_points += len(at)

    def marks(self) -> tuple[int, int]:
        """Where the next trip and the next event will be kept (for :meth:`cut_trip`)."""
        return len(self._trips), len(self._events)

    def cut_trip(self, agent: int, after_s: float, marks: tuple[int, int, int]) -> None:
        """End ``agent``'s trip recorded at ``marks`` at ``after_s``: it turned off there.

        ``marks``: where its track points were kept, and the range of the events logged
        with it (border crossings planned ahead). Its track points later than
        ``after_s`` go, and so do those events for later times (crossings it will not
        make). Only those events are looked at: the log may have grown long since.
        """
        trip_at, first, end = marks
        if trip_at < len(self._trips) and self._trips[trip_at][2] == agent:
            order, times, _, family, nodes = self._trips[trip_at]
            keep = times <= after_s
            self._trips[trip_at] = (order, times[keep], agent, family, nodes[keep])
        for k in range(first, end):
            e = self._events[k]
            if e is not None and e[2] == agent and e[0] > after_s:
                self._events[k] = None  # left in place: later marks keep their meaning
                self._void += 1

    def events(self) -> pd.DataFrame:
        """Return the event log, sorted stably by time (ties keep their order)."""
        frame = pd.DataFrame(
            [e for e in self._events if e is not None] if self._void else self._events,
            columns=[
                "time_s",
                "kind",
                "agent",
                "node",
                "jurisdiction",
                "incident",
                "tier",
                "value",
            ],
        )
        frame = frame.astype(
            {
                "time_s": "float64",
                "agent": "int64",
                "node": "int64",
                "incident": "int64",
                "value": "float64",
            }
        )
        return frame.sort_values("time_s", kind="stable").reset_index(drop=True)

    def tracks(self, x_m: np.ndarray, y_m: np.ndarray) -> pd.DataFrame:
        """Track points with positions from the network's node coordinates."""
        singles = list(zip(*self._tracks, strict=True)) or [(), (), (), (), ()]
        trips = self._trips
        sizes = [len(trip[4]) for trip in trips]
        columns = {
            "time_s": np.concatenate(
                [np.array(singles[0], dtype=np.float64)] + [t[1] for t in trips]
            ),
            "agent": np.concatenate(
                [np.array(singles[1], dtype=np.int64), np.repeat([t[2] for t in trips], sizes)]
            ).astype(np.int64),
            "family": np.concatenate(
                [
                    np.array(singles[2], dtype=object),
                    np.repeat(np.array([t[3] for t in trips], dtype=object), sizes),
                ]
            ),
            "node": np.concatenate([np.array(singles[3], dtype=np.int64)] + [t[4] for t in trips]),
        }
        order_in = np.concatenate(
            [np.array(singles[4], dtype=np.int64)]
            + [np.arange(t[0], t[0] + n, dtype=np.int64) for t, n in zip(trips, sizes, strict=True)]
        )
        # by agent, then time; ties in the order recorded (a stable sort of the log)
        order = np.lexsort((order_in, columns["time_s"], columns["agent"]))
        frame = pd.DataFrame({k: v[order] for k, v in columns.items()})
        frame["x_m"] = x_m[frame["node"].to_numpy()]
        frame["y_m"] = y_m[frame["node"].to_numpy()]
        return frame
