"""Where teams set off from: community responders at home, other teams at their station.

Community responders (群防员, ``docs/DOMAIN.md``) are residents, not a crew on duty
at the post: the engine starts each of them at a home near the post
(:func:`responder_homes`) and static coverage (:mod:`sim.coverage`, :mod:`sim.siting`)
routes them from the same homes (:func:`departure_nodes`). Only the road network is
read here, so the engine and the static analyses share one answer without either
importing the other.
"""

from __future__ import annotations

import numpy as np

from sim.network.compiled import RoadNetwork
from sim.tiers import TierStandard

#: Community responders live within this distance of their post (a village's homes), m.
RESPONDER_HOME_RADIUS_M = 1_500.0
#: The tier whose teams are residents who set off from home.
HOME_BASED_TIER = "community"


def responder_homes(network: RoadNetwork, post: int, count: int) -> list[int]:
    """Home nodes of the ``count`` community responders of the post at node ``post``.

    They live at populated nodes of the post's side within
    :data:`RESPONDER_HOME_RADIUS_M` (straight-line distance), spread over the distance
    quantiles: responder ``k`` of ``count`` lives at the home ``(k + 0.5) / count`` of
    the way through those nodes ordered by distance, then node index (one responder: the
    home at the median distance). Without population data, or without a populated node
    there, they live at the post. Many posts at once: :func:`homes_by_post`.

    Parameters
    ----------
    network
        The road network (its ``node_population_persons``, coordinates, jurisdictions).
    post
        Node of the community post.
    count
        Number of responders of the post.

    Returns
    -------
    list of int
        ``count`` home nodes, one per responder in order (a node may repeat).
    """
    return homes_by_post(network, np.array([post]), np.array([count]))[0]


def homes_by_post(network: RoadNetwork, posts: np.ndarray, counts: np.ndarray) -> list[list[int]]:
    """:func:`responder_homes` of each of ``posts`` (with ``counts`` responders each).

    One k-d tree of the populated nodes finds each post's neighbours, so many posts
    cost about as much as one; the distances that decide are computed exactly as for
    one post.
    """
    posts = np.asarray(posts, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    people = network.node_population_persons
    populated = np.array([], dtype=np.int64) if people is None else np.flatnonzero(people > 0)
    if populated.size == 0 or posts.size == 0:
        return [[int(post)] * int(count) for post, count in zip(posts, counts, strict=True)]
    from scipy.spatial import cKDTree

    xy = np.column_stack([network.x_m, network.y_m])
    tree = cKDTree(xy[populated])
    # a hair wider than the radius: the exact test below decides who is within it
    found = tree.query_ball_point(xy[posts], RESPONDER_HOME_RADIUS_M * (1 + 1e-9) + 1e-6)
    homes = []
    for post, count, hits in zip(posts, counts, found, strict=True):
        near = populated[np.asarray(hits, dtype=np.int64)]
        distance_m = np.hypot(
            network.x_m[near] - network.x_m[post], network.y_m[near] - network.y_m[post]
        )
        keep = (distance_m <= RESPONDER_HOME_RADIUS_M) & (
            network.jurisdiction[near] == network.jurisdiction[post]
        )
        near, distance_m = near[keep], distance_m[keep]
        if near.size == 0:
            homes.append([int(post)] * int(count))
            continue
        near = near[np.lexsort((near, distance_m))]
        picks = ((np.arange(count) + 0.5) / count * near.size).astype(np.int64)
        homes.append([int(near[k]) for k in picks])
    return homes


def departure_nodes(
    network: RoadNetwork,
    tier: TierStandard,
    station_nodes: np.ndarray,
    teams: np.ndarray | None = None,
    *,
    responders_at_home: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes the teams of each station set off from, as static coverage routes them.

    Community posts (``tier.name == "community"``, with ``responders_at_home``) send
    their responders from home: one node per responder (:func:`responder_homes`).
    Every other station sends its teams from the station node, once (more teams at one
    node do not arrive sooner).

    Parameters
    ----------
    network
        The road network.
    tier
        The tier of every station.
    station_nodes
        Node of each station.
    teams
        Teams of each station (at least one is counted: static coverage counts
        stations); None is one each.
    responders_at_home
        False routes community responders from their post, as if on duty there.

    Returns
    -------
    nodes, station
        Departure nodes (int64) and the position in ``station_nodes`` each belongs to,
        in station order.
    """
    station_nodes = np.asarray(station_nodes, dtype=np.int64)
    if not (responders_at_home and tier.name == HOME_BASED_TIER):
        return station_nodes, np.arange(station_nodes.size, dtype=np.int64)
    counts = (
        np.ones(station_nodes.size, dtype=np.int64)
        if teams is None
        else np.maximum(np.asarray(teams, dtype=np.int64), 1)
    )
    nodes = [node for homes in homes_by_post(network, station_nodes, counts) for node in homes]
    return np.array(nodes, dtype=np.int64), np.repeat(
        np.arange(station_nodes.size, dtype=np.int64), counts
    )
