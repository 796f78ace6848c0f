"""The README runs as written: every ```python block and every `sim ...` line.

Each fenced ``python`` block is run in order in one namespace; each ``sim ...`` line of
a ``bash`` block is run through the real command (``sim.cli.app.main``) in a scratch
folder that holds the files the README names (a scenario, an OSM extract, stations,
population, jurisdictions, candidates, the README's own example experiment, and the county
of "Your own region": its roads as OSM XML and PBF, the README's own manifest
``county.toml`` with every GIS layer it names, and ``my_flood.toml``, written by
:mod:`tests.readme_world`). A line or block that errors fails the test. Only these
changes are made, each for time or for the machine, never for what a command does:

- a full batch runs its ``--small`` mode (the README offers it) on at most 2 workers,
  into ``results/<experiment>-full`` (the full batch's own folder, not the small one's);
- videos are drawn at 5 frames per second instead of 30;
- the line that joins a Dask cluster at a network address is not run (no such cluster
  here, and no traffic leaves this machine): :data:`NOT_RUN` says so.

The reference of every scenario key (``sim/scenarios/reference.toml``) is checked here
too: it must be what ``python -m sim.scenarios.reference`` writes now.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import tomli_w

from sim.cli.app import main
from sim.scenarios.reference import REFERENCE_PATH, reference_toml
from sim.scenarios.scenario import load_scenario
from tests.osm_fixtures import write_osm
from tests.readme_world import readme_manifest, write_readme_county

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: Lines not run, with the reason (they need something outside this machine).
NOT_RUN = {
    "sim batch my_experiment.toml --scheduler tcp://10.0.0.5:8786": "needs a Dask cluster "
    "at a network address; --dask-local runs the same code path on this machine",
}


def fenced_blocks(text: str, language: str) -> list[str]:
    """The contents of the README's fenced blocks in ``language``, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def sim_lines(text: str) -> list[str]:
    """Every ``sim ...`` command of the bash blocks (continuations joined, comments cut)."""
    lines = []
    for block in fenced_blocks(text, "bash"):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                command = part.split(" #")[0].strip()
                if command.startswith("sim ") or command == "sim":
                    lines.append(" ".join(command.split()))
    return lines


def quick(argv: list[str]) -> list[str]:
    """The same command, made quick as the module docstring says."""
    argv = list(argv)
    if argv[:1] == ["batch"] and "--small" not in argv:
        argv.append("--small")  # into its own folder, as the full batch has its own
        if "--out" not in argv:
            argv += ["--out", f"results/{Path(argv[1]).stem}-full"]
    if "--workers" in argv:
        k = argv.index("--workers") + 1
        argv[k] = str(min(int(argv[k]), 2))
    if argv[:1] == ["animate"] and "html" not in argv and "--fps" not in argv:
        argv += ["--fps", "5"]
    return argv


def write_readme_world(folder: Path, text: str) -> None:
    """The files the README's commands name, small enough to run in seconds."""
    default = tomllib.loads((ROOT / "sim/scenarios/default.toml").read_text())
    default["name"] = "my_scenario"
    default.setdefault("region", {})["population_persons"] = 5000
    (folder / "my_scenario.toml").write_text(tomli_w.dumps(default))
    experiment = next(b for b in fenced_blocks(text, "toml") if 'name = "my_experiment"' in b)
    (folder / "my_experiment.toml").write_text(experiment)
    write_osm(folder / "my_county.osm.bz2")
    # the county of "Your own region": county.osm, county.osm.pbf, county.toml, its layers
    write_readme_county(folder, readme_manifest(fenced_blocks(text, "toml")))

    # two made-up sides of my_county (nodes at 105.70 .. 105.74 E, 30.30 N) and of county.osm
    # (105.70 .. 105.765 E, 30.30 .. 30.34 N)
    def square(west: float, east: float) -> list:
        return [[[west, 30.28], [east, 30.28], [east, 30.36], [west, 30.36], [west, 30.28]]]

    counties = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": square(west, east)},
            }
            for name, west, east in (("Suining", 105.69, 105.715), ("Tongnan", 105.715, 105.78))
        ],
    }
    (folder / "counties.geojson").write_text(json.dumps(counties))
    (folder / "stations.csv").write_text(
        "name,tier,lon,lat,jurisdiction\n"
        "west post,community,105.70,30.30,Suining\n"
        "west team,ground,105.70,30.30,Suining\n"
        "east team,ground,105.73,30.30,Tongnan\n"
        "air base,aviation,105.72,30.30,Tongnan\n"
    )
    (folder / "people.csv").write_text(
        "lon,lat,persons\n105.70,30.30,120\n105.72,30.30,300\n105.73,30.30,80\n"
    )
    (folder / "sites.csv").write_text("lon,lat,name\n105.72,30.30,junction\n105.73,30.30,end\n")


def test_reference_toml_is_up_to_date() -> None:
    assert REFERENCE_PATH.read_text(encoding="utf-8") == reference_toml(), (
        "sim/scenarios/reference.toml is out of date: run `python -m sim.scenarios.reference`"
    )
    # loading it as it is gives the default scenario
    reference = load_scenario(REFERENCE_PATH)
    assert reference.region.source == "fujiang" and reference.policy.linkage == "separate"


@pytest.mark.slow
def test_every_readme_block_and_command_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    text = README.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    write_readme_world(tmp_path, text)
    python = fenced_blocks(text, "python")
    assert len(python) >= 2
    namespace: dict = {}
    for k, block in enumerate(python):
        exec(compile(block, f"README.md python block {k + 1}", "exec"), namespace)
    commands = sim_lines(text)
    assert len(commands) >= 25
    ran = 0
    for line in commands:
        if line in NOT_RUN:
            continue
        argv = quick(shlex.split(line)[1:])
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 0, f"README line `{line}` (run as {argv}) exited {code}: {err[-2000:]}"
        ran += 1
    assert ran == len(commands) - len(NOT_RUN)
    assert (tmp_path / "results/drill/replay.html").is_file()
