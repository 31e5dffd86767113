"""Writing drafts survives a crash at any point: the next run writes what a clean run would.

A run is stopped at every file-system call it makes while writing drafts (the call is cut
short: a create writes half its bytes, a replace never happens), the way kill -9 or a full
disk stops it, and without saving the manifest afterwards. Then a normal run goes over the
same drafts folder, and its files must be exactly those of a run that was never stopped: no
`-2` or `.new` copies of its own files, no empty or half-written draft, no temporary file.
The same holds across processes with real kill -9s in the `slow` test at the end.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from drafts_helpers import RUN_DATE, make_request, make_row

from batch import files, manifest
from batch.drafts import DraftRequest, render_drafts, write_drafts
from batch.manifest import MANIFEST_NAME, DraftsFolder

ROOT = Path(__file__).resolve().parents[1]


class Killed(BaseException):
    """Stands for the process dying: nothing after it runs (not even the manifest save)."""


def requests(tracker: Path, rows: int = 3, point: str = "") -> list[DraftRequest]:
    return [
        make_request(
            row=make_row(row=r, company=f"Company {r}", key_points=f"point {r} {point}"),
            tracker=tracker,
        )
        for r in range(2, 2 + rows)
    ]


def snapshot(drafts: Path) -> dict[str, str]:
    """Every file under the drafts folder (the manifest and lock aside) and its checksum."""
    found = {}
    for path in drafts.rglob("*"):
        if path.is_file() and path.name not in (MANIFEST_NAME, manifest.LOCK_NAME):
            found[path.relative_to(drafts).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return found


def clean_run(tmp_path: Path, batches: list[list[DraftRequest]]) -> dict[str, str]:
    drafts = tmp_path / "clean"
    for batch in batches:
        write_drafts(render_drafts(batch), drafts, RUN_DATE)
    return snapshot(drafts)


class CrashAt:
    """Counts file-system writes of the drafts code; the `at`-th one is cut short."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.calls = 0
        self.real_write = os.write
        self.real_replace = os.replace

    def _tick(self) -> bool:
        self.calls += 1
        return self.calls == self.at

    def write(self, handle: int, data: Any) -> int:
        if self._tick():
            self.real_write(handle, bytes(data)[: len(data) // 2])
            raise Killed
        return self.real_write(handle, data)

    def replace(self, source: Any, target: Any) -> None:
        if self._tick():
            raise Killed
        self.real_replace(source, target)


def run_with_crash(
    monkeypatch: pytest.MonkeyPatch, drafts: Path, batch: list[DraftRequest], at: int
) -> bool:
    """One run stopped at the `at`-th write; False when the run made fewer writes."""
    crash = CrashAt(at)
    with monkeypatch.context() as patch:
        patch.setattr(manifest.os, "write", crash.write)
        patch.setattr(files.os, "replace", crash.replace)
        # A killed process saves nothing on the way out.
        patch.setattr(DraftsFolder, "save", lambda self: None)
        try:
            write_drafts(render_drafts(batch), drafts, RUN_DATE)
        except Killed:
            return True
    return False


def prepare(drafts: Path, scenario: str, tracker: Path) -> list[DraftRequest]:
    """Lay out the drafts folder as the scenario starts; return the run to stop midway."""
    first, second = requests(tracker), requests(tracker, point="changed")
    if scenario == "first-run":
        return first
    write_drafts(render_drafts(first), drafts, RUN_DATE)
    if scenario == "edited-then-row-changed":
        edited = drafts / "2026-11-23" / "alex-morgan-company-2-check-in.eml"
        edited.write_bytes(edited.read_bytes() + b"\nP.S. my own line\n")
    return second


@pytest.mark.parametrize("scenario", ["first-run", "row-changed", "edited-then-row-changed"])
def test_a_run_stopped_at_any_write_is_repaired_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    tracker = tmp_path / "t.xlsx"
    clean = tmp_path / "clean"
    final = prepare(clean, scenario, tracker)
    write_drafts(render_drafts(final), clean, RUN_DATE)
    expected = snapshot(clean)
    stops = 0
    for at in range(1, 100):
        drafts = tmp_path / f"run-{at}"
        prepare(drafts, scenario, tracker)
        if not run_with_crash(monkeypatch, drafts, final, at):
            break
        stops += 1
        write_drafts(render_drafts(final), drafts, RUN_DATE)
        assert snapshot(drafts) == expected, f"stopped at write {at}"
        assert not [p for p in drafts.rglob("*") if p.name.startswith(files.TEMP_PREFIX)]
        # and the run after that changes nothing
        again = write_drafts(render_drafts(final), drafts, RUN_DATE)
        assert {row.email.action for row in again.rows} <= {"unchanged", "edited"}
    assert stops >= 4  # the loop did stop runs at several points


def test_a_full_disk_while_writing_drafts_keeps_the_manifest_true(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafts = tmp_path / "drafts"
    tracker = tmp_path / "t.xlsx"
    real_write = os.write
    calls = {"n": 0}

    def disk_fills(handle: int, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(28, "No space left on device")
        return real_write(handle, data)

    with monkeypatch.context() as patch:
        patch.setattr(manifest.os, "write", disk_fills)
        with pytest.raises(OSError, match="No space"):
            write_drafts(render_drafts(requests(tracker)), drafts, RUN_DATE)
    result = write_drafts(render_drafts(requests(tracker)), drafts, RUN_DATE)
    assert snapshot(drafts) == clean_run(tmp_path, [requests(tracker)])
    assert {row.email.action for row in result.rows} <= {"written", "unchanged"}


def test_a_half_written_draft_left_by_an_older_version_is_kept(tmp_path: Path) -> None:
    # Without a pending record nothing proves a file is ours: it is kept, never replaced.
    drafts = tmp_path / "drafts"
    day = drafts / "2026-11-23"
    day.mkdir(parents=True)
    (day / "alex-morgan-company-2-check-in.eml").write_bytes(b"")
    result = write_drafts(render_drafts(requests(tmp_path / "t.xlsx", rows=1)), drafts, RUN_DATE)
    assert result.rows[0].email.path.name == "alex-morgan-company-2-check-in-2.eml"
    assert (day / "alex-morgan-company-2-check-in.eml").read_bytes() == b""


def test_drafts_folders_are_private(tmp_path: Path) -> None:
    drafts = tmp_path / "a" / "drafts"
    write_drafts(render_drafts(requests(tmp_path / "t.xlsx", rows=1)), drafts, RUN_DATE)
    if os.name != "posix":
        pytest.skip("POSIX permission bits; Windows folders inherit the user profile's ACL")
    for folder in (tmp_path / "a", drafts, drafts / "2026-11-23"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    for file in (drafts / "2026-11-23").iterdir():
        assert file.stat().st_mode & 0o777 == 0o600, file


# --- concurrent writers sharing one drafts folder --------------------------------------------

SHARED_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path[:0] = [sys.argv[3]]
    from drafts_helpers import RUN_DATE, make_request, make_row
    from batch.drafts import render_drafts, write_drafts
    tracker = Path(sys.argv[1])
    requests = [
        make_request(row=make_row(row=r, company=f"Co {r % 7}", contact_name=f"P {r}"),
                     tracker=tracker)
        for r in range(2, 2 + int(sys.argv[4]))
    ]
    write_drafts(render_drafts(requests), Path(sys.argv[2]), RUN_DATE)
    """
)


def test_trackers_sharing_a_drafts_folder_at_once_keep_every_manifest_entry(
    tmp_path: Path,
) -> None:
    drafts = tmp_path / "shared"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = 60
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                SHARED_WRITER,
                str(tmp_path / f"c{n}" / "t.xlsx"),
                str(drafts),
                str(ROOT / "tests"),
                str(rows),
            ],
            env=env,
        )
        for n in range(4)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    import json

    entries = json.loads((drafts / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    written = snapshot(drafts)
    assert len(written) == 4 * rows * 2  # an email and a script for each row
    assert set(entries) == set(written)
    # a second round writes nothing new: every file is known as its tracker's own
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                SHARED_WRITER,
                str(tmp_path / f"c{n}" / "t.xlsx"),
                str(drafts),
                str(ROOT / "tests"),
                str(rows),
            ],
            env=env,
        )
        for n in range(4)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    assert snapshot(drafts) == written


# --- kill -9 at random moments, many times over ----------------------------------------------

KILLABLE_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path[:0] = [sys.argv[3]]
    from drafts_helpers import RUN_DATE, make_request, make_row
    from batch.drafts import render_drafts, write_drafts
    tracker = Path(sys.argv[1])
    requests = [
        make_request(row=make_row(row=r, company=f"Company {r}"), tracker=tracker)
        for r in range(2, 202)
    ]
    rendered = render_drafts(requests)
    print("ready", flush=True)
    write_drafts(rendered, Path(sys.argv[2]), RUN_DATE)
    print("done", flush=True)
    """
)


@pytest.mark.slow
def test_kill_9_at_random_moments_never_leaves_copies_or_torn_drafts(tmp_path: Path) -> None:
    tracker = tmp_path / "t.xlsx"
    expected = clean_run(
        tmp_path,
        [
            [
                make_request(row=make_row(row=r, company=f"Company {r}"), tracker=tracker)
                for r in range(2, 202)
            ]
        ],
    )
    chance = random.Random(20261129)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed_midway = 0
    for attempt in range(40):
        drafts = tmp_path / f"drafts-{attempt}"
        for _ in range(chance.randint(1, 3)):  # up to three kills in a row on one folder
            child = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    KILLABLE_WRITER,
                    str(tracker),
                    str(drafts),
                    str(ROOT / "tests"),
                ],
                env=env,
                stdout=subprocess.PIPE,
            )
            assert child.stdout is not None and child.stdout.readline() == b"ready\n"
            time.sleep(chance.random() * 0.4)
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stdout.close()
            if drafts.exists() and snapshot(drafts) and snapshot(drafts) != expected:
                killed_midway += 1
        result = write_drafts(
            render_drafts(
                [
                    make_request(row=make_row(row=r, company=f"Company {r}"), tracker=tracker)
                    for r in range(2, 202)
                ]
            ),
            drafts,
            RUN_DATE,
        )
        assert snapshot(drafts) == expected, f"attempt {attempt}"
        assert all(row.email.action in ("written", "unchanged") for row in result.rows)
        assert not [p for p in drafts.rglob("*") if p.name.startswith(files.TEMP_PREFIX)]
    assert killed_midway >= 5  # the kills did land while drafts were being written


def test_temporary_files_an_older_version_left_are_removed(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    day = drafts / "2026-11-23"
    day.mkdir(parents=True)
    (drafts / ".tmp-k3j2h1g0.json").write_text("{")
    (day / ".tmp-ab12cd34.eml").write_bytes(b"")
    (day / "notes.tmp-keep.txt").write_text("the coach's own")
    write_drafts(render_drafts(requests(tmp_path / "t.xlsx", rows=1)), drafts, RUN_DATE)
    assert not (drafts / ".tmp-k3j2h1g0.json").exists()
    assert not (day / ".tmp-ab12cd34.eml").exists()
    assert (day / "notes.tmp-keep.txt").exists()
