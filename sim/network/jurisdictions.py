"""Jurisdictions of loaded networks from polygons: a GeoJSON file, or any GIS layer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import InputError
from sim.files.readers import first_line, read_json

if TYPE_CHECKING:
    import geopandas as gpd

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
    index = assign_nodes(projected, network, where=str(path))
    return index, names


def assign_nodes(polygons: list, network: RoadNetwork, *, where: str) -> np.ndarray:
    """Index of the polygon holding each node (nodes outside all take the nearest one)."""
    import shapely

    inside = np.column_stack([shapely.contains_xy(p, network.x_m, network.y_m) for p in polygons])
    index = np.argmax(inside, axis=1)
    outside = ~inside.any(axis=1)
    if outside.all():
        raise InputError(
            f"{where}: no road node lies inside any polygon; the polygons must cover the "
            "network (check their CRS)"
        )
    if outside.any():
        points = shapely.points(network.x_m[outside], network.y_m[outside])
        distance = np.column_stack([shapely.distance(p, points) for p in polygons])
        index[outside] = np.argmin(distance, axis=1)
    return index.astype(np.int8)


def jurisdictions_from_frame(
    frame: gpd.GeoDataFrame, network: RoadNetwork, *, where: str
) -> tuple[np.ndarray, tuple[str, ...], list]:
    """Jurisdictions from polygons already in the network's CRS (any GIS file).

    The name is the first of :data:`NAME_PROPERTIES` the layer has (compared without
    case). Polygons with the same name are merged.

    Returns
    -------
    index, names, polygons
        Jurisdiction per node, the names in file order and each name's polygon.
    """
    from shapely.ops import unary_union

    column = next((c for c in (n.lower() for n in NAME_PROPERTIES) if c in frame.columns), None)
    if column is None:
        raise InputError(
            f"{where}: the polygons have no name column; give each its jurisdiction's name "
            'in a column "name" (or map yours with columns = { name = "YOUR_COLUMN" })'
        )
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"{where}: jurisdictions must be polygons, got {', '.join(sorted(kinds))}")
    labels = frame[column].astype(str).str.strip()
    names = tuple(dict.fromkeys(n for n in labels if n and n.lower() != "nan"))
    if not names or len(names) != len(set(labels)):
        raise InputError(f"{where}: every polygon needs a name in column {column!r}")
    if len(names) > 127:
        raise InputError(f"{where}: {len(names)} jurisdictions; at most 127 are supported")
    polygons = [unary_union(frame.geometry[(labels == n).to_numpy()].to_numpy()) for n in names]
    return assign_nodes(polygons, network, where=where), names, polygons


def border_line(polygons: list) -> np.ndarray | None:
    """Return the longest stretch of boundary two jurisdictions share, as an ``(n, 2)`` line."""
    import shapely
    from shapely.ops import linemerge

    pieces = []
    for i in range(len(polygons)):
        for j in range(i + 1, len(polygons)):
            shared = shapely.intersection(polygons[i].boundary, polygons[j].boundary)
            pieces.extend(
                g
                for g in shapely.get_parts(shapely.line_merge(shared))
                if g.geom_type == "LineString"
            )
    if not pieces:
        return None
    merged = shapely.get_parts(linemerge(pieces))
    longest = max(merged, key=lambda g: g.length)
    return np.asarray(longest.coords)[:, :2]
