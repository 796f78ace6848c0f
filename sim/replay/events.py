"""The event list of the HTML replay: one line per moment worth jumping to.

Warnings, hazard detection, incidents, team dispatches, arrivals and new bases, mutual-aid
requests, border crossings, landslides, isolated villages, supply-truck dispatches and
shelters that became unsafe get one line each, as do withdrawn incidents; road
closures, exposure, stranding (households stranded on the way, and persons a flood cut
off at home, reported per node), households stranded on the way that the hazard then
caught there, cars left where no road led on, stranded households setting off again,
households relocating from an unsafe shelter, sheltering in place, opening their homes
on the all-clear or left unsheltered are summed
into one line per time, kind and level.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from sim.replay.counters import time_ms
from sim.replay.state import Timeline

WARNING_LEVELS = ("trend", "risk", "imminent", "immediate")

#: Category of each event kind in the list (kinds not named here are left out).
CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "warning_issued": "warning",
        "hazard_detected": "hazard",
        "slide": "hazard",
        "isolated": "hazard",
        "incident_reported": "incident",
        "aid_requested": "incident",
        "aviation_requested": "incident",
        "hazard_known": "hazard",
        "preposition": "team",
        "rebased": "team",
        "border_wait": "border",
        "dispatch": "team",
        "arrive_scene": "team",
        "border_cross": "border",
        "truck_dispatch": "supply",
        "truck_rebased": "supply",
        "truck_stranded": "supply",
        "truck_resume": "supply",
        "road_closed": "road",
        "road_reopened": "road",
        "exposed": "hazard",
        "stranded": "hazard",
        "caught_by_hazard": "hazard",
        "leave_car": "hazard",
        "resume": "hazard",
        "incident_withdrawn": "incident",
        "shelter_unsafe": "shelter",
        "relocate": "shelter",
        "shelter_in_place": "shelter",
        "all_clear": "shelter",
        "unsheltered": "shelter",
    }
)
_SUMMED = (
    "road_closed", "road_reopened", "exposed", "stranded", "caught_by_hazard", "leave_car",
    "resume", "relocate",
    "shelter_in_place", "all_clear", "unsheltered", "aviation_requested",
)  # fmt: skip


def _team(agent: int, tier: str, first_team: int) -> str:
    return f"{tier} team {agent - first_team + 1}" if tier else f"team {agent - first_team + 1}"


def _persons(value: float) -> str:
    return f"{value:.0f} person{'' if round(value) == 1 else 's'}"


def _describe(
    row, first_team: int, first_truck: int, shelter_names: dict[int, str], caught: set[int]
) -> str:
    kind, juris, tier = row.kind, row.jurisdiction, row.tier
    incident, value = int(row.incident), float(row.value)
    if kind == "shelter_unsafe":
        name = shelter_names.get(int(row.node), f"at node {int(row.node)}")
        return f"shelter {name} in {juris} unsafe and closed ({_persons(value)} inside)"
    if kind == "warning_issued":
        level = WARNING_LEVELS[int(value)] if 0 <= value < len(WARNING_LEVELS) else f"{value:g}"
        return f"{juris} issues a '{level}' warning"
    if kind == "hazard_detected":
        return f"{juris} detects the hazard"
    if kind == "slide":
        return f"landslide ({value:.0f} m run-out) in {juris}"
    if kind == "isolated":
        return f"village cut off in {juris}: {value:.0f} residents"
    if kind == "incident_reported":
        needs = ", ".join(t for t in str(tier).split(",") if t)
        return f"incident {incident} in {juris}: {_persons(value)}, needs {needs}"
    if kind == "incident_withdrawn" and incident in caught:
        return f"incident {incident} in {juris} withdrawn: the hazard caught its people there"
    if kind == "incident_withdrawn":
        return f"incident {incident} in {juris} withdrawn: {_persons(value)} left on their own"
    if kind == "aid_requested":
        return f"{juris} requests {tier} mutual aid for incident {incident}"
    if kind == "hazard_known":
        how = {"detected": "detects it itself", "warned": "warns of it"}.get(str(tier), tier)
        return f"{juris} knows of the hazard ({how})"
    team = _team(int(row.agent), tier, first_team)
    if kind == "preposition":
        return f"{team} ({juris}) moves to the border to stand by, {value / 60:.0f} min away"
    if kind == "rebased":
        return f"{team} ({juris}) is cut off from its base: it works on from here"
    if kind == "border_wait":
        return f"{team} ({juris}) waits {value / 60:.0f} min for passage at the border"
    if kind == "dispatch":
        return f"{team} ({juris}) dispatched to incident {incident}, ETA {value / 60:.0f} min"
    if kind == "arrive_scene":
        return f"{team} reaches incident {incident}: response {value / 60:.1f} min"
    if kind == "border_cross":
        return f"{team} crosses the border into {juris}"
    if kind == "truck_dispatch":
        return f"supply truck {int(row.agent) - first_truck + 1} leaves with {value:.0f} kits"
    if kind == "truck_rebased":
        return (
            f"supply truck {int(row.agent) - first_truck + 1} moves to the depot at node "
            f"{int(row.node)} in {juris}: {value:.0f} kits there (its own is empty or cut off)"
        )
    if kind == "truck_stranded":
        return (
            f"supply truck {int(row.agent) - first_truck + 1} is cut off from every depot: "
            f"it waits with {value:.0f} kits aboard"
        )
    if kind == "truck_resume":
        return f"supply truck {int(row.agent) - first_truck + 1} has a way back to a depot again"
    return kind


def event_list(timeline: Timeline) -> list[list]:
    """``[[time_ms, category, text], ...]`` in time order (see the module docstring)."""
    events = timeline.run.events
    ids = timeline.run.agent_ids
    first_team, first_truck = ids["team"].start, ids["truck"].start
    shelters = timeline.run.shelters
    names = dict(
        zip(shelters["node"].astype(int)[::-1], shelters["name"].astype(str)[::-1], strict=True)
    )  # the first shelter of each node
    rows = events[events["kind"].isin(list(CATEGORIES))]
    caught = set(events.loc[events["kind"] == "caught_by_hazard", "incident"].astype(int))
    summed = rows["kind"].isin(_SUMMED).to_numpy()
    out = [
        (float(r.time_s), CATEGORIES[r.kind], _describe(r, first_team, first_truck, names, caught))
        for r in rows[~summed].itertuples(index=False)
    ]
    groups = rows[summed].assign(on_the_way=rows.loc[summed, "agent"].to_numpy() >= 0)
    for (time_s, kind, on_the_way, _), group in groups.groupby(
        ["time_s", "kind", "on_the_way", "tier"], sort=False
    ):
        out.append((float(time_s), CATEGORIES[kind], _summed_text(kind, group, on_the_way)))
    out.sort(key=lambda e: e[0])
    times = time_ms(np.array([e[0] for e in out], float))
    return [[int(t), c, text] for t, (_, c, text) in zip(times, out, strict=True)]


def _summed_text(kind: str, group: pd.DataFrame, on_the_way: bool) -> str:
    n, persons = len(group), float(group["value"].sum())
    if kind == "road_closed":
        return f"{n} road link{'s' if n > 1 else ''} closed"
    if kind == "road_reopened":
        return f"{n} road link{'s' if n > 1 else ''} reopened"
    if kind == "aviation_requested":  # a slide or the water cut them off at once
        which = f"{n} incidents" if n > 1 else f"incident {int(group['incident'].iloc[0])}"
        return f"{which} cut off by road ({_persons(persons)}): aviation requested"
    if kind == "exposed":
        level = str(group["tier"].iloc[0]) or "AEGL-2"
        harm = "lethal" if level == "AEGL-3" else "injured"
        return f"{_persons(persons)} exposed at {level} ({harm})"
    if kind == "resume":
        return f"{_persons(persons)} stranded set off again as roads reopen"
    if kind == "relocate":
        return f"{_persons(persons)} relocating from an unsafe shelter"
    if kind == "shelter_in_place":
        return f"{_persons(persons)} sheltering in place (windows and doors shut)"
    if kind == "all_clear":
        return f"{_persons(persons)} given the all-clear: homes opened and aired"
    if kind == "unsheltered":
        return f"{_persons(persons)} unsheltered: no shelter with room"
    if kind == "leave_car":
        return f"{_persons(persons)} left their cars: no road open to cars, on foot"
    if kind == "caught_by_hazard":
        return f"{_persons(persons)} cut off on the way, caught there by the hazard"
    if on_the_way:
        return f"{_persons(persons)} stranded on the way"
    return f"{_persons(persons)} cut off at home by the flood"
