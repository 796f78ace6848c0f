"""Write a Scenario back to TOML (the resolved scenario stored in every run folder)."""

from __future__ import annotations

import dataclasses

import tomli_w

from sim.scenarios.scenario import Scenario


def _clean(value: object) -> object:
    """Drop None (TOML has no null) and turn tuples into lists, recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def scenario_to_toml(scenario: Scenario) -> str:
    """Return ``scenario`` as TOML text that :func:`~sim.scenarios.load_scenario` reads back."""
    return tomli_w.dumps(_clean(dataclasses.asdict(scenario)))
