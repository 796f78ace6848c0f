"""Running a simpy clock to a horizon in chunks, with an optional progress bar.

The bar counts simulated minutes and finishes at 100 % (it stays on the screen), so a
finished run never looks stopped half-way. ``progress=None`` means "on when standard
error is a terminal", the default of :func:`sim.run`.
"""

from __future__ import annotations

import sys

import simpy


def progress_wanted(progress: bool | None) -> bool:
    """Return ``progress``, or whether standard error is a terminal when it is None."""
    if progress is not None:
        return bool(progress)
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def run_clock(
    env: simpy.Environment,
    horizon_s: float,
    *,
    progress: bool | None = False,
    chunk_s: float = 300.0,
    label: str = "",
) -> None:
    """Run ``env`` from where its clock stands until ``horizon_s`` seconds, in ``chunk_s`` steps.

    A clock already at the horizon does not move (running a finished model again is a
    no-op, not simpy's "until must be greater than the current time").

    Parameters
    ----------
    env
        The run's clock.
    horizon_s
        Time to run to, in seconds from the scenario start.
    progress
        Show a bar of simulated minutes on standard error (None: when it is a terminal).
    chunk_s
        Simulated seconds between bar updates.
    label
        The bar's description (the scenario name).
    """
    bar = None
    if progress_wanted(progress):
        from tqdm import tqdm

        bar = tqdm(total=round(horizon_s / 60), unit="sim-min", desc=label, leave=True)
    t = float(env.now)
    if bar is not None:
        bar.update(min(round(t / 60), bar.total))
    try:
        while t < horizon_s:
            t = min(t + chunk_s, horizon_s)
            env.run(until=t)
            if bar is not None:
                bar.update(round(t / 60) - bar.n)
    finally:
        if bar is not None:
            bar.close()
