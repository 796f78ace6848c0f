"""Reader for Beasley's OR-Library p-median instances (``pmed1.txt`` … ``pmed40.txt``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from sim.siting.core import SitingError


def read_orlib_pmed(path: str | Path) -> tuple[np.ndarray, int]:
    """Read an OR-Library p-median file into an all-pairs distance matrix.

    The format is a header line ``n_nodes n_edges p`` followed by ``n_edges`` lines
    ``i j cost`` (1-based node numbers, undirected edges). When the same edge appears
    more than once (in either direction) the *last* line counts, as in Beasley's own
    reader; keeping the minimum instead changes the published optima (pmed1 would be
    5718 instead of 5819).

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    distance : numpy.ndarray
        ``(n_nodes, n_nodes)`` float64 shortest-path distances over the undirected graph
        (``inf`` between disconnected nodes). Use it as both ``cost`` (sites = nodes) and
        demand locations, with weight 1 per node.
    p : int
        Number of medians to open.

    Raises
    ------
    SitingError
        If the file is missing or does not follow the format (the message names the line).
    """
    path = Path(path)
    try:
        lines = path.read_text().split("\n")
    except OSError as exc:
        raise SitingError(f"cannot read OR-Library file {str(path)!r}: {exc.strerror}.") from exc
    rows = [(k + 1, line.split()) for k, line in enumerate(lines) if line.strip()]
    if not rows or len(rows[0][1]) != 3:
        raise SitingError(
            f"{path.name}: the first line must be 'n_nodes n_edges p' (three integers); "
            f"got {lines[0]!r}. Is this an OR-Library pmed file?"
        )
    try:
        n_nodes, n_edges, p = (int(v) for v in rows[0][1])
    except ValueError:
        raise SitingError(
            f"{path.name} line {rows[0][0]}: expected three integers 'n_nodes n_edges p', "
            f"got {' '.join(rows[0][1])!r}."
        ) from None
    edges = rows[1:]
    if len(edges) < n_edges:
        raise SitingError(
            f"{path.name}: the header announces {n_edges} edges but only {len(edges)} edge "
            "lines follow; the file looks truncated."
        )
    data = np.empty((n_edges, 3), dtype=np.float64)
    for k, (line_no, fields) in enumerate(edges[:n_edges]):
        try:
            if len(fields) != 3:
                raise ValueError
            data[k] = [float(v) for v in fields]
        except ValueError:
            raise SitingError(
                f"{path.name} line {line_no}: expected 'i j cost' (three numbers), "
                f"got {' '.join(fields)!r}."
            ) from None
    i = data[:, 0].astype(np.int64) - 1
    j = data[:, 1].astype(np.int64) - 1
    bad = np.flatnonzero((i < 0) | (i >= n_nodes) | (j < 0) | (j >= n_nodes))
    if len(bad):
        k = bad[0]
        raise SitingError(
            f"{path.name} line {edges[k][0]}: node numbers must be 1..{n_nodes}, "
            f"got {i[k] + 1} {j[k] + 1}."
        )
    if np.any(data[:, 2] < 0) or not np.all(np.isfinite(data[:, 2])):
        k = int(np.flatnonzero(~(data[:, 2] >= 0) | ~np.isfinite(data[:, 2]))[0])
        raise SitingError(
            f"{path.name} line {edges[k][0]}: edge costs must be finite and non-negative, "
            f"got {data[k, 2]}."
        )
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    key = lo * n_nodes + hi
    # last occurrence wins: unique over the reversed list keeps the first = last line
    _, first_in_reversed = np.unique(key[::-1], return_index=True)
    last = n_edges - 1 - first_in_reversed
    last = last[lo[last] != hi[last]]  # self-loops do not change distances
    graph = sp.csr_matrix(
        (data[last, 2], (lo[last], hi[last])), shape=(n_nodes, n_nodes), dtype=np.float64
    )
    distance = shortest_path(graph, method="D", directed=False)
    return distance, p
