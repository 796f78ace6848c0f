"""Jurisdictions of loaded networks from a GeoJSON file of polygons."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import InputError
from sim.files.readers import first_line, read_json

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork

#: Feature properties tried, in order, for a polygon's jurisdiction name.
NAME_PROPERTIES = ("name", "jurisdiction", "NAME")


def jurisdictions_from_geojson(
    path: str | Path, network: RoadNetwork
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Assign each node the jurisdiction polygon that contains it.

    Parameters
    ----------
    path
        GeoJSON FeatureCollection in WGS84 longitude/latitude; each feature a Polygon or
        MultiPolygon with a ``name`` (or ``jurisdiction``) property. Features with the
        same name are merged.
    network
        The network whose nodes are assigned.

    Returns
    -------
    index, names
        Jurisdiction index per node (int8) and the names in index order (file order).
        Nodes outside every polygon take the nearest polygon.
    """
    import shapely
    from shapely.geometry import shape
    from shapely.ops import unary_union

    path = Path(path)
    doc = read_json(path, what="jurisdictions file")
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        raise InputError(f"{path}: no features; give a FeatureCollection of named polygons")
    polygons: dict[str, list] = {}
    for i, feature in enumerate(features):
        if not isinstance(feature, dict):
            raise InputError(
                f"{path}: features[{i}] is a {type(feature).__name__}, not a GeoJSON Feature; "
                'give each polygon as {"type": "Feature", "geometry": ..., '
                '"properties": {"name": ...}}'
            )
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        name = next((str(props[k]) for k in NAME_PROPERTIES if props.get(k)), None)
        if name is None:
            raise InputError(
                f"{path}: features[{i}] has no 'name' property; "
                "give each polygon its jurisdiction name"
            )
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise InputError(
                f"{path}: features[{i}] ({name}) has no valid geometry ({first_line(exc)})"
            ) from None
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"{path}: features[{i}] ({name}) is a {geom.geom_type}; only polygons are valid"
            )
        polygons.setdefault(name, []).append(geom)
    names = tuple(polygons)
    if len(names) > 127:
        raise InputError(f"{path}: {len(names)} jurisdictions; at most 127 are supported")
    from pyproj import Transformer

    to_crs = Transformer.from_crs("EPSG:4326", network.crs, always_xy=True)

    def project(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return to_crs.transform(x, y)

    projected = [
        shapely.transform(unary_union(polygons[n]), project, interleaved=False) for n in names
    ]
    inside = np.column_stack([shapely.contains_xy(p, network.x_m, network.y_m) for p in projected])
    index = np.argmax(inside, axis=1)
    outside = ~inside.any(axis=1)
    if outside.all():
        raise InputError(
            f"{path}: no road node lies inside any polygon; the polygons must be in "
            "WGS84 lon/lat and cover the network"
        )
    if outside.any():
        points = shapely.points(network.x_m[outside], network.y_m[outside])
        distance = np.column_stack([shapely.distance(p, points) for p in projected])
        index[outside] = np.argmin(distance, axis=1)
    return index.astype(np.int8), names
