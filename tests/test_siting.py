"""Location models: OR-Library optima, hand-checked instances, bounds, bad inputs."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from sim.siting import (
    InfeasibleSitingError,
    SitingError,
    maximal_covering,
    p_median,
    read_orlib_pmed,
    set_covering,
)
from sim.siting.core import BOUND_SOURCES
from sim.siting.milp import pmedian_milp
from sim.siting.pmedian import Pairs

METHODS = ["milp", "greedy+swap", "auto"]

#: Copies of shared/validation/orlib-pmed pmed1-5 and their optima (see its README.md).
ORLIB = Path(__file__).parent / "data" / "orlib"


# ------------------------------------------------------------------------ OR-Library


def _orlib_optima() -> dict[str, int]:
    # pmedopt.txt: a header line "Data file   Optimal solution value", then "pmedN value"
    optima = {}
    for line in (ORLIB / "pmedopt.txt").read_text().splitlines()[1:]:
        if line.strip():
            name, value = line.split()
            optima[name] = int(value)
    return optima


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_orlib_pmedian_milp_matches_published_optimum(k: int) -> None:
    expected = _orlib_optima()[f"pmed{k}"]
    distance, p = read_orlib_pmed(ORLIB / f"pmed{k}.txt")
    n = len(distance)
    assert distance.shape == (n, n) and np.all(np.diag(distance) == 0)

    result = p_median(distance, np.ones(n), p=p, method="milp")
    assert result.objective == expected
    assert result.bound == expected and result.gap == 0.0
    assert (result.status, result.method) == ("optimal", "milp")
    assert len(result.selected) == p
    assert np.all(np.isin(result.assignment, result.selected))
    assert distance[result.assignment, np.arange(n)].sum() == expected

    # the bare formulation, without heuristic or reduced-cost fixing, agrees
    pairs = Pairs.from_dense(distance)
    bare = pmedian_milp(pairs, np.ones(n), np.zeros(0, dtype=np.int64), p, 60.0)
    assert bare.status == "optimal"
    assert distance[bare.rows].min(axis=0).sum() == expected


def test_orlib_duplicate_edge_rule_matters_for_pmed1() -> None:
    # pmed1 lists two edges twice; keeping the cheaper copy instead of the last one
    # gives 5718 (the shared README's warning), not the published 5819.
    rows = np.loadtxt(ORLIB / "pmed1.txt", skiprows=1)
    i, j = rows[:, 0].astype(int) - 1, rows[:, 1].astype(int) - 1
    graph = np.full((100, 100), np.inf)
    np.minimum.at(graph, (i, j), rows[:, 2])
    graph = np.minimum(graph, graph.T)
    graph[np.isinf(graph)] = 0.0  # dense csgraph input: 0 = no edge
    distance = shortest_path(graph, method="D", directed=False)
    assert p_median(distance, np.ones(100), p=5, method="milp").objective == 5718


def test_orlib_reader_last_duplicate_edge_wins(tmp_path: Path) -> None:
    # 4 nodes; edge 1-2 appears three times (also reversed): the last cost, 7, counts,
    # not the smallest (2). A self-loop changes nothing. Path 1-2-3-4 = 7 + 1 + 1.
    path = tmp_path / "tiny.txt"
    path.write_text(" 4 6 2 \n 1 2 5 \n 2 1 2 \n 2 3 1 \n 3 4 1 \n 4 4 9 \n 1 2 7 \n")
    distance, p = read_orlib_pmed(path)
    assert p == 2
    assert distance[0, 1] == distance[1, 0] == 7.0
    assert distance[0, 3] == 9.0
    assert np.all(np.diag(distance) == 0.0)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("4 2\n1 2 3\n", "first line must be 'n_nodes n_edges p'"),
        ("4 3 2\n1 2 3\n", "announces 3 edges but only 1 edge lines follow"),
        ("4 1 2\n1 5 3\n", "line 2: node numbers must be 1..4, got 1 5"),
        ("4 1 2\n1 2 x\n", "line 2: expected 'i j cost'"),
    ],
)
def test_orlib_reader_rejects_malformed_files(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(SitingError, match=re.escape(match)):
        read_orlib_pmed(path)


# ---------------------------------------------------------------- maximal covering

# Four sites, six demand points, within = 10 (minutes). Entries > 10 (or inf) do not cover.
#   site 0 covers points {0, 1}          -> 10 + 20      = 30
#   site 1 covers points {1, 2}          -> 20 + 30      = 50
#   site 2 covers points {2, 3} (10<=10) -> 30 + 40      = 70
#   site 3 covers point  {4}   (11 > 10) -> 50           = 50
#   point 5 (weight 60) is covered by nobody.
# p=1: site 2 alone, 70. p=2: the six pairs give {0,1} 60, {0,2} 100, {0,3} 80,
# {1,2} 90, {1,3} 100, {2,3} 120 -> {2, 3} with 120 (of 210 in total).
# Fixed site 3 and p=1: site 3 covers 50; adding 0/1/2 gives +30/+50/+70 -> add 2, 120.
INF = np.inf
COVER_COST = np.array(
    [
        [5.0, 5.0, 50.0, INF, 50.0, 50.0],
        [50.0, 8.0, 9.0, 50.0, INF, 50.0],
        [INF, 50.0, 10.0, 10.0, 50.0, 50.0],
        [50.0, 50.0, 50.0, 11.0, 7.0, INF],
    ]
)
COVER_DEMAND = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("p", "selected", "covered"), [(0, [], 0.0), (1, [2], 70.0), (2, [2, 3], 120.0)]
)
def test_maximal_covering_hand_instance(
    method: str, p: int, selected: list[int], covered: float
) -> None:
    result = maximal_covering(COVER_COST, COVER_DEMAND, p=p, within=10.0, method=method)
    assert result.selected.tolist() == selected
    assert result.added.tolist() == selected
    assert result.objective == covered
    assert result.status == "optimal" and result.gap == 0.0 and result.bound == covered
    assert result.assignment is None


@pytest.mark.parametrize("method", METHODS)
def test_maximal_covering_counts_fixed_sites(method: str) -> None:
    result = maximal_covering(COVER_COST, COVER_DEMAND, p=1, within=10.0, fixed=[3], method=method)
    assert result.selected.tolist() == [2, 3]
    assert result.added.tolist() == [2]
    assert result.objective == 120.0
    assert result.status == "optimal"


def test_maximal_covering_adds_exactly_p_when_fewer_suffice() -> None:
    # Sites 0 and 2 with fixed 3 reach everything coverable; p=3 still adds three sites.
    result = maximal_covering(COVER_COST, COVER_DEMAND, p=3, within=10.0, fixed=[3])
    assert len(result.added) == 3 and 3 not in result.added
    assert result.objective == 150.0 and result.status == "optimal"


# -------------------------------------------------------------------- set covering

# Points on a line at km 0, 10, 20, 30, 40; candidate sites at km 0, 15, 25, 40;
# cost = distance, within = 10. Coverage: site 0 {0, 1}, site 1 {1, 2}, site 2 {2, 3},
# site 3 {3, 4}. Points 0, 2 and 4 have disjoint covering sets ({0}, {1, 2}, {3}), so
# at least 3 sites are needed, and {0, 1, 3} covers all: the optimum is 3.
# Without demand at point 2, sites {0, 3} cover points 0, 1, 3, 4: 2 sites.
LINE_SITES_KM = np.array([0.0, 15.0, 25.0, 40.0])
LINE_POINTS_KM = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
LINE_COST = np.abs(LINE_SITES_KM[:, None] - LINE_POINTS_KM[None, :])


@pytest.mark.parametrize("method", METHODS)
def test_set_covering_hand_instance(method: str) -> None:
    result = set_covering(LINE_COST, np.ones(5), within=10.0, method=method)
    assert result.objective == 3.0 and result.bound == 3.0
    assert result.status == "optimal"
    assert result.selected.tolist() in ([0, 1, 3], [0, 2, 3])
    covered = (LINE_COST[result.selected] <= 10.0).any(axis=0)
    assert covered.all()

    no_demand_at_2 = np.array([1.0, 1.0, 0.0, 1.0, 1.0])
    result = set_covering(LINE_COST, no_demand_at_2, within=10.0, method=method)
    assert result.selected.tolist() == [0, 3] and result.objective == 2.0


@pytest.mark.parametrize("method", METHODS)
def test_set_covering_keeps_fixed_sites_and_counts_them(method: str) -> None:
    # Fixed site 2 covers points 2, 3; points 0 and 4 still need sites 0 and 3.
    result = set_covering(LINE_COST, np.ones(5), within=10.0, fixed=[2], method=method)
    assert result.selected.tolist() == [0, 2, 3]
    assert result.added.tolist() == [0, 3]
    assert result.objective == 3.0 and result.status == "optimal"


def test_set_covering_infeasible_message_has_the_numbers() -> None:
    # Extra points at km 100 and 200 (weights 30 and 45): nearest sites 60 and 160 km.
    points = np.r_[LINE_POINTS_KM, 100.0, 200.0]
    cost = np.abs(LINE_SITES_KM[:, None] - points[None, :])
    demand = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 30.0, 45.0])
    expected = (
        "Problem is infeasible: 2 demand points (weight 75, e.g. indices [5, 6]) are "
        "farther than within=10 from every candidate site (nearest: 60, 160). Raise "
        "`within`, or add candidates near them"
    )
    with pytest.raises(InfeasibleSitingError, match=re.escape(expected)):
        set_covering(cost, demand, within=10.0)
    # zero weight there makes it feasible again
    assert set_covering(cost, np.r_[demand[:5], 0.0, 0.0], within=10.0).objective == 3.0


# ------------------------------------------------------------------------ p-median

# Same line. Weights 2, 1, 1, 1, 1; p = 2. Totals of all pairs (weighted nearest cost):
# {0,1} 0+5+5+15+25=50, {0,2} 0+10+5+5+15=35, {0,3} 0+10+20+10+0=40,
# {1,2} 30+5+5+5+15=60, {1,3} 30+5+5+10+0=50, {2,3} 50+15+5+5+0=75 -> {0, 2}, 35,
# points served by sites 0, 0, 2, 2, 2.
LINE_WEIGHTS = np.array([2.0, 1.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("method", METHODS)
def test_pmedian_hand_instance(method: str) -> None:
    result = p_median(LINE_COST, LINE_WEIGHTS, p=2, method=method)
    assert result.selected.tolist() == [0, 2]
    assert result.objective == 35.0 and result.bound == 35.0
    assert result.assignment.tolist() == [0, 0, 2, 2, 2]
    assert result.status == "optimal"


@pytest.mark.parametrize("method", METHODS)
def test_pmedian_with_fixed_site(method: str) -> None:
    # Site 3 stays open; adding site 0 gives 0+10+20+10+0 = 40, site 1 gives
    # 30+5+5+10+0 = 50, site 2 gives 50+15+5+5+0 = 75 -> add site 0.
    result = p_median(LINE_COST, LINE_WEIGHTS, p=1, fixed=[3], method=method)
    assert result.selected.tolist() == [0, 3] and result.added.tolist() == [0]
    assert result.objective == 40.0 and result.status == "optimal"


def test_pmedian_unreachable_zero_weight_point_gets_minus_one() -> None:
    cost = np.array([[1.0, INF, 2.0], [3.0, INF, 1.0]])
    result = p_median(cost, np.array([1.0, 0.0, 1.0]), p=1)
    assert result.assignment.tolist() == [0, -1, 0] and result.objective == 3.0


def test_pmedian_infeasible_when_no_choice_reaches_everyone() -> None:
    # each point is reached by its own site only; 2 open sites cannot reach 3 points
    cost = np.where(np.eye(3) > 0, 1.0, INF)
    for method in METHODS:
        expected = r"with p=1 added sites \(and 1 fixed\), 1 demand points \(e\.g\. indices \[2\]\)"
        with pytest.raises(InfeasibleSitingError, match=expected):
            p_median(cost, np.ones(3), p=1, fixed=[0], method=method)
    with pytest.raises(
        InfeasibleSitingError, match=r"1 demand points \(weight 5, e\.g\. indices \[1\]\)"
    ):
        p_median(np.array([[1.0, INF]]), np.array([1.0, 5.0]), p=1)


# ------------------------------------------------------- heuristic against exact


def _plane_instance(seed: int, n_sites: int, n_demand: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, 20, (n_sites, 2))
    points = rng.uniform(0, 20, (n_demand, 2))
    cost = np.hypot(*(sites[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    return cost, rng.integers(1, 100, n_demand).astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_heuristic_is_within_its_own_bound_of_the_exact_optimum(seed: int) -> None:
    cost, demand = _plane_instance(seed, 60, 400)
    fixed = [0, 1]
    exact = maximal_covering(cost, demand, p=4, within=3.0, fixed=fixed, method="milp")
    heur = maximal_covering(cost, demand, p=4, within=3.0, fixed=fixed, method="greedy+swap")
    assert exact.status == "optimal" and exact.gap == 0.0
    assert heur.method == "greedy+swap" and heur.status in ("heuristic", "optimal")
    assert heur.objective <= exact.objective <= heur.bound
    assert heur.gap == pytest.approx(abs(heur.bound - heur.objective) / heur.objective, rel=1e-12)

    exact = p_median(cost, demand, p=4, fixed=fixed, method="milp")
    heur = p_median(cost, demand, p=4, fixed=fixed, method="greedy+swap")
    assert exact.status == "optimal"
    assert heur.bound <= exact.objective + 1e-9 * exact.objective
    assert exact.objective <= heur.objective + 1e-9 * exact.objective

    exact = set_covering(cost, demand, within=6.0, fixed=fixed, method="milp")
    heur = set_covering(cost, demand, within=6.0, fixed=fixed, method="greedy+swap")
    assert exact.status == "optimal"
    assert heur.bound <= exact.objective <= heur.objective


def test_heuristic_matches_exact_when_one_site_is_added() -> None:
    # With p = 1 the greedy step tries every site, so it is optimal by construction.
    cost, demand = _plane_instance(7, 40, 300)
    for fixed in ([], [3]):
        exact = maximal_covering(cost, demand, p=1, within=3.0, fixed=fixed, method="milp")
        heur = maximal_covering(cost, demand, p=1, within=3.0, fixed=fixed, method="greedy+swap")
        assert heur.selected.tolist() == exact.selected.tolist()
        assert heur.objective == exact.objective
        exact = p_median(cost, demand, p=1, fixed=fixed, method="milp")
        heur = p_median(cost, demand, p=1, fixed=fixed, method="greedy+swap")
        assert heur.objective == pytest.approx(exact.objective, rel=1e-12)


def test_exact_methods_agree_with_brute_force_on_small_random_instances() -> None:
    rng = np.random.default_rng(42)
    for _ in range(25):
        n, m = int(rng.integers(3, 8)), int(rng.integers(3, 14))
        cost = rng.uniform(0, 20, (n, m))
        cost[rng.random((n, m)) < 0.2] = INF
        demand = rng.integers(0, 5, m).astype(float)
        fixed = rng.choice(n, int(rng.integers(0, 2)), replace=False)
        free = np.setdiff1d(np.arange(n), fixed)
        p = int(rng.integers(1, len(free) + 1))
        best = max(
            demand[(cost[np.r_[fixed, combo].astype(int)] <= 8.0).any(axis=0)].sum()
            for combo in itertools.combinations(free, p)
        )
        for method in ("milp", "auto"):
            result = maximal_covering(cost, demand, p=p, within=8.0, fixed=fixed, method=method)
            assert result.objective == best and result.status == "optimal"


def test_greedy_bound_is_at_least_the_one_minus_one_over_e_guarantee() -> None:
    # The data-dependent greedy bound is never looser than objective / (1 - 1/e).
    for seed in range(4):
        cost, demand = _plane_instance(seed, 80, 500)
        result = maximal_covering(cost, demand, p=6, within=2.5, method="greedy+swap")
        assert result.bound_source in BOUND_SOURCES
        assert result.objective <= result.bound <= result.objective / (1 - 1 / math.e)


# -------------------------------------------------------------------- time limit


def test_milp_stopped_by_the_time_limit_reports_its_gap() -> None:
    # Random coverage sets (not geometric) make maximal covering hard: HiGHS leaves a
    # gap of about 15 % after a minute here, so a 2 s budget always ends on the limit.
    rng = np.random.default_rng(0)
    cost = np.where(rng.random((200, 2000)) < 0.05, 1.0, INF)
    demand = rng.integers(1, 100, 2000).astype(float)
    heur = maximal_covering(cost, demand, p=10, within=1.0, method="greedy+swap")
    result = maximal_covering(cost, demand, p=10, within=1.0, method="milp", time_limit_s=2.0)
    assert (result.status, result.method) == ("time_limit", "milp")
    assert result.solve_time_s < 10.0
    assert len(result.added) == 10
    assert result.objective >= heur.objective
    assert result.objective == demand[(cost[result.selected] <= 1.0).any(axis=0)].sum()
    assert result.objective < result.bound <= heur.bound
    assert result.gap == pytest.approx((result.bound - result.objective) / result.objective)


# ------------------------------------------------------------------- sparse cost


def test_sparse_cost_gives_the_dense_answer_and_keeps_stored_zeros() -> None:
    # Store only the finite entries, explicit zeros included: site 3 sits on point 4,
    # and without that stored zero the optimum would change.
    cost = COVER_COST.copy()
    cost[3, 4] = 0.0
    row, col = np.nonzero(np.isfinite(cost))
    sparse = sp.csr_array((cost[row, col], (row, col)), shape=cost.shape)
    assert sparse.nnz == np.isfinite(cost).sum()
    for method in METHODS:
        dense_result = maximal_covering(cost, COVER_DEMAND, p=2, within=10.0, method=method)
        sparse_result = maximal_covering(sparse, COVER_DEMAND, p=2, within=10.0, method=method)
        assert sparse_result.selected.tolist() == dense_result.selected.tolist() == [2, 3]
        assert sparse_result.objective == dense_result.objective == 120.0
    line = sp.coo_array(LINE_COST)  # LINE_COST has zeros: coo_array drops them
    with pytest.raises(InfeasibleSitingError, match=r"2 demand points .* indices \[0, 4\]"):
        set_covering(line, np.ones(5), within=5.0)


def test_sparse_cost_errors() -> None:
    with pytest.raises(SitingError, match=r"needs a dense cost matrix .* c = cost\.tocoo\(\)"):
        p_median(sp.csr_array(LINE_COST), LINE_WEIGHTS, p=1)
    negative = sp.csr_array((np.array([1.0, -2.0]), (np.array([0, 1]), np.array([0, 1]))))
    with pytest.raises(SitingError, match=r"NaN or negative \(first at cost\[1, 1\] = -2\.0\)"):
        maximal_covering(negative, np.ones(2), p=1, within=1.0)
    twice = sp.coo_array((np.array([1.0, 2.0]), (np.array([0, 0]), np.array([0, 0]))))
    with pytest.raises(SitingError, match=r"1 duplicate \(site, demand\) entries"):
        set_covering(twice, np.ones(1), within=5.0)


# ------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cost": np.ones(3)}, r"cost must be a 2-D array .* got shape \(3,\)"),
        ({"demand": np.ones(5)}, r"demand has shape \(5,\) but cost has 6 demand columns"),
        ({"demand": -COVER_DEMAND}, r"non-negative; 6 entries are not, e\.g\. demand\[0\] = -10"),
        ({"p": -1}, r"must be >= 0; got -1"),
        ({"p": 1.5}, r"must be an integer; got 1\.5"),
        ({"p": 4, "fixed": [0]}, r"p=4 exceeds the 3 candidate sites not already fixed"),
        (
            {"fixed": [7]},
            r"fixed site index 7 is out of range for 4 candidate sites \(valid: 0\.\.3\)",
        ),
        ({"fixed": [-1]}, r"fixed site index -1 is out of range"),
        (
            {"cost": np.where(COVER_COST == 5.0, np.nan, COVER_COST)},
            r"2 NaN entries \(first at cost\[0, 0\]\); use np\.inf",
        ),
        ({"cost": -COVER_COST}, r"cost must be non-negative"),
        ({"within": math.nan}, r"within .* must be a non-negative number; got nan"),
        ({"within": -1.0}, r"got -1\.0"),
        ({"method": "exact"}, r"method must be one of 'auto', 'milp', 'greedy\+swap'; got 'exact'"),
        ({"time_limit_s": 0}, r"time_limit_s must be a positive number of seconds; got 0"),
    ],
)
def test_bad_inputs_raise_clear_errors(kwargs: dict, match: str) -> None:
    args = {"cost": COVER_COST, "demand": COVER_DEMAND, "p": 1, "within": 10.0} | kwargs
    with pytest.raises(SitingError, match=match):
        maximal_covering(args.pop("cost"), args.pop("demand"), **args)


def test_pmedian_needs_an_open_site() -> None:
    with pytest.raises(SitingError, match=r"at least one open site, but p=0 and fixed is empty"):
        p_median(LINE_COST, LINE_WEIGHTS, p=0)
    with pytest.raises(ValueError, match=r"p=5 exceeds the 4 candidate sites"):
        p_median(LINE_COST, LINE_WEIGHTS, p=5)
