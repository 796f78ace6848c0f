"""Static 10/30/60-minute coverage: who lives within reach of each rescue tier today.

Static coverage at T for tier k is the share of residents whose home node is within
T minutes of a tier-k team (turnout included), per jurisdiction and overall, under
a dispatch policy:

- ``separate``: each side's residents are served only by its own stations;
- ``joint``: any station serves anyone (the nearest one, regardless of the border).

Teams set off from where the engine starts them (:mod:`sim.responders`):

- **community** responders are residents and leave from home, not from their post: a
  node's time from a post is the time from the nearest of the post's responders'
  homes (one per responder, the ``teams`` column of the stations, default 1), by road
  on the tier's weights, plus turnout. ``responders_at_home=False`` routes them from
  the post instead (the older, flattering figure: a village incident at the post's own
  node then costs the turnout only);
- **ground** teams drive from their station;
- **aviation** flies straight from its base: turnout (launch) plus the tier's
  ``approach_km`` (from the real base, off the map, to the station's map point) plus
  the straight distance, at cruise speed. The default tiers have no approach; a
  scenario's (:func:`sim.engine.forces.resolve_tiers`, ``sim coverage --scenario``) may.

The joint time of a node is the minimum of the per-side station times, so a policy
comparison costs one multi-source Dijkstra per tier and side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.network.compiled import RoadNetwork
from sim.network.routing import Router
from sim.responders import departure_nodes
from sim.tiers import TIERS, TierStandard

#: Dispatch policies static coverage compares.
STATIC_POLICIES: tuple[str, ...] = ("separate", "joint")
#: Minutes of the coverage curve.
CURVE_MINUTES: np.ndarray = np.arange(0, 121, dtype=np.int64)


@dataclass(frozen=True, kw_only=True, eq=False)
class CoverageResult:
    """Static coverage of a network.

    Attributes
    ----------
    curve
        One row per (policy, tier, jurisdiction, minutes) with ``covered_persons``,
        ``total_persons`` and ``coverage_share``; ``jurisdiction`` is ``"all"`` overall.
    time_s
        ``{(policy, tier): per-node response time in seconds}`` (turnout included,
        ``inf`` where no station reaches).
    tiers
        The tier standards used, by name.
    population_assumed
        True when persons were spread evenly over nodes for lack of population data.
    responders_at_home
        True when community responders were routed from their homes (the default),
        False when from their post.
    """

    curve: pd.DataFrame
    time_s: dict[tuple[str, str], np.ndarray]
    tiers: dict[str, TierStandard]
    population_assumed: bool = False
    responders_at_home: bool = True

    def within(self, minutes: float) -> pd.DataFrame:
        """Rows of :attr:`curve` at ``minutes``."""
        return self.curve[self.curve["minutes"] == minutes].reset_index(drop=True)

    def headline(self) -> pd.DataFrame:
        """Return the 10/30/60 table: rows (policy, jurisdiction), a column per tier."""
        parts = []
        for name, tier in self.tiers.items():
            rows = self.curve[
                (self.curve["tier"] == name) & (self.curve["minutes"] == tier.standard_min)
            ]
            parts.append(
                rows.set_index(["policy", "jurisdiction"])["coverage_share"].rename(
                    f"{name}_{tier.standard_min:g}min"
                )
            )
        return pd.concat(parts, axis=1).reset_index()


def station_times_s(
    network: RoadNetwork,
    station_nodes: np.ndarray,
    tier: TierStandard,
    *,
    teams: np.ndarray | None = None,
    responders_at_home: bool = True,
    router: Router | None = None,
    limit_s: float = np.inf,
) -> np.ndarray:
    """Response time in seconds from the nearest of ``station_nodes`` to every node.

    Road tiers travel the network (speeds capped at ``tier.max_speed_kph``) from where
    their teams set off (:func:`sim.responders.departure_nodes`: community responders
    from their homes); air tiers fly straight at ``tier.cruise_speed_kph``, plus
    ``tier.approach_km`` from the real base. ``tier.turnout_s`` is added. With no
    stations every time is ``inf``.

    Parameters
    ----------
    network
        The road network.
    station_nodes
        Node of each station of the tier.
    tier
        The tier's standard.
    teams
        Teams of each station (community: one home per responder); None is one each.
    responders_at_home
        False routes community responders from their post.
    router
        A router on :func:`tier_weights_s` of ``tier`` (built when None).
    limit_s
        Times beyond this may be returned as ``inf`` (road tiers stop searching there).
    """
    station_nodes = np.asarray(station_nodes, dtype=np.int64)
    if station_nodes.size == 0:
        return np.full(network.n_nodes, np.inf)
    if tier.travel == "air":
        return tier.turnout_s + flight_m(network, station_nodes, tier) / (
            tier.cruise_speed_kph / 3.6
        )
    origins, _ = departure_nodes(
        network, tier, station_nodes, teams, responders_at_home=responders_at_home
    )
    if router is None:
        router = Router(network, tier_weights_s(network, tier))
    travel_s = router.nearest_time_s(origins, limit_s=max(limit_s - tier.turnout_s, 0.0))
    return tier.turnout_s + travel_s


def flight_m(network: RoadNetwork, base_nodes: np.ndarray, tier: TierStandard) -> np.ndarray:
    """Distance flown from the nearest of ``base_nodes`` to every node, m.

    The straight line from the base's map point plus ``tier.approach_km`` (the flight
    from the real base to that point).
    """
    from scipy.spatial import cKDTree

    bases = np.column_stack([network.x_m[base_nodes], network.y_m[base_nodes]])
    distance_m, _ = cKDTree(bases).query(np.column_stack([network.x_m, network.y_m]))
    return tier.approach_km * 1000.0 + distance_m


def tier_weights_s(network: RoadNetwork, tier: TierStandard) -> np.ndarray:
    """Per-edge travel times for a road tier (free-flow, capped at its top speed)."""
    if tier.max_speed_kph is None:
        return network.travel_time_s
    speed_kph = np.minimum(network.speed_kph, tier.max_speed_kph)
    return np.maximum(network.length_m / (speed_kph / 3.6), network.travel_time_s)


def static_coverage(
    network: RoadNetwork,
    stations: pd.DataFrame,
    population_persons: np.ndarray | None = None,
    *,
    policies: tuple[str, ...] = STATIC_POLICIES,
    tiers: dict[str, TierStandard] | None = None,
    minutes: np.ndarray = CURVE_MINUTES,
    responders_at_home: bool = True,
) -> CoverageResult:
    """Coverage of residents by each tier's stations, per jurisdiction and overall.

    Parameters
    ----------
    network
        The road network.
    stations
        Table with columns ``tier``, ``node`` and ``jurisdiction`` (a name of the network's),
        optionally ``teams`` (community: responders per post, one home each; default 1).
    population_persons
        Residents per node; None spreads one person per node (``population_assumed``).
    policies
        Any of ``"separate"``, ``"joint"``.
    tiers
        Tier standards by name (default :data:`sim.tiers.TIERS`).
    minutes
        Thresholds of the coverage curve; each tier's standard is always added.
    responders_at_home
        True (default, as the engine does): community responders set off from their
        homes near the post; False: from the post itself.

    Returns
    -------
    CoverageResult
    """
    tiers = TIERS if tiers is None else tiers
    minutes = np.union1d(minutes, [t.standard_min for t in tiers.values()])
    for policy in policies:
        if policy not in STATIC_POLICIES:
            raise InputError(f"unknown policy {policy!r}; valid: {', '.join(STATIC_POLICIES)}")
    assumed = population_persons is None
    population = (
        np.ones(network.n_nodes) if assumed else np.asarray(population_persons, dtype=np.float64)
    )
    if population.shape != (network.n_nodes,):
        raise InputError(
            f"population has {population.shape[0]} values, the network {network.n_nodes} nodes"
        )
    limit_s = float(np.max(minutes)) * 60.0
    juris = network.jurisdiction
    n_juris = len(network.jurisdiction_names)
    station_juris = np.array(
        [network.jurisdiction_index(j) for j in stations["jurisdiction"]], dtype=np.int64
    )
    nodes = stations["node"].to_numpy(dtype=np.int64)
    teams = stations["teams"].to_numpy(dtype=np.int64) if "teams" in stations else None
    times: dict[tuple[str, str], np.ndarray] = {}
    for name, tier in tiers.items():
        of_tier = (stations["tier"] == name).to_numpy()
        router = Router(network, tier_weights_s(network, tier)) if tier.travel == "road" else None
        per_side = [
            station_times_s(
                network,
                nodes[of_tier & (station_juris == j)],
                tier,
                teams=None if teams is None else teams[of_tier & (station_juris == j)],
                responders_at_home=responders_at_home,
                router=router,
                limit_s=limit_s,
            )
            for j in range(n_juris)
        ]
        if "joint" in policies:
            times[("joint", name)] = np.minimum.reduce(per_side)
        if "separate" in policies:
            separate = np.full(network.n_nodes, np.inf)
            for j in range(n_juris):
                separate[juris == j] = per_side[j][juris == j]
            times[("separate", name)] = separate

    rows = []
    groups = [("all", np.ones(network.n_nodes, dtype=bool))] + [
        (network.jurisdiction_names[j], juris == j) for j in range(n_juris)
    ]
    for (policy, tier_name), time_s in times.items():
        for label, mask in groups:
            covered = coverage_curve(time_s[mask], population[mask], minutes)
            total = float(population[mask].sum())
            for m, c in zip(minutes, covered, strict=True):
                rows.append((policy, tier_name, label, float(m), c, total))
    curve = pd.DataFrame(
        rows,
        columns=["policy", "tier", "jurisdiction", "minutes", "covered_persons", "total_persons"],
    )
    curve["coverage_share"] = np.where(
        curve["total_persons"] > 0,
        curve["covered_persons"] / curve["total_persons"].clip(lower=1e-300),
        0.0,
    )
    return CoverageResult(
        curve=curve,
        time_s=times,
        tiers=dict(tiers),
        population_assumed=assumed,
        responders_at_home=responders_at_home,
    )


def coverage_curve(time_s: np.ndarray, persons: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """Persons with ``time_s <= minutes * 60`` for each threshold (vectorised)."""
    order = np.argsort(time_s, kind="stable")
    cumulative = np.concatenate(([0.0], np.cumsum(persons[order])))
    count = np.searchsorted(time_s[order], np.asarray(minutes, float) * 60.0, side="right")
    return cumulative[count]
