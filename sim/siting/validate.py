"""Input validation for :mod:`sim.siting.models`; every message names the value and the fix."""

from __future__ import annotations

import numbers
import operator
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from sim.siting.core import SitingError

METHODS = ("auto", "milp", "greedy+swap")


def check_inputs(
    cost: object,
    demand: object,
    fixed: Sequence[int] | np.ndarray,
    method: str,
    time_limit_s: float,
    *,
    allow_sparse: bool = False,
) -> tuple[np.ndarray | sp.csr_matrix, np.ndarray, np.ndarray]:
    """Check and normalise ``cost``, ``demand``, ``fixed``, ``method`` and ``time_limit_s``.

    Returns ``cost`` as a floating array (float32 is kept) or, when ``allow_sparse`` and
    it is a ``scipy.sparse`` matrix, as a float64 CSR matrix (stored entries, explicit
    zeros included, are the finite costs); ``demand`` as float64 and ``fixed`` as
    sorted unique int64 indices. Raises :class:`SitingError` otherwise.
    """
    if sp.issparse(cost):
        if not allow_sparse:
            raise SitingError(
                "this model needs a dense cost matrix (np.inf where unreachable); got a "
                "scipy.sparse matrix. Convert it keeping stored zeros: c = cost.tocoo(); "
                "dense = np.full(c.shape, np.inf); dense[c.row, c.col] = c.data."
            )
        cost = _check_sparse_cost(cost)
    else:
        cost = _check_dense_cost(cost)
    n_demand = cost.shape[1]
    demand = np.asarray(demand, dtype=np.float64)
    if demand.shape != (n_demand,):
        raise SitingError(
            f"demand has shape {demand.shape} but cost has {n_demand} demand columns "
            f"(cost shape {cost.shape}); pass one weight per column of cost."
        )
    bad = np.flatnonzero(~np.isfinite(demand) | (demand < 0))
    if len(bad):
        raise SitingError(
            f"demand must be finite and non-negative; {len(bad)} entries are not, e.g. "
            f"demand[{bad[0]}] = {demand[bad[0]]}. Use 0 for points that should not count."
        )
    fixed_arr = np.asarray(fixed)
    if fixed_arr.size == 0:
        fixed_arr = np.zeros(0, dtype=np.int64)
    if fixed_arr.ndim != 1 or not np.issubdtype(fixed_arr.dtype, np.integer):
        raise SitingError(
            f"fixed must be a 1-D sequence of integer site indices (rows of cost); got {fixed!r}."
        )
    n_sites = cost.shape[0]
    out = np.flatnonzero((fixed_arr < 0) | (fixed_arr >= n_sites))
    if len(out):
        raise SitingError(
            f"fixed site index {int(fixed_arr[out[0]])} is out of range for {n_sites} "
            f"candidate sites (valid: 0..{n_sites - 1}); fixed sites must be rows of cost."
        )
    if method not in METHODS:
        raise SitingError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")
    if not (isinstance(time_limit_s, numbers.Real) and time_limit_s > 0):
        raise SitingError(
            f"time_limit_s must be a positive number of seconds; got {time_limit_s!r}."
        )
    return cost, demand, np.unique(fixed_arr).astype(np.int64)


def _check_dense_cost(cost: object) -> np.ndarray:
    cost = np.asarray(cost)
    if cost.ndim != 2:
        raise SitingError(
            f"cost must be a 2-D array (n_sites × n_demand) of travel costs; got shape "
            f"{cost.shape}. For one site use cost.reshape(1, -1)."
        )
    if not np.issubdtype(cost.dtype, np.number) or np.iscomplexobj(cost):
        raise SitingError(f"cost must hold real numbers; got dtype {cost.dtype}.")
    if not np.issubdtype(cost.dtype, np.floating):
        cost = cost.astype(np.float64)
    nan = np.isnan(cost)
    if nan.any():
        i, j = np.argwhere(nan)[0]
        raise SitingError(
            f"cost contains {int(nan.sum())} NaN entries (first at cost[{i}, {j}]); "
            "use np.inf for unreachable site–demand pairs."
        )
    if cost.size and cost.min() < 0:
        i, j = np.unravel_index(int(np.argmin(cost)), cost.shape)
        raise SitingError(
            f"cost must be non-negative (travel times or distances); cost[{i}, {j}] = "
            f"{cost[i, j]}. Check the sign or units of the matrix."
        )
    return cost


def _check_sparse_cost(cost: sp.sparray | sp.spmatrix) -> sp.csr_matrix:
    if len(cost.shape) != 2:
        raise SitingError(f"cost must be 2-D (n_sites × n_demand); got shape {cost.shape}.")
    if not np.issubdtype(cost.dtype, np.number) or np.issubdtype(cost.dtype, np.complexfloating):
        raise SitingError(f"cost must hold real numbers; got dtype {cost.dtype}.")
    csr = sp.csr_matrix(cost, dtype=np.float64)  # no copy for a float64 CSR matrix
    if not csr.has_canonical_format:
        csr = csr.copy()
        csr.sum_duplicates()
    if csr.nnz != cost.nnz:
        raise SitingError(
            f"cost stores {cost.nnz - csr.nnz} duplicate (site, demand) entries; give each "
            "pair at most once."
        )
    bad = np.flatnonzero(~(csr.data >= 0))  # NaN or negative
    if len(bad):
        k = bad[0]
        row = int(np.searchsorted(csr.indptr, k, side="right")) - 1
        raise SitingError(
            f"cost has {len(bad)} stored entries that are NaN or negative (first at "
            f"cost[{row}, {csr.indices[k]}] = {csr.data[k]}); store only non-negative "
            "costs and leave unreachable pairs out."
        )
    return csr


def check_p(p: int, n_sites: int, fixed: np.ndarray) -> int:
    """Check that ``p`` is an integer in ``0 .. n_sites - len(fixed)``; return it as int."""
    try:
        p = operator.index(p)
    except TypeError:
        raise SitingError(
            f"p (number of sites to add beyond fixed) must be an integer; got {p!r}."
        ) from None
    if p < 0:
        raise SitingError(f"p (number of sites to add beyond fixed) must be >= 0; got {p}.")
    n_free = n_sites - len(fixed)
    if p > n_free:
        raise SitingError(
            f"p={p} exceeds the {n_free} candidate sites not already fixed ({n_sites} sites, "
            f"{len(fixed)} fixed); lower p or add candidate sites."
        )
    return p


def check_within(within: float) -> float:
    """Check that ``within`` is a non-negative number (``inf`` allowed); return it as float."""
    if not isinstance(within, int | float | np.number) or not within >= 0:
        raise SitingError(
            f"within (coverage threshold, same unit as cost) must be a non-negative number; "
            f"got {within!r}."
        )
    return float(within)
