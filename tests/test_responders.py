"""Where teams set off from: community responders' homes, chosen by hand on the toy graph.

Toy coordinates (m, tests/conftest.py): 0 (0, 0), 1 (1000, 0), 2 (2000, 0), 3 (3000, 0),
4 (4000, 0), 5 (2000, 1000); A = 0, 1, 2, 5 and B = 3, 4; every node is populated.
Within 1.5 km of node 1 on side A, by distance then index: 1 (0 m), 0 (1000 m),
2 (1000 m), 5 (1414 m). Within 1.5 km of node 3 on side B: 3 (0 m), 4 (1000 m); node 2
(1000 m) is across the border.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.network import RoadNetwork, compile_region
from sim.responders import departure_nodes, homes_by_post, responder_homes
from sim.tiers import TIERS
from tests.conftest import toy_region


def test_homes_spread_over_the_distance_quantiles(toy: RoadNetwork) -> None:
    # responder k of n lives at position int((k + 0.5) / n * 4) of [1, 0, 2, 5]
    assert responder_homes(toy, 1, 1) == [2]  # the median home
    assert responder_homes(toy, 1, 2) == [0, 5]
    assert responder_homes(toy, 1, 4) == [1, 0, 2, 5]
    assert responder_homes(toy, 3, 1) == [4]  # never across the border


def test_homes_are_the_post_without_population(toy: RoadNetwork) -> None:
    unpeopled = compile_region(replace(toy_region(), node_population_persons=None))
    assert responder_homes(unpeopled, 1, 2) == [1, 1]
    empty_around = compile_region(
        replace(toy_region(), node_population_persons=np.array([0, 0, 0, 1, 1, 0]))
    )
    assert responder_homes(empty_around, 1, 1) == [1]


def test_departure_nodes_by_tier(toy: RoadNetwork) -> None:
    nodes, station = departure_nodes(toy, TIERS["community"], np.array([1, 3]), np.array([2, 1]))
    assert nodes.tolist() == [0, 5, 4] and station.tolist() == [0, 0, 1]
    # no teams column: one responder per post; zero teams still count one (a station)
    assert departure_nodes(toy, TIERS["community"], np.array([1]))[0].tolist() == [2]
    assert departure_nodes(toy, TIERS["community"], np.array([1]), np.array([0]))[0].tolist() == [2]
    # at the post when asked, and always for teams on duty at a station
    at_post = departure_nodes(toy, TIERS["community"], np.array([1]), responders_at_home=False)
    assert at_post[0].tolist() == [1]
    ground = departure_nodes(toy, TIERS["ground"], np.array([1, 3]), np.array([3, 2]))
    assert ground[0].tolist() == [1, 3] and ground[1].tolist() == [0, 1]


def test_many_posts_at_once_equal_one_by_one(toy: RoadNetwork) -> None:
    posts = np.array([0, 1, 2, 3, 4, 5, 1])
    for count in (1, 2, 3, 5):
        together = homes_by_post(toy, posts, np.full(posts.size, count))
        assert together == [responder_homes(toy, int(post), count) for post in posts]
    assert homes_by_post(toy, np.array([1]), np.array([0])) == [[]]
