"""A real Dask LocalCluster (2 worker processes) gives the runs.parquet of local processes."""

from __future__ import annotations

import json

import pandas as pd

from sim.batch.experiment import load_experiment
from sim.batch.runner import run_batch
from tests.batch_fixtures import write_toy_experiment


def test_dask_local_cluster_matches_local_processes(tmp_path) -> None:
    experiment = load_experiment(write_toy_experiment(tmp_path, replications=3))
    local = run_batch(experiment, out_dir=tmp_path / "local", workers=1)
    dask = run_batch(experiment, out_dir=tmp_path / "dask", workers=2, dask_local=True)
    assert (local.ran, dask.ran, dask.failed, dask.executor) == (6, 6, 0, "dask")
    assert 1 <= dask.network_loads <= 2  # once per Dask worker, not once per run
    assert local.network_loads == 1

    def table(out):
        return pd.read_parquet(out / "runs.parquet").drop(columns=["duration_s"])

    pd.testing.assert_frame_equal(table(local.out_dir), table(dask.out_dir))
    assert table(dask.out_dir)["coverage.B.ground_30min"].tolist() == [0.0] * 3 + [1.0] * 3
    for name in ("coverage_curves.parquet", "timelines.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(local.out_dir / name), pd.read_parquet(dask.out_dir / name)
        )
    manifest = json.loads((dask.out_dir / "manifest.json").read_text())
    assert manifest["batches"][-1]["executor"] == "dask"
    assert manifest["batches"][-1]["workers"] == 2


def test_the_local_cluster_admits_only_this_batch_and_serves_no_web_pages() -> None:
    import urllib.error
    import urllib.request

    import pytest
    from distributed import Client

    from sim.batch.executors import DaskExecutor

    with DaskExecutor(workers=1, scheduler=None) as executor:
        address = executor.cluster.scheduler_address
        assert address.startswith("tls://127.0.0.1:")  # TLS, loopback only
        assert executor.client.submit(sum, [1, 2]).result() == 3  # the batch's own client
        with pytest.raises((OSError, TypeError, ValueError)):  # no certificate: refused
            Client(address, timeout=3)
        port = executor.cluster.scheduler.http_server.port
        for path in ("/", "/status", "/metrics", "/health", "/info/main/workers.html"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3)
            assert refused.value.code == 404
            refused.value.close()
