"""Greedy + 1-swap heuristics and Lagrangian bounds for the reduced covering models.

All functions work on the reduced models of :mod:`sim.siting.reduce` and return row
indices of those models. Every heuristic comes with a *proven* bound so that the caller
can report a gap:

* maximal covering: the submodularity bound ``f(S_t) + sum of the k largest marginal
  gains`` at every greedy step, then the Lagrangian bound obtained by relaxing
  ``z_j <= sum_i a_ij y_i`` (its best value equals the LP relaxation);
* set covering: the Lagrangian bound obtained by relaxing the covering rows.

(p-median has its own module, :mod:`sim.siting.pmedian`.)

Each bound is minimised/maximised by projected subgradient steps (Polyak step size),
stopping at the deadline, after :data:`SUBGRADIENT_MAX_ITER` steps, or once the gap
is closed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Most subgradient steps for a Lagrangian bound, and most improving swaps.
SUBGRADIENT_MAX_ITER = 300
SWAP_MAX_ITER = 1000


def top_sum(values: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """Sum and indices of the ``k`` largest entries."""
    if k >= len(values):
        return float(values.sum()), np.arange(len(values))
    top = np.argpartition(-values, k - 1)[:k]
    return float(values[top].sum()), top


# --------------------------------------------------------------------------- covering


def covered_weight(cover: sp.csr_matrix, weight: np.ndarray, rows: np.ndarray) -> float:
    """Weight of the groups covered by ``rows``."""
    hit = np.zeros(cover.shape[1], dtype=bool)
    for r in rows:
        hit[cover.indices[cover.indptr[r] : cover.indptr[r + 1]]] = True
    return float(weight[hit].sum())


def cover_greedy(
    cover: sp.csr_matrix, weight: np.ndarray, k: int
) -> tuple[np.ndarray, float, float]:
    """Greedy maximal covering: rows, covered weight, and the submodularity upper bound."""
    csc = cover.tocsc()
    gains = cover @ weight
    counts = np.zeros(cover.shape[1], dtype=np.int64)
    chosen: list[int] = []
    value = 0.0
    bound = min(float(weight.sum()), top_sum(gains, k)[0])
    for _ in range(k):
        masked = gains.copy()
        masked[chosen] = -np.inf
        row = int(np.argmax(masked))
        chosen.append(row)
        value += float(gains[row])
        cols = cover.indices[cover.indptr[row] : cover.indptr[row + 1]]
        new = cols[counts[cols] == 0]
        counts[cols] += 1
        if len(new):
            gains -= csc[:, new] @ weight[new]
        np.maximum(gains, 0.0, out=gains)  # float noise
        bound = min(bound, value + top_sum(gains, k)[0])
    rows = np.array(chosen, dtype=np.int64)
    return rows, covered_weight(cover, weight, rows), bound


def cover_swap(
    cover: sp.csr_matrix, weight: np.ndarray, rows: np.ndarray, deadline: float
) -> np.ndarray:
    """Best-improvement 1-swap (Teitz–Bart) for maximal covering; returns improved rows."""
    rows = rows.copy()
    if len(rows) == 0 or len(rows) >= cover.shape[0]:
        return rows
    counts = np.asarray(cover[rows].sum(axis=0)).ravel()
    tol = 1e-12 * max(float(weight.sum()), 1.0)
    for _ in range(SWAP_MAX_ITER):
        if time.perf_counter() > deadline:
            break
        gain_new = cover @ (weight * (counts == 0))  # weight a new site would add
        only = cover[rows].multiply((weight * (counts == 1))[None, :]).tocsr()
        loss = np.asarray(only.sum(axis=1)).ravel()  # weight lost by closing each site
        kept = np.asarray(cover @ only.T.toarray())  # ... of which a new site would keep
        gain = gain_new[:, None] + kept - loss[None, :]
        gain[rows, :] = -np.inf
        new_row, slot = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if gain[new_row, slot] <= tol:
            break
        old_row = rows[slot]
        counts[cover.indices[cover.indptr[old_row] : cover.indptr[old_row + 1]]] -= 1
        counts[cover.indices[cover.indptr[new_row] : cover.indptr[new_row + 1]]] += 1
        rows[slot] = new_row
    return rows


@dataclass(frozen=True)
class CoverLagrangian:
    """Outcome of :func:`cover_lagrangian`.

    Attributes
    ----------
    bound
        Best (smallest) Lagrangian upper bound found.
    rows, value
        Best feasible rows seen (the incumbent given, or a relaxed solution) and their
        covered weight.
    eliminated
        Rows that cannot be in a solution better than ``value`` (reduced-cost fixing).
    multipliers
        The multipliers ``mu`` of ``bound``.
    """

    bound: float
    rows: np.ndarray
    value: float
    eliminated: np.ndarray
    multipliers: np.ndarray


def _lagrangian_value(
    cover: sp.csr_matrix, weight: np.ndarray, k: int, mu: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """``L(mu)``, the reduced weights ``A mu`` and the ``k`` rows the relaxation opens."""
    reduced = cover @ mu
    top_value, top = top_sum(reduced, k)
    return float(np.maximum(weight - mu, 0.0).sum()) + top_value, reduced, top


def cover_eliminate(
    cover: sp.csr_matrix, weight: np.ndarray, k: int, mu: np.ndarray, value: float
) -> np.ndarray:
    """Rows whose Lagrangian bound at ``mu``, when forced open, is below ``value``.

    Forcing row ``i`` into the relaxed solution at multipliers ``mu`` gives the bound
    ``L(mu) - (k-th largest A mu) + (A mu)_i``; where that is below the covered weight
    ``value`` of a known solution, no solution containing ``i`` beats it.
    """
    if k >= cover.shape[0]:
        return np.zeros(cover.shape[0], dtype=bool)
    bound, reduced, top = _lagrangian_value(cover, weight, k, mu)
    forced = bound - reduced[top].min() + reduced
    forced[top] = np.inf
    return forced < value - 1e-9 * max(value, 1.0)


def cover_lagrangian(
    cover: sp.csr_matrix,
    weight: np.ndarray,
    k: int,
    best_rows: np.ndarray,
    best_value: float,
    deadline: float,
    *,
    start: np.ndarray | None = None,
) -> CoverLagrangian:
    """Lagrangian upper bound for maximal covering, with the relaxed solutions as primal.

    ``L(mu) = sum_j max(0, w_j - mu_j) + (k largest of A mu)`` for ``0 <= mu <= w``,
    from ``mu = start`` (default ``w``). At every step the rows
    :func:`cover_eliminate` flags against the best value found so far are collected in
    ``eliminated`` (reduced-cost fixing).
    """
    mu = weight.copy() if start is None else start.copy()
    best_mu = mu
    eliminated = np.zeros(cover.shape[0], dtype=bool)
    bound = np.inf
    step_scale, stall = 2.0, 0
    tol = 1e-9 * max(best_value, 1.0)
    for _ in range(SUBGRADIENT_MAX_ITER):
        value, reduced, top = _lagrangian_value(cover, weight, k, mu)
        if value < bound - tol:
            bound, best_mu, stall = value, mu, 0
        else:
            stall += 1
            if stall >= 15:
                step_scale, stall = step_scale / 2, 0
        counts = np.asarray(cover[top].sum(axis=0)).ravel()
        primal = float(weight[counts > 0].sum())
        if primal > best_value:
            best_rows, best_value = np.sort(top), primal
        if k < cover.shape[0]:
            forced = value - reduced[top].min() + reduced
            forced[top] = np.inf
            eliminated |= forced < best_value - tol
        if bound - best_value <= tol or step_scale < 1e-4 or time.perf_counter() > deadline:
            break
        subgrad = counts - (weight > mu)
        norm2 = float(subgrad @ subgrad)
        if norm2 == 0.0:
            break
        mu = np.clip(mu - step_scale * (value - best_value) / norm2 * subgrad, 0.0, weight)
    return CoverLagrangian(
        bound=bound, rows=best_rows, value=best_value, eliminated=eliminated, multipliers=best_mu
    )


# ------------------------------------------------------------------------ set covering


def set_cover_greedy(cover: sp.csr_matrix) -> np.ndarray:
    """Chvátal's greedy set cover then removal of redundant rows; every column covered."""
    csc = cover.tocsc()
    uncovered = np.ones(cover.shape[1], dtype=bool)
    gains = np.asarray(cover.sum(axis=1)).ravel()
    chosen: list[int] = []
    while uncovered.any():
        row = int(np.argmax(gains))
        chosen.append(row)
        cols = cover.indices[cover.indptr[row] : cover.indptr[row + 1]]
        new = cols[uncovered[cols]]
        uncovered[new] = False
        gains -= np.asarray(csc[:, new].sum(axis=1)).ravel()
    return _drop_redundant(cover, np.array(chosen[::-1], dtype=np.int64))


def _drop_redundant(cover: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    counts = np.asarray(cover[rows].sum(axis=0)).ravel()
    keep = []
    for row in rows:
        cols = cover.indices[cover.indptr[row] : cover.indptr[row + 1]]
        if np.all(counts[cols] >= 2):
            counts[cols] -= 1
        else:
            keep.append(row)
    return np.sort(np.array(keep, dtype=np.int64))


def set_cover_swap(cover: sp.csr_matrix, rows: np.ndarray, deadline: float) -> np.ndarray:
    """Replace two chosen rows by one row covering what only they covered, while possible."""
    rows = np.sort(rows)
    while len(rows) >= 2 and time.perf_counter() < deadline:
        counts = np.asarray(cover[rows].sum(axis=0)).ravel()
        chosen = cover[rows].toarray()
        improved = False
        for a in range(len(rows)):
            if time.perf_counter() > deadline:
                break
            # columns covered only by rows[a] and/or rows[b], for every b
            only = (counts[None, :] - chosen[a][None, :] - chosen) == 0
            only[a] = False
            need = only.sum(axis=1)
            hits = np.asarray(cover @ only.T.astype(np.float64))
            ok = hits >= need[None, :]
            ok[rows, :] = False
            ok[:, a] = False
            if ok.any():
                new_row, b = np.unravel_index(int(np.argmax(ok)), ok.shape)
                rows = np.sort(np.r_[np.delete(rows, [a, b]), new_row])
                rows = _drop_redundant(cover, rows)
                improved = True
                break
        if not improved:
            break
    return rows


def set_cover_lagrangian(
    cover: sp.csr_matrix, upper: int, deadline: float
) -> tuple[float, np.ndarray]:
    """Lagrangian lower bound on the number of rows needed to cover every column.

    ``upper`` is the size of a known cover. Rows whose bound when forced into the cover
    exceeds ``upper - 1`` cannot be part of a smaller cover: they are flagged in the
    returned ``eliminated`` mask. Returns ``(bound, eliminated)``.
    """
    n_cols = cover.shape[1]
    eliminated = np.zeros(cover.shape[0], dtype=bool)
    if n_cols == 0:
        return 0.0, eliminated
    col_counts = np.asarray(cover.sum(axis=0)).ravel()
    u = 1.0 / col_counts
    bound = 1.0
    step_scale, stall = 2.0, 0
    for _ in range(SUBGRADIENT_MAX_ITER):
        reduced = cover @ u
        pick = reduced > 1.0
        value = float(u.sum() + (1.0 - reduced[pick]).sum())
        if value > bound + 1e-9:
            bound, stall = value, 0
        else:
            stall += 1
            if stall >= 15:
                step_scale, stall = step_scale / 2, 0
        eliminated |= ~pick & (value + 1.0 - reduced > upper - 1 + 1e-6)
        if np.ceil(bound - 1e-6) >= upper or step_scale < 1e-4 or time.perf_counter() > deadline:
            break
        subgrad = 1.0 - np.asarray(cover[np.flatnonzero(pick)].sum(axis=0)).ravel()
        norm2 = float(subgrad @ subgrad)
        if norm2 == 0.0:
            break
        u = np.maximum(u + step_scale * (upper - value) / norm2 * subgrad, 0.0)
    return bound, eliminated
