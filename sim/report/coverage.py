"""Text table and output files of ``sim coverage``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.coverage import CoverageResult
from sim.files.atomic import write_atomic
from sim.files.marks import png_writer
from sim.network.compiled import RoadNetwork
from sim.responders import RESPONDER_HOME_RADIUS_M
from sim.tiers import TierStandard


def format_headline(result: CoverageResult, network: RoadNetwork) -> str:
    """Return the 10/30/60 table as text, with the joint-minus-separate gain when both ran."""
    table = result.headline()
    tiers = [c for c in table.columns if c not in ("policy", "jurisdiction")]
    header = f"{'policy':<10} {'jurisdiction':<14}" + "".join(f"{c:>17}" for c in tiers)
    lines = ["Static coverage: share of residents within each tier's standard", header]
    order = ["all", *network.jurisdiction_names]
    for policy in table["policy"].unique():
        for juris in order:
            row = table[(table["policy"] == policy) & (table["jurisdiction"] == juris)]
            values = "".join(f"{100 * row[c].iloc[0]:16.1f}%" for c in tiers)
            lines.append(f"{policy:<10} {juris:<14}{values}")
    if set(table["policy"]) >= {"separate", "joint"}:
        lines.append("gain of joint over separate, percentage points:")
        for juris in order:
            joint = table[(table["policy"] == "joint") & (table["jurisdiction"] == juris)]
            sep = table[(table["policy"] == "separate") & (table["jurisdiction"] == juris)]
            values = "".join(f"{100 * (joint[c].iloc[0] - sep[c].iloc[0]):+16.1f} " for c in tiers)
            lines.append(f"{'':<10} {juris:<14}{values}")
    lines.append(f"standards: {', '.join(_standard(t) for t in result.tiers.values())}")
    if "community" in result.tiers:
        lines.append(
            "community responders set off from home (a populated node within "
            f"{RESPONDER_HOME_RADIUS_M / 1000:g} km of the post)"
            if result.responders_at_home
            else "community responders set off from their post (--responders-at-post)"
        )
    if result.population_assumed:
        lines.append(
            "note: no population given; persons spread evenly over nodes "
            "(shares are shares of road nodes)"
        )
    return "\n".join(lines)


def _standard(tier: TierStandard) -> str:
    """One tier's standard in words: minutes, turnout, and the approach flight if any."""
    text = f"{tier.name} {tier.standard_min:g} min (turnout {tier.turnout_s / 60:g} min"
    if tier.travel == "air" and tier.approach_km > 0:
        text += f", {tier.approach_km:g} km approach from the base"
    return text + ")"


def write_coverage_outputs(
    result: CoverageResult,
    network: RoadNetwork,
    stations: pd.DataFrame,
    population_persons: np.ndarray | None,
    *,
    out_dir: Path,
    map_tier: str,
    plot: bool = True,
) -> list[Path]:
    """Write ``coverage.csv`` (full curve) and ``coverage.png`` atomically; return the paths."""
    curve = result.curve.assign(population_assumed=result.population_assumed)
    written = [write_atomic(out_dir / "coverage.csv", lambda p: curve.to_csv(p, index=False))]
    if plot:
        from sim.plot.coverage_map import plot_coverage_map

        policy = "joint" if ("joint", map_tier) in result.time_s else "separate"
        population = np.ones(network.n_nodes) if population_persons is None else population_persons
        fig, _ = plot_coverage_map(
            network,
            result.time_s[(policy, map_tier)],
            population,
            stations,
            title=f"{network.name} ({' | '.join(network.jurisdiction_names)}): time to the "
            f"nearest {map_tier} team, {policy} dispatch",
            standard_min=result.tiers[map_tier].standard_min,
            limit_min=float(result.curve["minutes"].max()),
        )
        written.append(write_atomic(out_dir / "coverage.png", png_writer(fig, dpi=130)))
    return written
