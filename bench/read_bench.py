"""CPU and wall time of reading a tracker, repeated in one process.

```sh
.venv/bin/python bench/read_bench.py bench/out/trackers/tracker_100000.xlsx --repeat 5
.venv/bin/python bench/read_bench.py TRACKER --code ../other-checkout   # another version
```

Each repetition opens the tracker as a run does (the package guard, calamine's parse with the
error scan beside it, the rows) and reads it; it is timed with `time.process_time` (the CPU
of every thread, which a busy shared machine disturbs far less than wall time) and
`time.perf_counter`. The garbage collector is paused as in a run, and the rows are dropped
and collected between repetitions. `--code DIR` reads with the `batch` package of another
checkout; for one from before the workbook layer (no `batch/xlsx/`), its
`batch.tracker.read_tracker` is called instead.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


def reader(code: Path, tracker: Path) -> Callable[[], Any]:
    sys.path.insert(0, str(code))
    if (code / "batch" / "xlsx" / "workbook.py").exists():
        from batch.xlsx.workbook import XlsxTracker

        def read() -> Any:
            with XlsxTracker(tracker, writing=False) as workbook:
                return workbook.read()

        return read
    from batch.tracker import read_tracker

    return lambda: read_tracker(tracker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracker", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", type=Path, default=BENCH_DIR.parent)
    args = parser.parse_args()
    read = reader(args.code.resolve(), args.tracker)
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(args.repeat):
        gc.disable()
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        rows = len(read().rows)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
        gc.enable()
        gc.collect()
    print(
        f"{args.code}: {rows:,} rows read; CPU median {statistics.median(cpu):.3f} s "
        f"(runs {', '.join(f'{t:.3f}' for t in cpu)}); wall median "
        f"{statistics.median(wall):.3f} s"
    )


if __name__ == "__main__":
    main()
