"""Build a run's :class:`~sim.replay.state.Timeline` from its folder, once.

Every array the replay evaluates at a time is precomputed here from the event log, the
tracks and the hazard frames (sorted, so a time is one ``numpy.searchsorted``). What
each part means is in :mod:`sim.replay.state`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.replay.counters import build_counters, first_per
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
    households = _households(events, run.agent_ids["household"], tracked)
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
    )


def _households(events: pd.DataFrame, ids: range, tracked: np.ndarray) -> Households:
    kinds = ["warned", "depart", "arrive_shelter", "stranded", "resume"]
    rows = events[events["kind"].isin(kinds) & (events["agent"] >= 0)]
    if len(ids):
        rows = rows[(rows["agent"] >= ids.start) & (rows["agent"] < ids.stop)]
    agent = np.unique(rows["agent"].to_numpy(np.int64))

    def first(kind: str, of: pd.DataFrame | None = None) -> tuple[np.ndarray, ...]:
        of = first_per(rows[rows["kind"] == kind] if of is None else of, ["agent"])
        where = np.searchsorted(agent, of["agent"].to_numpy(np.int64))
        time_s = np.full(agent.shape[0], np.inf)
        node = np.full(agent.shape[0], -1, np.int64)
        size = np.zeros(agent.shape[0])
        time_s[where] = of["time_s"].to_numpy(float)
        node[where] = of["node"].to_numpy(np.int64)
        size[where] = of["value"].to_numpy(float)
        return time_s, node, size

    warned_s, warned_node, warned_size = first("warned")
    depart_s, depart_node, depart_size = first("depart")
    arrive_s, arrive_node, arrive_size = first("arrive_shelter")
    stranded_s, stranded_node, stranded_size = first("stranded")
    resume_s, _, _ = first("resume")
    again = rows[rows["kind"] == "stranded"]
    again = again.sort_values("time_s", kind="stable").drop_duplicates("agent", keep="last")
    where = np.searchsorted(agent, again["agent"].to_numpy(np.int64))
    again = again[again["time_s"].to_numpy(float) > resume_s[where]]
    restranded_s, restranded_node, _ = first("stranded", again)
    home = np.where(warned_node >= 0, warned_node, np.where(depart_node >= 0, depart_node, -1))
    home = np.where(home >= 0, home, np.where(stranded_node >= 0, stranded_node, arrive_node))
    size = np.maximum.reduce([warned_size, depart_size, arrive_size, stranded_size])
    return Households(
        agent=agent,
        home_node=home,
        size_persons=size,
        first_s=np.minimum.reduce([warned_s, depart_s, stranded_s, arrive_s]),
        warned_s=warned_s,
        depart_s=depart_s,
        arrive_s=arrive_s,
        arrive_node=arrive_node,
        stranded_s=stranded_s,
        stranded_node=stranded_node,
        resume_s=resume_s,
        restranded_s=restranded_s,
        restranded_node=restranded_node,
        tracked=np.isin(agent, tracked),
    )


def _node_events(rows: pd.DataFrame) -> NodeEvents:
    rows = rows.sort_values("time_s", kind="stable")
    return NodeEvents(
        rows["time_s"].to_numpy(float),
        rows["node"].to_numpy(np.int64),
        rows["value"].to_numpy(float),
    )


def _tracks(run: RunFolder) -> Tracks:
    t = run.tracks
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
