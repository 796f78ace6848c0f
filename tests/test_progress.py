"""No silent waits: the run bar finishes, routing and batches show progress, quiet off a tty."""

from __future__ import annotations

import numpy as np
import simpy

from sim.cli.app import main
from sim.coverage import static_coverage
from sim.engine.progress import progress_wanted, run_clock
from sim.siting.times import response_times_s
from sim.tiers import TIERS
from tests.batch_fixtures import write_toy_experiment
from tests.engine_fixtures import toy_engine_network


def test_run_bar_finishes_at_100_percent_and_stays(capsys) -> None:
    env = simpy.Environment()
    run_clock(env, 3600.0, progress=True, label="drill")
    err = capsys.readouterr().err
    assert env.now == 3600.0
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("drill: 100%") and "60/60" in last  # finished, not cleared


def test_progress_defaults_to_off_when_stderr_is_not_a_terminal(capsys) -> None:
    assert progress_wanted(None) is False  # pytest captures stderr: not a terminal
    assert progress_wanted(True) is True
    env = simpy.Environment()
    run_clock(env, 600.0, progress=None)
    assert capsys.readouterr().err == ""


def test_siting_routing_shows_sites_routed(capsys) -> None:
    net = toy_engine_network(population=[1, 1, 1, 1, 1, 0], shelter_capacity=10)
    nodes = np.arange(net.n_nodes)
    times = response_times_s(net, TIERS["ground"], nodes, nodes, limit_s=3600.0, progress=True)
    err = capsys.readouterr().err.replace("\r", "\n")
    assert "routing: 100%" in err and f"{net.n_nodes}/{net.n_nodes}" in err
    stations = net.places["stations"]
    ground = stations[stations["tier"] == "ground"]
    coverage = static_coverage(net, ground, np.ones(net.n_nodes), policies=("joint",))
    rows = [nodes.tolist().index(n) for n in ground["node"]]
    nearest = times[rows].toarray()
    nearest[nearest == 0] = np.inf
    np.fill_diagonal(nearest[:, ground["node"].to_numpy()], TIERS["ground"].turnout_s)
    assert np.allclose(nearest.min(axis=0), coverage.time_s[("joint", "ground")])


def test_batch_bar_moves_before_the_first_run_ends(tmp_path, capsys) -> None:
    path = write_toy_experiment(tmp_path, replications=1)
    assert main(["batch", str(path), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "first=loading region and running" in err  # said while the first run goes
    assert "2/2" in err
