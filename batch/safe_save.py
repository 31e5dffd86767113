"""Save edits into the user's tracker without ever leaving it half-written.

The tracker on disk is always either the old file or the complete new one: the new package
is written to a temporary file in the same folder, flushed and fsynced, and moved over the
tracker with `os.replace` (atomic on POSIX and Windows; see `batch.files.atomic_write`).
Before that, the previous version is copied into a backups folder, with the tracker's own
permissions. A tracker that Excel or LibreOffice has open is not touched, and two runs on the
same tracker never interleave (an operating-system lock beside it, `run_lock`).

A tracker reached through a symbolic link is written where it really is (the link stays a
link, so a tracker in a synced folder gets the update); its backups go beside the path the
user gave. A hard-linked tracker is refused: replacing it would leave the other names on the
old version.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from batch.files import (
    LockBusy,
    atomic_write,
    file_identity,
    file_stage,
    hold_lock,
    os_problem,
    remove_temp_files,
)
from batch.model import FileProblem
from batch.xlsx_writer import Edit, write_edits

BACKUPS_FOLDER = "followup-backups"
LOCK_WAIT_SECONDS = 5.0

# Locks this process holds: real tracker path -> nesting depth (so a caller may hold the run
# lock for a whole run and still call save_edits inside it).
_held_locks: dict[Path, int] = {}


def owner_files(path: Path) -> list[tuple[Path, str]]:
    """The lock files Excel and LibreOffice put beside a workbook they have open."""
    name = path.name
    # Excel writes "~$" + the name; for longer names it replaces the first one or two
    # characters instead ("~$acker.xlsx" for "tracker.xlsx").
    excel_names = dict.fromkeys(f"~${name[cut:]}" for cut in (0, 1, 2) if len(path.stem) > cut)
    found = [(path.with_name(n), "Excel") for n in excel_names]
    found.append((path.with_name(f".~lock.{name}#"), "LibreOffice"))
    return found


def check_not_open(path: Path) -> None:
    """Raise FileProblem when Excel or LibreOffice has the tracker open (under the name given,
    or under its real name when it is a symbolic link)."""
    real = path.resolve()
    names = owner_files(path) + (owner_files(real) if real != path.absolute() else [])
    for lock_file, program in names:
        if lock_file.exists():
            raise FileProblem(
                path,
                f"is open in {program} ({lock_file.name} exists): close it and run again "
                f"(if {program} is not running, delete {lock_file.name})",
            )


def run_lock_path(path: Path) -> Path:
    """The run lock's file: beside the real tracker, so every name for it shares one lock."""
    real = path.resolve()
    return real.with_name(f".{real.name}.followup.lock")


@contextlib.contextmanager
def run_lock(path: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the tracker's run lock; another run waits up to `wait_seconds`, then refuses.

    The lock is the kernel's (see `batch.files.hold_lock`): a run that is killed cannot leave
    it behind, and a lock file an older version left is taken over.
    """
    key = path.resolve()
    if key in _held_locks:
        _held_locks[key] += 1
        try:
            yield
        finally:
            _held_locks[key] -= 1
        return
    lock = run_lock_path(path)
    try:
        mode = stat.S_IMODE(key.stat().st_mode) & 0o666 | 0o600
    except OSError:
        mode = 0o600
    try:
        with hold_lock(lock, wait_seconds, mode):
            _held_locks[key] = 1
            try:
                yield
            finally:
                del _held_locks[key]
    except LockBusy as busy:
        who = f" (process {busy.owner})" if busy.owner else ""
        raise FileProblem(
            path, f"another followup run is working on it{who}: wait for it to finish"
        ) from None


def check_writable(path: Path) -> None:
    """Raise FileProblem unless the tracker is a file that can be replaced (mode bits and the
    folder's permissions checked; root gets no pass on a read-only file)."""
    _check_writable(path)


def _check_writable(path: Path) -> os.stat_result:
    try:
        status = path.stat()
    except FileNotFoundError:
        raise FileProblem(path, "does not exist") from None
    except OSError as error:
        raise FileProblem(path, f"cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(status.st_mode):
        raise FileProblem(path, "is not a file")
    if status.st_nlink > 1:
        raise FileProblem(
            path,
            f"has {status.st_nlink} hard links (one file under several names); saving replaces "
            "the file, which would leave the other names on the old version: keep one name "
            "(a symbolic link is fine) and run again",
        )
    # Checked on the mode bits too: os.access says yes to root even for a read-only file.
    if not status.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise FileProblem(path, "is read-only: make it writable (or copy it) and run again")
    if not os.access(path.resolve().parent, os.W_OK):
        raise FileProblem(path, "is in a folder you cannot write to: check its permissions")
    return status


def backup_modes(tracker_mode: int) -> tuple[int, int]:
    """(file, folder) permissions for backups: the tracker's, and the folder searchable by
    whoever may read them (a 600 tracker: 600 backups in a 700 folder)."""
    file_mode = stat.S_IMODE(tracker_mode) & 0o666 | 0o600
    folder_mode = file_mode | (file_mode & 0o444) >> 2
    return file_mode, folder_mode


def _backup_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}(?:-\d+)?" + re.escape(path.suffix))


def _keep_backup(path: Path, old: bytes, backups: Path, keep: int, tracker_mode: int) -> Path:
    """Copy the previous version to `backups`, then prune all but the `keep` newest.

    Newest by the files' modification times, not by the time in their names: the names are
    local time, which jumps back at a daylight-saving or time-zone change.
    """
    with file_stage("keeping a backup of the tracker", backups):
        return _write_backup(path, old, backups, keep, tracker_mode)


def _write_backup(path: Path, old: bytes, backups: Path, keep: int, tracker_mode: int) -> Path:
    file_mode, folder_mode = backup_modes(tracker_mode)
    backups.mkdir(mode=folder_mode, parents=True, exist_ok=True)
    if stat.S_IMODE(backups.stat().st_mode) & ~folder_mode:
        # made wider by an older version, or by hand: narrow it to the tracker's
        with contextlib.suppress(OSError):
            os.chmod(backups, folder_mode)
    pattern = _backup_pattern(path)
    remove_temp_files(backups, lambda name: pattern.fullmatch(name) is not None)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    number = 1
    while True:
        suffix = "" if number == 1 else f"-{number}"
        backup = backups / f"{path.stem}.{stamp}{suffix}{path.suffix}"
        if not os.path.lexists(backup):
            break
        number += 1
    atomic_write(backup, old, mode=file_mode)
    found = []
    for candidate in backups.iterdir():
        if pattern.fullmatch(candidate.name):
            with contextlib.suppress(OSError):
                status = candidate.lstat()
                found.append((status.st_mtime_ns, candidate.name, candidate, status.st_mode))
    found.sort(reverse=True)
    for _, _, kept, mode in found[: max(keep, 1)]:
        if stat.S_IMODE(mode) != file_mode:
            with contextlib.suppress(OSError):
                os.chmod(kept, file_mode)  # an older version's readable-by-all backups
    for _, _, old_backup, _ in found[max(keep, 1) :]:
        with contextlib.suppress(OSError):
            old_backup.unlink()
    return backup


def save_edits(
    path: Path,
    sheet_name: str,
    edits: Iterable[Edit],
    *,
    backups_dir: Path | None = None,
    keep: int = 7,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
    expected: tuple[int, int] | None = None,
) -> Path | None:
    """Write `edits` into worksheet `sheet_name` of the .xlsx at `path` (see save_rewritten)."""

    def rewrite(old: bytes) -> bytes:
        new_package = io.BytesIO()
        write_edits(io.BytesIO(old), new_package, sheet_name, edits)
        return new_package.getvalue()

    return save_rewritten(
        path,
        rewrite,
        backups_dir=backups_dir,
        keep=keep,
        lock_wait_seconds=lock_wait_seconds,
        expected=expected,
    )


def save_rewritten(
    path: Path,
    rewrite: Callable[[bytes], bytes],
    *,
    backups_dir: Path | None = None,
    keep: int = 7,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
    expected: tuple[int, int] | None = None,
) -> Path | None:
    """Replace the tracker at `path` by `rewrite(its bytes)`, atomically, keeping a backup.

    `rewrite` is the tracker format's writer (it knows the file's format; this knows how to
    replace a file safely). Returns the backup of the previous version, or None when the
    rewrite changes no byte (then nothing is written). Backups go to `backups_dir` (default
    `followup-backups/` beside the tracker) as `NAME.YYYYMMDD-HHMMSS.xlsx`; the `keep`
    newest per tracker are kept. Raises FileProblem, with the tracker untouched, when it is
    open in Excel or LibreOffice, read-only, locked by another run, damaged, or cannot be
    replaced (an OSError becomes a one-line FileProblem). `expected` is the tracker's
    `file_identity` when the edits were worked out: a tracker changed since is refused, not
    merged into.
    """
    # Whether it is open or read-only is asked under the lock, where the answer still holds
    # when the file is replaced (the runner asks once more before writing any draft).
    real = path.resolve()
    with file_stage("saving the tracker", path), run_lock(path, lock_wait_seconds):
        remove_temp_files(real.parent, lambda name: name == real.name)
        check_not_open(path)
        status = _check_writable(path)
        if expected is not None and file_identity(status) != expected:
            raise FileProblem(path, "was changed by another program during the run: run again")
        old = real.read_bytes()
        try:
            new = rewrite(old)
        except FileProblem as problem:
            raise FileProblem(path, problem.message) from None
        if new == old:
            return None
        check_not_open(path)  # Excel may have opened it while we worked
        backups = backups_dir or path.parent / BACKUPS_FOLDER
        kept: list[Path] = []

        def check_then_back_up() -> None:
            # The new version is safely in its temporary file: last checks, then the backup.
            if file_identity(real.stat()) != file_identity(status):
                raise FileProblem(path, "was changed by another program during the run: run again")
            kept.append(_keep_backup(path, old, backups, keep, status.st_mode))

        try:
            atomic_write(
                real, new, mode=stat.S_IMODE(status.st_mode), before_replace=check_then_back_up
            )
        except OSError as error:
            if not kept:
                raise  # writing the new version failed: the stage says why
            raise _replace_problem(path, error) from None
        return kept[0]


def _replace_problem(path: Path, error: OSError) -> FileProblem:
    if isinstance(error, PermissionError) or error.errno in (errno.EBUSY, errno.ETXTBSY):
        # Windows refuses to replace a file another program has open (after a few retries).
        return FileProblem(
            path,
            "could not be replaced: close it in Excel (or any program) and check its "
            "permissions, then run again",
        )
    return os_problem(error, "replacing the tracker", path)
