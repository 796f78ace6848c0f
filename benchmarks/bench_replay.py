"""Replay benchmarks: the default 6-hour run as a 720p MP4, a GIF and the HTML page.

Run: ``python benchmarks/bench_replay.py [RUN_DIR]``. Without ``RUN_DIR`` the default run
is made first (``sim run --out TMP/default-run``, about 10 s). Each output is rendered by
the real command (``sim animate``) in a child process and timed from the outside; the
targets of issue 6 are an MP4 in under 2 minutes and an HTML page under 20 MB.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MP4_LIMIT_S = 120.0
HTML_LIMIT_MB = 20.0


def _sim(*args: str) -> float:
    """Run ``sim ARGS`` (this interpreter), return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def bench(run_dir: Path, out_dir: Path) -> list[dict]:
    """Render the three formats of ``run_dir`` into ``out_dir`` and measure them."""
    results = []
    for fmt, limit in (("mp4", MP4_LIMIT_S), ("gif", None), ("html", None)):
        out = out_dir / f"replay.{fmt}"
        wall_s = _sim("animate", str(run_dir), "--format", fmt, "--out", str(out), "--no-progress")
        size_mb = out.stat().st_size / 1e6
        row = {"format": fmt, "wall_s": round(wall_s, 1), "size_mb": round(size_mb, 2)}
        if limit is not None:
            row["limit_s"] = limit
            row["ok"] = wall_s < limit
        if fmt == "html":
            row["limit_mb"] = HTML_LIMIT_MB
            row["ok"] = size_mb < HTML_LIMIT_MB
        results.append(row)
    return results


def main() -> None:
    """Make the default run when no folder is given, then print one JSON line per format."""
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    work = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    try:
        if len(sys.argv) > 1:
            run_dir = Path(sys.argv[1])
        else:
            run_dir = work / "default-run"
            run_s = _sim("run", "--out", str(run_dir), "--no-progress")
            print(json.dumps({"measure": "sim run (default scenario)", "wall_s": round(run_s, 1)}))
        for row in bench(run_dir, work):
            print(json.dumps({"measure": f"sim animate --format {row['format']}", **row}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
