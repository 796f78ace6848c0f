"""Text summary of a run for the terminal."""

from __future__ import annotations

import math

from sim.engine.runs import RunResult


def _pct(value: float) -> str:
    return "     n/a" if value is None or math.isnan(value) else f"{100 * value:7.1f}%"


def _minutes(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    return "not reached" if math.isinf(seconds) else f"{seconds / 60:.0f} min"


def format_run(result: RunResult) -> str:
    """Return the 10/30/60 table per jurisdiction and the evacuation figures."""
    s = result.summary
    cov = s["coverage"]
    columns = list(next(iter(cov.values())).keys()) if cov else []
    lines = [
        f"{s['scenario']} | policy {s['policy']} | seed {s['seed']} | {s['region']} | "
        f"{s['horizon_s'] / 3600:g} h simulated in {result.wall_time_s:.1f} s",
        "Response coverage (persons in incidents reached within each tier's standard):",
        f"  {'jurisdiction':<14}" + "".join(f"{c:>17}" for c in columns),
    ]
    for juris, row in cov.items():
        lines.append(f"  {juris:<14}" + "".join(f"{_pct(row[c]):>17}" for c in columns))
    inc = s["incidents"]
    lines.append(
        f"  incidents: {inc['count']} ({inc['persons']} persons), tier requests never "
        f"served: {inc['unserved_tier_requests']}"
        + (
            f"; {inc['withdrawn']} withdrawn ({inc['withdrawn_persons']} persons left on "
            "their own when roads reopened)"
            if inc.get("withdrawn")
            else ""
        )
    )
    ev = s["evacuation"]
    lines.append(
        f"Evacuation: {ev['departed_persons']:,.0f} persons set off, "
        f"{ev['sheltered_persons']:,.0f} sheltered; clearance 50 % "
        f"{_minutes(ev['clearance_50pct_s'])}, 90 % {_minutes(ev['clearance_90pct_s'])}, "
        f"100 % {_minutes(ev['clearance_100pct_s'])}"
    )
    p = s["persons"]
    lines.append(f"  persons: {', '.join(f'{k} {v:,}' for k, v in p.items())}")
    sup = s["supply"]
    lines.append(
        f"Supply: {sup['shelters_supplied']} of {sup['shelters_used']} used shelters "
        f"supplied; need met at 6 h {_pct(sup['need_met_share_6h']).strip()}"
    )
    return "\n".join(lines)
