"""Save edits into the user's tracker without ever leaving it half-written.

The tracker on disk is always either the old file or the complete new one: the new package
is written to a temporary file in the same folder, flushed and fsynced, and moved over the
tracker with `os.replace` (atomic on POSIX and Windows). Before that, the previous version is
copied into a backups folder. A tracker that Excel or LibreOffice has open is not touched, and
two runs on the same tracker never interleave (a run lock beside it).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import socket
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from batch.model import FileProblem
from batch.xlsx_writer import Edit, write_edits

BACKUPS_FOLDER = "followup-backups"
LOCK_WAIT_SECONDS = 5.0
_LOCK_POLL_SECONDS = 0.1
_TEMP_SUFFIX = ".followup-tmp"

# Locks this process holds: resolved tracker path -> nesting depth (so a caller may hold
# the run lock for a whole run and still call save_edits inside it).
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
    """Raise FileProblem when Excel or LibreOffice has the tracker open."""
    for lock_file, program in owner_files(path):
        if lock_file.exists():
            raise FileProblem(
                path,
                f"is open in {program} ({lock_file.name} exists): close it and run again "
                f"(if {program} is not running, delete {lock_file.name})",
            )


def run_lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.followup.lock")


def _lock_owner() -> str:
    return f"{os.getpid()}@{socket.gethostname()}"


def _is_stale(owner: str) -> bool:
    """True when the lock was left by a process of this machine that no longer runs."""
    pid_text, _, host = owner.strip().partition("@")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False  # it exists (owned by someone else), or we cannot tell
    return False


def _try_lock(lock: Path) -> str | None:
    """Take the lock file; None when taken, else the current owner's text."""
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        try:
            owner = lock.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""  # released meanwhile: try again
        except OSError:
            owner = "?"
        if _is_stale(owner):
            # A run that died (killed, power cut) left it; nobody else can be holding it.
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
            return ""
        return owner or "?"
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(_lock_owner())
    return None


@contextlib.contextmanager
def run_lock(path: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the tracker's run lock; another run waits up to `wait_seconds`, then refuses."""
    key = path.resolve()
    if key in _held_locks:
        _held_locks[key] += 1
        try:
            yield
        finally:
            _held_locks[key] -= 1
        return
    lock = run_lock_path(path)
    deadline = time.monotonic() + wait_seconds
    while (owner := _try_lock(lock)) is not None:
        if owner and time.monotonic() >= deadline:
            raise FileProblem(
                path,
                f"another followup run is working on it (process {owner.strip()}): "
                f"wait for it to finish (if none is running, delete {lock.name})",
            )
        if owner:
            time.sleep(_LOCK_POLL_SECONDS)
    _held_locks[key] = 1
    try:
        yield
    finally:
        del _held_locks[key]
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


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
    # Checked on the mode bits too: os.access says yes to root even for a read-only file.
    if not status.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise FileProblem(path, "is read-only: make it writable (or copy it) and run again")
    if not os.access(path.parent, os.W_OK):
        raise FileProblem(path, "is in a folder you cannot write to: check its permissions")
    return status


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open folders, and needs not)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _write_durably(target: Path, data: bytes, mode: int | None = None) -> None:
    with open(target, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if mode is not None:
        os.chmod(target, mode)


def _backup_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"\.(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix))


def _keep_backup(path: Path, old: bytes, backups: Path, keep: int) -> Path:
    """Copy the previous version to `backups`, then prune all but the `keep` newest."""
    try:
        backups.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileProblem(
            path, f"cannot make the backups folder {backups} ({error.strerror})"
        ) from None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    pattern = _backup_pattern(path)
    found = []
    for candidate in backups.iterdir():
        match = pattern.fullmatch(candidate.name)
        if match:
            found.append(((match[1], int(match[2] or 1)), candidate))
    # Several saves in one second get -2, -3...: always above the ones kept, so order holds.
    number = 1 + max((n for (s, n), _ in found if s == stamp), default=0)
    suffix = "" if number == 1 else f"-{number}"
    backup = backups / f"{path.stem}.{stamp}{suffix}{path.suffix}"
    # Written under a temporary name first, so a killed run never leaves half a backup.
    partial = backups / f".{backup.name}.{os.getpid()}{_TEMP_SUFFIX}"
    try:
        _write_durably(partial, old)
        os.replace(partial, backup)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise FileProblem(path, f"cannot write a backup in {backups} ({error.strerror})") from None
    found.append(((stamp, number), backup))
    found.sort(reverse=True)
    for _, old_backup in found[max(keep, 1) :]:
        with contextlib.suppress(OSError):
            old_backup.unlink()
    return backup


def _remove_leftover_temp_files(path: Path) -> None:
    """Temp files of a run that died; safe to remove because we hold the run lock."""
    prefix = f".{path.name}."
    for candidate in path.parent.iterdir():
        if candidate.name.startswith(prefix) and candidate.name.endswith(_TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                candidate.unlink()


def save_edits(
    path: Path,
    sheet_name: str,
    edits: Iterable[Edit],
    *,
    backups_dir: Path | None = None,
    keep: int = 7,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Path | None:
    """Write `edits` into worksheet `sheet_name` of the .xlsx at `path` (see save_rewritten)."""

    def rewrite(old: bytes) -> bytes:
        new_package = io.BytesIO()
        write_edits(io.BytesIO(old), new_package, sheet_name, edits)
        return new_package.getvalue()

    return save_rewritten(
        path, rewrite, backups_dir=backups_dir, keep=keep, lock_wait_seconds=lock_wait_seconds
    )


def save_rewritten(
    path: Path,
    rewrite: Callable[[bytes], bytes],
    *,
    backups_dir: Path | None = None,
    keep: int = 7,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Path | None:
    """Replace the tracker at `path` by `rewrite(its bytes)`, atomically, keeping a backup.

    `rewrite` is the tracker format's writer (it knows the file's format; this knows how to
    replace a file safely). Returns the backup of the previous version, or None when the
    rewrite changes no byte (then nothing is written). Backups go to `backups_dir` (default
    `followup-backups/` beside the tracker) as `NAME.YYYYMMDD-HHMMSS.xlsx`; the `keep`
    newest per tracker are kept. Raises FileProblem, with the tracker untouched, when it is
    open in Excel or LibreOffice, read-only, locked by another run, damaged, or cannot be
    replaced.
    """
    # Whether it is open or read-only is asked under the lock, where the answer still holds
    # when the file is replaced (the runner asks once more before writing any draft).
    with run_lock(path, lock_wait_seconds):
        _remove_leftover_temp_files(path)
        status = _check_writable(path)
        old = path.read_bytes()
        try:
            new = rewrite(old)
        except FileProblem as problem:
            raise FileProblem(path, problem.message) from None
        if new == old:
            return None
        check_not_open(path)  # Excel may have opened it while we worked
        temp = path.with_name(f".{path.name}.{os.getpid()}{_TEMP_SUFFIX}")
        try:
            _write_durably(temp, new, stat.S_IMODE(status.st_mode))
            current = path.stat()
            if (current.st_mtime_ns, current.st_size) != (status.st_mtime_ns, status.st_size):
                raise FileProblem(path, "was changed by another program during the run: run again")
            backup = _keep_backup(path, old, backups_dir or path.parent / BACKUPS_FOLDER, keep)
            _replace(temp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        _fsync_folder(path.parent)
        return backup


def _replace(temp: Path, path: Path) -> None:
    try:
        os.replace(temp, path)
    except PermissionError:
        # Windows refuses to replace a file another program has open.
        raise FileProblem(
            path,
            "could not be replaced: close it in Excel (or any program) and check its permissions",
        ) from None
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EBUSY, errno.ETXTBSY):
            raise FileProblem(
                path, "could not be replaced: close it in any program and run again"
            ) from None
        raise FileProblem(path, f"could not be replaced ({error.strerror})") from None
