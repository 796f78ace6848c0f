"""Build a run's :class:`~sim.replay.state.Timeline` from its folder, once.

Every array the replay evaluates at a time is precomputed here from the event log, the
tracks and the hazard frames (sorted, so a time is one ``numpy.searchsorted``). What
each part means is in :mod:`sim.replay.state`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.replay.counters import build_counters, first_per
from sim.replay.households import state_events
from sim.replay.shelters import relocations, shelter_nodes
from sim.replay.state import (
    HazardFrames,
    Households,
    Incidents,
    NodeEvents,
    Timeline,
    Tracks,
)
from sim.results.run_folder import HAZARDS, RunFolder
from sim.tiers import TIERS


def build_timeline(run: RunFolder) -> Timeline:
    """Precompute the arrays of a run folder for drawing it at any time."""
    events = run.events
    net = run.network
    population = (
        np.zeros(net.n_nodes)
        if net.node_population_persons is None
        else net.node_population_persons.astype(float)
    )
    tracked = run.tracks.loc[run.tracks["family"] == "household", "agent"].unique()
    households, table = _households(events, run.agent_ids["household"], tracked)
    of_kind = events["kind"].to_numpy()
    no_agent = events["agent"].to_numpy() < 0
    return Timeline(
        run=run,
        counters=build_counters(events),
        households=households,
        node_stranded=_node_events(events[(of_kind == "stranded") & no_agent]),
        node_exposed=_node_events(
            events[(of_kind == "exposed") & (events["tier"].to_numpy() != "AEGL-3")]
        ),
        tracks=_tracks(run),
        incidents=_incidents(events),
        crossings=events[of_kind == "border_cross"].reset_index(drop=True),
        hazards=_hazards(run.hazard_frames, run.hazard_frame_times_s),
        closures=_closures(events),
        population_persons=population,
        shelters=shelter_nodes(run.shelters, events),
        relocations=relocations(table),
    )


def _households(
    events: pd.DataFrame, ids: range, tracked: np.ndarray
) -> tuple[Households, pd.DataFrame]:
    """Return the households' state events (:mod:`sim.replay.households`) as arrays and table."""
    table = state_events(events, ids)
    agent, start, counts = np.unique(
        table["agent"].to_numpy(np.int64), return_index=True, return_counts=True
    )
    time_s = table["time_s"].to_numpy(float)
    node = table["node"].to_numpy(np.int64)
    home = node[start].copy()
    brought = table["kind"].to_numpy()[start] == "arrive_shelter"  # by a team, never warned
    if brought.any():
        home[brought] = pick_up_nodes(events, time_s[start][brought], node[start][brought])
    return (
        Households(
            agent=agent,
            home_node=home,
            size_persons=table["persons"].to_numpy(float)[start],
            first_s=time_s[start],
            tracked=np.isin(agent, tracked),
            start=start,
            end=start + counts,
            household=np.repeat(np.arange(agent.size), counts),
            time_s=time_s,
            state=table["state"].to_numpy(np.int8),
            node=node,
        ),
        table,
    )


def pick_up_nodes(events: pd.DataFrame, arrive_s: np.ndarray, shelter: np.ndarray) -> np.ndarray:
    """Where households a team brought to a shelter were taken from.

    The team's ``deliver`` event at the same time and shelter names the incident; its
    ``incident_reported`` node is where they waited. With no such delivery, the shelter.
    """
    deliver = events.loc[events["kind"] == "deliver", ["time_s", "node", "incident"]]
    reported = first_per(events[events["kind"] == "incident_reported"], ["incident"])
    wanted = pd.DataFrame({"time_s": np.asarray(arrive_s, float), "node": shelter})
    found = wanted.merge(
        deliver.drop_duplicates(["time_s", "node"]), how="left", on=["time_s", "node"]
    ).merge(
        reported[["incident", "node"]].rename(columns={"node": "from_node"}),
        how="left",
        on="incident",
    )
    return np.where(found["from_node"].notna(), found["from_node"].fillna(-1), shelter).astype(
        np.int64
    )


def _node_events(rows: pd.DataFrame) -> NodeEvents:
    rows = rows.sort_values("time_s", kind="stable")
    return NodeEvents(
        rows["time_s"].to_numpy(float),
        rows["node"].to_numpy(np.int64),
        rows["value"].to_numpy(float),
    )


def _tracks(run: RunFolder) -> Tracks:
    t = run.tracks  # a point at an infinite time (a route that never ends) is never reached
    t = t[np.isfinite(t["time_s"].to_numpy(float))].reset_index(drop=True)
    agent_col = t["agent"].to_numpy(np.int64)
    agent, start, counts = np.unique(agent_col, return_index=True, return_counts=True)
    time_s = t["time_s"].to_numpy(float)
    t0 = float(time_s.min()) if time_s.size else 0.0
    span = float(time_s.max() - t0 + 1.0) if time_s.size else 1.0
    rank = np.repeat(np.arange(agent.shape[0]), counts)
    dispatch = run.events[run.events["kind"].isin(["dispatch", "border_cross", "arrive_scene"])]
    tier_of = dict(zip(dispatch["agent"], dispatch["tier"].astype(str), strict=False))
    node = t["node"].to_numpy(np.int64)
    net = run.network
    return Tracks(
        agent=agent,
        family=t["family"].astype(str).to_numpy()[start],
        tier=np.array([tier_of.get(int(a), "") for a in agent]),
        start=start,
        end=start + counts,
        time_s=time_s,
        x_m=net.x_m[node],
        y_m=net.y_m[node],
        node=node,
        _key=rank * span + (time_s - t0),
        _span_s=span,
        _t0_s=t0,
    )


def _incidents(events: pd.DataFrame) -> Incidents:
    reported = events[events["kind"] == "incident_reported"]
    arrivals = first_per(events[events["kind"] == "arrive_scene"], ["incident"])
    arrival = dict(zip(arrivals["incident"], arrivals["time_s"], strict=False))
    incident = reported["incident"].to_numpy(np.int64)
    report_s = reported["time_s"].to_numpy(float)
    first = np.array([arrival.get(int(i), np.inf) for i in incident], float)
    by_tier = {}
    for tier in TIERS:
        rows = first_per(
            events[(events["kind"] == "arrive_scene") & (events["tier"] == tier)], ["incident"]
        )
        when = dict(zip(rows["incident"], rows["time_s"], strict=False))
        by_tier[tier] = np.array([when.get(int(i), np.inf) for i in incident], float)
    gone = first_per(events[events["kind"] == "incident_withdrawn"], ["incident"])
    gone_s = dict(zip(gone["incident"], gone["time_s"], strict=True))
    return Incidents(
        incident=incident,
        node=reported["node"].to_numpy(np.int64),
        report_s=report_s,
        persons=reported["value"].to_numpy(float),
        tiers=tuple(reported["tier"].astype(str)),
        first_arrival_s=first,
        response_s=first - report_s,
        tier_arrival_s=by_tier,
        withdrawn_s=np.array([gone_s.get(int(i), np.inf) for i in incident], float),
    )


def _hazards(frames: pd.DataFrame, frame_times_s: np.ndarray) -> dict[str, HazardFrames]:
    out = {}
    for hazard in HAZARDS:
        rows = frames[frames["hazard"] == hazard].sort_values("time_s", kind="stable")
        if len(rows) == 0:
            continue
        time_s = rows["time_s"].to_numpy(float)
        times = np.union1d(frame_times_s[frame_times_s >= time_s[0]], time_s)
        out[hazard] = HazardFrames(
            time_s=times,
            offsets=np.searchsorted(time_s, np.append(times, np.inf), side="left"),
            node=rows["node"].to_numpy(np.int64),
            value=rows["value"].to_numpy(float),
        )
    return out


def _closures(events: pd.DataFrame) -> pd.DataFrame:
    rows = events[events["kind"].isin(["road_closed", "road_reopened"])]
    return pd.DataFrame(
        {
            "time_s": rows["time_s"].to_numpy(float),
            "edge": rows["value"].to_numpy().astype(np.int64),
            "closed": (rows["kind"] == "road_closed").to_numpy(),
        }
    )
