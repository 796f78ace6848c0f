"""Clock time of a run: the scenario starts at a local time of day.

Whether it is night changes who a warning reaches and how fast people get going: at
night SMS and loudspeakers wake fewer people and the preparation before leaving takes
longer (Sorensen 2000, *Natural Hazards Review* 1(2): 119–125: warnings at night diffuse
more slowly; Kaixian 2003, ``docs/validation.md``: a night blowout where most victims
were not warned in time). The factors are the scenario's ``behaviour.night_*`` settings.
"""

from __future__ import annotations

import math


def parse_clock(text: str) -> float:
    """Seconds after midnight of ``"HH:MM"`` (00:00 to 23:59)."""
    hours, minutes = (int(part) for part in text.split(":"))
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(text)
    return hours * 3600.0 + minutes * 60.0


def is_clock(text: object) -> bool:
    """Return True when ``text`` is a valid ``"HH:MM"`` clock time."""
    if not isinstance(text, str) or len(text.split(":")) != 2:
        return False
    try:
        parse_clock(text)
    except ValueError:
        return False
    return True


class Clock:
    """Maps run time (s) to the time of day and tells night from day.

    Parameters
    ----------
    start
        Local time at ``t = 0``, ``"HH:MM"``.
    night_start, night_end
        The night, ``"HH:MM"``; it may run over midnight (``"22:00"`` to ``"06:00"``).
    """

    def __init__(self, start: str, night_start: str = "22:00", night_end: str = "06:00") -> None:
        self.start_s = parse_clock(start)
        self.night_start_s = parse_clock(night_start)
        self.night_end_s = parse_clock(night_end)

    def time_of_day_s(self, t_s: float) -> float:
        """Seconds after local midnight at run time ``t_s``."""
        return math.fmod(self.start_s + t_s, 86_400.0)

    def is_night(self, t_s: float) -> bool:
        """Return True when run time ``t_s`` falls in the night."""
        now = self.time_of_day_s(t_s)
        a, b = self.night_start_s, self.night_end_s
        return (a <= now or now < b) if a > b else (a <= now < b)

    def next_dawn_s(self, t_s: float) -> float:
        """Run time of the next end of night strictly after ``t_s`` (inf: no night)."""
        if self.night_start_s == self.night_end_s:
            return math.inf
        delta = math.fmod(self.night_end_s - self.time_of_day_s(t_s) + 86_400.0, 86_400.0)
        return t_s + (delta if delta > 0 else 86_400.0)

    def label(self, t_s: float) -> str:
        """``"HH:MM"`` at run time ``t_s``."""
        now = int(self.time_of_day_s(t_s)) // 60
        return f"{now // 60:02d}:{now % 60:02d}"
