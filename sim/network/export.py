"""A compiled network back to an osmnx-style graph (GraphML for other tools, plots)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.network.road_classes import ROAD_CLASSES

if TYPE_CHECKING:
    import networkx as nx

    from sim.network.compiled import RoadNetwork


def network_to_graph(network: RoadNetwork) -> nx.MultiDiGraph:
    """Return ``network`` as an osmnx-style ``MultiDiGraph`` (ids are ``node_osmid``).

    Edges carry ``length``, ``speed_kph`` and ``travel_time`` (which a load honours) and
    OSM-style ``maxspeed``, ``lanes`` (both directions on two-way roads), ``oneway``,
    ``highway`` and ``bridge`` tags, so loading the file again gives this network.
    """
    import networkx as nx

    graph = nx.MultiDiGraph(crs=network.crs, name=network.name)
    for i in range(network.n_nodes):
        graph.add_node(
            int(network.node_osmid[i]),
            x=float(network.x_m[i]),
            y=float(network.y_m[i]),
            elevation=float(network.elevation_m[i]),
            jurisdiction=network.jurisdiction_names[network.jurisdiction[i]],
        )
    osmid = network.node_osmid
    key = network.edge_source.astype(np.int64) * network.n_nodes + network.edge_target
    reverse_key = network.edge_target.astype(np.int64) * network.n_nodes + network.edge_source
    oneway = ~np.isin(reverse_key, key)
    for e in range(network.n_edges):
        # OSM convention: maxspeed and lanes (both directions on two-way roads) as
        # tags, so that loading the file again reproduces this network.
        lanes_tag = network.lanes[e] * (1 if oneway[e] else 2)
        graph.add_edge(
            int(osmid[network.edge_source[e]]),
            int(osmid[network.edge_target[e]]),
            length=float(network.length_m[e]),
            maxspeed=f"{network.speed_kph[e]:g}",
            speed_kph=float(network.speed_kph[e]),
            travel_time=float(network.travel_time_s[e]),
            lanes=f"{lanes_tag:g}",
            oneway=bool(oneway[e]),
            highway=ROAD_CLASSES[network.road_class[e]],
            bridge="yes" if network.bridge[e] else "no",
        )
    return graph
