"""The built-in region through the public API: routing, coverage, cache, CLI."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.cli.app import main
from sim.coverage import static_coverage
from sim.network import Router, load_network


@pytest.fixture(scope="module")
def fujiang():
    return load_network("fujiang")


def test_routing_equals_networkx_dijkstra(fujiang) -> None:
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        zip(
            fujiang.edge_source.tolist(),
            fujiang.edge_target.tolist(),
            fujiang.travel_time_s.tolist(),
            strict=True,
        )
    )
    router = Router(fujiang)
    rng = np.random.default_rng(5)
    for source in rng.choice(fujiang.n_nodes, size=6, replace=False):
        expected = nx.single_source_dijkstra_path_length(graph, int(source), weight="weight")
        tree = router.tree(np.array([source]))
        reached = np.nonzero(np.isfinite(tree.time_s))[0]
        assert set(reached.tolist()) == set(expected)
        ours = tree.time_s[list(expected)]
        np.testing.assert_allclose(ours, list(expected.values()), rtol=1e-12)
        # a followed route adds up to the tree time
        far = int(reached[np.argmax(tree.time_s[reached])])
        path = tree.path(far)
        edges = fujiang.edge_ids(path[:-1], path[1:])
        assert fujiang.travel_time_s[edges].sum() == pytest.approx(tree.time_s[far])


def test_second_load_comes_from_the_cache_file(fujiang, monkeypatch) -> None:
    from sim.files.cache import cache_dir
    from sim.regions import fujiang as generator

    cached = list(cache_dir().glob(f"fujiang-*-p{generator.DEFAULT_POPULATION}-*.npz"))
    assert len(cached) == 1, "the first load writes one compiled file to the cache folder"
    stamp = cached[0].stat().st_mtime_ns

    def no_generation(**kwargs):
        raise AssertionError("the region was generated again instead of read from the cache")

    monkeypatch.setattr(generator, "generate_fujiang", no_generation)
    again = load_network("fujiang")
    assert cached[0].stat().st_mtime_ns == stamp  # read, not rewritten
    np.testing.assert_array_equal(again.travel_time_s, fujiang.travel_time_s)
    pd.testing.assert_frame_equal(again.places["stations"], fujiang.places["stations"])
    # a damaged cache file is rebuilt (and the generator is needed again)
    cached[0].write_bytes(b"not a zip file")
    monkeypatch.undo()
    rebuilt = load_network("fujiang")
    np.testing.assert_array_equal(rebuilt.travel_time_s, fujiang.travel_time_s)


def test_joint_static_coverage_never_below_separate(fujiang) -> None:
    result = static_coverage(fujiang, fujiang.places["stations"], fujiang.node_population_persons)
    c = result.curve.set_index(["policy", "tier", "jurisdiction", "minutes"])["coverage_share"]
    joint = c.xs("joint", level="policy")
    separate = c.xs("separate", level="policy")
    assert (joint >= separate - 1e-12).all()
    # the whole curve is monotone in T
    for (_, tier, juris), group in result.curve.groupby(["policy", "tier", "jurisdiction"]):
        assert np.all(np.diff(group.sort_values("minutes")["coverage_share"]) >= 0), (tier, juris)
    total = result.curve["total_persons"][result.curve["jurisdiction"] == "all"].iloc[0]
    assert total == fujiang.node_population_persons.sum()


def test_sim_coverage_default_region(tmp_path, capsys) -> None:
    assert main(["coverage", "--out", str(tmp_path / "cov")]) == 0
    text = capsys.readouterr().out
    assert "Suining" in text and "Tongnan" in text and "community_10min" in text
    curve = pd.read_csv(tmp_path / "cov" / "coverage.csv")
    assert set(curve["policy"]) == {"separate", "joint"}
    assert set(curve["jurisdiction"]) == {"all", "Suining", "Tongnan"}
    assert (tmp_path / "cov" / "coverage.png").stat().st_size > 50_000


def test_links_at_nodes_match_the_whole_edge_table(fujiang) -> None:
    """Edge values from a few nodes equal the gather over every edge (gas plume steps)."""
    from sim.network.incidence import edge_any, edge_max, edges_at

    net = fujiang
    s, t = net.edge_source, net.edge_target
    rng = np.random.default_rng(3)
    value = np.where(rng.random(net.n_nodes) < 0.05, rng.random(net.n_nodes) * 80.0, 0.0)
    np.testing.assert_array_equal(edge_max(net, value), np.maximum(value[s], value[t]))
    mask = value > 40.0
    np.testing.assert_array_equal(edge_any(net, mask), mask[s] | mask[t])
    nodes = np.flatnonzero(mask)
    expected = np.flatnonzero(np.isin(s, nodes) | np.isin(t, nodes))
    np.testing.assert_array_equal(np.unique(edges_at(net, nodes)), expected)
    assert edges_at(net, np.zeros(0, dtype=np.int64)).size == 0
    assert not edge_max(net, np.zeros(net.n_nodes)).any()
