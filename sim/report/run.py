"""Text summary of a run for the terminal."""

from __future__ import annotations

import math

from sim.engine.runs import RunResult


def _pct(value: float) -> str:
    return "     n/a" if value is None or math.isnan(value) else f"{100 * value:7.1f}%"


def _transfers(summary: dict) -> int:
    """Persons due a mandatory transfer in the run (they are not in the coverage)."""
    return sum(w.get("transfer_requested_persons", 0) for w in summary.get("warnings", {}).values())


def _share_of(share: float | None, persons: float | None) -> str:
    """``'40.8% of 49'``: a coverage share with the persons it is a share of."""
    if share is None or math.isnan(share) or persons is None:
        return _pct(share).strip()
    return f"{_pct(share).strip()} of {persons:,.0f}"


def _grounded_at_night(result: RunResult) -> list[str]:
    """Say so when tiers that do not fly at night had night hours in the run."""
    scenario = result.scenario
    b = scenario.behaviour
    lines = []
    until = _clock_after(scenario.start_clock, scenario.horizon_h)
    clock = f"{scenario.start_clock}-{until}"
    for tier, share in result.summary.get("night_share", {}).items():
        if share > 0:
            lines.append(
                f"  {tier} does not fly at night ({b.night_start}-{b.night_end}): "
                f"{share:.0%} of this run ({clock}) was night, when its requests waited for "
                "daylight"
            )
    return lines


def _clock_after(start: str, hours: float) -> str:
    """``"HH:MM"`` ``hours`` after ``start``."""
    from sim.clock import Clock

    return Clock(start).label(hours * 3600.0)


def _minutes(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    return "not reached" if math.isinf(seconds) else f"{seconds / 60:.0f} min"


def format_run(result: RunResult) -> str:
    """Return the 10/30/60 table per jurisdiction and the evacuation figures."""
    s = result.summary
    cov = s["coverage"]
    base = s.get("coverage_persons", {})
    columns = list(next(iter(cov.values())).keys()) if cov else []
    lines = [
        f"{s['scenario']} | policy {s['policy']} | seed {s['seed']} | {s['region']} | "
        f"{s['horizon_s'] / 3600:g} h simulated in {result.wall_time_s:.1f} s",
        "Response coverage (persons in incidents reached within each tier's standard, "
        "of those in need"
        + ("; mandatory transfers are planned work, left out):" if _transfers(s) else "):"),
        f"  {'jurisdiction':<14}" + "".join(f"{c:>20}" for c in columns),
    ]
    for juris, row in cov.items():
        cells = [_share_of(row[c], base.get(juris, {}).get(c)) for c in columns]
        lines.append(f"  {juris:<14}" + "".join(f"{cell:>20}" for cell in cells))
    lines += _grounded_at_night(result)
    inc = s["incidents"]
    lines.append(
        f"  incidents: {inc['count']:,} ({inc['persons']:,} persons), tier requests never "
        f"served: {inc['unserved_tier_requests']:,}" + _withdrawn_text(inc) + _reach_only(inc)
    )
    if inc.get("to_complete"):
        of = (
            f" of the {inc['persons_to_take_out']:,} persons in the {inc['to_complete']:,} "
            "incidents with people to take out"
            if "persons_to_take_out" in inc
            else ""
        )
        lines.append(
            f"  rescue{of}: {inc['persons_rescued']:,} got out alive, "
            f"{inc['persons_died_waiting']:,} died before they were got out{_at_horizon(inc)}, "
            f"{inc['persons_still_waiting']:,} still waiting at the horizon, "
            f"{inc['persons_moved_on']:,} left on their own before a team reached them"
            f"{_handed(inc)}; "
            f"{inc['completed']:,} of those {inc['to_complete']:,} incidents completed"
        )
        for side, kinds in (inc.get("rescue_by_jurisdiction") or {}).items():
            parts = ", ".join(
                f"{kind} {k['rescued']:,} alive / {k['died_waiting']:,} died"
                for kind, k in kinds.items()
                if k["rescued"] or k["died_waiting"]
            )
            if parts:
                lines.append(f"    {side}: {parts}")
    rerouted = sum((inc.get("teams_rerouted") or {}).values())
    cut_off = sum((inc.get("teams_cut_off_on_the_way") or {}).values())
    if rerouted or cut_off:
        back = sum((inc.get("handed_back_cut_off") or {}).values())
        lines.append(
            f"  team trips a closure ahead turned off: {rerouted:,} re-routed, {cut_off:,} "
            f"found no way on and stopped there; {back:,} incident{'s' * (back != 1)} handed "
            "back to the commands by teams with no way to them, for the next team"
        )
    lines += _people_lines(s)
    ev = s["evacuation"]
    lines.append(
        f"Evacuation: {ev['departed_persons']:,.0f} persons set off"
        + (
            f" ({ev['brought_in_persons']:,.0f} brought in by teams)"
            if ev.get("brought_in_persons")
            else ""
        )
        + ", "
        f"{ev['sheltered_persons']:,.0f} sheltered; clearance 50 % "
        f"{_minutes(ev['clearance_50pct_s'])}, 90 % {_minutes(ev['clearance_90pct_s'])}, "
        f"100 % {_minutes(ev['clearance_100pct_s'])}"
    )
    p = s["persons"]
    lines.append(
        "  residents at the horizon: "
        + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in p.items())
    )
    sup = s["supply"]
    met = [
        f"at {key[len('need_met_share_') : -1]} h {_pct(value).strip()}"
        for key, value in sup.items()
        if key.startswith("need_met_share_") and value is not None and not math.isnan(value)
    ]
    lines.append(
        f"Supply: {sup['shelters_supplied']} of {sup['shelters_used']} used shelters "
        f"supplied"
        + (
            f" ({sup['persons_in_shelters_without_kits']:,} persons in the others)"
            if sup.get("persons_in_shelters_without_kits")
            else ""
        )
        + (
            f", the first kits a median {_minutes(sup['first_delivery_wait_median_s'])} after "
            "the first arrival"
            if math.isfinite(sup.get("first_delivery_wait_median_s") or math.nan)
            else ""
        )
        + f"; kit need met {', '.join(met) or 'n/a'}"
        + (
            f"; {sup['trucks_rebased']} truck moves to a depot with kits"
            if sup.get("trucks_rebased")
            else ""
        )
        + _trucks_turned_off(sup)
        + _unsafe_depots_text(sup.get("unsafe_depots"))
    )
    return "\n".join(lines)


def _reach_only(inc: dict) -> str:
    """Persons of incidents dealt with on scene, nobody carried (a village cut off)."""
    if not inc.get("reach_only_persons"):
        return ""
    return (
        f"; {inc['reach_only_persons']:,} persons where teams carry nobody (a village cut "
        f"off, a leak site), {inc['reach_only_reached_persons']:,} of them reached"
    )


def _withdrawn_text(inc: dict) -> str:
    """Incidents withdrawn before any team was sent, by what became of their people."""
    if not inc.get("withdrawn"):
        return ""
    caught = inc.get("withdrawn_caught_persons", 0)
    parts = []
    if inc["withdrawn_persons"] - caught:
        parts.append(
            f"{inc['withdrawn_persons'] - caught:,} persons set off on their own when roads "
            "reopened"
        )
    if caught:
        parts.append(f"{caught:,} caught where they waited by the hazard, now in its own incidents")
    return f"; {inc['withdrawn']:,} withdrawn before any team was sent ({', '.join(parts)})"


def _unsafe_depots_text(unsafe: dict | None) -> str:
    """Kits left in depots the hazard reached, per side ('' when none was reached)."""
    if not unsafe or not unsafe["depots"]:
        return ""
    sides = ", ".join(f"{k} {v:,}" for k, v in unsafe["kits_left_by_jurisdiction"].items())
    n = unsafe["depots"]
    return (
        f"; {unsafe['kits_left']:,} kits left in the {n} depot{'s' if n > 1 else ''} "
        f"the hazard reached ({sides})"
    )


def _places(counts: dict[str, int]) -> str:
    names = {
        "stranded": "stranded waiting for rescue (cut off, buried or in water)",
        "unsheltered": "in the open with no shelter",
    }
    parts = [
        f"{names.get(place, place.replace('_', ' '))} {n:,}" for place, n in counts.items() if n
    ]
    return f" (where they were: {', '.join(parts)})" if parts else ""


def _people_lines(s: dict) -> list[str]:
    """Casualties, protective actions, warnings per side and unsafe shelters."""
    lines = []
    cas = s.get("casualties")
    if cas is not None:
        sides = ", ".join(
            f"{side} {v['dead']:,} dead / {v['injured']:,} injured"
            for side, v in cas["by_jurisdiction"].items()
        )
        scripted = cas.get("dead_in_scripted_incidents", 0)
        lines.append(
            f"Casualties: {cas['dead']:,} dead{_places(cas['dead_by_place'])}, "
            f"{cas['injured']:,} injured by the gas{_places(cas['injured_by_place'])}; {sides}"
            + (
                f"; {scripted:,} of the dead {'was' if scripted == 1 else 'were'} in "
                "scripted incidents, not residents"
                if scripted
                else ""
            )
        )
    act = s.get("protective_action")
    if act is not None:
        left, stayed = act["evacuated_persons"], act["stayed_at_home_persons"]
        not_in = left - int(s["evacuation"]["departed_persons"])  # with a team, no shelter
        at_home = s["persons"].get("at_home", stayed)
        team = f"; {not_in:,} of them with a team, not in a shelter at the horizon"
        there = f" ({at_home:,} at home at the end, {stayed - at_home:,} stranded or dead there)"
        lines.append(
            f"Protective action: {left:,} persons left home (on their own or with a team"
            f"{team if not_in > 0 else ''}), "
            f"{act['sheltered_in_place_persons']:,} sheltered in place"
            f"{_cleared(act)}, "
            f"{stayed:,} never left home{there if stayed > at_home else ''}"
        )
    warnings = s.get("warnings") or {}
    if warnings:
        lines.append("Warnings (persons; acted = decided to leave or to shelter in place):")
    for side, w in warnings.items():
        first = w["first_warning_s"]
        when = "never warned" if math.isinf(first) else f"first warning at {first / 60:.0f} min"
        line = (
            f"  {side}: {when}, {w['persons_warned']:,} warned, "
            f"{w['acted_at_first_contact']:,} acted at the first contact, "
            f"{w['acted_after_repeated_contact']:,} after a repeated one; "
            f"{w['door_knocks']:,} household visits at the door"
        )
        if w["transfer_requested_persons"]:
            line += (
                f"; mandatory transfer: {w['transferred_persons']:,} of "
                f"{w['transfer_requested_persons']:,} taken out or made to leave"
            )
            if w.get("transferred_by_ground_persons"):
                line += f" ({w['transferred_by_ground_persons']:,} by ground teams)"
            if w["transferred_persons"]:
                line += (
                    f", of them {w.get('transferred_sheltered_persons', 0):,} in a shelter"
                    f" and {w.get('transferred_dead_persons', 0):,} dead at the end"
                )
        if w.get("transfers_handed_back"):
            line += f"; a team left a transfer for a threat to life {w['transfers_handed_back']:,}x"
            line += _handed_back_waits(w)
        if w.get("vulnerable_waiting_persons"):
            line += f", {w['vulnerable_waiting_persons']:,} vulnerable still waiting"
        lines.append(line)
    unsafe = (s.get("shelters") or {}).get("unsafe")
    if unsafe is not None:
        lines.append(_unsafe_line(unsafe))
    lines += _linkage_lines(s.get("linkage") or {})
    return lines


def _unsafe_line(unsafe: dict) -> str:
    """Shelters that became unsafe, and what became of the people in them."""
    if not unsafe["shelters"]:
        return "Shelters: none became unsafe"
    if not unsafe["relocated_persons"] and not unsafe["occupants_at_horizon"]:
        return f"Shelters: {unsafe['shelters']} became unsafe, none with anyone inside then"
    return (
        f"Shelters: {unsafe['shelters']} became unsafe, "
        f"{unsafe['relocated_persons']:,} persons moved on from them, "
        f"{unsafe['occupants_at_horizon']:,} still inside at the horizon"
    )


def _linkage_lines(linkage: dict) -> list[str]:
    """Return what each side got from the linkage: hazard news, teams, shelter, kits."""
    heading = "Linkage (what each side got from the other, and its wait at the border):"
    lines = [heading] if linkage else []
    for side, k in linkage.items():
        known = k["knew_hazard_s"]
        if math.isinf(known):
            news = "never knew of a hazard"
        else:
            news = f"knew of the hazard at {known / 60:.0f} min ({k['knew_how']}"
            lead = k["lead_over_own_s"]
            if lead > 0:
                ahead = "never on its own" if math.isinf(lead) else f"{lead / 60:.0f} min"
                news += f"; ahead of its own knowledge: {ahead}"
            news += ")"
        dispatches = sum(k["cross_border_dispatches"].values())
        lines.append(
            f"  {side}: {news}; {k['warnings_received']:,} warnings via the "
            f"linkage; {dispatches} teams from the other side "
            f"({k['incidents_reached_only_by_foreign_teams']} incidents reached only by "
            f"them); {k['persons_sheltered_across_border']:,} of its residents sheltered on "
            f"the other side; {k['kits_from_other_side']:,} kits from the other side; "
            f"{k['teams_prepositioned']} teams pre-positioned, {k['teams_held_in_reserve']} "
            f"held in reserve; its teams waited {k['border_wait_min']:g} min at the border "
            "in all"
        )
    return lines


def _cleared(act: dict) -> str:
    """`` (N of them given the all-clear)`` for the protective-action line, or nothing."""
    n = act.get("all_clear_persons", 0)
    return f" ({n:,} of them given the all-clear)" if n else ""


def _handed(inc: dict) -> str:
    """Return what else became of transfers, for the rescue line (or nothing)."""
    out = ""
    if n := inc.get("persons_handed_over", 0):
        out += f", {n:,} awaiting transfer caught at home by the hazard (in the incident that"
        out += " found them)"
    if n := inc.get("persons_sheltered_in_place", 0):
        out += f", {n:,} awaiting transfer told at the door to shelter in place"
    return out


def _at_horizon(inc: dict) -> str:
    """Return `` (N of them still waiting at the horizon)`` for the rescue line, or nothing."""
    n = inc.get("persons_died_at_horizon", 0)
    return (
        f" ({n:,} of them still waiting at the horizon, by the survival curve, which dates "
        "their deaths)"
        if n
        else ""
    )


def _trucks_turned_off(sup: dict) -> str:
    """Truck trips a closure ahead turned off (:mod:`sim.agents.on_road`), or nothing."""
    rerouted = sum((sup.get("trucks_rerouted") or {}).values())
    cut_off = sum((sup.get("trucks_cut_off_on_the_way") or {}).values())
    if not (rerouted or cut_off):
        return ""
    return (
        f"; truck trips turned off by a closure ahead: {rerouted:,} re-routed, {cut_off:,} cut off"
    )


def _handed_back_waits(w: dict) -> str:
    """How long the transfers a team left waited for the next one (the warnings line)."""
    wait_min = w.get("transfers_handed_back_wait_min", float("nan"))
    unreached = w.get("transfers_handed_back_unreached", 0)
    parts = []
    if not math.isnan(wait_min):  # some were reached again
        parts.append(f"the next team came {wait_min:.0f} min later on average")
    if unreached:
        parts.append(f"{unreached:,} not reached again")
    return f" ({'; '.join(parts)})" if parts else ""
