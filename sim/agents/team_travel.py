"""How teams get about: travel times, routes, landing sites and the nearest free team.

Road tiers travel on their router (:mod:`sim.engine.roads`; a boat team on the boat
router), over the roads open to teams now. Aircraft fly straight at cruise speed to the
landing site nearest the target (a settlement, shelter, station or depot node) and the
crew walks the last stretch in a straight line at walking speed; flights from and to
the base add the tier's ``approach_km`` (a base outside the map). Times are shortest-path
times on the current weights from forward trees grown at the origin, cached by the
router until the roads change, so asking many targets from one station costs one
Dijkstra; a question about one node takes an older tree while it still holds there
(:meth:`sim.network.routing.Router.tree_for`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.model import EmergencyModel


class TeamTravel:
    """Travel times and routes of a run's teams.

    Parameters
    ----------
    model
        The run.
    teams
        All rescue teams (index = position in the list).
    """

    def __init__(self, model: EmergencyModel, teams: list[RescueTeam]) -> None:
        self.model = model
        self.teams = teams
        self.station = np.array([t.station_node for t in teams], dtype=np.int64)
        self._landing = None
        self._road_stations: np.ndarray | None = None
        self._walk_m_per_s = model.scenario.population.walk_speed_m_per_s

    def road_teams_reach(self, node: int) -> bool:
        """Whether any ground team without a boat, of any side, can drive to ``node`` now.

        One forward tree from all their stations, reused while it holds for ``node``.
        """
        if self._road_stations is None:
            road = [k for k, t in enumerate(self.teams) if t.tier.name == "ground" and not t.boat]
            self._road_stations = np.unique(self.station[road])
            self._road_stations.flags.writeable = False
        if self._road_stations.size == 0:
            return False
        router = self.model.roads.router("ground")
        tree = router.tree_for(self._road_stations, node, family="road team stations")
        return bool(np.isfinite(tree.time_s[node]))

    def landing_node(self, target: int) -> int:
        """Return the landing site nearest ``target`` (settlement, shelter, station, depot)."""
        net = self.model.network
        if self._landing is None:
            from scipy.spatial import cKDTree

            nodes = [self.station]
            for table in ("settlements", "shelters", "depots"):
                if table in net.places:
                    nodes.append(net.places[table]["node"].to_numpy(dtype=np.int64))
            sites = np.unique(np.concatenate(nodes))
            self._landing = (sites, cKDTree(np.column_stack([net.x_m[sites], net.y_m[sites]])))
        sites, tree = self._landing
        return int(sites[tree.query([net.x_m[target], net.y_m[target]])[1]])

    def travel_s(self, team: RescueTeam, origin: int, target: int) -> float:
        """Travel time of ``team`` from ``origin`` to ``target``, s (inf: cut off)."""
        net = self.model.network
        if team.tier.travel == "air":
            # fly to the landing site nearest the target, then walk in a straight line
            land = self.landing_node(target) if target != team.station_node else target
            fly = np.hypot(net.x_m[origin] - net.x_m[land], net.y_m[origin] - net.y_m[land])
            walk = np.hypot(net.x_m[land] - net.x_m[target], net.y_m[land] - net.y_m[target])
            if team.station_node in (origin, target):  # to or from the real base
                fly += team.tier.approach_km * 1000.0
            return float(fly / (team.tier.cruise_speed_kph / 3.6) + walk / self._walk_m_per_s)
        tree = self.model.roads.router(team.mode).tree_for(np.array([origin]), target, bounded=True)
        return float(tree.time_s[target])

    def travel_to_s(self, team: RescueTeam, origin: int, target: int) -> float:
        """As :meth:`travel_s`, from a reverse tree grown at ``target``.

        For many teams asked about one target (the tree is shared among them).
        """
        if team.tier.travel == "air":
            return self.travel_s(team, origin, target)
        tree = self.model.roads.router(team.mode).tree_for(
            np.array([target]), origin, reverse=True, bounded=True
        )
        return float(tree.time_s[origin])

    def route_to(self, team: RescueTeam, target: int) -> np.ndarray | None:
        """As :meth:`route`, on the reverse tree grown at ``target`` (shared per target)."""
        if team.tier.travel == "air":
            return None
        tree = self.model.roads.router(team.mode).tree_for(
            np.array([target]), team.station_node, reverse=True
        )
        return tree.path(team.station_node)

    def route(self, team: RescueTeam, target: int) -> np.ndarray | None:
        """Node route of ``team`` from its station to ``target`` (None for aircraft)."""
        if team.tier.travel == "air":
            return None
        tree = self.model.roads.router(team.mode).tree_for(np.array([team.station_node]), target)
        return tree.path(target)

    def route_home(self, team: RescueTeam, from_node: int) -> tuple[np.ndarray | None, float]:
        """Route and time from ``from_node`` back to the team's station (inf if cut off)."""
        if team.tier.travel == "air":
            return None, self.travel_s(team, from_node, team.station_node)
        # a forward tree from where the team is: teams come home from a few places (the
        # shelters they deliver to), so these trees are shared; one tree per station
        # would be grown for each of hundreds of community posts
        tree = self.model.roads.router(team.mode).tree_for(
            np.array([from_node]), team.station_node, bounded=True
        )
        time_s = float(tree.time_s[team.station_node])
        if not np.isfinite(time_s):
            return None, np.inf  # cut off from home: the team stays where it is
        return tree.path(team.station_node), time_s

    def nearest_by_road(
        self, target: int, idx: np.ndarray
    ) -> tuple[RescueTeam | None, float, np.ndarray | None]:
        """Nearest of the road teams ``idx`` to ``target``: team, ETA (turnout in), route.

        One forward tree per travel mode grows from all their stations at once (cached
        until the roads or the candidates change), so choosing costs one Dijkstra, not
        one per team. Within the nearest station the lowest team index goes.
        """
        best: tuple[float, int, np.ndarray | None] | None = None
        modes = np.array([self.teams[k].mode for k in idx])
        for mode in sorted(set(modes.tolist())):
            mine = idx[modes == mode]
            tree = self.model.roads.router(mode).tree_for(
                np.unique(self.station[mine]), target, family="free stations"
            )
            time_s = float(tree.time_s[target])
            if not np.isfinite(time_s):
                continue
            k = int(mine[self.station[mine] == tree.source[target]].min())
            eta = self.teams[k].tier.turnout_s + time_s
            if best is None or (eta, k) < (best[0], best[1]):
                best = (eta, k, tree.path(target))
        if best is None:
            return None, np.inf, None
        return self.teams[best[1]], best[0], best[2]

    def reachable_by_free(self, tier: str, sides: np.ndarray | None = None) -> np.ndarray | None:
        """Nodes some free team of ``tier`` can reach by road (None: every node, by air).

        ``sides``: only teams of these jurisdictions (default: all).
        """
        if self.model.tiers[tier].travel == "air":
            return None
        free = [
            t
            for t in self.teams
            if t.available and t.tier.name == tier and (sides is None or t.jurisdiction in sides)
        ]
        mask = np.zeros(self.model.network.n_nodes, dtype=bool)
        for mode in sorted({t.mode for t in free}):
            stations = np.array([t.station_node for t in free if t.mode == mode])
            mask |= np.isfinite(self.model.roads.router(mode).tree(stations).time_s)
        return mask
