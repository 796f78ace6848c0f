"""Trees grown only as far as one node needs (``sim.network.reach``), on the toy graph.

Toy times (see ``conftest.toy_region``): 0→1 100 s, 1→2 50 s on the primary, 2→3 and
3→4 100 s each, so from node 0: 1 at 100 s, 2 at 150, 3 at 250, 4 at 350, 5 at 250.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.network import RoadNetwork
from sim.network.reach import FLOOR_S, GROWTH, exhausted, grow_enough
from sim.network.routing import Router, path_edges

INF = np.inf


def _grown(router: Router, sources: np.ndarray, reverse: bool = False):
    """A ``grow`` for :func:`grow_enough` that records the limits it was asked for."""
    limits: list[float] = []

    def grow(limit_s: float):
        limits.append(limit_s)
        return router.tree(sources, reverse=reverse, limit_s=limit_s)

    return grow, limits


def test_a_node_within_the_first_limit_takes_one_small_tree(toy: RoadNetwork) -> None:
    router = Router(toy)
    router.slow_edges(np.arange(toy.n_edges), 10.0)  # node 4 at 3,500 s, node 1 at 1,000 s
    grow, limits = _grown(router, np.array([0]))
    # least time 150 s given: first limit max(4 x 150, 600) = 600 s; node 1 lies beyond
    # it, so the next is 2,400 s, which holds node 1 (1,000 s) but not node 3 (2,500 s)
    tree = grow_enough(grow, 1, 150.0, toy, router.weights_s)
    assert limits == [FLOOR_S, FLOOR_S * GROWTH]
    assert tree.limit_s == 2400.0
    np.testing.assert_allclose(tree.time_s, [0, 1000, 1500, INF, INF, INF])
    np.testing.assert_array_equal(tree.path(2), [0, 1, 2])


def test_a_far_node_gets_the_whole_tree_after_two_tries(toy: RoadNetwork) -> None:
    router = Router(toy)
    router.slow_edges(np.arange(toy.n_edges), 10.0)
    grow, limits = _grown(router, np.array([0]))
    tree = grow_enough(grow, 4, 100.0, toy, router.weights_s)
    assert limits == [600.0, 2400.0, INF]
    assert tree.limit_s == INF
    assert tree.time_s[4] == 3500.0
    np.testing.assert_array_equal(tree.path(4), [0, 1, 2, 3, 4])


def test_a_search_that_runs_out_of_links_proves_the_node_cut_off(toy: RoadNetwork) -> None:
    router = Router(toy)
    router.close_edges(toy.edge_ids(np.array([1, 1]), np.array([2, 2])))  # both 1→2 links
    grow, limits = _grown(router, np.array([0]))
    tree = grow_enough(grow, 4, 100.0, toy, router.weights_s)
    assert limits == [600.0]  # reached 0 and 1, and no open link leads on: no 2nd try
    assert tree.limit_s == INF  # complete: inf means unreachable now
    np.testing.assert_array_equal(tree.time_s, [0, 100, INF, INF, INF, INF])


def test_exhausted_follows_links_backwards_for_reverse_trees(toy: RoadNetwork) -> None:
    router = Router(toy)
    # to node 0 within 150 s: 1 (100 s) and 5 (180 s, beyond); 2→1 is open, so not done
    tree = router.tree(np.array([0]), reverse=True, limit_s=150.0)
    np.testing.assert_array_equal(np.isfinite(tree.time_s), [1, 1, 0, 0, 0, 0])
    assert not exhausted(tree, toy, router.weights_s)
    full = router.tree(np.array([0]), reverse=True, limit_s=1000.0)
    assert exhausted(full, toy, router.weights_s)


def test_tree_for_grows_anew_for_a_node_beyond_a_bounded_trees_limit(toy: RoadNetwork) -> None:
    router = Router(toy)
    router.slow_edges(np.arange(toy.n_edges), 10.0)
    source = np.array([0])
    # node 1: chord 1,000 m at the fastest 2 m/s (the primary, 1,000 m in 500 s) is
    # 500 s at least, so the first limit is 2,000 s: nodes 0, 1, 2 (1,500 s) are in it
    first = router.tree_for(source, 1, bounded=True)
    assert first.limit_s == 2000.0 and first.time_s[1] == 1000.0
    assert router.tree_for(source, 2, bounded=True) is first  # within its limit: kept
    far = router.tree_for(source, 4, bounded=True)  # 3,500 s: beyond it, grown again
    assert far is not first and far.time_s[4] == 3500.0
    # an unbounded family keeps treating inf as "unreachable" within its own limit
    limited = router.tree_for(source, 1, limit_s=1200.0)
    assert router.tree_for(source, 4, limit_s=1200.0) is limited


def test_bounded_trees_give_the_times_and_routes_of_whole_ones() -> None:
    from sim.network.sources import load_network

    net = load_network("fujiang")
    rng = np.random.default_rng(11)
    weights = net.travel_time_s.copy()
    weights[rng.choice(net.n_edges, 2000, replace=False)] = np.inf  # a few cut-off pockets
    router, fresh = Router(net, weights), Router(net, weights)
    pairs = rng.choice(net.n_nodes, (60, 2), replace=False)
    cut_off = 0
    for origin, target in pairs:
        for reverse in (False, True):
            source, node = (target, origin) if reverse else (origin, target)
            tree = router.tree_for(np.array([source]), node, reverse=reverse, bounded=True)
            whole = fresh.tree(np.array([source]), reverse=reverse)
            assert tree.time_s[node] == pytest.approx(whole.time_s[node], abs=1e-6)
            if np.isfinite(whole.time_s[node]):
                cost = weights[path_edges(net, tree.path(node))].sum()
                assert cost == pytest.approx(whole.time_s[node], abs=1e-6)
            else:
                cut_off += 1
    assert cut_off > 0  # the unreachable case was asked too
