"""A run meets the file system's faults: one line, exit 2, and nothing half-done.

Full disks (a small tmpfs when the tests run as root, and an injected ENOSPC at each write
call everywhere), a drafts folder that cannot be written, a file where a folder should be, a
name too long, two runs of one tracker for different dates at once, and trackers sharing one
drafts folder. After each fault the tracker is its old self or its complete new self, and a
run once the fault is gone ends exactly where a run that never met it would.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from batch import files, manifest, runner
from batch.cli import main
from batch.manifest import MANIFEST_NAME
from batch.runner import RunOptions, run_trackers

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "scripts" / "make_sample.py"
DAY = "2026-11-23"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample_tracker.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(path)], check=True)
    return path


def invoke(*args: str | Path) -> Result:
    # catch_exceptions: a traceback would show up as result.exception, which the tests refuse
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_refusal(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("followup: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` with its checksum; the review page and calendar are
    compared by name only (their own tests check their text), locks and manifests skipped."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name in (MANIFEST_NAME, manifest.LOCK_NAME):
            continue
        relative = path.relative_to(folder).as_posix()
        if path.suffix in (".html", ".ics", ".json"):
            found[relative] = "page"  # the calendar's record names the tracker's path
        else:
            # the Message-ID is made from the tracker's path, which differs between folders
            content = re.sub(rb"Message-ID: [^\r\n]*", b"", path.read_bytes())
            found[relative] = hashlib.sha256(content).hexdigest()
    return found


def owned_cells(path: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path)["Interviews"]
    return [row[16:22] for row in sheet.iter_rows(min_row=3, values_only=True)]


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(files.TEMP_PREFIX)]


# --- one-line refusals -----------------------------------------------------------------------


def test_a_file_where_the_day_folder_should_be(tmp_path: Path, pristine: Path) -> None:
    tracker = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / DAY).write_text("in the way")
    line = one_line_refusal(invoke("run", tracker, "--today", DAY))
    assert line == (
        f"followup: {tmp_path / 'drafts' / DAY}: writing the drafts failed: a file is where a "
        "folder should be; move that file away (or choose another folder) and run again"
    )
    assert tracker.read_bytes() == pristine.read_bytes()


def test_a_file_where_the_drafts_folder_should_be(tmp_path: Path, pristine: Path) -> None:
    tracker = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)
    (tmp_path / "drafts").write_text("in the way")
    line = one_line_refusal(invoke("run", tracker, "--today", DAY))
    assert "drafts" in line and "a file is" in line and "run again" in line
    assert tracker.read_bytes() == pristine.read_bytes()


def test_a_drafts_folder_name_too_long(tmp_path: Path, pristine: Path) -> None:
    tracker = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)
    line = one_line_refusal(
        invoke("run", tracker, "--today", DAY, "--drafts", tmp_path / ("d" * 300))
    )
    assert "the name is too long" in line and "shorter" in line
    assert tracker.read_bytes() == pristine.read_bytes()


def test_a_bad_tracker_does_not_stop_the_others(tmp_path: Path, pristine: Path) -> None:
    good = tmp_path / "good" / "tracker.xlsx"
    bad = tmp_path / "bad" / "tracker.xlsx"
    for path in (good, bad):
        path.parent.mkdir()
        shutil.copyfile(pristine, path)
    (bad.parent / "drafts").write_text("in the way")
    result = invoke("run", bad, good, "--today", DAY)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert good.read_bytes() != pristine.read_bytes()  # processed
    assert bad.read_bytes() == pristine.read_bytes()


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` (root only); unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): the injected test runs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def can_mount() -> str | None:
    """Why a tmpfs cannot be mounted here, or None."""
    if os.name != "posix" or os.geteuid() != 0:
        return "not running as root: a full disk is tested with an injected ENOSPC instead"
    if shutil.which("mount") is None:
        return "no mount command: a full disk is tested with an injected ENOSPC instead"
    return None


@pytest.mark.skipif(can_mount() is not None, reason=str(can_mount()))
def test_a_read_only_drafts_disk(tmp_path: Path, pristine: Path) -> None:
    tracker = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)
    with small_disk(tmp_path / "drafts", "1m") as drafts:
        subprocess.run(["mount", "-o", "remount,ro", str(drafts)], check=True)
        line = one_line_refusal(invoke("run", tracker, "--today", DAY))
    assert "writing the drafts failed: the disk is read-only; use a folder on a writable disk" in (
        line
    )
    assert tracker.read_bytes() == pristine.read_bytes()


# --- full disks ------------------------------------------------------------------------------


def clean_run(tmp_path: Path, pristine: Path) -> tuple[bytes, dict[str, str]]:
    folder = tmp_path / "clean"
    folder.mkdir()
    tracker = folder / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)
    assert invoke("run", tracker, "--today", DAY).exit_code == 1  # two rows need attention
    return tracker.read_bytes(), snapshot(folder / "drafts")


def check_after_fault(result: Result, tracker: Path, pristine: Path, clean: bytes) -> None:
    """A run that met a fault: exit 1 (done) or a one-line refusal; the tracker whole."""
    if result.exit_code != 1:
        line = one_line_refusal(result)
        assert "failed: " in line and "run again" in line, line
    assert tracker.read_bytes() in (pristine.read_bytes(), clean)


@pytest.mark.skipif(can_mount() is not None, reason=str(can_mount()))
def test_a_full_disk_at_every_stage_then_a_run_with_space(tmp_path: Path, pristine: Path) -> None:
    clean, clean_drafts = clean_run(tmp_path, pristine)
    refusals: set[str] = set()
    for kilobytes in range(24, 132, 4):
        with small_disk(tmp_path / f"disk-{kilobytes}", f"{kilobytes}k") as disk:
            tracker = disk / "tracker.xlsx"
            shutil.copyfile(pristine, tracker)
            result = invoke("run", tracker, "--today", DAY)
            check_after_fault(result, tracker, pristine, clean)
            if result.exit_code == 2:
                refusals.add(one_line_refusal(result).split(": ")[2])
            subprocess.run(["mount", "-o", "remount,size=8m", str(disk)], check=True)
            assert invoke("run", tracker, "--today", DAY).exit_code == 1
            assert tracker.read_bytes() == clean
            assert snapshot(disk / "drafts") == clean_drafts, kilobytes
            assert temp_files(disk) == []
    # the disk filled up in several stages of the run, each with its own message
    assert {"writing the drafts failed", "saving the tracker failed"} <= refusals, refusals


class FullAfter:
    """Writes that fail with ENOSPC from the `at`-th on (counted across the run's writers)."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.calls = 0

    def wrap(self, write):  # type: ignore[no-untyped-def]
        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls >= self.at:
                raise OSError(28, "No space left on device", str(args[0]))
            return write(*args, **kwargs)

        return counted


def test_an_injected_full_disk_at_each_write_call(
    tmp_path: Path, pristine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean, clean_drafts = clean_run(tmp_path, pristine)
    stages: set[str] = set()
    for at in range(1, 200):
        folder = tmp_path / f"run-{at}"
        folder.mkdir()
        tracker = folder / "tracker.xlsx"
        shutil.copyfile(pristine, tracker)
        full = FullAfter(at)
        with monkeypatch.context() as patch:
            for module in (manifest, files):
                patch.setattr(module, "atomic_write", full.wrap(files.atomic_write))
            patch.setattr(manifest, "create_new", full.wrap(manifest.create_new))
            from batch import ics, review, safe_save

            patch.setattr(safe_save, "atomic_write", full.wrap(files.atomic_write))
            patch.setattr(review, "atomic_write", full.wrap(files.atomic_write))
            patch.setattr(ics, "atomic_write", full.wrap(files.atomic_write))
            result = invoke("run", tracker, "--today", DAY)
        if full.calls < at:
            break  # the run made fewer writes: every write call has been failed once
        check_after_fault(result, tracker, pristine, clean)
        stages.add(one_line_refusal(result).split(": ")[2])
        assert invoke("run", tracker, "--today", DAY).exit_code == 1
        assert tracker.read_bytes() == clean
        assert snapshot(folder / "drafts") == clean_drafts, at
        assert temp_files(folder) == []
    assert {
        "writing the drafts failed",
        "saving the tracker failed",
        "writing the review page failed",
    } <= stages, stages


# --- runs at the same time ------------------------------------------------------------------


HOLD_AND_CHANGE = textwrap.dedent(
    """
    import shutil, sys
    from pathlib import Path
    from batch.safe_save import run_lock
    tracker, changed = Path(sys.argv[1]), Path(sys.argv[2])
    with run_lock(tracker):
        print("locked", flush=True)
        sys.stdin.readline()
        shutil.copyfile(changed, tracker)  # the user's edit, saved while this run holds it
    """
)


def test_the_tracker_is_read_only_once_the_lock_is_held(tmp_path: Path, pristine: Path) -> None:
    tracker = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)
    changed = tmp_path / "changed.xlsx"
    book = openpyxl.load_workbook(pristine)
    sheet = book["Interviews"]
    company_row = next(
        row[0].row for row in sheet.iter_rows(min_row=4) if row[1].value == "Harbor & Finch"
    )
    sheet.cell(company_row, 14).value = "Rejected"
    book.save(changed)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_CHANGE, str(tracker), str(changed)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    results: list[runner.TrackerResult] = []
    run = threading.Thread(
        target=lambda: results.extend(run_trackers([tracker], RunOptions(today=date(2026, 11, 23))))
    )
    run.start()
    time.sleep(0.5)  # the run is waiting for the lock now
    assert holder.stdin is not None
    holder.stdin.write("go\n")
    holder.stdin.close()
    holder.wait()
    run.join(timeout=60)
    (result,) = results
    assert result.error is None
    row = next(r for r in result.rows if r.row.row == company_row)
    assert row.decision.status.value == "Closed"  # decided from the file as changed


CONCURRENT_RUN = textwrap.dedent(
    """
    import sys
    from batch.cli import main
    sys.argv = ["followup", "run", sys.argv[1], "--today", sys.argv[2]]
    main()
    """
)


def test_two_runs_for_different_dates_at_once_never_mix(tmp_path: Path, pristine: Path) -> None:
    expected = {}
    for day in ("2026-11-23", "2026-11-30"):
        alone = tmp_path / f"alone-{day}" / "tracker.xlsx"
        alone.parent.mkdir()
        shutil.copyfile(pristine, alone)
        invoke("run", alone, "--today", day)
        expected[day] = owned_cells(alone)
    assert expected["2026-11-23"] != expected["2026-11-30"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for trial in range(4):
        tracker = tmp_path / f"trial-{trial}" / "tracker.xlsx"
        tracker.parent.mkdir()
        shutil.copyfile(pristine, tracker)
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", CONCURRENT_RUN, str(tracker), day],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for day in ("2026-11-23", "2026-11-30")
        ]
        codes = [run.wait(timeout=120) for run in runs]
        assert codes == [1, 1], [run.stderr.read() for run in runs if run.stderr]
        for run in runs:
            if run.stderr:
                run.stderr.close()
        # whichever ran last wrote all of its cells: never a mix of the two
        assert owned_cells(tracker) in (expected["2026-11-23"], expected["2026-11-30"])


def test_trackers_sharing_a_drafts_folder_in_separate_calls_at_once(
    tmp_path: Path, pristine: Path
) -> None:
    drafts = tmp_path / "coach-drafts"
    trackers = []
    for client in ("sam", "kim", "lee"):
        tracker = tmp_path / client / "tracker.xlsx"
        tracker.parent.mkdir()
        shutil.copyfile(pristine, tracker)
        trackers.append(tracker)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = textwrap.dedent(
        """
        import sys
        from batch.cli import main
        sys.argv = ["followup", "run", sys.argv[1], "--today", "2026-11-23", "--drafts",
                    sys.argv[2]]
        main()
        """
    )

    def run_all() -> None:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(tracker), str(drafts)],
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for tracker in trackers
        ]
        assert [run.wait(timeout=120) for run in runs] == [1, 1, 1]

    run_all()
    entries = json.loads((drafts / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    day = drafts / DAY
    drafted = sorted(p.name for p in day.iterdir() if p.suffix in (".eml", ".txt"))
    _, alone = clean_run(tmp_path, pristine)
    per_tracker = len([name for name in alone if name.endswith((".eml", ".txt"))])
    assert per_tracker and len(drafted) == 3 * per_tracker  # none lost, none doubled
    assert {f"{DAY}/{name}" for name in drafted} <= set(entries)
    # one page per call, whichever came first getting the plain name
    pages = sorted(p.name for p in day.glob("review*.html"))
    assert pages == ["review-tracker-2.html", "review-tracker.html", "review.html"], pages
    calendars = sorted(p.name for p in day.glob("followups*.ics"))
    assert calendars == ["followups-tracker-2.ics", "followups-tracker.ics", "followups.ics"]
    before = snapshot(drafts)
    run_all()  # again: every file is known as its tracker's own, nothing new appears
    assert snapshot(drafts) == before


def test_unique_tmp_names_do_not_collide() -> None:
    assert files.temp_file_target(f"{files.TEMP_PREFIX}abcdefgh-tracker.xlsx") == "tracker.xlsx"
    assert files.temp_file_target(f"{files.TEMP_PREFIX}{uuid.uuid4().hex}") is None


def test_an_os_error_no_stage_caught_still_ends_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_fails(*_args: object, **_kwargs: object) -> None:
        raise OSError(5, "Input/output error", str(tmp_path / "tracker.xlsx"))

    monkeypatch.setattr(runner, "check_trackers", disk_fails)
    line = one_line_refusal(invoke("check", tmp_path / "tracker.xlsx"))
    assert line == (
        f"followup: {tmp_path / 'tracker.xlsx'}: the command failed: the disk reported an "
        "input/output error; check the disk, then run again"
    )


def test_check_turns_an_os_error_while_reading_into_one_line(
    tmp_path: Path, pristine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)

    def unreadable(*_args: object, **_kwargs: object) -> None:
        raise OSError(5, "Input/output error", str(tracker))

    monkeypatch.setattr(runner, "read_tracker_file", unreadable)
    line = one_line_refusal(invoke("check", tracker))
    assert line.startswith(f"followup: {tracker}: reading the tracker failed: the disk reported")


@pytest.mark.slow
def test_kill_9_at_random_points_of_a_run_then_a_run_to_the_end(
    tmp_path: Path, pristine: Path
) -> None:
    import random
    import signal

    clean, clean_drafts = clean_run(tmp_path, pristine)
    chance = random.Random(20261129)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = textwrap.dedent(
        """
        import sys
        from batch.cli import main
        print("ready", flush=True)
        sys.argv = ["followup", "run", sys.argv[1], "--today", sys.argv[2]]
        main()
        """
    )
    outcomes = {"old": 0, "new": 0}
    for attempt in range(30):
        folder = tmp_path / f"attempt-{attempt}"
        folder.mkdir()
        tracker = folder / "tracker.xlsx"
        shutil.copyfile(pristine, tracker)
        for _ in range(chance.randint(1, 3)):
            child = subprocess.Popen(
                [sys.executable, "-c", script, str(tracker), DAY],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            assert child.stdout is not None and child.stdout.readline() == b"ready\n"
            time.sleep(chance.random() * 1.2)
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stdout.close()
            assert tracker.read_bytes() in (pristine.read_bytes(), clean)
        outcomes["new" if tracker.read_bytes() == clean else "old"] += 1
        result = invoke("run", tracker, "--today", DAY)
        assert result.exit_code == 1, result.output
        assert tracker.read_bytes() == clean
        assert snapshot(folder / "drafts") == clean_drafts, f"attempt {attempt}"
        assert temp_files(folder) == []
        assert not [p for p in folder.rglob("*.lock")]  # the last run let go of its locks
    assert outcomes["old"] and outcomes["new"], outcomes  # kills landed before and after saves


def test_a_tracker_saved_by_another_program_mid_run_is_not_overwritten(
    tmp_path: Path, pristine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine, tracker)
    real_write_drafts = runner._write_drafts

    def excel_saves_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_write_drafts(*args, **kwargs)
        tracker.write_bytes(tracker.read_bytes())  # Excel saves it again, same content
        os.utime(tracker, ns=(10**18, 10**18))

    monkeypatch.setattr(runner, "_write_drafts", excel_saves_meanwhile)
    before = tracker.read_bytes()
    (result,) = run_trackers([tracker], RunOptions(today=date(2026, 11, 23)))
    assert result.error == f"{tracker}: was changed by another program during the run: run again"
    assert tracker.read_bytes() == before
