"""All households of a run as arrays, and the only code that changes their state.

State lives in a :class:`HouseholdTable` (so warnings, hazards and exposure are
vectorised); a :class:`sim.agents.household.Household` agent is a thin view of one row.
Every change of state goes through a method of the table: :meth:`~HouseholdTable.set_off`,
:meth:`~HouseholdTable.arrive`, :meth:`~HouseholdTable.strand`,
:meth:`~HouseholdTable.resume`, :meth:`~HouseholdTable.kill`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Household states (``HouseholdTable.state``): at home; on the way; in a shelter;
#: stranded (cut off by a hazard, or buried: an incident); dead (toxic exposure, or died
#: waiting for rescue); sheltering in place (at home, windows shut, as a warning said);
#: unsheltered (out of the house, waiting in the open: no shelter with room could be
#: reached; a flood reaching them strands them).
AT_HOME, ON_ROAD, SHELTERED, STRANDED, DEAD, SHELTERING, UNSHELTERED = range(7)
STATE_NAMES = (
    "at_home",
    "on_road",
    "sheltered",
    "stranded",
    "dead",
    "sheltering_in_place",
    "unsheltered",
)


@dataclass(kw_only=True, eq=False)
class HouseholdTable:
    """All households of a run as arrays (index = household row).

    Attributes
    ----------
    home_node, node
        Home node, and the node where the household is now (on foot: the last node it
        passed before the latest hazard step, or where its walk began; see
        :meth:`sim.agents.walks.Walks.place`).
    size_persons, has_vehicle, jurisdiction
        Persons, whether it drives, and its home jurisdiction index.
    state
        One of the state codes above.
    warned_level, warned_time_s
        Highest warning level heard (-1: none) and when it was first heard.
    depart_time_s, arrive_time_s, shelter
        When it set off (or is due to), arrived, and at which shelter (-1: none).
    contacts
        Warnings that reached it (by a channel, at a higher level, or at the door).
    last_contact_s
        When the latest of them reached it.
    acted_at_contact
        The contact at which it acted on a warning (left or sheltered in place; 0: not).
    vulnerable
        Cannot leave without help (transferred by responders in an ``immediate`` zone).
    died_where
        Where it died (``-1`` alive; else the index into :data:`STATE_NAMES` of the state
        it was in: at home, on the way, in a shelter, stranded, sheltering in place).
    left_home
        Whether it set off (on its own, or taken out by a team), whatever came after.
    all_clear_s
        When it left its sealed home on the all-clear (inf: it did not, or never sealed).
    left_car
        Whether it left its car where no road led on for cars, and went on on foot.
    """

    home_node: np.ndarray
    size_persons: np.ndarray
    has_vehicle: np.ndarray
    jurisdiction: np.ndarray
    state: np.ndarray
    node: np.ndarray
    warned_level: np.ndarray
    warned_time_s: np.ndarray
    depart_time_s: np.ndarray
    arrive_time_s: np.ndarray
    shelter: np.ndarray
    contacts: np.ndarray
    last_contact_s: np.ndarray
    acted_at_contact: np.ndarray
    vulnerable: np.ndarray
    died_where: np.ndarray
    left_home: np.ndarray
    all_clear_s: np.ndarray
    left_car: np.ndarray

    @property
    def n(self) -> int:
        """Number of households."""
        return int(self.home_node.shape[0])

    # ------------------------------------------------------------------ queries
    def caught_on(self, node_mask: np.ndarray) -> np.ndarray:
        """Rows of households a hazard reaching ``node_mask`` catches there.

        Those at home, and those waiting in the open (*unsheltered*: no shelter had
        room, or a team could take them no farther): water rising there strands them too.
        """
        waiting = (self.state == AT_HOME) | (self.state == UNSHELTERED)
        return np.nonzero(waiting & node_mask[self.node])[0]

    def by_home(self, n_nodes: int) -> dict[str, np.ndarray]:
        """Persons per home node (length ``n_nodes``), by what became of them.

        ``departed``: left home, on their own or with a team; ``sheltered``: reached a
        shelter; ``dead``.
        """
        masks = {
            "departed": self.left_home,
            "sheltered": np.isfinite(self.arrive_time_s),
            "dead": self.state == DEAD,
        }
        return {
            name: np.bincount(
                self.home_node[mask], weights=self.size_persons[mask], minlength=n_nodes
            ).astype(np.int64)
            for name, mask in masks.items()
        }

    def drives(self, row: int) -> bool:
        """Whether household ``row`` travels by car: it has one and has not left it."""
        return bool(self.has_vehicle[row] and not self.left_car[row])

    def alive(self) -> np.ndarray:
        """Boolean mask of households not dead."""
        return self.state != DEAD

    def persons_per_node(self, rows: np.ndarray) -> np.ndarray:
        """Persons of households ``rows`` summed per node they are at (length: max node + 1)."""
        return np.bincount(self.node[rows], weights=self.size_persons[rows])

    def persons_by_state(self) -> dict[str, int]:
        """Persons in each state (they always sum to the population)."""
        counts = np.bincount(self.state, weights=self.size_persons, minlength=len(STATE_NAMES))
        return {name: int(c) for name, c in zip(STATE_NAMES, counts, strict=True)}

    def summary(self) -> dict:
        """``persons`` by state and the number of ``households``, for ``summary.json``."""
        return {"persons": self.persons_by_state(), "households": self.n}

    def deaths_by_place(self) -> dict[str, int]:
        """Persons dead by where they died (the state they were in)."""
        dead = self.state == DEAD
        counts = np.bincount(
            self.died_where[dead], weights=self.size_persons[dead], minlength=len(STATE_NAMES)
        )
        return {
            place: int(counts[code])
            for place, code in (
                ("at_home", AT_HOME),
                ("on_the_way", ON_ROAD),
                ("in_shelter", SHELTERED),
                ("stranded", STRANDED),
                ("sheltering_in_place", SHELTERING),
                ("unsheltered", UNSHELTERED),
            )
        }

    # ------------------------------------------------------------------ changes
    def warn(self, rows: np.ndarray, level: int, receipt_s: np.ndarray) -> None:
        """Record that households ``rows`` hear a warning of ``level`` at ``receipt_s``."""
        self.warned_level[rows] = np.maximum(self.warned_level[rows], level)
        self.warned_time_s[rows] = np.minimum(self.warned_time_s[rows], receipt_s)
        self.contacts[rows] += 1
        self.last_contact_s[rows] = receipt_s

    def plan_departure(self, rows: np.ndarray, depart_s: np.ndarray) -> None:
        """Households ``rows`` decided to leave and will set off at ``depart_s``."""
        self.depart_time_s[rows] = depart_s

    def set_off(self, row: int, now_s: float) -> None:
        """Record that household ``row`` leaves home now."""
        self.state[row] = ON_ROAD
        self.depart_time_s[row] = now_s
        self.left_home[row] = True

    def arrive(self, row: int, shelter: int, now_s: float) -> None:
        """Record that household ``row`` reaches ``shelter`` now."""
        self.state[row] = SHELTERED
        self.shelter[row] = shelter
        self.arrive_time_s[row] = now_s

    def strand(self, rows: np.ndarray | int) -> None:
        """Strand households ``rows``: they can go nowhere (no route, water at home, buried)."""
        self.state[rows] = STRANDED

    def resume(self, row: int) -> None:
        """Record that stranded household ``row`` sets off again."""
        self.state[row] = ON_ROAD

    def kill(self, rows: np.ndarray | int) -> None:
        """Record that households ``rows`` died (toxic load, or waiting for rescue)."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        alive = rows[self.state[rows] != DEAD]
        self.died_where[alive] = self.state[alive]
        self.state[alive] = DEAD

    def shelter_in_place(self, rows: np.ndarray) -> None:
        """Record that households ``rows`` stay at home with windows and doors shut."""
        self.state[rows] = SHELTERING

    def end_shelter_in_place(self, rows: np.ndarray, now_s: float) -> None:
        """Households ``rows`` open their sealed homes: the plume has passed (all-clear)."""
        self.state[rows] = AT_HOME
        self.all_clear_s[rows] = now_s

    def sheltered_in_place(self) -> np.ndarray:
        """Mask of households that sheltered in place (still, until the all-clear, or died so)."""
        return (
            (self.state == SHELTERING)
            | ((self.state == DEAD) & (self.died_where == SHELTERING))
            | np.isfinite(self.all_clear_s)
        )

    def unshelter(self, row: int) -> None:
        """Record that household ``row`` found no shelter with room anywhere."""
        self.state[row] = UNSHELTERED

    def leave_shelter(self, row: int) -> None:
        """Record that household ``row`` leaves its shelter (unsafe now) and travels again."""
        self.state[row] = ON_ROAD
        self.shelter[row] = -1


def households_from_population(
    node_population_persons: np.ndarray,
    jurisdiction: np.ndarray,
    *,
    mean_size_persons: float,
    vehicle_share: float,
    rng: np.random.Generator,
    vulnerable_share: float = 0.0,
) -> HouseholdTable:
    """Split each node's residents into households (sizes 1 + Poisson(mean - 1)).

    Persons are conserved exactly: household sizes are drawn for the whole population
    and cut at node boundaries, so every node's households sum to its residents. A
    share ``vulnerable_share`` of households cannot leave without help (drawn after the
    vehicles, so the share does not change who drives; share 0 draws nothing).
    """
    persons = np.asarray(node_population_persons, dtype=np.int64)
    total = int(persons.sum())
    node_end = np.cumsum(persons)
    n_draw = int(total / mean_size_persons * 1.1) + 16
    sizes = 1 + rng.poisson(mean_size_persons - 1.0, size=n_draw)
    while sizes.sum() < total:
        sizes = np.concatenate([sizes, 1 + rng.poisson(mean_size_persons - 1.0, size=n_draw)])
    cuts = np.cumsum(sizes)
    cuts = np.union1d(cuts[cuts < total], node_end[(node_end > 0) & (node_end < total)])
    starts = np.concatenate(([0], cuts)).astype(np.int64)
    size = np.diff(np.concatenate((starts, [total]))).astype(np.int32)
    home = np.searchsorted(node_end, starts, side="right").astype(np.int64)
    n = home.shape[0] if total > 0 else 0
    home, size = home[:n], size[:n]
    return HouseholdTable(
        home_node=home,
        size_persons=size,
        has_vehicle=rng.random(n) < vehicle_share,
        jurisdiction=np.asarray(jurisdiction)[home].astype(np.int8),
        state=np.full(n, AT_HOME, dtype=np.int8),
        node=home.copy(),
        warned_level=np.full(n, -1, dtype=np.int8),
        warned_time_s=np.full(n, np.inf),
        depart_time_s=np.full(n, np.inf),
        arrive_time_s=np.full(n, np.inf),
        shelter=np.full(n, -1, dtype=np.int64),
        contacts=np.zeros(n, dtype=np.int16),
        last_contact_s=np.full(n, -np.inf),
        acted_at_contact=np.zeros(n, dtype=np.int16),
        vulnerable=(rng.random(n) < vulnerable_share) if vulnerable_share else np.zeros(n, bool),
        died_where=np.full(n, -1, dtype=np.int8),
        left_home=np.zeros(n, dtype=bool),
        all_clear_s=np.full(n, np.inf),
        left_car=np.zeros(n, dtype=bool),
    )
