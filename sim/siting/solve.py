"""Solution pipelines on the reduced models: heuristic, reduced-cost fixing, MILP.

Each pipeline returns rows of its reduced model, their value and a proven bound, in
the reduced model's units (the caller adds the constants back and re-evaluates the
objective on the original arrays).

Exact pipeline (``method="milp"`` always; ``"auto"`` when the heuristic is not proven
optimal):

1. greedy + 1-swap gives an incumbent, the Lagrangian bound a first gap (maximal
   covering: a second 1-swap from the relaxed solution at the best multipliers);
2. reduced-cost fixing drops every candidate whose Lagrangian bound, when forced into
   the solution, shows it cannot beat the incumbent; the rest is compressed again
   (:func:`sim.siting.reduce.compress_cover`);
3. HiGHS solves what is left within the remaining time (skipped when nothing is left to
   decide, e.g. no more candidates than sites to open, or when it is larger than
   :data:`MILP_MAX_NNZ` / the pairs limits). The optimum is the better of the incumbent
   and the restricted optimum, so the restricted model's bound ``B`` gives the bound
   ``max(incumbent, B)`` (maximising) or ``min(incumbent, B)`` (minimising), which is
   combined with the Lagrangian bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

import sim.siting.heuristic as heur
import sim.siting.pmedian as pm
from sim.siting.core import proven_optimal
from sim.siting.milp import cover_milp, pmedian_milp, set_cover_milp
from sim.siting.pmedian import Pairs
from sim.siting.reduce import compress_cover

#: HiGHS is started on a covering model only with at most this many coverage non-zeros
#: left after reductions (roughly 1 GB of solver memory), whatever the method: HiGHS
#: looks at its time limit only between phases, and on larger models one phase (the
#: root LP) can take minutes. Beyond it the heuristic answer is returned with its bound.
MILP_MAX_NNZ = 10_000_000
#: ``method="auto"`` runs the p-median MILP with at most this many finite site–demand
#: pairs left after reductions (e.g. 500 sites × 500 points); else heuristic only.
AUTO_MILP_MAX_PAIRS = 250_000
#: ``method="milp"`` runs the p-median MILP with at most this many pairs (e.g. 1,400 ×
#: 1,400), for the same reason as :data:`MILP_MAX_NNZ`.
MILP_MAX_PAIRS = 2_000_000
#: Share of the remaining time the heuristic may use before the MILP (exact pipeline).
HEURISTIC_TIME_SHARE = 0.5


@dataclass(frozen=True)
class Solved:
    """Outcome of a pipeline, in reduced-model rows and units.

    ``bound_source`` names the proof behind ``bound`` (see
    :attr:`sim.siting.core.SitingResult.bound_source`).
    """

    rows: np.ndarray
    value: float
    bound: float
    bound_source: str
    milp_status: str | None
    method: str


def _tighter(
    current: tuple[float, str], candidate: tuple[float, str], *, maximize: bool
) -> tuple[float, str]:
    """Return the tighter of two ``(bound, source)`` pairs (the first on a tie)."""
    better = candidate[0] < current[0] if maximize else candidate[0] > current[0]
    return candidate if better else current


def _want_milp(method: str, size: int, *, auto_limit: int, limit: int, deadline: float) -> bool:
    """Whether to start HiGHS on a model of ``size`` (non-zeros or pairs)."""
    if method == "milp":
        return size <= limit
    return method == "auto" and size <= auto_limit and deadline - time.perf_counter() > 0.5


def _heuristic_deadline(method: str, deadline: float) -> float:
    return deadline if method == "greedy+swap" else _until(HEURISTIC_TIME_SHARE, deadline)


def _until(share: float, deadline: float) -> float:
    """Return the time when ``share`` of what is left until ``deadline`` has passed."""
    now = time.perf_counter()
    return now + share * max(deadline - now, 0.0)


def solve_cover(
    cover: sp.csr_matrix,
    weight: np.ndarray,
    k: int,
    method: str,
    deadline: float,
    *,
    integral: bool,
) -> Solved:
    """Maximal covering on a reduced model: open ``k`` rows, maximise covered weight."""
    if k == 0 or cover.shape[1] == 0 or k >= cover.shape[0]:
        rows = np.arange(min(k, cover.shape[0]))
        value = heur.covered_weight(cover, weight, rows)
        return Solved(rows, value, value, "trivial", None, "greedy+swap")
    soft_deadline = _heuristic_deadline(method, deadline)
    rows, value, greedy_bound = heur.cover_greedy(cover, weight, k)
    bound = (greedy_bound, "greedy")
    eliminated = np.zeros(cover.shape[0], dtype=bool)
    if not proven_optimal(value, bound[0], maximize=True, integral=integral):
        # the heuristic's time: a quarter for the swaps from greedy, two thirds of the
        # rest for the Lagrangian bound, the rest for a second start and, if it pays,
        # more Lagrangian steps
        rows = heur.cover_swap(cover, weight, rows, _until(1 / 4, soft_deadline))
        value = heur.covered_weight(cover, weight, rows)
        lagrange = heur.cover_lagrangian(
            cover, weight, k, rows, value, _until(2 / 3, soft_deadline)
        )
        bound = _tighter(bound, (lagrange.bound, "lagrangian"), maximize=True)
        rows, value, eliminated = lagrange.rows, lagrange.value, lagrange.eliminated
        if not proven_optimal(value, bound[0], maximize=True, integral=integral):
            # 1-swap from the relaxed solution at the best multipliers
            _, top = heur.top_sum(cover @ lagrange.multipliers, k)
            other = heur.cover_swap(cover, weight, top, _until(1 / 2, soft_deadline))
            other_value = heur.covered_weight(cover, weight, other)
            if other_value > value:
                # a better incumbent fixes more rows and steers the multipliers better
                rows, value = other, other_value
                again = heur.cover_lagrangian(
                    cover, weight, k, rows, value, soft_deadline, start=lagrange.multipliers
                )
                bound = _tighter(bound, (again.bound, "lagrangian"), maximize=True)
                rows, value = again.rows, again.value
                eliminated = (
                    eliminated
                    | again.eliminated
                    | heur.cover_eliminate(cover, weight, k, lagrange.multipliers, value)
                )
    if method == "greedy+swap" or (
        method == "auto" and proven_optimal(value, bound[0], maximize=True, integral=integral)
    ):
        return Solved(rows, value, *bound, None, "greedy+swap")
    keep = np.flatnonzero(~eliminated)
    if len(keep) <= k:  # every candidate left fits: open them all
        candidate = keep
        restricted = (heur.covered_weight(cover, weight, keep), "lagrangian")
        status = "optimal"
    else:
        sub, sub_weight, sub_rows = compress_cover(cover[keep], weight)
        if not _want_milp(
            method, sub.nnz, auto_limit=MILP_MAX_NNZ, limit=MILP_MAX_NNZ, deadline=deadline
        ):
            return Solved(rows, value, *bound, None, "greedy+swap")
        if sub.shape[0] <= k:
            candidate, status = keep[sub_rows], "optimal"
            restricted = (float(sub_weight.sum()), "lagrangian")
        else:
            out = cover_milp(sub, sub_weight, k, deadline - time.perf_counter())
            status = out.status
            restricted = (math.inf if math.isnan(out.bound) else out.bound, "milp")
            candidate = keep[sub_rows[out.rows]] if out.rows is not None else None
    if candidate is not None:
        candidate_value = heur.covered_weight(cover, weight, candidate)
        if candidate_value >= value:
            rows, value = candidate, candidate_value
    # the optimum is the incumbent or lies in the restricted model
    bound = _tighter(bound, (max(value, restricted[0]), restricted[1]), maximize=True)
    return Solved(rows, value, *bound, status, "milp")


def solve_set_cover(cover: sp.csr_matrix, method: str, deadline: float) -> Solved:
    """Set covering on a reduced model: fewest rows covering every column."""
    if cover.shape[1] == 0:
        return Solved(np.zeros(0, dtype=np.int64), 0.0, 0.0, "trivial", None, "greedy+swap")
    soft_deadline = _heuristic_deadline(method, deadline)
    rows = heur.set_cover_greedy(cover)
    rows = heur.set_cover_swap(cover, rows, soft_deadline)
    lagrange, eliminated = heur.set_cover_lagrangian(cover, len(rows), soft_deadline)
    bound = (lagrange, "lagrangian")
    value = float(len(rows))
    if method == "greedy+swap" or (
        method == "auto" and proven_optimal(value, lagrange, maximize=False, integral=True)
    ):
        return Solved(rows, value, *bound, None, "greedy+swap")
    keep = np.flatnonzero(~eliminated)
    restricted = cover[keep]
    if np.any(np.diff(restricted.tocsc().indptr) == 0):  # no smaller cover without them
        return Solved(rows, value, value, "lagrangian", "optimal", "milp")
    sub, _, sub_rows = compress_cover(restricted, np.ones(cover.shape[1]))
    if not _want_milp(
        method, sub.nnz, auto_limit=MILP_MAX_NNZ, limit=MILP_MAX_NNZ, deadline=deadline
    ):
        return Solved(rows, value, *bound, None, "greedy+swap")
    out = set_cover_milp(sub, deadline - time.perf_counter())
    restricted_bound = math.inf if math.isnan(out.bound) else out.bound
    if out.rows is not None and len(out.rows) <= value:
        rows = keep[sub_rows[out.rows]]
    value = float(len(rows))
    bound = _tighter(bound, (min(value, restricted_bound), "milp"), maximize=False)
    return Solved(rows, value, *bound, out.status, "milp")


def solve_pmedian(
    pairs: Pairs,
    weight: np.ndarray,
    fixed: np.ndarray,
    p: int,
    method: str,
    deadline: float,
    *,
    integral: bool,
) -> Solved:
    """p-median on a reduced model; ``rows`` are the added (non-fixed) rows."""
    if pairs.csr.shape[1] == 0:
        return Solved(np.zeros(0, dtype=np.int64), 0.0, 0.0, "trivial", None, "greedy+swap")
    n_pairs = pairs.csr.nnz
    milp_likely = method == "milp" or n_pairs <= 4 * AUTO_MILP_MAX_PAIRS
    soft_deadline = _heuristic_deadline(method if milp_likely else "greedy+swap", deadline)
    big = pm.big_cost(pairs, weight)
    rows = pm.pmedian_greedy(pairs, weight, fixed, p, big)
    value = pm.pmedian_value(pairs, weight, fixed, rows, big)
    # every point at its nearest candidate: the Lagrangian at its starting multipliers
    bound = (float(pairs.min_per_point() @ weight), "lagrangian")
    eliminated = np.zeros(pairs.csr.shape[0], dtype=bool)
    if not proven_optimal(value, bound[0], maximize=False, integral=integral):
        rows = pm.pmedian_swap(pairs, weight, fixed, rows, big, soft_deadline)
        value = pm.pmedian_value(pairs, weight, fixed, rows, big)
        lagrange, rows, value, eliminated = pm.pmedian_lagrangian(
            pairs, weight, fixed, p, rows, value, big, soft_deadline
        )
        bound = _tighter(bound, (lagrange, "lagrangian"), maximize=False)
    if method == "greedy+swap" or (
        method == "auto" and proven_optimal(value, bound[0], maximize=False, integral=integral)
    ):
        return Solved(rows, value, *bound, None, "greedy+swap")
    keep = np.flatnonzero(~eliminated)  # fixed rows are never eliminated
    sub = pairs.rows(keep)
    if not _want_milp(
        method, sub.csr.nnz, auto_limit=AUTO_MILP_MAX_PAIRS, limit=MILP_MAX_PAIRS, deadline=deadline
    ):
        return Solved(rows, value, *bound, None, "greedy+swap")
    sub_fixed = np.searchsorted(keep, fixed)
    out = pmedian_milp(sub, weight, sub_fixed, p + len(fixed), deadline - time.perf_counter())
    restricted_bound = math.inf if out.status == "infeasible" else out.bound
    if out.rows is not None:
        candidate = np.setdiff1d(keep[out.rows], fixed)
        candidate_value = pm.pmedian_value(pairs, weight, fixed, candidate, big)
        if len(candidate) == p and candidate_value <= value:
            rows, value = candidate, candidate_value
    if not math.isnan(restricted_bound):
        bound = _tighter(bound, (min(value, restricted_bound), "milp"), maximize=False)
    return Solved(rows, value, *bound, out.status, "milp")
