"""Exact model reductions for :mod:`sim.siting.models`.

Covering models (maximal and set covering) are reduced to a sparse 0/1 matrix over
*free* candidate sites × *groups* of demand points:

1. demand with zero weight, or already covered by a fixed site, is dropped (its weight
   is a constant of the objective);
2. demand no free site covers is dropped (maximal covering) or reported (set covering);
3. free sites that cover nothing left, sites whose coverage set repeats another site's,
   and sites whose coverage set is a strict subset of another's (when affordable) are
   dropped: any optimal solution can swap them for the kept superset;
4. demand points with identical coverage sets are merged into one group whose weight
   is the sum of theirs.

Every step keeps the optimum: the reduced model's optimum plus the constant is the
original optimum. The p-median reduction removes assignment pairs that no optimal
solution uses (see :func:`reduce_pmedian`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sim.siting.pmedian import Pairs

#: Cost entries compared per chunk when building coverage sets (bounds temporary memory).
_CHUNK_ENTRIES = 1 << 22
#: Largest ``sum_j (sites covering j)**2`` for which dominated sites are looked for.
DOMINANCE_MAX_WORK = 50_000_000


def coverage_csr(cost: np.ndarray | sp.sparray | sp.spmatrix, within: float) -> sp.csr_matrix:
    """Return the boolean sparse matrix ``cost <= within`` (sites × demand).

    A dense ``cost`` is compared in row chunks (bounded temporary memory); for a sparse
    one only its stored entries are compared, absent entries being unreachable.
    """
    n_sites, n_demand = cost.shape
    if sp.issparse(cost):
        csr = sp.csr_matrix(cost)
        cov = keep_entries(csr, csr.data <= within)
        cov.data = np.ones(cov.nnz, dtype=bool)
        return cov
    rows_per_chunk = max(1, _CHUNK_ENTRIES // max(n_demand, 1))
    indices: list[np.ndarray] = []
    counts = np.zeros(n_sites, dtype=np.int64)
    for start in range(0, n_sites, rows_per_chunk):
        block = cost[start : start + rows_per_chunk] <= within
        counts[start : start + len(block)] = block.sum(axis=1)
        indices.append(np.nonzero(block)[1].astype(np.int32, copy=False))
    indptr = np.concatenate([[0], np.cumsum(counts)])
    col = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
    data = np.ones(len(col), dtype=bool)
    return sp.csr_matrix((data, col, indptr), shape=(n_sites, n_demand))


def keep_entries(csr: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """Return ``csr`` with only the stored entries where ``keep`` (explicit zeros stay)."""
    before = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    return sp.csr_matrix((csr.data[keep], csr.indices[keep], before[csr.indptr]), shape=csr.shape)


def _group_identical(indptr: np.ndarray, indices: np.ndarray, n: int) -> np.ndarray:
    """Label each compressed row/column by its set of indices (equal sets, equal label)."""
    labels = np.empty(n, dtype=np.int64)
    seen: dict[bytes, int] = {}
    for k in range(n):
        key = np.sort(indices[indptr[k] : indptr[k + 1]]).tobytes()
        labels[k] = seen.setdefault(key, len(seen))
    return labels


@dataclass(frozen=True)
class CoverModel:
    """A reduced covering model; see the module docstring.

    Attributes
    ----------
    cover
        Float 0/1 CSR matrix, reduced sites × demand groups.
    weight
        Summed demand weight of each group (its number of points for set covering).
    site_ids
        Original site index (row of ``cost``) of each reduced row.
    fixed_value
        Demand weight already covered by the fixed sites.
    uncoverable
        Original indices of positive-weight demand points no open-able site covers.
    """

    cover: sp.csr_matrix
    weight: np.ndarray
    site_ids: np.ndarray
    fixed_value: float
    uncoverable: np.ndarray


def reduce_cover(
    cov: sp.csr_matrix, demand: np.ndarray, fixed: np.ndarray, *, count_points: bool
) -> CoverModel:
    """Build the reduced covering model (steps 1–4 of the module docstring).

    ``cov`` is the boolean coverage matrix (sites × demand, from :func:`coverage_csr`).
    ``count_points`` gives each group the number of its points as weight (set covering)
    instead of the summed demand.
    """
    n_sites = cov.shape[0]
    if len(fixed):
        fixed_cov = np.asarray(cov[fixed].sum(axis=0)).ravel() > 0
    else:
        fixed_cov = np.zeros(cov.shape[1], dtype=bool)
    free = np.setdiff1d(np.arange(n_sites), fixed)
    free_cov = cov[free]
    reachable = np.asarray(free_cov.sum(axis=0)).ravel() > 0
    open_demand = (demand > 0) & ~fixed_cov
    uncoverable = np.flatnonzero(open_demand & ~reachable)
    keep = np.flatnonzero(open_demand & reachable)
    fixed_value = float(demand[fixed_cov].sum())

    point_weight = np.ones(len(keep)) if count_points else demand[keep].astype(np.float64)
    cover, weight, rows = compress_cover(free_cov[:, keep].tocsr(), point_weight)
    return CoverModel(
        cover=cover,
        weight=weight,
        site_ids=free[rows],
        fixed_value=fixed_value,
        uncoverable=uncoverable,
    )


def compress_cover(
    matrix: sp.csr_matrix, weight: np.ndarray
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Drop empty, duplicate and dominated rows, then empty columns; merge equal columns.

    A row is dominated when its set of columns is a strict subset of another row's (only
    checked when that costs at most :data:`DOMINANCE_MAX_WORK` operations). Returns the
    float 0/1 matrix, the summed weight per merged column, and the kept row indices.
    """
    sub = matrix.tocsr().astype(bool)
    sub.sum_duplicates()
    sub.eliminate_zeros()
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    sub = sub[rows]
    labels = _group_identical(sub.indptr, sub.indices, sub.shape[0])
    _, first = np.unique(labels, return_index=True)
    first.sort()
    sub, rows = sub[first], rows[first]
    col_counts = np.diff(sub.tocsc().indptr)
    if float(np.square(col_counts, dtype=np.float64).sum()) <= DOMINANCE_MAX_WORK:
        as_int = sub.astype(np.int32)
        overlap = (as_int @ as_int.T).tocoo()
        size = np.diff(sub.indptr)
        inside = (overlap.row != overlap.col) & (overlap.data == size[overlap.row])
        dominated = np.zeros(sub.shape[0], dtype=bool)
        dominated[overlap.row[inside]] = True
        sub, rows = sub[~dominated], rows[~dominated]
    cols = np.flatnonzero(np.diff(sub.tocsc().indptr) > 0)
    csc = sub[:, cols].tocsc()
    weight = weight[cols]
    labels = _group_identical(csc.indptr, csc.indices, csc.shape[1])
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    relabel = np.empty_like(order)
    relabel[order] = np.arange(len(order))
    merged = np.bincount(relabel[labels], weights=weight, minlength=len(first))
    cover = csc[:, first[order]].tocsr().astype(np.float64)
    return cover, merged, rows


@dataclass(frozen=True)
class PMedianModel:
    """A reduced p-median model over the positive-weight demand points.

    Attributes
    ----------
    pairs
        The allowed (site, kept point) pairs and their cost; pruned pairs are absent.
    weight
        Demand weight of each kept point.
    fixed_value
        Weighted cost of the dropped points, each always served by a fixed site.
    """

    pairs: Pairs
    weight: np.ndarray
    fixed_value: float


def reduce_pmedian(
    cost: np.ndarray, demand: np.ndarray, fixed: np.ndarray, n_open: int
) -> PMedianModel:
    """Drop assignment pairs and demand points no optimal solution needs.

    With ``n_open`` sites open out of ``n``, every demand point's nearest open site is
    among its ``n - n_open + 1`` nearest sites, so farther pairs are pruned. A site
    farther than the nearest fixed site never serves the point either. A point whose
    nearest site overall is a fixed one is always served by it and leaves the model.
    Positive demand must be reachable (the caller checks).
    """
    rank = cost.shape[0] - n_open
    keep = np.flatnonzero(demand > 0)
    sub = np.asarray(cost[:, keep], dtype=np.float64)
    weight = demand[keep].astype(np.float64)
    limit = np.partition(sub, rank, axis=0)[rank]
    fixed_value = 0.0
    if len(fixed):
        nearest_fixed = sub[fixed].min(axis=0)
        limit = np.minimum(limit, nearest_fixed)
        settled = nearest_fixed <= sub.min(axis=0)
        fixed_value = float(weight[settled] @ nearest_fixed[settled])
        stay = ~settled
        sub, weight, keep, limit = sub[:, stay], weight[stay], keep[stay], limit[stay]
    sub[sub > limit[None, :]] = np.inf
    pairs = Pairs.from_dense(sub)
    return PMedianModel(pairs=pairs, weight=weight, fixed_value=fixed_value)
