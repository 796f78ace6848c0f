"""Experiment files: dotted keys, validation errors, the plan and its seeds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.batch.experiment import builtin_experiments, load_experiment, run_seed
from sim.batch.keys import ExperimentError, apply_overrides, check_key, parse_key
from sim.cli.app import main
from sim.scenarios import scenario_from_dict

SCENARIO = """\
name = "tiny"
horizon_h = 1.0
[region]
source = "fujiang"
population_persons = 5000
[[warnings]]
time_min = 0
level = "imminent"
issued_by = "Suining"
zone = { max_elevation_m = 280.0 }
[[incidents]]
time_min = 5
settlement = "Chengjiawan"
persons = 12
tiers = ["community", "ground", "aviation"]
"""


def write_experiment(folder: Path, body: str, name: str = "exp.toml") -> Path:
    (folder / "tiny.toml").write_text(SCENARIO)
    path = folder / name
    path.write_text(body)
    return path


GRID = """\
name = "tinyexp"
scenarios = ["tiny.toml"]
replications = 2
base_seed = 7
[grid]
policy.linkage = ["separate", "joint"]
"forces.ground.teams" = [4, 6]
"""


def test_dotted_keys_parse_and_check() -> None:
    assert parse_key("warnings[1].zone.radius_km") == ("warnings", 1, "zone", "radius_km")
    assert check_key("behaviour.compliance.risk") == ("behaviour", "compliance", "risk")
    with pytest.raises(ExperimentError, match="did you mean 'linkage'"):
        check_key("policy.linkag")
    with pytest.raises(ExperimentError, match="warnings is a list; give an index"):
        check_key("warnings.time_min")
    with pytest.raises(ExperimentError, match="horizon_h is a single value"):
        check_key("horizon_h.minutes")


def test_overrides_edit_a_copy_and_fill_defaults(tmp_path) -> None:
    from sim.scenarios.load import read_toml

    path = write_experiment(tmp_path, GRID)
    data, _ = read_toml(path.parent / "tiny.toml")
    out = apply_overrides(
        data,
        {
            "forces.ground.teams": 6,
            "warnings[0].time_min": 30,
            "behaviour.channels[1].delay_min": 3.0,
        },
        scenario="tiny",
    )
    scenario = scenario_from_dict(out)
    assert scenario.forces.ground.teams == 6
    assert scenario.warnings[0].time_min == 30
    # a list the file did not give starts from the default channels
    assert [c.name for c in scenario.behaviour.channels] == ["sms", "loudspeaker"]
    assert scenario.behaviour.channels[1].delay_min == 3.0
    assert "forces" not in data and data["warnings"][0]["time_min"] == 0  # input untouched
    with pytest.raises(ExperimentError, match=r"has 1 warning \(indices 0..0\)"):
        apply_overrides(data, {"warnings[3].time_min": 1}, scenario="tiny")


def test_plan_order_ids_and_resolved_scenarios(tmp_path) -> None:
    experiment = load_experiment(write_experiment(tmp_path, GRID))
    plan = experiment.plan()
    assert len(plan) == 2 * 2 * 2
    assert [r.index for r in plan] == list(range(8))
    assert [
        (r.params["policy.linkage"], r.params["forces.ground.teams"], r.replication)
        for r in plan[:4]
    ] == [("separate", 4, 0), ("separate", 4, 1), ("separate", 6, 0), ("separate", 6, 1)]
    # common random numbers (the default): one seed per replication, shared by the grid
    assert len({r.run_id for r in plan}) == 8 and len({r.seed for r in plan}) == 2
    last = scenario_from_dict(plan[-1].scenario_data)
    assert last.policy.linkage == "joint" and last.forces.ground.teams == 6


def test_seeds_do_not_move_when_the_grid_grows(tmp_path) -> None:
    small = load_experiment(write_experiment(tmp_path, GRID)).plan()
    grown = GRID.replace('["separate", "joint"]', '["separate", "notify", "joint"]')
    grown = grown.replace("replications = 2", "replications = 3")
    big = load_experiment(write_experiment(tmp_path, grown, "grown.toml")).plan()
    seeds = {r.run_id: r.seed for r in big}
    assert len(big) == 3 * 2 * 3
    for run in small:  # every existing run keeps its id and seed
        assert seeds[run.run_id] == run.seed
    # the seed is a pure function of base seed, scenario and replication (and, seeded
    # per run, the grid values)
    assert small[0].seed == run_seed(7, "tiny", {}, 0)
    assert run_seed(8, "tiny", {}, 0) != small[0].seed
    per_run = GRID.replace("base_seed = 7", 'base_seed = 7\nseeding = "per_run"')
    first = load_experiment(write_experiment(tmp_path, per_run, "per_run.toml")).plan()[0]
    assert first.seed == run_seed(7, "tiny", first.params, 0) != small[0].seed


def test_common_seeding_is_the_default_and_per_run_gives_each_run_its_own(tmp_path) -> None:
    for body, seeds_per_replication in (
        (GRID, 1),  # default: every configuration of a replication sees the same draws
        (GRID.replace("base_seed = 7", 'base_seed = 7\nseeding = "common"'), 1),
        (GRID.replace("base_seed = 7", 'base_seed = 7\nseeding = "per_run"'), 4),
    ):
        plan = load_experiment(write_experiment(tmp_path, body)).plan()
        by_rep = {}
        for run in plan:
            by_rep.setdefault(run.replication, set()).add(run.seed)
        assert [len(s) for s in by_rep.values()] == [seeds_per_replication] * 2
        assert not by_rep[0] & by_rep[1]


def test_small_mode_and_fixed_settings(tmp_path) -> None:
    body = GRID + (
        '[set]\n"horizon_h" = 0.5\n'
        "[small]\nreplications = 1\n"
        'grid = { "forces.ground.teams" = [4] }\n'
        'set = { "region.population_persons" = 3000 }\n'
    )
    path = write_experiment(tmp_path, body)
    full, small = load_experiment(path), load_experiment(path, small=True)
    assert len(full.plan()) == 8 and len(small.plan()) == 2
    data = small.plan()[0].scenario_data
    assert data["horizon_h"] == 0.5 and data["region"]["population_persons"] == 3000
    assert full.content_hash != small.content_hash


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            GRID.replace("policy.linkage", "policy.linkag"),
            "[grid] 'policy.linkag' is not a scenario setting: 'linkag' is not a key of policy; "
            "did you mean 'linkage'?",
        ),
        (GRID.replace('"forces.ground.teams"', '"forces.grund.teams"'), "did you mean 'ground'?"),
        (GRID.split("[grid]")[0] + "[grid]\n", "the grid is empty"),
        (GRID.split("[grid]")[0], "the grid is empty"),
        (GRID.replace('["separate", "joint"]', "[]"), "grid policy.linkage has no values"),
        (
            GRID.replace('["separate", "joint"]', '"joint"'),
            "grid policy.linkage must be a list of values",
        ),
        (
            GRID.replace("replications = 2", "replications = 0"),
            "replications must be a whole number from 1 to 10,000, got 0",
        ),
        (
            GRID.replace("replications = 2", "replications = 2.5"),
            "replications must be a whole number from 1 to 10,000, got 2.5",
        ),
        (
            GRID.replace("replications = 2", 'replications = "ten"'),
            "replications must be a whole number from 1 to 10,000, got 'ten'",
        ),
        (
            GRID.replace('["separate", "joint"]', '["separate", "jiont"]'),
            "policy.linkage = 'jiont' is not valid (did you mean 'joint'?)",
        ),
        (
            GRID.replace("[4, 6]", "[4, -1]"),
            "forces.ground.teams must be >= 0 and <= 10,000 teams, got -1",
        ),
        (GRID.replace('["separate", "joint"]', '["joint", "joint"]'), "repeats a value"),
        (GRID.replace("base_seed", "base_sede"), "base_sede is not a known key; did you mean"),
        (GRID.replace('"tiny.toml"', '"nowhere.toml"'), "scenario 'nowhere.toml' is neither"),
        (GRID + '[set]\n"policy.linkage" = "joint"\n', "is in both [set] and [grid]"),
        (
            GRID.replace("[grid]", '[set]\n"warnings[2].time_min" = 3\n[grid]'),
            "scenario 'tiny' has 1 warning (indices 0..0)",
        ),
        ("name = \n", "not valid TOML"),
        (
            GRID.replace("[4, 6]", '["six", "eight"]'),
            "forces.ground.teams = 'six': forces.ground.teams must be a whole number, got 'six'",
        ),
        (GRID.replace("[4, 6]", "[4.5, 6]"), "forces.ground.teams must be a whole number, got 4.5"),
        (
            GRID.replace("[4, 6]", '[4, "six"]'),
            "grid forces.ground.teams mixes kinds of values (number, str)",
        ),
        (
            GRID.replace('["separate", "joint"]', "[1, 2]"),
            "policy.linkage = 1 is not valid; use one of 'separate', 'notify', 'mutual_aid'",
        ),
        (
            GRID.replace('"forces.ground.teams"', '"forces.ground"'),
            "forces.ground must be a table of keys, got 4",
        ),
        (
            GRID.replace("base_seed = 7", 'base_seed = "x"'),
            "base_seed must be a whole number from 0 to 2**63 - 1, got 'x'",
        ),
        (
            GRID.replace('scenarios = ["tiny.toml"]', "scenarios = 3"),
            "scenarios must be a list of built-in names or TOML files, got 3",
        ),
        (GRID + '[outputs]\ncurves = "yes"\n', "outputs.curves must be true or false, got 'yes'"),
        (
            GRID.replace("base_seed = 7", 'base_seed = 7\nseeding = "paired"'),
            "seeding = 'paired' is not valid; use 'per_run' or 'common'",
        ),
        (GRID.replace('name = "tinyexp"', "name = 5"), "name must be a text string, got 5"),
        (
            GRID + "[small]\nreplications = 0\n",
            "replications must be a whole number from 1 to 10,000, got 0 "
            "(small mode: the [small] table",
        ),
        (
            GRID + '[small]\nscenario = ["tiny.toml"]\n',
            "small.scenario is not a known key; did you mean 'scenarios'?",
        ),
    ],
)
def test_bad_experiment_files_exit_2(tmp_path, capsys, body, message) -> None:
    path = write_experiment(tmp_path, body)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("sim: error: ")]
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err
    assert not out.exists()


def test_small_flag_needs_a_small_table(tmp_path, capsys) -> None:
    path = write_experiment(tmp_path, GRID)
    assert main(["batch", str(path), "--small", "--out", str(tmp_path / "o")]) == 2
    assert "--small needs a [small] table" in capsys.readouterr().err


def test_unknown_builtin_experiment_lists_the_known_ones(capsys) -> None:
    assert main(["batch", "cross_border_linkge"]) == 2
    err = capsys.readouterr().err
    assert "no experiment 'cross_border_linkge'" in err and "cross_border_linkage" in err
    assert "did you mean 'cross_border_linkage'?" in err


def test_builtin_experiments_load_in_both_modes(capsys) -> None:
    assert set(builtin_experiments()) >= {
        "cross_border_linkage",
        "warning_lead_time",
        "force_levels",
    }
    for name in builtin_experiments():
        full, small = load_experiment(name), load_experiment(name, small=True)
        assert len(small.plan()) <= 8 < len(full.plan())
    linkage = load_experiment("cross_border_linkage")
    assert linkage.grid["policy.linkage"] == ("separate", "notify", "mutual_aid", "joint")
    assert main(["experiments"]) == 0
    assert "warning_lead_time" in capsys.readouterr().out


def test_batch_and_report_help_document_every_option(capsys) -> None:
    import argparse

    from sim.cli.app import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in ("batch", "report", "experiments"):
        command = sub.choices[name]
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings} has no help"
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    text = capsys.readouterr().out
    for option in ("--workers", "--scheduler", "--dask-local", "--resume", "--out"):
        assert option in text


def test_builtin_cross_border_linkage_small_mode_runs_end_to_end(tmp_path, capsys) -> None:
    """The one smoke test on the built-in region: the headline experiment's small mode."""
    out = tmp_path / "linkage"
    assert (
        main(
            [
                "batch",
                "cross_border_linkage",
                "--small",
                "--workers",
                "2",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["scenario"].tolist() == ["gas_leak"] * 4 + ["landslide"] * 4
    assert runs["policy.linkage"].tolist() == ["separate", "separate", "joint", "joint"] * 2
    assert (runs["status"] == "ok").all()
    persons = runs[[c for c in runs.columns if c.startswith("persons.")]].sum(axis=1)
    assert (persons == 5000).all()  # [small] sets region.population_persons = 5000
    for juris in ("all", "Suining", "Tongnan"):
        shares = runs[f"coverage.{juris}.ground_30min"].dropna()
        assert ((shares >= 0) & (shares <= 1)).all()
    assert main(["report", str(out)]) == 0
    text = (out / "report.md").read_text()
    assert "experiment: **cross_border_linkage** (small mode)" in text
    assert "### linkage (baseline separate)" in text
    for scenario in ("gas_leak", "landslide"):
        assert f"### Scenario {scenario}" in text
    assert (out / "coverage_gas_leak.png").is_file()  # the leak site's 6 persons
    # at 5,000 residents the small landslides bury nobody; a household or two whose only
    # road crosses the cordon round the slope waits at home, cut off, for a ground team
    slides = runs[runs["scenario"] == "landslide"]
    assert slides["coverage_persons.all.ground_30min"].between(1, 10).all()
    assert (out / "coverage_landslide.png").is_file()


def test_file_settings_resolve_against_their_file_and_seeds_ignore_the_folder(tmp_path) -> None:
    from tests.batch_fixtures import write_toy_experiment

    plans = []
    for folder in (tmp_path / "a", tmp_path / "b" / "deeper"):
        experiment = load_experiment(write_toy_experiment(folder))
        plan = experiment.plan()
        assert plan[0].scenario_data["region"]["source"] == str((folder / "toy.npz").resolve())
        plans.append([(r.run_id, r.seed) for r in plan])
    assert plans[0] == plans[1]  # moving the experiment moves no seed
