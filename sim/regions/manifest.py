"""The region manifest: a small TOML file naming the files a region is built from.

::

    name = "county"                      # default: the manifest's file name
    roads = "county.osm.pbf"             # .osm/.osm.bz2/.xml, .osm.pbf, .graphml, place:NAME
    jurisdictions = "districts.gpkg"     # polygons with a name
    population = "people.tif"            # points or polygons with persons, or a raster
    shelters = "shelters.csv"            # capacity_persons (or capacity), optional level
    stations = "stations.geojson"        # tier, optional teams, boats
    depots = { file = "depots.shp", columns = { stock_kits = "STOCK" } }
    settlements = "villages.csv"         # name, optional population_persons, kind, radius_m
    wells = "wells.csv"                  # name (for gas leaks)
    river = { file = "river.geojson", warning_level_m = 281.5 }   # or bank_height_m
    elevation = "dem.tif"                # a DEM raster
    snap_limit_m = 1000                  # farther points are listed (default 1000 m)
    strict = false                       # true: refuse points outside the region

Every layer is a file name, or a table with ``file`` and any of ``crs`` (for files that
have none: a CSV's ``x,y``, a raster without a CRS), ``layer`` (a GeoPackage layer),
``columns`` (this tool's column name -> the file's) and ``band`` (rasters). Paths are
relative to the manifest. The same keys may stand under a scenario's ``[region]``
(:class:`sim.scenarios.scenario.RegionSpec`), relative to the scenario file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sim.errors import ScenarioError
from sim.scenarios.load import Spec, Where, bounded, build, read_toml

#: Layers a region may name, in the order they are applied.
LAYERS: tuple[str, ...] = (
    "jurisdictions",
    "elevation",
    "population",
    "settlements",
    "shelters",
    "stations",
    "depots",
    "wells",
    "river",
)
#: A point farther than this from every road node is listed as a far snap (m); the same
#: figure as ``sim coverage --stations`` (:data:`sim.network.points.MAX_SNAP_M`): a
#: station or shelter more than a kilometre from any road is almost surely a wrong
#: coordinate or CRS, not a place a car reaches.
DEFAULT_SNAP_LIMIT_M = 1000.0


@dataclass(frozen=True, kw_only=True)
class LayerSpec(Spec):
    """A file a region reads (``roads`` aside): vector layer or raster.

    Attributes
    ----------
    file
        Path, relative to the manifest (or scenario) that names it.
    crs
        CRS of a file that has none (``"EPSG:32648"``): a CSV's ``x,y``, a Shapefile
        without ``.prj``, a raster without a CRS.
    layer
        Layer of a multi-layer file (GeoPackage).
    columns
        This tool's column name -> the file's own (``{capacity_persons = "CAP"}``).
    band
        Raster band (population and elevation rasters).
    """

    SHORTHAND: ClassVar[str] = "file"

    file: str
    crs: str | None = None
    layer: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    band: int = bounded(1, low=1, high=10_000)

    def check(self, where: Where) -> None:  # noqa: D102
        if not self.file.strip():
            raise where.child("file").error("must name a file")


@dataclass(frozen=True, kw_only=True)
class RiverSpec(LayerSpec):
    """The river line (upstream end first, or oriented by the DEM) and its warning level.

    ``warning_level_m`` is the water surface at the warning stage, metres above sea
    level, for the whole river; ``bank_height_m`` instead puts it that far above the
    lowest ground within ``hazards.flood.bank_search_m`` of each river station (the
    built-in rule, with 0 m, when neither is given).
    """

    warning_level_m: float | None = bounded(None, low=-500.0, high=9000.0, unit="m")
    bank_height_m: float | None = bounded(None, low=-50.0, high=200.0, unit="m")
    reverse: bool = False

    def check(self, where: Where) -> None:  # noqa: D102
        super().check(where)
        if self.warning_level_m is not None and self.bank_height_m is not None:
            raise where.error("give warning_level_m or bank_height_m, not both")


@dataclass(frozen=True, kw_only=True)
class RegionManifest(Spec):
    """A region built from files (see the module docstring)."""

    roads: str
    name: str | None = None
    jurisdictions: LayerSpec | None = None
    population: LayerSpec | None = None
    shelters: LayerSpec | None = None
    stations: LayerSpec | None = None
    depots: LayerSpec | None = None
    settlements: LayerSpec | None = None
    wells: LayerSpec | None = None
    river: RiverSpec | None = None
    elevation: LayerSpec | None = None
    snap_limit_m: float = bounded(
        DEFAULT_SNAP_LIMIT_M, low=0.0, above=True, high=100_000.0, unit="m"
    )
    strict: bool = False

    def check(self, where: Where) -> None:  # noqa: D102
        if not self.roads.strip():
            raise where.child("roads").error("must name a road file or 'place:NAME'")

    def layers(self) -> dict[str, LayerSpec]:
        """Return the layers given, in :data:`LAYERS` order."""
        return {k: getattr(self, k) for k in LAYERS if getattr(self, k) is not None}


def is_manifest(source: str | Path) -> bool:
    """Return True when a region source names a manifest (a ``.toml`` file)."""
    return str(source).lower().endswith(".toml")


def resolve_path(value: str, folder: Path) -> str:
    """``folder / value`` for a relative path (``place:NAME`` and built-in names stay)."""
    if value.startswith("place:") or value == "fujiang" or Path(value).is_absolute():
        return value
    return str((folder / value).resolve())


def resolved(manifest: Any, folder: Path, *, strict: bool = True) -> Any:
    """Return ``manifest`` (a RegionManifest or RegionSpec) with its paths made absolute.

    With ``strict`` False (scenarios, as before manifests existed) a relative path that
    does not exist in ``folder`` stays relative to the working folder.
    """
    changes: dict[str, Any] = {}

    def wanted(value: str) -> bool:
        return strict or (folder / value).exists()

    for key in ("roads", "source"):
        value = getattr(manifest, key, None)
        if isinstance(value, str) and wanted(value):
            changes[key] = resolve_path(value, folder)
    for key in LAYERS:
        layer = getattr(manifest, key, None)
        if layer is not None and wanted(layer.file):
            changes[key] = dataclasses.replace(layer, file=resolve_path(layer.file, folder))
    return dataclasses.replace(manifest, **changes)


def resolved_data(region: dict, folder: Path) -> dict:
    """Resolve the files of a ``[region]`` table (plain TOML data), as scenarios do."""
    out = dict(region)
    for key in ("source", "roads", *LAYERS):
        value = out.get(key)
        if isinstance(value, str) and value and (folder / value).exists():
            out[key] = resolve_path(value, folder)
        elif isinstance(value, dict) and isinstance(value.get("file"), str):
            file = value["file"]
            if file and (folder / file).exists():
                out[key] = {**value, "file": resolve_path(file, folder)}
    return out


def read_manifest(path: str | Path) -> RegionManifest:
    """Read and check a manifest file; its paths come back absolute.

    Raises
    ------
    ScenarioError
        For an unreadable file, an unknown key, a wrong type or value (one line naming
        the file, the key and the fix).
    """
    path = Path(path)
    data, text = read_toml(path, what="region manifest")
    data.setdefault("name", path.name[: -len(".toml")])
    manifest = build(RegionManifest, data, Where(str(path), text))
    return resolved(manifest, path.parent.resolve())


def manifest_from_dict(
    data: dict, *, folder: str | Path = ".", source: str = "<dict>"
) -> RegionManifest:
    """Build and check a manifest from a dict (paths relative to ``folder``)."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a region must be a table of keys, got {data!r}")
    return resolved(build(RegionManifest, data, Where(source, "")), Path(folder).resolve())
