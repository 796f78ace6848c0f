"""Landslides: scripted and rain-triggered slides that block roads, bury and isolate.

A slide covers a run-out circle (:mod:`sim.hazards.slopes`). Its roads close until a
ground team clears them (a ``road_blocked`` incident whose team reopens them when it
leaves the scene, after ``clear_min``); households at home on the ground it covers are
buried, of each node's the share of its cell under the slide (a
``buried`` incident for community responders and ground teams, reached from the
nearest node outside the slide that the ground stations can still reach); villages
left with no route to any shelter, by road or on foot, become ``isolated`` (aviation):
an incident of the persons still on the village's cut-off ground, none if all left.
Rain slides start at the susceptible slopes once the accumulated rain passes
``trigger_mm``.

A scripted slide stands for a registered hazard point (a slope seen deforming, whose
threat area is surveyed; ``foreseen = false``: a slope nobody watched): once a command
knows the hazard, the run-out areas of the scripted slides still to come are forecast
unsafe (shelters there close, door-knocking starts there) and cordoned off: the public
may leave them but not enter them (:meth:`LandslideHazard.forecast_unsafe`; the county
delimits a geological-disaster danger zone and marks its boundary with warning signs:
地质灾害防治条例, Regulations on the Prevention and Control of Geological Disasters,
State Council 2003). Rescue teams still pass. When the slope fails is not known: the
commands' warning plans (:mod:`sim.agents.warning_plan`) order those areas out at once.
Rain slides are not foreseen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.households import AT_HOME, SHELTERING, STRANDED, UNSHELTERED
from sim.agents.warning import settlement_nodes
from sim.engine.incidents import IncidentReport
from sim.hazards import slopes
from sim.hazards.base import HazardStep, step_value
from sim.network.cells import covered_share

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel
    from sim.scenarios.hazards import LandslideSpec, SlideSpec

#: People notice a slide this far beyond its run-out (a visible danger), metres.
DANGER_MARGIN_M = 300.0
#: States in which a slide buries a household: at home (sheltering in place or not), or
#: waiting in the open where a team could take it no farther (unsheltered).
BURIABLE = (AT_HOME, SHELTERING, UNSHELTERED)
#: Households that are still in an isolated village (not on the way, sheltered or dead).
STAYING = (AT_HOME, SHELTERING, STRANDED, UNSHELTERED)


class LandslideHazard:
    """Scripted and rain-triggered slides: closures, burials, clearing, isolation."""

    name = "landslide"
    frame_floor = 0.0

    def __init__(self, model: EmergencyModel, spec: LandslideSpec) -> None:
        self.model, self.spec = model, spec
        self.pending = sorted(spec.slides, key=lambda s: s.time_min)
        self.active: dict[int, np.ndarray] = {}  # slide id -> edge mask it blocks
        self.inside = np.zeros(model.network.n_nodes, dtype=bool)
        self.rain_mm = 0.0
        self.rain_done = False
        self.isolated: set[str] = set()
        self.count = 0
        self._reports: list[IncidentReport] = []
        #: Nodes near a slide that happened (its run-out plus ``DANGER_MARGIN_M``).
        self.danger = np.zeros(model.network.n_nodes, dtype=bool)
        # where and how large the rain slides are, and whom each slide buries, come from
        # streams of their own that use the same draws whatever people did before: so
        # every linkage policy of a seed meets the same slides and each household the
        # same chance (one draw per household and slide, at home or not)
        self._rng_sites, self._rng_burial = model.rng_hazards.spawn(2)
        #: Run-out area of each scripted slide foreseen, in the order of ``pending``.
        nowhere = np.zeros(model.network.n_nodes, dtype=bool)
        self._threat = [self._runout(s) if s.foreseen else nowhere for s in self.pending]

    def _runout(self, slide: SlideSpec) -> np.ndarray:
        """Nodes inside the run-out circle of the scripted ``slide``."""
        x, y = self._centre(slide)
        return slopes.runout_nodes(
            self.model.network, x + slide.offset_m[0], y + slide.offset_m[1], slide.radius_m
        )

    @property
    def field(self) -> np.ndarray:
        """1 at nodes inside a slide so far, else 0."""
        return self.inside

    @property
    def unsafe_now(self) -> np.ndarray:
        """Nodes inside the run-out of a slide that happened."""
        return self.inside

    def forecast_unsafe(self, now_s: float) -> np.ndarray:
        """Run-out areas of the slides so far and of the scripted ones still to come."""
        return self.inside | self._ahead()

    def forecast_arrival_s(self, now_s: float) -> np.ndarray:
        """Return now in the areas of :meth:`forecast_unsafe`, else inf.

        When a slope fails is not known: a command that knows of it orders its threat
        area out at once.
        """
        return np.where(self.forecast_unsafe(now_s), now_s, np.inf)

    def _ahead(self) -> np.ndarray:
        """Nodes in the run-out area of a scripted slide still to come."""
        out = np.zeros(self.model.network.n_nodes, dtype=bool)
        for area in self._threat[len(self._threat) - len(self.pending) :]:
            out |= area
        return out

    def update(self, now_s: float, step_min: float) -> HazardStep:
        """Advance one step; touched: nodes inside slides so far."""
        spec = self.spec
        self._reports = []
        while self.pending and self.pending[0].time_min * 60.0 <= now_s:
            slide = self.pending.pop(0)
            x, y = self._centre(slide)
            self.trigger(x + slide.offset_m[0], y + slide.offset_m[1], slide.radius_m)
        self._cordon()
        if spec.rainfall and not self.rain_done:
            rain = step_value([r.time_min for r in spec.rainfall], list(spec.rainfall), now_s)
            self.rain_mm += rain.mm_per_h * step_min / 60.0
            if self.rain_mm >= spec.trigger_mm:
                self.rain_done = True
                self._rain_slides()
        reports, self._reports = tuple(self._reports), []
        return HazardStep(touched=self.inside, incidents=reports)

    def _cordon(self) -> None:
        """Close the links into the scripted slides' areas to the public (module docs).

        In force from when the first command knows the hazard until the slides fell.
        """
        m, net = self.model, self.model.network
        area = self._ahead() if np.isfinite(m.known_since_s).any() else None
        if area is None or not area.any():
            entry = np.zeros(net.n_edges, dtype=bool)
        else:
            entry = area[net.edge_target] & ~area[net.edge_source]
        m.roads.set_closures(f"{self.name}-cordon", entry, entry, teams=False)

    def _rain_slides(self) -> None:
        """Start the rain-triggered slides: sizes drawn first, then sites apart."""
        spec, net = self.spec, self.model.network
        if spec.rain_radius_m is None:
            radii = slopes.rain_slide_radii_m(spec.rain_slides, self._rng_sites)
        else:
            radii = np.full(spec.rain_slides, spec.rain_radius_m)
        sites = slopes.rain_triggered_sites(
            net,
            count=spec.rain_slides,
            min_slope=spec.min_slope,
            spacing_m=4 * float(radii.max(initial=0.0)),
            rng=self._rng_sites,
        )
        for node, radius_m in zip(sites.tolist(), radii.tolist(), strict=False):
            self.trigger(float(net.x_m[node]), float(net.y_m[node]), radius_m)

    def _centre(self, slide: SlideSpec) -> tuple[float, float]:
        net = self.model.network
        if slide.settlement is not None:
            row = net.places["settlements"].set_index("name").loc[slide.settlement]
            return float(row["x_m"]), float(row["y_m"])
        x, y = net.to_projected(np.array([slide.lon]), np.array([slide.lat]))
        return float(x[0]), float(y[0])

    def trigger(self, x_m: float, y_m: float, radius_m: float) -> None:
        """Start a slide now: close roads, bury those at home inside, report incidents."""
        m, net = self.model, self.model.network
        inside = slopes.runout_nodes(net, x_m, y_m, radius_m)
        if not inside.any():
            return
        slide_id = self.count
        self.count += 1
        self.inside |= inside
        self.danger |= slopes.runout_nodes(net, x_m, y_m, radius_m + DANGER_MARGIN_M)
        self.active[slide_id] = slopes.edges_touching(net, inside)
        self._apply()
        stations = m.network.places["stations"]
        ground = stations.loc[stations["tier"] == "ground", "node"].to_numpy()
        reachable = (  # a region without ground stations: any side will do
            np.isfinite(m.roads.router("ground").tree(ground).time_s) if ground.size else None
        )
        access = slopes.access_node(net, inside, x_m, y_m, reachable)
        centre = int(
            np.nonzero(inside)[0][np.argmin(np.hypot(net.x_m[inside] - x_m, net.y_m[inside] - y_m))]
        )
        m.recorder.event(
            m.env.now,
            "slide",
            node=centre,
            jurisdiction=m.jurisdiction_name(net.jurisdiction[centre]),
            value=radius_m,
        )
        buried = self._buried(x_m, y_m, radius_m)
        table = m.households
        if buried.size:
            cut_off = np.zeros(table.n, dtype=bool)
            cut_off[buried] = table.state[buried] == STRANDED
            m.operations.catch_cut_off(cut_off)  # out of their incidents: the slide's now
            table.strand(buried)
            self._reports.append(
                IncidentReport(
                    kind="buried",
                    node=centre,
                    access_node=access,
                    persons=int(table.size_persons[buried].sum()),
                    tiers=("community", "ground"),
                    households=tuple(int(r) for r in buried),
                )
            )
        self._reports.append(
            IncidentReport(
                kind="road_blocked",
                node=centre,
                access_node=access,
                persons=0,
                tiers=("ground",),
                on_scene_s={"ground": self.spec.clear_min * 60.0},
                on_cleared=lambda: self.clear(slide_id),
            )
        )
        self._find_isolated()

    def _buried(self, x_m: float, y_m: float, radius_m: float) -> np.ndarray:
        """Households staying where a slide falls that it buries: of each node's, the covered share.

        At home, waiting in the open, or cut off on dry ground on their way (no road
        led to a shelter, :meth:`sim.agents.operations.Operations.cut_off_rows`). A
        node's residents live on its cell (:mod:`sim.network.cells`); each such household
        there is buried with the share of the cell under the slide (one draw per
        household of the run, in row order, there or not: see ``__init__``).
        """
        m = self.model
        table = m.households
        nodes, share = covered_share(m.network, x_m, y_m, radius_m)
        chance = np.zeros(m.network.n_nodes)
        chance[nodes] = share
        draw = self._rng_burial.random(table.n)
        staying = np.isin(table.state, BURIABLE)
        staying[m.operations.cut_off_rows()] = True
        home = np.flatnonzero((chance[table.node] > 0) & staying)
        return home[draw[home] < chance[table.node[home]]]

    def clear(self, slide_id: int) -> None:
        """Reopen the roads of a slide an engineering team has cleared."""
        self.active.pop(slide_id, None)
        self._apply()
        m = self.model
        m.recorder.event(m.env.now, "slide_cleared", value=float(slide_id))

    def _apply(self) -> None:
        net = self.model.network
        blocked = np.zeros(net.n_edges, dtype=bool)
        for mask in self.active.values():
            blocked |= mask
        self.model.roads.set_closures(self.name, blocked)

    def _find_isolated(self) -> None:
        m, net = self.model, self.model.network
        if "settlements" not in net.places:
            return
        villages = net.places["settlements"]
        villages = villages[villages["kind"] == "village"]
        shelters = np.unique(m.shelters.node)
        drive = m.roads.router("vehicle").tree(shelters, reverse=True).time_s
        walk = m.roads.router("walk").tree(shelters, reverse=True).time_s
        cut_off = ~np.isfinite(drive) & ~np.isfinite(walk)
        for incident in list(m.dispatcher.incidents):  # reported while a road led there
            if cut_off[incident.target_node]:
                m.dispatcher.ask_aircraft(incident)
        cut = cut_off[villages["node"].to_numpy()]
        t = m.households
        staying = np.isin(t.state, STAYING)
        for _, row in villages[cut].iterrows():
            if row["name"] in self.isolated:
                continue
            self.isolated.add(row["name"])
            # the persons still there: at home or waiting on the village's cut-off ground
            ground = settlement_nodes(net, row) & cut_off
            persons = int(t.size_persons[staying & ground[t.node]].sum())
            m.recorder.event(
                m.env.now,
                "isolated",
                node=int(row["node"]),
                jurisdiction=str(row["jurisdiction"]),
                value=float(persons),
            )
            if persons:  # a village that has left needs no helicopter
                self._reports.append(
                    IncidentReport(
                        kind="isolated", node=int(row["node"]), persons=persons, tiers=("aviation",)
                    )
                )

    def summary(self) -> dict:
        """Slides that happened and villages they isolated."""
        return {"slides": self.count, "isolated_villages": len(self.isolated)}
