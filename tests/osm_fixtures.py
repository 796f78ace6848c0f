"""Small OSM XML documents written by tests and loaded through osmnx."""

from __future__ import annotations

from pathlib import Path

# Five nodes on a line of latitude 30.30 N near Tongnan, about 0.01° (≈ 961 m) apart,
# plus node 6 north of node 3.
#   1 ── 2 ── 3 ── 4      primary 1-2-3 (maxspeed 60, lanes 4), residential 3-4 (no maxspeed)
#             │           oneway=yes 3 → 6 (tertiary), and a footway 4-5 that is not a road
#             6
NODES = {
    1: (105.70, 30.30),
    2: (105.71, 30.30),
    3: (105.72, 30.30),
    4: (105.73, 30.30),
    5: (105.74, 30.30),
    6: (105.72, 30.31),
}
WAYS = [
    (10, [1, 2, 3], {"highway": "primary", "maxspeed": "60", "lanes": "4"}),
    (11, [3, 4], {"highway": "residential"}),
    (12, [3, 6], {"highway": "tertiary", "oneway": "yes"}),
    (13, [4, 5], {"highway": "footway"}),
]


def osm_xml(nodes=NODES, ways=WAYS) -> str:
    """Return an OSM XML document with the given nodes and ways."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lon, lat) in nodes.items():
        lines.append(f'  <node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
    for wid, refs, tags in ways:
        lines.append(f'  <way id="{wid}" version="1">')
        lines.extend(f'    <nd ref="{r}"/>' for r in refs)
        lines.extend(f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_osm(path: Path, nodes=NODES, ways=WAYS) -> Path:
    """Write :func:`osm_xml` to ``path`` (bz2-compressed when it ends in ``.bz2``)."""
    text = osm_xml(nodes, ways)
    if path.name.endswith(".bz2"):
        import bz2

        path.write_bytes(bz2.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path
