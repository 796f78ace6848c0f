"""Run metrics: response coverage by tier, evacuation clearance, shelters, supply.

**Response coverage at T for tier k** = persons in incidents that needed tier k and
were reached by a tier-k team within T minutes of the report, divided by all persons in
incidents that needed tier k (an incident never reached counts as not covered).
Planned assistance (mandatory transfers, :data:`~sim.engine.incidents.NOT_EMERGENCIES`)
is not a person in need and is left out. An
incident *withdrawn* before any team was sent (its people left on their own when a road
reopened, or the hazard caught them where they waited: then they are in an incident of
that hazard too) counts as not covered at every T before its withdrawal and in neither
part from then on: people who waited longer than T for a team that never came were not
reached within T. It is
given per jurisdiction of the incident and overall, as the headline triple (community
10 min, ground 30 min, aviation 60 min) and as a curve for T = 0..120 min. A tier no
incident needed has coverage NaN ("not measured"), never 0 or 1.

**Evacuation clearance** at p % is the time by which p % of the persons who set off
had reached a shelter (inf when they had not by the horizon).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.incidents import NOT_EMERGENCIES, Incident
from sim.tiers import TIER_NAMES, TierStandard

CURVE_MINUTES = np.arange(0, 121)


def incidents_table(incidents: list[Incident], jurisdiction_names: tuple[str, ...]) -> pd.DataFrame:
    """One row per (incident, needed tier): response, withdrawal and completion (s, inf: none).

    ``persons_rescued`` and ``persons_died`` are the incident's (repeated on each tier
    row); ``completed_s`` is when its last person was got out.
    """
    rows = [
        (
            inc.id,
            inc.kind,
            inc.node,
            jurisdiction_names[inc.jurisdiction],
            inc.persons,
            tier,
            inc.report_s,
            inc.response_s(tier),
            inc.withdrawn_s,
            inc.persons_rescued,
            inc.persons_died,
            inc.completed_s,
        )
        for inc in incidents
        for tier in inc.tiers
    ]
    columns = [
        "incident",
        "kind",
        "node",
        "jurisdiction",
        "persons",
        "tier",
        "report_s",
        "response_s",
        "withdrawn_s",
        "persons_rescued",
        "persons_died",
        "completed_s",
    ]
    types = ["int64", "str", "int64", "str", "int64", "str", "float64", "float64", "float64"]
    types += ["int64", "int64", "float64"]
    return pd.DataFrame(rows, columns=columns).astype(dict(zip(columns, types, strict=True)))


def response_coverage(
    table: pd.DataFrame, jurisdiction_names: tuple[str, ...], minutes: np.ndarray = CURVE_MINUTES
) -> pd.DataFrame:
    """Coverage curve: one row per (tier, jurisdiction, minutes)."""
    rows = []
    table = table[~table["kind"].isin(NOT_EMERGENCIES)]
    for tier in TIER_NAMES:
        of_tier = table[table["tier"] == tier]
        for juris in ("all", *jurisdiction_names):
            part = of_tier if juris == "all" else of_tier[of_tier["jurisdiction"] == juris]
            persons = part["persons"].to_numpy(dtype=float)
            response = part["response_s"].to_numpy(dtype=float)
            needed_for_s = (part["withdrawn_s"] - part["report_s"]).to_numpy(dtype=float)
            for m in minutes:
                covered = persons[response <= m * 60.0].sum()
                total = persons[~(needed_for_s <= m * 60.0)].sum()  # withdrawn by T: out
                share = covered / total if total > 0 else np.nan
                rows.append((tier, juris, int(m), covered, total, share))
    return pd.DataFrame(
        rows,
        columns=[
            "tier",
            "jurisdiction",
            "minutes",
            "covered_persons",
            "total_persons",
            "coverage_share",
        ],
    )


def headline(
    curve: pd.DataFrame, tiers: dict[str, TierStandard], column: str = "coverage_share"
) -> dict[str, dict[str, float]]:
    """``{jurisdiction: {"community_10min": share, ...}}`` at each tier's standard.

    ``column`` = ``"total_persons"`` gives the base of each share instead: the persons
    in need of that tier (in incidents not withdrawn by the standard), so a reader
    sees whether 100 % means 15 persons or 15,000.
    """
    out: dict[str, dict[str, float]] = {}
    for name, tier in tiers.items():
        rows = curve[(curve["tier"] == name) & (curve["minutes"] == tier.standard_min)]
        for juris, value in zip(rows["jurisdiction"], rows[column], strict=True):
            out.setdefault(juris, {})[f"{name}_{tier.standard_min:g}min"] = float(value)
    return out


def evacuation_flows(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who set off and who reached a shelter, as ``time_s``/``value`` rows in time order.

    Set off: households that left by themselves (``depart``) and households a team
    brought in (their first ``arrive_shelter`` with no ``depart`` before: they set off
    with the team); reached a shelter: each household's first ``arrive_shelter`` (one
    that moved on from an unsafe shelter is not counted twice).
    """
    departs = events[events["kind"] == "depart"]
    arrivals = events[events["kind"] == "arrive_shelter"]
    arrivals = arrivals[~arrivals["agent"].duplicated(keep="first")]
    carried = arrivals[~arrivals["agent"].isin(departs["agent"])]
    set_off = pd.concat([departs, carried]).sort_values("time_s", kind="stable")
    return set_off[["time_s", "value"]], arrivals[["time_s", "value"]]


def evacuation(events: pd.DataFrame) -> dict[str, float]:
    """Persons who set off and arrived, and the 50/90/100 % clearance times (s).

    See :func:`evacuation_flows`; ``brought_in_persons`` are those a team brought in.
    """
    set_off, arrivals = evacuation_flows(events)
    departed = set_off["value"].sum()
    arrived = arrivals["value"].sum()
    self_departed = events.loc[events["kind"] == "depart", "value"].sum()
    result = {
        "departed_persons": float(departed),
        "sheltered_persons": float(arrived),
        "brought_in_persons": float(departed - self_departed),
    }
    cumulative = arrivals["value"].cumsum().to_numpy()
    times = arrivals["time_s"].to_numpy()
    for p in (50, 90, 100):
        need = departed * p / 100.0
        k = np.searchsorted(cumulative, need - 1e-9) if departed > 0 else 0
        result[f"clearance_{p}pct_s"] = (
            float(times[k])
            if departed > 0 and k < len(times)
            else (float("inf") if departed > 0 else float("nan"))
        )
    return result


def evacuation_curve(
    events: pd.DataFrame, step_s: float = 300.0, horizon_s: float | None = None
) -> pd.DataFrame:
    """Persons departed and sheltered by time, on a regular grid."""
    end = horizon_s if horizon_s is not None else float(events["time_s"].max() or 0.0)
    grid = np.arange(0.0, end + step_s, step_s)
    out = {"time_s": grid}
    flows = evacuation_flows(events)
    for rows, column in zip(flows, ("departed_persons", "sheltered_persons"), strict=True):
        cum = np.concatenate(([0.0], rows["value"].cumsum().to_numpy()))
        out[column] = cum[np.searchsorted(rows["time_s"].to_numpy(), grid, side="right")]
    return pd.DataFrame(out)
