"""What building a region found: what it holds, what it dropped or moved, what it assumed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.regions.snapping import Snapped

#: Far snaps and moved places listed one by one (the farthest first).
LISTED = 10


@dataclass
class RegionReport:
    """Lines of a region report, in three parts.

    Attributes
    ----------
    held
        What the region holds (nodes, jurisdictions, residents, places, elevation).
    problems
        What was dropped, moved, clipped or snapped far: each a thing to check.
    defaults
        Defaults applied because the files were silent, each with its source.
    """

    held: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the whole report as text lines."""
        out = list(self.held)
        out.append(f"problems: {len(self.problems) or 'none'}")
        out.extend(f"  {line}" for line in self.problems)
        if self.defaults:
            out.append("defaults applied (the files did not say):")
            out.extend(f"  {line}" for line in self.defaults)
        return out

    def notes(self) -> tuple[str, ...]:
        """Return the problems and defaults, stored with the compiled network."""
        return tuple(self.problems + [f"default: {d}" for d in self.defaults])

    def snapped(
        self,
        layer: str,
        snapped: Snapped,
        *,
        names: list[str],
        limit_m: float,
        weights: np.ndarray | None = None,
        unit: str = "",
        osmid: np.ndarray | None = None,
    ) -> None:
        """Report the clipped, far-snapped and moved rows of a layer.

        ``weights`` (persons) makes the moved and clipped figures persons, not rows.
        """
        if snapped.clipped:
            self.problems.append(
                f"{layer}: {snapped.clipped:,} outside the region, left out (strict refuses them)"
            )
        far = np.nonzero((snapped.snap_m > limit_m) & ~snapped.moved)[0]
        if far.size:
            order = far[np.argsort(-snapped.snap_m[far], kind="stable")]
            shown = ", ".join(f"{names[k]} {snapped.snap_m[k]:,.0f} m" for k in order[:LISTED])
            more = f" ... and {far.size - LISTED:,} more" if far.size > LISTED else ""
            self.problems.append(
                f"{layer}: {far.size:,} snapped farther than {limit_m:,.0f} m from a road "
                f"node: {shown}{more}"
            )
        moved = np.nonzero(snapped.moved)[0]
        if not moved.size:
            return
        if weights is not None:
            total = float(weights[moved].sum())
            self.problems.append(
                f"{layer}: {total:,.0f} {unit} moved from nodes dropped as not strongly "
                f"connected to the nearest kept node (up to {snapped.snap_m[moved].max():,.0f} m, "
                f"median {np.median(snapped.snap_m[moved]):,.0f} m)"
            )
            return
        shown = ", ".join(
            f"{names[k]} to node {_node_name(snapped.node[k], osmid)} "
            f"{snapped.snap_m[k]:,.0f} m away"
            for k in moved[:LISTED]
        )
        more = f" ... and {moved.size - LISTED:,} more" if moved.size > LISTED else ""
        self.problems.append(
            f"{layer}: {moved.size:,} moved out of parts dropped as not strongly connected: "
            f"{shown}{more}"
        )


def _node_name(node: int, osmid: np.ndarray | None) -> str:
    return str(int(node)) if osmid is None else f"{int(osmid[node])} (OSM id)"
