"""Engine benchmarks: the default run, a million residents, route finding vs networkx.

Run: ``python benchmarks/bench_engine.py [default|million|routes|all]``. Each run
measures in a fresh child process so the peak memory (ru_maxrss) belongs to that run.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def default_run() -> dict:
    from sim.engine.runs import run
    from sim.network.sources import load_network

    net = load_network("fujiang")
    start = time.perf_counter()
    result = run("default", seed=0, network=net, progress=False)
    wall = time.perf_counter() - start
    s = result.summary
    return {
        "measure": "default run (built-in region, 400,000 residents, 6 h)",
        "wall_s": round(wall, 1),
        "peak_mb": round(_peak_rss_mb()),
        "departed": s["evacuation"]["departed_persons"],
        "events": s["events"],
        "households": s["households"],
    }


def million_run() -> dict:
    from benchmarks.synthetic import synthetic_network
    from sim.engine.runs import run
    from sim.scenarios import scenario_from_dict

    net = synthetic_network(200_000, population_persons=1_000_000)
    x0, x1 = net.x_m.min(), net.x_m.max()
    lon, lat = net.to_lonlat(np.array([(x0 + x1) / 2]), np.array([np.median(net.y_m)]))
    radius_km = (x1 - x0) / 1000 * 0.33  # a circle holding about a third of residents
    scenario = scenario_from_dict(
        {
            "name": "million",
            "horizon_h": 6.0,
            "region": {"source": "synthetic"},
            "warnings": [
                {
                    "time_min": 0,
                    "level": "immediate",
                    "issued_by": "West",
                    "zone": {
                        "center_lon": float(lon[0]),
                        "center_lat": float(lat[0]),
                        "radius_km": radius_km,
                    },
                }
            ],
            "incidents": [
                {"time_min": 30 + 10 * k, "node": int(k * 997 % net.n_nodes), "persons": 5}
                for k in range(20)
            ],
        }
    )
    start = time.perf_counter()
    result = run(scenario, seed=0, network=net, progress=False)
    wall = time.perf_counter() - start
    s = result.summary
    return {
        "measure": "1,000,000 residents, 200,704-node generated region, 6 h",
        "wall_s": round(wall, 1),
        "peak_mb": round(_peak_rss_mb()),
        "departed": s["evacuation"]["departed_persons"],
        "events": s["events"],
        "households": s["households"],
    }


def routes() -> dict:
    import networkx as nx

    from sim.network.routing import Router
    from sim.network.sources import load_network

    net = load_network("fujiang")
    rng = np.random.default_rng(1)
    homes = rng.choice(np.nonzero(net.node_population_persons)[0], 10_000)
    shelters = np.unique(net.places["shelters"]["node"].to_numpy())
    times = []
    for _ in range(5):
        router = Router(net)  # a fresh router: no cached tree
        start = time.perf_counter()
        tree = router.tree(shelters, reverse=True)
        flat, offsets = tree.paths_flat(homes)  # all routes, as one ragged array
        times.append(time.perf_counter() - start)
    ours_s = float(np.median(times))
    ours = [flat[a:b] for a, b in itertools.pairwise(offsets)]
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        zip(
            net.edge_source.tolist(),
            net.edge_target.tolist(),
            net.travel_time_s.tolist(),
            strict=True,
        )
    )
    sample = homes[:100]
    # (a) the same task: each household's routes, then its nearest shelter
    start = time.perf_counter()
    shelter_set = set(shelters.tolist())
    for h in sample:
        lengths, _ = nx.single_source_dijkstra(graph, int(h), weight="weight")
        min((lengths[s], s) for s in shelter_set if s in lengths)
    full_s = (time.perf_counter() - start) * len(homes) / len(sample)
    # (b) networkx handed the answer: a path to the shelter our tree chose
    start = time.perf_counter()
    for h, route in zip(sample, ours, strict=False):
        nx.shortest_path(graph, int(h), int(route[-1]), weight="weight")
    given_s = (time.perf_counter() - start) * len(homes) / len(sample)
    return {
        "measure": "routes for 10,000 households to their nearest shelter",
        "ours_s": round(ours_s, 3),
        "networkx_nearest_shelter_s": round(full_s, 1),
        "speedup_same_task": round(full_s / ours_s),
        "networkx_given_target_s": round(given_s, 2),
        "speedup_given_target": round(given_s / ours_s),
        "networkx_sample_extrapolated_from": len(sample),
    }


def hazard_runs() -> dict:
    from sim.engine.runs import run
    from sim.network.sources import load_network

    net = load_network("fujiang")
    out = {"measure": "built-in hazard scripts, 400,000 residents"}
    for name in ("gas_leak", "flood", "landslide"):
        start = time.perf_counter()
        result = run(name, seed=0, network=net, progress=False)
        wall = time.perf_counter() - start
        out[name] = {
            "wall_s": round(wall, 1),
            "hazard_s": round(result.hazard_work_s, 1),
            "hazard_share": round(result.hazard_work_s / wall, 2),
            "sim_hours": result.summary["horizon_s"] / 3600,
        }
    out["peak_mb"] = round(_peak_rss_mb())
    return out


CASES = {"default": default_run, "million": million_run, "routes": routes, "hazards": hazard_runs}


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which != "all" and which not in CASES:
        # a child started for an unknown name would start children of its own, forever
        print(f"bench_engine.py: unknown case {which!r}; use one of: all, {', '.join(CASES)}")
        sys.exit(2)
    if which in CASES and os.environ.get("BENCH_CHILD"):
        print(json.dumps(CASES[which]()))
        return
    names = list(CASES) if which == "all" else [which]
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, name],
            env={**os.environ, "BENCH_CHILD": "1"},
            capture_output=True,
            text=True,
            check=True,
        )
        print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
