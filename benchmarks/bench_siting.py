"""Siting benchmark: maximal covering on the built-in region, and OR-Library p-median.

Run: ``python benchmarks/bench_siting.py`` (``--help`` for options). Prints Markdown
tables for RESULTS.md.

1. Maximal covering of residents by ground stations within 30 min (turnout included) on
   the built-in region ``fujiang``, ``p`` = 5 sites added. Candidates: ``--candidates``
   network nodes drawn at random (seeded) from the nodes with an outgoing road, or
   every node (``--candidates 0``, what ``sim site`` does by default). Cases:

   - ``existing``: the region's 11 ground stations stay (fixed), demand = the 8,983
     nodes with residents (400,000 persons), separate and joint dispatch;
   - ``scratch``: no existing station, same demand;
   - ``every node``: no existing station, one person per node (as for a network without
     population), so all 26,378 nodes are demand points.

   Routing = building the sparse response-time matrix (one Dijkstra per candidate, cut
   at 30 min); the solve columns are :func:`sim.siting.maximal_covering` per method.
2. p-median on OR-Library pmed1-5 (``tests/data/orlib``; ``--orlib-dir`` and
   ``--orlib`` for others), solved exactly by ``method="milp"``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.network import load_network
from sim.siting import maximal_covering, p_median, read_orlib_pmed
from sim.siting.stations import station_siting

ORLIB_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "orlib"


def covering_cases(args: argparse.Namespace) -> None:
    os.environ.setdefault("SIM_CACHE_DIR", tempfile.mkdtemp(prefix="bench-cache-"))
    network = load_network("fujiang")
    routable = np.flatnonzero(np.diff(network.indptr) > 0)
    rng = np.random.default_rng(args.seed)
    if args.candidates:
        nodes = np.sort(rng.choice(routable, size=args.candidates, replace=False))
    else:
        nodes = np.arange(network.n_nodes)
    candidates = pd.DataFrame({"node": nodes})
    stations = network.places["stations"]
    no_stations = stations.iloc[:0]
    residents = network.node_population_persons
    cases = [
        ("existing", "separate", stations, residents),
        ("existing", "joint", stations, residents),
        ("scratch", "joint", no_stations, residents),
        ("every node", "joint", no_stations, None),
    ]
    within_s = args.within_min * 60.0
    print(
        f"\n### Maximal covering, fujiang: ground tier, {args.within_min:g} min, p = {args.p}, "
        f"{len(nodes):,} candidate nodes, time limit {args.time_limit_s:g} s\n"
    )
    print(
        "| case | policy | fixed | demand nodes | site-node pairs | routing (s) | method "
        "| solve (s) | covered persons | bound | bound from | gap | status |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | --- |")
    for case, policy, existing, persons in cases:
        start = time.perf_counter()
        problem = station_siting(
            network,
            tier="ground",
            existing=existing,
            candidates=candidates,
            population_persons=persons,
            policy=policy,
            limit_s=within_s,
        )
        routing_s = time.perf_counter() - start
        for method in args.methods.split(","):
            result = maximal_covering(
                problem.response_s,
                problem.demand_persons,
                p=args.p,
                within=within_s,
                fixed=problem.fixed,
                method=method,
                time_limit_s=args.time_limit_s,
            )
            print(
                f"| {case} | {policy} | {len(problem.fixed)} | {len(problem.demand_nodes):,} | "
                f"{problem.response_s.nnz:,} | {routing_s:.1f} | {method} | "
                f"{result.solve_time_s:.1f} | {result.objective:,.0f} | {result.bound:,.0f} | "
                f"{result.bound_source} | {100 * result.gap:.3f} % | {result.status} |",
                flush=True,
            )


def pmedian_cases(args: argparse.Namespace) -> None:
    optima = {}
    for line in (args.orlib_dir / "pmedopt.txt").read_text().splitlines()[1:]:
        if line.strip():
            name, value = line.split()
            optima[name] = int(value)
    print("\n### p-median, OR-Library (exact, method='milp')\n")
    print("| instance | nodes | p | solve (s) | objective | published optimum | status |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name in args.orlib.split(","):
        distance, p = read_orlib_pmed(args.orlib_dir / f"{name}.txt")
        result = p_median(
            distance, np.ones(len(distance)), p=p, method="milp", time_limit_s=args.time_limit_s
        )
        print(
            f"| {name} | {len(distance)} | {p} | {result.solve_time_s:.2f} | "
            f"{result.objective:,.0f} | {optima[name]:,} | {result.status} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000, help="0 = every node")
    parser.add_argument("-p", type=int, default=5)
    parser.add_argument("--within-min", type=float, default=30.0)
    parser.add_argument("--time-limit-s", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="auto,milp,greedy+swap")
    parser.add_argument("--orlib-dir", type=Path, default=ORLIB_DIR)
    parser.add_argument("--orlib", default="pmed1,pmed2,pmed3,pmed4,pmed5")
    parser.add_argument("--skip-covering", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    if not args.skip_covering:
        covering_cases(args)
    pmedian_cases(args)


if __name__ == "__main__":
    main()
