"""A table of values by name that names only some keys keeps the defaults of the others.

``compliance = { immediate = 0.95 }`` used to leave trend, risk and imminent at nothing,
so nobody acted on those warnings (``compliance.get(level, 0.0)``); the reference file
says a key left out takes its default, and now it does, in a file, a dict and an
experiment's override alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.scenarios import load_scenario, scenario_from_dict

DEFAULT_COMPLIANCE = {"trend": 0.02, "risk": 0.25, "imminent": 0.7, "immediate": 0.9}


def test_a_partial_compliance_table_keeps_the_other_levels() -> None:
    s = scenario_from_dict({"name": "x", "behaviour": {"compliance": {"immediate": 0.95}}})
    assert s.behaviour.compliance == {**DEFAULT_COMPLIANCE, "immediate": 0.95}


def test_the_compliance_model_reads_the_kept_levels() -> None:
    from sim.agents.compliance import ComplianceModel
    from sim.scenarios.behaviour import WARNING_LEVELS

    s = scenario_from_dict({"name": "x", "behaviour": {"compliance": {"immediate": 0.95}}})
    model = ComplianceModel(s.behaviour)
    first = [  # at the first contact, no danger in sight: the level's own share
        float(model.probability(k, np.array([1]), np.array([False]))[0])
        for k in range(len(WARNING_LEVELS))
    ]
    expected = {**DEFAULT_COMPLIANCE, "immediate": 0.95}
    np.testing.assert_allclose(first, [expected[lvl] for lvl in WARNING_LEVELS])


def test_a_partial_table_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "x"\n'
        "[behaviour]\n"
        "compliance = { risk = 0.4 }\n"
        "night_reach_factor = { sms = 0.3 }\n"
        "[supply]\n"
        "trucks_per_depot = { town = 2 }\n"
        "[forces]\n"
        "extraction_min_per_person = { buried = 30.0 }\n"
    )
    s = load_scenario(path)
    assert s.behaviour.compliance == {**DEFAULT_COMPLIANCE, "risk": 0.4}
    assert s.behaviour.night_reach_factor == {"sms": 0.3, "loudspeaker": 0.6}
    assert s.supply.trucks_per_depot == {"city": 6, "district": 4, "town": 2, "village": 0}
    assert s.forces.extraction_min_per_person["buried"] == 30.0
    assert s.forces.extraction_min_per_person["*"] == 5.0  # the fallback for other kinds


def test_a_wrong_level_in_a_partial_table_is_still_refused() -> None:
    with pytest.raises(ScenarioError, match=r"compliance\.urgent is not a warning level"):
        scenario_from_dict({"name": "x", "behaviour": {"compliance": {"urgent": 0.5}}})


def test_a_partial_table_built_in_python_keeps_the_other_levels() -> None:
    from sim.agents.compliance import ComplianceModel
    from sim.scenarios.behaviour import BehaviourSpec

    model = ComplianceModel(BehaviourSpec(compliance={"immediate": 0.95}))
    p_risk = model.probability(1, np.array([1]), np.array([False]))  # risk: level 1
    np.testing.assert_allclose(p_risk, [0.25])
