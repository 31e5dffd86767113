"""Time the write-back alone: plan the owned cells and save them, several times in one process.

    .venv/bin/python bench/writeback_bench.py bench/out/trackers/tracker_100000.xlsx

A whole `followup run` on a big tracker swings by 20% from run to run on a shared machine, more
than a change to the writer moves it. This runs the pipeline once on a copy of the tracker,
and where the runner writes back it first repeats the write-back `--repeat` times on the same
file, each time put back as it was (bytes and modification time, so the save accepts it), and
times `plan_changes` and the save: CPU time of the main thread, of the whole process (the
sheet is deflated on a second thread) and wall time. It prints the medians, and checks every
repetition wrote the same bytes as the run's own write-back.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from make_trackers import RUN_DATE  # noqa: E402  (bench/ is not a package)

import batch.runner as runner  # noqa: E402
from batch.model import Tracker  # noqa: E402
from batch.runner import TrackerResult  # noqa: E402
from batch.tracker_format import TrackerFile  # noqa: E402

MEASURES = ("plan_changes CPU", "save CPU, main thread", "save CPU, all threads", "save wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracker", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=RUN_DATE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / args.tracker.name
        shutil.copy(args.tracker, copy)
        samples, digests = run_timed(copy, args.today, args.repeat)
    for name, values in zip(MEASURES, zip(*samples, strict=True), strict=True):
        runs = ", ".join(f"{value:.3f}" for value in values)
        print(f"{name}: median {statistics.median(values):.3f} s ({runs})")
    if len(digests) != 1:
        sys.exit(f"the repetitions wrote {len(digests)} different files")
    print(f"every write-back wrote the same bytes (sha256 {digests.pop()[:16]})")


def run_timed(
    path: Path, today: date, repeat: int
) -> tuple[list[tuple[float, float, float, float]], set[str]]:
    samples: list[tuple[float, float, float, float]] = []
    digests: set[str] = set()
    write_back = runner._write_back

    def timed_write_back(workbook: TrackerFile, tracker: Tracker, result: TrackerResult) -> None:
        original, status = path.read_bytes(), path.stat()
        for _ in range(repeat):
            path.write_bytes(original)
            os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
            thread = time.thread_time()
            result.changes = runner.plan_changes(tracker, result.rows)
            planned = time.thread_time() - thread
            thread, process, wall = time.thread_time(), time.process_time(), time.perf_counter()
            write_back(workbook, tracker, result)
            samples.append(
                (
                    planned,
                    time.thread_time() - thread,
                    time.process_time() - process,
                    time.perf_counter() - wall,
                )
            )
            digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
        path.write_bytes(original)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        write_back(workbook, tracker, result)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())

    runner._write_back = timed_write_back
    try:
        options = runner.RunOptions(today=today, drafts_dir=path.parent / "drafts")
        outcome = runner.run_trackers([path], options)[0]
    finally:
        runner._write_back = write_back
    if outcome.error is not None:
        sys.exit(f"the run failed: {outcome.error}")
    return samples, digests


if __name__ == "__main__":
    main()
