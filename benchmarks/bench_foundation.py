"""Foundation benchmarks: region loading, nearest-station routing, static coverage, memory.

Run: ``python benchmarks/bench_foundation.py`` (prints a Markdown table for RESULTS.md).
Each figure is the median of several repetitions, measured side by side in one process.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.sparse import csgraph

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import synthetic_network
from sim.coverage import static_coverage, station_times_s, tier_weights_s
from sim.network import Router, load_network
from sim.tiers import TIERS


def median_time_s(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    os.environ["SIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-cache-")

    start = time.perf_counter()
    net = load_network("fujiang")  # cold: generate + compile + write cache
    cold_s = time.perf_counter() - start
    cached_s = median_time_s(lambda: load_network("fujiang"), repeat=5)
    rows += [
        ("built-in region load, cold (generate + compile + cache)", f"{cold_s:.2f} s", "< 10 s"),
        ("built-in region load, cached", f"{cached_s:.2f} s", "< 2 s"),
        ("built-in region size", f"{net.n_nodes:,} nodes, {net.n_edges:,} edges", "20k-40k nodes"),
    ]

    # nearest-station times for three tiers: our API vs bare csgraph on the same matrices
    stations = net.places["stations"]
    nodes = {t: stations.loc[stations.tier == t, "node"].to_numpy() for t in TIERS}
    routers = {t: Router(net, tier_weights_s(net, TIERS[t])) for t in ("community", "ground")}
    matrices = {t: net.csr(tier_weights_s(net, TIERS[t])) for t in ("community", "ground")}

    def ours() -> None:
        for t in TIERS:
            station_times_s(net, nodes[t], TIERS[t], router=routers.get(t))

    def bare() -> None:
        for t in ("community", "ground"):
            csgraph.dijkstra(matrices[t], indices=nodes[t], min_only=True)
        from scipy.spatial import cKDTree

        b = np.column_stack([net.x_m[nodes["aviation"]], net.y_m[nodes["aviation"]]])
        cKDTree(b).query(np.column_stack([net.x_m, net.y_m]))

    ours(), bare()  # warm up
    ours_s, bare_s = median_time_s(ours, 7), median_time_s(bare, 7)
    rows.append(
        (
            "nearest-station times, 3 tiers, built-in region (ours / bare csgraph)",
            f"{ours_s * 1000:.1f} ms / {bare_s * 1000:.1f} ms = {ours_s / bare_s:.2f}x",
            "within 2x",
        )
    )

    big = synthetic_network(200_000, n_stations=100)
    cov_s = median_time_s(
        lambda: static_coverage(big, big.places["stations"], big.node_population_persons), 3
    )
    rows += [
        ("static coverage, 100 stations, 200,704-node network (3 tiers x 2 policies)",
         f"{cov_s:.2f} s", "< 1 s"),
        ("compiled arrays, 200,704 nodes / 709,764 edges", f"{big.nbytes / 1e6:.1f} MB",
         "< 200 MB"),
    ]  # fmt: skip

    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| measure | result | target |\n|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
