"""An honest report at small sizes: no useless intervals, bounds that hold, titled figures."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.cli.app import main
from sim.plot.batch import coverage_figure
from sim.report.cells import FEW_SEEDS_MARK, share_text, value_text
from sim.report.figures import empty_reason
from sim.report.stats import band, difference, mean_interval
from tests.batch_fixtures import write_toy_experiment


def test_two_seeds_give_no_interval_and_say_so() -> None:
    mean, half, n, _ = mean_interval(np.array([0.0, 1.0]))  # was "50.0 ± 635.3 %"
    assert mean == 0.5 and n == 2 and np.isnan(half)
    text = share_text(mean, half, n)
    assert "±" not in text and FEW_SEEDS_MARK in text and text.startswith("50.0")
    diff = difference(np.array([0.0, 1.0]), np.array([1.0, 1.0]), paired=False)
    assert diff["diff"] == 0.5 and np.isnan(diff["low"]) and np.isnan(diff["p_value"])
    assert np.isnan(band(np.array([0.5]), np.array([0.7]), np.array([2]))[0][0])


def test_intervals_stay_within_what_the_quantity_can_take() -> None:
    # three seeds of a share near 1: the t interval 0.9 ± 0.25 is cut at 100 %
    mean, half, n, _ = mean_interval(np.array([0.8, 0.95, 0.95]))
    assert mean + half > 1.0
    text = share_text(mean, half, n)
    low, high = (float(v) for v in re.search(r"\[([\d.]+), ([\d.]+)\]", text).groups())
    assert 0.0 <= low <= 100.0 * mean <= high == 100.0
    low_band, high_band = band(
        np.array([0.9, 0.05]), np.array([0.1, 0.1]), np.array([3, 3]), bounds=(0.0, 1.0)
    )
    assert np.all((low_band >= 0) & (high_band <= 1))
    persons = value_text(5.0, 20.0, 3, 0, 1.0, "persons")  # a count is never below 0
    assert persons == "5 [0, 25]"


@pytest.fixture(scope="module", params=[2, 3], ids=["2 seeds", "3 seeds"])
def report(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"honest{request.param}")
    path = write_toy_experiment(folder, replications=request.param)
    out = folder / "results"
    assert main(["batch", str(path), "--out", str(out), "--no-progress"]) == 0
    assert main(["report", str(out)]) == 0
    return request.param, out


def test_report_cells_are_within_0_and_100_percent(report) -> None:
    seeds, out = report
    text = (out / "report.md").read_text()
    table = text.split("## Response coverage")[1].split("###")[0]
    cells = [
        c.strip() for line in table.splitlines() if line.startswith("|") for c in line.split("|")
    ]
    for cell in cells:
        if m := re.fullmatch(r"([\d.]+) ± ([\d.]+)", cell):
            mean, half = float(m[1]), float(m[2])
            assert mean - half >= 0.0 and mean + half <= 100.0, cell
        if m := re.fullmatch(r"([\d.]+) \[([\d.]+), ([\d.]+)\]", cell):
            assert 0.0 <= float(m[2]) <= float(m[1]) <= float(m[3]) <= 100.0, cell
    if seeds == 2:
        assert FEW_SEEDS_MARK in table and "too few for a 95 % interval" in text
        assert "replications per configuration would do" not in text
        assert "need more seeds" in text


def test_every_report_figure_has_a_title_and_a_legend(report) -> None:
    _, out = report
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) >= 3
    for png in pngs:
        with Image.open(png) as image:
            title, legend = image.text.get("Title", ""), image.text.get("Description", "")
        assert title, png.name
        assert legend, png.name
        if png.name.startswith(("coverage_", "evacuation_")):
            assert "A + B" in title  # the jurisdictions the curves cover
    # the toy delivers no kits: no empty supply figure, a line saying why instead
    assert not list(out.glob("supply_*.png"))
    assert "no kits were delivered in any run" in (out / "report.md").read_text()


def test_report_says_how_many_persons_each_share_is_of(report) -> None:
    """The toy batch's one incident: 5 persons in B who needed a ground team, no other."""
    _, out = report
    table = (out / "report.md").read_text().split("## Response coverage")[1].split("###")[0]
    lines = [line for line in table.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    column = header.index("persons in need, mean (community / ground / aviation)")
    in_need = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        in_need.setdefault(cells[header.index("jurisdiction")], set()).add(cells[column])
    # on the runs that have the share: a tier nobody needed has no base either
    assert in_need == {"all": {"n/a / 5 / n/a"}, "A": {"n/a / n/a / n/a"}, "B": {"n/a / 5 / n/a"}}


def test_two_equal_seeds_are_no_interval_either() -> None:
    """Two seeds that agree do not show there is no spread: no '± 0.0', no [x, x]."""
    mean, half, n, sd = mean_interval(np.array([1.0, 1.0]))
    assert (mean, n, sd) == (1.0, 2, 0.0) and np.isnan(half)
    assert share_text(mean, half, n) == f"100.0 (n=2) {FEW_SEEDS_MARK}"
    diff = difference(np.array([0.0, 0.0]), np.array([1.0, 1.0]), paired=True)
    assert diff["diff"] == 1.0 and np.isnan(diff["low"]) and np.isnan(diff["p_value"])
    # three equal seeds: then the spread is taken as none
    assert mean_interval(np.array([1.0, 1.0, 1.0]))[1] == 0.0
    # a clearance gain from two seeds, one of which never reached 90 %: it rests on one pair
    import pandas as pd

    from sim.report.cells import diff_text

    gain = difference(np.array([95.5, np.inf]), np.array([100.5, 299.0]), paired=True)
    row = pd.Series({**gain, "exceeds": None})
    assert diff_text(row, 1.0, 0) == f"+5 (n=1) {FEW_SEEDS_MARK}"


def test_persons_in_need_are_counted_on_the_runs_that_have_the_share(tmp_path) -> None:
    """Three seeds of one configuration: 13 persons needed a ground team in one (none
    reached in time), 355 in another (all reached), none in the third. The share is the
    mean over the two runs with a figure, 50 % (n=2), so its base is 184, not 122.7."""
    import pandas as pd

    from sim.report.batch import _coverage_section
    from sim.report.render import Table
    from sim.report.tables import Batch

    runs = pd.DataFrame(
        {
            "run_index": [0, 1, 2],
            "status": ["ok"] * 3,
            "scenario": ["landslide"] * 3,
            "label": ["separate"] * 3,
            "coverage.all.ground_30min": [0.0, 1.0, np.nan],
            "coverage_persons.all.ground_30min": [13.0, 355.0, 0.0],
        }
    )
    batch = Batch(folder=tmp_path, manifest={}, runs=runs, coverage=None, timelines=None, keys=[])
    table = next(b for b in _coverage_section(batch, tmp_path, []) if isinstance(b, Table)).frame
    row = table.iloc[0]
    assert row["ground ≤30 min, %"] == f"50.0 (n=2) {FEW_SEEDS_MARK}"
    assert row["persons in need, mean (ground)"] == "184"


def test_the_report_says_when_aircraft_were_grounded_by_night(tmp_path) -> None:
    """The toy batch from 23:00 for 2 h: all night, so aviation never flew; it says so."""
    path = write_toy_experiment(tmp_path, replications=1, extra='[set]\n"start_clock" = "23:00"')
    out = tmp_path / "results"
    assert main(["batch", str(path), "--out", str(out), "--no-progress"]) == 0
    assert main(["report", str(out)]) == 0
    text = (out / "report.md").read_text()
    assert (
        "aviation does not fly at night: 100% of the toy runs was night, when its requests "
        "waited for daylight."
    ) in text


def test_a_scenario_where_nobody_needed_a_team_gets_no_coverage_figure_but_a_reason() -> None:
    nobody = pd.DataFrame({"scenario": ["s"] * 2, "mean": [np.nan, np.nan]})
    assert empty_reason(coverage_figure, nobody) == (
        "no run of this scenario had an incident with people who needed a team"
    )
    assert empty_reason(coverage_figure, nobody.iloc[:0]) == empty_reason(coverage_figure, nobody)
    someone = nobody.assign(mean=[np.nan, 0.5])
    assert empty_reason(coverage_figure, someone) == ""
