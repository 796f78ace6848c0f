"""The people and places in the data of the HTML replay (see :mod:`sim.replay.html`).

Households come in the order of their first event, each with its state events
(:mod:`sim.replay.households`) as milliseconds after that first event; shelters per
node with their capacity and the time each became unsafe (-1: never); relocation flows
as one row per relocating household; tracks as node sequences with delta-encoded times.
"""

from __future__ import annotations

import numpy as np

from sim.network.incidence import index_runs
from sim.replay.counters import time_ms
from sim.replay.state import FAMILIES, Timeline
from sim.tiers import TIERS


def delta_list(values: np.ndarray) -> list[int]:
    """Return sorted integer values as differences from the previous one (first from 0)."""
    v = np.asarray(values, np.int64)
    return np.diff(v, prepend=0).tolist() if v.size else []


def int_list(values: np.ndarray) -> list[int]:
    """Return values rounded to whole numbers, as a list."""
    return np.rint(np.asarray(values, float)).astype(np.int64).tolist()


def places_payload(timeline: Timeline) -> dict:
    """Return stations (not community posts), depots and shelters (per node, unsafe time)."""
    places = timeline.run.network.places
    stations = places.get("stations")
    depots = places.get("depots")
    shelters = timeline.shelters
    tiers = list(TIERS)
    return {
        "stations": []  # community posts (one per village) are not drawn: they hid the map
        if stations is None
        else [
            [int(n), tiers.index(t) if t in tiers else 1]
            for n, t in zip(stations["node"], stations["tier"], strict=True)
            if t != "community"
        ],
        "depots": [] if depots is None else depots["node"].astype(int).tolist(),
        "shelters": {
            "node": shelters.node.tolist(),
            "capacity": int_list(shelters.capacity_persons),
            "unsafe": time_ms(shelters.unsafe_s).tolist(),
        },
    }


def population_payload(timeline: Timeline) -> dict:
    """Return the residents of every node that has any."""
    persons = timeline.population_persons
    nodes = np.flatnonzero(persons > 0)
    return {"node": delta_list(nodes), "persons": int_list(persons[nodes])}


def households_payload(timeline: Timeline) -> dict:
    """Return the households in order of their first event, each with its state events.

    Household ``k``'s ``n[k]`` events follow those of the households before it in
    ``t`` (ms after its first event), ``state`` and ``node`` (see
    :mod:`sim.replay.households`).
    """
    h = timeline.households
    order = np.argsort(h.first_s, kind="stable")
    first = time_ms(h.first_s[order])
    counts = (h.end - h.start)[order]
    rows = index_runs(h.start[order], counts)
    return {
        "home": h.home_node[order].tolist(),
        "size": int_list(h.size_persons[order]),
        "first": delta_list(first),
        "n": counts.tolist(),
        "t": (time_ms(h.time_s[rows]) - np.repeat(first, counts)).tolist(),
        "state": h.state[rows].tolist(),
        "node": h.node[rows].tolist(),
        "trackIndex": [
            int(k) if h.tracked[i] else -1
            for i, k in zip(
                order, np.searchsorted(timeline.tracks.agent, h.agent[order]), strict=True
            )
        ],
    }


def relocations_payload(timeline: Timeline) -> dict:
    """Return the relocation flows: shelter nodes, departure and arrival ms, persons."""
    r = timeline.relocations
    return {
        "from": r.from_node.tolist(),
        "to": r.to_node.tolist(),
        "start": time_ms(r.start_s).tolist(),
        "end": time_ms(r.end_s).tolist(),
        "persons": int_list(r.persons),
    }


def tracks_payload(timeline: Timeline) -> list[dict]:
    """Return each tracked agent's family, tier, times and nodes."""
    tr = timeline.tracks
    tiers = list(TIERS)
    out = []
    for a in range(tr.agent.shape[0]):
        rows = slice(tr.start[a], tr.end[a])
        out.append(
            {
                "family": FAMILIES.index(str(tr.family[a])),
                "tier": tiers.index(tr.tier[a]) if tr.tier[a] in tiers else -1,
                "t": delta_list(time_ms(tr.time_s[rows])),
                "node": tr.node[rows].tolist(),
            }
        )
    return out
