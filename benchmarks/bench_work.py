"""Work counts of a built-in script: what a run does, whatever the machine's speed.

Run: ``python benchmarks/bench_work.py SCRIPT [--code DIR]``, e.g. ``flood``. ``--code``
runs the ``sim`` package of another checkout (a git worktree of an older commit), so
two commits' work compares side by side: wall time tells how fast each unit of work
is, these counts how much work there is.

Counted over one run with seed 0:

- ``simpy_events``: events the simpy environment processed (a car's link, a walker's
  hop, a household's start, a team's leg, ...);
- ``dijkstra_calls``: ``scipy.sparse.csgraph.dijkstra`` calls (shortest-path trees), and
  ``dijkstra_nodes_reached``: the nodes those trees reached, summed (a tree with a time
  limit reaches fewer; its cost grows with them);
- per mode (``vehicle``, ``walk``): trips started by households (a household choosing
  again after its route or shelter failed starts another), the links those trips
  planned, and for the households that ended in a shelter the straight-line distance
  from home to that shelter (median, 90th percentile, largest; km).

The counting wraps ``simpy.Environment.step``, ``csgraph.dijkstra`` and
``Household._travel``, so the run is slower than in ``bench_engine.py``; time it there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def work_counts(script: str) -> dict:
    """Run ``script`` (seed 0) with counters on; return the counts (see the module)."""
    import simpy
    from scipy.sparse import csgraph

    import sim.network.routing as routing
    from sim.agents import household
    from sim.engine.model import EmergencyModel
    from sim.network.sources import load_network
    from sim.scenarios.scenario import load_scenario

    counts = {"simpy_events": 0, "dijkstra_calls": 0, "dijkstra_nodes_reached": 0}
    trips: list[tuple[bool, int]] = []
    step, dijkstra, travel = simpy.Environment.step, csgraph.dijkstra, household.Household._travel

    def counted_step(env):
        counts["simpy_events"] += 1
        return step(env)

    def counted_dijkstra(*args, **kwargs):
        counts["dijkstra_calls"] += 1
        out = dijkstra(*args, **kwargs)
        time_s = out[0] if isinstance(out, tuple) else out
        counts["dijkstra_nodes_reached"] += int(np.isfinite(time_s).sum())
        return out

    def counted_travel(self, edges, vehicle, *args, **kwargs):
        trips.append((bool(vehicle), len(edges)))
        return (yield from travel(self, edges, vehicle, *args, **kwargs))

    simpy.Environment.step = counted_step
    routing.csgraph = type("CountedCsgraph", (), {"dijkstra": staticmethod(counted_dijkstra)})
    household.Household._travel = counted_travel
    network = load_network("fujiang")
    model = EmergencyModel(load_scenario(script), network, seed=0)
    model.run_for(progress=False)

    table, shelters = model.households, model.shelters
    in_shelter = np.asarray(table.shelter) >= 0
    home = np.asarray(table.home_node)[in_shelter]
    to = np.asarray(shelters.node)[np.asarray(table.shelter)[in_shelter]]
    distance_km = np.hypot(network.x_m[home] - network.x_m[to], network.y_m[home] - network.y_m[to])
    distance_km /= 1000.0
    drives = np.asarray(table.has_vehicle)[in_shelter]
    planned = np.array(trips, dtype=np.int64).reshape(-1, 2)
    out = {"script": script, **counts}
    for mode, by_car in (("vehicle", True), ("walk", False)):
        mine = planned[planned[:, 0] == by_car, 1]
        d = distance_km[drives == by_car]
        out[mode] = {
            "trips": int(mine.size),
            "links_planned": int(mine.sum()),
            "home_to_shelter_km": {
                "median": round(float(np.median(d)), 2) if d.size else None,
                "p90": round(float(np.percentile(d, 90)), 2) if d.size else None,
                "max": round(float(d.max()), 2) if d.size else None,
            },
        }
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and print the counts as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", help="a built-in script: default, gas_leak, flood, landslide")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose sim to run")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve()))
    print(json.dumps(work_counts(args.script), indent=1))


if __name__ == "__main__":
    main()
