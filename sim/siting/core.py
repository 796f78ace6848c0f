"""Shared pieces of :mod:`sim.siting.models`: the result type, the errors, bound bookkeeping.

Kept apart so that the reduction, heuristic and MILP modules can use them without
importing the public module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.errors import SimError

#: Relative gap below which a solution counts as proven optimal (also HiGHS' ``mip_rel_gap``).
OPTIMALITY_GAP = 1e-6

#: Where a reported bound comes from (:attr:`SitingResult.bound_source`).
BOUND_SOURCES: tuple[str, ...] = ("greedy", "lagrangian", "milp", "trivial")


class SitingError(SimError):
    """Bad input to a location model (shape, sign, NaN, index, ``p``, method ...)."""


class InfeasibleSitingError(SitingError):
    """The model has no feasible solution (e.g. demand no candidate site can reach)."""


@dataclass(frozen=True, kw_only=True)
class SitingResult:
    """The chosen sites and how good the choice is proven to be.

    Attributes
    ----------
    selected
        Sorted indices (rows of ``cost``) of every open site, the ``fixed`` ones included.
    added
        Sorted indices of the sites opened beyond ``fixed``.
    objective
        Maximal covering: demand weight within ``within`` of an open site (fixed sites
        count). p-median: sum over demand points of weight × cost to the nearest open
        site (cost units × weight units). Set covering: number of open sites, fixed
        included (``len(added)`` is the number of new sites).
    bound
        Best proven bound on the optimal objective: an upper bound for maximal covering,
        a lower bound for p-median and set covering. Equals ``objective`` when optimal.
    gap
        ``|bound - objective| / max(|objective|, 1e-9)``; 0.0 when proven optimal.
    bound_source
        Which proof gives ``bound`` (the tightest one found):

        ``"greedy"``
            maximal covering only: the smallest over the greedy steps ``t`` of (demand
            covered after ``t`` picks + the ``p`` largest marginal gains at that step),
            valid because coverage is submodular (Nemhauser, Wolsey & Fisher 1978). It is
            never looser than the classic guarantee ``objective / (1 - 1/e)``.
        ``"lagrangian"``
            a Lagrangian relaxation maximised by subgradient steps (maximal covering:
            the links ``z_j <= sum_i a_ij y_i``; set covering: the cover rows; p-median:
            the assignment rows). At its best multipliers it equals the LP-relaxation
            bound; the steps stop early, so it can be somewhat looser than that.
        ``"milp"``
            HiGHS' branch-and-bound dual bound.
        ``"trivial"``
            nothing was left to decide (no demand left, or every useful site opened).
    status
        ``"optimal"`` (gap proven below 1e-6), ``"time_limit"`` (the MILP was stopped by
        the time limit; the best solution found so far) or ``"heuristic"`` (no MILP run,
        or it could not be used; the bound is the heuristic's own).
    method
        Algorithm that produced ``selected``: ``"milp"`` (HiGHS through
        :func:`scipy.optimize.milp`) or ``"greedy+swap"``.
    solve_time_s
        Wall-clock seconds for the whole call (reductions, heuristic and MILP).
    assignment
        p-median only: for each demand point, the index (row of ``cost``) of the open
        site serving it, i.e. its nearest open site; ``-1`` for a zero-weight point no
        open site reaches. ``None`` for the covering models.
    """

    selected: np.ndarray
    added: np.ndarray
    objective: float
    bound: float
    gap: float
    bound_source: str
    status: str
    method: str
    solve_time_s: float
    assignment: np.ndarray | None = None


def relative_gap(objective: float, bound: float) -> float:
    """Return ``|bound - objective| / max(|objective|, 1e-9)``."""
    return abs(bound - objective) / max(abs(objective), 1e-9)


def tighten_bound(bound: float, objective: float, *, maximize: bool, integral: bool) -> float:
    """Clip a proven bound to the objective's side and round it when data are integers.

    When every objective coefficient is an integer the optimum is an integer, so an
    upper bound can be floored and a lower bound ceiled (after a tiny tolerance for the
    solver's floating-point error). A bound that floating-point noise puts on the wrong
    side of a feasible objective is set to the objective.
    """
    if not math.isfinite(bound):
        return bound
    tol = 1e-7 * max(1.0, abs(bound))
    if integral:
        bound = math.floor(bound + tol) if maximize else math.ceil(bound - tol)
    if abs(bound - objective) <= 1e-9 * max(1.0, abs(objective)):
        return objective
    return max(bound, objective) if maximize else min(bound, objective)


def proven_optimal(value: float, bound: float, *, maximize: bool, integral: bool) -> bool:
    """Whether ``bound`` proves ``value`` optimal within :data:`OPTIMALITY_GAP`."""
    tight = tighten_bound(bound, value, maximize=maximize, integral=integral)
    return relative_gap(value, tight) <= OPTIMALITY_GAP


def is_integral(values: np.ndarray) -> bool:
    """Whether every finite entry of ``values`` is a whole number."""
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.round(finite)))


def format_indices(indices: np.ndarray, limit: int = 5) -> str:
    """Format the first ``limit`` indices as ``[4, 17, 90]`` (with ``...`` when cut)."""
    shown = ", ".join(str(int(i)) for i in indices[:limit])
    return f"[{shown}{', ...' if len(indices) > limit else ''}]"


def format_costs(values: np.ndarray, limit: int = 5) -> str:
    """Format the first ``limit`` costs compactly (``31.2, 45, inf``)."""
    shown = ", ".join(f"{float(v):.6g}" for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")
