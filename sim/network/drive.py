"""Which OSM ways a car may use: osmnx's drive filter, applied to way tags in files.

osmnx downloads with an Overpass filter per network type
(``osmnx._overpass._get_network_filter``); files (OSM XML, ``.osm.pbf``, GraphML) get no
such filter, so they kept private ways, driveways and parking aisles. This module reads
osmnx's own ``drive_service`` filter text and applies it, clause by clause with Overpass'
semantics (``!~`` is an unanchored regular expression that an absent tag passes), to the
tags of each way. Two clauses are added that osmnx's filter does not have (issue 14):
``access=no`` (osmnx excludes only ``access=private``) and ``service=driveway`` (osmnx's
``drive_service`` keeps driveways; its ``drive`` drops every service road, which would
cut off hospitals and housing compounds reached only by service roads).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

#: osmnx network type whose filter is applied.
OSMNX_NETWORK_TYPE = "drive_service"
#: Clauses added to osmnx's filter (Overpass syntax).
EXTRA_CLAUSES = '["access"!~"^(no|private)$"]["service"!~"^driveway$"]'
#: Way tags the filter reads; osmnx keeps only ``settings.useful_tags_way`` on edges.
FILTER_TAGS = ("access", "area", "highway", "motor_vehicle", "motorcar", "service")

_CLAUSE = re.compile(r'\["(?P<key>[^"]+)"(?:(?P<op>!?~)"(?P<regex>[^"]*)")?\]')


@dataclass(frozen=True)
class Clause:
    """One Overpass tag clause: ``["key"]`` (present) or ``["key"!~"regex"]`` / ``~``."""

    key: str
    op: str
    pattern: re.Pattern | None

    def admits(self, tags: Mapping[str, object]) -> bool:
        """Return True when ``tags`` (values may be lists, as on osmnx edges) pass."""
        value = tags.get(self.key)
        if self.pattern is None:
            return value is not None
        values = value if isinstance(value, list) else [value]
        if self.op == "!~":  # no value may match; an absent tag passes
            return all(v is None or not self.pattern.search(str(v)) for v in values)
        return any(v is not None and self.pattern.search(str(v)) for v in values)

    def text(self, tags: Mapping[str, object]) -> str:
        """``key=value`` of the tag that failed this clause (for reports)."""
        value = tags.get(self.key)
        value = value[0] if isinstance(value, list) and value else value
        return f"{self.key}={value}" if value is not None else f"no {self.key}"


@cache
def drive_clauses() -> tuple[Clause, ...]:
    """Return osmnx's drive filter (plus :data:`EXTRA_CLAUSES`) as clauses."""
    from osmnx import _overpass, settings

    text = _overpass._get_network_filter(OSMNX_NETWORK_TYPE) + EXTRA_CLAUSES
    if settings.default_access not in text:  # pragma: no cover - osmnx changed its filter
        raise RuntimeError("osmnx's drive filter changed shape; update sim.network.drive")
    clauses = []
    for match in _CLAUSE.finditer(text):
        regex = match.group("regex")
        clauses.append(
            Clause(
                key=match.group("key"),
                op=match.group("op") or "",
                pattern=None if match.group("op") is None else re.compile(regex),
            )
        )
    return tuple(clauses)


def drive_failure(tags: Mapping[str, object]) -> str | None:
    """Return why a way may not be driven (``"access=private"``), or None when it may."""
    for clause in drive_clauses():
        if not clause.admits(tags):
            return clause.text(tags)
    return None


@dataclass(frozen=True)
class FilterCount:
    """Ways (or edges) the drive filter dropped, counted by the tag that failed."""

    kept: int
    dropped: Counter

    def text(self, what: str = "edges") -> str:
        """One line, e.g. ``drive filter dropped 12 edges: access=private 8, ...``."""
        total = sum(self.dropped.values())
        if not total:
            return f"drive filter: kept all {self.kept:,} {what}"
        shown = ", ".join(f"{k} {n:,}" for k, n in self.dropped.most_common(6))
        more = " ..." if len(self.dropped) > 6 else ""
        return f"drive filter dropped {total:,} of {self.kept + total:,} {what}: {shown}{more}"


def count_failures(reasons: Iterable[str | None]) -> FilterCount:
    """Count :func:`drive_failure` results."""
    kept, dropped = 0, Counter()
    for reason in reasons:
        if reason is None:
            kept += 1
        else:
            dropped[reason] += 1
    return FilterCount(kept=kept, dropped=dropped)
