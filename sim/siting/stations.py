"""Station siting on a road network: candidates, demand and response times as arrays.

The network front end of :mod:`sim.siting.models`. It turns a
:class:`~sim.network.RoadNetwork`, its residents and its existing stations of one tier
into a :class:`StationSiting`:

- **rows** are the existing stations of the tier (fixed, first) then the candidate
  sites: network nodes (all, those on roads of a class or better, those of one
  jurisdiction) or a user list of points (:func:`read_candidates_csv`);
- **columns** are the nodes where residents live, weighted by their persons (one
  person per node when the network has no population);
- **entries** are response times in seconds (the tier's turnout plus travel), computed
  as :func:`sim.coverage.static_coverage` does (:mod:`sim.siting.times`; a community
  site's responders set off from their homes near it, as many as its teams). Only times up
  to ``limit_s`` are stored, as a sparse matrix (absent = farther), which
  :func:`sim.siting.maximal_covering` and :func:`sim.siting.set_covering` take as is.

Dispatch policy, as in :mod:`sim.coverage`: under ``"separate"`` a site serves only the
residents of its own jurisdiction (a candidate node's jurisdiction, an existing
station's own), so cross-border entries are dropped; under ``"joint"`` any site serves
anyone. Either way one model decides where the new sites go, on which side included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sim.coverage import STATIC_POLICIES
from sim.errors import InputError
from sim.network.compiled import RoadNetwork
from sim.network.points import read_snapped_points
from sim.network.road_classes import ROAD_CLASSES
from sim.siting.reduce import keep_entries
from sim.siting.times import response_times_s
from sim.tiers import TIERS, TierStandard

CANDIDATE_COLUMNS = ("lon", "lat")


@dataclass(frozen=True, kw_only=True, eq=False)
class StationSiting:
    """A station-siting problem on a road network, as arrays for :mod:`sim.siting.models`.

    Attributes
    ----------
    tier
        The tier whose stations are sited.
    policy
        ``"separate"`` or ``"joint"`` (see the module docstring).
    response_s
        ``(n_sites, n_demand)`` CSR matrix of response times in seconds (turnout
        included); stored entries (explicit zeros included) are the times up to
        ``limit_s``, absent entries are farther or, under ``"separate"``, across the border.
    limit_s
        Longest response time stored, seconds.
    site_nodes
        Network node of each row.
    site_names
        Name of each row: the existing station's, the candidate file's, or
        ``"<tier> site at node <node>"``.
    site_jurisdiction
        Jurisdiction index of each row (an existing station's own, else its node's).
    fixed
        Rows of the existing stations of the tier (``0 .. n_existing - 1``).
    jurisdiction_names
        The network's jurisdiction names (``site_jurisdiction`` indexes them).
    demand_nodes
        Network node of each column.
    demand_persons
        Residents of each column.
    population_assumed
        True when the network had no population and every node counts one person.
    """

    tier: TierStandard
    policy: str
    response_s: sp.csr_matrix
    limit_s: float
    site_nodes: np.ndarray
    site_names: tuple[str, ...]
    site_jurisdiction: np.ndarray
    fixed: np.ndarray
    jurisdiction_names: tuple[str, ...]
    demand_nodes: np.ndarray
    demand_persons: np.ndarray
    population_assumed: bool

    @property
    def n_candidates(self) -> int:
        """Number of candidate rows (rows beyond the existing stations)."""
        return len(self.site_nodes) - len(self.fixed)

    def _reach(self, row: int, within_s: float) -> np.ndarray:
        start, end = self.response_s.indptr[row], self.response_s.indptr[row + 1]
        return self.response_s.indices[start:end][self.response_s.data[start:end] <= within_s]

    def gains_in_order(self, rows: np.ndarray, within_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Order ``rows`` by what each adds to the sites before it, starting from the fixed.

        Returns
        -------
        order, gain_persons
            ``rows`` reordered greedily (largest addition first; ties by position in
            ``rows``) and the persons each newly reaches within ``within_s``; the gains
            sum to what all of ``rows`` add to the fixed sites.
        """
        covered = np.zeros(self.response_s.shape[1], dtype=bool)
        for row in self.fixed:
            covered[self._reach(row, within_s)] = True
        reach = {int(row): self._reach(row, within_s) for row in rows}
        left = [int(row) for row in rows]
        order, gains = [], []
        while left:
            added = [float(self.demand_persons[reach[r][~covered[reach[r]]]].sum()) for r in left]
            best = left.pop(int(np.argmax(added)))
            order.append(best)
            gains.append(max(added))
            covered[reach[best]] = True
        return np.array(order, dtype=np.int64), np.array(gains)

    def only_covered_by(self, rows: np.ndarray, within_s: float) -> np.ndarray:
        """Persons that each of ``rows``, and no other of them, reaches within ``within_s``.

        With ``rows`` the open sites, this is what closing each one would lose.
        """
        rows = np.asarray(rows, dtype=np.int64)
        coo = self.response_s[rows].tocoo()
        inside = coo.data <= within_s
        count = np.bincount(coo.col[inside], minlength=self.response_s.shape[1])
        only = inside & (count[coo.col] == 1)
        return np.bincount(
            coo.row[only], weights=self.demand_persons[coo.col[only]], minlength=len(rows)
        )

    def new_stations(self, rows: np.ndarray, *, teams: int = 1) -> pd.DataFrame:
        """Stations table (``name, tier, node, teams, jurisdiction``) of candidate ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        return pd.DataFrame(
            {
                "name": [self.site_names[r] for r in rows],
                "tier": self.tier.name,
                "node": self.site_nodes[rows],
                "teams": np.full(len(rows), teams, dtype=np.int64),
                "jurisdiction": [self.jurisdiction_names[j] for j in self.site_jurisdiction[rows]],
            }
        )


def candidate_nodes(
    network: RoadNetwork,
    *,
    road_class: str | None = None,
    jurisdiction: str | None = None,
) -> np.ndarray:
    """Network nodes that may host a station, sorted.

    Parameters
    ----------
    network
        The road network.
    road_class
        Keep only nodes at an end of a road of this class or a higher one (in the order
        of :data:`sim.network.road_classes.ROAD_CLASSES`; ``"secondary"`` keeps motorways, trunk,
        primary and secondary roads and their links). None keeps every node.
    jurisdiction
        Keep only nodes of this jurisdiction. None keeps both sides.

    Returns
    -------
    numpy.ndarray
        Node indices (int64).

    Raises
    ------
    InputError
        For an unknown road class or jurisdiction, or when no node is left.
    """
    keep = np.ones(network.n_nodes, dtype=bool)
    if road_class is not None:
        if road_class not in ROAD_CLASSES:
            raise InputError(
                f"unknown road class {road_class!r}; use one of {', '.join(ROAD_CLASSES)}"
            )
        rank = ROAD_CLASSES.index(road_class)
        link = f"{road_class}_link"
        rank = ROAD_CLASSES.index(link) if link in ROAD_CLASSES else rank
        on_road = network.road_class <= rank
        keep[:] = False
        keep[network.edge_source[on_road]] = True
        keep[network.edge_target[on_road]] = True
    if jurisdiction is not None:
        if jurisdiction not in network.jurisdiction_names:
            raise InputError(
                f"unknown jurisdiction {jurisdiction!r}; this network has "
                f"{', '.join(network.jurisdiction_names)}"
            )
        keep &= network.jurisdiction == network.jurisdiction_names.index(jurisdiction)
    nodes = np.flatnonzero(keep).astype(np.int64)
    if len(nodes) == 0:
        raise InputError(
            f"no candidate node on {road_class or 'any'} roads"
            + (f" in {jurisdiction}" if jurisdiction else "")
            + "; choose a lower road class or another jurisdiction"
        )
    return nodes


def read_candidates_csv(path: str | Path, network: RoadNetwork) -> pd.DataFrame:
    """Read candidate sites (columns ``lon,lat`` and optionally ``name``), snapped to nodes.

    Returns
    -------
    pandas.DataFrame
        Columns ``name`` and ``node``, one row per line of the file (unnamed rows are
        called ``"candidate <line>"``).

    Raises
    ------
    InputError
        For a missing file or column, bad coordinates, or a point farther than
        :data:`sim.network.points.MAX_SNAP_M` from every road node (the message names the line).
    """
    path = Path(path)
    table, node, _ = read_snapped_points(path, network, CANDIDATE_COLUMNS, label="candidate site")
    names = (
        table["name"].astype(str).str.strip() if "name" in table else pd.Series([""] * len(table))
    )
    names = [name or f"candidate {i + 2}" for i, name in enumerate(names)]
    return pd.DataFrame({"name": names, "node": node})


def station_siting(
    network: RoadNetwork,
    *,
    tier: str,
    existing: pd.DataFrame,
    candidates: pd.DataFrame,
    population_persons: np.ndarray | None,
    policy: str,
    limit_s: float,
    candidate_teams: int = 1,
    progress: bool = False,
) -> StationSiting:
    """Build the siting problem of one tier on a network.

    Parameters
    ----------
    network
        The road network.
    tier
        ``"community"``, ``"ground"`` or ``"aviation"`` (:data:`sim.tiers.TIERS`).
    existing
        Stations table (``name, tier, node, jurisdiction``, optionally ``teams``); the
        rows of ``tier`` become the fixed sites, the others are ignored.
    candidates
        Table with ``node`` and optionally ``name`` (e.g. from :func:`candidate_nodes`
        or :func:`read_candidates_csv`). Nodes that already host a station of the tier,
        duplicates, and (road tiers) nodes with no outgoing road are left out.
    population_persons
        Residents per node; None counts one person per node.
    policy
        ``"separate"`` or ``"joint"``.
    limit_s
        Longest response time to compute (e.g. the coverage threshold), seconds.
    candidate_teams
        Teams a new site would get (community: responders, one home each, so more of
        them reach more homes sooner; other tiers: no difference).
    progress
        Show a bar of candidate sites routed (on standard error).

    Returns
    -------
    StationSiting

    Raises
    ------
    InputError
        For an unknown tier or policy, a population of the wrong length, or when no
        candidate is left.
    """
    if tier not in TIERS:
        raise InputError(f"unknown tier {tier!r}; use one of {', '.join(TIERS)}")
    if policy not in STATIC_POLICIES:
        raise InputError(f"unknown policy {policy!r}; use one of {', '.join(STATIC_POLICIES)}")
    standard = TIERS[tier]
    assumed = population_persons is None
    persons = np.ones(network.n_nodes) if assumed else np.asarray(population_persons, float)
    if persons.shape != (network.n_nodes,):
        raise InputError(
            f"population has {persons.shape[0]} values, the network {network.n_nodes} nodes"
        )
    demand_nodes = np.flatnonzero(persons > 0)

    own = existing[existing["tier"] == tier]
    fixed_nodes = own["node"].to_numpy(dtype=np.int64)
    fixed_juris = np.array(
        [network.jurisdiction_index(j) for j in own["jurisdiction"]], dtype=np.int64
    )
    names = (
        candidates["name"].astype(str).tolist()
        if "name" in candidates
        else [f"{tier} site at node {node}" for node in candidates["node"]]
    )
    nodes = candidates["node"].to_numpy(dtype=np.int64)
    usable = ~np.isin(nodes, fixed_nodes)
    if standard.travel == "road":
        usable &= np.diff(network.indptr)[nodes] > 0
    _, first = np.unique(nodes, return_index=True)
    once = np.zeros(len(nodes), dtype=bool)
    once[first] = True
    usable &= once
    if not usable.any():
        raise InputError(
            f"none of the {len(nodes)} candidate sites can host a new {tier} station (each "
            "already has one, or has no outgoing road); give other candidates"
        )
    cand_nodes = nodes[usable]
    site_nodes = np.concatenate([fixed_nodes, cand_nodes])
    site_juris = np.concatenate([fixed_juris, network.jurisdiction[cand_nodes].astype(np.int64)])
    fixed_teams = (
        own["teams"].to_numpy(dtype=np.int64)
        if "teams" in own
        else np.ones(len(fixed_nodes), dtype=np.int64)
    )
    response = response_times_s(
        network,
        standard,
        site_nodes,
        demand_nodes,
        limit_s=limit_s,
        site_teams=np.concatenate(
            [fixed_teams, np.full(len(cand_nodes), candidate_teams, dtype=np.int64)]
        ),
        progress=progress,
    )
    if policy == "separate":
        site_side = np.repeat(site_juris.astype(np.int8), np.diff(response.indptr))
        home_side = network.jurisdiction[demand_nodes].astype(np.int8)[response.indices]
        response = keep_entries(response, site_side == home_side)
    return StationSiting(
        tier=standard,
        policy=policy,
        response_s=response,
        limit_s=float(limit_s),
        site_nodes=site_nodes,
        site_names=tuple(own["name"].astype(str))
        + tuple(n for n, u in zip(names, usable, strict=True) if u),
        site_jurisdiction=site_juris,
        fixed=np.arange(len(fixed_nodes), dtype=np.int64),
        jurisdiction_names=tuple(network.jurisdiction_names),
        demand_nodes=demand_nodes,
        demand_persons=persons[demand_nodes],
        population_assumed=assumed,
    )
