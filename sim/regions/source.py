"""One door to every region: built-in, road file, compiled file, manifest, dict, GeoDataFrames.

- :func:`load_region` is the Python API (``sim.load_region``): a manifest path, a dict
  of manifest keys, or layers given as GeoDataFrames, checked exactly as files are;
- :func:`region_from_source` is what ``--region SOURCE`` of every command loads;
- :func:`network_from_spec` is what a scenario's ``[region]`` loads (``sim run``,
  ``sim batch``, replays): ``source`` (any region source), or the manifest keys
  themselves under ``[region]``, with any layer replacing the source's.

A file region's residents are scaled to ``population_persons`` when a scenario sets it
(the same shares, whole persons, the total exact), and the notes say so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import NetworkError, ScenarioError
from sim.network.sources import BUILTIN_REGIONS, load_roads
from sim.regions.build import RegionBuild, build_region
from sim.regions.manifest import (
    LAYERS,
    RegionManifest,
    is_manifest,
    manifest_from_dict,
    read_manifest,
)
from sim.regions.population import scaled_persons

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork
    from sim.scenarios.scenario import RegionSpec


def load_region(
    manifest: str | Path | Mapping[str, Any] | None = None,
    /,
    *,
    folder: str | Path = ".",
    **layers: Any,
) -> RoadNetwork:
    """Build a region from a manifest file, a dict of its keys, or GeoDataFrames.

    Parameters
    ----------
    manifest
        A manifest path (``county.toml``), a dict of manifest keys (``{"roads":
        "county.osm.pbf", "shelters": "shelters.csv"}``; a value may be a
        GeoDataFrame), or None to give everything as keywords.
    folder
        Folder relative paths of a dict or keywords start from.
    **layers
        Manifest keys (``roads="x.osm"``, ``strict=True``) or layers as GeoDataFrames
        (``shelters=frame``; any CRS, columns as in :mod:`sim.regions.places`); they
        override the manifest's.

    Returns
    -------
    RoadNetwork
        Its ``notes`` say what was dropped, moved or assumed
        (:func:`build_region_report` returns the whole report).

    Raises
    ------
    sim.errors.SimError
        Every problem a file would raise, worded the same way.
    """
    return build_region_report(manifest, folder=folder, **layers).network


def build_region_report(
    manifest: str | Path | Mapping[str, Any] | None = None,
    /,
    *,
    folder: str | Path = ".",
    **layers: Any,
) -> RegionBuild:
    """:func:`load_region`, returning the network with its :class:`RegionReport`."""
    import geopandas as gpd

    if isinstance(manifest, str | Path):
        spec, source = read_manifest(manifest), str(manifest)
        data: dict[str, Any] = {}
    elif manifest is None or isinstance(manifest, Mapping):
        spec, source, data = None, "load_region", dict(manifest or {})
    else:
        raise ScenarioError(
            f"load_region takes a manifest path, a dict or GeoDataFrames, got {manifest!r}"
        )
    data.update(layers)
    frames = {k: v for k, v in data.items() if isinstance(v, gpd.GeoDataFrame)}
    for key in frames:
        if key not in LAYERS:
            raise ScenarioError(f"load_region: {key} is not a layer; layers: {', '.join(LAYERS)}")
        data.pop(key)
    if spec is None:
        if "roads" not in data:
            raise ScenarioError("load_region: roads is required (a road file or 'place:NAME')")
        spec = manifest_from_dict(data, folder=folder, source=source)
    elif data:
        extra = manifest_from_dict({"roads": spec.roads, **data}, folder=folder, source=source)
        spec = dataclasses.replace(spec, **{k: getattr(extra, k) for k in data})
    return build_region(spec, source=source, frames=frames)


def region_from_source(source: str | Path, *, strict: bool = False) -> RegionBuild | None:
    """Build a manifest (``.toml``); None for other sources (load those with load_roads)."""
    if not is_manifest(source):
        return None
    manifest = read_manifest(source)
    if strict:
        manifest = dataclasses.replace(manifest, strict=True)
    return build_region(manifest, source=str(source))


def network_from_spec(spec: RegionSpec, *, where: str = "scenario") -> RoadNetwork:
    """Load the region a scenario's ``[region]`` names (see the module docstring)."""
    layers = {k: getattr(spec, k) for k in LAYERS if getattr(spec, k) is not None}
    options = {"snap_limit_m": spec.snap_limit_m, "strict": spec.strict}
    if spec.roads is not None:
        manifest = RegionManifest(roads=spec.roads, name=spec.name, **layers, **options)
        network = build_region(manifest, source=f"{where} [region]").network
    elif is_manifest(spec.source):
        manifest = read_manifest(spec.source)
        manifest = dataclasses.replace(manifest, **layers, strict=manifest.strict or spec.strict)
        network = build_region(manifest, source=spec.source).network
    else:
        try:
            base = load_roads(
                spec.source,
                seed=spec.seed,
                population_persons=spec.population_persons if _builtin(spec) else None,
            )
        except NetworkError as exc:  # say which scenario and key named the region
            raise NetworkError(f"{where}: region.source: {exc}") from None
        if layers:
            manifest = RegionManifest(roads=spec.source, name=spec.name, **layers, **options)
            network = build_region(manifest, source=f"{where} [region]", base=base).network
        else:
            network = base[0]
    if spec.population_persons is not None and not _builtin(spec):
        residents = network.node_population_persons
        if residents is None:
            raise ScenarioError(
                f"{where}: region.population_persons = {spec.population_persons:,} scales the "
                f"region's residents, but region {network.name!r} has none; give it a "
                "population layer"
            )
        network = dataclasses.replace(
            network,
            node_population_persons=scaled_persons(residents, spec.population_persons),
            notes=(
                *network.notes,
                f"residents scaled from {int(residents.sum()):,} to "
                f"{spec.population_persons:,} (region.population_persons), the same shares",
            ),
        )
    return network


def _builtin(spec: RegionSpec) -> bool:
    return spec.roads is None and spec.source in BUILTIN_REGIONS
