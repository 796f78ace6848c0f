"""The river of a region from a line file, oriented upstream first, with its warning level.

The flood hazard (:mod:`sim.hazards.river`) needs the river as a polyline from its
upstream end, and the water surface at the warning stage along it. The file's line
parts are merged (``shapely.line_merge``) and the longest is the river. It is turned
upstream first by the ground: when the nodes near its last vertex lie higher than
those near its first, it is reversed (``reverse = true`` forces the other way; with no
elevation the file's order stands). The warning level is ``warning_level_m`` (the
whole river), or the lowest ground near each river station plus ``bank_height_m``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.files.readers import FileError
from sim.regions.places import layer_frame

if TYPE_CHECKING:
    from sim.regions.manifest import RiverSpec
    from sim.regions.report import RegionReport
    from sim.regions.snapping import RegionArea

#: Nodes within this distance of an end of the river tell its ground elevation (m).
END_RADIUS_M = 1000.0


def river_features(
    spec: RiverSpec, area: RegionArea, report: RegionReport, *, where: str
) -> dict[str, np.ndarray]:
    """Return the ``features`` a flood needs: ``river`` and its warning level keys."""
    import shapely

    frame = layer_frame(spec, area, where=where)
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds <= {"LineString", "MultiLineString"}:
        raise FileError(
            f"{where}: {spec.file} holds {', '.join(sorted(kinds))}; the river must be a line"
        )
    parts = shapely.get_parts(shapely.line_merge(shapely.union_all(frame.geometry.to_numpy())))
    line = max(parts, key=lambda g: g.length)
    if len(parts) > 1:
        report.problems.append(
            f"river: {len(parts)} separate pieces; the longest ({line.length / 1000:,.1f} km) "
            "is the river"
        )
    net = area.network
    distance = shapely.distance(line, shapely.points(net.x_m, net.y_m))
    if float(distance.min()) > area.snap_limit_m:
        raise FileError(
            f"{where}: {spec.file} lies {distance.min() / 1000:,.1f} km from the nearest road "
            "node, off the map; check its crs, or give the river of this region"
        )
    xy = np.asarray(line.coords)[:, :2]
    if spec.reverse:
        xy = xy[::-1]
        report.held.append("river: reversed as the manifest says (reverse = true)")
    else:
        start, end = (_ground_near(area, xy[k]) for k in (0, -1))
        if np.isfinite(start) and np.isfinite(end) and end > start:
            xy = xy[::-1]
            report.held.append(
                f"river: turned upstream first by the ground (ground {end:,.1f} m near the "
                f"file's last vertex, {start:,.1f} m near its first)"
            )
    features = {"river": xy}
    length_km = line.length / 1000
    if spec.warning_level_m is not None:
        features["river_warning_level_m"] = np.full(xy.shape[0], spec.warning_level_m)
        rule = f"warning level {spec.warning_level_m:,.2f} m above sea level"
    else:
        height = 0.0 if spec.bank_height_m is None else spec.bank_height_m
        features["river_bank_height_m"] = np.array([height])
        rule = f"warning level {height:g} m above the lowest ground near each river station"
        if spec.bank_height_m is None:
            report.defaults.append(
                "river warning level at the lowest ground near the river (bank_height_m = 0; "
                "the built-in region's rule): give warning_level_m or bank_height_m"
            )
    report.held.append(f"river: {length_km:,.1f} km, {rule}")
    return features


def _ground_near(area: RegionArea, point: np.ndarray) -> float:
    net = area.network
    near = np.hypot(net.x_m - point[0], net.y_m - point[1]) <= END_RADIUS_M
    values = net.elevation_m[near]
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else float("nan")
