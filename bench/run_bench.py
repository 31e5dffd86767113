"""The `followup` benchmark: real CLI runs on generated trackers, against openpyxl's round trip.

    .venv/bin/python bench/run_bench.py [--sizes 500,10000,100000] [--skip-baseline]
                                        [--repeat 3] [--out bench/out] [--profile SIZE]

For each size it generates (once, cached by the generator's hash) a realistic tracker with
`bench/make_trackers.py`, then on a fresh copy each time:

- runs `python -m batch run TRACKER --today 2026-11-23 --drafts DIR` as a child process
  and measures its wall time and peak RSS (`os.wait4` rusage; ru_maxrss is KiB on Linux);
- runs the same pipeline in a child that times its phases (read, decide, write-back, drafts)
  by wrapping the stage functions that `batch.runner` calls with `time.perf_counter`; a phase
  whose module is not there yet shows "n/a";
- runs the baseline, `openpyxl.load_workbook(path)` + `wb.save(out)`, in a child, taking
  turns with the CLI `--repeat` times (3 by default), and reports the ratio of the median
  CLI wall time to the median baseline (and the highest peak RSS of the CLI runs).

It also measures `followup --help` start-up (and checks it imports no pandas) and the time to
render and write 1,000 due drafts (median of `--repeat` runs), prints one markdown table plus
the machine, checks the targets below and exits 1 when one fails. Speed is asserted here only,
never in unit tests.

| target | limit |
|---|---|
| 500 rows end to end, start-up included | <= 1.5 s wall |
| 100,000 rows | <= 0.15 x the openpyxl round trip of the same run; peak RSS <= 1 GiB |
| linear growth | total(100,000) / total(10,000) <= 12 |
| 1,000 due drafts rendered and written | <= 2 s |

`--profile SIZE` also runs the CLI on that size under cProfile, writes
`OUT/profile_SIZE.prof` and prints the functions that take the most time.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from make_trackers import RUN_DATE, tracker_name  # noqa: E402  (bench/ is not a package)

GIB = 1024**3
DEFAULT_SIZES = (500, 10_000, 100_000)
PHASES = ("read", "decide", "write-back", "drafts")

# The stage functions and their phase. They are wrapped where they are defined and where
# `batch.runner` imported them, so calls through either name are timed; one that does not
# exist (yet) is skipped and its phase shows "n/a".
STAGES: tuple[tuple[str, str, str], ...] = (
    ("batch.config", "load_config", "read"),
    ("batch.tracker", "read_tracker", "read"),
    ("batch.runner", "decide_rows", "decide"),
    ("batch.rules", "decide", "decide"),
    ("batch.runner", "plan_changes", "write-back"),
    ("batch.safe_save", "save_edits", "write-back"),
    ("batch.safe_save", "save_rewritten", "write-back"),
    ("batch.xlsx_writer", "write_edits", "write-back"),
    ("batch.drafts", "render_drafts", "drafts"),
    ("batch.drafts", "write_drafts", "drafts"),
    ("batch.review", "write_review_page", "drafts"),
    ("batch.ics", "write_calendar", "drafts"),
)


@dataclass
class ChildRun:
    """One child process: how long it took, how much memory it held, what it said."""

    wall: float
    max_rss_bytes: int
    exit_code: int
    stdout: str
    stderr: str


def run_child(
    argv: Sequence[str], *, cwd: Path = REPO, env: dict[str, str] | None = None
) -> ChildRun:
    """Run argv and wait for it with os.wait4, which gives this child's own rusage."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-out.txt"
    err_path = out_path.with_name(f"bench-{os.getpid()}-err.txt")
    child_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=child_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    out_path.unlink()
    err_path.unlink()
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return ChildRun(wall, usage.ru_maxrss * scale, process.returncode, stdout, stderr)


# --- trackers --------------------------------------------------------------------------


def generator_stamp() -> str:
    source = (BENCH_DIR / "make_trackers.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


GENERATE_CODE = """
import json, sys
from datetime import date
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import make_trackers
options = json.loads(sys.argv[4])
if "today" in options:
    options["today"] = date.fromisoformat(options["today"])
kinds = getattr(make_trackers, sys.argv[2])(Path(sys.argv[3]), **options)
print(json.dumps(dict(kinds)))
"""


def ensure_tracker(
    folder: Path, name: str, function: str, **options: Any
) -> tuple[Path, dict[str, int]]:
    """The generated tracker and its row kinds, regenerated only when the generator changed.

    It is generated in a child process: Linux hands a parent's peak RSS on to the children it
    forks (ru_maxrss survives exec), so a parent that held a big workbook in memory would
    inflate every peak RSS measured after it.
    """
    path = folder / name
    stamp = path.with_suffix(".stamp.json")
    if path.exists() and stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("generator") == generator_stamp():
            return path, dict(saved["kinds"])
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    argv = [sys.executable, "-c", GENERATE_CODE, str(BENCH_DIR), function, str(path)]
    child = run_child([*argv, json.dumps(options, default=str)])
    if child.exit_code != 0:
        raise RuntimeError(f"generating {path} failed: {child.stderr.strip()[-500:]}")
    kinds = json.loads(child.stdout.strip().splitlines()[-1])
    stamp.write_text(json.dumps({"generator": generator_stamp(), "kinds": kinds}))
    print(f"generated {path} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return path, kinds


# The status `followup run` should give each kind of generated row, as its summary line
# words it (batch.report.SUMMARY_ORDER).
SUMMARY_LABEL_OF_KIND = {
    "closed": "closed",
    "waiting_checkin": "waiting",
    "waiting_reminder": "waiting",
    "waiting_move_on": "waiting",
    "replied": "waiting",
    "move_on": "move on",
    "stale": "move on",
    "upcoming": "upcoming",
    "no_interview": "no interview",
    "needs_attention": "needs attention",
    "due_today": "due today",
    "overdue": "overdue",
}
SUMMARY_LABELS = tuple(dict.fromkeys(SUMMARY_LABEL_OF_KIND.values()))


def expected_summary(kinds: Mapping[str, int]) -> dict[str, int]:
    expected = dict.fromkeys(SUMMARY_LABELS, 0)
    for kind, count in kinds.items():
        expected[SUMMARY_LABEL_OF_KIND[kind]] += count
    return expected


def parse_summary(stdout: str) -> dict[str, int] | None:
    """The counts of the run's summary line ("3 due today, 2 overdue, ..."), if printed."""
    pattern = re.compile(r"(\d+) (" + "|".join(map(re.escape, SUMMARY_LABELS)) + r")\b")
    for line in stdout.splitlines():
        found = {label: int(n) for n, label in pattern.findall(line)}
        if len(found) >= len(SUMMARY_LABELS) // 2:
            return {label: found.get(label, 0) for label in SUMMARY_LABELS}
    return None


# Every measured run gets a folder of its own, and run folders are deleted only when the
# bench ends (`clear_runs`). On this machine's ext4 (mounted without a journal), a file
# created within 30 s of thousands being deleted nearby costs up to a millisecond of kernel
# time (ext4 skips recently deleted inodes, checking each one), so deleting the previous run's
# 1,600 drafts just before the next run charged the bench's own clean-up to that run: 0.05 s
# or 2 s for the same drafts. A user's daily run does not follow a mass delete.
_RUN_NUMBERS = itertools.count(1)


def fresh_copy(tracker: Path, work: Path) -> tuple[Path, Path]:
    """A new folder (`work` numbered) with a copy of the tracker; its drafts folder path."""
    folder = work.with_name(f"{work.name}-{next(_RUN_NUMBERS)}")
    folder.mkdir(parents=True)
    copy = folder / tracker.name
    shutil.copyfile(tracker, copy)
    return copy, folder / "drafts"


def set_runs_aside(runs: Path) -> list[Path]:
    """Rename what earlier benches left in `runs` out of the way (cheap), to delete at the end."""
    if not runs.exists():
        return []
    aside = runs.with_name(f"{runs.name}-old-{time.time_ns()}")
    runs.rename(aside)
    return [aside]


def clear_runs(folders: Sequence[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def count_files(folder: Path, suffix: str) -> int:
    return sum(1 for _ in folder.rglob(f"*{suffix}")) if folder.exists() else 0


# --- measurements ----------------------------------------------------------------------


def cli_argv(tracker: Path, drafts: Path, today: date) -> list[str]:
    return [
        sys.executable,
        "-m",
        "batch",
        "run",
        str(tracker),
        "--today",
        today.isoformat(),
        "--drafts",
        str(drafts),
    ]


@dataclass
class CliResult:
    wall: float
    max_rss_bytes: int
    exit_code: int
    emails: int
    error: str | None
    summary: dict[str, int] | None = None
    walls: tuple[float, ...] = ()  # every run's wall time, fastest first


def measure_size(
    tracker: Path, work: Path, today: date, repeat: int, with_baseline: bool
) -> tuple[CliResult, list[ChildRun]]:
    """The CLI end to end and the baseline, each on a fresh copy, taking turns `repeat` times.

    Taking turns, both meet the same slow and fast moments of a shared machine (here other
    machines' work takes 15-30% of the CPU now and then), so their ratio holds steadier than
    either time. The baseline runs come back fastest first.
    """
    runs: list[tuple[ChildRun, int]] = []
    baselines: list[ChildRun] = []
    for _ in range(repeat):
        copy, drafts = fresh_copy(tracker, work)
        child = run_child(cli_argv(copy, drafts, today))
        runs.append((child, count_files(drafts, ".eml")))
        if child.exit_code not in (0, 1):
            break
        if with_baseline:
            baselines.append(measure_baseline(tracker, work))
    baselines.sort(key=lambda run: run.wall)
    return cli_result(runs), baselines


def cli_result(runs: list[tuple[ChildRun, int]]) -> CliResult:
    """The median run (by wall time) of the CLI runs, with the highest peak RSS of them all."""
    runs.sort(key=lambda item: item[0].wall)
    child, emails = runs[len(runs) // 2]
    error = None
    if "Traceback (most recent call last)" in child.stderr:
        lines = child.stderr.strip().splitlines()
        error = f"crashed: {lines[-1]}"
    elif child.exit_code not in (0, 1):
        lines = (child.stderr or child.stdout).strip().splitlines()
        error = f"exit {child.exit_code}: {lines[-1] if lines else '(no output)'}"
    peak = max(run.max_rss_bytes for run, _ in runs)
    summary = parse_summary(child.stdout)
    walls = tuple(run.wall for run, _ in runs)
    return CliResult(child.wall, peak, child.exit_code, emails, error, summary, walls)


BASELINE_CODE = """
import sys, openpyxl
workbook = openpyxl.load_workbook(sys.argv[1])
workbook.save(sys.argv[2])
"""


def measure_baseline(tracker: Path, work: Path) -> ChildRun:
    copy, _ = fresh_copy(tracker, work)
    child = run_child(
        [sys.executable, "-c", BASELINE_CODE, str(copy), str(copy.parent / "saved.xlsx")]
    )
    if child.exit_code != 0:
        raise RuntimeError(f"openpyxl baseline failed: {child.stderr.strip()[-500:]}")
    return child


def measure_phases(tracker: Path, work: Path, today: date) -> dict[str, Any]:
    """Phase timings from a child running this file with --phases-child."""
    copy, drafts = fresh_copy(tracker, work)
    argv = [sys.executable, str(Path(__file__).resolve()), "--phases-child", str(copy)]
    argv += ["--today", today.isoformat(), "--drafts-dir", str(drafts)]
    child = run_child(argv)
    for line in reversed(child.stdout.strip().splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            result["emails"] = count_files(drafts, ".eml")
            return result
    tail = (child.stderr or child.stdout).strip().splitlines()[-3:]
    return {"error": " | ".join(tail) or f"exit {child.exit_code}"}


def measure_drafts(tracker: Path, work: Path, today: date, repeat: int) -> dict[str, Any]:
    """The phase timings of the run whose drafts phase is the median of `repeat` runs.

    Creating ~1,600 files is at the mercy of the disk and whatever else runs on the machine
    (the same run took 0.5 to 2 s here), so like the CLI runs this one is repeated and the
    median run reported.
    """
    runs = [measure_phases(tracker, work, today) for _ in range(max(1, repeat))]
    failed = [run for run in runs if run.get("error") or run.get("drafts") is None]
    if failed:
        return failed[0]
    runs.sort(key=lambda run: float(run["drafts"]))
    median = runs[len(runs) // 2]
    median["drafts_runs"] = [run["drafts"] for run in runs]
    return median


@dataclass
class Startup:
    wall: float
    pandas_imported: bool | None
    heavy_modules: list[str]
    error: str | None = None


HEAVY_MODULES = ("pandas", "numpy", "openpyxl", "python_calamine", "jinja2", "holidays", "lxml")


def measure_startup(repeat: int = 5) -> Startup:
    """`followup --help` wall time (best of `repeat`) and what it imports."""
    walls = []
    for _ in range(repeat):
        child = run_child([sys.executable, "-m", "batch", "--help"])
        if child.exit_code != 0:
            return Startup(0.0, None, [], f"exit {child.exit_code}: {child.stderr.strip()[-200:]}")
        walls.append(child.wall)
    traced = run_child([sys.executable, "-X", "importtime", "-m", "batch", "--help"])
    imported = set()
    for line in traced.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            imported.add(module.split(".")[0])
    heavy = [name for name in HEAVY_MODULES if name in imported]
    return Startup(min(walls), "pandas" in imported, heavy)


# --- the phase-timing child ------------------------------------------------------------


def peak_rss_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class PhaseClock:
    """Adds up the wall time of stage calls by phase, counting only the outermost call."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.stages: dict[str, float] = {}
        # the process's peak RSS (bytes) right after each stage: it only grows, so the stage
        # where it jumps is the one that needed the memory
        self.peak_after: dict[str, int] = {}
        self.depth = 0

    def wrap(
        self, function: Callable[..., Any], phase: str, label: str | None = None
    ) -> Callable[..., Any]:
        label = label or function.__name__

        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return function(*args, **kwargs)
            self.depth += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.depth -= 1
                elapsed = time.perf_counter() - start
                self.seconds[phase] = self.seconds.get(phase, 0.0) + elapsed
                self.stages[label] = self.stages.get(label, 0.0) + elapsed
                self.peak_after[label] = peak_rss_bytes()

        timed.__wrapped__ = function  # type: ignore[attr-defined]
        return timed


def wrap_stages(clock: PhaseClock) -> list[str]:
    """Replace each stage function of STAGES by a timed one; return the ones found."""
    import importlib

    runner = importlib.import_module("batch.runner")
    wrapped = []
    for module_name, name, phase in STAGES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        original = getattr(module, name, None)
        if original is None or not callable(original):
            continue
        timed = clock.wrap(original, phase, name)
        setattr(module, name, timed)
        if getattr(runner, name, None) is original:
            setattr(runner, name, timed)
        wrapped.append(f"{module_name}.{name}")
    return wrapped


def phases_child(tracker: Path, today: date, drafts: Path) -> None:
    """Run the pipeline in this process with its stage functions timed; print one JSON line."""
    import inspect

    clock = PhaseClock()
    result: dict[str, Any] = {}
    start = time.perf_counter()
    import batch.runner as runner  # timed: it imports the stage modules

    result["import"] = time.perf_counter() - start
    result["wrapped"] = wrap_stages(clock)
    start = time.perf_counter()
    if hasattr(runner, "run_trackers"):
        options = runner.RunOptions(today=today, drafts_dir=drafts)
        parameters = inspect.signature(runner.run_trackers).parameters
        extra: dict[str, Any] = {"show_progress": False} if "show_progress" in parameters else {}
        outcome = runner.run_trackers([tracker], options, **extra)[0]
        result["error"] = outcome.error
        result["rows"] = len(outcome.rows)
        result["drafted_rows"] = sum(1 for r in outcome.rows if r.drafts)
        result["pipeline"] = "batch.runner.run_trackers"
    else:
        result.update(direct_pipeline(tracker, today, drafts, clock))
    result["total"] = time.perf_counter() - start
    for phase in PHASES:
        result[phase] = clock.seconds.get(phase)
    result["stages"] = clock.stages
    result["peak_after"] = clock.peak_after
    print(json.dumps(result))


def direct_pipeline(tracker: Path, today: date, drafts: Path, clock: PhaseClock) -> dict[str, Any]:
    """The stages called one by one, for when the runner cannot run the pipeline yet.

    No write-back (that needs the runner's plan of owned cells), so that phase stays n/a.
    """
    from batch.config import load_config
    from batch.drafts import DraftRequest, DraftSettings, render_drafts, write_drafts
    from batch.model import Status
    from batch.rules import decide
    from batch.tracker import read_tracker

    config = clock.wrap(load_config, "read")(None, tracker)
    table = clock.wrap(read_tracker, "read")(tracker)

    def decide_all() -> list[Any]:
        return [(row, decide(row, today, config.policy)) for row in table.rows]

    decisions = clock.wrap(decide_all, "decide")()

    def drafts_phase() -> int:
        requests = [
            DraftRequest(tracker, row, decision, config.sender)
            for row, decision in decisions
            if decision.status in (Status.DUE, Status.OVERDUE) and decision.step is not None
        ]
        settings = DraftSettings(
            ask_timeline_in_checkin=config.policy.ask_timeline_in_checkin,
            voicemail_scripts=config.policy.voicemail_scripts,
        )
        rendered = render_drafts(requests, settings)
        write_drafts(rendered, drafts, today)
        return len(rendered)

    drafted = clock.wrap(drafts_phase, "drafts")()
    return {
        "error": None,
        "rows": len(table.rows),
        "drafted_rows": drafted,
        "pipeline": "direct (no batch.runner.run_trackers yet)",
    }


# --- profile ---------------------------------------------------------------------------


def profile_cli(tracker: Path, work: Path, today: date, out: Path, top: int) -> str:
    import pstats

    copy, drafts = fresh_copy(tracker, work)
    argv = cli_argv(copy, drafts, today)
    child = run_child([sys.executable, "-m", "cProfile", "-o", str(out), *argv[1:]])
    if not out.exists():
        return f"profile failed (exit {child.exit_code}): {child.stderr.strip()[-300:]}"
    text = []
    for sort in ("cumulative", "tottime"):
        buffer = _StringSink()
        stats = pstats.Stats(str(out), stream=buffer)  # type: ignore[arg-type]
        stats.strip_dirs().sort_stats(sort).print_stats(top)
        text.append(f"### sorted by {sort}\n\n```\n{buffer.text().strip()}\n```")
    return "\n\n".join(text)


class _StringSink:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def text(self) -> str:
        # Keep only the table of functions, not pstats' header lines about the file.
        lines = "".join(self.parts).splitlines()
        return "\n".join(line for line in lines if not line.startswith(str(Path.cwd())))


# --- the report ------------------------------------------------------------------------


@dataclass
class SizeResult:
    rows: int
    cli: CliResult
    phases: dict[str, Any]
    baseline: ChildRun | None  # the median baseline run
    expected: dict[str, int] = field(default_factory=dict)
    baseline_walls: tuple[float, ...] = ()  # every baseline run, fastest first

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.cli.error:
            return None
        return self.cli.wall / self.baseline.wall


@dataclass
class Check:
    name: str
    verdict: str  # PASS, FAIL or SKIP
    detail: str


@dataclass
class Report:
    sizes: list[SizeResult] = field(default_factory=list)
    startup: Startup | None = None
    drafts_1000: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    disk_probe: list[float] = field(default_factory=list)  # seconds to create PROBE_FILES


PROBE_FILES = 1_600  # about what 1,000 due drafts make (.eml files and voicemail scripts)


def probe_disk(folder: Path) -> float:
    """Seconds to create PROBE_FILES small files in a new folder, with no Python work around
    it: how fast this disk creates files right now (the files stay until the bench ends)."""
    folder.mkdir(parents=True)
    content = b"x" * 3_000
    start = time.perf_counter()
    for number in range(PROBE_FILES):
        (folder / f"probe-{number}.eml").write_bytes(content)
    return time.perf_counter() - start


def seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def mebibytes(value: int) -> str:
    return f"{value / 1024**2:.0f} MiB"


def machine_info() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "unknown"
    memory = ""
    try:
        total_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kib / 1024**2:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs ({model}){memory}",
        f"- Python {platform.python_version()} ({sys.executable})",
    ]


def table(report: Report) -> str:
    header = (
        "| rows | read | decide | write-back | drafts | total wall | peak RSS "
        "| openpyxl round trip | ratio | exit | .eml |"
    )
    lines = [header, _separator(header)]
    for result in report.sizes:
        phases = result.phases
        cells = [f"{result.rows:,}"]
        cells += [seconds(phases.get(phase)) for phase in PHASES]
        cells.append(seconds(result.cli.wall) if not result.cli.error else result.cli.error)
        cells.append(mebibytes(result.cli.max_rss_bytes))
        cells.append(seconds(result.baseline.wall) if result.baseline else "skipped")
        cells.append(f"{result.ratio:.3f}x" if result.ratio is not None else "n/a")
        cells.append(str(result.cli.exit_code))
        cells.append(str(result.cli.emails))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _separator(header: str) -> str:
    return "|" + "---|" * (header.count("|") - 1)


def check_targets(report: Report, requested: Sequence[int]) -> list[Check]:
    by_rows = {result.rows: result for result in report.sizes}
    checks: list[Check] = []

    small = by_rows.get(500)
    if small is None:
        checks.append(Check("500 rows end to end <= 1.5 s", "SKIP", "size not run"))
    elif small.cli.error:
        checks.append(Check("500 rows end to end <= 1.5 s", "FAIL", small.cli.error))
    else:
        verdict = "PASS" if small.cli.wall <= 1.5 else "FAIL"
        checks.append(Check("500 rows end to end <= 1.5 s", verdict, seconds(small.cli.wall)))

    big = by_rows.get(100_000)
    name = "100,000 rows total <= 0.15x openpyxl round trip"
    if big is None:
        checks.append(Check(name, "SKIP", "size not run"))
    elif big.cli.error:
        checks.append(Check(name, "FAIL", big.cli.error))
    elif big.ratio is None:
        checks.append(Check(name, "SKIP", "baseline skipped"))
    else:
        verdict = "PASS" if big.ratio <= 0.15 else "FAIL"
        detail = f"{seconds(big.cli.wall)} / {seconds(big.baseline.wall if big.baseline else None)}"
        if len(big.cli.walls) > 1:
            detail += f"; medians of {', '.join(seconds(wall) for wall in big.cli.walls)}"
            detail += f" and {', '.join(seconds(wall) for wall in big.baseline_walls)}"
        checks.append(Check(name, verdict, f"{big.ratio:.3f}x ({detail})"))
    name = "100,000 rows peak RSS <= 1 GiB"
    if big is None:
        checks.append(Check(name, "SKIP", "size not run"))
    else:
        verdict = "PASS" if big.cli.max_rss_bytes <= GIB and not big.cli.error else "FAIL"
        checks.append(Check(name, verdict, mebibytes(big.cli.max_rss_bytes)))

    ten = by_rows.get(10_000)
    name = "linear growth: total(100,000) / total(10,000) <= 12"
    if big is None or ten is None:
        checks.append(Check(name, "SKIP", "needs both sizes"))
    elif big.cli.error or ten.cli.error:
        checks.append(Check(name, "FAIL", "a run failed"))
    else:
        growth = big.cli.wall / ten.cli.wall
        checks.append(Check(name, "PASS" if growth <= 12 else "FAIL", f"{growth:.1f}"))

    drafts = report.drafts_1000
    name = "1,000 due drafts rendered and written <= 2 s"
    if not drafts:
        checks.append(Check(name, "SKIP", "not run"))
    elif drafts.get("error") or drafts.get("drafts") is None:
        checks.append(Check(name, "FAIL", str(drafts.get("error") or "drafts phase not found")))
    elif drafts.get("emails", 0) < 900:
        checks.append(Check(name, "FAIL", f"only {drafts.get('emails')} .eml files written"))
    else:
        verdict = "PASS" if drafts["drafts"] <= 2.0 else "FAIL"
        detail = f"{seconds(drafts['drafts'])} for {drafts['emails']} emails"
        if len(drafts.get("drafts_runs", [])) > 1:
            spread = ", ".join(seconds(value) for value in drafts["drafts_runs"])
            detail += f" (median of {spread})"
        checks.append(Check(name, verdict, detail))

    for result in report.sizes:
        name = f"{result.rows:,} rows: statuses as the generator intended"
        if result.cli.error:
            checks.append(Check(name, "FAIL", result.cli.error))
        elif result.cli.summary is None:
            checks.append(Check(name, "SKIP", "no summary line in the output"))
        else:
            wrong = [
                f"{label} {result.cli.summary[label]} (expected {count})"
                for label, count in result.expected.items()
                if result.cli.summary[label] != count
            ]
            detail = "; ".join(wrong) or ", ".join(f"{n} {k}" for k, n in result.expected.items())
            checks.append(Check(name, "FAIL" if wrong else "PASS", detail))

    startup = report.startup
    name = "`followup --help` imports no pandas"
    if startup is None:
        checks.append(Check(name, "SKIP", "not run"))
    elif startup.error:
        checks.append(Check(name, "FAIL", startup.error))
    else:
        verdict = "FAIL" if startup.pandas_imported else "PASS"
        heavy = ", ".join(startup.heavy_modules) or "none"
        detail = f"{seconds(startup.wall)} start-up; heavy modules imported: {heavy}"
        checks.append(Check(name, verdict, detail))
    return checks


def stage_line(phases: dict[str, Any]) -> str:
    if phases.get("error"):
        return f"error: {phases['error']}"
    stages = phases.get("stages") or {}
    peaks = phases.get("peak_after") or {}
    timed = ", ".join(
        f"{name} {seconds(value)}" + (f" (peak {mebibytes(peaks[name])})" if name in peaks else "")
        for name, value in stages.items()
    )
    return f"{timed}; whole pipeline {seconds(phases.get('total'))} ({phases.get('pipeline')})"


def render(report: Report) -> str:
    parts = ["## followup benchmark", "", *machine_info(), f"- run date {RUN_DATE}"]
    if report.disk_probe:
        probes = ", ".join(seconds(value) for value in report.disk_probe)
        parts.append(
            f"- disk: creating {PROBE_FILES:,} small files took {probes} "
            "(at the start, before the 1,000 drafts, and at the end)"
        )
    parts.append("")
    parts.append(table(report))
    parts.append("\nIn-process phase timings by stage function (outermost calls only):\n")
    for result in report.sizes:
        parts.append(f"- {result.rows:,} rows: {stage_line(result.phases)}")
    drafts = report.drafts_1000
    if drafts:
        parts.append(
            f"- 1,000 due rows: drafts phase {seconds(drafts.get('drafts'))}, "
            f"{drafts.get('emails', 0)} .eml written; {stage_line(drafts)}"
        )
    parts += ["", "| target | result | measured |", "|---|---|---|"]
    parts += [f"| {c.name} | {c.verdict} | {c.detail} |" for c in report.checks]
    return "\n".join(parts)


# --- main ------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark `followup run` on generated trackers (see the module docstring)."
    )
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--skip-baseline", action="store_true", help="no openpyxl round trip")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out")
    parser.add_argument("--today", type=date.fromisoformat, default=RUN_DATE)
    parser.add_argument(
        "--repeat", type=int, default=3, help="CLI runs per size, and 1,000-draft runs (median)"
    )
    parser.add_argument("--profile", type=int, metavar="SIZE", help="cProfile the CLI on SIZE")
    parser.add_argument(
        "--excel-like",
        action="store_true",
        help="write every size with shared strings and an Excel Table, as Excel saves it "
        "(by default the biggest are streamed: inline strings, no Table)",
    )
    parser.add_argument("--phases-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--drafts-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phases_child:
        phases_child(args.phases_child, args.today, args.drafts_dir)
        return 0

    out: Path = args.out.resolve()
    runs = out / "runs"
    set_runs_aside(runs)
    try:
        return run_benchmarks(args, out)
    finally:
        clear_runs([runs, *out.glob(f"{runs.name}-old-*")])


def run_benchmarks(args: argparse.Namespace, out: Path) -> int:
    """Every measurement and the report; returns the exit code (1 when a target fails)."""
    trackers = out / "trackers"
    report = Report()
    report.disk_probe.append(probe_disk(out / "runs" / "disk-probe-1"))
    report.startup = measure_startup()
    for size in args.sizes:
        tracker, kinds = ensure_tracker(
            trackers,
            tracker_name(size, excel_like=args.excel_like),
            "make_tracker",
            count=size,
            today=args.today,
            constant_memory=False if args.excel_like else None,
        )
        work = out / "runs" / str(size)
        print(f"{size:,} rows: CLI and openpyxl baseline ...", file=sys.stderr)
        cli, baselines = measure_size(
            tracker, work, args.today, args.repeat, not args.skip_baseline
        )
        print(f"{size:,} rows: phases ...", file=sys.stderr)
        phases = measure_phases(tracker, work, args.today)
        baseline = baselines[len(baselines) // 2] if baselines else None
        report.sizes.append(
            SizeResult(
                size,
                cli,
                phases,
                baseline,
                expected_summary(kinds),
                tuple(run.wall for run in baselines),
            )
        )

    due, _ = ensure_tracker(trackers, "tracker_due_1000.xlsx", "make_due_tracker", today=args.today)
    print("1,000 due drafts ...", file=sys.stderr)
    report.disk_probe.append(probe_disk(out / "runs" / "disk-probe-2"))
    report.drafts_1000 = measure_drafts(due, out / "runs" / "due_1000", args.today, args.repeat)
    report.disk_probe.append(probe_disk(out / "runs" / "disk-probe-3"))
    report.checks = check_targets(report, args.sizes)
    print(render(report))

    if args.profile:
        tracker, _ = ensure_tracker(
            trackers,
            tracker_name(args.profile, excel_like=args.excel_like),
            "make_tracker",
            count=args.profile,
            today=args.today,
            constant_memory=False if args.excel_like else None,
        )
        profile_path = out / f"profile_{args.profile}.prof"
        print(f"\n## cProfile of `followup run` on {args.profile:,} rows ({profile_path})\n")
        print(profile_cli(tracker, out / "runs" / "profile", args.today, profile_path, 30))

    return 1 if any(check.verdict == "FAIL" for check in report.checks) else 0


if __name__ == "__main__":
    sys.exit(main())
