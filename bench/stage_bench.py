"""CPU time of the stages after the read, on one tracker read once.

```sh
.venv/bin/python bench/stage_bench.py bench/out/trackers/tracker_100000.xlsx --repeat 5
```

The tracker is read once; then each repetition runs the runner's stages on it in order and
times each with `time.process_time` (CPU time, which a busy shared machine disturbs far less
than wall time): deciding, rendering the drafts, planning their files (as a dry run, so no
file is created), collecting the rows, planning the write-back, adding the rows to the review
page and calendar, and writing those two into a temporary folder. It prints the median and
the lowest time of each stage.

Before each repetition the caches of `batch` (its `functools.lru_cache` functions) are
emptied and the config loaded again, so every repetition pays what a run pays. The garbage
collector is switched as in a run: off while the tracker file is open (up to the write-back),
then on with what was made meanwhile frozen.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from batch import runner  # noqa: E402  (the package of this checkout)
from batch.config import load_config  # noqa: E402
from batch.ics import PUBLISHED_NAME, write_calendar  # noqa: E402
from batch.review import write_review_page  # noqa: E402
from batch.tracker_format import open_tracker  # noqa: E402

T = TypeVar("T")


def clear_caches() -> None:
    """Empty every `functools.lru_cache` of the batch package."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "batch" or name.startswith("batch.")):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


class Clock:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}

    def run(self, stage: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        start = time.process_time()
        result = function(*args, **kwargs)
        self.times.setdefault(stage, []).append(time.process_time() - start)
        return result


def repetition(tracker_path: Path, tracker: Any, today: date, work: Path, clock: Clock) -> None:
    clear_caches()
    config = load_config(None, tracker_path)
    options = runner.RunOptions(today=today, drafts_dir=work / "drafts", dry_run=True)
    gc.disable()
    decided = clock.run("decide_rows", runner.decide_rows, tracker, today, config)
    clock.run("reading_notes", runner.reading_notes, tracker, config)
    drafts = clock.run(
        "render_drafts", runner._render_drafts, tracker_path, decided, config, options, today
    )
    result = runner.TrackerResult(tracker_path, today=today, tracker=tracker)
    clock.run(
        "write_drafts (dry run)", runner._write_drafts, tracker_path, drafts, today, options, result
    )
    clock.run("_collect_rows", runner._collect_rows, result, decided, drafts.rendered, drafts.paths)
    clock.run("plan_changes", runner.plan_changes, tracker, result.rows)
    gc.freeze()  # as the tracker file closes in a run
    gc.enable()
    pages: dict[Path, Any] = {}
    clock.run("_add_to_page", runner._add_to_page, pages, result, drafts)
    (page,) = pages.values()
    out = Path(tempfile.mkdtemp(dir=work))
    clock.run(
        "write_review_page",
        write_review_page,
        page.entries,
        out / "review.html",
        today,
        page.templates,
        page.tallies,
    )
    clock.run(
        "write_calendar",
        write_calendar,
        page.events,
        out / "followups.ics",
        today,
        published=out / PUBLISHED_NAME,
        trackers=[tracker_path],
    )
    del decided, drafts, result, pages, page
    gc.unfreeze()
    gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tracker", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="followup-stages-"))
    try:
        copy = work / args.tracker.name
        shutil.copy(args.tracker, copy)
        config = load_config(None, copy)
        options = runner.RunOptions(today=args.today, dry_run=True)
        with open_tracker(copy, writing=False) as workbook:
            tracker = runner.read_tracker_file(workbook, config, options)
        gc.collect()
        gc.freeze()
        clock = Clock()
        for _ in range(args.repeat):
            repetition(copy, tracker, args.today, work, clock)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(tracker.rows)} rows, {args.repeat} repetitions, CPU time (median, lowest):")
    total = 0.0
    for stage, times in clock.times.items():
        median = statistics.median(times)
        total += median
        print(f"  {stage:24} {median * 1000:7.0f} ms  {min(times) * 1000:7.0f} ms")
    print(f"  {'all of them':24} {total * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
