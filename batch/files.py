"""Files on disk: atomic writes, locks the kernel releases, and OS errors as one-line problems.

Everything the tool writes goes through here, so three promises hold in one place:

- `atomic_write`: a file is either its old content or its complete new content, never half
  of one (a temporary file in the same folder, then `os.replace`). Temporary files are named
  `.followup-tmp-XXXXXXXX-NAME`, so a run holding the lock for NAME can remove those a killed
  run left.
- `hold_lock`: an operating-system lock (flock on Linux and macOS, LockFileEx on Windows, via
  the `filelock` library) that the kernel releases when the process dies, however it dies. The
  lock file also holds "pid@host" of its holder, only to name it in the message a waiting run
  prints; a lock file left by an older version (which held only that text) is simply taken.
- `file_stage`: the one place that turns an `OSError` (disk full, permission denied, a
  read-only disk, a file where a folder should be, a name too long) into a `FileProblem`, the
  one-line `PATH: what went wrong while STAGE; what to do` that stops one tracker (exit 2).

`WINDOWS` is the platform switch the code paths below consult (a test forces it to run the
Windows branches on any system).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from batch.model import FileProblem

if TYPE_CHECKING:
    from filelock import BaseFileLock

WINDOWS = os.name == "nt"
TEMP_PREFIX = ".followup-tmp-"
# Windows refuses to replace a file another program has open; Excel, a sync client or a virus
# scanner usually lets go within a second or two.
REPLACE_RETRY_SECONDS = 2.0
_REPLACE_RETRY_PAUSE = 0.1
_LOCK_POLL_SECONDS = 0.05


# --- atomic writes ---------------------------------------------------------------------------


def atomic_write(
    path: Path,
    content: bytes,
    *,
    durable: bool = True,
    mode: int | None = None,
    before_replace: Callable[[], object] | None = None,
) -> None:
    """Write `path` via a temporary file in the same folder, then replace it in one step.

    A crash leaves the old file or the new one. `durable` fsyncs the data (and, on POSIX, the
    folder) first; drafts skip it, because the drafts manifest notices a torn draft (see
    `batch.manifest`). `mode` sets the new file's permissions (default 600, mkstemp's).
    `before_replace` runs once the new content is safely in the temporary file, just before
    the replace (the tracker's save checks nobody changed it, and keeps a backup, there).
    """
    handle, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=TEMP_PREFIX, suffix=f"-{path.name}"
    )
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(content)
            temp.flush()
            if durable:
                os.fsync(temp.fileno())
        if mode is not None:
            os.chmod(temp_name, mode)
        if before_replace is not None:
            before_replace()
        replace(Path(temp_name), path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    if durable:
        fsync_folder(path.parent)


def temp_file_target(name: str) -> str | None:
    """The file a temporary file of `atomic_write` was for ("tracker.xlsx"), or None."""
    if not name.startswith(TEMP_PREFIX):
        return None
    rest = name[len(TEMP_PREFIX) :]
    # mkstemp puts 8 random characters before the "-NAME" suffix
    return rest[9:] if len(rest) > 9 and rest[8] == "-" else None


def remove_temp_files(folder: Path, target: Callable[[str], bool] | None = None) -> None:
    """Remove the temporary files a killed run left in `folder`: all of them, or those whose
    target file name passes `target`. Call it holding the lock that covers those files."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            original = temp_file_target(entry.name)
            if original is not None and (target is None or target(original)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def file_identity(status: os.stat_result) -> tuple[int, int]:
    """What tells a changed file from the one read: modification time and size."""
    return status.st_mtime_ns, status.st_size


def replace(source: Path, target: Path) -> None:
    """`os.replace`, retried briefly on Windows while another program holds `target` open."""
    deadline = time.monotonic() + REPLACE_RETRY_SECONDS
    while True:
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if not WINDOWS or time.monotonic() >= deadline:
                raise
        time.sleep(_REPLACE_RETRY_PAUSE)


def fsync_folder(folder: Path) -> None:
    """Make a rename durable. POSIX only: Windows cannot open a folder, and needs not."""
    if WINDOWS:
        return
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


def make_private_folder(folder: Path, mode: int = 0o700) -> None:
    """Create `folder` and any missing parents with `mode` (700: drafts name real people)."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):
            created.mkdir(mode)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way", str(folder))


# --- locks -----------------------------------------------------------------------------------


class LockBusy(Exception):
    """Another process holds the lock; `owner` is its "pid@host" text, or "" when unknown."""

    def __init__(self, path: Path, owner: str) -> None:
        super().__init__(f"{path} is locked by {owner or 'another process'}")
        self.path = path
        self.owner = owner


def lock_class() -> type[BaseFileLock]:
    """The kernel lock of this platform (filelock's own pick, made explicit for the tests)."""
    import filelock

    return filelock.WindowsFileLock if WINDOWS else filelock.UnixFileLock


def owner_text() -> str:
    return f"{os.getpid()}@{socket.gethostname()}"


def _write_owner(descriptor: int) -> None:
    """Put "pid@host" in the lock file, after a first byte: Windows locks byte 0 for the holder
    only, so waiting runs read from byte 1 on every system."""
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.write(descriptor, f"\n{owner_text()}".encode())


def read_owner(lock_path: Path) -> str:
    """The holder's "pid@host", or "" when it cannot be read (nothing here depends on it)."""
    try:
        with open(lock_path, "rb") as handle:
            handle.seek(1)
            return handle.read(200).decode("utf-8", "replace").strip("\x00\n\r ")
    except OSError:
        return ""


@contextlib.contextmanager
def hold_lock(lock_path: Path, wait_seconds: float, mode: int = 0o600) -> Iterator[None]:
    """Hold the kernel lock on `lock_path`, waiting up to `wait_seconds`; LockBusy after that.

    The lock file is removed on release. One left by a run that was killed is no obstacle:
    the kernel let go of its lock when the process died, and the next run takes it.
    """
    import filelock

    lock = lock_class()(
        lock_path,
        timeout=wait_seconds,
        mode=mode,
        poll_interval=_LOCK_POLL_SECONDS,
        on_acquired=_write_owner,
    )
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockBusy(lock_path, read_owner(lock_path)) from None
    try:
        yield
    finally:
        # Removed while still held, so no run is left holding a name nobody else sees:
        # filelock takes a lock only on a file that still has its name (it checks, and
        # tries again, when the file was removed while it waited).
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        lock.release()


# --- OS errors as one-line problems ----------------------------------------------------------

# errno -> (what went wrong, what to do); the path is the file the system named, if any.
_ADVICE: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free some space and run again"),
    errno.EDQUOT: ("your disk quota is used up", "free some space and run again"),
    errno.EACCES: ("permission denied", "check the permissions of the file and its folder"),
    errno.EPERM: ("not permitted", "check the permissions of the file and its folder"),
    errno.EROFS: ("the disk is read-only", "use a folder on a writable disk"),
    errno.EEXIST: ("a file is in the way", "move that file away and run again"),
    errno.ENOTDIR: (
        "a file is where a folder should be",
        "move that file away (or choose another folder) and run again",
    ),
    errno.EISDIR: ("a folder is where a file should be", "move that folder away and run again"),
    errno.ENAMETOOLONG: (
        "the name is too long for the file system",
        "use a shorter folder path or tracker name",
    ),
    errno.ENOENT: ("does not exist", "check the path (was a folder moved or deleted?)"),
    errno.EIO: ("the disk reported an input/output error", "check the disk, then run again"),
    errno.EBUSY: ("is in use by another program", "close it and run again"),
    errno.EMFILE: ("too many files are open", "run again with fewer trackers at once"),
}


def os_problem(error: OSError, stage: str, fallback: Path | str) -> FileProblem:
    """The one-line problem for an OSError met while `stage` (e.g. "writing the drafts"):
    `PATH: writing the drafts failed: the disk is full; free some space and run again`."""
    where = os.fsdecode(error.filename) if error.filename not in (None, "") else fallback
    number = error.errno if error.errno is not None else -1
    if number == errno.ENOTDIR:
        where = _file_in_the_way(Path(where))
    target = temp_file_target(Path(where).name)
    if target is not None:  # name the file being written, not its temporary file
        where = Path(where).with_name(target)
    what, advice = _ADVICE.get(
        number,
        (error.strerror or type(error).__name__, "check the disk and the folder, then run again"),
    )
    return FileProblem(where, f"{stage} failed: {what}; {advice}")


def _file_in_the_way(path: Path) -> Path:
    """The file standing where a folder of `path` should be (the path itself if none found)."""
    for ancestor in [path, *path.parents]:
        if os.path.lexists(ancestor):
            return ancestor if not ancestor.is_dir() else path
    return path


@contextlib.contextmanager
def file_stage(stage: str, path: Path | str) -> Iterator[None]:
    """Run one stage of a run; any OSError in it stops the tracker with a one-line problem."""
    try:
        yield
    except OSError as error:
        raise os_problem(error, stage, path) from None
