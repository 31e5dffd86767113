"""The drafts folder: safe paths inside it, crash-safe writes, and the manifest of what we wrote.

The manifest (`.followup-manifest.json` in the drafts folder) records, for every file the tool
wrote, its path relative to the folder, its sha256, and which draft owns it. It is what lets a
re-run tell "our file, unchanged" from "our file, edited by the coach since":

- the file is missing -> written;
- its content is already what we would write -> left alone (mtime untouched);
- it is still exactly what we wrote last time -> replaced with the new content;
- edited since we wrote it, and what we would write now is what we wrote then (the row did
  not change) -> the edited file is the draft: left as it is, nothing written beside it;
- edited, and the row changed since (or the file is not ours) -> never overwritten: the new
  version goes beside it as `name.new.eml` (`name.new-2.eml`, ... if that one was edited too).

Crash safety: a run first decides every file (`plan`), then records the files it is about to
create or replace in the manifest, marked pending with the checksum they had before
(`commit`: one manifest write, fsynced), then writes them, then saves the manifest again
without the marks. A run killed, or stopped by a full disk, anywhere in between leaves pending
entries, and the next run settles them before it looks at anything (`_settle_pending`): a
file that holds what was being written is ours; one that still holds its previous content is
ours as it was; a new file that holds neither is our own half-written file, and is removed.
So a re-run after any crash writes exactly the files a clean run would: no `-2` copies of its
own files, no empty drafts, and no temporary files left (`.followup-tmp-*`, removed under the
lock). A draft recorded as ours that is empty was torn by a power cut, and is written again.

Files are written so a crash leaves the old file or the new one: a file that replaces an
existing one goes through a temporary file and `os.replace` (`batch.files.atomic_write`). A
file whose name is free is created directly with `O_CREAT | O_EXCL | O_NOFOLLOW`
(`create_new`): the exclusive create fails, rather than following or overwriting, if
anything (a file, a symbolic link, even a broken one) took the name since we looked, and the
run then decides that file again by the rules above.

Runs that share a drafts folder take turns: `lock_drafts(root)` is held while the manifest is
read, updated and saved, and while the review page and calendar are written.

Public API: `DraftsFolder(root)` with `.safe_path(relative)`, `.allocate_stem(...)`,
`.plan(relative, content, owner)`, `.commit(plans)`, `.write(...)` (plan and commit one
file), `.save()`; `lock_drafts(root)`; `atomic_write(path, content)`; `create_new(path,
content)`; `sha256_of(content)`; `manifest_text(files)`; `WriteOutcome`. A path that would
leave the folder (`..`, absolute, a symlink pointing elsewhere) raises `FileProblem`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from batch.files import (
    LockBusy,
    hold_lock,
    make_private_folder,
    os_problem,
    remove_temp_files,
)
from batch.files import atomic_write as atomic_write  # the one helper, also used from here
from batch.model import FileProblem

MANIFEST_NAME = ".followup-manifest.json"
LOCK_NAME = ".followup.lock"
# Another run may be writing a whole tracker's drafts into a shared folder: wait for it.
DRAFTS_LOCK_WAIT_SECONDS = 120.0
_MANIFEST_VERSION = 1
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

_OUTSIDE = "this path leads outside the drafts folder (a symbolic link?); remove it"

# "edited": the user's edited draft is the draft (the row has not changed since we wrote it).
# "kept-edited": the user's edited draft is kept (`kept`); the new version is at `path`.
Action = Literal["written", "updated", "unchanged", "kept-edited", "edited"]


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one file: `path` is the file to use (the one to send, for a draft).

    `kept` is the user's edited file when the new version went beside it; `edited` says
    `path` itself is the user's edited version, left as it is.
    """

    path: Path
    relative: str
    action: Action
    kept: Path | None = None

    @property
    def edited(self) -> bool:
        return self.action == "edited"


@dataclass(frozen=True)
class PlannedWrite:
    """One file as `plan` decided it: what to do, and what the manifest will say."""

    outcome: WriteOutcome
    content: bytes
    digest: str
    owner: str
    base: str
    role: str
    previous: str  # sha256 of the content being replaced, "" for a new file
    primary: str  # the draft's own name (relative), which `outcome` may be beside
    fresh: bool = False  # the name was found free in this run (create without re-checking)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@contextlib.contextmanager
def lock_drafts(root: Path, wait_seconds: float = DRAFTS_LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the drafts folder's lock (creating the folder, mode 700, if needed)."""
    try:
        make_private_folder(root)
    except OSError as error:
        raise os_problem(error, "creating the drafts folder", root) from None
    try:
        with hold_lock(root / LOCK_NAME, wait_seconds):
            yield
    except LockBusy as busy:
        who = f" (process {busy.owner})" if busy.owner else ""
        raise FileProblem(
            root,
            f"another followup run is writing into this drafts folder{who}: wait for it to finish",
        ) from None


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


# What versions before the drafts journal named their temporary files (tempfile.mkstemp with
# prefix ".tmp-"); a run killed while writing could leave one for good.
_OLDER_TEMP_FILE = re.compile(r"\.tmp-[a-z0-9_]{8}\.(?:json|eml|txt|html|ics)")


def _remove_older_temp_files(folder: Path) -> None:
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if _OLDER_TEMP_FILE.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


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
                make_private_folder(root)
            except OSError as error:
                raise os_problem(error, "creating the drafts folder", root) from None
        self.root = root
        self._root = os.fspath(root)
        self._real_root = root.resolve()
        self.manifest_path = root / MANIFEST_NAME
        self._files: dict[str, dict[str, str]] = self._load()
        if not dry_run:
            self._settle_pending()
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
        # (folder, "<tracker>#<row>#") -> that row's recorded drafts (remove_renamed_drafts)
        self._drafts_by_row: dict[tuple[str, str], list[str]] | None = None

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

    def _settle_pending(self) -> None:
        """Settle what a run that was killed (or stopped by a full disk) left half-done.

        Called holding the drafts lock, before anything is decided: see the module docstring.
        """
        remove_temp_files(self.root)  # a manifest that was being saved
        _remove_older_temp_files(self.root)
        folders: set[str] = set()
        changed = False
        for relative, entry in list(self._files.items()):
            previous = entry.pop("pending", None)
            if previous is None:
                continue
            changed = True
            folders.add(relative.rpartition("/")[0])
            path = os.path.join(self._root, *relative.split("/"))
            current = None if os.path.islink(path) else _file_hash(path)
            if current is None:
                del self._files[relative]  # never created, or removed since
            elif current == entry["sha256"]:
                pass  # written completely: ours as recorded
            elif previous and current == previous:
                entry["sha256"] = previous  # the replace never happened
            elif not previous:
                # A new file we were creating, holding neither nothing nor what we meant
                # to write: our own half-written file.
                with contextlib.suppress(OSError):
                    os.unlink(path)
                del self._files[relative]
        for folder in folders:
            if all(_plain_name(part) for part in folder.split("/")):
                remove_temp_files(Path(self._root, *folder.split("/")))
        if changed:
            self._save_manifest()

    def prepare_folder(self, folder: str) -> None:
        """Create `folder` (mode 700) and remove temporary files a killed run left in it
        (hold the drafts lock). Made before the run's files are planned, so allocate_stem
        finds their names free in a checked folder and they are created without more checks."""
        if self.dry_run:
            return
        path = Path(self._checked_path(folder))
        make_private_folder(path)
        self._checked_path(folder)  # checked again now that it exists
        remove_temp_files(path)
        _remove_older_temp_files(path)

    def save(self) -> None:
        """Write the manifest (atomically), forgetting files that no longer exist."""
        if self.dry_run:
            return
        self._files = {
            name: entry
            for name, entry in sorted(self._files.items())
            if name in self._written or os.path.exists(os.path.join(self._root, name))
        }
        self._save_manifest()

    def _save_manifest(self) -> None:
        content = manifest_text(self._files).encode("utf-8")
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

    def remove_renamed_drafts(self, folder: str, row_owner: str, base: str) -> list[str]:
        """Remove the earlier drafts of one row in `folder` that went under another name (a
        sender set after the first run of the day), when they are still as written; an
        edited one is never removed. Returns the names of the edited ones kept.

        `row_owner` is the start of the row's owners ("<tracker>#<row>#"); `base` the name
        its draft has now.
        """
        kept: list[str] = []
        if self._drafts_by_row is None:
            # One pass over the manifest for the whole run, not one per row: the manifest
            # holds every day's drafts, and a run asks this for each of its rows.
            self._drafts_by_row = {}
            for relative, recorded in self._files.items():
                if recorded.get("role") == "draft":
                    where = relative.rpartition("/")[0]
                    owner_row = recorded.get("owner", "").rpartition("#")[0] + "#"
                    self._drafts_by_row.setdefault((where, owner_row), []).append(relative)
        for relative in self._drafts_by_row.get((folder, row_owner), []):
            entry = self._files.get(relative)
            name = relative.rpartition("/")[2]
            if entry is None or entry.get("base") == base or relative in self._written:
                continue
            path = os.path.join(self._root, *relative.split("/"))
            current = None if os.path.islink(path) else _file_hash(path)
            if current is None:
                continue
            if current != entry["sha256"]:
                kept.append(name)
            elif not self.dry_run:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                del self._files[relative]
        return kept

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

    def claim_page(self, folder: str, owner: str, names: Sequence[str]) -> str:
        """A name in `folder` for a page `owner` rewrites on each run (the review page, the
        calendar): the one it had, else the first of `names` no other owner has, else the
        last one numbered. Recorded at once, so runs sharing the folder never share a page."""
        kind, _, extension = names[0].rpartition(".")
        for relative, entry in self._files.items():
            if entry.get("owner") == owner and entry.get("role") == "page":
                where, _, name = relative.rpartition("/")
                if where == folder and name.startswith(kind) and name.endswith(f".{extension}"):
                    return relative
        candidates = list(names)
        stem, _, suffix = names[-1].rpartition(".")
        candidates += [f"{stem}-{number}.{suffix}" for number in range(2, 1000)]
        for name in candidates:
            relative = f"{folder}/{name}"
            if relative not in self._files and not os.path.islink(
                os.path.join(self._root, folder, name)
            ):
                self._record(relative, "", owner, "", "page")
                return relative
        raise FileProblem(self.root / folder, "has too many review pages; remove old ones")

    def _record(self, relative: str, digest: str, owner: str, base: str, role: str) -> None:
        entry = {"sha256": digest, "owner": owner, "base": base, "role": role}
        self._files[relative] = entry
        self._index(relative, entry)

    def write(self, relative: str, content: bytes, owner: str, base: str = "") -> WriteOutcome:
        """Plan and commit one file (see `plan` and `commit`)."""
        plan = self.plan(relative, content, owner, base)
        return self.commit([plan])[0]

    def plan(self, relative: str, content: bytes, owner: str, base: str = "") -> PlannedWrite:
        """Decide what to do with one draft file, by the rules in the module docstring.

        Nothing is written: `commit` does that, for all of a run's files at once.
        """
        digest = sha256_of(content)
        free_path = self._free.pop(relative, None)
        if free_path is not None:
            # allocate_stem saw this name free moments ago, in a folder checked in this run,
            # so the per-file checks (is it a symbolic link? what is in it?) would only find
            # it missing again. The exclusive create in commit refuses anything that took the
            # name since, and then the file is decided again: never an overwrite.
            outcome = WriteOutcome(Path(free_path), relative, "written")
            return PlannedWrite(
                outcome, content, digest, owner, base, "draft", "", relative, fresh=True
            )
        return self._decide(relative, content, digest, owner, base)

    def _decide(
        self, relative: str, content: bytes, digest: str, owner: str, base: str
    ) -> PlannedWrite:
        folder, _, name = relative.rpartition("/")
        stem, _, suffix = name.partition(".")
        primary: Path | None = None
        number = 0
        while True:
            if number == 0:
                candidate = relative
            else:
                tag = "new" if number == 1 else f"new-{number}"
                candidate = f"{folder}/{stem}.{tag}.{suffix}"
            path = self._checked_path(candidate)
            role = "draft" if number == 0 else "new-version"
            current = _file_hash(path)
            entry = self._files.get(candidate)
            recorded = entry["sha256"] if entry is not None else None
            action: Action | None = None
            previous = ""
            if current == digest:
                action = "unchanged"
            elif current is None:
                action = "written"
            elif recorded is not None and current in (recorded, _EMPTY_SHA256):
                # ours as we wrote it (or emptied by a power cut before it reached the disk)
                action, previous = "updated", current
            elif recorded == digest:
                # edited since we wrote it, and the row has not changed: the edit is the draft
                action = "edited"
            if action is not None:
                if primary is not None and action != "edited":
                    kept: Path | None = primary
                    if action != "unchanged":
                        action = "kept-edited"
                else:
                    kept = primary if action == "edited" and primary is not None else None
                outcome = WriteOutcome(Path(path), candidate, action, kept)
                return PlannedWrite(outcome, content, digest, owner, base, role, previous, relative)
            # Someone edited our draft and the row changed since (or the file is not ours):
            # keep it, put ours beside it.
            if primary is None:
                primary = Path(path)
            number += 1

    def commit(self, plans: Sequence[PlannedWrite]) -> list[WriteOutcome]:
        """Write the planned files: first recorded as pending in the manifest, then written.

        Call `save()` afterwards (also after a failure) to record them as done.
        """
        outcomes = [plan.outcome for plan in plans]
        if self.dry_run:
            return outcomes
        to_write = [
            index
            for index, plan in enumerate(plans)
            if plan.outcome.action in ("written", "updated", "kept-edited")
        ]
        if not to_write:
            return outcomes
        for index in to_write:
            self._journal(plans[index])
        self._save_manifest()
        for index in to_write:
            outcomes[index] = self._put(plans[index])
        return outcomes

    def _journal(self, plan: PlannedWrite) -> None:
        outcome = plan.outcome
        self._record(outcome.relative, plan.digest, plan.owner, plan.base, plan.role)
        self._files[outcome.relative]["pending"] = plan.previous

    def _put(self, plan: PlannedWrite) -> WriteOutcome:
        """Write one journaled file; a name taken since the plan is decided and journaled again."""
        outcome = plan.outcome
        while True:
            relative, path = outcome.relative, os.fspath(outcome.path)
            folder = relative.rpartition("/")[0]
            if not plan.fresh and folder not in self._safe_folders:
                make_private_folder(Path(path).parent)
                self._checked_path(relative)  # the folder may have been created just now
            try:
                if plan.previous:
                    atomic_write(Path(path), plan.content, durable=False)
                else:
                    create_new(path, plan.content)
            except FileExistsError:
                # Something took the name since we looked: forget our pending claim on it
                # and decide again (it is kept; ours goes beside it).
                self._files.pop(relative, None)
                plan = self._decide(plan.primary, plan.content, plan.digest, plan.owner, plan.base)
                outcome = plan.outcome
                if outcome.action in ("unchanged", "edited"):
                    return outcome
                self._journal(plan)
                self._save_manifest()
                continue
            self._written.add(relative)
            self._files[relative].pop("pending", None)
            return outcome


def recorded_files(root: Path) -> dict[str, dict[str, str]]:
    """What the manifest in the drafts folder `root` records, read only: each file's path
    relative to `root` -> its sha256, owner, base and role. Empty when there is none."""
    return dict(DraftsFolder(root, dry_run=True)._files)
