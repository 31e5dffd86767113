"""Whole `followup run`s of several checkouts on one tracker, taking turns.

```sh
.venv/bin/python bench/compare_runs.py bench/out/trackers/tracker_100000.xlsx \\
    --turns 6 /path/to/older/checkout /path/to/this/checkout
```

Each turn runs every checkout once, in the order given, as a child process (`python -m batch
run COPY --today 2026-11-23 --drafts DIR`, the checkout first on PYTHONPATH) on a fresh copy
of the tracker, and records its wall time and CPU time (user + system, from `os.wait4`).
Taking turns, the checkouts meet the same moments of a shared machine; CPU time moves far
less with the load than wall time. It prints every run, then per checkout the medians and
the median of its per-turn ratios to the first checkout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(checkout: Path, tracker: Path, today: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and exit code of one run on a fresh copy."""
    work = Path(tempfile.mkdtemp(prefix="followup-compare-"))
    try:
        copy = work / tracker.name
        shutil.copy(tracker, copy)
        env = dict(os.environ, PYTHONPATH=str(checkout))
        argv = [sys.executable, "-m", "batch", "run", str(copy), "--today", today]
        argv += ["--drafts", str(work / "drafts")]
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tracker", type=Path)
    parser.add_argument("checkouts", type=Path, nargs="+")
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--today", default="2026-11-23")
    args = parser.parse_args()
    runs: dict[Path, list[tuple[float, float]]] = {checkout: [] for checkout in args.checkouts}
    for _ in range(args.turns):
        for checkout in args.checkouts:
            wall, cpu, code = run_once(checkout.resolve(), args.tracker.resolve(), args.today)
            runs[checkout].append((wall, cpu))
            print(f"{checkout}: wall {wall:.2f} s, CPU {cpu:.2f} s, exit {code}", flush=True)
    first = runs[args.checkouts[0]]
    for checkout, times in runs.items():
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        ratio = statistics.median(b[1] / a[1] for a, b in zip(first, times, strict=True))
        print(f"{checkout}: median wall {wall:.2f} s, CPU {cpu:.2f} s; CPU ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
