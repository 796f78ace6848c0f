"""Maps that explain themselves: colour scales that fit, named sides, borders of any region."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

import sim
from sim.coverage import static_coverage
from sim.network import compile_region
from sim.plot.areas import jurisdiction_areas
from sim.plot.coverage_map import UNREACHED_COLOUR, plot_coverage_map, time_bins
from sim.regions.base import RegionData
from sim.report.site import site_map


@pytest.fixture(scope="module")
def fujiang():
    return sim.load_network("fujiang")


def _residents(ax):
    return next(c for c in ax.collections if c.get_gid() == "residents")


def _distinct(colours: np.ndarray) -> int:
    """Colours that differ visibly: RGB rounded to tenths."""
    return len({tuple(np.round(c[:3] * 10)) for c in colours})


def test_community_tier_map_uses_many_colours(fujiang) -> None:
    stations = fujiang.places["stations"]
    result = static_coverage(fujiang, stations, fujiang.node_population_persons)
    fig, ax = plot_coverage_map(
        fujiang,
        result.time_s[("joint", "community")],
        fujiang.node_population_persons,
        stations,
        title="t",
        standard_min=10,
    )
    FigureCanvasAgg(fig).draw()
    colours = _residents(ax).get_facecolors()
    # a 0-120 min scale painted every resident in 5 visibly different greens; a scale
    # fitted to the data's range separates them
    assert _distinct(colours) > 8
    # every jurisdiction is named on the map
    texts = {t.get_text() for t in ax.texts}
    assert {"Suining", "Tongnan"} <= texts
    # road classes are in the legend, which lies outside the map
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "expressway" in labels and "border" in labels
    renderer = fig.canvas.get_renderer()
    legend_box = ax.get_legend().get_window_extent(renderer)
    assert legend_box.y1 <= ax.get_window_extent(renderer).y0 + 1
    # the colour bar (with its "beyond" triangle on top) is as tall as the map, not taller
    bar, box = ax.child_axes[0].get_window_extent(renderer), ax.get_window_extent(renderer)
    assert abs(bar.y0 - box.y0) < 2
    assert 0.9 * box.height < bar.height <= box.height


def test_time_bins_fit_the_data_and_put_the_standard_on_an_edge() -> None:
    edges = time_bins(np.linspace(0.5, 23.0, 500), standard_min=10)
    assert edges[0] == 0 and 10 in edges and edges[-1] >= 22
    assert len(edges) - 1 <= 15
    assert time_bins(np.array([1.0, 2.0]), standard_min=30)[-1] == 45  # 1.5 standards


def _line(n: int = 9, link_s: float = 600.0, juris: tuple[int, ...] | None = None):
    x = 500_000.0 + 1000.0 * np.arange(n)
    source = np.r_[np.arange(n - 1), np.arange(1, n)]
    target = np.r_[np.arange(1, n), np.arange(n - 1)]
    jurisdiction = np.zeros(n, np.int8) if juris is None else np.array(juris, np.int8)
    names = tuple(f"J{k}" for k in range(int(jurisdiction.max()) + 1))
    return compile_region(
        RegionData(
            name="line",
            crs="EPSG:32648",
            x_m=x,
            y_m=np.full(n, 3_350_000.0) + 50.0 * np.sin(np.arange(n)),
            elevation_m=np.zeros(n),
            jurisdiction=jurisdiction,
            jurisdiction_names=names,
            edge_source=source,
            edge_target=target,
            edge_length_m=np.full(len(source), 1000.0),
            edge_highway=np.array(["residential"] * len(source)),
            edge_lanes=np.full(len(source), np.nan),
            edge_maxspeed_kph=np.full(len(source), 3600.0 / link_s),
            edge_bridge=np.zeros(len(source), dtype=bool),
            places={},
        )
    )


def test_site_map_colours_a_40_minute_resident_as_reachable() -> None:
    # links of 10 min, ground turnout 3 min: from a station at node 4, node 8 is 43 min
    # away: beyond --within 10 but reached, so coloured by its time, not as unreached
    net = _line()
    stations = pd.DataFrame(
        {"name": ["new"], "tier": ["ground"], "node": [4], "teams": [1], "jurisdiction": ["J0"]}
    )
    persons = np.ones(net.n_nodes)
    fig = site_map(
        net, stations, stations, persons, tier="ground", policy="separate", within_min=10
    )
    ax = fig.axes[0]
    FigureCanvasAgg(fig).draw()
    residents = _residents(ax)
    xy = residents.get_offsets()
    node8 = int(np.flatnonzero(np.isclose(xy[:, 0], net.x_m[8]))[0])
    minutes = residents.get_array()[node8]
    assert minutes == pytest.approx(43.0)
    colour = residents.get_facecolors()[node8]
    assert not np.allclose(colour[:3], to_rgb(UNREACHED_COLOUR))
    assert residents.norm(minutes) < residents.cmap.N  # inside the scale, not "over"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any(label.startswith("not reached") for label in labels)


def test_border_of_a_region_without_one_is_traced_from_the_nodes() -> None:
    # three jurisdictions along a 2-D grid of nodes, no border feature: the traced
    # borders lie between the sides (x = 2.5 km and 5.5 km from the west)
    n_side = 9
    gx, gy = np.meshgrid(np.arange(n_side), np.arange(n_side))
    x, y = gx.ravel() * 1000.0, gy.ravel() * 1000.0
    juris = np.where(gx.ravel() < 3, 0, np.where(gx.ravel() < 6, 1, 2))
    net = replace(_line(), x_m=x, y_m=y)  # geometry only: the areas need nodes and sides
    net = replace(net, jurisdiction=juris.astype(np.int8), jurisdiction_names=("W", "M", "E"))
    areas = jurisdiction_areas(net)
    assert not areas.border_from_region
    xs = np.concatenate([line[:, 0] for line in areas.border_lines])
    assert xs.size > 10
    near = np.minimum(np.abs(xs - 2500.0), np.abs(xs - 5500.0))
    assert np.all(near < 300.0)
    # each side is named at a point inside it
    assert np.all(areas.label_xy[:, 0] == np.sort(areas.label_xy[:, 0]))
    assert 0 <= areas.label_xy[0, 0] < 2500 < areas.label_xy[1, 0] < 5500 < areas.label_xy[2, 0]


def test_region_border_feature_is_used_when_present(fujiang) -> None:
    areas = jurisdiction_areas(fujiang)
    assert areas.border_from_region
    assert np.array_equal(areas.border_lines[0], fujiang.features["border"])
