"""Results for GIS users: ``map.gpkg``, a GeoPackage (WGS84) a planner opens in QGIS.

A run folder's ``map.gpkg`` has these layers (times in minutes from the scenario start,
empty where something never happened):

- ``incidents`` (points): kind, jurisdiction, persons, report time and the response
  minutes of each tier it needed (``response_min_community`` ...); ``persons_rescued``,
  ``persons_died`` and ``completed_min`` when the engine reports them;
- ``shelters`` (points): capacity, peak occupancy (occupants never leave a shelter during
  a run, so the peak is the occupancy at the horizon), first arrival, kits delivered;
- ``stations`` and ``depots`` (points), from the region;
- ``closed_roads`` (lines): one feature per closure of a directed road, with closed and
  reopened times (``events.parquet`` ``road_closed`` / ``road_reopened``; ``edge`` is
  the edge index the events name);
- ``hazard_extent`` (polygons): the worst level each node reached, per hazard (H2S by
  AEGL level, flood depth bands, inside a slide), dissolved over the nodes' Voronoi cells
  (each cut to :data:`sim.network.cells.CELL_RADIUS_M` around its node);
- ``households_start`` (points, one per home node): its residents, and of them the
  persons who departed (on their own or taken out by a team), reached a shelter, and
  died (wherever: at home, on the way, waiting for rescue).

``sim coverage`` writes a ``coverage`` layer (road nodes with minutes to each tier's
nearest station under each policy) into its own ``map.gpkg``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.network.cells import node_cells

if TYPE_CHECKING:
    import geopandas as gpd

    from sim.network.compiled import RoadNetwork

#: Flood depth bands (m): the vehicle (0.3) and walking (0.5) limits of
#: :class:`sim.scenarios.hazards.FloodSpec`, then 1 m and 2 m.
FLOOD_BANDS_M = (0.0, 0.3, 0.5, 1.0, 2.0)
#: Hazard name in ``hazard_frames.parquet`` -> what its value is.
HAZARD_UNITS: Mapping[str, str] = {"plume": "ppm H2S", "flood": "m water", "landslide": "inside"}


def write_geopackage(path: Path, layers: Mapping[str, gpd.GeoDataFrame]) -> Path:
    """Write ``layers`` into one GeoPackage at ``path`` (any name: built aside, then moved)."""
    import pyogrio

    # a folder named like every temporary file (.NAME.PID.partial): removed if left behind
    folder = Path(
        tempfile.mkdtemp(prefix=".gpkg-", suffix=f".{os.getpid()}.partial", dir=Path(path).parent)
    )
    try:
        built = folder / "map.gpkg"
        for name, frame in layers.items():
            kind = _geometry_type(frame)
            pyogrio.write_dataframe(
                frame.to_crs("EPSG:4326"), built, layer=name, driver="GPKG", geometry_type=kind
            )
        os.replace(built, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Path(path)


def _geometry_type(frame: gpd.GeoDataFrame) -> str:
    kinds = set(frame.geometry.geom_type.dropna())
    if kinds <= {"Point"}:
        return "Point"
    if kinds <= {"LineString"}:
        return "LineString"
    return "MultiPolygon"


def points(network: RoadNetwork, nodes: np.ndarray, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """``table`` as points at ``nodes``, in the network's CRS."""
    import geopandas as gpd

    nodes = np.asarray(nodes, dtype=np.int64)
    return gpd.GeoDataFrame(
        table.reset_index(drop=True),
        geometry=gpd.points_from_xy(network.x_m[nodes], network.y_m[nodes]),
        crs=network.crs,
    )


def minutes(seconds: pd.Series | np.ndarray) -> np.ndarray:
    """Seconds to minutes; infinite (never) becomes NaN (an empty cell in QGIS)."""
    values = np.asarray(seconds, dtype=float) / 60.0
    return np.where(np.isfinite(values), values, np.nan)


def incidents_layer(network: RoadNetwork, incidents: pd.DataFrame) -> gpd.GeoDataFrame:
    """One point per incident with each needed tier's response minutes."""
    first = incidents.groupby("incident", sort=True).first().reset_index()
    table = pd.DataFrame(
        {
            "incident": first["incident"].astype(np.int64),
            "kind": first["kind"].astype(str),
            "jurisdiction": first["jurisdiction"].astype(str),
            "persons": first["persons"].astype(np.int64),
            "report_min": minutes(first["report_s"]),
            "withdrawn_min": minutes(first["withdrawn_s"]),
        }
    )
    for tier in ("community", "ground", "aviation"):
        rows = incidents[incidents["tier"] == tier].set_index("incident")["response_s"]
        table[f"needs_{tier}"] = table["incident"].isin(rows.index)
        table[f"response_min_{tier}"] = minutes(table["incident"].map(rows).to_numpy(float))
    for column in ("persons_rescued", "persons_died"):
        if column in first.columns:
            table[column] = first[column].to_numpy()
    if "completed_s" in first.columns:
        table["completed_min"] = minutes(first["completed_s"])
    return points(network, first["node"].to_numpy(), table)


def shelters_layer(network: RoadNetwork, shelters: pd.DataFrame) -> gpd.GeoDataFrame:
    """Shelters with capacity, peak occupancy and first arrival."""
    table = shelters.drop(columns=["node"]).copy()
    table["peak_occupancy_persons"] = shelters["occupants_persons"].to_numpy()
    table["first_arrival_min"] = minutes(shelters["first_arrival_s"])
    for column in list(table.columns):
        if column.endswith("_s") and column != "first_arrival_s":
            table[column[:-2] + "_min"] = minutes(table.pop(column))
    table = table.drop(columns=["first_arrival_s"])
    return points(network, shelters["node"].to_numpy(), table)


def places_layer(network: RoadNetwork, kind: str) -> gpd.GeoDataFrame:
    """Return a places table of the region (stations, depots) as points."""
    table = network.places.get(kind)
    if table is None:
        table = pd.DataFrame({"name": [], "node": []})
    nodes = table["node"].to_numpy(dtype=np.int64)
    out = table.drop(columns=[c for c in ("node", "x_m", "y_m") if c in table.columns])
    out.insert(0, "osmid", network.node_osmid[nodes])
    return points(network, nodes, out)


def closed_roads_layer(network: RoadNetwork, events: pd.DataFrame) -> gpd.GeoDataFrame:
    """One line per closure of a directed road, with its closed and reopened minutes."""
    import geopandas as gpd
    import shapely

    from sim.network.road_classes import ROAD_CLASSES

    changes = events[events["kind"].isin(("road_closed", "road_reopened"))]
    open_since: dict[int, float] = {}
    rows: list[tuple[int, float, float]] = []
    for kind, time_s, value in zip(
        changes["kind"], changes["time_s"], changes["value"], strict=True
    ):
        edge = int(value)
        if kind == "road_closed":
            open_since.setdefault(edge, float(time_s))
        elif edge in open_since:
            rows.append((edge, open_since.pop(edge), float(time_s)))
    rows.extend((edge, since, np.inf) for edge, since in open_since.items())
    rows.sort()
    edge = np.array([r[0] for r in rows], dtype=np.int64)
    s, t = network.edge_source[edge], network.edge_target[edge]
    lines = (
        shapely.linestrings(
            np.stack(
                [
                    np.column_stack([network.x_m[s], network.y_m[s]]),
                    np.column_stack([network.x_m[t], network.y_m[t]]),
                ],
                axis=1,
            )
        )
        if rows
        else []
    )
    table = pd.DataFrame(
        {
            "edge": edge,
            "from_osmid": network.node_osmid[s],
            "to_osmid": network.node_osmid[t],
            "road_class": [ROAD_CLASSES[int(c)] for c in network.road_class[edge]],
            "closed_min": minutes(np.array([r[1] for r in rows], float)),
            "reopened_min": minutes(np.array([r[2] for r in rows], float)),
        }
    )
    return gpd.GeoDataFrame(table, geometry=list(lines), crs=network.crs)


def hazard_extent_layer(network: RoadNetwork, frames: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """Polygons of the worst level each node reached, dissolved by hazard and level."""
    import geopandas as gpd
    import shapely

    from sim.hazards.exposure import AEGL_H2S_PPM

    columns = ["hazard", "level", "value_from", "value_to", "unit", "nodes", "first_min"]
    if frames is None or len(frames) == 0:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=network.crs)
    worst = frames.groupby(["hazard", "node"]).agg(value=("value", "max"), first=("time_s", "min"))
    worst = worst.reset_index()
    bands = {
        "plume": [AEGL_H2S_PPM[k][60] for k in (1, 2, 3)],
        "flood": list(FLOOD_BANDS_M),
        "landslide": [0.5],
    }
    names = {
        "plume": ["AEGL-1", "AEGL-2", "AEGL-3"],
        "flood": [f"{a:g}-{b:g} m" for a, b in itertools.pairwise(FLOOD_BANDS_M)]
        + [f"over {FLOOD_BANDS_M[-1]:g} m"],
        "landslide": ["inside a slide"],
    }
    nodes = np.unique(worst["node"].to_numpy(np.int64))
    cells = node_cells(network, nodes)
    rows, shapes = [], []
    for hazard, group in worst.groupby("hazard", sort=True):
        edges = bands.get(str(hazard), [0.0])
        level = np.searchsorted(edges, group["value"].to_numpy(float), side="right") - 1
        for k in np.unique(level[level >= 0]):
            chosen = group[level == k]
            upper = edges[k + 1] if k + 1 < len(edges) else np.inf
            rows.append(
                (
                    str(hazard),
                    names.get(str(hazard), [str(hazard)])[k],
                    edges[k],
                    upper,
                    HAZARD_UNITS.get(str(hazard), ""),
                    len(chosen),
                    float(chosen["first"].min()) / 60.0,
                )
            )
            shapes.append(shapely.union_all([cells[int(n)] for n in chosen["node"]]))
    table = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(table, geometry=shapes, crs=network.crs)


def households_layer(
    network: RoadNetwork,
    events: pd.DataFrame,
    home_counts: dict[str, np.ndarray] | None = None,
) -> gpd.GeoDataFrame:
    """Per home node: residents, persons who departed, reached a shelter, died.

    ``home_counts``: the run's own counts per home node (``departed``, ``sheltered``,
    ``dead``: :meth:`sim.agents.households.HouseholdTable.by_home`); without them, what
    the event log places: households' own departures and their arrivals, and the
    plume's deaths (``exposed`` at AEGL-3) where they happened.
    """
    residents = network.node_population_persons
    if residents is None:
        residents = np.zeros(network.n_nodes, np.int64)
    if home_counts is None:
        home_counts = _home_counts_from_events(network, events)
    departed, sheltered, dead = (
        np.asarray(home_counts[k]) for k in ("departed", "sheltered", "dead")
    )
    keep = np.nonzero((residents > 0) | (departed > 0) | (dead > 0))[0]
    table = pd.DataFrame(
        {
            "osmid": network.node_osmid[keep],
            "jurisdiction": [network.jurisdiction_names[j] for j in network.jurisdiction[keep]],
            "persons": np.asarray(residents)[keep].astype(np.int64),
            "departed": departed[keep].astype(np.int64),
            "sheltered": sheltered[keep].astype(np.int64),
            "dead": dead[keep].astype(np.int64),
        }
    )
    return points(network, keep, table)


def _home_counts_from_events(network: RoadNetwork, events: pd.DataFrame) -> dict:
    """Departed, sheltered and dead per node as far as the event log tells."""
    departs = events[events["kind"] == "depart"].drop_duplicates("agent")
    home = dict(zip(departs["agent"], departs["node"], strict=True))
    departed = np.bincount(departs["node"], weights=departs["value"], minlength=network.n_nodes)
    arrived = events[events["kind"] == "arrive_shelter"].drop_duplicates("agent")
    arrived_home = arrived["agent"].map(home).dropna().astype(np.int64)
    sheltered = np.bincount(
        arrived_home, weights=arrived.loc[arrived_home.index, "value"], minlength=network.n_nodes
    )
    died = events[(events["kind"] == "exposed") & (events["tier"] == "AEGL-3")]
    dead = np.bincount(died["node"], weights=died["value"], minlength=network.n_nodes)
    return {"departed": departed, "sheltered": sheltered, "dead": dead}


def write_run_map(
    path: Path,
    network: RoadNetwork,
    *,
    events: pd.DataFrame,
    incidents: pd.DataFrame,
    shelters: pd.DataFrame,
    hazard_frames: pd.DataFrame | None,
    home_counts: dict[str, np.ndarray] | None = None,
) -> Path:
    """Write a run's ``map.gpkg`` (layers in the module docstring)."""
    layers = {
        "incidents": incidents_layer(network, incidents),
        "shelters": shelters_layer(network, shelters),
        "stations": places_layer(network, "stations"),
        "depots": places_layer(network, "depots"),
        "closed_roads": closed_roads_layer(network, events),
        "hazard_extent": hazard_extent_layer(network, hazard_frames),
        "households_start": households_layer(network, events, home_counts),
    }
    return write_geopackage(path, layers)


def write_coverage_map(
    path: Path,
    network: RoadNetwork,
    time_s: Mapping[tuple[str, str], np.ndarray],
    population_persons: np.ndarray | None,
) -> Path:
    """Write ``sim coverage``'s ``map.gpkg``: a ``coverage`` layer of road nodes.

    Columns ``<tier>_<policy>_min``: minutes from the nearest station of the tier (turnout
    included; empty where none reaches), and ``persons``.
    """
    persons = np.ones(network.n_nodes) if population_persons is None else population_persons
    table = pd.DataFrame(
        {
            "osmid": network.node_osmid,
            "jurisdiction": [network.jurisdiction_names[j] for j in network.jurisdiction],
            "persons": np.asarray(persons, float),
        }
    )
    for (policy, tier), seconds in sorted(time_s.items()):
        table[f"{tier}_{policy}_min"] = minutes(seconds)
    layer = points(network, np.arange(network.n_nodes), table)
    return write_geopackage(path, {"coverage": layer})
