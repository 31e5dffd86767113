"""The Windows code paths, run here with the platform switch forced (`batch.files.WINDOWS`).

Most trackers live on Windows, where some POSIX calls do not exist (os.fchmod, os.getuid,
O_NOFOLLOW, fcntl) or mean something else (os.kill(pid, 0) sends Ctrl+C). These tests take
the lock, save and drafts paths with the Windows branches on and those calls removed, so a
POSIX-only call on a path Windows takes fails here. The kernel lock itself is filelock's
WindowsFileLock, which only runs on Windows: the tests check it is the one chosen, and stand
in for it with a lock file opened the portable way.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import filelock
import pytest
from drafts_helpers import RUN_DATE, make_request
from workbook_helpers import make_package, openpyxl_values, sheet_xml

from batch import files
from batch.drafts import render_drafts, write_drafts
from batch.model import FileProblem
from batch.safe_save import run_lock, save_edits
from batch.xlsx_writer import CellEdit

EDITS = [CellEdit(1, 2, "Due")]
# Calls that do not exist on Windows (or, for kill, do something else there).
POSIX_ONLY = (
    "fchmod",
    "fchown",
    "getuid",
    "geteuid",
    "getgid",
    "O_NOFOLLOW",
    "O_DIRECTORY",
    "statvfs",
    "sync",
    "kill",
    "getpgid",
    "lchmod",
)


class StandInLock:
    """Stands in for filelock.WindowsFileLock: a lock file opened with portable calls."""

    taken: ClassVar[list[Path]] = []

    def __init__(
        self,
        path: str,
        *,
        timeout: float,
        mode: int,
        poll_interval: float,
        on_acquired: Callable[[int], None],
    ) -> None:
        self.path = path
        self.mode = mode
        self.on_acquired = on_acquired
        self.descriptor = -1

    def acquire(self) -> None:
        self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, self.mode)
        self.on_acquired(self.descriptor)
        StandInLock.taken.append(Path(self.path))

    def release(self) -> None:
        os.close(self.descriptor)


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(files, "WINDOWS", True)
    assert files.lock_class() is filelock.WindowsFileLock  # LockFileEx on Windows
    monkeypatch.setattr(files, "lock_class", lambda: StandInLock)
    StandInLock.taken = []
    real_open = os.open

    def open_no_folders(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.path.isdir(path):
            raise PermissionError(13, "Windows cannot open a folder", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_no_folders)
    for name in POSIX_ONLY:
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl fails, as on Windows
    yield


def tracker(folder: Path) -> Path:
    path = folder / "tracker.xlsx"
    path.write_bytes(
        make_package(sheet_xml('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'))
    )
    return path


def test_save_takes_the_windows_paths(tmp_path: Path, windows: None) -> None:
    path = tracker(tmp_path)
    backup = save_edits(path, "Tracker", EDITS)
    assert backup is not None and backup.is_file()
    assert openpyxl_values(path.read_bytes(), "Tracker")[(1, 2)] == "Due"
    assert StandInLock.taken == [tmp_path / ".tracker.xlsx.followup.lock"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["followup-backups", "tracker.xlsx"]


def test_the_run_lock_takes_the_windows_paths(tmp_path: Path, windows: None) -> None:
    path = tracker(tmp_path)
    with run_lock(path, wait_seconds=0):
        lock = tmp_path / ".tracker.xlsx.followup.lock"
        assert files.read_owner(lock) == files.owner_text()
        assert save_edits(path, "Tracker", EDITS, lock_wait_seconds=0) is not None  # reentrant
    assert not lock.exists()


def test_drafts_take_the_windows_paths(tmp_path: Path, windows: None) -> None:
    drafts = tmp_path / "drafts"
    tracker_path = tmp_path / "t.xlsx"
    result = write_drafts(render_drafts([make_request(tracker=tracker_path)]), drafts, RUN_DATE)
    assert result.rows[0].email.path.is_file() and result.rows[0].email.action == "written"
    again = write_drafts(render_drafts([make_request(tracker=tracker_path)]), drafts, RUN_DATE)
    assert again.rows[0].email.action == "unchanged"
    assert StandInLock.taken == [drafts / ".followup.lock"] * 2


def test_a_file_held_open_on_windows_is_retried_then_refused(
    tmp_path: Path, windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows refuses os.replace on a file another program has open (PermissionError).
    path = tracker(tmp_path)
    before = path.read_bytes()
    monkeypatch.setattr(files, "REPLACE_RETRY_SECONDS", 0.3)
    real_replace = os.replace
    attempts = []

    def held_open(source: Path, target: Path) -> None:
        if Path(target) == path:
            attempts.append(time.monotonic())
            raise PermissionError(13, "The process cannot access the file")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", held_open)
    with pytest.raises(FileProblem, match="could not be replaced: close it") as caught:
        save_edits(path, "Tracker", EDITS)
    assert len(attempts) > 1 and attempts[-1] - attempts[0] >= 0.25
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(files.TEMP_PREFIX)]


def test_a_file_let_go_of_within_the_retry_time_is_saved(
    tmp_path: Path, windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tracker(tmp_path)
    real_replace = os.replace
    refusals = iter([True, True, False])

    def briefly_held(source: Path, target: Path) -> None:
        if Path(target) == path and next(refusals):
            raise PermissionError(13, "The process cannot access the file")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", briefly_held)
    assert save_edits(path, "Tracker", EDITS) is not None
    assert openpyxl_values(path.read_bytes(), "Tracker")[(1, 2)] == "Due"


def test_posix_does_not_retry_a_refused_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "WINDOWS", False)
    calls = []

    def refuse(source: Path, target: Path) -> None:
        calls.append(target)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(PermissionError):
        files.replace(tmp_path / "a", tmp_path / "b")
    assert len(calls) == 1


def test_a_whole_run_takes_the_windows_paths(tmp_path: Path, windows: None) -> None:
    import subprocess

    from click.testing import CliRunner

    from batch.cli import main

    tracker_path = tmp_path / "tracker.xlsx"
    make_sample = Path(__file__).resolve().parents[1] / "scripts" / "make_sample.py"
    subprocess.run([sys.executable, str(make_sample), str(tracker_path)], check=True)
    for _ in range(2):  # a first run, then a re-run that finds its own files
        result = CliRunner().invoke(main, ["run", str(tracker_path), "--today", "2026-11-23"])
        assert result.exit_code == 1, result.output  # two sample rows need attention
        assert result.exception is None or isinstance(result.exception, SystemExit)
    day = tmp_path / "drafts" / "2026-11-23"
    assert (day / "review.html").is_file() and list(day.glob("*.eml"))
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(files.TEMP_PREFIX)]
    assert not list(tmp_path.rglob("*.lock"))
