"""Getting people out at an incident: a household at a time, shared by the teams there.

A team on scene takes the next household off the incident's waiting line when it
starts on it (digging a buried family out, helping a stranded one into the boat, taking
an elderly resident to the car), spends its kind's extraction time per person
(:meth:`sim.agents.rescue.RescueTeam.per_person_s`), and draws the household's fate on
the survival curve at the moment it is out (:meth:`sim.agents.operations.Operations.fates`).
It goes on to the next household until its load is full or nobody waits, then carries
the living to a shelter (:meth:`sim.agents.rescue.RescueTeam._deliver`).

Taking one household at a time is what lets teams share the work. In a first version a
team took its whole load off the line on arrival: at seed 0 of the landslide the first
of four ground teams at a burial (8 persons, 20 min each) took all eight and dug for
160 min, while the three that came 22 to 26 min later found nobody waiting and left;
all eight were dead by the time they were out.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.engine.incidents import record_at_incident

if TYPE_CHECKING:
    from sim.agents.rescue import RescueTeam
    from sim.engine.incidents import Incident, Unit


def take_out(
    team: RescueTeam, incident: Incident, load: int, shelter: int
) -> Generator[simpy.Event, None, tuple[list[Unit], tuple[int, int]] | None]:
    """Get up to ``load`` persons out of ``incident``, a household at a time (simpy sub-process).

    The first household goes whatever its size (a team makes room for a family); the
    next only if it fits in what is left of ``load``. Places at ``shelter`` (-1: it is
    chosen once they are out, see :meth:`sim.agents.operations.Operations.load_to_shelter`)
    are kept as each household is taken, and a household is taken only while the shelter
    has room for it.

    Returns
    -------
    tuple or None
        The households got out alive, and ``(shelter, places kept)``; None when nobody
        was waiting.
    """
    m = team.model
    size = m.households.size_persons
    checks = (
        lambda row: int(size[row]),
        lambda row: m.operations.present(incident, row),
        lambda row: m.operations.handed_over(incident, row),
    )
    per_s = team.per_person_s(incident.kind)
    horizon_s = m.scenario.horizon_s
    alive_units: list[Unit] = []
    taken = kept = dead = 0
    shown = [0, 0]  # persons alive and dead already in the event log
    while taken < load:
        room = None if taken == 0 else load - taken
        if room is not None and shelter >= 0:
            room = min(room, int(m.shelters.remaining_persons()[shelter]))
        unit = incident.take_next(room, *checks)
        if unit is None:
            break
        taken += unit.persons
        if shelter >= 0 and unit.row >= 0:
            m.shelters.hold(shelter, unit.persons)
            kept += unit.persons
        yield m.env.timeout(unit.persons * per_s)
        alive_now, dead_now = m.operations.fates(incident, [unit])
        # counted as each is out: a load the horizon cuts short keeps its count
        incident.got_out(unit, sum(u.persons for u in alive_now), dead_now, m.env.now)
        alive_units += alive_now
        dead += dead_now
        following = incident.next_persons(checks[0], checks[1])
        if following and taken < load and m.env.now + following * per_s >= horizon_s:
            # the next one would not be out by the horizon: log this load's part now
            log_out(team, incident, sum(u.persons for u in alive_units), dead, shown)
    if taken == 0:
        return None
    log_out(team, incident, sum(u.persons for u in alive_units), dead, shown)
    return alive_units, (shelter, kept)


def log_out(team: RescueTeam, incident: Incident, alive: int, dead: int, shown: list[int]) -> None:
    """Log the persons of a load got out alive (``rescued``) and dead, beyond ``shown``.

    ``shown`` (alive, dead already logged for this load) is brought up to date.
    """
    if alive > shown[0]:  # a load all dead, or logged already, is no rescue
        record_at_incident(
            team.model, "rescued", incident, tier=team.tier.name, value=alive - shown[0],
            agent=team.unique_id,
        )  # fmt: skip
    if dead > shown[1]:
        team.model.operations.record_died(incident, dead - shown[1])
    shown[:] = [alive, dead]
