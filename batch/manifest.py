"""The drafts folder: safe paths inside it, atomic writes, and the manifest of what we wrote.

The manifest (`.followup-manifest.json` in the drafts folder) records, for every file the tool
wrote, its path relative to the folder, its sha256, and which draft owns it. It is what lets a
re-run tell "our file, unchanged" from "our file, edited by the coach since":

- the file is missing -> written;
- its content is already what we would write -> left alone (mtime untouched);
- it is still exactly what we wrote last time -> replaced with the new content;
- anything else (edited since, or not ours) -> never overwritten: the new version goes
  beside it as `name.new.eml` (`name.new-2.eml`, ... if that one was edited too).

How files are written: a file that replaces an existing one goes through a temporary file and
`os.replace` (`atomic_write`), so a crash leaves the old file or the new one. A file whose name
is free is created directly with `O_CREAT | O_EXCL | O_NOFOLLOW` (`create_new`): the exclusive
create fails, rather than following or overwriting, if anything (a file, a symbolic link, even
a broken one) took the name since we looked, and the run then decides again by the rules above.
A new draft torn by a power cut is not in the manifest (it is saved at the end of the run), so
the next run counts it as not ours: it is kept, never overwritten, and the draft goes beside it.

Public API: `DraftsFolder(root)` with `.safe_path(relative)`, `.allocate_stem(...)`,
`.write(relative, content, owner)`, `.save()`; `atomic_write(path, content)`;
`create_new(path, content)`; `sha256_of(content)`; `manifest_text(files)`; `WriteOutcome`.
A path that would leave the folder (`..`, absolute, a symlink pointing elsewhere) raises
`FileProblem`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from batch.model import FileProblem

MANIFEST_NAME = ".followup-manifest.json"
_MANIFEST_VERSION = 1

_OUTSIDE = "this path leads outside the drafts folder (a symbolic link?); remove it"

Action = Literal["written", "updated", "unchanged", "kept-edited"]


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one file: `path` holds the new content; `kept` is the user's edited file."""

    path: Path
    relative: str
    action: Action
    kept: Path | None = None


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def atomic_write(path: Path, content: bytes, durable: bool = True) -> None:
    """Write via a temporary file in the same folder, flush, fsync, then replace.

    A crash leaves either the old file or the new one, never half a draft. `durable=False`
    skips the fsync (milliseconds per file on some disks): drafts use it, because after a
    power cut a torn draft no longer matches the manifest and is kept, never overwritten.
    """
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(content)
            temp.flush()
            if durable:
                os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


# O_EXCL: fail if the name exists, even as a symbolic link (broken or not), so nothing is ever
# followed or overwritten; O_NOFOLLOW says the same where O_EXCL alone might not (old NFS).
_NEW_FILE_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)  # Windows: no newline translation
)
# The mode mkstemp gives, so a new draft has the same permissions as a replaced one.
_NEW_FILE_MODE = 0o600


def create_new(path: str | Path, content: bytes) -> None:
    """Create `path`, which must not exist yet, with `content`; FileExistsError if it does.

    No temporary file and rename: there is no old file to keep whole. On any failure the
    half-written file is removed (it is ours: the exclusive create made it) and the error
    raised. Not fsynced, like drafts' `atomic_write(durable=False)`.
    """
    handle = os.open(path, _NEW_FILE_FLAGS, _NEW_FILE_MODE)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def _file_hash(path: str | Path) -> str | None:
    try:
        with open(path, "rb") as file:
            return sha256_of(file.read())
    except FileNotFoundError:
        return None


def manifest_text(files: dict[str, dict[str, str]]) -> str:
    """The manifest file's text: exactly `json.dumps(..., indent=2, ensure_ascii=False)` + "\\n".

    Written out here because json encodes in pure Python when asked to indent (~40 ms for
    1,600 files); the strings still go through json's own (C) string encoder.
    """
    quote = json.encoder.encode_basestring
    entries = []
    for name, entry in files.items():
        fields = ",\n".join(f"      {quote(key)}: {quote(value)}" for key, value in entry.items())
        entries.append(f"    {quote(name)}: " + ("{\n" + fields + "\n    }" if entry else "{}"))
    listed = "{\n" + ",\n".join(entries) + "\n  }" if entries else "{}"
    return f'{{\n  "version": {_MANIFEST_VERSION},\n  "files": {listed}\n}}\n'


def _plain_name(name: str) -> bool:
    """A single file name: no folder separator, not "." or "..", nothing Windows reads as a path."""
    return name not in ("", ".", "..") and not any(char in name for char in "/\\:")


class DraftsFolder:
    """One drafts folder and its manifest, for the length of one run (call `save()` at the end)."""

    def __init__(self, root: Path, dry_run: bool = False) -> None:
        # dry_run: decide everything as for a real run, but create and write nothing
        self.dry_run = dry_run
        if not dry_run:
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise FileProblem(
                    root, f"cannot create the drafts folder ({error.strerror})"
                ) from None
        self.root = root
        self._root = os.fspath(root)
        self._real_root = root.resolve()
        self.manifest_path = root / MANIFEST_NAME
        self._files: dict[str, dict[str, str]] = self._load()
        # folder -> case-folded stem -> owners; (folder, owner, base) -> that owner's stems
        self._stem_owners: dict[str, dict[str, set[str]]] = {}
        self._owned_stems: dict[tuple[str, str, str], list[str]] = {}
        self._next_number: dict[tuple[str, str], int] = {}
        self._safe_folders: set[str] = set()  # folders (relative) checked in this run
        for relative, entry in self._files.items():
            self._index(relative, entry)
        # stems handed out in this run, per folder, case-folded (Windows and macOS file
        # systems ignore case, so "Acme" and "acme" are the same file there)
        self._claimed: dict[str, set[str]] = {}
        self._written: set[str] = set()  # files (relative) written in this run: no need to stat
        # relative -> absolute path of names allocate_stem found free in a checked folder:
        # write creates those exclusively without checking the path again (see write)
        self._free: dict[str, str] = {}
        self._folder_paths: dict[str, str] = {}  # checked existing folders -> absolute path

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data: Any = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # An unreadable manifest proves nothing is ours: every existing file then counts
            # as edited and is kept, which is the safe side.
            return {}
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            return {}
        return {
            str(name): {str(k): str(v) for k, v in entry.items()}
            for name, entry in files.items()
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
        }

    def save(self) -> None:
        """Write the manifest (atomically), forgetting files that no longer exist."""
        if self.dry_run:
            return
        files = {
            name: entry
            for name, entry in sorted(self._files.items())
            if name in self._written or os.path.exists(os.path.join(self._root, name))
        }
        content = manifest_text(files).encode("utf-8")
        if _file_hash(self.manifest_path) != sha256_of(content):
            atomic_write(self.manifest_path, content)

    def safe_path(self, relative: str) -> Path:
        """The absolute path of `relative` (posix form), verified to stay inside the folder.

        Each part must be a plain name; the folders on the way are resolved (following any
        symbolic link) and must stay inside the drafts folder; the file itself must not be a
        symbolic link. A folder that exists and passed is not resolved again in this run.
        """
        return Path(self._checked_path(relative))

    def _checked_path(self, relative: str) -> str:
        """`safe_path` as a plain string: the per-file checks without building Path objects."""
        parts = relative.split("/")
        if not all(_plain_name(part) for part in parts):
            raise FileProblem(
                self.root / relative, "refusing a draft path outside the drafts folder"
            )
        path = os.path.join(self._root, *parts)
        folder = relative.rpartition("/")[0]
        if folder not in self._safe_folders:
            parent = Path(path).parent
            if not parent.resolve().is_relative_to(self._real_root):
                raise FileProblem(parent, _OUTSIDE)
            if parent.is_dir():
                self._safe_folders.add(folder)
        if os.path.islink(path):
            raise FileProblem(Path(path), _OUTSIDE)
        return path

    def allocate_stem(self, folder: str, base: str, owner: str, suffixes: tuple[str, ...]) -> str:
        """A file stem in `folder` for `owner`'s files, unique in this run and on disk.

        The stem this owner got earlier in the folder is reused (so re-runs write the same
        file names whatever the row order); otherwise `base`, `base-2`, `base-3`, ...
        """
        claimed = self._claimed.setdefault(folder, set())
        for stem in self._owned_stems.get((folder, owner, base), []):
            if stem.casefold() not in claimed:
                claimed.add(stem.casefold())
                return stem
        stem_owners = self._stem_owners.get(folder, {})
        # A folder that exists and passed the checks is not checked again in this run (as in
        # safe_path); allocate_stem runs once per draft, for the same day folder.
        folder_path = self._folder_paths.get(folder)
        if folder_path is None:
            folder_path = self._checked_path(folder)
            if folder in self._safe_folders:
                self._folder_paths[folder] = folder_path
        # Names found free here may skip write's path checks only in a folder that exists and
        # passed them in this run (the first draft of a new day folder takes the normal path).
        remember_free = not self.dry_run and folder in self._safe_folders
        # Numbers below the last one handed out for this base are all taken already.
        number = self._next_number.get((folder, base), 1)
        while True:
            stem = base if number == 1 else f"{base}-{number}"
            folded = stem.casefold()
            taken = folded in claimed or bool(stem_owners.get(folded, set()) - {owner})
            names = [f"{stem}{suffix}" for suffix in suffixes]
            paths = [os.path.join(folder_path, name) for name in names]
            # lexists: a symbolic link (even a broken one) takes the name too
            if not taken and not any(os.path.lexists(path) for path in paths):
                claimed.add(folded)
                self._next_number[(folder, base)] = number + 1
                if remember_free and all(_plain_name(name) for name in names):
                    for name, path in zip(names, paths, strict=True):
                        self._free[f"{folder}/{name}"] = path
                return stem
            number += 1

    def _index(self, relative: str, entry: dict[str, str]) -> None:
        """Remember who owns a recorded file, so name lookups need no scan of the manifest."""
        folder, _, name = relative.rpartition("/")
        stem = name.split(".")[0]
        owner = entry.get("owner", "")
        self._stem_owners.setdefault(folder, {}).setdefault(stem.casefold(), set()).add(owner)
        if entry.get("role") == "draft":
            stems = self._owned_stems.setdefault((folder, owner, entry.get("base", "")), [])
            if stem not in stems:
                stems.append(stem)

    def _record(self, relative: str, digest: str, owner: str, base: str, role: str) -> None:
        entry = {"sha256": digest, "owner": owner, "base": base, "role": role}
        self._files[relative] = entry
        self._index(relative, entry)

    def write(self, relative: str, content: bytes, owner: str, base: str = "") -> WriteOutcome:
        """Write one draft file by the rules in the module docstring."""
        digest = sha256_of(content)
        free_path = self._free.pop(relative, None)
        if free_path is not None:
            # Fast path: allocate_stem saw this name free moments ago, in a folder checked in
            # this run, so the per-file checks (is it a symbolic link? what is in it?) would
            # only find it missing again. The exclusive create refuses anything that took the
            # name since, and then the normal path below decides: never an overwrite.
            try:
                create_new(free_path, content)
            except FileExistsError:
                pass
            else:
                self._written.add(relative)
                self._record(relative, digest, owner, base, "draft")
                return WriteOutcome(Path(free_path), relative, "written")
        path = self._checked_path(relative)
        folder = relative.rpartition("/")[0]
        # A folder that passed safe_path as an existing folder needs no mkdir (1,000 drafts
        # would make 2,000 mkdir calls and path checks for the same day folder).
        if not self.dry_run and folder not in self._safe_folders:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self._checked_path(relative)  # the folder may have been created just now: check again
        action = self._put(relative, path, content, digest)
        if action is not None:
            self._record(relative, digest, owner, base, "draft")
            return WriteOutcome(Path(path), relative, action)
        # Someone edited our draft (or the file is not ours): keep it, put ours beside it.
        stem, _, suffix = relative.rpartition("/")[2].partition(".")
        number = 1
        while True:
            tag = "new" if number == 1 else f"new-{number}"
            beside = f"{folder}/{stem}.{tag}.{suffix}"
            beside_path = self._checked_path(beside)
            beside_action = self._put(beside, beside_path, content, digest)
            if beside_action is not None:
                self._record(beside, digest, owner, base, "new-version")
                return WriteOutcome(
                    Path(beside_path),
                    beside,
                    "unchanged" if beside_action == "unchanged" else "kept-edited",
                    kept=Path(path),
                )
            number += 1

    def _put(
        self, relative: str, path: str, content: bytes, digest: str
    ) -> Literal["written", "updated", "unchanged"] | None:
        """Put `content` at `path` if the rules allow; None when the file there is not ours."""
        while True:
            current = _file_hash(path)
            if current == digest:
                return "unchanged"
            if current is None:
                if self.dry_run:
                    return "written"
                try:
                    create_new(path, content)
                except FileExistsError:
                    continue  # something took the name since we looked: look again
                self._written.add(relative)
                return "written"
            entry = self._files.get(relative)
            if entry is None or current != entry["sha256"]:
                return None  # edited since we wrote it, or never ours
            if not self.dry_run:
                atomic_write(Path(path), content, durable=False)
                self._written.add(relative)
            return "updated"


def recorded_files(root: Path) -> dict[str, dict[str, str]]:
    """What the manifest in the drafts folder `root` records, read only: each file's path
    relative to `root` -> its sha256, owner, base and role. Empty when there is none."""
    return dict(DraftsFolder(root, dry_run=True)._files)
