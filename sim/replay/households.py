"""Households of a run, event by event: the state each of their events puts them in.

A household's state at ``t`` is the state of its last *state event* up to ``t`` (ties
in event-log order), drawn at that event's node:

======================================  ====================================
event of the household                  state from then on
======================================  ====================================
``warned`` (only as its first event)    warned
``depart``, ``resume``, ``relocate``    on the way
``arrive_shelter``                      sheltered
``stranded``                            stranded
``shelter_in_place``                    sheltering in place
``all_clear``                           warned (at home again, the home aired)
``unsheltered``                         unsheltered (safe, no shelter with room)
======================================  ====================================

A later ``warned`` (a repeated contact) does not change what a household does. A
household that leaves a shelter that became unsafe (``relocate``) is on the way again
until its next ``arrive_shelter``; a household a team takes out arrives at its shelter
with no ``depart`` of its own (it goes from where it waited straight to sheltered).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from sim.replay.symbols import (
    NOT_WARNED,
    ON_THE_WAY,
    SHELTERED,
    SHELTERING,
    STRANDED,
    UNSHELTERED,
    WARNED,
)

#: The state each household event kind puts its household in.
STATE_OF_KIND: Mapping[str, int] = MappingProxyType(
    {
        "warned": WARNED,
        "depart": ON_THE_WAY,
        "resume": ON_THE_WAY,
        "relocate": ON_THE_WAY,
        "arrive_shelter": SHELTERED,
        "stranded": STRANDED,
        "shelter_in_place": SHELTERING,
        "all_clear": WARNED,
        "unsheltered": UNSHELTERED,
    }
)
COLUMNS = ("agent", "time_s", "kind", "state", "previous", "node", "persons")


def state_events(events: pd.DataFrame, ids: range | None = None) -> pd.DataFrame:
    """Every state event of every household, sorted by household, time and log order.

    Parameters
    ----------
    events
        An event log (``events.parquet``).
    ids
        The households' ``agent`` ids; None or empty: every agent with such an event.

    Returns
    -------
    pandas.DataFrame
        Columns ``agent, time_s, kind, node``; ``state`` the household's state from the
        event on and ``previous`` the one before (not yet warned before its first event);
        ``persons`` the household's size (the largest ``value`` of its events).
    """
    agent_col = events["agent"].to_numpy(np.int64)
    keep = events["kind"].isin(list(STATE_OF_KIND)).to_numpy() & (agent_col >= 0)
    if ids is not None and len(ids):
        keep &= (agent_col >= ids.start) & (agent_col < ids.stop)
    rows = events[keep]
    agent = rows["agent"].to_numpy(np.int64)
    order = np.lexsort((np.arange(agent.size), rows["time_s"].to_numpy(float), agent))
    rows = rows.iloc[order]
    agent = agent[order]
    kind = rows["kind"].astype(str).to_numpy()
    first = np.append(True, agent[1:] != agent[:-1]) if agent.size else np.zeros(0, bool)
    persons = np.zeros(0)
    if agent.size:  # the household's size: the largest value of any of its events
        start = np.flatnonzero(first)
        counts = np.diff(np.append(start, agent.size))
        value = rows["value"].to_numpy(float)
        persons = np.repeat(np.maximum.reduceat(value, start), counts)
    counted = first | (kind != "warned")  # a repeated warning changes nothing
    rows, agent, kind, persons = rows[counted], agent[counted], kind[counted], persons[counted]
    state = pd.Series(kind, dtype=object).map(STATE_OF_KIND).to_numpy(np.int8)
    first = np.append(True, agent[1:] != agent[:-1]) if agent.size else np.zeros(0, bool)
    previous = np.where(first, NOT_WARNED, np.append(NOT_WARNED, state[:-1])).astype(np.int8)
    return pd.DataFrame(
        {
            "agent": agent,
            "time_s": rows["time_s"].to_numpy(float),
            "kind": kind,
            "state": state,
            "previous": previous,
            "node": rows["node"].to_numpy(np.int64),
            "persons": persons,
        }
    )


def state_changes(table: pd.DataFrame, state: int) -> tuple[np.ndarray, np.ndarray]:
    """Return times and persons entering (+) or leaving (-) ``state`` (:func:`state_events`)."""
    into = (table["state"].to_numpy() == state).astype(float)
    out_of = (table["previous"].to_numpy() == state).astype(float)
    change = (into - out_of) * table["persons"].to_numpy(float)
    moved = change != 0
    return table["time_s"].to_numpy(float)[moved], change[moved]


def relocation_flows(table: pd.DataFrame) -> pd.DataFrame:
    """Each ``relocate`` paired with its household's next event, when that is an arrival.

    Returns
    -------
    pandas.DataFrame
        ``agent``, ``from_node`` (the unsafe shelter), ``to_node`` (the shelter reached),
        ``start_s`` (the relocation), ``end_s`` (the arrival) and ``persons``. A
        household stranded or left unsheltered on the way, or still travelling at the
        horizon, has no flow (its own state shows where it is).
    """
    agent = table["agent"].to_numpy(np.int64)
    kind = table["kind"].to_numpy()
    same_next = np.append(agent[1:] == agent[:-1], False) if agent.size else np.zeros(0, bool)
    next_kind = np.append(kind[1:], "") if agent.size else kind
    pair = (kind == "relocate") & same_next & (next_kind == "arrive_shelter")
    k = np.flatnonzero(pair)
    time_s, node = table["time_s"].to_numpy(float), table["node"].to_numpy(np.int64)
    return pd.DataFrame(
        {
            "agent": agent[k],
            "from_node": node[k],
            "to_node": node[k + 1],
            "start_s": time_s[k],
            "end_s": time_s[k + 1],
            "persons": table["persons"].to_numpy(float)[k],
        }
    )
