"""Saving never leaves a half-written tracker, never writes an open one, and keeps backups."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from workbook_helpers import make_package, openpyxl_values, sheet_xml

from batch import safe_save
from batch.model import FileProblem
from batch.safe_save import check_not_open, run_lock, run_lock_path, save_edits
from batch.xlsx_writer import CellEdit

ROOT = Path(__file__).resolve().parents[1]
EDITS = [CellEdit(1, 2, "Due"), CellEdit(2, 2, date(2026, 11, 20))]


def tracker(folder: Path, name: str = "tracker.xlsx") -> Path:
    path = folder / name
    path.write_bytes(
        make_package(sheet_xml('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'))
    )
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_save_writes_the_edits_and_keeps_a_backup_of_the_previous_version(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    old = path.read_bytes()
    backup = save_edits(path, "Tracker", EDITS)
    assert backup is not None and backup.parent == tmp_path / "followup-backups"
    assert backup.read_bytes() == old
    assert backup.name.startswith("tracker.") and backup.suffix == ".xlsx"
    assert openpyxl_values(path.read_bytes(), "Tracker")[(1, 2)] == "Due"
    assert leftovers(tmp_path) == []  # no temp file, no lock left behind


def test_same_edits_twice_change_nothing_the_second_time(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    assert save_edits(path, "Tracker", EDITS) is not None
    written = path.read_bytes()
    assert save_edits(path, "Tracker", EDITS) is None
    assert path.read_bytes() == written
    assert len(list((tmp_path / "followup-backups").iterdir())) == 1


def test_backups_keep_the_extension_and_only_the_newest(tmp_path: Path) -> None:
    path = tracker(tmp_path, "macros.xlsm")
    backups = tmp_path / "old"
    made = [
        save_edits(path, "Tracker", [CellEdit(1, 2, f"v{n}")], backups_dir=backups, keep=2)
        for n in range(4)
    ]
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 2 and all(name.endswith(".xlsm") for name in kept)
    assert {p.name for p in made[-2:] if p} == set(kept)
    other = tracker(tmp_path, "other.xlsx")
    save_edits(other, "Tracker", EDITS, backups_dir=backups, keep=1)
    assert len(list(backups.iterdir())) == 3  # pruning is per tracker


@pytest.mark.parametrize(
    ("lock_name", "program"),
    [
        ("~$interview-tracker.xlsx", "Excel"),
        ("~$terview-tracker.xlsx", "Excel"),
        (".~lock.interview-tracker.xlsx#", "LibreOffice"),
    ],
)
def test_an_open_tracker_is_not_written(tmp_path: Path, lock_name: str, program: str) -> None:
    path = tracker(tmp_path, "interview-tracker.xlsx")
    before = digest(path)
    (tmp_path / lock_name).write_text(",someone,host,2026-11-20,")
    with pytest.raises(FileProblem, match=f"open in {program}.*close it and run again"):
        check_not_open(path)
    with pytest.raises(FileProblem, match="close it"):
        save_edits(path, "Tracker", EDITS)
    assert digest(path) == before
    assert not (tmp_path / "followup-backups").exists()


def test_a_read_only_tracker_is_not_touched(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    before = digest(path)
    path.chmod(0o444)
    try:
        with pytest.raises(FileProblem, match="read-only"):
            save_edits(path, "Tracker", EDITS)
        assert digest(path) == before
    finally:
        path.chmod(0o644)


def test_file_mode_is_kept(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    path.chmod(0o640)
    save_edits(path, "Tracker", EDITS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from batch.safe_save import run_lock
    with run_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}


def test_a_second_run_waits_then_refuses(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    before = digest(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), "30"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(FileProblem, match="another followup run"):
            save_edits(path, "Tracker", EDITS, lock_wait_seconds=0.5)
        assert time.monotonic() - started >= 0.5
        assert digest(path) == before
    finally:
        holder.kill()
        holder.wait()


def test_a_second_run_gets_the_lock_when_the_first_finishes_in_time(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), "0.5"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert save_edits(path, "Tracker", EDITS, lock_wait_seconds=20) is not None
    finally:
        holder.wait()


@pytest.mark.parametrize(
    "left_behind",
    ["", "1@somewhere-else", f"{os.getpid()}@{socket.gethostname()}"],
    ids=["empty", "other-host", "live-process"],
)
def test_a_lock_file_left_by_an_older_version_is_taken_over(
    tmp_path: Path, left_behind: str
) -> None:
    # The older version's lock was the file itself ("pid@host", or empty when it was killed
    # between creating and writing it): nothing holds a kernel lock on it.
    path = tracker(tmp_path)
    run_lock_path(path).write_text(left_behind)
    assert save_edits(path, "Tracker", EDITS, lock_wait_seconds=0) is not None
    assert not run_lock_path(path).exists()


def test_a_run_killed_while_holding_the_lock_does_not_block_the_next(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), "30"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    holder.stdout.close()
    assert run_lock_path(path).exists()  # the file stays; the kernel released the lock
    assert save_edits(path, "Tracker", EDITS, lock_wait_seconds=0) is not None


def test_the_message_names_the_run_holding_the_lock(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), "30"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(FileProblem) as caught:
            save_edits(path, "Tracker", EDITS, lock_wait_seconds=0)
        assert f"(process {holder.pid}@{socket.gethostname()})" in str(caught.value)
        assert "\n" not in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]


def test_the_run_lock_is_reentrant_within_a_run(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    with run_lock(path, wait_seconds=0):
        assert run_lock_path(path).exists()
        assert save_edits(path, "Tracker", EDITS, lock_wait_seconds=0) is not None
        assert run_lock_path(path).exists()
    assert not run_lock_path(path).exists()


# --- faults at every step --------------------------------------------------------------------


class Boom(Exception):
    pass


def fail(*_args: object, **_kwargs: object) -> None:
    raise Boom


@pytest.mark.parametrize(
    "step",
    ["write_edits", "fsync", "backup", "replace"],
)
def test_a_failure_at_any_step_leaves_the_old_tracker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tracker(tmp_path)
    before = path.read_bytes()
    if step == "write_edits":
        monkeypatch.setattr(safe_save, "write_edits", fail)
    elif step == "fsync":
        monkeypatch.setattr(safe_save.os, "fsync", fail)
    elif step == "backup":
        monkeypatch.setattr(safe_save, "_keep_backup", fail)
    else:
        real_replace = os.replace

        def replace_fails_on_the_tracker(source: Path, target: Path) -> None:
            if Path(target) == path:
                raise Boom
            real_replace(source, target)

        monkeypatch.setattr(safe_save.os, "replace", replace_fails_on_the_tracker)
    with pytest.raises(Boom):
        save_edits(path, "Tracker", EDITS)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"), OSError(16, "Busy")])
def test_a_refused_replace_says_to_close_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    path = tracker(tmp_path)
    before = path.read_bytes()

    real_replace = os.replace

    def refuse(source: Path, target: Path) -> None:
        if Path(target) == path:
            raise error
        real_replace(source, target)

    monkeypatch.setattr(safe_save.os, "replace", refuse)
    with pytest.raises(FileProblem, match="close it"):
        save_edits(path, "Tracker", EDITS)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_tracker_changed_during_the_run_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tracker(tmp_path)
    real_write = safe_save.write_edits

    def write_then_user_saves(*args: object, **kwargs: object) -> None:
        real_write(*args, **kwargs)  # type: ignore[arg-type]
        path.write_bytes(path.read_bytes() + b"")  # the user saves in Excel meanwhile
        os.utime(path, ns=(1, 1))

    monkeypatch.setattr(safe_save, "write_edits", write_then_user_saves)
    with pytest.raises(FileProblem, match="changed by another program"):
        save_edits(path, "Tracker", EDITS)


KILLABLE_RUN = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    from batch.safe_save import save_edits
    from batch.xlsx_writer import CellEdit
    path = Path(sys.argv[1])
    print("ready", flush=True)  # imports done: from here on, a kill lands in real work
    for n in range(1000):
        value = "A" if n % 2 else "B"
        save_edits(path, "Tracker", [CellEdit(r, 2, value) for r in range(1, 400)]
                   + [CellEdit(1, 3, date(2026, 11, 20))], keep=2, lock_wait_seconds=30)
        print("saved", flush=True)
    """
)


def valid_versions(path: Path) -> set[bytes]:
    """Every state a series of saves can leave: the original and each complete new version."""
    from batch.xlsx_writer import write_edits

    versions = {path.read_bytes()}
    current = path.read_bytes()
    import io

    for n in range(6):
        value = "A" if n % 2 else "B"
        edits = [CellEdit(r, 2, value) for r in range(1, 400)]
        edits.append(CellEdit(1, 3, date(2026, 11, 20)))
        out = io.BytesIO()
        write_edits(io.BytesIO(current), out, "Tracker", edits)
        current = out.getvalue()
        versions.add(current)
    return versions


def test_killing_a_save_at_random_moments_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    versions = valid_versions(path)
    assert len(versions) == 3  # the original, the "B" version and the "A" version
    chance = random.Random(20261120)
    saves = 0
    for attempt in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", KILLABLE_RUN, str(path)],
            env=child_env(),
            stdout=subprocess.PIPE,
        )
        # Wait for the child's imports (slow on a loaded machine), then kill it mid-work;
        # every other time only once it has saved (so some kills land after a save, however
        # slow the machine).
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        if attempt % 2:
            assert child.stdout.readline() == b"saved\n"
            saves += 1
        time.sleep(0.1 + chance.random() * 0.9)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        saves += child.stdout.read().count(b"saved\n")
        child.stdout.close()
        assert path.read_bytes() in versions
    # Every other run was killed only after a save, so the kills hit real work; and each run
    # got the lock whatever moment the one before was killed at (the kernel let go of it).
    assert saves >= 6
    # The next run cleans up after the killed ones and still saves.
    save_edits(path, "Tracker", [CellEdit(1, 2, "done")], lock_wait_seconds=1)
    assert [p for p in leftovers(tmp_path) if p.startswith(".followup-tmp-")] == []
    assert not run_lock_path(path).exists()
    assert openpyxl_values(path.read_bytes(), "Tracker")[(1, 2)] == "done"


# --- permissions, retention, links -----------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize(
    ("tracker_mode", "backup_mode", "folder_mode"),
    [(0o600, 0o600, 0o700), (0o640, 0o640, 0o750), (0o644, 0o644, 0o755)],
)
def test_backups_take_the_trackers_permissions(
    tmp_path: Path, tracker_mode: int, backup_mode: int, folder_mode: int
) -> None:
    path = tracker(tmp_path)
    path.chmod(tracker_mode)
    backup = save_edits(path, "Tracker", EDITS)
    assert backup is not None
    assert stat.S_IMODE(backup.stat().st_mode) == backup_mode
    assert stat.S_IMODE(backup.parent.stat().st_mode) == folder_mode
    assert stat.S_IMODE(path.stat().st_mode) == tracker_mode


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_readable_backups_of_an_older_version_are_made_private(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    path.chmod(0o600)
    backups = tmp_path / "followup-backups"
    backups.mkdir(mode=0o755)
    backups.chmod(0o755)
    old = backups / "tracker.20261101-080000.xlsx"
    old.write_bytes(path.read_bytes())
    old.chmod(0o644)
    save_edits(path, "Tracker", EDITS)
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_retention_keeps_the_newest_by_modification_time_across_a_clock_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Autumn: the clock goes back an hour, so the next backups' names sort *before* the
    # older ones'. The newest written must still be the ones kept.
    path = tracker(tmp_path)
    backups = tmp_path / "followup-backups"
    names = iter(["20261101-015900", "20261101-015930", "20261101-010000", "20261101-010030"])

    class Clock:
        @staticmethod
        def now() -> Clock:
            return Clock()

        def strftime(self, _format: str) -> str:
            return next(names)

    monkeypatch.setattr(safe_save, "datetime", Clock)
    made = []
    for n in range(4):
        backup = save_edits(path, "Tracker", [CellEdit(1, 2, f"v{n}")], keep=2)
        assert backup is not None
        os.utime(backup, ns=(10**18 + n * 10**9, 10**18 + n * 10**9))  # written in this order
        made.append(backup.name)
    assert sorted(p.name for p in backups.iterdir()) == sorted(made[-2:])
    assert made[-1] == "tracker.20261101-010030.xlsx"


def test_a_second_backup_in_the_same_second_gets_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tracker(tmp_path)

    class Frozen:
        @staticmethod
        def now() -> Frozen:
            return Frozen()

        def strftime(self, _format: str) -> str:
            return "20261123-080000"

    monkeypatch.setattr(safe_save, "datetime", Frozen)
    first = save_edits(path, "Tracker", [CellEdit(1, 2, "a")])
    second = save_edits(path, "Tracker", [CellEdit(1, 2, "b")])
    assert first is not None and second is not None
    assert (first.name, second.name) == (
        "tracker.20261123-080000.xlsx",
        "tracker.20261123-080000-2.xlsx",
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symlinked_tracker_is_written_where_it_really_is(tmp_path: Path) -> None:
    synced = tmp_path / "cloud"
    synced.mkdir()
    real = tracker(synced)
    real.chmod(0o600)
    link = tmp_path / "tracker.xlsx"
    link.symlink_to(real)
    backup = save_edits(link, "Tracker", EDITS)
    assert link.is_symlink() and link.resolve() == real
    assert openpyxl_values(real.read_bytes(), "Tracker")[(1, 2)] == "Due"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert backup is not None and backup.parent == tmp_path / "followup-backups"
    assert leftovers(synced) == [] and leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symlinked_tracker_open_in_excel_under_its_real_name_is_not_written(
    tmp_path: Path,
) -> None:
    synced = tmp_path / "cloud"
    synced.mkdir()
    real = tracker(synced, "jobs.xlsx")
    link = tmp_path / "tracker.xlsx"
    link.symlink_to(real)
    (synced / "~$jobs.xlsx").write_text("someone")
    with pytest.raises(FileProblem, match="open in Excel"):
        save_edits(link, "Tracker", EDITS)


def test_a_hard_linked_tracker_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    other = tmp_path / "copy.xlsx"
    os.link(path, other)
    before = digest(path)
    with pytest.raises(FileProblem, match=r"2 hard links.*keep one name"):
        save_edits(path, "Tracker", EDITS)
    assert digest(path) == before and os.path.samefile(path, other)


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            OSError(28, "No space left on device"),
            "saving the tracker failed: the disk is full; free",
        ),
        (OSError(30, "Read-only file system"), "saving the tracker failed: the disk is read-only"),
        (OSError(122, "Disk quota exceeded"), "quota"),
    ],
)
def test_os_errors_while_saving_are_one_line_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, says: str
) -> None:
    path = tracker(tmp_path)
    before = path.read_bytes()

    def fails(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(safe_save, "atomic_write", fails)
    with pytest.raises(FileProblem, match=says) as caught:
        save_edits(path, "Tracker", EDITS)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(path))
    assert path.read_bytes() == before
