"""Compile region arrays into a :class:`~sim.network.compiled.RoadNetwork`.

Speeds and lanes are filled by road class where the source gives none, travel times
and capacities derived, self loops dropped and parallel edges reduced to the fastest,
then edges sorted by (source, target) so that edge order is CSR data order.
"""

from __future__ import annotations

import numpy as np

from sim.errors import NetworkError
from sim.network.compiled import RoadNetwork
from sim.network.road_classes import (
    CAPACITY_VEH_PER_H_PER_LANE,
    DEFAULT_LANES,
    DEFAULT_SPEED_KPH,
    MIN_TRAVEL_TIME_S,
    ROAD_CLASSES,
    road_class_codes,
)
from sim.regions.base import RegionData


def compile_region(data: RegionData) -> RoadNetwork:
    """Compile region arrays: fill speeds and lanes by class, dedupe, sort, build CSR.

    Parameters
    ----------
    data
        Nodes, directed edges (parallel edges allowed) and places.

    Returns
    -------
    RoadNetwork
        Self loops are dropped; of parallel edges only the fastest is kept.
    """
    if data.n_nodes == 0:
        raise NetworkError(f"network {data.name!r} has no nodes; load a file with roads in it")
    if data.n_edges == 0:
        raise NetworkError(
            f"network {data.name!r} has {data.n_nodes} nodes but no edges; "
            "check that the file contains drivable roads (highway=* ways)"
        )
    road_class = road_class_codes(data.edge_highway)
    class_names = np.array(ROAD_CLASSES)[road_class]
    default_speed = np.array([DEFAULT_SPEED_KPH[c] for c in ROAD_CLASSES])[road_class]
    speed_kph = np.where(
        np.isfinite(data.edge_maxspeed_kph) & (data.edge_maxspeed_kph > 0),
        data.edge_maxspeed_kph,
        default_speed,
    )
    default_lanes = np.array([DEFAULT_LANES.get(c, 1.0) for c in class_names])
    lanes = np.where(
        np.isfinite(data.edge_lanes) & (data.edge_lanes >= 1), data.edge_lanes, default_lanes
    )
    per_lane = np.array([CAPACITY_VEH_PER_H_PER_LANE[c] for c in ROAD_CLASSES])[road_class]
    length_m = np.asarray(data.edge_length_m, float)
    travel_time_s = np.maximum(length_m / (speed_kph / 3.6), MIN_TRAVEL_TIME_S)

    source = np.asarray(data.edge_source, np.int64)
    target = np.asarray(data.edge_target, np.int64)
    keep = source != target
    # Sort by (source, target, travel time): the first of each pair is the fastest.
    order = np.lexsort((travel_time_s, target, source))
    order = order[keep[order]]
    s, t = source[order], target[order]
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    order = order[first]

    counts = np.bincount(source[order], minlength=data.n_nodes)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    return RoadNetwork(
        name=data.name,
        crs=data.crs,
        x_m=np.asarray(data.x_m, np.float64),
        y_m=np.asarray(data.y_m, np.float64),
        elevation_m=np.asarray(data.elevation_m, np.float64),
        jurisdiction=np.asarray(data.jurisdiction, np.int8),
        jurisdiction_names=tuple(data.jurisdiction_names),
        node_osmid=(
            np.arange(data.n_nodes, dtype=np.int64)
            if data.node_osmid is None
            else np.asarray(data.node_osmid, np.int64)
        ),
        edge_source=source[order].astype(np.int32),
        edge_target=target[order].astype(np.int32),
        length_m=length_m[order],
        speed_kph=speed_kph[order].astype(np.float64),
        lanes=lanes[order].astype(np.float32),
        capacity_veh_per_h=(lanes * per_lane)[order].astype(np.float32),
        travel_time_s=travel_time_s[order],
        road_class=road_class[order],
        bridge=np.asarray(data.edge_bridge, bool)[order],
        indptr=indptr,
        places=dict(data.places),
        node_population_persons=data.node_population_persons,
        features=dict(data.features),
        seed=data.seed,
    )
