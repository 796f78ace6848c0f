"""Scenario: what happens in a run, as frozen dataclasses loaded from TOML.

Times in scenario files are minutes (``time_min``, ``delay_min``) because planners edit
them; the engine works in seconds. A scenario is validated once when loaded: unknown
keys, wrong types, out-of-range values and unknown names are errors that say the fix.
References to the network (jurisdictions, settlements, nodes) are checked by
:func:`sim.scenarios.check.check_against_network` once the region is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sim.clock import is_clock
from sim.errors import ScenarioError
from sim.regions.manifest import (
    DEFAULT_SNAP_LIMIT_M,
    LAYERS,
    LayerSpec,
    RiverSpec,
    resolved,
)
from sim.scenarios.behaviour import (
    MAX_DELAY_MIN,
    WARNING_LEVELS,
    BehaviourSpec,
    PopulationSpec,
    WarningSpec,
)
from sim.scenarios.builtin import scenario_file
from sim.scenarios.forces import ForcesSpec, IncidentSpec, SupplySpec
from sim.scenarios.hazards import ClosureSpec, HazardsSpec
from sim.scenarios.limits import check_run_fits
from sim.scenarios.load import Bounds, Spec, Where, bounded, build, check_bounds, read_toml

Linkage = Literal["separate", "notify", "mutual_aid", "joint"]
#: Linkage levels, weakest first (each adds to the one before).
LINKAGES: tuple[str, ...] = ("separate", "notify", "mutual_aid", "joint")
LINKAGES: tuple[str, ...] = ("separate", "notify", "mutual_aid", "joint")
#: Longest simulated time, hours (10 days: a flood crest passes in a few days; every
#: step and event of a longer run would still be kept in memory).
MAX_HORIZON_H = 240.0


@dataclass(frozen=True, kw_only=True)
class RegionSpec(Spec):
    """Which region to run on (loaded by :func:`sim.regions.source.network_from_spec`).

    Attributes
    ----------
    source
        ``"fujiang"`` (built-in), a road file (``.osm``, ``.osm.pbf``, ``.graphml``), a
        compiled ``.npz``, a region manifest (``.toml``) or ``place:NAME``.
    seed
        Generator seed of the built-in region.
    population_persons
        Residents: the built-in region is generated with this many; a file region's
        residents are scaled to it (the same shares).
    roads, name
        Instead of ``source``: the region's road file and name, with the layers below:
        ``[region]`` is then the manifest itself (:mod:`sim.regions.manifest`).
    jurisdictions, population, shelters, stations, depots, settlements, wells, river, elevation
        Layers (a file name, or a table with ``file`` and ``crs``, ``layer``,
        ``columns``, ``band``); each replaces what the source has. ``stations`` may be
        the ``stations.csv`` that ``sim site`` writes.
    snap_limit_m, strict
        Points farther than this from a road are listed; ``strict`` refuses points
        outside the region instead of leaving them out with a count.
    """

    source: str = "fujiang"
    seed: int | None = bounded(None, low=0, high=2**32 - 1)
    population_persons: int | None = bounded(None, low=0, high=50_000_000, unit="persons")
    roads: str | None = None
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

    def __post_init__(self) -> None:
        for key in LAYERS:  # RegionSpec(stations="s.csv") in Python, as in a file
            value = getattr(self, key)
            if isinstance(value, str | Path):
                kind = RiverSpec if key == "river" else LayerSpec
                object.__setattr__(self, key, kind(file=str(value)))
        super().__post_init__()

    def check(self, where: Where) -> None:  # noqa: D102
        if self.roads is not None and self.source != "fujiang":
            raise where.child("roads").error(
                f"and source = {self.source!r} both name roads; give one of them"
            )


def _default_plan_leads() -> dict[str, float]:
    return {"trend": 1440.0, "risk": 360.0, "imminent": 120.0, "immediate": 30.0}


@dataclass(frozen=True, kw_only=True)
class PolicySpec(Spec):
    """Linkage between the jurisdictions, its mechanisms and their delays (minutes).

    ``linkage`` (each level adds to the one before, :mod:`sim.agents.linkage`):

    - ``separate``: each side on its own; a team whose trip ends on the other side's
      ground waits ``border_passage_delay_min`` at the border (checkpoint, permission);
    - ``notify``: information sharing: the side that knows the hazard forwards it (its
      detection, the plume forecast, the river gauges' forecast, slides and closed
      roads) and its warnings ``notification_delay_min`` later; the receiving side
      warns from that forecast by its own warning plan;
    - ``mutual_aid``: a side asks the other for a team as soon as its own best arrival
      exceeds the tier's standard (not for people safe where they are, nor for
      mandatory transfers: :data:`sim.agents.aid.OWN_SIDE_KINDS`), answered
      ``mutual_aid_request_delay_min`` later; on notice of a hazard the neighbour
      pre-positions ``preposition_teams`` ground teams at its border point nearest the
      hazard; a lender keeps ``reserve_share`` of a tier's teams while the hazard is
      forecast to reach its own side; priority passage at the border (the green
      channels of the linkage agreements);
    - ``joint``: one command over all teams (no delays between the sides), triage by
      threat to life and expected benefit, the same reserves and priority passage.

    ``pairs`` sets the linkage of particular pairs of jurisdictions (``"A|B" =
    "joint"``) for regions with more than two; others use ``linkage``.

    **Warning plan** (``warning_plan``): once a side's command knows a hazard that its
    forecast places (the flood's hydrograph, the plume's footprint) it warns every node
    of its own that the forecast puts under the hazard at the staged lead times of
    ``warning_plan_lead_min`` before the forecast arrival: trend 24 h, risk 6 h,
    imminent 2 h (``docs/DOMAIN.md``) and the mandatory ``immediate`` order 30 min
    before (an assumption for the "real-time response" stage).

    **Default delays.** ``notification_delay_min`` 15: Chinese rules for reporting
    sudden incidents ask for a first report by telephone within 30 minutes of the event
    (the "30 minutes by phone, 1 hour in writing" rule of provincial emergency
    information reporting); a standing cross-border hotline is assumed to take half
    that. ``mutual_aid_request_delay_min`` 10 and ``border_passage_delay_min`` 20 are
    assumptions: the Tongnan-Suining agreement (``docs/DOMAIN.md``) names
    emergency linkage response and priority passage for rescue vehicles as mechanisms
    but gives no times. ``detection_delay_min`` 45 is the time a side needs to notice a
    hazard on its own ground (Kaixian 2003: about 35 minutes to the evacuation order).
    """

    linkage: Linkage = "separate"
    pairs: dict[str, Linkage] = field(default_factory=dict)
    notification_delay_min: float = bounded(15.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    mutual_aid_request_delay_min: float = bounded(10.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    detection_delay_min: float = bounded(45.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    border_passage_delay_min: float = bounded(20.0, low=0.0, high=MAX_DELAY_MIN, unit="min")
    preposition_teams: int = bounded(1, low=0, high=1000, unit="teams")
    reserve_share: float = bounded(0.5, low=0.0, high=1.0)
    warning_plan: bool = True
    warning_plan_lead_min: dict[str, float] = field(default_factory=_default_plan_leads)

    def check(self, where: Where) -> None:  # noqa: D102
        for level, lead in self.warning_plan_lead_min.items():
            if level not in WARNING_LEVELS:
                raise (
                    where.child("warning_plan_lead_min")
                    .child(level)
                    .error(f"is not a warning level; use {', '.join(WARNING_LEVELS)}")
                )
            check_bounds(
                where.child("warning_plan_lead_min"),
                level,
                lead,
                Bounds(low=0.0, high=MAX_DELAY_MIN, unit="min"),
            )
        for pair, linkage in self.pairs.items():
            if len(pair.split("|")) != 2:
                raise (
                    where.child("pairs").child(pair).error("must name two jurisdictions as 'A|B'")
                )
            if linkage not in LINKAGES:
                raise (
                    where.child("pairs")
                    .child(pair)
                    .error(f"= {linkage!r}; use one of {', '.join(LINKAGES)}")
                )


@dataclass(frozen=True, kw_only=True)
class OutputSpec(Spec):
    """What a run records besides the event log."""

    track_households: int = bounded(2000, low=0, high=1_000_000, unit="households")
    track_interval_s: float = bounded(60.0, low=0.0, above=True, high=3600.0, unit="s")


@dataclass(frozen=True, kw_only=True)
class Scenario(Spec):
    """Everything a run needs besides the seed.

    ``start_clock`` is the local time at the start (``"HH:MM"``); with
    ``behaviour.night_*`` it decides whether warnings go out at night.
    """

    name: str
    description: str = ""
    horizon_h: float = bounded(6.0, low=0.0, above=True, high=MAX_HORIZON_H, unit="h")
    start_clock: str = "10:00"
    region: RegionSpec = field(default_factory=RegionSpec)
    population: PopulationSpec = field(default_factory=PopulationSpec)
    policy: PolicySpec = field(default_factory=PolicySpec)
    behaviour: BehaviourSpec = field(default_factory=BehaviourSpec)
    warnings: tuple[WarningSpec, ...] = ()
    incidents: tuple[IncidentSpec, ...] = ()
    closures: tuple[ClosureSpec, ...] = ()
    hazards: HazardsSpec = field(default_factory=HazardsSpec)
    forces: ForcesSpec = field(default_factory=ForcesSpec)
    supply: SupplySpec = field(default_factory=SupplySpec)
    outputs: OutputSpec = field(default_factory=OutputSpec)

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "<dict>", folder: str | Path = ".") -> Scenario:
        """Build and validate a scenario from a dict (the TOML structure), as a file is.

        Relative region paths start from ``folder``.
        """
        return scenario_from_dict(data, source=source, folder=folder)

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Load and validate a scenario file (or a built-in name)."""
        return load_scenario(path)

    @property
    def horizon_s(self) -> float:
        """Simulated duration in seconds."""
        return self.horizon_h * 3600.0

    def check(self, where: Where) -> None:  # noqa: D102
        if not is_clock(self.start_clock):
            raise where.child("start_clock").error(
                f"= {self.start_clock!r} is not a clock time; write the local time at the "
                "start as 'HH:MM', e.g. '21:55'"
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise where.child("name").error("must be a non-empty text string")
        r = self.region
        if r.population_persons is not None and r.source == "fujiang":
            check_run_fits(
                persons=r.population_persons,
                household_size_persons=self.population.household_size_mean_persons,
                where=where.child("region").child("population_persons").location(),
            )
        timed = (
            ("warnings", self.warnings),
            ("incidents", self.incidents),
            ("closures", self.closures),
        )
        for key, items in timed:
            for i, item in enumerate(items):
                if item.time_min * 60.0 > self.horizon_s:
                    raise (
                        where.child(key)
                        .child(i)
                        .child("time_min")
                        .error(
                            f"= {item.time_min:g} is after the horizon ({self.horizon_h:g} h = "
                            f"{self.horizon_h * 60:g} min); move it earlier or raise horizon_h"
                        )
                    )


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario TOML file (or a built-in name, see ``scenario_file``).

    Files named under ``[region]`` are relative to the scenario file (a ``source`` that
    is not there stays relative to the working folder, as before).
    """
    path = scenario_file(path)
    data, text = read_toml(path)
    data.setdefault("name", path.stem)
    return with_region_paths(build(Scenario, data, Where(str(path), text)), path.parent)


def scenario_from_dict(data: dict, *, source: str = "<dict>", folder: str | Path = ".") -> Scenario:
    """Build and validate a scenario from a plain dict (the TOML structure)."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a dict of keys, got {data!r}")
    return with_region_paths(build(Scenario, data, Where(source, "")), Path(folder))


def with_region_paths(scenario: Scenario, folder: Path) -> Scenario:
    """Return ``scenario`` with the files of its ``[region]`` resolved against ``folder``."""
    region = resolved(scenario.region, Path(folder).resolve(), strict=False)
    if region == scenario.region:
        return scenario
    return replace(scenario, region=region)
