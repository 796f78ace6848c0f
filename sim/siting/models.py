"""Facility location on plain arrays: maximal covering, p-median, set covering.

The models take a ``cost`` matrix (candidate sites × demand points; travel times or
distances, ``np.inf`` = unreachable) and a ``demand`` weight per point, in the style of
spopt, so they work on any data. ``fixed`` sites are existing stations that stay open;
``p`` counts the sites to *add* on top of them. The covering models also take a
``scipy.sparse`` ``cost`` whose stored entries, explicit zeros included, are the finite
costs and whose absent entries are unreachable (the convention of
:mod:`scipy.sparse.csgraph`; build it from ``(data, (row, col))``, since
``csr_matrix(dense)`` drops zero costs). :mod:`sim.siting.stations` builds such
matrices from a road network.

Methods
-------
Every method starts from exact reductions (:mod:`sim.siting.reduce`): zero-weight,
unreachable and fixed-covered demand leaves the model, empty, duplicate and dominated
candidates are dropped, and demand points with identical coverage sets are merged.

``"greedy+swap"``
    Greedy construction, best-improvement 1-swap (Teitz–Bart) local search, and a
    Lagrangian bound (:mod:`sim.siting.heuristic`, :mod:`sim.siting.pmedian`); for
    maximal covering also a second 1-swap run from the Lagrangian relaxation's
    solution. The heuristic reports a proven gap too. Status ``"heuristic"`` unless
    the bound proves it optimal.
``"milp"``
    The heuristic as incumbent, reduced-cost fixing with its Lagrangian multipliers
    (candidates that provably cannot beat the incumbent are dropped), then HiGHS
    (:func:`scipy.optimize.milp`, sparse constraints) on what is left, within the time
    left. HiGHS runs unless nothing is left to decide or what is left is too large for
    it to respect a time limit (more than :data:`~sim.siting.solve.MILP_MAX_NNZ` coverage
    non-zeros, or :data:`~sim.siting.solve.MILP_MAX_PAIRS` site–demand pairs for p-median:
    the heuristic answer is then returned). On the time limit the better of its incumbent
    and the heuristic's is returned with status ``"time_limit"``; the bound combines
    HiGHS' dual bound and the Lagrangian bound.
``"auto"``
    The heuristic; if its bound does not prove it optimal, the ``"milp"`` pipeline
    (for p-median only up to :data:`sim.siting.solve.AUTO_MILP_MAX_PAIRS` pairs left after fixing).

``time_limit_s`` is the budget of the whole call; HiGHS gets what the reductions and
the heuristic leave of it. Every result carries a proven ``bound`` and says which proof
gives it (:attr:`SitingResult.bound_source`: greedy submodularity, Lagrangian/LP
relaxation, HiGHS' dual bound), so ``gap`` says how far from optimal a heuristic answer
may be.

Examples
--------
>>> import numpy as np
>>> from sim.siting import maximal_covering
>>> minutes = np.array([[5.0, 40.0, 40.0], [40.0, 10.0, 12.0]])  # 2 sites × 3 villages
>>> result = maximal_covering(minutes, np.array([100, 80, 60]), p=1, within=15.0)
>>> result.added.tolist(), result.objective, result.status
([1], 140.0, 'optimal')
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from sim.siting.core import (
    OPTIMALITY_GAP,
    InfeasibleSitingError,
    SitingError,
    SitingResult,
    format_costs,
    format_indices,
    is_integral,
    relative_gap,
    tighten_bound,
)
from sim.siting.heuristic import covered_weight
from sim.siting.reduce import coverage_csr, reduce_cover, reduce_pmedian
from sim.siting.solve import (
    Solved,
    solve_cover,
    solve_pmedian,
    solve_set_cover,
)
from sim.siting.validate import check_inputs, check_p, check_within

# ------------------------------------------------------------------------ assembling


def _result(
    *,
    start: float,
    fixed: np.ndarray,
    added: np.ndarray,
    objective: float,
    offset: float,
    solved: Solved,
    maximize: bool,
    integral: bool,
    assignment: np.ndarray | None = None,
) -> SitingResult:
    """Assemble the result; ``offset`` is the constant the reductions took out."""
    bound = tighten_bound(offset + solved.bound, objective, maximize=maximize, integral=integral)
    gap = relative_gap(objective, bound)
    milp_status = solved.milp_status
    if gap <= OPTIMALITY_GAP or milp_status == "optimal":
        status = "optimal"
    elif milp_status == "time_limit":
        status = "time_limit"
    else:
        status = "heuristic"
    added = np.sort(added.astype(np.int64))
    return SitingResult(
        selected=np.union1d(fixed, added).astype(np.int64),
        added=added,
        objective=float(objective),
        bound=float(bound),
        gap=float(gap),
        bound_source=solved.bound_source,
        status=status,
        method=solved.method,
        solve_time_s=time.perf_counter() - start,
        assignment=assignment,
    )


def _fill(chosen: np.ndarray, p: int, n_sites: int, fixed: np.ndarray) -> np.ndarray:
    """Top ``chosen`` up to ``p`` sites with unused free sites (lowest index first)."""
    if len(chosen) >= p:
        return chosen
    spare = np.setdiff1d(np.setdiff1d(np.arange(n_sites), fixed), chosen)
    return np.concatenate([chosen, spare[: p - len(chosen)]])


def _column_min(cost: np.ndarray | sp.csr_matrix, columns: np.ndarray) -> np.ndarray:
    """Smallest cost over the sites for each of ``columns`` (``inf`` when none)."""
    if not sp.issparse(cost):
        if cost.shape[0] == 0:
            return np.full(len(columns), np.inf)
        return cost[:, columns].min(axis=0)
    csc = cost.tocsc()[:, columns]
    return np.array(
        [
            csc.data[a:b].min() if b > a else np.inf
            for a, b in zip(csc.indptr[:-1], csc.indptr[1:], strict=True)
        ]
    )


# -------------------------------------------------------------------- maximal covering


def maximal_covering(
    cost: np.ndarray,
    demand: np.ndarray,
    *,
    p: int,
    within: float,
    fixed: Sequence[int] | np.ndarray = (),
    method: str = "auto",
    time_limit_s: float = 60.0,
) -> SitingResult:
    """Open ``p`` more sites to cover as much demand as possible within ``within``.

    Demand point ``j`` is covered when some open site ``i`` (fixed or added) has
    ``cost[i, j] <= within``. Exactly ``p`` sites are added (if fewer suffice to cover
    everything coverable, the rest are arbitrary unused sites).

    Parameters
    ----------
    cost
        ``(n_sites, n_demand)`` travel times or distances, ``np.inf`` = unreachable; or
        a ``scipy.sparse`` matrix of the finite ones (see the module docstring).
    demand
        ``(n_demand,)`` non-negative weights (e.g. residents).
    p
        Number of sites to open *in addition to* ``fixed``.
    within
        Coverage threshold, same unit as ``cost`` (e.g. minutes).
    fixed
        Indices of existing sites that stay open; the demand they cover counts.
    method
        ``"auto"``, ``"milp"`` or ``"greedy+swap"`` (see the module docstring).
    time_limit_s
        Wall-clock budget of the call, seconds.

    Returns
    -------
    SitingResult
        ``objective`` is the covered demand weight (fixed sites included) and
        ``bound`` an upper bound on the best achievable.

    Raises
    ------
    SitingError
        On malformed input (shapes, NaN, negative values, bad indices, ``p``, method).
    """
    start = time.perf_counter()
    cost, demand, fixed = check_inputs(cost, demand, fixed, method, time_limit_s, allow_sparse=True)
    p = check_p(p, cost.shape[0], fixed)
    within = check_within(within)
    deadline = start + time_limit_s
    cov = coverage_csr(cost, within)
    model = reduce_cover(cov, demand, fixed, count_points=False)
    integral = is_integral(demand)
    k = min(p, model.cover.shape[0])
    solved = solve_cover(model.cover, model.weight, k, method, deadline, integral=integral)
    added = _fill(model.site_ids[solved.rows], p, cost.shape[0], fixed)
    return _result(
        start=start,
        fixed=fixed,
        added=added,
        objective=covered_weight(cov, demand, np.union1d(fixed, added).astype(np.int64)),
        offset=model.fixed_value,
        solved=solved,
        maximize=True,
        integral=integral,
    )


def set_covering(
    cost: np.ndarray,
    demand: np.ndarray,
    *,
    within: float,
    fixed: Sequence[int] | np.ndarray = (),
    method: str = "auto",
    time_limit_s: float = 60.0,
) -> SitingResult:
    """Add the fewest sites so that every positive-demand point is within ``within``.

    Points with zero demand need not be covered. ``objective`` is the number of open
    sites *including* the fixed ones (``len(result.added)`` is the number of new sites);
    ``bound`` is a lower bound on it.

    Parameters
    ----------
    cost
        ``(n_sites, n_demand)`` travel times or distances, ``np.inf`` = unreachable; or
        a ``scipy.sparse`` matrix of the finite ones (see the module docstring).
    demand
        ``(n_demand,)`` non-negative weights; only whether a weight is positive matters.
    within
        Coverage threshold, same unit as ``cost``.
    fixed
        Indices of existing sites that stay open.
    method
        ``"auto"``, ``"milp"`` or ``"greedy+swap"`` (see the module docstring).
    time_limit_s
        Wall-clock budget of the call, seconds.

    Returns
    -------
    SitingResult
        The chosen sites; every positive-demand point is covered.

    Raises
    ------
    InfeasibleSitingError
        If some positive-demand point is farther than ``within`` from every candidate;
        the message gives how many, their weight, example indices and nearest costs.
    SitingError
        On malformed input.
    """
    start = time.perf_counter()
    cost, demand, fixed = check_inputs(cost, demand, fixed, method, time_limit_s, allow_sparse=True)
    within = check_within(within)
    deadline = start + time_limit_s
    model = reduce_cover(coverage_csr(cost, within), demand, fixed, count_points=True)
    if len(model.uncoverable):
        bad = model.uncoverable
        nearest = _column_min(cost, bad[:5])
        raise InfeasibleSitingError(
            f"Problem is infeasible: {len(bad)} demand points (weight "
            f"{float(demand[bad].sum()):g}, e.g. indices {format_indices(bad)}) are farther "
            f"than within={within:g} from every candidate site (nearest: "
            f"{format_costs(nearest)}). Raise `within`, or add candidates near them "
            "(or give them demand 0 if they need no cover)."
        )
    solved = solve_set_cover(model.cover, method, deadline)
    return _result(
        start=start,
        fixed=fixed,
        added=model.site_ids[solved.rows],
        objective=float(len(fixed) + len(solved.rows)),
        offset=float(len(fixed)),
        solved=solved,
        maximize=False,
        integral=True,
    )


def p_median(
    cost: np.ndarray,
    demand: np.ndarray,
    *,
    p: int,
    fixed: Sequence[int] | np.ndarray = (),
    method: str = "auto",
    time_limit_s: float = 60.0,
) -> SitingResult:
    """Open ``p`` more sites minimising the demand-weighted cost to the nearest open site.

    Parameters
    ----------
    cost
        ``(n_sites, n_demand)`` dense travel times or distances, ``np.inf`` =
        unreachable (p-median needs every finite cost, so no sparse input).
    demand
        ``(n_demand,)`` non-negative weights.
    p
        Number of sites to open *in addition to* ``fixed``; ``p + len(fixed)`` must be
        at least 1.
    fixed
        Indices of existing sites that stay open (they serve demand too).
    method
        ``"auto"``, ``"milp"`` or ``"greedy+swap"`` (see the module docstring).
    time_limit_s
        Wall-clock budget of the call, seconds.

    Returns
    -------
    SitingResult
        ``objective`` is ``sum_j demand_j * cost[assignment_j, j]`` and ``bound`` a lower
        bound on the optimum; ``assignment`` gives each point's serving (nearest open) site.

    Raises
    ------
    InfeasibleSitingError
        If a positive-demand point is unreachable from every candidate, or from every
        choice of sites that was found (the message says which).
    SitingError
        On malformed input.
    """
    start = time.perf_counter()
    cost, demand, fixed = check_inputs(cost, demand, fixed, method, time_limit_s)
    p = check_p(p, cost.shape[0], fixed)
    n_open = p + len(fixed)
    if n_open == 0:
        raise SitingError(
            "p-median needs at least one open site, but p=0 and fixed is empty; set p >= 1."
        )
    deadline = start + time_limit_s
    positive = demand > 0
    lost = np.flatnonzero(positive & ~np.isfinite(cost).any(axis=0))
    if len(lost):
        raise InfeasibleSitingError(
            f"Problem is infeasible: {len(lost)} demand points (weight "
            f"{float(demand[lost].sum()):g}, e.g. indices {format_indices(lost)}) have "
            "cost inf to every candidate site. Give them a finite cost to some site, or "
            "demand 0."
        )
    model = reduce_pmedian(cost, demand, fixed, n_open)
    integral = is_integral(demand) and is_integral(model.pairs.cost)
    solved = solve_pmedian(model.pairs, model.weight, fixed, p, method, deadline, integral=integral)
    added = _fill(solved.rows, p, cost.shape[0], fixed)
    selected = np.union1d(fixed, added).astype(np.int64)
    open_cost = cost[selected]
    nearest = np.argmin(open_cost, axis=0)
    served_cost = open_cost[nearest, np.arange(cost.shape[1])]
    unserved = ~np.isfinite(served_cost)
    if np.any(unserved & positive):
        lost = np.flatnonzero(unserved & positive)
        proven = solved.milp_status == "infeasible"
        raise InfeasibleSitingError(
            ("Problem is infeasible" if proven else "No feasible solution found")
            + f": with p={p} added sites (and {len(fixed)} fixed), {len(lost)} demand points "
            f"(e.g. indices {format_indices(lost)}) stay unreachable"
            + (
                " whatever the choice of sites (proven by the MILP)"
                if proven
                else " in the best choice the heuristic found; method='milp' can prove whether "
                "a feasible choice exists"
            )
            + ". Raise p, or add candidate sites that reach them."
        )
    assignment = np.where(unserved, -1, selected[nearest]).astype(np.int64)
    objective = float(demand[~unserved] @ served_cost[~unserved])
    return _result(
        start=start,
        fixed=fixed,
        added=added,
        objective=objective,
        offset=model.fixed_value,
        solved=solved,
        maximize=False,
        integral=integral,
        assignment=assignment,
    )
