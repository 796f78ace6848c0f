"""Build a region from a manifest: roads, then each layer onto the cleaned network.

Order: the roads (cleaned by :mod:`sim.network.graphs`), jurisdictions (their polygons
also bound the region and give the border), elevation, population, settlements (which
count the residents near them), shelters, stations, depots, wells, the river. Every
step adds to a :class:`~sim.regions.report.RegionReport`; its problems and defaults are
kept as the network's ``notes`` (in the compiled ``.npz`` too). Same files, same region.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.network.jurisdictions import border_line, jurisdictions_from_frame
from sim.network.rasters import node_elevations_m
from sim.network.sources import BUILTIN_REGIONS, load_roads
from sim.regions.base import with_place_tables
from sim.regions.manifest import LAYERS, RegionManifest
from sim.regions.places import layer_frame, place_table, read_layer
from sim.regions.population import population_persons, whole_persons
from sim.regions.report import RegionReport
from sim.regions.river import river_features
from sim.regions.snapping import RegionArea

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork
    from sim.network.hygiene import RoadsReport


@dataclass(frozen=True, eq=False)
class RegionBuild:
    """A built region and its report."""

    network: RoadNetwork
    report: RegionReport


def build_region(
    manifest: RegionManifest,
    *,
    source: str = "region",
    frames: Mapping[str, Any] | None = None,
    base: tuple[RoadNetwork, RoadsReport | None] | None = None,
) -> RegionBuild:
    """Build the region a manifest describes.

    Parameters
    ----------
    manifest
        The manifest, paths absolute (:func:`sim.regions.manifest.read_manifest`).
    source
        What names the manifest, for messages (its path).
    frames
        Layers given in memory (GeoDataFrames, by layer name), used instead of files.
    base
        An already loaded road network (and its report) instead of ``manifest.roads``.

    Raises
    ------
    sim.errors.SimError
        For any file that cannot be used, one line naming the file, the field and the fix.
    """
    frames = dict(frames or {})
    network, roads = base if base is not None else load_roads(manifest.roads)
    if manifest.name:
        network = dataclasses.replace(network, name=manifest.name)
    report = RegionReport()
    if roads is not None:
        report.problems.extend(line for line in roads.lines() if _is_problem(line))
        report.held.extend(line for line in roads.lines() if not _is_problem(line))
    area = RegionArea(
        network=network,
        outline=None,
        snap_limit_m=manifest.snap_limit_m,
        strict=manifest.strict,
        roads=roads,
    )
    layers: dict[str, Any] = {**manifest.layers(), **frames}
    places = dict(network.places)
    features = dict(network.features)
    residents = network.node_population_persons
    for key in LAYERS:
        if key not in layers:
            continue
        spec, where = layers[key], f"{source}: {key}"
        if key == "jurisdictions":
            frame = layer_frame(spec, area, where=where)
            index, names, polygons = jurisdictions_from_frame(frame, network, where=where)
            network = network.with_jurisdictions(index, names)
            import shapely

            area = dataclasses.replace(area, network=network, outline=shapely.union_all(polygons))
            border = border_line(polygons)
            if border is not None:
                features["border"] = border
        elif key == "elevation":
            network = _with_elevation(network, spec, report, where=where)
            area = dataclasses.replace(area, network=network)
        elif key == "population":
            residents = whole_persons(population_persons(spec, area, report, where=where))
        elif key == "river":
            features.update(river_features(spec, area, report, where=where))
        else:
            frame = read_layer(spec, area, kind=key, where=where)
            places[key] = place_table(key, frame, area, report, where=where, residents=residents)
    places = with_place_tables(places)  # an evacuation-only region has no stations
    network = dataclasses.replace(
        network,
        places=places,
        features=features,
        node_population_persons=residents,
    )
    _describe(network, layers, report)
    return RegionBuild(network=dataclasses.replace(network, notes=report.notes()), report=report)


def _is_problem(line: str) -> bool:
    return line.startswith(("drive filter dropped", "dropped", "  "))


def _with_elevation(
    network: RoadNetwork, spec: Any, report: RegionReport, *, where: str
) -> RoadNetwork:
    elevation = node_elevations_m(network, spec.file, where=where, band=spec.band, crs=spec.crs)
    unknown = ~np.isfinite(elevation)
    if unknown.any():
        known = np.nonzero(~unknown)[0]
        from scipy.spatial import cKDTree

        tree = cKDTree(np.column_stack([network.x_m[known], network.y_m[known]]))
        _, nearest = tree.query(np.column_stack([network.x_m[unknown], network.y_m[unknown]]))
        elevation[unknown] = elevation[known[nearest]]
        report.problems.append(
            f"elevation: {int(unknown.sum()):,} nodes outside the DEM or on nodata took the "
            "elevation of the nearest node it covers"
        )
    report.held.append(
        f"elevation: DEM {spec.file} ({np.nanmin(elevation):,.1f} to {np.nanmax(elevation):,.1f} m)"
    )
    return dataclasses.replace(network, elevation_m=elevation)


def _describe(network: RoadNetwork, layers: Mapping[str, Any], report: RegionReport) -> None:
    """Say what the region holds, and the defaults its silence implies."""
    report.held.insert(
        0,
        f"region {network.name}: {network.n_nodes:,} nodes, {network.n_edges:,} edges, "
        f"crs {network.crs}",
    )
    report.held.append(f"jurisdictions: {', '.join(network.jurisdiction_names)}")
    if "jurisdictions" not in layers:
        report.defaults.append("one jurisdiction (no jurisdictions layer)")
    residents = network.node_population_persons
    if residents is None:
        report.defaults.append(
            "no residents (no population layer): runs have no households; sim coverage "
            "counts one person per node"
        )
    else:
        report.held.append(f"residents: {int(residents.sum()):,}")
    for kind in ("settlements", "shelters", "stations", "depots", "wells"):
        table = network.places.get(kind)
        if table is not None and len(table):
            extra = ""
            if kind == "shelters":
                extra = f", {int(table['capacity_persons'].sum()):,} places"
            elif kind == "stations":
                tiers = table.groupby("tier")["teams"].sum()
                extra = ", teams: " + ", ".join(f"{t} {int(n)}" for t, n in tiers.items())
            report.held.append(f"{kind}: {len(table):,}{extra}")
    if "elevation" not in layers:
        if np.isfinite(network.elevation_m).all():
            report.held.append("elevation: from the road file's node elevations")
        elif network.name not in BUILTIN_REGIONS:
            report.held.append(
                "elevation: none, the region is flat (floods, elevation warning zones and "
                'rain-triggered slides need a DEM: elevation = "dem.tif")'
            )
    if "shelters" not in layers and "shelters" not in network.places:
        report.problems.append("no shelters: households that are warned have nowhere to go")
