"""p-median heuristics and Lagrangian bound on a sparse list of allowed site–demand pairs.

The reduced p-median model (:func:`sim.siting.reduce.reduce_pmedian`) keeps only the
pairs an optimal solution can use; every kernel here runs over those pairs (a CSR
matrix whose stored entries, explicit zeros included, are the allowed pairs), so the
cost per step is proportional to their number, not to sites × demand points.

A demand point none of whose open sites is allowed costs ``big`` per unit of weight
(:func:`big_cost`), which outweighs any feasible total.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sim.siting.heuristic import SUBGRADIENT_MAX_ITER, SWAP_MAX_ITER, top_sum


@dataclass(frozen=True)
class Pairs:
    """Allowed (site, demand point) pairs with their cost.

    Attributes
    ----------
    csr
        ``(n_sites, n_points)`` CSR matrix; stored entries are the allowed pairs and its
        data their cost (zeros are stored explicitly).
    site
        Row of each stored entry (same order as ``csr.data``).
    """

    csr: sp.csr_matrix
    site: np.ndarray

    @classmethod
    def from_dense(cls, cost: np.ndarray) -> Pairs:
        """Build from a dense matrix where ``inf`` marks a pair that is not allowed."""
        finite = np.isfinite(cost)
        counts = finite.sum(axis=1)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        site, point = np.nonzero(finite)
        csr = sp.csr_matrix((cost[site, point], point, indptr), shape=cost.shape)
        return cls(csr=csr, site=site.astype(np.int64))

    @classmethod
    def from_csr(cls, csr: sp.csr_matrix) -> Pairs:
        """Wrap a CSR matrix whose stored entries are the allowed pairs."""
        site = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))
        return cls(csr=csr, site=site)

    @property
    def point(self) -> np.ndarray:
        """Column (demand point) of each stored entry."""
        return self.csr.indices

    @property
    def cost(self) -> np.ndarray:
        """Cost of each stored entry."""
        return self.csr.data

    def rows(self, rows: np.ndarray) -> Pairs:
        """Return the pairs of the given sites only (renumbered 0 .. len(rows) - 1)."""
        return Pairs.from_csr(self.csr[rows])

    def dense_rows(self, rows: np.ndarray, big: float) -> np.ndarray:
        """``(len(rows), n_points)`` costs of the given sites, ``big`` where not allowed."""
        out = np.full((len(rows), self.csr.shape[1]), big)
        indptr, indices, data = self.csr.indptr, self.csr.indices, self.csr.data
        for k, row in enumerate(rows):
            out[k, indices[indptr[row] : indptr[row + 1]]] = data[indptr[row] : indptr[row + 1]]
        return out

    def min_per_point(self, values: np.ndarray | None = None) -> np.ndarray:
        """Per demand point, the smallest of ``values`` (default: cost) over its pairs."""
        out = np.full(self.csr.shape[1], np.inf)
        np.minimum.at(out, self.point, self.cost if values is None else values)
        return out


def big_cost(pairs: Pairs, weight: np.ndarray) -> float:
    """Return a finite stand-in for ``inf`` that outweighs any feasible total cost."""
    top = float(pairs.cost.max()) if pairs.cost.size else 1.0
    return (top + 1.0) * (float(weight.sum()) / float(weight.min()) + 1.0)


def nearest_costs(pairs: Pairs, rows: np.ndarray, big: float) -> np.ndarray:
    """Per demand point, the cost to the nearest of ``rows`` (``big`` when none)."""
    if len(rows) == 0:
        return np.full(pairs.csr.shape[1], big)
    return pairs.dense_rows(rows, big).min(axis=0)


def pmedian_value(
    pairs: Pairs, weight: np.ndarray, fixed: np.ndarray, rows: np.ndarray, big: float
) -> float:
    """Total weighted cost of opening ``fixed`` and ``rows`` (``big`` per unreached unit)."""
    return float(nearest_costs(pairs, np.r_[fixed, rows].astype(np.int64), big) @ weight)


def _savings(pairs: Pairs, cap: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per site i: ``sum_j w_j max(cap_j - c_ij, 0)``, the saving of opening i."""
    point = pairs.point
    saving = weight[point] * np.maximum(cap[point] - pairs.cost, 0.0)
    return np.bincount(pairs.site, weights=saving, minlength=pairs.csr.shape[0])


def pmedian_greedy(
    pairs: Pairs, weight: np.ndarray, fixed: np.ndarray, k: int, big: float
) -> np.ndarray:
    """Greedy p-median: add, ``k`` times, the site that lowers the total cost most."""
    current = nearest_costs(pairs, fixed, big)
    chosen: list[int] = []
    for _ in range(k):
        saving = _savings(pairs, current, weight)
        saving[fixed] = -np.inf
        saving[chosen] = -np.inf
        row = int(np.argmax(saving))
        chosen.append(row)
        current = np.minimum(current, pairs.dense_rows(np.array([row]), big)[0])
    return np.array(chosen, dtype=np.int64)


def pmedian_swap(
    pairs: Pairs,
    weight: np.ndarray,
    fixed: np.ndarray,
    rows: np.ndarray,
    big: float,
    deadline: float,
) -> np.ndarray:
    """Best-improvement 1-swap (Teitz–Bart) over the added rows; fixed rows stay open."""
    rows = rows.copy()
    n_fixed = len(fixed)
    if len(rows) == 0 or n_fixed + len(rows) >= pairs.csr.shape[0]:
        return rows
    cols = np.arange(pairs.csr.shape[1])
    for _ in range(SWAP_MAX_ITER):
        if time.perf_counter() > deadline:
            break
        open_rows = np.r_[fixed, rows].astype(np.int64)
        sub = pairs.dense_rows(open_rows, big)
        if len(open_rows) > 1:
            order = np.argpartition(sub, 1, axis=0)
            nearest = order[0]
            first, second = sub[nearest, cols], sub[order[1], cols]
        else:
            nearest = np.zeros(len(cols), dtype=np.int64)
            first, second = sub[0], np.full(len(cols), big)
        current = float(first @ weight)
        best_delta, best = 1e-12 * max(current, 1.0), None
        for slot in range(len(rows)):
            cap = np.where(nearest == n_fixed + slot, second, first)
            totals = float(cap @ weight) - _savings(pairs, cap, weight)
            totals[open_rows] = np.inf
            row = int(np.argmin(totals))
            if current - totals[row] > best_delta:
                best_delta, best = current - totals[row], (slot, row)
        if best is None:
            break
        rows[best[0]] = best[1]
    return rows


def pmedian_lagrangian(
    pairs: Pairs,
    weight: np.ndarray,
    fixed: np.ndarray,
    k: int,
    best_rows: np.ndarray,
    best_value: float,
    big: float,
    deadline: float,
) -> tuple[float, np.ndarray, float, np.ndarray]:
    """Lagrangian lower bound for p-median, with the relaxed solutions as primal.

    Relaxing ``sum_i x_ij = 1`` with multipliers ``lam`` gives ``L(lam) = sum_j lam_j +
    sum over open i of rho_i`` with ``rho_i = sum_j min(0, w_j c_ij - lam_j)``; the open
    sites are the fixed ones plus the ``k`` free ones of smallest ``rho``. The start
    ``lam_j = min_i w_j c_ij`` gives the trivial bound ``sum_j w_j min_i c_ij``.

    Free rows whose bound when forced open exceeds the best feasible value cannot be in
    a better solution: they are flagged in ``eliminated`` (reduced-cost fixing).
    Returns ``(bound, best_rows, best_value, eliminated)``.
    """
    n_sites = pairs.csr.shape[0]
    point = pairs.point
    weighted = pairs.cost * weight[point]
    lam = pairs.min_per_point(weighted)
    eliminated = np.zeros(n_sites, dtype=bool)
    feasible_below = big * float(weight.min())  # any unreached point costs more
    free = np.ones(n_sites, dtype=bool)
    free[fixed] = False
    free_rows = np.flatnonzero(free)
    indptr = pairs.csr.indptr
    bound = -np.inf
    step_scale, stall = 2.0, 0
    for _ in range(SUBGRADIENT_MAX_ITER):
        reduced = np.minimum(weighted - lam[point], 0.0)
        bracket = np.bincount(pairs.site, weights=reduced, minlength=n_sites)
        top_value, top = top_sum(-bracket[free_rows], k)
        added = free_rows[top]
        value = float(lam.sum() + bracket[fixed].sum() - top_value)
        if value > bound + 1e-9 * max(abs(value), 1.0):
            bound, stall = value, 0
        else:
            stall += 1
            if stall >= 15:
                step_scale, stall = step_scale / 2, 0
        primal = pmedian_value(pairs, weight, fixed, added, big)
        if primal < best_value:
            best_rows, best_value = np.sort(added), primal
        if 0 < k < len(free_rows) and best_value < feasible_below:
            forced = value - bracket[added].max() + bracket[free_rows]
            forced[top] = -np.inf
            eliminated[free_rows] |= forced > best_value + 1e-9 * max(best_value, 1.0)
        gap_closed = best_value - bound <= 1e-9 * max(best_value, 1.0)
        if gap_closed or step_scale < 1e-4 or time.perf_counter() > deadline:
            break
        open_rows = np.r_[fixed, added].astype(np.int64)
        serving = np.concatenate(
            [
                np.arange(indptr[r], indptr[r + 1])[reduced[indptr[r] : indptr[r + 1]] < 0]
                for r in open_rows
            ]
        )
        subgrad = 1.0 - np.bincount(point[serving], minlength=len(lam))
        norm2 = float(subgrad @ subgrad)
        if norm2 == 0.0:
            break
        lam = lam + step_scale * (best_value - value) / norm2 * subgrad
    return bound, best_rows, best_value, eliminated
