"""``sim network``: load a region, print its summary, save it compiled or plot it."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.cli.common import add_region_arguments, load_region, say, slow_step


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``network`` sub-command."""
    net = commands.add_parser(
        "network",
        help="load a region, print its summary, save it compiled or plot it",
        description="Load and compile a road network; print nodes, edges, jurisdictions and "
        "memory; optionally save it (.npz loads fast; .graphml for other tools) or plot it.",
    )
    add_region_arguments(net)
    net.add_argument(
        "--save", type=Path, metavar="FILE", help="write the network (.npz or .graphml)"
    )
    net.add_argument("--plot", type=Path, metavar="PNG", help="write a map of the network")
    net.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the network's summary; save or plot it when asked."""
    from sim.errors import InputError
    from sim.files.marks import png_writer
    from sim.files.outputs import check_writable_folder

    for option, path, suffixes in (("--save", args.save, (".npz", ".graphml")),
                                   ("--plot", args.plot, (".png",))):  # fmt: skip
        if path is None:
            continue
        if path.suffix.lower() not in suffixes:
            raise InputError(
                f"{option} {path}: give a file ending in {' or '.join(suffixes)}"
                + (" (.npz loads fast; .graphml is for other tools)" if option == "--save" else "")
            )
        if path.is_dir():
            raise InputError(f"{option} {path} is a folder; give a file name")
        check_writable_folder(path.parent, option=option)
    started = time.perf_counter()
    network = load_region(args)
    elapsed = time.perf_counter() - started
    print(f"region       {network.name}")
    print(f"crs          {network.crs}")
    print(f"nodes        {network.n_nodes:,}")
    print(f"edges        {network.n_edges:,} (directed, parallel edges reduced)")
    print(f"jurisdictions {', '.join(network.jurisdiction_names)}")
    if network.node_population_persons is not None:
        print(f"residents    {int(network.node_population_persons.sum()):,}")
    for name, table in network.places.items():
        print(f"{name:<12} {len(table):,}")
    print(f"arrays       {network.nbytes / 2**20:.1f} MiB")
    print(f"load time    {elapsed:.2f} s")
    if args.save is not None:
        from sim.network.sources import save_network

        with slow_step(f"writing {args.save}"):  # GraphML of a big region takes seconds
            written = save_network(network, args.save)
        say(f"wrote {written}")
    if args.plot is not None:
        from sim.files.atomic import write_atomic
        from sim.plot.maps import plot_network

        with slow_step(f"drawing {args.plot}"):
            fig, _ = plot_network(network)
            written = write_atomic(args.plot, png_writer(fig, dpi=150))
        say(f"wrote {written}")
    return 0
