"""Static coverage on the toy graph, against fractions computed by hand.

Toy times (s) from conftest: from node 0 → [0, 100, 150, 250, 350, 250];
from node 3 → [300, 200, 100, 0, 100, 200]. Population [10, 20, 30, 40, 50, 60];
A = nodes 0, 1, 2, 5 (120 persons), B = nodes 3, 4 (90 persons).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.coverage import coverage_curve, static_coverage, tier_weights_s
from sim.errors import InputError, NetworkError
from sim.network import RoadNetwork
from sim.tiers import TierStandard

GROUND = TierStandard(name="ground", standard_min=5, travel="road", turnout_s=60.0)
AIR = TierStandard(
    name="aviation", standard_min=5, travel="air", turnout_s=60.0, cruise_speed_kph=36.0
)
POP = np.array([10, 20, 30, 40, 50, 60], dtype=float)


def _share(result, policy, tier, juris, minutes) -> float:
    c = result.curve
    row = c[
        (c.policy == policy) & (c.tier == tier) & (c.jurisdiction == juris) & (c.minutes == minutes)
    ]
    assert len(row) == 1
    return float(row["coverage_share"].iloc[0])


@pytest.fixture
def stations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["a0", "b3"],
            "tier": ["ground", "ground"],
            "node": [0, 3],
            "jurisdiction": ["A", "B"],
        }
    )


def test_ground_coverage_by_hand(toy: RoadNetwork, stations: pd.DataFrame) -> None:
    r = static_coverage(toy, stations, POP, tiers={"ground": GROUND}, minutes=np.array([3, 5]))
    # separate, +60 s turnout: A from node 0 → 0:60 1:160 2:210 5:310; B from 3 → 3:60 4:160
    # (node 5 at 310 s lies beyond the curve's last threshold, 300 s, so it stays inf)
    np.testing.assert_allclose(r.time_s[("separate", "ground")], [60, 160, 210, 60, 160, np.inf])
    # joint = min of both stations: 2:160 (from 3), 5:260 (3→2→5)
    np.testing.assert_allclose(r.time_s[("joint", "ground")], [60, 160, 160, 60, 160, 260])
    assert _share(r, "separate", "ground", "A", 3) == pytest.approx(30 / 120)
    assert _share(r, "separate", "ground", "B", 3) == pytest.approx(1.0)
    assert _share(r, "separate", "ground", "all", 3) == pytest.approx(120 / 210)
    assert _share(r, "joint", "ground", "A", 3) == pytest.approx(60 / 120)
    assert _share(r, "joint", "ground", "all", 3) == pytest.approx(150 / 210)
    assert _share(r, "separate", "ground", "A", 5) == pytest.approx(60 / 120)
    assert _share(r, "joint", "ground", "A", 5) == pytest.approx(1.0)
    head = r.headline()
    assert set(head.columns) == {"policy", "jurisdiction", "ground_5min"}


def test_aviation_straight_line_and_missing_base(toy: RoadNetwork) -> None:
    bases = pd.DataFrame({"name": ["h"], "tier": ["aviation"], "node": [0], "jurisdiction": ["A"]})
    r = static_coverage(toy, bases, POP, tiers={"aviation": AIR}, minutes=np.array([5, 10]))
    # 10 m/s from (0, 0): node 5 at sqrt(2000² + 1000²) = 2236.07 m → 223.6 s + 60 s
    assert r.time_s[("joint", "aviation")][5] == pytest.approx(60 + np.hypot(2000, 1000) / 10)
    assert _share(r, "separate", "aviation", "A", 5) == pytest.approx(1.0)
    assert _share(r, "separate", "aviation", "B", 10) == 0.0  # B has no base of its own
    # joint: node 3 at 3000 m → 360 s, node 4 at 4000 m → 460 s, both within 10 min
    assert _share(r, "joint", "aviation", "B", 5) == 0.0
    assert _share(r, "joint", "aviation", "B", 10) == pytest.approx(1.0)


COMMUNITY = TierStandard(
    name="community", standard_min=10, travel="road", turnout_s=240.0, max_speed_kph=40.0
)


def test_community_responders_set_off_from_home(toy: RoadNetwork) -> None:
    # Post at node 1 (A). Its one responder lives at the median populated node of A
    # within 1.5 km, by distance then index [1, 0, 2, 5]: node 2 (tests/test_responders.py).
    # From node 2 at 36 km/h (the 72 km/h primary runs 1->2 only): 2->1 100 s,
    # 2->1->0 200 s (2->5->0 takes 280 s), 2->3 100 s, 2->3->4 200 s, 2->5 100 s.
    post = pd.DataFrame({"name": ["p"], "tier": ["community"], "node": [1], "jurisdiction": ["A"]})
    r = static_coverage(toy, post, POP, tiers={"community": COMMUNITY}, minutes=np.array([10]))
    joint = r.time_s[("joint", "community")]
    assert joint[1] == pytest.approx(240.0 + 100.0)  # the post's own node: home 2 -> 1
    np.testing.assert_allclose(joint, 240.0 + np.array([200, 100, 0, 100, 200, 100]))
    separate = r.time_s[("separate", "community")]
    np.testing.assert_allclose(separate, 240.0 + np.array([200, 100, 0, np.inf, np.inf, 100]))
    assert r.responders_at_home
    # the older figure, from the post: 1->0 100 s, 1->2 on the primary capped at 40 km/h
    # 90 s, then 2->3 100 s, 3->4 100 s, 2->5 100 s
    at_post = static_coverage(
        toy, post, POP, tiers={"community": COMMUNITY}, responders_at_home=False
    )
    np.testing.assert_allclose(
        at_post.time_s[("joint", "community")], 240.0 + np.array([100, 0, 90, 190, 290, 190])
    )
    assert not at_post.responders_at_home


def test_the_nearest_of_a_posts_responders_goes(toy: RoadNetwork) -> None:
    # two responders of the post at node 1 live at nodes 0 and 5; each node takes the
    # nearer: 0->1 100 s, 0->1->2 190 s (primary at 40 km/h), +100 s per link to 3, 4;
    # node 5 is a home (0 s), 5->0 takes 180 s
    post = pd.DataFrame(
        {"name": ["p"], "tier": ["community"], "node": [1], "teams": [2], "jurisdiction": ["A"]}
    )
    r = static_coverage(toy, post, POP, tiers={"community": COMMUNITY}, policies=("joint",))
    np.testing.assert_allclose(
        r.time_s[("joint", "community")], 240.0 + np.array([0, 100, 190, 290, 390, 0])
    )


def test_aviation_flies_the_approach_from_its_real_base(toy: RoadNetwork) -> None:
    far = replace(AIR, approach_km=1.5)
    bases = pd.DataFrame({"name": ["h"], "tier": ["aviation"], "node": [0], "jurisdiction": ["A"]})
    r = static_coverage(toy, bases, POP, tiers={"aviation": far}, minutes=np.array([5, 10]))
    # 10 m/s: 1500 m from the real base to node 0, then the straight line
    distance_m = np.array([0.0, 1000, 2000, 3000, 4000, np.hypot(2000, 1000)])
    np.testing.assert_allclose(r.time_s[("joint", "aviation")], 60 + (1500 + distance_m) / 10)
    # within 5 min (300 s): node 0 alone (210 s; node 1 takes 310 s), 10 of A's 120
    # persons; within 10 min all but node 4 (610 s): 210 - 50 persons
    assert _share(r, "joint", "aviation", "A", 5) == pytest.approx(10 / 120)
    assert _share(r, "joint", "aviation", "all", 10) == pytest.approx(160 / 210)


def test_community_speed_cap(toy: RoadNetwork) -> None:
    capped = TierStandard(
        name="community", standard_min=10, travel="road", turnout_s=0.0, max_speed_kph=18.0
    )
    w = tier_weights_s(toy, capped)
    primary = toy.edge_ids(np.array([1]), np.array([2]))[0]
    assert w[primary] == pytest.approx(200.0)  # 1000 m at 18 km/h instead of 72


def test_no_population_spreads_one_per_node(toy: RoadNetwork, stations) -> None:
    r = static_coverage(toy, stations, None, tiers={"ground": GROUND}, minutes=np.array([3]))
    assert r.population_assumed
    assert _share(r, "joint", "ground", "all", 3) == pytest.approx(5 / 6)


def test_curve_is_monotone_and_counts_unreached_as_uncovered() -> None:
    t = np.array([0.0, 59.0, 61.0, np.inf])
    covered = coverage_curve(t, np.ones(4), np.array([0, 1, 2, 1000]))
    np.testing.assert_array_equal(covered, [1, 2, 3, 3])


def test_unknown_policy_and_jurisdiction(toy: RoadNetwork, stations) -> None:
    with pytest.raises(InputError, match="unknown policy 'mutual'"):
        static_coverage(toy, stations, POP, policies=("mutual",))
    bad = stations.assign(jurisdiction=["A", "Mars"])
    with pytest.raises(NetworkError, match=r"unknown jurisdiction 'Mars'.*A, B"):
        static_coverage(toy, bad, POP)
