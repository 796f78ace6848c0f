"""Region from a PBF: build a 200,000-junction region, then load it compiled.

The extract is written here with pyosmium: a square grid of two-way streets (every
tenth row and column a primary) with two shape nodes between junctions, about 1.0
million OSM nodes and 202,500 junctions, plus stations, shelters and population as CSV.
The target (issue 14): the build under 2 minutes, the compiled load under 2 s.

    python benchmarks/bench_region.py [--side 450]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

LON0, LAT0, STEP_DEG = 105.5, 30.2, 0.0015


def write_grid_pbf(path: Path, side: int, shape_nodes: int = 2) -> int:
    """Write the grid extract; return the number of OSM nodes."""
    import osmium

    writer = osmium.SimpleWriter(str(path), overwrite=True)
    grid = (np.arange(side * side) + 1).reshape(side, side)
    for i in range(side):
        for j in range(side):
            location = (LON0 + i * STEP_DEG, LAT0 + j * STEP_DEG)
            writer.add_node(osmium.osm.mutable.Node(id=int(grid[i, j]), location=location))
    next_id = side * side + 1
    ways = []
    for i in range(side):
        for along_lat in (True, False):
            refs = []
            for j in range(side):
                refs.append(int(grid[i, j] if along_lat else grid[j, i]))
                if j == side - 1:
                    continue
                for k in range(shape_nodes):
                    f = (k + 1) / (shape_nodes + 1)
                    if along_lat:
                        location = (LON0 + i * STEP_DEG, LAT0 + (j + f) * STEP_DEG)
                    else:
                        location = (LON0 + (j + f) * STEP_DEG, LAT0 + i * STEP_DEG)
                    writer.add_node(osmium.osm.mutable.Node(id=next_id, location=location))
                    refs.append(next_id)
                    next_id += 1
            ways.append((refs, "primary" if i % 10 == 0 else "residential"))
    for k, (refs, highway) in enumerate(ways):
        writer.add_way(osmium.osm.mutable.Way(id=k + 1, nodes=refs, tags={"highway": highway}))
    writer.close()
    return next_id - 1


def write_layers(folder: Path, side: int) -> None:
    rng = np.random.default_rng(7)
    span = (side - 1) * STEP_DEG
    lon = LON0 + rng.uniform(0, span, 2000)
    lat = LAT0 + rng.uniform(0, span, 2000)
    rows = "\n".join(
        f"{a:.6f},{b:.6f},{n}" for a, b, n in zip(lon, lat, rng.integers(1, 400, 2000), strict=True)
    )
    (folder / "people.csv").write_text("lon,lat,persons\n" + rows + "\n")
    lines = ["name,tier,lon,lat,teams"]
    for k in range(100):
        tier = ("community", "ground", "aviation")[k % 3]
        lines.append(
            f"S{k},{tier},{LON0 + rng.uniform(0, span):.6f},{LAT0 + rng.uniform(0, span):.6f},1"
        )
    (folder / "stations.csv").write_text("\n".join(lines) + "\n")
    lines = ["name,lon,lat,capacity"]
    lines += [
        f"H{k},{LON0 + rng.uniform(0, span):.6f},{LAT0 + rng.uniform(0, span):.6f},2000"
        for k in range(300)
    ]
    (folder / "shelters.csv").write_text("\n".join(lines) + "\n")
    (folder / "grid.toml").write_text(
        'roads = "grid.osm.pbf"\npopulation = "people.csv"\nstations = "stations.csv"\n'
        'shelters = "shelters.csv"\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--side", type=int, default=450, help="junctions per side (450: 202,500)")
    args = parser.parse_args()
    from sim.network.compiled import RoadNetwork
    from sim.regions.source import build_region_report

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        osm_nodes = write_grid_pbf(folder / "grid.osm.pbf", args.side)
        write_layers(folder, args.side)
        print(f"wrote the extract: {osm_nodes:,} OSM nodes ({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        built = build_region_report(folder / "grid.toml")
        built.network.save(folder / "grid.npz")
        build_s = time.perf_counter() - started
        net = built.network
        print(f"build (PBF -> manifest -> .npz): {build_s:.1f} s, {net.n_nodes:,} nodes, "
              f"{net.n_edges:,} edges")  # fmt: skip
        loads = []
        for _ in range(3):
            started = time.perf_counter()
            RoadNetwork.load_compiled(folder / "grid.npz")
            loads.append(time.perf_counter() - started)
        size_mib = (folder / "grid.npz").stat().st_size / 2**20
        print(f"load compiled: best {min(loads):.2f} s of 3 (file {size_mib:.0f} MiB)")


if __name__ == "__main__":
    main()
