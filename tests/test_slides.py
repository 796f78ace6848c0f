"""Landslide sizes and burials: real slide areas, and the share of a node's ground covered.

Before, every rain slide of the built-in landslide was a 250-m circle (a slide larger than
999 in 1,000 real ones) that buried every household of every node inside it, a whole
village standing on one node: 20 to 1,553 dead over ten seeds, 1,347 buried by one slide.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import invgamma

from sim.engine.model import EmergencyModel
from sim.engine.runs import collect
from sim.hazards import slopes
from sim.network.cells import CELL_RADIUS_M, covered_share
from sim.scenarios import scenario_from_dict
from tests.engine_fixtures import SURE_BEHAVIOUR, toy_engine_network, toy_network


def _net(x_m: np.ndarray, y_m: np.ndarray) -> object:
    """Nodes at ``x_m``, ``y_m`` (metres), each linked to the next, no places."""
    return toy_network(x_m, y_m, [(k, k + 1, 100.0) for k in range(len(x_m) - 1)])


def _grid(spacing_m: float) -> object:
    """A 3 x 3 grid of nodes ``spacing_m`` apart (node 4 in the middle)."""
    xs, ys = np.meshgrid(np.arange(3) * spacing_m, np.arange(3) * spacing_m)
    return _net(xs.ravel(), ys.ravel())


def test_a_slide_covers_the_hand_computed_share_of_a_node_cell() -> None:
    net = _grid(200.0)
    cx, cy = float(net.x_m[4]), float(net.y_m[4])
    # the middle node's cell is the 200 m square around it (corners 141 m off, inside
    # its 300 m circle): a 50-m slide on it covers pi 50^2 / 200^2 of it, no other cell
    nodes, share = covered_share(net, cx, cy, 50.0)
    assert nodes.tolist() == [4]
    assert share[0] == pytest.approx(np.pi * 50.0**2 / 200.0**2, rel=2e-3)  # a 64-gon
    # a 100-m slide is the square's inscribed circle: pi / 4, touching the others at points
    nodes, share = covered_share(net, cx, cy, 100.0)
    assert nodes.tolist() == [4] and share[0] == pytest.approx(np.pi / 4, rel=2e-3)
    # nodes 1 km apart on the toy line: each cell is its whole 300 m circle
    line = toy_engine_network()
    nodes, share = covered_share(line, float(line.x_m[1]), float(line.y_m[1]), 100.0)
    assert nodes.tolist() == [1]
    assert share[0] == pytest.approx(100.0**2 / CELL_RADIUS_M**2, rel=2e-3)


def test_rain_slide_sizes_follow_malamud_2004() -> None:
    # the published mean of the inverse-gamma fit: a / (rho - 1) + s = 3.07e-3 km2
    assert slopes.mean_area_km2() == pytest.approx(3.07e-3, abs=1e-5)
    radii = slopes.rain_slide_radii_m(20_000, np.random.default_rng(0))
    area_km2 = np.pi * radii**2 / 1e6
    median_km2 = slopes.AREA_S_KM2 + invgamma.median(slopes.AREA_RHO, scale=slopes.AREA_A_KM2)
    assert median_km2 == pytest.approx(1.05e-3, abs=1e-5)  # a circle of 18 m
    assert np.median(area_km2) == pytest.approx(median_km2, rel=0.03)
    assert (area_km2 >= slopes.MIN_AREA_KM2).all()
    assert (area_km2 > 0.196).mean() < 2e-3  # a 250-m circle: fewer than 1 in 1,000


def test_a_slide_buries_the_covered_share_of_a_node_households() -> None:
    # 900 one-person households at node 1 of the toy line; a 100-m slide on the node
    # covers 1/9 of its cell: 100 buried expected (binomial, sd 9.4), not all 900
    net = toy_engine_network(population=[0, 900, 0, 0, 0, 0])
    lon, lat = net.to_lonlat(net.x_m[[1]], net.y_m[[1]])
    scenario = scenario_from_dict(
        {
            "name": "toy-slide",
            "horizon_h": 0.5,
            "population": {"household_size_mean_persons": 1.0},
            "hazards": {
                "landslide": {
                    "slides": [
                        {"time_min": 1.0, "lon": float(lon[0]), "lat": float(lat[0]),
                         "radius_m": 100.0}
                    ]
                }
            },
            "outputs": {"track_households": 0},
        }
    )  # fmt: skip
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    buried = result.incidents[result.incidents["kind"] == "buried"].drop_duplicates("incident")
    assert len(buried) == 1
    persons = int(buried["persons"].iloc[0])
    assert abs(persons - 100) <= 4 * np.sqrt(900 * (1 / 9) * (8 / 9))
    assert 0 < persons < 900


def test_a_hamlet_far_from_other_nodes_keeps_its_whole_ground() -> None:
    # three nodes 40 m apart on a line, nothing else within 900 m: the middle one's cell
    # is the strip 20 m either side of it, cut to its 300-m circle, of area
    # 4 F(20) with F(u) = u/2 sqrt(R^2 - u^2) + R^2/2 asin(u/R): a 20-m slide on it covers
    # 5.2 %. GEOS alone clipped the cells to the hamlet's own extent, and the same
    # slide covered about 30 %
    net = _net(np.array([0.0, 40.0, 80.0]), np.zeros(3))
    nodes, share = covered_share(net, float(net.x_m[1]), float(net.y_m[1]), 20.0)
    r, u = CELL_RADIUS_M, 20.0
    strip_m2 = 4 * (u / 2 * np.sqrt(r**2 - u**2) + r**2 / 2 * np.arcsin(u / r))
    assert nodes.tolist() == [1]
    assert share[0] == pytest.approx(np.pi * 20.0**2 / strip_m2, rel=5e-3)


def test_an_incident_whose_last_people_left_on_their_own_needs_no_team() -> None:
    from sim.engine.incidents import Incident

    incident = Incident(
        id=0, kind="stranded", node=1, jurisdiction=0, persons=4,
        tiers=("ground", "aviation"), report_s=0.0, on_scene_s={}, households=(7, 8),
    )  # fmt: skip
    assert not incident.done
    # a team finds both households gone: nobody is left to get out
    assert incident.take_next(None, lambda row: 2, lambda row: False) is None
    assert incident.persons_moved_on == 4 and incident.done


def test_cells_of_the_built_in_region_where_geos_drew_a_self_intersecting_cell() -> None:
    # around nodes 2640-2689 of the built-in region GEOS's Voronoi diagram has a
    # self-intersecting cell; cutting it raised a TopologyException in 25 of these 50
    # slides (about one 3-slide landslide run in a hundred crashed)
    from sim.network.sources import load_network

    net = load_network("fujiang")
    for node in range(2640, 2690):
        nodes, share = covered_share(net, float(net.x_m[node]), float(net.y_m[node]), 30.0)
        assert node in nodes.tolist()
        assert ((share > 0) & (share <= 1)).all()


def test_no_rain_slides_asked_picks_no_site() -> None:
    # count 0 once picked all 9,005 susceptible nodes of the built-in region (36 s)
    from sim.network.sources import load_network

    sites = slopes.rain_triggered_sites(
        load_network("fujiang"), count=0, min_slope=0.02, spacing_m=0.0,
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert sites.size == 0


def test_an_isolated_village_counts_the_persons_still_there_not_its_census() -> None:
    # slides at nodes 0 and 2 of the toy line cut node 1 (Avillage, census 0) off from
    # every shelter; its 3 residents are at home: the aviation incident is for 3 persons
    from tests.test_protective import POPULATION

    net = toy_engine_network(population=[0, 3, 0, 0, 0, 0])
    lon, lat = net.to_lonlat(net.x_m[[0, 2]], net.y_m[[0, 2]])
    slides = [
        {"time_min": 5.0, "lon": float(a), "lat": float(b), "radius_m": 100.0}
        for a, b in zip(lon, lat, strict=True)
    ]
    scenario = scenario_from_dict(
        {
            "name": "toy-isolated",
            "horizon_h": 0.5,
            "population": POPULATION,
            "hazards": {"step_min": 1.0, "landslide": {"rain_slides": 0, "slides": slides}},
        }
    )
    model = EmergencyModel(scenario, net, seed=0)
    model.run_for()
    result = collect(model)
    ev = result.events[result.events["kind"] == "isolated"]
    assert ev[["time_s", "node", "value"]].values.tolist() == [[300.0, 1, 3.0]]
    inc = result.incidents[result.incidents["kind"] == "isolated"]
    assert inc["persons"].tolist() == [3]


def test_whom_a_slide_buries_does_not_depend_on_what_others_did_before() -> None:
    # 10 one-person households at node 1 (A) and 10 at node 3 (B) of the toy line; a
    # slide over half the cell of node 1 at 20 min, one over half the cell of node 3 at
    # 25 min. With A's warning at 0 its residents have left by 20 min (nobody at node 1
    # to bury), without it about 5 are buried there; B's residents stay home either way
    # and the second slide must bury the same of them: one draw per household and slide.
    # Knowing of the slopes, A's plan orders node 1 out (``immediate``) at once: all
    # comply there too, and nobody needs a transfer
    net = toy_engine_network(population=[0, 10, 0, 10, 0, 0])
    behaviour = {**SURE_BEHAVIOUR, "compliance": {"imminent": 1.0, "immediate": 1.0}}
    lon, lat = net.to_lonlat(net.x_m[[1, 3]], net.y_m[[1, 3]])
    half_m = CELL_RADIUS_M / np.sqrt(2.0)  # covers half of a lone node's 300-m cell
    slides = [
        {"time_min": t, "lon": float(a), "lat": float(b), "radius_m": half_m}
        for t, a, b in zip((20.0, 25.0), lon, lat, strict=True)
    ]
    buried = {}
    for warned in (False, True):
        scenario = scenario_from_dict(
            {
                "name": "toy-independent-burials",
                "horizon_h": 0.5,
                "policy": {"linkage": "separate", "detection_delay_min": 600.0},
                "population": {
                    "household_size_mean_persons": 1.0,
                    "vehicle_share": 1.0,
                    "vulnerable_share": 0.0,
                },
                "behaviour": behaviour,
                "warnings": [{"time_min": 0, "level": "imminent", "issued_by": "A"}]
                if warned
                else [],
                "hazards": {"step_min": 1.0, "landslide": {"rain_slides": 0, "slides": slides}},
            }
        )
        model = EmergencyModel(scenario, net, seed=3)
        model.run_for()
        incidents = [i for i in model.dispatcher.incidents if i.kind == "buried"]
        buried[warned] = {int(i.node): sorted(i.households) for i in incidents}
    assert 1 not in buried[True] and 3 <= len(buried[False][1]) <= 7
    assert buried[True][3] == buried[False][3] and len(buried[True][3]) > 0


def test_a_slide_buries_people_cut_off_where_it_falls_as_it_would_at_home() -> None:
    # 10 one-person households at node 1 of the toy line, every road out of node 1 closed:
    # warned at 0 they set off, find no road to a shelter and wait there, cut off (a
    # ``stranded`` incident each; A's ground team takes the first and can bring it
    # nowhere). The slide over half of node 1's cell at 20 min buries the same of them
    # as when nobody was warned and all were at home: one draw per household and slide.
    # Before, people cut off were never buried. The buried leave their ``stranded``
    # incidents: withdrawn while no team was sent, else handed over. Knowing of the
    # slope, A's plan orders node 1 out (``immediate``) at once: all comply with that too.
    net = toy_engine_network(population=[0, 10, 0, 0, 0, 0])
    behaviour = {**SURE_BEHAVIOUR, "compliance": {"imminent": 1.0, "immediate": 1.0}}
    lon, lat = net.to_lonlat(net.x_m[[1]], net.y_m[[1]])
    half_m = CELL_RADIUS_M / np.sqrt(2.0)
    slide = {"time_min": 20.0, "lon": float(lon[0]), "lat": float(lat[0]), "radius_m": half_m}
    buried, models = {}, {}
    for warned in (False, True):
        scenario = scenario_from_dict(
            {
                "name": "toy-cut-off-buried",
                "horizon_h": 0.5,
                "population": {
                    "household_size_mean_persons": 1.0,
                    "vehicle_share": 1.0,
                    "vulnerable_share": 0.0,
                },
                "behaviour": behaviour,
                "warnings": [{"time_min": 0, "level": "imminent", "issued_by": "A"}]
                if warned
                else [],
                "hazards": {"step_min": 1.0, "landslide": {"rain_slides": 0, "slides": [slide]}},
            }
        )
        model = EmergencyModel(scenario, net, seed=3)
        model.roads.close(net.edge_ids(np.array([1, 1]), np.array([0, 2])))
        model.run_for()
        (incident,) = [i for i in model.dispatcher.incidents if i.kind == "buried"]
        buried[warned], models[warned] = sorted(incident.households), model
    assert buried[True] == buried[False] and 3 <= len(buried[True]) <= 7
    cut_off = [i for i in models[True].dispatcher.incidents if i.kind == "stranded"]
    assert len(cut_off) == 10
    caught = [i for i in cut_off if i.households[0] in buried[True]]
    assert all(i.withdrawn_s == 1200.0 or i.persons_handed_over == 1 for i in caught)
    events = collect(models[True]).events
    assert (events["kind"] == "caught_by_hazard").sum() == len(buried[True])
