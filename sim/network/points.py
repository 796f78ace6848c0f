"""Stations and population from CSV files, snapped to the nearest road node.

Stations: columns ``name,tier,lon,lat,jurisdiction`` (WGS84 degrees; an empty
jurisdiction takes the jurisdiction of the node the station snaps to; an optional
``teams`` column defaults to 1). Population: columns ``lon,lat,persons``.
Errors name the file, the CSV line, the value and what would be valid.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.files.readers import read_csv
from sim.network.compiled import RoadNetwork
from sim.tiers import TIER_NAMES

#: A point farther than this from every road node is outside the network (m).
MAX_SNAP_M = 1000.0

#: Most teams at one station, and most residents at one point of a population file.
MAX_TEAMS = 1_000
MAX_POINT_PERSONS = 10_000_000

STATION_COLUMNS = ("name", "tier", "lon", "lat", "jurisdiction")
POPULATION_COLUMNS = ("lon", "lat", "persons")


def read_stations_csv(path: str | Path, network: RoadNetwork) -> pd.DataFrame:
    """Read a stations CSV and snap each station to the nearest road node.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, tier, node, teams, jurisdiction, snap_m``.
    """
    path = Path(path)
    table, node, snap_m = read_snapped_points(path, network, STATION_COLUMNS, label="station")
    teams = (
        pd.to_numeric(table["teams"], errors="coerce").to_numpy(dtype=float)
        if "teams" in table
        else np.ones(len(table))
    )
    for i, tier in enumerate(table["tier"].astype(str).str.strip()):
        if tier not in TIER_NAMES:
            raise InputError(
                f"{path}, line {i + 2}: tier {tier!r} is not valid; use one of "
                f"{', '.join(TIER_NAMES)}"
            )
        if not (np.isfinite(teams[i]) and teams[i].is_integer() and 1 <= teams[i] <= MAX_TEAMS):
            raise InputError(
                f"{path}, line {i + 2}: teams must be a whole number from 1 to {MAX_TEAMS:,}, "
                f"got {table['teams'].iloc[i]!r}"
            )
    juris = []
    for i, name in enumerate(table["jurisdiction"].astype(str).str.strip()):
        if not name:
            name = network.jurisdiction_names[network.jurisdiction[node[i]]]
        elif name not in network.jurisdiction_names:
            raise InputError(
                f"{path}, line {i + 2}: jurisdiction {name!r} is not in this network; "
                f"use one of {', '.join(network.jurisdiction_names)} (or leave it empty)"
            )
        juris.append(name)
    stations = pd.DataFrame(
        {
            "name": table["name"].astype(str).str.strip(),
            "tier": table["tier"].astype(str).str.strip(),
            "node": node,
            "teams": teams.astype(np.int64),
            "jurisdiction": juris,
            "snap_m": snap_m,
        }
    )
    check_stations(stations, network, source=str(path))
    return stations


def check_stations(stations: pd.DataFrame, network: RoadNetwork, *, source: str) -> None:
    """Check tiers, jurisdictions and that every road station can leave its node."""
    if len(stations) == 0:
        raise InputError(f"{source}: no stations; give at least one row")
    out_degree = np.diff(network.indptr)
    for row in stations.itertuples(index=False):
        if row.tier not in TIER_NAMES:
            raise InputError(
                f"{source}: station {row.name!r} has tier {row.tier!r}; "
                f"valid: {', '.join(TIER_NAMES)}"
            )
        network.jurisdiction_index(row.jurisdiction)
        if row.tier != "aviation" and out_degree[row.node] == 0:
            raise InputError(
                f"{source}: station {row.name!r} snaps to node {row.node}, which has no "
                "outgoing road, so it reaches nothing; move it onto a through road"
            )


def read_population_csv(path: str | Path, network: RoadNetwork) -> np.ndarray:
    """Read a population CSV and add each point's persons to its nearest road node.

    Returns
    -------
    numpy.ndarray
        Persons per node (float64).
    """
    path = Path(path)
    table, node, _ = read_snapped_points(
        path, network, POPULATION_COLUMNS, label="population point"
    )
    persons = pd.to_numeric(table["persons"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(persons) | (persons < 0) | (persons > MAX_POINT_PERSONS)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"{path}, line {i + 2}: persons must be a number from 0 to {MAX_POINT_PERSONS:,}, "
            f"got {table['persons'].iloc[i]!r}"
        )
    return np.bincount(node, weights=persons, minlength=network.n_nodes)


def read_snapped_points(
    path: Path, network: RoadNetwork, columns: tuple[str, ...], *, label: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Read a CSV of WGS84 points with ``columns`` and snap each row to its nearest node.

    Returns
    -------
    table, node, snap_m
        The rows as text (lower-case column names), the node of each row and its
        distance from the point (m).

    Raises
    ------
    InputError
        For a missing file or column, bad coordinates, or a point farther than
        :data:`MAX_SNAP_M` from every road node (naming the line).
    """
    table = read_points_table(path, columns)
    lon, lat = point_coordinates(table, path)
    x, y = network.to_projected(lon, lat)
    node, snap_m = network.nearest_nodes(x, y)
    check_snap(path, table, snap_m, label=label)
    return table, node, snap_m


def read_points_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a CSV as text, with lower-case column names; ``columns`` must be there."""
    return read_csv(path, what="CSV file", columns=columns, text_only=True)


def point_coordinates(table: pd.DataFrame, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of the rows of a points table (WGS84 degrees, checked)."""
    lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"{path}, line {i + 2}: lon/lat must be WGS84 degrees, got "
            f"{table['lon'].iloc[i]!r}, {table['lat'].iloc[i]!r}"
        )
    return lon, lat


def check_snap(path: Path, table: pd.DataFrame, snap_m: np.ndarray, *, label: str) -> None:
    """Raise for the first row snapped farther than :data:`MAX_SNAP_M` from any road node."""
    far = snap_m > MAX_SNAP_M
    if far.any():
        i = int(np.argmax(far))
        name = f" ({table['name'].iloc[i]})" if "name" in table else ""
        raise InputError(
            f"{path}, line {i + 2}: {label}{name} at lon {table['lon'].iloc[i]}, "
            f"lat {table['lat'].iloc[i]} is {snap_m[i] / 1000:.1f} km from the nearest road "
            f"node, outside the network; points must lie within {MAX_SNAP_M:.0f} m of a road"
        )
