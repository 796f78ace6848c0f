"""``sim batch`` and ``sim report`` end to end on the toy engine region (batch_fixtures.py)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.batch.experiment import load_experiment, run_seed
from sim.cli.app import main
from sim.engine.runs import run
from sim.report.stats import difference, mean_interval, replications_needed
from sim.scenarios import scenario_from_dict
from tests.batch_fixtures import TOY_POPULATION, write_toy_experiment

T_975 = {2: 4.302653, 3: 3.182446, 4: 2.776445}  # Student t quantiles, published tables


@pytest.fixture(scope="module")
def tiny_batch(tmp_path_factory):
    """2 linkages x 3 replications on 2 local workers, then its report."""
    folder = tmp_path_factory.mktemp("tiny")
    path = write_toy_experiment(folder, replications=3)
    out = folder / "results"
    code = main(["batch", str(path), "--out", str(out), "--workers", "2", "--no-progress"])
    assert code == 0
    assert main(["report", str(out)]) == 0
    return path, out


def test_runs_table_holds_one_row_per_run_with_hand_computed_coverage(tiny_batch) -> None:
    _, out = tiny_batch
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["run_index"].tolist() == list(range(6))
    assert runs["policy.linkage"].tolist() == ["separate"] * 3 + ["joint"] * 3
    assert runs["replication"].tolist() == [0, 1, 2] * 2
    assert (runs["status"] == "ok").all() and (runs["error"] == "").all()
    assert (runs["duration_s"] > 0).all()
    for _, row in runs.iterrows():  # common random numbers: the policy is not in the seed
        assert row["seed"] == run_seed(11, "toy", {}, row["replication"])
    # B's own team needs 3280 s (> 30 min); under joint A's team needs 280 s
    assert runs["coverage.B.ground_30min"].tolist() == [0.0] * 3 + [1.0] * 3
    assert runs["coverage.all.ground_30min"].tolist() == [0.0] * 3 + [1.0] * 3
    assert (runs["incidents.count"] == 1).all()
    persons = runs[[c for c in runs.columns if c.startswith("persons.")]].sum(axis=1)
    assert (persons == sum(TOY_POPULATION)).all()  # persons conserved in every run
    assert runs["evacuation.sheltered_persons"].nunique() > 1  # the seeds matter
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["counts"] == {"planned": 6, "ok": 6, "failed": 0, "missing": 0}
    batch = manifest["batches"][-1]
    assert batch["ran_runs"] == 6 and batch["kept_runs"] == 0
    assert 1 <= batch["network_loads"] <= 2  # once per worker, not once per run


def test_a_batch_row_equals_a_direct_run_with_the_same_seed(tiny_batch) -> None:
    path, out = tiny_batch
    runs = pd.read_parquet(out / "runs.parquet")
    plan = load_experiment(path).plan()
    row = runs.iloc[4]
    result = run(scenario_from_dict(plan[4].scenario_data), seed=int(row["seed"]))
    summary = result.summary
    assert row["evacuation.sheltered_persons"] == summary["evacuation"]["sheltered_persons"]
    assert row["evacuation.clearance_50pct_s"] == summary["evacuation"]["clearance_50pct_s"]
    assert row["events"] == summary["events"]


def test_curve_tables_cover_every_run(tiny_batch) -> None:
    _, out = tiny_batch
    coverage = pd.read_parquet(out / "coverage_curves.parquet")
    timelines = pd.read_parquet(out / "timelines.parquet")
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(coverage["run_id"]) == set(runs["run_id"]) == set(timelines["run_id"])
    ground = coverage[(coverage["tier"] == "ground") & (coverage["jurisdiction"] == "B")]
    joint_ids = set(runs.loc[runs["policy.linkage"] == "joint", "run_id"])
    joint = ground[ground["run_id"].isin(joint_ids)]
    # A's team arrives 280 s after the report: not covered at 4 min, covered from 5 min
    at = joint.groupby("minutes")["coverage_share"].agg(["min", "max"])
    assert at.loc[4.0].tolist() == [0.0, 0.0] and at.loc[5.0].tolist() == [1.0, 1.0]
    last = timelines[timelines["time_s"] == 7200.0]
    sheltered = runs.set_index("run_id")["evacuation.sheltered_persons"]
    assert (last.set_index("run_id")["sheltered_persons"] == sheltered[last["run_id"]]).all()


def test_report_tables_intervals_and_gain(tiny_batch) -> None:
    _, out = tiny_batch
    text = (out / "report.md").read_text()
    assert "| separate | B | 3 | n/a | 0.0 ± 0.0 | n/a |" in text
    assert "| joint | B | 3 | n/a | 100.0 ± 0.0 | n/a |" in text
    assert "| toy | joint | B | n/a | +100.0 [+100.0, +100.0] * | n/a |" in text
    # outcomes beside coverage: 5 trapped, 15 min each to free, 2-h horizon. B's own team
    # is there at 3340 s and frees 4 by 7200 s; A's (joint) at 340 s frees all 5
    assert "| separate | 0 ± 0 | 4 ± 0 |" in text and "| joint | 0 ± 0 | 5 ± 0 |" in text
    html = (out / "report.html").read_text()
    # coverage, evacuation, gain; no supply figure: the toy needs no kits (0 % throughout)
    assert html.count("data:image/png;base64,") == 3
    assert not (out / "supply_toy.png").exists()
    for name in ("coverage_toy.png", "evacuation_toy.png", "gain_linkage_toy.png"):
        assert (out / name).stat().st_size > 10_000
    # the interval of a varying metric, against the t formula with a published quantile
    runs = pd.read_parquet(out / "runs.parquet")
    configs = pd.read_csv(out / "configurations.csv")
    column = "evacuation.sheltered_persons"
    for linkage, values in runs.groupby("policy.linkage")[column]:
        row = configs[configs["policy.linkage"] == linkage].iloc[0]
        half = T_975[2] * values.std(ddof=1) / np.sqrt(3)
        assert row[f"{column}:mean"] == pytest.approx(values.mean())
        assert row[f"{column}:half"] == pytest.approx(half, rel=1e-5)


def test_replications_section_flags_wide_intervals(tiny_batch, tmp_path) -> None:
    _, out = tiny_batch
    assert main(["report", str(out), "--out", str(tmp_path), "--max-half-width-pp", "0.5"]) == 0
    text = (tmp_path / "report.md").read_text()
    # coverage is 0 or 1 in every run: no interval is wider than any threshold
    assert "0 of 4 intervals of the 10/30/60 table have a half-width above 0.5" in text


FRAGILE_MODEL = """\
from sim.engine.model import EmergencyModel


class FragileModel(EmergencyModel):
    \"\"\"Fails while running the scenario called 'fragile' (as a bug would).\"\"\"

    def run_for(self, **kwargs):
        if self.scenario.name == "fragile":
            raise RuntimeError("the model broke at minute 0")
        super().run_for(**kwargs)
"""


def test_failed_runs_are_recorded_and_the_batch_goes_on(tmp_path, capsys) -> None:
    write_toy_experiment(tmp_path)
    toy = (tmp_path / "toy.toml").read_text()
    (tmp_path / "fragile.toml").write_text(toy.replace('name = "toy"', 'name = "fragile"'))
    (tmp_path / "fragile_model.py").write_text(FRAGILE_MODEL)
    path = tmp_path / "mixed.toml"
    path.write_text(
        'scenarios = ["fragile.toml", "toy.toml"]\nreplications = 1\n'
        'model = "fragile_model.py:FragileModel"\n[grid]\npolicy.linkage = ["joint"]\n'
    )
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out)]) == 1  # with the progress bar
    captured = capsys.readouterr()
    assert "2/2" in captured.err and "failed=1" in captured.err  # runs done, failures
    assert "run fragile-" in captured.err and "failed: RuntimeError" in captured.err
    assert "2 of 2 runs recorded (0 kept, 2 run now, 1 failed)" in captured.out
    assert "next: sim report" in captured.out
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["scenario"].tolist() == ["fragile", "toy"]
    assert runs["status"].tolist() == ["failed", "ok"]
    assert runs["error"].iloc[0].startswith("RuntimeError: the model broke at minute 0")
    assert np.isnan(runs["coverage.all.ground_30min"].iloc[0])
    assert runs["coverage.all.ground_30min"].iloc[1] == 1.0
    assert main(["report", str(out)]) == 0
    assert "## Failed runs" in (out / "report.md").read_text()


def test_input_a_run_would_reject_stops_the_batch_before_anything_is_written(
    tmp_path, capsys
) -> None:
    write_toy_experiment(tmp_path)
    toy = (tmp_path / "toy.toml").read_text()
    (tmp_path / "nofile.toml").write_text(
        toy.replace('"toy.npz"', '"missing.npz"').replace('name = "toy"', 'name = "nofile"')
    )
    (tmp_path / "nosuch.toml").write_text(
        toy.replace('issued_by = "A"', 'issued_by = "C"').replace('name = "toy"', 'name = "nosuch"')
    )
    for name, message in (
        ("nofile", "region 'missing.npz' is neither a built-in region"),
        ("nosuch", "warnings[0].issued_by = 'C' is not a jurisdiction of region 'toy-engine'"),
    ):
        path = tmp_path / f"{name}-exp.toml"
        path.write_text(
            f'scenarios = ["toy.toml", "{name}.toml"]\nreplications = 1\n'
            '[grid]\npolicy.linkage = ["joint"]\n'
        )
        out = tmp_path / f"out-{name}"
        assert main(["batch", str(path), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0] and f"{name} with" in err[0], err
        assert not out.exists()


def test_a_batch_in_which_no_run_finishes_says_so(tmp_path, capsys) -> None:
    write_toy_experiment(tmp_path)
    toy = (tmp_path / "toy.toml").read_text()
    (tmp_path / "fragile.toml").write_text(toy.replace('name = "toy"', 'name = "fragile"'))
    (tmp_path / "fragile_model.py").write_text(FRAGILE_MODEL)
    path = tmp_path / "broken.toml"
    path.write_text(
        'scenarios = ["fragile.toml"]\nreplications = 1\n'
        'model = "fragile_model.py:FragileModel"\n[grid]\npolicy.linkage = ["joint"]\n'
    )
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "next: sim report" not in out and "no run finished without error" in out


def test_common_seeds_give_paired_comparisons_and_curves_can_be_off(tmp_path) -> None:
    extra = 'seeding = "common"\n[outputs]\ncurves = false\n'
    # three replications: two would be too few for an interval (tests/test_report_honest.py)
    path = write_toy_experiment(tmp_path, replications=3, extra=extra)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    by_rep = runs.groupby("replication")["seed"].nunique()
    assert by_rep.tolist() == [1, 1, 1]  # both linkages see the same seed in a replication
    assert runs["seed"].tolist()[:2] == [run_seed(11, "toy", {}, r) for r in (0, 1)]
    # one seed, one population draw: the same households under both linkages
    assert (runs.groupby("replication")["households"].nunique() == 1).all()
    assert not (out / "coverage_curves.parquet").exists()
    assert main(["report", str(out)]) == 0
    text = (out / "report.md").read_text()
    assert "a paired t-test over replications" in text
    assert "No curves were kept (`[outputs] curves = false`)." in text
    assert "| toy | joint | B | n/a | +100.0 [+100.0, +100.0] * | n/a |" in text


def test_every_result_file_is_whole_parquet(tiny_batch) -> None:
    _, out = tiny_batch
    files = sorted(out.rglob("*.parquet"))
    assert len(files) == 3 + 3 * 6
    for file in files:
        pq.read_metadata(file)
    assert not list(out.rglob("*.partial"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "0"], "--workers: must be a whole number of workers from 1 to 512, got '0'"),
        (["--dask-local", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
        (["--retry-failed"], "pass it with --resume"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, argv, message) -> None:
    path = write_toy_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_with_a_batch_is_not_overwritten(tiny_batch, capsys) -> None:
    path, out = tiny_batch
    before = (out / "manifest.json").read_bytes()
    assert main(["batch", str(path), "--out", str(out), "--no-progress"]) == 2
    assert "already holds a batch of 'toyexp' (6 of 6 runs finished); pass --resume" in (
        capsys.readouterr().err
    )
    assert (out / "manifest.json").read_bytes() == before


def test_report_of_a_folder_without_a_batch_exits_2(tmp_path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no batch results (no manifest.json)" in capsys.readouterr().err


# ------------------------------------------------------------------ statistics
def test_mean_interval_against_published_t_quantile() -> None:
    mean, half, n, sd = mean_interval(np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]))
    assert (mean, n) == (3.0, 5)
    assert sd == pytest.approx(np.sqrt(2.5))
    assert half == pytest.approx(T_975[4] * np.sqrt(2.5) / np.sqrt(5), rel=1e-6)
    assert mean_interval(np.array([0.4, 0.4, 0.4]))[:2] == (pytest.approx(0.4), 0.0)
    assert np.isnan(mean_interval(np.array([0.4]))[1])


def test_paired_and_welch_differences() -> None:
    paired = difference(np.array([0.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0]), paired=True)
    # d = 1, 2, 3: mean 2, sd 1, se 1/sqrt(3); t(0.975, 2) = 4.302653
    assert paired["diff"] == 2.0
    assert paired["low"] == pytest.approx(2 - T_975[2] / np.sqrt(3), rel=1e-6)
    assert paired["high"] == pytest.approx(2 + T_975[2] / np.sqrt(3), rel=1e-6)
    assert 0.05 < paired["p_value"] < 0.1  # t = 3.46 on 2 df: p = 0.074
    welch = difference(np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0]), paired=False)
    # equal variances and sizes: Welch's df = 4, se = sqrt(2/3)
    assert welch["diff"] == 10.0
    assert welch["high"] - welch["diff"] == pytest.approx(T_975[4] * np.sqrt(2 / 3), rel=1e-6)
    assert welch["p_value"] < 0.001
    fixed = difference(np.zeros(3), np.ones(3), paired=False)
    assert (fixed["low"], fixed["high"], fixed["p_value"]) == (1.0, 1.0, 0.0)


def test_replications_needed_for_a_2pp_half_width() -> None:
    # sd 5 pp: t(25) * 5 / sqrt(26) = 2.020 > 2, t(26) * 5 / sqrt(27) = 1.978 <= 2
    assert replications_needed(5.0, 2.0) == 27
    assert replications_needed(0.0, 2.0) == 2


def test_report_splits_the_linkage_gain_by_the_mechanism_each_level_adds(tiny_batch) -> None:
    _, out = tiny_batch
    text = (out / "report.md").read_text()
    section = text[text.index("## What each linkage level adds") :]
    lines = [line for line in section.splitlines() if line.startswith("| joint")]
    assert len(lines) == 1
    cells = [c.strip() for c in lines[0].strip("|").split("|")]
    header = next(line for line in section.splitlines() if line.startswith("| linkage"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    row = dict(zip(columns, cells, strict=True))
    # the grid steps from separate straight to joint, so the step holds all three
    # mechanisms; here joint command is what acts: A's team takes B's incident
    # (0 % -> 100 % ground <= 30)
    assert row["adds"] == "information sharing + mutual aid + joint command"
    assert row["ground ≤30"] == "100.0 (+100.0)"
    assert row["teams across the border"] == "1"
    assert row["incidents reached only by foreign teams"] == "1"


def test_a_batch_begun_seeded_per_run_is_finished_with_its_own_seeds(tmp_path, capsys) -> None:
    """A batch begun before 'common' became the default (its manifest says 'per_run', its
    file names no seeding) is resumed with per-run seeds: its finished runs are kept and
    the missing ones get the seeds they would have had, not common ones."""
    experiment = write_toy_experiment(tmp_path, replications=2)
    body = experiment.read_text()
    experiment.write_text(body.replace("base_seed", 'seeding = "per_run"\nbase_seed'))
    full = tmp_path / "full"
    assert main(["batch", str(experiment), "--out", str(full), "--no-progress"]) == 0
    experiment.write_text(body)  # as the file was: no seeding named
    begun = tmp_path / "begun"
    assert main(["batch", str(experiment), "--out", str(begun), "--no-progress"]) == 0
    # make `begun` the batch the old default would have begun: per-run seeds, one run left
    manifest = json.loads((full / "manifest.json").read_text())
    manifest["content_hash"] = json.loads((begun / "manifest.json").read_text())["content_hash"]
    manifest["settings"] = json.loads((begun / "manifest.json").read_text())["settings"]
    shutil.rmtree(begun)
    shutil.copytree(full, begun)
    (begun / "manifest.json").write_text(json.dumps(manifest))
    last = sorted((begun / "runs").glob("*-r001.parquet"))[-1]
    last.unlink()
    kept = {p.name: p.read_bytes() for p in (begun / "runs").glob("*.parquet")}
    capsys.readouterr()
    assert main(["batch", str(experiment), "--out", str(begun), "--resume", "--no-progress"]) == 0
    assert "3 finished earlier and kept" in capsys.readouterr().err
    assert {
        p.name: p.read_bytes() for p in (begun / "runs").glob("*.parquet") if p.name in kept
    } == kept
    runs = pd.read_parquet(begun / "runs.parquet")
    assert runs["seed"].tolist() == pd.read_parquet(full / "runs.parquet")["seed"].tolist()
    assert runs["seed"].nunique() == 4  # per run, as begun
    assert json.loads((begun / "manifest.json").read_text())["seeding"] == "per_run"
