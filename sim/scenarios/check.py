"""Check a scenario's references against the loaded network: names, places, features."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import ScenarioError
from sim.scenarios.limits import check_run_fits

if TYPE_CHECKING:
    from sim.network.compiled import RoadNetwork
    from sim.scenarios.scenario import Scenario


def check_against_network(
    scenario: Scenario, network: RoadNetwork, *, source: str = "scenario"
) -> None:
    """Check names and places the scenario refers to against the loaded network.

    Also checks that a run of the scenario on this network fits the machine's memory
    (:mod:`sim.scenarios.limits`).
    """
    residents = network.node_population_persons
    check_run_fits(
        persons=float(residents.sum()) if residents is not None else 0.0,
        household_size_persons=scenario.population.household_size_mean_persons,
        nodes=network.n_nodes,
        where=f"{source}: region {network.name!r}",
    )
    names = network.jurisdiction_names
    settlements = set()
    if "settlements" in network.places:
        settlements = set(network.places["settlements"]["name"])
    for i, w in enumerate(scenario.warnings):
        if w.issued_by not in names:
            raise ScenarioError(
                f"{source}: warnings[{i}].issued_by = {w.issued_by!r} is not a jurisdiction "
                f"of region {network.name!r}; use one of {', '.join(names)}"
            )
        if w.zone.jurisdiction is not None and w.zone.jurisdiction not in names:
            raise ScenarioError(
                f"{source}: warnings[{i}].zone.jurisdiction = {w.zone.jurisdiction!r} is not "
                f"a jurisdiction; use one of {', '.join(names)}"
            )
        _check_settlements(
            source, f"warnings[{i}].zone.settlements", w.zone.settlements, settlements
        )
    for pair in scenario.policy.pairs:
        for side in pair.split("|"):
            if side not in names:
                raise ScenarioError(
                    f"{source}: policy.pairs {pair!r} names {side!r}, not a jurisdiction of "
                    f"region {network.name!r}; use two of {', '.join(names)}"
                )
    _check_hazards(scenario, network, source, settlements)
    _check_elevation(scenario, network, source)
    for i, w in enumerate(scenario.warnings):  # after elevation: its message says more
        _check_zone_holds_nodes(source, i, w.zone, network)
    for i, inc in enumerate(scenario.incidents):
        if inc.node is not None and not 0 <= inc.node < network.n_nodes:
            raise ScenarioError(
                f"{source}: incidents[{i}].node = {inc.node} is outside the region "
                f"(valid 0..{network.n_nodes - 1})"
            )
        if inc.osmid is not None:
            try:
                network.node_index(inc.osmid)
            except ValueError as exc:
                raise ScenarioError(f"{source}: incidents[{i}].osmid: {exc}") from None
        if inc.settlement is not None:
            _check_settlements(source, f"incidents[{i}].settlement", (inc.settlement,), settlements)
        if inc.lon is not None:
            x, y = network.to_projected(np.array([inc.lon]), np.array([inc.lat]))
            _, dist = network.nearest_nodes(x, y)
            if dist[0] > 1000.0:
                raise ScenarioError(
                    f"{source}: incidents[{i}] at lon {inc.lon}, lat {inc.lat} is "
                    f"{dist[0] / 1000:.1f} km from the nearest road, outside the region"
                )


def _check_hazards(
    scenario: Scenario, network: RoadNetwork, source: str, settlements: set[str]
) -> None:
    hz = scenario.hazards
    if hz.gas_leak is not None and hz.gas_leak.well is not None:
        wells = set(network.places["wells"]["name"]) if "wells" in network.places else set()
        if hz.gas_leak.well not in wells:
            close = difflib.get_close_matches(hz.gas_leak.well, sorted(wells), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "give lon and lat instead"
            raise ScenarioError(
                f"{source}: hazards.gas_leak.well = {hz.gas_leak.well!r} is not a well of "
                f"region {network.name!r}; {hint}"
            )
    if hz.flood is not None and len(network.features.get("river", ())) < 2:
        raise ScenarioError(
            f"{source}: hazards.flood needs a river, but region {network.name!r} has none "
            "(the built-in fujiang region has one)"
        )
    if hz.landslide is not None:
        for i, slide in enumerate(hz.landslide.slides):
            if slide.settlement is not None:
                _check_settlements(
                    source,
                    f"hazards.landslide.slides[{i}].settlement",
                    (slide.settlement,),
                    settlements,
                )


def _check_elevation(scenario: Scenario, network: RoadNetwork, source: str) -> None:
    """Refuse what needs ground elevation on a region that has none (it would do nothing)."""
    if np.isfinite(network.elevation_m).any():
        return
    needs = [
        f"warnings[{i}].zone.max_elevation_m"
        for i, w in enumerate(scenario.warnings)
        if w.zone.max_elevation_m is not None
    ]
    if scenario.hazards.flood is not None:
        needs.append("hazards.flood")
    slide = scenario.hazards.landslide
    if slide is not None and slide.rainfall and slide.rain_slides > 0:
        needs.append("hazards.landslide.rainfall (rain-triggered slides follow slopes)")
    if needs:
        raise ScenarioError(
            f"{source}: {needs[0]} needs ground elevation, but region {network.name!r} has "
            'none (flat): add a DEM to the region (elevation = "dem.tif" in its manifest '
            "or [region]), or remove it"
        )


def _check_zone_holds_nodes(source: str, i: int, zone, network: RoadNetwork) -> None:
    """Refuse a warning zone that holds no node of the region (it would warn nobody)."""
    from sim.agents.warning import zone_nodes

    if zone_nodes(network, zone).any():
        return
    why = "its criteria together select no node"
    if zone.radius_km is not None:
        x, y = network.to_projected(np.array([zone.center_lon]), np.array([zone.center_lat]))
        _, dist = network.nearest_nodes(x, y)
        if dist[0] > zone.radius_km * 1000.0:
            why = (
                f"its centre (lon {zone.center_lon}, lat {zone.center_lat}) is "
                f"{dist[0] / 1000:,.1f} km from the nearest road, beyond its "
                f"{zone.radius_km:g} km radius"
            )
    raise ScenarioError(
        f"{source}: warnings[{i}].zone holds no part of region {network.name!r} ({why}), "
        "so it would warn nobody; widen it or move it into the region"
    )


def _check_settlements(source: str, key: str, wanted: tuple[str, ...], known: set[str]) -> None:
    for name in wanted:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see `sim network` for places"
            raise ScenarioError(f"{source}: {key} names unknown settlement {name!r}; {hint}")
