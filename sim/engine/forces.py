"""The rescue forces of a run: tier standards with the scenario's overrides, and the teams."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from sim.responders import HOME_BASED_TIER, homes_by_post
from sim.tiers import TIERS, TierStandard

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.model import EmergencyModel
    from sim.scenarios.scenario import Scenario


def spread_teams(total: int, defaults: np.ndarray) -> np.ndarray:
    """Spread ``total`` teams over stations one at a time, larger default counts first."""
    counts = np.zeros(defaults.shape[0], dtype=np.int64)
    if defaults.shape[0] == 0:
        return counts
    order = np.lexsort((np.arange(defaults.shape[0]), -defaults))
    for k in range(total):
        counts[order[k % order.shape[0]]] += 1
    return counts


def resolve_tiers(scenario: Scenario) -> dict[str, TierStandard]:
    """Tier standards with the scenario's overrides applied."""
    tiers = {}
    for name, tier in TIERS.items():
        spec = getattr(scenario.forces, name)
        changes = {}
        if spec.turnout_min is not None:
            changes["turnout_s"] = spec.turnout_min * 60.0
        if spec.max_speed_kph is not None:
            changes["max_speed_kph"] = spec.max_speed_kph
        if spec.cruise_speed_kph is not None:
            changes["cruise_speed_kph"] = spec.cruise_speed_kph
        if spec.approach_km is not None:
            changes["approach_km"] = spec.approach_km
        if spec.night_capable is not None:
            changes["night_capable"] = spec.night_capable
        if spec.breathing_apparatus is not None:
            changes["breathing_apparatus"] = spec.breathing_apparatus
        tiers[name] = replace(tier, **changes)
    return tiers


def make_teams(model: EmergencyModel) -> list[RescueTeam]:
    """Create every team of ``model.team_class``, station by station in table order.

    A station's count is its ``teams`` column, unless the scenario's tier forces set
    ``teams_per_station`` (every station) or ``teams`` (the tier's total, spread by
    :func:`spread_teams`). Community responders start from their homes
    (:func:`sim.responders.responder_homes`), other teams from their station.
    """
    stations = model.network.places["stations"].reset_index(drop=True)
    counts = stations["teams"].to_numpy(dtype=np.int64).copy()
    for tier in model.tiers:
        spec = getattr(model.scenario.forces, tier)
        rows = np.nonzero((stations["tier"] == tier).to_numpy())[0]
        if spec.teams_per_station is not None:
            counts[rows] = spec.teams_per_station
        elif spec.teams is not None:
            counts[rows] = spread_teams(spec.teams, counts[rows])
    forces = model.scenario.forces
    extraction_s = {
        kind: minutes * 60.0 for kind, minutes in forces.extraction_min_per_person.items()
    }
    hoist_s = {"*": forces.hoist_min_per_person * 60.0}
    posts = np.flatnonzero((stations["tier"] == HOME_BASED_TIER).to_numpy() & (counts > 0))
    nodes = stations["node"].to_numpy(dtype=np.int64)
    homes = homes_by_post(model.network, nodes[posts], counts[posts])
    homes_of = dict(zip(posts.tolist(), homes, strict=True))
    teams: list[RescueTeam] = []
    for i, (row, count) in enumerate(zip(stations.itertuples(index=False), counts, strict=True)):
        spec = getattr(model.scenario.forces, row.tier)
        air = model.tiers[row.tier].travel == "air"
        starts = homes_of.get(i, [int(row.node)] * int(count))
        for k in range(int(count)):
            teams.append(
                model.team_class(
                    model,
                    tier=model.tiers[row.tier],
                    station_node=starts[k],
                    jurisdiction=model.network.jurisdiction_index(row.jurisdiction),
                    on_scene_s=spec.on_scene_min * 60.0,
                    name=f"{row.name}#{k + 1}",
                    carry_persons=spec.carry_persons,
                    extraction_s=hoist_s if air else extraction_s,
                    unload_s=forces.unload_min * 60.0,
                )
            )
    return teams
