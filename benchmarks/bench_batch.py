"""Batch benchmarks: runs per minute with 1 and 2 workers, and the batch overhead per run.

Run: ``python benchmarks/bench_batch.py [local|dask|all] [--replications N]``.

The batch is small but real: the gas-leak and landslide scenarios on the built-in region
with 5,000 residents (the ``[small]`` settings of ``cross_border_linkage``), the four
linkage policies, ``N`` replications (default 3: 2 x 4 x 3 = 24 runs). Each batch starts
from an empty results folder; the built-in region cache is warmed first, so each worker
pays only for loading the compiled region (counted as overhead).

Reported per executor and worker count:

- ``runs_per_min``: runs / batch wall time x 60;
- ``overhead_per_run_s``: (batch wall time - sum of run times / workers) / runs, i.e.
  with one worker the wall time not spent inside ``sim.engine.runs.run``: process start, network
  loading, sending tasks and results, writing the results folder, the final tables;
- ``speedup``: runs per minute relative to one local worker.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXPERIMENT = """\
name = "bench_batch"
description = "Batch benchmark: 4 linkage policies on gas leak and landslide, 5000 residents"
scenarios = ["gas_leak", "landslide"]
replications = {replications}
base_seed = 1

[set]
"region.population_persons" = 5000

[grid]
policy.linkage = ["separate", "notify", "mutual_aid", "joint"]
"""


def _measure(experiment, folder: Path, *, workers: int, dask: bool) -> dict:
    from sim.batch.runner import run_batch

    out = folder / f"{'dask' if dask else 'local'}-{workers}"
    started = time.perf_counter()
    report = run_batch(experiment, out_dir=out, workers=workers, dask_local=dask)
    wall_s = time.perf_counter() - started
    assert report.failed == 0 and report.ran == report.planned, report
    return {
        "executor": report.executor,
        "workers": workers,
        "runs": report.ran,
        "wall_s": round(wall_s, 2),
        "sum_run_s": round(report.run_s, 2),
        "mean_run_s": round(report.run_s / report.ran, 3),
        "runs_per_min": round(report.ran / wall_s * 60.0, 1),
        "overhead_per_run_s": round((wall_s - report.run_s / workers) / report.ran, 3),
        "network_loads": report.network_loads,
    }


def main() -> None:
    """Run the benchmark and print one JSON line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", default="all", choices=("local", "dask", "all"))
    parser.add_argument("--replications", type=int, default=3)
    args = parser.parse_args()

    from sim.batch.experiment import load_experiment
    from sim.network.sources import load_network

    load_network("fujiang", population_persons=5000)  # warm the region cache
    print(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_avg_1min": round(os.getloadavg()[0], 2),
            }
        ),
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "bench_batch.toml"
        path.write_text(EXPERIMENT.format(replications=args.replications))
        experiment = load_experiment(path)
        rows = []
        cases = []
        if args.which in ("local", "all"):
            cases += [(1, False), (2, False)]
        if args.which in ("dask", "all"):
            cases += [(2, True)]
        for workers, dask in cases:
            row = _measure(experiment, folder, workers=workers, dask=dask)
            rows.append(row)
            base = next((r for r in rows if r["executor"] == "local" and r["workers"] == 1), None)
            if base is not None:
                row["speedup"] = round(row["runs_per_min"] / base["runs_per_min"], 2)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
