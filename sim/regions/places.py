"""Place layers of a region from files: shelters, stations, depots, settlements, wells.

Each layer is any vector file (:mod:`sim.network.vectors`) clipped and snapped to road
nodes (:mod:`sim.regions.snapping`) and turned into the table
:data:`sim.regions.base.PLACE_COLUMNS` names. Columns (names without case; a layer's
``columns`` maps them to the file's; the alternatives in brackets are accepted too):

- shelters: ``capacity_persons`` [capacity], optional ``name``, ``level``, ``jurisdiction``;
- stations: ``tier`` (community, ground, aviation), optional ``name``, ``teams`` (1),
  ``boats`` (teams that carry a boat), ``jurisdiction``;
- depots: ``stock_kits`` [stock], optional ``name``, ``level`` (city, district, town,
  village), ``trucks`` (else by level, ``[supply] trucks_per_depot``), ``jurisdiction``;
- settlements: ``name``, optional ``kind`` (village), ``population_persons``
  [population, persons] (else the residents within ``radius_m``), ``radius_m``;
- wells: ``name``, optional ``jurisdiction``.

An empty ``jurisdiction`` takes the jurisdiction of the node the place snaps to.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.files.readers import FileError
from sim.network.vectors import read_vector
from sim.regions.snapping import RegionArea, Snapped, snap_layer
from sim.tiers import TIER_NAMES

if TYPE_CHECKING:
    import geopandas as gpd

    from sim.regions.manifest import LayerSpec
    from sim.regions.report import RegionReport

#: Other column names accepted for a column, per column.
ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "capacity_persons": ("capacity",),
        "stock_kits": ("stock",),
        "population_persons": ("population", "persons", "pop"),
        "persons": ("population", "population_persons", "pop"),
    }
)
#: Columns each place layer must have.
REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "shelters": ("capacity_persons",),
        "stations": ("tier",),
        "depots": ("stock_kits",),
        "settlements": ("name",),
        "wells": ("name",),
    }
)
DEPOT_LEVELS = ("city", "district", "town", "village")
#: Defaults for columns a file leaves out, with where each comes from.
DEFAULT_SHELTER_LEVEL = "town"  # the built-in region's middle level (county, town, village)
DEFAULT_DEPOT_LEVEL = "town"  # docs/DOMAIN.md: disaster-prone towns hold relief for >= 200 people
DEFAULT_SETTLEMENT_KIND = "village"
#: Settlement radius where a file gives none (m): the warning zone of a named settlement
#: (sim/agents/warning.py), the extent of a rural village with its hamlets.
DEFAULT_SETTLEMENT_RADIUS_M = 1500.0
#: Largest number in a count column (teams, trucks, boats) and in a capacity or stock.
MAX_COUNT = 1_000
MAX_AMOUNT = 10_000_000


def layer_frame(spec: LayerSpec | gpd.GeoDataFrame, area: RegionArea, *, where: str):
    """Return a layer as a GeoDataFrame in the network CRS (from its file, or in memory)."""
    import geopandas as gpd

    if isinstance(spec, gpd.GeoDataFrame):
        if spec.crs is None:
            raise FileError(f"{where}: the GeoDataFrame has no CRS; set one with .set_crs()")
        if len(spec) == 0:
            raise FileError(f"{where}: the GeoDataFrame has no rows")
        frame = spec.to_crs(area.network.crs)
        frame.columns = [c if c == frame.geometry.name else str(c).lower() for c in frame.columns]
        return frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame
    return read_vector(
        spec.file,
        where=where,
        to_crs=area.network.crs,
        crs=spec.crs,
        layer=spec.layer,
        columns=spec.columns,
    )


def read_layer(
    spec: LayerSpec | gpd.GeoDataFrame, area: RegionArea, *, kind: str, where: str
) -> gpd.GeoDataFrame:
    """Read a layer in the network CRS, with aliases renamed and required columns checked."""
    frame = layer_frame(spec, area, where=where)
    frame = with_aliases(frame, REQUIRED.get(kind, ()) + tuple(OPTIONAL_NUMBERS.get(kind, ())))
    for column in REQUIRED.get(kind, ()):
        if column not in frame.columns:
            others = ALIASES.get(column, ())
            alt = f" (or {', '.join(others)})" if others else ""
            file = getattr(spec, "file", "the GeoDataFrame")
            raise FileError(
                f"{where}: {file} has no column {column}{alt}; add it, or name yours "
                f'with columns = {{ {column} = "YOUR_COLUMN" }} for this layer'
            )
    return frame


def with_aliases(frame: gpd.GeoDataFrame, wanted: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Rename an accepted alternative name to the column's name when the name is absent."""
    renames = {}
    for column in wanted:
        if column in frame.columns:
            continue
        for alias in ALIASES.get(column, ()):
            if alias in frame.columns and alias not in renames:
                renames[alias] = column
                break
    return frame.rename(columns=renames)


OPTIONAL_NUMBERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"settlements": ("population_persons",), "population": ("persons",)}
)


def numbers(
    frame: gpd.GeoDataFrame,
    column: str,
    rows: np.ndarray,
    *,
    where: str,
    default: float,
    low: float,
    high: float,
    whole: bool = False,
) -> np.ndarray:
    """Return a number column of the kept rows, checked (empty cells take ``default``)."""
    if column not in frame.columns:
        return np.full(rows.shape[0], float(default))
    text = frame[column].iloc[rows].astype(str).str.strip()
    values = pd.to_numeric(text.where(text != "", str(default)), errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values) | (values < low) | (values > high)
    if whole:
        bad |= np.isfinite(values) & (values != np.round(values))
    if bad.any():
        k = int(np.argmax(bad))
        what = "a whole number" if whole else "a number"
        raise FileError(
            f"{where}: row {int(rows[k]) + 1}: {column} must be {what} from {low:,g} to "
            f"{high:,g}, got {frame[column].iloc[rows[k]]!r}"
        )
    return values


def texts(frame: gpd.GeoDataFrame, column: str, rows: np.ndarray, default: str) -> list[str]:
    """Return a text column of the kept rows (empty cells take ``default``)."""
    if column not in frame.columns:
        return [default] * rows.shape[0]
    values = frame[column].iloc[rows].astype(str).str.strip()
    return [v if v and v.lower() not in ("nan", "none") else default for v in values]


def names(frame: gpd.GeoDataFrame, rows: np.ndarray, prefix: str) -> list[str]:
    """Names of the kept rows; unnamed rows are ``prefix N`` (N = row in the file)."""
    given = texts(frame, "name", rows, "")
    return [g or f"{prefix} {int(r) + 1}" for g, r in zip(given, rows, strict=True)]


def jurisdictions(
    frame: gpd.GeoDataFrame, snapped: Snapped, area: RegionArea, *, where: str
) -> list[str]:
    """Jurisdiction of each kept row: its own when given (checked), else its node's."""
    net = area.network
    own = texts(frame, "jurisdiction", snapped.rows, "")
    out = []
    for k, name in enumerate(own):
        if not name:
            name = net.jurisdiction_names[net.jurisdiction[snapped.node[k]]]
        elif name not in net.jurisdiction_names:
            raise FileError(
                f"{where}: row {int(snapped.rows[k]) + 1}: jurisdiction {name!r} is not one "
                f"of the region's ({', '.join(net.jurisdiction_names)}); fix it or leave it empty"
            )
        out.append(name)
    return out


def place_table(
    kind: str,
    frame: gpd.GeoDataFrame,
    area: RegionArea,
    report: RegionReport,
    *,
    where: str,
    residents: np.ndarray | None = None,
) -> pd.DataFrame:
    """Build the places table of ``kind`` from a layer read by :func:`read_layer`."""
    label = kind[:-1]
    snapped = snap_layer(frame, area, where=where, label=label)
    rows = snapped.rows
    label_names = names(frame, rows, label.capitalize())
    report.snapped(
        kind,
        snapped,
        names=label_names,
        limit_m=area.snap_limit_m,
        osmid=area.network.node_osmid,
    )
    base = {"name": label_names, "node": snapped.node}
    juris = jurisdictions(frame, snapped, area, where=where)
    n = lambda col, **kw: numbers(frame, col, rows, where=where, **kw)  # noqa: E731
    if kind == "shelters":
        level = texts(frame, "level", rows, DEFAULT_SHELTER_LEVEL)
        if "level" not in frame.columns:
            report.defaults.append(f"shelter level {DEFAULT_SHELTER_LEVEL!r} (no level column)")
        cap = n("capacity_persons", default=np.nan, low=1, high=MAX_AMOUNT, whole=True)
        table = {**base, "level": level, "capacity_persons": cap.astype(np.int64)}
    elif kind == "stations":
        tiers = texts(frame, "tier", rows, "")
        for k, tier in enumerate(tiers):
            if tier not in TIER_NAMES:
                raise FileError(
                    f"{where}: row {int(rows[k]) + 1}: tier {tier!r} is not valid; use one of "
                    f"{', '.join(TIER_NAMES)}"
                )
        teams = n("teams", default=1, low=1, high=MAX_COUNT, whole=True).astype(np.int64)
        if "teams" not in frame.columns:
            report.defaults.append("1 team per station (no teams column)")
        table = {**base, "tier": tiers, "teams": teams}
        if "boats" in frame.columns:
            table["boats"] = n("boats", default=0, low=0, high=MAX_COUNT, whole=True).astype(int)
    elif kind == "depots":
        level = texts(frame, "level", rows, DEFAULT_DEPOT_LEVEL)
        for k, value in enumerate(level):
            if value not in DEPOT_LEVELS:
                raise FileError(
                    f"{where}: row {int(rows[k]) + 1}: level {value!r} is not a depot level; "
                    f"use one of {', '.join(DEPOT_LEVELS)}"
                )
        if "level" not in frame.columns:
            report.defaults.append(
                f"depot level {DEFAULT_DEPOT_LEVEL!r}: trucks by [supply] trucks_per_depot"
            )
        stock = n("stock_kits", default=np.nan, low=0, high=MAX_AMOUNT, whole=True)
        table = {**base, "level": level, "stock_kits": stock.astype(np.int64)}
        if "trucks" in frame.columns:
            table["trucks"] = n("trucks", default=0, low=0, high=MAX_COUNT, whole=True).astype(int)
    elif kind == "settlements":
        radius = n("radius_m", default=DEFAULT_SETTLEMENT_RADIUS_M, low=1, high=100_000)
        if "radius_m" not in frame.columns:
            report.defaults.append(
                f"settlement radius {DEFAULT_SETTLEMENT_RADIUS_M:,.0f} m (warning zones by "
                "settlement; no radius_m column): the built-in rural county's village extent"
            )
        persons = _settlement_persons(frame, snapped, area, radius, residents, where)
        table = {
            "name": label_names,
            "kind": texts(frame, "kind", rows, DEFAULT_SETTLEMENT_KIND),
            "x_m": snapped.x_m,
            "y_m": snapped.y_m,
            "node": snapped.node,
            "population_persons": persons,
            "radius_m": radius,
        }
    elif kind == "wells":
        table = {"name": label_names, "x_m": snapped.x_m, "y_m": snapped.y_m, "node": snapped.node}
    else:  # pragma: no cover - a bug
        raise ValueError(kind)
    table["jurisdiction"] = juris
    return pd.DataFrame(table)


def _settlement_persons(
    frame: gpd.GeoDataFrame,
    snapped: Snapped,
    area: RegionArea,
    radius_m: np.ndarray,
    residents: np.ndarray | None,
    where: str,
) -> np.ndarray:
    given = numbers(
        frame, "population_persons", snapped.rows, where=where, default=np.nan, low=0, high=1e8
    )
    if residents is None or np.isfinite(given).all():
        return np.nan_to_num(given).astype(np.int64)
    net = area.network
    for k in np.nonzero(~np.isfinite(given))[0]:
        near = np.hypot(net.x_m - snapped.x_m[k], net.y_m - snapped.y_m[k]) <= radius_m[k]
        given[k] = float(residents[near].sum())
    return given.round().astype(np.int64)
