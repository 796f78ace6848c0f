"""Tables, text and files of ``sim site``: the new stations and the coverage they buy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.coverage import CoverageResult
from sim.files.atomic import write_atomic
from sim.files.marks import png_writer
from sim.network.compiled import RoadNetwork
from sim.siting.core import SitingResult
from sim.siting.stations import StationSiting

#: Columns of a stations file, as :func:`sim.network.points.read_stations_csv` reads it.
STATIONS_CSV_COLUMNS = ("name", "tier", "lon", "lat", "jurisdiction", "teams")


def new_sites_table(
    network: RoadNetwork,
    problem: StationSiting,
    result: SitingResult,
    *,
    within_s: float,
    teams: int = 1,
) -> pd.DataFrame:
    """Return the added sites that reach someone new, largest addition first.

    ``teams`` is the number of teams written for each new station.

    Returns
    -------
    pandas.DataFrame
        One row per useful added site: ``name, tier, node, teams, jurisdiction, lon,
        lat, adds_persons`` (persons it newly reaches, counting the sites above it as
        built) and ``only_this_persons`` (persons no other open site reaches). Added
        sites that reach nobody new (the model must open exactly ``p``) are left out.
    """
    order, gains = problem.gains_in_order(result.added, within_s)
    useful = gains > 0
    order, gains = order[useful], gains[useful]
    open_rows = np.concatenate([problem.fixed, order])
    only = problem.only_covered_by(open_rows, within_s)[len(problem.fixed) :]
    table = problem.new_stations(order, teams=teams)
    lon, lat = network.to_lonlat(network.x_m[table["node"]], network.y_m[table["node"]])
    return table.assign(lon=lon, lat=lat, adds_persons=gains, only_this_persons=only)


def coverage_change(
    before: CoverageResult, after: CoverageResult, *, policy: str, tier: str, minutes: float
) -> pd.DataFrame:
    """Residents within ``minutes`` of a ``tier`` station before and after, per jurisdiction.

    Returns
    -------
    pandas.DataFrame
        ``jurisdiction`` (``"all"`` first), ``total_persons``, ``before_persons``,
        ``after_persons``, ``before_share``, ``after_share``, ``gain_persons``,
        ``gain_pp`` (percentage points).
    """

    def rows(result: CoverageResult) -> pd.DataFrame:
        table = result.within(minutes)
        return table[(table["policy"] == policy) & (table["tier"] == tier)].set_index(
            "jurisdiction"
        )

    old, new = rows(before), rows(after)
    table = pd.DataFrame(
        {
            "total_persons": new["total_persons"],
            "before_persons": old["covered_persons"],
            "after_persons": new["covered_persons"],
            "before_share": old["coverage_share"],
            "after_share": new["coverage_share"],
        }
    )
    table["gain_persons"] = table["after_persons"] - table["before_persons"]
    table["gain_pp"] = 100.0 * (table["after_share"] - table["before_share"])
    return table.reset_index().assign(policy=policy, tier=tier, minutes=minutes)


def stations_file_table(network: RoadNetwork, stations: pd.DataFrame) -> pd.DataFrame:
    """Stations (``name, tier, node, jurisdiction[, teams]``) as rows of a stations CSV.

    Positions are the nodes' WGS84 coordinates at full precision, so reading the file
    back (:func:`sim.network.points.read_stations_csv`) snaps every station to the same node.
    """
    nodes = stations["node"].to_numpy(dtype=np.int64)
    lon, lat = network.to_lonlat(network.x_m[nodes], network.y_m[nodes])
    teams = stations.get("teams", 1)
    return pd.DataFrame(
        {
            "name": stations["name"].astype(str),
            "tier": stations["tier"],
            "lon": lon,
            "lat": lat,
            "jurisdiction": stations["jurisdiction"],
            "teams": teams,
        },
        columns=list(STATIONS_CSV_COLUMNS),
    )


def format_site_report(
    sites: pd.DataFrame,
    change: pd.DataFrame,
    result: SitingResult,
    *,
    tier: str,
    policy: str,
    minutes: float,
    asked: int,
) -> str:
    """Return the text ``sim site`` prints: solver outcome, new sites, coverage change."""
    lines = [
        f"solver: {result.method}, {result.status}; covered {result.objective:,.0f} persons, "
        f"proven bound {result.bound:,.0f} ({result.bound_source}), gap {100 * result.gap:.3g} %"
        f", {result.solve_time_s:.1f} s",
        "",
        f"new {tier} stations (adds: persons newly within {minutes:g} min, counting the rows "
        "above as built; only: persons no other station reaches)",
        f"{'#':>3}  {'name':<28} {'node':>7}  {'jurisdiction':<14} {'lon':>11} {'lat':>10}"
        f" {'adds':>10} {'only':>10}",
    ]
    for k, row in enumerate(sites.itertuples(index=False), start=1):
        lines.append(
            f"{k:>3}  {row.name:<28} {row.node:>7}  {row.jurisdiction:<14} {row.lon:>11.6f} "
            f"{row.lat:>10.6f} {row.adds_persons:>10,.0f} {row.only_this_persons:>10,.0f}"
        )
    if len(sites) < asked:
        lines.append(
            f"     only {len(sites)} of the {asked} sites asked for reach anyone new within "
            f"{minutes:g} min; the others would add nobody and are not written"
        )
    lines += [
        "",
        f"residents within {minutes:g} min of a {tier} station ({policy} dispatch)",
        f"{'jurisdiction':<14} {'before':>20} {'after':>20} {'gain':>10}",
    ]
    for row in change.itertuples(index=False):
        lines.append(
            f"{row.jurisdiction:<14} {row.before_persons:>11,.0f} ({100 * row.before_share:5.1f}%)"
            f" {row.after_persons:>11,.0f} ({100 * row.after_share:5.1f}%)"
            f" {row.gain_pp:>+7.1f} pp"
        )
    return "\n".join(lines)


def write_site_outputs(
    out_dir: Path,
    *,
    network: RoadNetwork,
    stations_after: pd.DataFrame,
    sites: pd.DataFrame,
    change: pd.DataFrame,
    population_persons: np.ndarray,
    tier: str,
    policy: str,
    plot: bool = True,
) -> list[Path]:
    """Write ``stations.csv``, ``sites.csv``, ``coverage.csv`` and ``site_map.png``.

    ``stations.csv`` holds every station (all tiers, the new ones included) in the
    format ``sim coverage --stations`` and a scenario's ``[region] stations`` read.
    Files are written atomically; returns their paths.
    """
    table = stations_file_table(network, stations_after)
    written = [
        write_atomic(out_dir / "stations.csv", lambda p: table.to_csv(p, index=False)),
        write_atomic(out_dir / "sites.csv", lambda p: sites.to_csv(p, index=False)),
        write_atomic(out_dir / "coverage.csv", lambda p: change.to_csv(p, index=False)),
    ]
    if plot:
        fig = site_map(
            network,
            stations_after,
            sites,
            population_persons,
            tier=tier,
            policy=policy,
            within_min=float(change["minutes"].iloc[0]),
        )
        written.append(write_atomic(out_dir / "site_map.png", png_writer(fig, dpi=130)))
    return written


def site_map(
    network: RoadNetwork,
    stations_after: pd.DataFrame,
    sites: pd.DataFrame,
    population_persons: np.ndarray,
    *,
    tier: str,
    policy: str,
    within_min: float,
):
    """Draw the map of ``site_map.png``: residents by time to the nearest station, new ones starred.

    Times are computed here up to 120 minutes whatever ``within_min`` is, so a resident
    40 minutes away shows as 40 minutes (beyond the standard), not as unreached.
    """
    from sim.coverage import CURVE_MINUTES, static_coverage
    from sim.plot.coverage_map import plot_coverage_map
    from sim.plot.decor import finish_map
    from sim.tiers import TIERS

    after = static_coverage(
        network,
        stations_after,
        population_persons,
        policies=(policy,),
        tiers={tier: TIERS[tier]},
        minutes=CURVE_MINUTES,
    )
    fig, ax = plot_coverage_map(
        network,
        after.time_s[(policy, tier)],
        population_persons,
        stations_after[stations_after["tier"] == tier],
        title=f"{network.name} ({' | '.join(network.jurisdiction_names)}): time to the "
        f"nearest {tier} team with {len(sites)} new "
        f"station{'s' if len(sites) != 1 else ''}, {policy} dispatch",
        standard_min=within_min,
        limit_min=float(CURVE_MINUTES.max()),
    )
    nodes = sites["node"].to_numpy(dtype=np.int64)
    ax.scatter(
        network.x_m[nodes],
        network.y_m[nodes],
        marker="*",
        s=320,
        c="#f1c40f",
        edgecolors="black",
        linewidths=0.8,
        zorder=9,
        label=f"new {tier} station",
    )
    for k, node in enumerate(nodes, start=1):
        ax.annotate(
            str(k),
            (network.x_m[node], network.y_m[node]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            zorder=10,
        )
    finish_map(ax, network, decorate=False)  # the legend again, now with the new stations
    return fig
