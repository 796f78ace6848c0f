"""A tiny experiment on the toy engine region (tests/engine_fixtures.py) for batch tests.

The scenario: 65 residents (nodes 0-4), an imminent warning by A at t = 0, and one
incident of 5 persons at node 3 (B) reported at minute 1 that needs a ground team.
Hand-computed (see tests/test_engine_dispatch.py): B's own team at node 5 needs
180 s turnout + 3100 s of road, so under ``separate`` it arrives after 3280 s > 30 min
(ground coverage 0); under ``joint`` A's team at node 2 arrives after 280 s (coverage 1).
Shelters hold 160 persons, so nobody is stranded; everyone acts on the warning and
nobody is vulnerable, so the incident is the only one (an ``immediate`` order would add
the responders' sweep of the zone, :mod:`sim.agents.transfers`).
"""

from __future__ import annotations

from pathlib import Path

from tests.engine_fixtures import toy_engine_network

TOY_POPULATION = [10, 20, 10, 15, 10, 0]

TOY_SCENARIO = """\
name = "toy"
horizon_h = 2.0
[region]
source = "toy.npz"
[population]
vehicle_share = 0.5
vulnerable_share = 0.0
[behaviour]
compliance = {imminent = 1.0}
[policy]
linkage = "separate"
[[warnings]]
time_min = 0.0
level = "imminent"
issued_by = "A"
[[incidents]]
time_min = 1.0
node = 3
persons = 5
tiers = ["ground"]
"""


def write_toy_experiment(
    folder: Path,
    *,
    replications: int = 2,
    linkages: tuple[str, ...] = ("separate", "joint"),
    name: str = "toyexp",
    extra: str = "",
) -> Path:
    """Write toy.npz, toy.toml and ``<name>.toml`` into ``folder``; return the experiment."""
    folder.mkdir(parents=True, exist_ok=True)
    network = folder / "toy.npz"
    if not network.exists():
        toy_engine_network(population=TOY_POPULATION, shelter_capacity=60).save(network)
    (folder / "toy.toml").write_text(TOY_SCENARIO)
    values = ", ".join(f'"{v}"' for v in linkages)
    path = folder / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nscenarios = ["toy.toml"]\nreplications = {replications}\n'
        f"base_seed = 11\n{extra}\n[grid]\npolicy.linkage = [{values}]\n"
    )
    return path
