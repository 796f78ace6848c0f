"""Shortest paths on the toy graph, checked against hand-computed times."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import NetworkError
from sim.network import RoadNetwork
from sim.network.routing import NO_NODE, Router, path_edges

INF = np.inf


def test_forward_tree_times_and_paths(toy: RoadNetwork) -> None:
    tree = Router(toy).tree(np.array([0]))
    # 0→1 100 s, 1→2 50 s (fast primary), 2→3 100, 3→4 100, 2→5 100
    np.testing.assert_allclose(tree.time_s, [0, 100, 150, 250, 350, 250])
    np.testing.assert_array_equal(tree.path(4), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(tree.path(5), [0, 1, 2, 5])
    assert tree.predecessor[0] == NO_NODE


def test_reverse_tree_gives_times_to_the_target(toy: RoadNetwork) -> None:
    tree = Router(toy).tree(np.array([0]), reverse=True)
    # 5→0 is 180 s one-way; 2→0 via 1 is 200 s (2→5→0 would be 280); 4→0 is 400 s
    np.testing.assert_allclose(tree.time_s, [0, 100, 200, 300, 400, 180])
    np.testing.assert_array_equal(tree.path(4), [4, 3, 2, 1, 0])  # travel order
    np.testing.assert_array_equal(tree.path(5), [5, 0])


def test_multi_source_nearest(toy: RoadNetwork) -> None:
    tree = Router(toy).tree(np.array([0, 3]))
    np.testing.assert_allclose(tree.time_s, [0, 100, 100, 0, 100, 200])
    np.testing.assert_array_equal(tree.source, [0, 0, 3, 3, 3, 3])


def test_closure_and_slowdown_without_copying_network(toy: RoadNetwork) -> None:
    router = Router(toy)
    before = toy.travel_time_s.copy()
    e12 = toy.edge_ids(np.array([1]), np.array([2]))
    router.close_edges(e12)
    tree = router.tree(np.array([0]))
    np.testing.assert_array_equal(tree.time_s, [0, 100, INF, INF, INF, INF])
    with pytest.raises(NetworkError, match="not reachable"):
        tree.path(4)
    router.set_weights(toy.travel_time_s)
    router.slow_edges(toy.edge_ids(np.array([0]), np.array([1])), 2.0)
    np.testing.assert_allclose(router.tree(np.array([0])).time_s, [0, 200, 250, 350, 450, 350])
    np.testing.assert_array_equal(toy.travel_time_s, before)  # the network is untouched
    assert router.network.csr().indices is toy.edge_target or np.shares_memory(
        router._forward.indices, toy.edge_target
    )


def test_cache_recomputes_only_after_weight_change(toy: RoadNetwork) -> None:
    router = Router(toy)
    first = router.tree(np.array([0]))
    assert router.tree(np.array([0])) is first
    version = router.version
    router.close_edges(np.array([0]))
    assert router.version == version + 1
    assert router.tree(np.array([0])) is not first


def test_matrix_with_cutoff(toy: RoadNetwork) -> None:
    m = Router(toy).matrix_s(np.array([0, 4]), limit_s=200.0)
    np.testing.assert_allclose(m[0], [0, 100, 150, INF, INF, INF])
    np.testing.assert_allclose(m[1], [INF, INF, 200, 100, 0, INF])


def test_route_and_path_edges(toy: RoadNetwork) -> None:
    nodes, time_s = Router(toy).route(4, 0)
    assert time_s == pytest.approx(400.0)
    edges = path_edges(toy, nodes)
    assert toy.travel_time_s[edges].sum() == pytest.approx(400.0)


def test_bad_sources_and_weights(toy: RoadNetwork) -> None:
    router = Router(toy)
    with pytest.raises(NetworkError, match="out of range"):
        router.tree(np.array([99]))
    with pytest.raises(NetworkError, match="at least one"):
        router.tree(np.array([], dtype=int))
    with pytest.raises(NetworkError, match="one value per edge"):
        router.set_weights(np.ones(3))
    with pytest.raises(NetworkError, match=">= 0"):
        router.set_weights(-np.ones(toy.n_edges))


def test_paths_for_many_nodes_match_single_paths(toy: RoadNetwork) -> None:
    router = Router(toy)
    for reverse in (False, True):
        tree = router.tree(np.array([0]), reverse=reverse)
        nodes = np.array([4, 5, 0, 2, 3])
        many = tree.paths(nodes)
        for node, path in zip(nodes, many, strict=True):
            np.testing.assert_array_equal(path, tree.path(int(node)))
    router.close_edges(toy.edge_ids(np.array([1]), np.array([2])))
    tree = router.tree(np.array([0]))
    flat, offsets = tree.paths_flat(np.array([1, 4]))
    np.testing.assert_array_equal(offsets, [0, 2, 2])  # node 4 unreachable: empty path
    np.testing.assert_array_equal(flat, [1, 0])


def test_tree_for_keeps_a_tree_while_it_holds_for_the_node(toy: RoadNetwork) -> None:
    router = Router(toy)
    first = router.tree_for(np.array([0]), 4)  # 0→1→2→3→4, 350 s
    # slowing 2→5, off node 4's path, keeps the tree for node 4 (no new Dijkstra)
    router.slow_edges(path_edges(toy, np.array([2, 5])), 2.0)
    assert router.tree_for(np.array([0]), 4) is first
    # node 5's path uses that link: a fresh tree with its new time, 150 + 2 x 100 s
    to_5 = router.tree_for(np.array([0]), 5)
    assert to_5 is not first and to_5.time_s[5] == pytest.approx(350.0)
    # a link got faster: any other path may now be shorter, so nothing older holds
    router.slow_edges(path_edges(toy, np.array([2, 5])), 0.5)
    again = router.tree_for(np.array([0]), 4)
    assert again is not first and again is not to_5
    assert again.time_s[4] == pytest.approx(350.0)


def test_tree_for_keeps_a_tree_while_the_nodes_source_remains(toy: RoadNetwork) -> None:
    router = Router(toy)
    both = router.tree_for(np.array([0, 3]), 4, reverse=True, family="targets")
    assert both.source[4] == 3 and both.time_s[4] == pytest.approx(100.0)
    # target 0 is dropped: node 4's nearest (3) is still a target, the tree holds
    assert router.tree_for(np.array([3]), 4, reverse=True, family="targets") is both
    # target 3 is dropped: node 4 must go on to 0, 4→3→2→1→0 = 400 s
    only_0 = router.tree_for(np.array([0]), 4, reverse=True, family="targets")
    assert only_0 is not both and only_0.time_s[4] == pytest.approx(400.0)


def _asked(
    router: Router,
    sources: np.ndarray,
    nodes: np.ndarray,
    reverse: bool,
    family: str,
    bounded: bool = False,
):
    """Ask ``tree_for`` for each node: yield (node, tree, True when no tree was grown)."""
    for node in nodes:
        before = len(router._cache)
        tree = router.tree_for(sources, int(node), reverse=reverse, family=family, bounded=bounded)
        yield node, tree, len(router._cache) == before


@pytest.mark.parametrize("bounded", [False, True])
def test_tree_for_matches_fresh_trees_as_roads_close_and_reopen(bounded: bool) -> None:
    from sim.network.sources import load_network

    net = load_network("fujiang")
    rng = np.random.default_rng(7)
    router = Router(net)
    sources = np.unique(rng.choice(net.n_nodes, 40, replace=False))
    reused = 0
    for step in range(8):
        # a hazard step: closures and slowdowns, and in every other step some links
        # reopen (faster again), so both of tree_for's reasons to grow anew are met
        weights = np.array(router.weights_s)
        weights[rng.choice(net.n_edges, 150, replace=False)] = np.inf
        weights[rng.choice(net.n_edges, 300, replace=False)] *= 1.5
        if step % 2:
            closed = np.flatnonzero(np.isinf(weights))
            back = rng.choice(closed, 40, replace=False)
            weights[back] = net.travel_time_s[back]
        router.set_weights(weights)
        sources = sources[rng.random(sources.size) > 0.1]  # some targets fill up
        for reverse in (True, False):
            fresh = Router(net, weights).tree(sources, reverse=reverse)
            nodes = rng.choice(net.n_nodes, 40, replace=False)
            for node, tree, kept in _asked(router, sources, nodes, reverse, "targets", bounded):
                reused += kept
                assert tree.time_s[node] == pytest.approx(fresh.time_s[node], abs=1e-6)
                if np.isfinite(fresh.time_s[node]):
                    source = tree.source[node]
                    assert source in sources and fresh.time_s[source] == 0.0
                    path = tree.path(node)
                    cost = weights[path_edges(net, path)].sum()
                    assert cost == pytest.approx(fresh.time_s[node], abs=1e-6)
    assert reused > 200  # the point: most questions need no new Dijkstra


def test_tree_for_matches_fresh_trees_as_sources_come_and_go() -> None:
    """Shelters fill up and get room again: a tree is kept for a node only while no
    source added since can be nearer (straight line at the fastest link's speed)."""
    from sim.network.sources import load_network

    net = load_network("fujiang")
    rng = np.random.default_rng(11)
    router = Router(net)
    pool = np.unique(rng.choice(net.n_nodes, 80, replace=False))
    on = rng.random(pool.size) < 0.5
    reused = 0
    for step in range(12):
        on ^= rng.random(pool.size) < 0.15  # some fill up, some have room again
        if step % 4 == 3:  # and now and then the roads change
            weights = np.array(router.weights_s)
            weights[rng.choice(net.n_edges, 100, replace=False)] *= 1.5
            router.set_weights(weights)
        sources = pool[on]
        fresh = Router(net, router.weights_s).tree(sources, reverse=True)
        nodes = rng.choice(net.n_nodes, 40, replace=False)
        for node, tree, kept in _asked(router, sources, nodes, True, "shelters"):
            reused += kept
            assert tree.time_s[node] == pytest.approx(fresh.time_s[node], abs=1e-6)
            if np.isfinite(fresh.time_s[node]):
                assert tree.source[node] in sources
    assert reused > 100


def test_a_new_source_at_the_node_itself_is_found_with_every_link_closed(
    toy: RoadNetwork,
) -> None:
    router = Router(toy, np.full(toy.n_edges, np.inf))
    cut_off = router.tree_for(np.array([4]), 0, reverse=True, family="shelters")
    assert np.isinf(cut_off.time_s[0])
    here = router.tree_for(np.array([4, 0]), 0, reverse=True, family="shelters")
    assert here.time_s[0] == 0.0 and here.source[0] == 0


def test_faster_since_tells_whether_any_link_got_faster(toy: RoadNetwork) -> None:
    router = Router(toy)
    start = router.version
    e12 = toy.edge_ids(np.array([1]), np.array([2]))
    router.close_edges(e12)  # slower only
    assert not router.faster_since(start)
    closed = router.version
    router.set_weights(toy.travel_time_s)  # reopened: faster than at `closed`
    assert router.faster_since(closed)
    assert not router.faster_since(router.version)


def test_a_tree_without_some_sources_equals_a_fresh_one() -> None:
    """Sources that leave (shelters filling up, teams sent out) are taken out of a tree
    by a Dijkstra over their cells only: the same times as a fresh tree, exactly, and
    every predecessor is a shortest-path step (time = its predecessor's + the link)."""
    from sim.network.repair import without_sources
    from sim.network.sources import load_network

    net = load_network("fujiang")
    rng = np.random.default_rng(5)
    router = Router(net)
    weights = np.asarray(router.weights_s)
    for reverse in (False, True):
        sources = np.unique(rng.choice(net.n_nodes, 120, replace=False)).astype(np.int32)
        tree = router.tree(sources, reverse=reverse)
        for n_gone in (1, 5, 30):
            gone = np.zeros(net.n_nodes, dtype=bool)
            gone[rng.choice(sources, n_gone, replace=False)] = True
            fewer = without_sources(net, weights, tree, gone)
            fresh = Router(net).tree(sources[~gone[sources]], reverse=reverse)
            np.testing.assert_array_equal(fewer.time_s, fresh.time_s)
            v = np.flatnonzero(fewer.predecessor != NO_NODE)
            u = fewer.predecessor[v]
            links = net.edge_ids(v, u) if reverse else net.edge_ids(u, v)
            np.testing.assert_array_equal(fewer.time_s[v], fewer.time_s[u] + weights[links])
            np.testing.assert_array_equal(fewer.source[v], fewer.source[u])
            assert not gone[fewer.source[fewer.source != NO_NODE]].any()
            assert (fewer.source[np.isinf(fewer.time_s)] == NO_NODE).all()
        # most of the map changing hands: a fresh tree is cheaper, so none is made
        most = np.zeros(net.n_nodes, dtype=bool)
        most[sources[:-1]] = True
        assert without_sources(net, weights, tree, most) is None


def test_tree_without_a_source_on_the_toy(toy: RoadNetwork) -> None:
    """Nodes 0 and 4 are sources; 4 leaves: 3 and 4 are reached from 0 (by hand:
    0→1 100 s, 1→2 50 s on the primary, 2→3 100 s, 3→4 100 s), and with 0 gone too
    nothing is reached."""
    from sim.network.repair import without_sources

    router = Router(toy)
    weights = np.asarray(router.weights_s)
    tree = router.tree(np.array([0, 4]))
    gone = np.zeros(toy.n_nodes, dtype=bool)
    gone[4] = True
    fewer = without_sources(toy, weights, tree, gone, max_share=1.0)
    np.testing.assert_array_equal(fewer.time_s, [0.0, 100.0, 150.0, 250.0, 350.0, 250.0])
    assert fewer.source.tolist() == [0] * 6
    assert fewer.path(4).tolist() == [0, 1, 2, 3, 4]
    gone[0] = True
    none = without_sources(toy, weights, tree, gone, max_share=1.0)
    assert np.isinf(none.time_s).all() and (none.source == NO_NODE).all()


def test_tree_for_takes_leaving_sources_out_without_a_dijkstra_over_the_map(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scipy.sparse import csgraph

    from sim.network.sources import load_network

    net = load_network("fujiang")
    router = Router(net)
    sources = np.unique(np.random.default_rng(2).choice(net.n_nodes, 60, replace=False))
    node = int(np.flatnonzero(np.isfinite(router.tree(sources, reverse=True).time_s))[0])
    first = router.tree_for(sources, node, reverse=True, family="shelters")
    sizes = []
    dijkstra = csgraph.dijkstra

    def counted(matrix, *args, **kwargs):
        sizes.append(matrix.shape[0])
        return dijkstra(matrix, *args, **kwargs)

    monkeypatch.setattr(csgraph, "dijkstra", counted)
    nearest = first.source[node]
    fewer = router.tree_for(sources[sources != nearest], node, reverse=True, family="shelters")
    assert sizes and max(sizes) < net.n_nodes / 2  # the cell of the one that left
    fresh = Router(net).tree(sources[sources != nearest], reverse=True)
    assert fewer.time_s[node] == fresh.time_s[node]


def test_hazard_costs_that_move_give_the_weights_of_a_full_recompute(toy: RoadNetwork) -> None:
    """A plume moving on changes a few links' costs each step: the routers get exactly
    the weights that computing every link again gives, and a version only on change."""
    from sim.engine.roads import RoadState
    from sim.tiers import TIERS

    rng = np.random.default_rng(4)
    roads = RoadState(toy, walk_speed_m_per_s=1.2, tiers=dict(TIERS))
    closed = np.zeros(toy.n_edges, dtype=bool)
    closed[2] = True
    roads.set_closures("lethal", closed, closed, teams=False)
    roads.set_costs("smoke", np.full(toy.n_edges, 7.0), np.full(toy.n_edges, 9.0))
    for _ in range(5):
        costs = np.where(rng.random(toy.n_edges) < 0.4, rng.random(toy.n_edges) * 50.0, 0.0)
        before = roads.router("walk").version
        roads.set_costs("plume", costs, 2.0 * costs)
        fresh = RoadState(toy, walk_speed_m_per_s=1.2, tiers=dict(TIERS))
        fresh.set_closures("lethal", closed, closed, teams=False)
        fresh.set_costs("smoke", np.full(toy.n_edges, 7.0), np.full(toy.n_edges, 9.0))
        fresh.set_costs("plume", costs, 2.0 * costs)
        for mode in ("vehicle", "walk"):
            np.testing.assert_array_equal(
                roads.router(mode).weights_s, fresh.router(mode).weights_s
            )
        assert roads.router("walk").version == before + 1
        assert np.isinf(roads.router("vehicle").weights_s[2])
    same = roads.router("walk").version
    roads.set_costs("plume", costs, 2.0 * costs)  # nothing moved: trees are kept
    assert roads.router("walk").version == same
    # a link that got cheaper counts as faster (older trees are checked against it)
    router = Router(toy)
    router.update_weights(np.array([0, 1]), np.array([1.0, router.weights_s[1] + 5.0]))
    assert router.faster_since(1) and router.weights_s[0] == 1.0
    v = router.version
    router.update_weights(np.array([0]), np.array([1.0]))
    assert router.version == v and not router.faster_since(v)


def test_closures_that_change_give_every_router_the_weights_of_a_full_recompute(
    toy: RoadNetwork,
) -> None:
    """Flood water rising and falling, a scripted closure, a lethal plume (closed to the
    public and to community responders, who have no breathing apparatus), a cordon
    (public only): only the links whose closure changed get new weights, and every
    router (public, boats, road tiers) ends with exactly the weights a fresh road state
    has, its version moving only when they changed."""
    from sim.engine.roads import RoadState
    from sim.tiers import TIERS

    rng = np.random.default_rng(11)
    roads = RoadState(toy, walk_speed_m_per_s=1.2, tiers=dict(TIERS))
    roads.set_costs("plume", rng.random(toy.n_edges) * 20.0)
    masks: dict[str, tuple[np.ndarray, np.ndarray, bool, np.ndarray | None]] = {}
    sources = [("flood", True, False), ("script", True, False)]
    sources += [("lethal", False, True), ("cordon", False, False)]
    for step in range(16):
        name, teams, unbreathable = sources[step % 4]
        vehicle = rng.random(toy.n_edges) < 0.3
        walk = vehicle & (rng.random(toy.n_edges) < 0.7)
        versions = {mode: r.version for mode, r in roads.routers.items()}
        weights = {mode: r.weights_s.copy() for mode, r in roads.routers.items()}
        # a lethal plume: unbreathable where the public is kept out, and on more links
        lethal = vehicle | (rng.random(toy.n_edges) < 0.2) if unbreathable else None
        roads.set_closures(name, vehicle, walk, teams=teams, unbreathable=lethal)
        masks[name] = (vehicle, walk, teams, lethal)
        fresh = RoadState(toy, walk_speed_m_per_s=1.2, tiers=dict(TIERS))
        fresh.set_costs("plume", roads._costs["plume"][0])
        for other, (v, w, t, u) in masks.items():
            fresh.set_closures(other, v, w, teams=t, unbreathable=u)
        for mode, router in roads.routers.items():
            np.testing.assert_array_equal(router.weights_s, fresh.router(mode).weights_s)
            moved = not np.array_equal(router.weights_s, weights[mode])
            assert router.version == versions[mode] + moved, mode
        np.testing.assert_array_equal(roads.closed_walk, fresh.closed_walk)
    # water on a link closes it to road teams; boats pass it at boat speed, not faster
    flood_only = masks["flood"][0] & ~masks["script"][0]
    boat = roads.router("boat").weights_s
    assert np.all(boat[flood_only] >= toy.travel_time_s[flood_only])
    assert np.isfinite(boat[flood_only]).all() and np.isinf(boat[masks["script"][0]]).all()
    # links open to teams: half in a lethal plume, closed to community responders and
    # open to ground teams; the other half cordoned, open to both
    teams_closed = masks["flood"][0] | masks["script"][0]
    open_edges = np.flatnonzero(~teams_closed)
    assert open_edges.size >= 2
    lethal_only, cordon_only = (np.zeros(toy.n_edges, dtype=bool) for _ in range(2))
    lethal_only[open_edges[::2]] = True
    cordon_only[open_edges[1::2]] = True
    roads.set_closures("lethal", lethal_only, lethal_only, unbreathable=lethal_only)
    roads.set_closures("cordon", cordon_only, cordon_only, teams=False)
    assert np.isinf(roads.router("community").weights_s[lethal_only]).all()
    assert np.isfinite(roads.router("ground").weights_s[lethal_only | cordon_only]).all()
    assert np.isfinite(roads.router("community").weights_s[cordon_only]).all()
