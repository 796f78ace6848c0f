"""Running counters of a run at any time, straight from its event log.

Every counter at time ``t`` is a function of the events with ``time_s <= t`` (a count,
a sum, or the persons of the households in a state); each is stored as a step function
(sorted change times and the running value after each), so the value at any ``t`` is
one ``numpy.searchsorted``. The HTML replay embeds the same step functions, so the page
shows exactly these numbers.

Counters (persons are sums of the event ``value``):

``warnings_issued``
    ``warning_issued`` events.
``warned_persons``
    Persons of households warned at least once (each household's first ``warned``).
``departed_persons``
    ``depart`` persons.
``evacuated_persons``, ``on_the_way_persons``
    Persons of the households in a shelter and on the way at ``t``.
``sheltering_in_place_persons``, ``unsheltered_persons``
    Persons of the households sheltering in place and unsheltered at ``t``. In all
    four, each household is in the state of its last state event
    (:mod:`sim.replay.households`), so occupants who leave a shelter that became
    unsafe (``relocate``) are on the way again until their next ``arrive_shelter``, and
    households a team brought to a shelter count as sheltered from their arrival.
``stranded_persons``
    Persons a flood cut off at home (``stranded`` with no agent, reported per node),
    plus the households stranded at ``t`` (stranded on the way, not yet set off again
    with ``resume`` nor taken out by a team).
``relocated_persons``, ``shelters_unsafe``
    ``relocate`` persons (occupants who left a shelter that became unsafe) and
    ``shelter_unsafe`` events (shelters closed as unsafe).
``exposed_persons``, ``dead_persons``
    ``exposed`` persons at AEGL-2 (an event whose ``tier`` is not ``AEGL-3``); the dead:
    those at AEGL-3, and those who died waiting for a team (``died_waiting`` of the
    kinds with a survival curve, :data:`sim.engine.survival.SURVIVAL`; the dead of the
    others died of AEGL-3 while they waited). At the end the dead equal the summary's
    ``casualties.dead``, a flood's and a slide's too (before, only the gas dead were
    counted, and a flood replay showed none).
``incidents_reported``, ``open_incidents``
    Incidents reported; of those, not yet reached by any team (no ``arrive_scene``) and
    not withdrawn (``incident_withdrawn``: its people left on their own).
``dispatches``, ``border_crossings``
    ``dispatch`` and ``border_cross`` events.
``kits_delivered``
    ``delivery`` kits.
``roads_closed``
    ``road_closed`` minus ``road_reopened`` events.

Coverage so far of tier k (community 10, ground 30, aviation 60 min): persons in the
incidents reported by ``t`` that need tier k and whose first tier-k arrival came by
``t`` within the standard, over persons in the incidents reported by ``t`` that need
tier k, less those withdrawn by ``t`` within the standard of their report (NaN before
any; see :mod:`sim.engine.metrics`). At the horizon it equals the run's headline coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.survival import SURVIVAL
from sim.replay.households import state_changes, state_events
from sim.replay.symbols import ON_THE_WAY, SHELTERED, SHELTERING, STRANDED, UNSHELTERED
from sim.tiers import TIERS

COUNTERS: tuple[str, ...] = (
    "warnings_issued",
    "warned_persons",
    "departed_persons",
    "evacuated_persons",
    "on_the_way_persons",
    "stranded_persons",
    "sheltering_in_place_persons",
    "unsheltered_persons",
    "relocated_persons",
    "shelters_unsafe",
    "exposed_persons",
    "dead_persons",
    "incidents_reported",
    "open_incidents",
    "dispatches",
    "border_crossings",
    "kits_delivered",
    "roads_closed",
)


@dataclass(frozen=True, eq=False)
class StepFunction:
    """A running total: ``value[k]`` holds from ``time_s[k]`` until ``time_s[k + 1]``."""

    time_s: np.ndarray
    value: np.ndarray

    @classmethod
    def from_changes(cls, time_s: np.ndarray, change: np.ndarray) -> StepFunction:
        """Build from change times (any order) and the amount each adds."""
        time_s = np.asarray(time_s, float)
        order = np.argsort(time_s, kind="stable")
        times, cumulative = time_s[order], np.cumsum(np.asarray(change, float)[order])
        if times.size:  # keep the last change at each distinct time
            last = np.append(times[1:] != times[:-1], True)
            times, cumulative = times[last], cumulative[last]
        return cls(times, cumulative)

    def at(self, time_s: np.ndarray) -> np.ndarray:
        """Value at each time (0 before the first change)."""
        k = np.searchsorted(self.time_s, np.asarray(time_s, float), side="right")
        return np.concatenate(([0.0], self.value))[k]


@dataclass(frozen=True, eq=False)
class RunCounters:
    """Step functions of every counter and of the coverage numerators and denominators."""

    counters: dict[str, StepFunction]
    covered: dict[str, StepFunction]
    needed: dict[str, StepFunction]


def _of(events: pd.DataFrame, kind: str) -> pd.DataFrame:
    return events[events["kind"] == kind]


def _step(rows: pd.DataFrame, weight: str | None = None, sign: float = 1.0) -> StepFunction:
    change = np.ones(len(rows)) if weight is None else rows[weight].to_numpy(float)
    return StepFunction.from_changes(rows["time_s"].to_numpy(float), sign * change)


def _merge(*parts: tuple[pd.DataFrame, str | None, float]) -> StepFunction:
    times = [rows["time_s"].to_numpy(float) for rows, _, _ in parts]
    changes = [
        sign * (np.ones(len(rows)) if weight is None else rows[weight].to_numpy(float))
        for rows, weight, sign in parts
    ]
    return StepFunction.from_changes(np.concatenate(times), np.concatenate(changes))


def first_per(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Return the first row (in time order) of each group of ``keys``."""
    return rows.sort_values("time_s", kind="stable").drop_duplicates(keys, keep="first")


def build_counters(events: pd.DataFrame) -> RunCounters:
    """Step functions of all counters of an event log (see the module docstring)."""
    warned = _of(events, "warned")
    warned = pd.concat(
        [first_per(warned[warned["agent"] >= 0], ["agent"]), warned[warned["agent"] < 0]]
    )
    stranded = _of(events, "stranded")
    households = state_events(events)

    def in_state(state: int, *extra: tuple[pd.DataFrame, str | None, float]) -> StepFunction:
        time_s, change = state_changes(households, state)
        parts = [(pd.DataFrame({"time_s": time_s, "value": change}), "value", 1.0), *extra]
        return _merge(*parts)

    exposed = _of(events, "exposed")
    died = _of(events, "died_waiting")
    # of the kinds that die by waiting (a survival curve): the others' dead died of the
    # hazard's dose (AEGL-3, counted as exposed) while they waited
    died = died[died["tier"].isin(list(SURVIVAL))]
    reported = first_per(_of(events, "incident_reported"), ["incident"])
    withdrawn = first_per(_of(events, "incident_withdrawn"), ["incident"])
    arrivals = _of(events, "arrive_scene")
    first_arrival = first_per(
        arrivals[arrivals["incident"].isin(reported["incident"])], ["incident"]
    )
    report_s = dict(zip(reported["incident"], reported["time_s"], strict=True))
    first_arrival = first_arrival.assign(  # reached once both the report and the arrival are in
        time_s=np.maximum(first_arrival["time_s"], first_arrival["incident"].map(report_s))
    )
    closed, reopened = _of(events, "road_closed"), _of(events, "road_reopened")
    counters = {
        "warnings_issued": _step(_of(events, "warning_issued")),
        "warned_persons": _step(warned, "value"),
        "departed_persons": _step(_of(events, "depart"), "value"),
        "evacuated_persons": in_state(SHELTERED),
        "on_the_way_persons": in_state(ON_THE_WAY),
        "stranded_persons": in_state(STRANDED, (stranded[stranded["agent"] < 0], "value", 1.0)),
        "sheltering_in_place_persons": in_state(SHELTERING),
        "unsheltered_persons": in_state(UNSHELTERED),
        "relocated_persons": _step(_of(events, "relocate"), "value"),
        "shelters_unsafe": _step(_of(events, "shelter_unsafe")),
        "exposed_persons": _step(exposed[exposed["tier"] != "AEGL-3"], "value"),
        "dead_persons": _merge(
            (exposed[exposed["tier"] == "AEGL-3"], "value", 1.0), (died, "value", 1.0)
        ),
        "incidents_reported": _step(reported),
        "open_incidents": _merge(
            (reported, None, 1.0), (first_arrival, None, -1.0), (withdrawn, None, -1.0)
        ),
        "dispatches": _step(_of(events, "dispatch")),
        "border_crossings": _step(_of(events, "border_cross")),
        "kits_delivered": _step(_of(events, "delivery"), "value"),
        "roads_closed": _merge((closed, None, 1.0), (reopened, None, -1.0)),
    }
    persons = dict(zip(reported["incident"], reported["value"].astype(float), strict=False))
    needs = reported[["time_s", "incident", "value"]].assign(
        tiers=reported["tier"].astype(str).str.split(",")
    )
    needs = needs.explode("tiers")
    gone = needs[needs["incident"].isin(withdrawn["incident"])]
    withdrawn_s = gone["incident"].map(
        dict(zip(withdrawn["incident"], withdrawn["time_s"], strict=True))
    )  # ``time_s`` of ``needs`` is the report time
    gone = gone.assign(time_s=withdrawn_s, needed_for_s=withdrawn_s - gone["time_s"])
    covered, needed = {}, {}
    for name, tier in TIERS.items():
        need = needs[needs["tiers"] == name]
        out = gone[(gone["tiers"] == name) & (gone["needed_for_s"] <= tier.standard_min * 60.0)]
        needed[name] = _merge((need, "value", 1.0), (out, "value", -1.0))
        first = first_per(arrivals[arrivals["tier"] == name], ["incident"])
        first = first[
            (first["value"] <= tier.standard_min * 60.0) & first["incident"].isin(need["incident"])
        ]
        covered[name] = StepFunction.from_changes(
            np.maximum(first["time_s"], first["incident"].map(report_s)).to_numpy(float),
            first["incident"].map(persons).to_numpy(float),
        )
    return RunCounters(counters=counters, covered=covered, needed=needed)


def counters_at(counters: RunCounters, time_s: float) -> dict[str, float]:
    """Every counter, and ``coverage_<tier>`` shares (NaN when none needed), at ``time_s``."""
    out = {name: float(step.at(time_s)) for name, step in counters.counters.items()}
    for tier in TIERS:
        need = float(counters.needed[tier].at(time_s))
        out[f"coverage_{tier}"] = (
            float(counters.covered[tier].at(time_s)) / need if need else np.nan
        )
    return out


def counter_table(counters: RunCounters, time_s: np.ndarray) -> pd.DataFrame:
    """Every counter at each of ``time_s`` (one row per time), vectorised."""
    times = np.asarray(time_s, float)
    table = {"time_s": times}
    table.update({name: step.at(times) for name, step in counters.counters.items()})
    for tier in TIERS:
        need = counters.needed[tier].at(times)
        with np.errstate(invalid="ignore", divide="ignore"):
            table[f"coverage_{tier}"] = np.where(
                need > 0, counters.covered[tier].at(times) / need, np.nan
            )
    return pd.DataFrame(table)


#: Millisecond code of a time that never comes (inf).
NEVER_MS = -1


def time_ms(time_s: np.ndarray) -> np.ndarray:
    """Smallest whole millisecond ``m`` with ``m / 1000 >= time_s`` (-1 for inf), int64.

    The HTML replay stores times so, and its clock runs on whole milliseconds, so the
    events up to its clock are exactly those with ``time_s <= clock``.
    """
    t = np.asarray(time_s, float)
    finite = np.isfinite(t)
    ms = np.ceil(np.where(finite, t, 0.0) * 1000.0)
    ms = np.where((ms - 1.0) / 1000.0 >= t, ms - 1.0, ms)
    ms = np.where(ms / 1000.0 < t, ms + 1.0, ms)
    return np.where(finite, ms, NEVER_MS).astype(np.int64)
