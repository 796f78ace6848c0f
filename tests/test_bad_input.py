"""Every kind of bad input: one line ``sim: error: ...`` naming it, exit 2, nothing touched.

Each case builds a workspace (the test's working folder: scenario and experiment files,
CSVs, network files, a run folder, a batch folder, a user's folder with a file in it),
lists every file in it with its contents, runs one ``sim`` command, and asserts: exit
code 2; standard error is exactly one line, ``sim: error: ...``, holding the expected
words; no traceback; the workspace holds exactly the same files with the same bytes.
Cases that used to hang run under a deadline and must fail fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from sim.cli.app import main
from tests.batch_fixtures import write_toy_experiment
from tests.osm_fixtures import write_osm
from tests.replay_fixtures import tiny_run_dir  # noqa: F401

BASE = """\
name = "base"
horizon_h = 1.0
[region]
population_persons = 2000
[[warnings]]
time_min = 0
level = "imminent"
issued_by = "Suining"
"""


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a digest of its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        out[key] = "dir" if path.is_dir() else hashlib.sha1(path.read_bytes()).hexdigest()
    return out


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail with TimeoutError if the block runs longer than ``seconds`` (a hang)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Case:
    """A bad input: what to build, the command, and words the one error line must hold."""

    id: str
    make: Callable[[Path], list[str]]
    expect: str
    seconds: int = 60


def scenario(ws: Path, text: str, name: str = "bad.toml") -> str:
    (ws / name).write_text(text)
    return name


def base_with(**edits: str) -> str:
    """BASE with ``key = value`` lines put in the sections named by the keyword."""
    text = BASE
    for section, line in edits.items():
        if section == "top":
            text = text.replace("horizon_h = 1.0\n", f"{line}\n", 1)
        else:
            text += f"[{section.replace('__', '.')}]\n{line}\n"
    return text


def run_bad(ws: Path, text: str) -> list[str]:
    return ["run", scenario(ws, text), "--no-progress"]


def validate_bad(ws: Path, text: str) -> list[str]:
    return ["validate", scenario(ws, text)]


def stations_csv(ws: Path, rows: str, header: str = "name,tier,lon,lat,jurisdiction") -> str:
    (ws / "stations.csv").write_text(f"{header}\n{rows}")
    return "stations.csv"


def coverage_with(ws: Path, *extra: str) -> list[str]:
    osm = write_osm(ws / "tiny.osm")
    return ["coverage", "--region", osm.name, "--out", "cov", "--no-plot", *extra]


def precious(ws: Path, name: str = "precious") -> str:
    (ws / name).mkdir()
    (ws / name / "thesis.docx").write_text("years of work")
    return name


def toy_experiment(ws: Path, extra: str = "", grid: str = "") -> str:
    path = write_toy_experiment(ws, replications=1, extra=extra)
    if grid:
        path.write_text(path.read_text() + grid + "\n")
    return path.name


def batch_folder(ws: Path) -> str:
    """A finished toy batch in ``ws/batch`` (built by a real run of it)."""
    exp = toy_experiment(ws)
    assert main(["batch", exp, "--out", "batch", "--no-progress"]) == 0
    return exp


def run_folder(ws: Path, tiny: Path) -> str:
    shutil.copytree(tiny, ws / "run")
    return "run"


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00\x01garbage, not what this file should be\xff")


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


CASES = [
    # ------------------------------------------------------------ data loss and escape
    Case(
        "out-holds-user-files",
        lambda ws: [*run_bad(ws, BASE), "--out", precious(ws)],
        "already holds files sim did not write ('thesis.docx')",
    ),
    Case(
        "out-is-results-with-other-runs",
        lambda ws: (
            (ws / "results" / "old-run").mkdir(parents=True),
            (ws / "results" / "old-run" / "summary.json").write_text("{}"),
            [*run_bad(ws, BASE), "--out", "results"],
        )[-1],
        "--out results already holds files sim did not write ('old-run')",
    ),
    Case("out-is-dot", lambda ws: [*run_bad(ws, BASE), "--out", "."], "--out . already holds"),
    Case(
        "out-under-a-file",
        lambda ws: (
            (ws / "file.txt").write_text("x"),
            [*run_bad(ws, BASE), "--out", "file.txt/run"],
        )[-1],
        "file.txt is a file, not a folder",
    ),
    Case("out-in-proc", lambda ws: [*run_bad(ws, BASE), "--out", "/proc/x"], "cannot be written"),
    Case(
        "coverage-out-holds-user-files",
        lambda ws: [*coverage_with(ws)[:-3], "--out", precious(ws)],
        "already holds files sim did not write",
    ),
    # ------------------------------------------------------------ numbers
    Case(
        "horizon-nan",
        lambda ws: run_bad(ws, base_with(top="horizon_h = nan")),
        "horizon_h must be a finite number",
    ),
    Case(
        "horizon-inf",
        lambda ws: run_bad(ws, base_with(top="horizon_h = inf")),
        "horizon_h must be a finite number",
        20,
    ),
    Case(
        "horizon-1e308",
        lambda ws: run_bad(ws, base_with(top="horizon_h = 1e308")),
        "horizon_h must be > 0 and <= 240 h",
        20,
    ),
    Case(
        "incident-lon-nan",
        lambda ws: run_bad(
            ws, BASE + "[[incidents]]\ntime_min = 1\npersons = 2\nlon = nan\nlat = 30.3\n"
        ),
        "incidents[0].lon must be a finite number",
    ),
    Case(
        "incident-lon-500",
        lambda ws: run_bad(
            ws, BASE + "[[incidents]]\ntime_min = 1\npersons = 2\nlon = 500\nlat = 30.3\n"
        ),
        "incidents[0].lon must be >= -180 and <= 180 degrees east, got 500",
    ),
    Case(
        "incident-persons-1e308",
        lambda ws: run_bad(ws, BASE + "[[incidents]]\ntime_min = 1\npersons = 1e308\nnode = 5\n"),
        "incidents[0].persons must be a whole number",
    ),
    Case(
        "pairs-unknown-jurisdiction",  # caught before the run starts, naming the file
        lambda ws: run_bad(ws, BASE + '[policy]\npairs = { "Suining|Chengdu" = "joint" }\n'),
        "policy.pairs 'Suining|Chengdu' names 'Chengdu', not a jurisdiction of region "
        "'fujiang'; use two of Suining, Tongnan",
    ),
    Case(
        "warning-zone-outside-the-region",
        lambda ws: run_bad(
            ws,
            BASE
            + '[[warnings]]\ntime_min = 5\nlevel = "imminent"\nissued_by = "Tongnan"\n'
            + "zone = { center_lon = 100.0, center_lat = 30.46, radius_km = 3.0 }\n",
        ),
        "warnings[1].zone holds no part of region 'fujiang' (its centre (lon 100.0, lat "
        "30.46) is 520.0 km from the nearest road, beyond its 3 km radius)",
    ),
    Case(
        "population-1e12",  # a whole number written as a float: its range is what is wrong
        lambda ws: run_bad(
            ws, BASE.replace("population_persons = 2000", "population_persons = 1e12")
        ),
        "region.population_persons must be >= 0 and <= 50,000,000 persons, got 1,000,000,000,000",
    ),
    Case(
        "household-size-nan",
        lambda ws: run_bad(ws, base_with(population="household_size_mean_persons = nan")),
        "population.household_size_mean_persons must be a finite number",
    ),
    Case(
        "population-1e12",
        lambda ws: run_bad(
            ws, BASE.replace("population_persons = 2000", "population_persons = 1000000000000")
        ),
        "region.population_persons must be >= 0 and <= 50,000,000 persons",
    ),
    Case(
        "population-too-big-for-memory",
        lambda ws: run_bad(
            ws, BASE.replace("population_persons = 2000", "population_persons = 49000000")
        ),
        "would need about",
    ),
    Case(
        "teams-1e9",
        lambda ws: run_bad(ws, base_with(forces__ground="teams = 1000000000")),
        "forces.ground.teams must be >= 0 and <= 10,000 teams",
        20,
    ),
    Case(
        "hazard-step-1e-6",
        lambda ws: run_bad(ws, BASE + "[hazards]\nstep_min = 1e-6\n"),
        "hazards.step_min must be >= 0.1 and <= 60 min",
        20,
    ),
    Case(
        "zone-center-nan",
        lambda ws: run_bad(
            ws, BASE + "[warnings.zone]\ncenter_lon = nan\ncenter_lat = 30.3\nradius_km = 2\n"
        ),
        "warnings[0].zone.center_lon must be a finite number",
    ),
    Case(
        "premovement-inf",
        lambda ws: run_bad(ws, base_with(behaviour="premovement_median_min = inf")),
        "behaviour.premovement_median_min must be a finite number",
    ),
    Case(
        "on-scene-inf",
        lambda ws: run_bad(ws, base_with(forces__ground="on_scene_min = inf")),
        "forces.ground.on_scene_min must be a finite number",
    ),
    Case(
        "validate-nan",
        lambda ws: validate_bad(ws, base_with(top="horizon_h = nan")),
        "must be a finite number",
    ),
    Case(
        "validate-inf",
        lambda ws: validate_bad(ws, base_with(top="horizon_h = inf")),
        "must be a finite number",
    ),
    Case(
        "validate-1e9-teams",
        lambda ws: validate_bad(ws, base_with(forces__ground="teams = 1000000000")),
        "forces.ground.teams must be >= 0 and <= 10,000",
    ),
    # ------------------------------------------------------------ options
    Case(
        "seed-negative",
        lambda ws: [*run_bad(ws, BASE), "--seed", "-1"],
        "argument --seed: must be a whole number from 0",
    ),
    Case(
        "policy-typo",
        lambda ws: [*run_bad(ws, BASE), "--policy", "jiont"],
        "argument --policy: invalid choice: 'jiont'",
    ),
    Case("unknown-option", lambda ws: ["run", "--sed", "3"], "unrecognized arguments: --sed"),
    Case("builtin-typo", lambda ws: ["run", "defualt"], "did you mean 'default'?"),
    Case(
        "max-half-width-negative",
        lambda ws: ["report", batch_folder(ws) and "batch", "--max-half-width-pp", "-1"],
        "argument --max-half-width-pp: must be a number of percentage points > 0",
    ),
    Case(
        "network-save-txt",
        lambda ws: ["network", "--region", write_osm(ws / "tiny.osm").name, "--save", "net.txt"],
        "--save net.txt: give a file ending in .npz or .graphml",
    ),
    # ------------------------------------------------------------ files
    Case(
        "scenario-not-utf8",
        lambda ws: (
            (ws / "latin.toml").write_bytes(b'name = "caf\xe9"\n'),
            ["validate", "latin.toml"],
        )[-1],
        "latin.toml: is not UTF-8 text (byte 0xe9",
    ),
    Case(
        "scenario-is-a-folder",
        lambda ws: ((ws / "dir.toml").mkdir(), ["validate", "dir.toml"])[-1],
        "dir.toml: is a folder, not a scenario file",
    ),
    Case(
        "scenario-not-toml", lambda ws: validate_bad(ws, "name = [unclosed\n"), "is not valid TOML"
    ),
    Case(
        "coverage-unknown-scenario",
        lambda ws: coverage_with(ws, "--scenario", "defualt"),
        "no built-in scenario 'defualt'; did you mean 'default'?",
    ),
    Case(
        "coverage-scenario-bad-approach",
        lambda ws: coverage_with(
            ws,
            "--scenario",
            scenario(ws, 'name = "far"\n[forces.aviation]\napproach_km = -5\n'),
        ),
        "forces.aviation.approach_km",
    ),
    Case(
        "stations-duplicate-columns",
        lambda ws: coverage_with(
            ws,
            "--stations",
            stations_csv(ws, "a,ground,105.7,30.3,,A\n", "name,tier,lon,lat,jurisdiction,Name"),
        ),
        "has two columns named 'name' and 'Name'",
    ),
    Case(
        "stations-teams-1e30",
        lambda ws: coverage_with(
            ws,
            "--stations",
            stations_csv(ws, "a,ground,105.7,30.3,,1e30\n", "name,tier,lon,lat,jurisdiction,teams"),
        ),
        "teams must be a whole number from 1 to 1,000, got '1e30'",
    ),
    Case(
        "stations-teams-1.5",
        lambda ws: coverage_with(
            ws,
            "--stations",
            stations_csv(ws, "a,ground,105.7,30.3,,1.5\n", "name,tier,lon,lat,jurisdiction,teams"),
        ),
        "teams must be a whole number from 1 to 1,000, got '1.5'",
    ),
    Case(
        "population-1e308",
        lambda ws: (
            (ws / "pop.csv").write_text("lon,lat,persons\n105.7,30.3,1e308\n"),
            coverage_with(
                ws,
                "--stations",
                stations_csv(ws, "a,ground,105.7,30.3,\n"),
                "--population",
                "pop.csv",
            ),
        )[-1],
        "persons must be a number from 0 to 10,000,000, got '1e308'",
    ),
    Case(
        "csv-ragged",
        lambda ws: coverage_with(
            ws, "--stations", stations_csv(ws, "a,ground,105.7,30.3,\nb,ground,105.7,30.3,,x,y\n")
        ),
        "stations.csv: is not a readable CSV file (Error tokenizing data",
    ),
    Case(
        "graphml-without-coordinates",
        lambda ws: (_graphml_without_x(ws), ["network", "--region", "bad.graphml"])[-1],
        "bad.graphml: node 1 has no x/y coordinates",
    ),
    Case(
        "npz-missing-array",
        lambda ws: (_npz_without(ws, "length_m"), ["network", "--region", "net.npz"])[-1],
        "net.npz is not complete (no length_m)",
    ),
    Case(
        "npz-garbage",
        lambda ws: (garbage(ws / "net.npz"), ["network", "--region", "net.npz"])[-1],
        "net.npz is not a compiled network",
    ),
    Case(
        "geojson-features-are-numbers",
        lambda ws: (
            (ws / "j.geojson").write_text('{"type": "FeatureCollection", "features": [1, 2]}'),
            coverage_with(ws, "--jurisdictions", "j.geojson"),
        )[-1],
        "j.geojson: features[0] is a int, not a GeoJSON Feature",
    ),
    # ------------------------------------------------------------ batches
    Case(
        "scheduler-not-an-url",
        lambda ws: ["batch", toy_experiment(ws), "--scheduler", "notaurl", "--no-progress"],
        "--scheduler notaurl: cannot reach a Dask scheduler",
    ),
    Case(
        "scheduler-nobody-there",
        lambda ws: [
            "batch",
            toy_experiment(ws),
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--no-progress",
        ],
        "--scheduler tcp://127.0.0.1:1: cannot reach a Dask scheduler",
        40,
    ),
    Case(
        "replications-1e9",
        lambda ws: ["batch", _replications(ws, 1_000_000_000)],
        "replications must be a whole number from 1 to 10,000",
        20,
    ),
    Case(
        "grid-unknown-jurisdiction",
        lambda ws: [
            "batch",
            toy_experiment(ws, grid='"warnings[0].issued_by" = ["A", "Atlantis"]'),
            "--no-progress",
        ],
        "warnings[0].issued_by = 'Atlantis' is not a jurisdiction",
    ),
    Case(
        "set-nan",
        lambda ws: [
            "batch",
            toy_experiment(ws, extra='[set]\n"behaviour.premovement_median_min" = nan'),
        ],
        "premovement_median_min must be a finite number",
    ),
    Case(
        "set-missing-region-file",
        lambda ws: [
            "batch",
            toy_experiment(ws, extra='[set]\n"region.source" = "missing.osm"'),
            "--no-progress",
        ],
        "region 'missing.osm' is neither a built-in region",
    ),
    Case(
        "set-warning-index-out-of-range",  # the message names the experiment file
        lambda ws: [
            "batch",
            toy_experiment(ws, extra='[set]\n"warnings[9].time_min" = 60'),
            "--no-progress",
        ],
        "toyexp.toml: 'warnings[9].time_min': scenario 'toy' has 1 warning (indices 0..0)",
    ),
    Case(
        "batch-out-holds-user-files",
        lambda ws: ["batch", toy_experiment(ws), "--out", precious(ws), "--no-progress"],
        "already holds files sim did not write ('thesis.docx')",
    ),
    Case(
        "resume-garbage-manifest",
        lambda ws: (
            batch_folder(ws),
            garbage(ws / "batch" / "manifest.json"),
            ["batch", "toyexp.toml", "--out", "batch", "--resume"],
        )[-1],
        "manifest.json: is not UTF-8 text",
    ),
    Case(
        "resume-truncated-manifest",
        lambda ws: (
            batch_folder(ws),
            truncate(ws / "batch" / "manifest.json"),
            ["batch", "toyexp.toml", "--out", "batch", "--resume"],
        )[-1],
        "manifest.json: is not valid JSON",
    ),
    Case(
        "report-garbage-manifest",
        lambda ws: (batch_folder(ws), garbage(ws / "batch" / "manifest.json"), ["report", "batch"])[
            -1
        ],
        "manifest.json: is not UTF-8 text",
    ),
    Case(
        "report-garbage-runs-table",
        lambda ws: (
            batch_folder(ws),
            shutil.rmtree(ws / "batch" / "runs"),
            garbage(ws / "batch" / "runs.parquet"),
            ["report", "batch"],
        )[-1],
        "runs.parquet: is not a readable runs table",
    ),
    Case(
        "report-garbage-coverage-curves",
        lambda ws: (
            batch_folder(ws),
            shutil.rmtree(ws / "batch" / "runs"),
            garbage(ws / "batch" / "coverage_curves.parquet"),
            ["report", "batch"],
        )[-1],
        "coverage_curves.parquet: is not a readable curve table",
    ),
    Case("report-not-a-batch", lambda ws: ["report", precious(ws)], "holds no batch results"),
]


def _npz_without(ws: Path, field: str) -> None:
    from tests.engine_fixtures import toy_engine_network

    full = ws / "full.npz"
    toy_engine_network().save(full)
    with np.load(full) as npz:
        arrays = {k: npz[k] for k in npz.files if k != field}
    full.unlink()
    np.savez(ws / "net.npz", **arrays)


def _graphml_without_x(ws: Path) -> None:
    """An osmnx GraphML of the tiny OSM file whose nodes lost their x coordinate."""
    import re

    from sim.network import load_network, save_network

    save_network(load_network(write_osm(ws / "tiny.osm")), ws / "good.graphml")
    text = (ws / "good.graphml").read_text()
    key = re.search(r'<key id="(d\d+)" for="node" attr.name="x"', text).group(1)
    (ws / "bad.graphml").write_text(re.sub(rf'<data key="{key}">[^<]*</data>', "", text))
    (ws / "good.graphml").unlink()
    (ws / "tiny.osm").unlink()


def _replications(ws: Path, n: int) -> str:
    path = write_toy_experiment(ws, replications=1)
    path.write_text(path.read_text().replace("replications = 1", f"replications = {n}"))
    return path.name


RUN_FOLDER_CASES = [
    Case(
        "animate-garbage-summary",
        lambda ws: (garbage(ws / "run" / "summary.json"), ["animate", "run", "--format", "html"])[
            -1
        ],
        "run/summary.json: is not UTF-8 text",
    ),
    Case(
        "animate-truncated-summary",
        lambda ws: (truncate(ws / "run" / "summary.json"), ["animate", "run", "--format", "html"])[
            -1
        ],
        "run/summary.json: is not valid JSON",
    ),
    Case(
        "animate-garbage-events",
        lambda ws: (garbage(ws / "run" / "events.parquet"), ["animate", "run", "--format", "html"])[
            -1
        ],
        "run/events.parquet: is not a readable run table",
    ),
    Case(
        "animate-garbage-shelters",
        lambda ws: (garbage(ws / "run" / "shelters.csv"), ["animate", "run", "--format", "html"])[
            -1
        ],
        "run/shelters.csv: is not UTF-8 text",
    ),
    Case(
        "animate-shelters-without-columns",
        lambda ws: (
            (ws / "run" / "shelters.csv").write_text("a,b\n1,2\n"),
            ["animate", "run", "--format", "html"],
        )[-1],
        "run/shelters.csv: has no column name",
    ),
    Case(
        "animate-out-wrong-suffix",
        lambda ws: ["animate", "run", "--format", "html", "--out", "replay.mp4"],
        "--out replay.mp4: an HTML replay is written as .html",
    ),
    Case(
        "plot-garbage-incidents",
        lambda ws: (garbage(ws / "run" / "incidents.parquet"), ["plot", "run"])[-1],
        "run/incidents.parquet: is not a readable run table",
    ),
    Case(
        "plot-garbage-evacuation-curve",
        lambda ws: (garbage(ws / "run" / "evacuation_curve.csv"), ["plot", "run"])[-1],
        "run/evacuation_curve.csv: is not UTF-8 text",
    ),
    Case(
        "plot-truncated-coverage-curve",
        lambda ws: ((ws / "run" / "coverage_curve.csv").write_text("tier,jurisd"), ["plot", "run"])[
            -1
        ],
        "run/coverage_curve.csv",
    ),
    Case(
        "animate-half-written-folder",
        lambda ws: (
            (ws / "run" / ".sim-writing").write_text("123"),
            ["animate", "run", "--format", "html"],
        )[-1],
        "was being written when sim stopped",
    ),
    Case(
        "plot-out-holds-user-files",
        lambda ws: ["plot", "run", "--out", precious(ws)],
        "already holds files sim did not write",
    ),
]


def _check(ws: Path, case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    argv = case.make(ws)
    capsys.readouterr()  # what building the workspace printed
    before = snapshot(ws)
    with deadline(case.seconds):
        code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sim: error: ") and case.expect in lines[0], lines[0]
    assert "Traceback" not in err
    assert snapshot(ws) == before


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    _check(tmp_path, case, capsys)


@pytest.mark.parametrize("case", RUN_FOLDER_CASES, ids=[c.id for c in RUN_FOLDER_CASES])
def test_bad_run_folder(
    case: Case,
    tiny_run_dir: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch,
    capsys,
) -> None:
    monkeypatch.chdir(tmp_path)
    run_folder(tmp_path, tiny_run_dir)
    _check(tmp_path, case, capsys)


def test_a_byte_order_mark_is_accepted(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert main(["validate", "bom.toml"]) == 0
    assert "bom.toml: valid" in capsys.readouterr().out


def test_a_scenario_built_in_python_is_checked_too() -> None:
    from sim.errors import ScenarioError
    from sim.scenarios import Scenario
    from sim.scenarios.behaviour import PopulationSpec

    with pytest.raises(ScenarioError, match=r"Scenario: horizon_h must be > 0 and <= 240 h"):
        Scenario(name="x", horizon_h=-1.0)
    with pytest.raises(ScenarioError, match="household_size_mean_persons must be a finite"):
        PopulationSpec(household_size_mean_persons=float("nan"))


@pytest.mark.parametrize(
    ("entry", "line", "key"),
    [
        ('level = "red"\nissued_by = "Suining"\n', 11, "warnings[1].level"),
        (
            'level = "risk"\nissued_by = "Suining"\n'
            "zone = { center_lon = 105.7, center_lat = 30.3, radius_km = -3 }\n",
            13,
            "warnings[1].zone.radius_km",
        ),
    ],
)
def test_an_error_in_the_second_warning_names_its_line(tmp_path, capsys, entry, line, key) -> None:
    """BASE ends with the first [[warnings]] at line 5; the second starts at line 9."""
    path = tmp_path / "bad.toml"
    path.write_text(BASE + "[[warnings]]\ntime_min = 10\n" + entry)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"bad.toml, line {line}: {key} " in err[0], err
