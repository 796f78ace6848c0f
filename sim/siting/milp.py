"""MILP formulations of the reduced models, solved by HiGHS through :func:`scipy.optimize.milp`.

Constraint matrices are built sparse. HiGHS' own presolve is switched off for large
covering models: on millions of non-zeros it can run for minutes before the time
limit is looked at, and :mod:`sim.siting.reduce` has already done the reductions that
matter for these models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from sim.siting.core import OPTIMALITY_GAP
from sim.siting.pmedian import Pairs

#: Largest number of constraint non-zeros for which HiGHS presolve is left on.
PRESOLVE_MAX_NNZ = 1_000_000


@dataclass(frozen=True)
class MilpOutcome:
    """What HiGHS returned, in the model's own sense (maximise or minimise).

    Attributes
    ----------
    rows
        Rows (reduced sites) opened in the best solution found, or ``None``.
    bound
        Proven bound on the optimum (upper when maximising), ``nan`` when none.
    status
        ``"optimal"``, ``"time_limit"``, ``"infeasible"`` or ``"failed"``.
    """

    rows: np.ndarray | None
    bound: float
    status: str


def _solve(
    c: np.ndarray,
    integrality: np.ndarray,
    bounds: Bounds,
    constraints: list[LinearConstraint],
    n_rows: int,
    time_limit_s: float,
    *,
    maximize: bool,
) -> MilpOutcome:
    nnz = sum(con.A.nnz for con in constraints)
    options = {
        "time_limit": max(float(time_limit_s), 0.5),
        "presolve": nnz <= PRESOLVE_MAX_NNZ,
        "mip_rel_gap": OPTIMALITY_GAP,
        "disp": False,
    }
    res = milp(c, integrality=integrality, bounds=bounds, constraints=constraints, options=options)
    status = {0: "optimal", 1: "time_limit", 2: "infeasible"}.get(res.status, "failed")
    rows = None
    if res.x is not None and status in ("optimal", "time_limit"):
        rows = np.flatnonzero(res.x[:n_rows] > 0.5)
    dual = getattr(res, "mip_dual_bound", None)
    bound = float(dual) if dual is not None and math.isfinite(dual) else math.nan
    if status == "optimal" and math.isnan(bound) and res.fun is not None:
        bound = float(res.fun)
    if maximize:
        bound = -bound
    return MilpOutcome(rows=rows, bound=bound, status=status)


def cover_milp(
    cover: sp.csr_matrix, weight: np.ndarray, k: int, time_limit_s: float
) -> MilpOutcome:
    """Maximal covering: ``max w·z``, ``z_j <= sum_i a_ij y_i``, ``sum y = k``, ``y`` binary.

    ``z`` is continuous in [0, 1]; it is integral at any optimum once ``y`` is.
    """
    n, m = cover.shape
    c = np.concatenate([np.zeros(n), -weight])
    link = sp.hstack([-cover.T.tocsr(), sp.identity(m, format="csr")], format="csr")
    count = sp.csr_matrix(np.concatenate([np.ones(n), np.zeros(m)])[None, :])
    constraints = [LinearConstraint(link, -np.inf, 0.0), LinearConstraint(count, k, k)]
    integrality = np.concatenate([np.ones(n), np.zeros(m)])
    return _solve(c, integrality, Bounds(0.0, 1.0), constraints, n, time_limit_s, maximize=True)


def set_cover_milp(cover: sp.csr_matrix, time_limit_s: float) -> MilpOutcome:
    """Set covering: ``min sum y``, ``sum_i a_ij y_i >= 1`` for every column, ``y`` binary."""
    n = cover.shape[0]
    constraints = [LinearConstraint(cover.T.tocsr(), 1.0, np.inf)]
    return _solve(
        np.ones(n), np.ones(n), Bounds(0.0, 1.0), constraints, n, time_limit_s, maximize=False
    )


def pmedian_milp(
    pairs: Pairs, weight: np.ndarray, fixed: np.ndarray, n_open: int, time_limit_s: float
) -> MilpOutcome:
    """p-median over the allowed pairs (the stored entries of ``pairs``).

    ``min sum w_j c_ij x_ij`` subject to ``sum_i x_ij = 1``, ``x_ij <= y_i`` (one sparse
    row per pair), ``sum_i y_i = n_open``, ``y_fixed = 1``; ``y`` binary, ``x`` in [0, 1].
    """
    n, m = pairs.csr.shape
    site, point = pairs.site, pairs.point
    n_pairs = len(site)
    c = np.concatenate([np.zeros(n), pairs.cost * weight[point]])
    pair_cols = n + np.arange(n_pairs)
    assign = sp.csr_matrix((np.ones(n_pairs), (point, pair_cols)), shape=(m, n + n_pairs))
    link = sp.csr_matrix(
        (
            np.concatenate([np.ones(n_pairs), -np.ones(n_pairs)]),
            (np.tile(np.arange(n_pairs), 2), np.concatenate([pair_cols, site])),
        ),
        shape=(n_pairs, n + n_pairs),
    )
    count = sp.csr_matrix(np.concatenate([np.ones(n), np.zeros(n_pairs)])[None, :])
    constraints = [
        LinearConstraint(assign, 1.0, 1.0),
        LinearConstraint(link, -np.inf, 0.0),
        LinearConstraint(count, n_open, n_open),
    ]
    lower = np.zeros(n + n_pairs)
    lower[fixed] = 1.0
    integrality = np.concatenate([np.ones(n), np.zeros(n_pairs)])
    return _solve(c, integrality, Bounds(lower, 1.0), constraints, n, time_limit_s, maximize=False)
