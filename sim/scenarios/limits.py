"""What one machine can hold: a run's memory estimated before anything is allocated.

A run keeps every household as a row of arrays and a ``mesa.Agent``, plus the events it
records. The figure per household is measured (``benchmarks/RESULTS.md``: the default
run, 148,521 households on the 26,378-node built-in region, peaks at 438 MB, about
2.9 KB per household over the 20-MB process), rounded up; a network costs its compiled
arrays and routing trees. A scenario that would need more than :data:`MEMORY_SHARE`
of the machine's memory is refused with the estimate, before the first allocation.
"""

from __future__ import annotations

import os

from sim.errors import ScenarioError

#: Bytes a run needs per household (arrays, agent, its events), rounded up from 2.9 KB.
BYTES_PER_HOUSEHOLD = 3_500
#: Bytes per network node for the arrays, routing trees and per-run state.
BYTES_PER_NODE = 2_000
#: Bytes of a run with nothing in it (interpreter, libraries).
BASE_BYTES = 200 * 2**20
#: Share of the machine's memory a run may plan to use.
MEMORY_SHARE = 0.8


def machine_memory_bytes() -> int:
    """Physical memory of this machine, bytes (a large figure where it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 2**40


def run_memory_bytes(*, persons: float, household_size_persons: float, nodes: int = 0) -> float:
    """Estimated peak memory of a run, bytes."""
    households = persons / max(household_size_persons, 1.0)
    return BASE_BYTES + households * BYTES_PER_HOUSEHOLD + nodes * BYTES_PER_NODE


def check_run_fits(
    *, persons: float, household_size_persons: float, nodes: int = 0, where: str
) -> None:
    """Raise :class:`ScenarioError` when the run would not fit this machine's memory."""
    need = run_memory_bytes(
        persons=persons, household_size_persons=household_size_persons, nodes=nodes
    )
    have = machine_memory_bytes()
    if need > MEMORY_SHARE * have:
        raise ScenarioError(
            f"{where}: {persons:,.0f} residents would need about {_size(need)} of memory "
            f"({BYTES_PER_HOUSEHOLD / 1000:g} kB per household), more than "
            f"{MEMORY_SHARE:.0%} of this machine's {_size(have)}; use fewer residents"
        )


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover
