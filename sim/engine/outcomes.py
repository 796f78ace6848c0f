"""What happened to the residents: casualties by place and side, protective actions.

The parts of ``summary.json`` a planner reads first, from the household table and the
gas hazard's exposure record:

- ``casualties``: persons dead by where they died (``at_home``, ``on_the_way``,
  ``in_shelter``, ``sheltering_in_place``, ``stranded`` (cut off or buried, waiting for
  a team; also the persons of scripted incidents who died waiting), ``unsheltered``),
  persons injured (reached AEGL-2 and survived) by where the dose crossed AEGL-2, and
  both per jurisdiction; ``dead_in_scripted_incidents``: those of the dead who were not
  residents but persons of scripted incidents;
- ``protective_action``: residents who left home (``evacuated``: on their own or taken
  out by a team, whatever happened to them after), who sheltered in place (also those
  who opened their homes on the all-clear, ``all_clear_persons`` of them), and who
  stayed at home (stranded, buried or dead there included); they sum to the residents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.households import DEAD, STATE_NAMES

if TYPE_CHECKING:
    from sim.engine.model import EmergencyModel

#: Summary names of the places a casualty happened, by household state code.
PLACES = {
    "at_home": STATE_NAMES.index("at_home"),
    "on_the_way": STATE_NAMES.index("on_road"),
    "in_shelter": STATE_NAMES.index("sheltered"),
    "sheltering_in_place": STATE_NAMES.index("sheltering_in_place"),
    "stranded": STATE_NAMES.index("stranded"),
    "unsheltered": STATE_NAMES.index("unsheltered"),
}


def _by_place(where: np.ndarray, persons: np.ndarray) -> dict[str, int]:
    counts = np.bincount(where, weights=persons, minlength=len(STATE_NAMES))
    return {place: int(counts[code]) for place, code in PLACES.items()}


def casualties(model: EmergencyModel) -> dict:
    """Dead and injured residents by place and by jurisdiction (see module docs)."""
    t = model.households
    size = t.size_persons
    dead = t.state == DEAD
    gas = model.hazards.get("plume")
    injured_where = gas.injured_where if gas is not None else np.full(t.n, -1, np.int8)
    injured = (injured_where >= 0) & ~dead
    names = model.network.jurisdiction_names
    # persons of scripted incidents (no households behind them) who died waiting
    scripted = np.zeros(len(names), dtype=np.int64)
    for incident in model.dispatcher.incidents:
        if not incident.households:
            scripted[incident.jurisdiction] += incident.persons_died
    by_side = {}
    for j, name in enumerate(names):
        mine = t.jurisdiction == j
        by_side[name] = {
            "dead": int(size[dead & mine].sum() + scripted[j]),
            "injured": int(size[injured & mine].sum()),
        }
    places = _by_place(t.died_where[dead], size[dead])
    places["stranded"] += int(scripted.sum())
    return {
        "dead": int(size[dead].sum() + scripted.sum()),
        "injured": int(size[injured].sum()),
        "dead_by_place": places,
        "dead_in_scripted_incidents": int(scripted.sum()),
        "injured_by_place": _by_place(injured_where[injured], size[injured]),
        "by_jurisdiction": by_side,
    }


def protective_action(model: EmergencyModel) -> dict[str, int]:
    """Persons by the protective action they took (see module docs)."""
    t = model.households
    size = t.size_persons
    sheltered = t.sheltered_in_place()
    evacuated = t.left_home & ~sheltered
    return {
        "evacuated_persons": int(size[evacuated].sum()),
        "sheltered_in_place_persons": int(size[sheltered].sum()),
        "all_clear_persons": int(size[np.isfinite(t.all_clear_s)].sum()),
        "stayed_at_home_persons": int(size[~evacuated & ~sheltered].sum()),
    }
