"""The offline HTML replay: one self-contained file, data embedded as JSON.

The page (``sim/replay/template.html``: vanilla JavaScript and a canvas) makes no
network request: no CDN, no fonts, no tiles, and a Content-Security-Policy that forbids
them. Data are compact: node coordinates in whole metres from the map's south-west
corner, times in whole milliseconds (see :func:`sim.replay.counters.time_ms`), sorted time arrays
delta-encoded, area layers run-length encoded.

Times: an event at ``time_s`` is stored as the smallest whole millisecond ``m`` with
``m / 1000 >= time_s``, and the page's clock runs on whole milliseconds, so "events up
to the clock" on the page are exactly the events with ``time_s <= clock`` in
``events.parquet``: the counters it shows are the step functions of
:mod:`sim.replay.counters`, evaluated at the clock.

The page exposes ``window.replay`` (``seek(seconds)``, ``play()``, ``pause()``,
``timeMs()``, ``isPlaying()``, ``setSpeed(x)``, ``speed()``, ``counters()``,
``nodeToCanvas(node)``)
and shows the clock in ``#clock`` and each counter in an element with the id of
:data:`COUNTER_IDS` (``data-value`` holds the raw number), the coverage so far in
``#cov-<tier>``; ``body[data-ready]`` is set once the page has drawn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.resources import files
from types import MappingProxyType

import numpy as np

from sim.network.road_classes import ROAD_CLASSES
from sim.plot import style
from sim.plot.areas import jurisdiction_areas
from sim.replay import symbols
from sim.replay.counters import StepFunction, time_ms
from sim.replay.events import event_list
from sim.replay.grid import hazard_classes, make_grid, run_lengths
from sim.replay.legend import legend_entries, shown_counter_rows
from sim.replay.page_people import (
    delta_list,
    households_payload,
    int_list,
    places_payload,
    population_payload,
    relocations_payload,
    tracks_payload,
)
from sim.replay.state import Timeline
from sim.tiers import TIERS

#: DOM id of each counter's element.
COUNTER_IDS: Mapping[str, str] = MappingProxyType(
    {
        "warnings_issued": "count-warnings",
        "warned_persons": "count-warned",
        "departed_persons": "count-departed",
        "evacuated_persons": "count-evacuated",
        "on_the_way_persons": "count-on-the-way",
        "stranded_persons": "count-stranded",
        "sheltering_in_place_persons": "count-sheltering-in-place",
        "unsheltered_persons": "count-unsheltered",
        "relocated_persons": "count-relocated",
        "shelters_unsafe": "count-shelters-unsafe",
        "exposed_persons": "count-exposed",
        "dead_persons": "count-dead",
        "incidents_reported": "count-incidents",
        "open_incidents": "count-open-incidents",
        "dispatches": "count-dispatches",
        "border_crossings": "count-border-crossings",
        "kits_delivered": "count-kits-delivered",
        "roads_closed": "count-roads-closed",
    }
)
#: DOM id of each tier's coverage-so-far element.
COVERAGE_IDS: Mapping[str, str] = MappingProxyType({tier: f"cov-{tier}" for tier in TIERS})
#: Columns of the HTML area rasters over the whole map.
GRID_COLUMNS = 480
_DATA_MARK = "/*__REPLAY_DATA__*/"


def _step(step: StepFunction) -> dict:
    ms = time_ms(step.time_s)
    keep = np.append(ms[1:] != ms[:-1], True) if ms.size else np.zeros(0, bool)
    values = step.value[keep]
    integral = bool(np.all(values == np.rint(values)))
    return {
        "t": delta_list(ms[keep]),
        "v": int_list(values) if integral else np.round(values, 3).tolist(),
    }


def build_payload(
    timeline: Timeline, *, speed: float, bbox_m: tuple[float, float, float, float] | None = None
) -> dict:
    """Everything the page draws, as plain JSON-able values."""
    run = timeline.run
    net = run.network
    west, south = float(np.floor(net.x_m.min())) - 1.0, float(np.floor(net.y_m.min())) - 1.0
    east, north = float(np.ceil(net.x_m.max())) + 1.0, float(np.ceil(net.y_m.max())) + 1.0
    grid = make_grid(net, (west, south, east, north), n_cols=GRID_COLUMNS)
    areas = jurisdiction_areas(net)
    view = bbox_m or (west, south, east, north)
    summary = run.summary
    return {
        "meta": {
            "scenario": run.scenario_name,
            "policy": summary.get("policy", ""),
            "seed": summary.get("seed", ""),
            "region": summary.get("region", net.name),
            "horizonMs": int(time_ms(np.array([run.horizon_s]))[0]),
            "speed": float(speed),
            "networkSource": run.network_source,
        },
        "view": [view[0] - west, view[1] - south, view[2] - west, view[3] - south],
        "nodes": {"x": int_list(net.x_m - west), "y": int_list(net.y_m - south)},
        "roads": _roads(timeline),
        "features": {
            name: int_list(np.column_stack([line[:, 0] - west, line[:, 1] - south]).ravel())
            for name, line in net.features.items()
            if name == "river" and len(line)
        },
        "borders": [
            int_list(np.column_stack([line[:, 0] - west, line[:, 1] - south]).ravel())
            for line in areas.border_lines
        ],
        "grid": {
            "west": grid.west_m - west,
            "north": grid.north_m - south,
            "cell": grid.cell_m,
            "rows": grid.n_rows,
            "cols": grid.n_cols,
        },
        "jurisdictions": {
            "names": list(net.jurisdiction_names),
            "colours": [style.jurisdiction_colour(j) for j in range(len(net.jurisdiction_names))],
            "rings": [
                [int_list((ring - [west, south]).ravel()) for ring in rings]
                for rings in areas.rings
            ],
            "labels": [
                [float(x - west), float(y - south)] if np.isfinite(x) else None
                for x, y in areas.label_xy
            ],
        },
        "legend": [
            [e.kind, e.shape, e.face, e.edge, e.text, e.dashed, e.cross]
            for e in legend_entries(
                timeline, tuple(h for h in style.HAZARD_ORDER if h in timeline.hazards)
            )
        ],
        "hazards": _hazards(timeline, grid),
        "places": places_payload(timeline),
        "population": population_payload(timeline),
        "households": households_payload(timeline),
        "relocations": relocations_payload(timeline),
        "nodeEvents": {
            name: {
                "t": delta_list(time_ms(ev.time_s)),
                "node": ev.node.tolist(),
                "persons": int_list(ev.persons),
            }
            for name, ev in (
                ("stranded", timeline.node_stranded),
                ("exposed", timeline.node_exposed),
            )
        },
        "tracks": tracks_payload(timeline),
        "incidents": _incidents(timeline),
        "crossings": {
            "t": time_ms(timeline.crossings["time_s"].to_numpy(float)).tolist(),
            "node": timeline.crossings["node"].astype(int).tolist(),
        },
        "closures": _closures(timeline),
        "counters": {key: _step(step) for key, step in timeline.counters.counters.items()},
        "covered": {tier: _step(step) for tier, step in timeline.counters.covered.items()},
        "needed": {tier: _step(step) for tier, step in timeline.counters.needed.items()},
        "counterRows": [
            [key, label, COUNTER_IDS[key]] for key, label in shown_counter_rows(timeline)
        ],
        "coverageRows": [
            [tier, f"{tier} ≤ {t.standard_min:g} min", COVERAGE_IDS[tier]]
            for tier, t in TIERS.items()
        ],
        "events": event_list(timeline),
        "style": _style(),
    }


def _roads(timeline: Timeline) -> list[dict]:
    net = timeline.run.network
    s, t = net.edge_source, net.edge_target
    key = s.astype(np.int64) * net.n_nodes + t
    reverse = t.astype(np.int64) * net.n_nodes + s
    once = (s < t) | ~np.isin(reverse, key)
    out = []
    for code, name in enumerate(ROAD_CLASSES):
        mask = once & (net.road_class == code)
        if mask.any():
            width, colour = style.ROAD_STYLE.get(name, style.DEFAULT_ROAD_STYLE)
            pairs = np.column_stack([s[mask], t[mask]]).ravel()
            out.append({"cls": name, "width": width, "colour": colour, "e": pairs.tolist()})
    out.sort(key=lambda r: r["width"])
    return out


def _incidents(timeline: Timeline) -> dict:
    inc = timeline.incidents
    return {
        "id": inc.incident.tolist(),
        "node": inc.node.tolist(),
        "report": time_ms(inc.report_s).tolist(),
        "arrival": time_ms(inc.first_arrival_s).tolist(),
        "withdrawn": time_ms(inc.withdrawn_s).tolist(),
        "persons": int_list(inc.persons),
        "tierArrival": [time_ms(inc.tier_arrival_s[tier]).tolist() for tier in TIERS],
    }


def _hazards(timeline: Timeline, grid) -> dict:
    n_nodes = timeline.run.network.n_nodes
    out = {}
    for hazard in style.HAZARD_ORDER:
        frames = timeline.hazards.get(hazard)
        if frames is None:
            continue
        out[hazard] = {
            "colours": list(style.HAZARD_COLOURS[hazard]),
            "labels": list(style.HAZARD_LEVEL_LABELS[hazard]),
            "t": time_ms(frames.time_s).tolist(),
            "rle": [
                run_lengths(hazard_classes(grid, hazard, *frames.frame(k), n_nodes))
                for k in range(frames.time_s.shape[0])
            ],
        }
    return out


def _closures(timeline: Timeline) -> dict:
    c = timeline.closures
    net = timeline.run.network
    edges = c["edge"].to_numpy(np.int64)
    return {
        "t": time_ms(c["time_s"].to_numpy(float)).tolist(),
        "edge": edges.tolist(),
        "closed": c["closed"].astype(int).tolist(),
        "source": net.edge_source[edges].astype(int).tolist(),
        "target": net.edge_target[edges].astype(int).tolist(),
    }


def _style() -> dict:
    return {
        "states": list(symbols.HOUSEHOLD_STATES),
        "stateColours": [symbols.HOUSEHOLD_COLOURS[s] for s in symbols.HOUSEHOLD_STATES],
        "stateLabels": [symbols.HOUSEHOLD_LABELS[s] for s in symbols.HOUSEHOLD_STATES],
        "belowShelters": list(symbols.BELOW_SHELTERS),
        "aboveShelters": list(symbols.ABOVE_SHELTERS),
        "onTheWay": symbols.ON_THE_WAY,
        "sheltered": symbols.SHELTERED,
        "shelterUnsafe": symbols.SHELTER_UNSAFE_COLOUR,
        "relocation": symbols.RELOCATION_COLOUR,
        "relocationRecentMs": int(symbols.RELOCATION_RECENT_S * 1000),
        "personBinEdges": list(style.PERSON_BIN_EDGES),
        "personBinPx": list(style.PERSON_BIN_DIAMETER_PX),
        "tiers": list(TIERS),
        "tierColours": [style.TIER_COLOURS[t] for t in TIERS],
        "tierMarkers": [style.TIER_MARKERS[t] for t in TIERS],
        "truck": style.TRUCK_COLOUR,
        "depot": style.DEPOT_COLOUR,
        "incidentOpen": style.INCIDENT_OPEN_COLOUR,
        "incidentReached": style.INCIDENT_REACHED_COLOUR,
        "incidentLabel": style.INCIDENT_LABEL_COLOUR,
        "crossing": style.CROSSING_COLOUR,
        "crossingRecentMs": int(style.CROSSING_RECENT_S * 1000),
        "trailMs": int(style.TRAIL_S * 1000),
        "trailSteps": style.TRAIL_STEPS,
        "closedRoad": style.CLOSED_ROAD_COLOUR,
        "shelterFillEdges": list(style.SHELTER_FILL_EDGES),
        "shelterFillColours": list(style.SHELTER_FILL_COLOURS),
        "shelterPx": style.SHELTER_PX,
        "shelterEmptyPx": style.SHELTER_EMPTY_PX,
        "shelterEmptyEdge": style.SHELTER_EMPTY_EDGE,
        "river": style.RIVER_COLOUR,
        "jurisdictionLabel": style.JURISDICTION_LABEL_COLOUR,
        "hazardAlpha": style.HAZARD_ALPHA,
    }


def build_html(
    timeline: Timeline, *, speed: float, bbox_m: tuple[float, float, float, float] | None = None
) -> str:
    """Return the complete page for a run, as a string."""
    payload = build_payload(timeline, speed=speed, bbox_m=bbox_m)
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    data = data.replace("<", "\\u003c")  # no "</script>" or "<!--" inside the script
    template = files("sim.replay").joinpath("template.html").read_text(encoding="utf-8")
    title = f"{timeline.run.scenario_name} replay"
    return template.replace("__REPLAY_TITLE__", _escape(title)).replace(_DATA_MARK, data, 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
