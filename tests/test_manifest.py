"""Writing drafts: names, same-day re-runs, edited drafts kept, nothing outside the folder."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from drafts_helpers import RUN_DATE, make_decision, make_request, make_row
from hypothesis import given
from hypothesis import strategies as st

from batch.drafts import DraftRequest, render_drafts, write_drafts
from batch.manifest import (
    MANIFEST_NAME,
    DraftsFolder,
    atomic_write,
    create_new,
    manifest_text,
    sha256_of,
)
from batch.model import FileProblem, Sender, Step

OLD = 1_000_000_000  # an mtime far in the past, to see whether a file was rewritten


def _write(requests: list[DraftRequest], drafts: Path):  # type: ignore[no-untyped-def]
    return write_drafts(render_drafts(requests), drafts, RUN_DATE)


def _files(drafts: Path) -> list[str]:
    return sorted(p.relative_to(drafts).as_posix() for p in drafts.rglob("*") if p.is_file())


def test_drafts_go_to_the_run_date_folder_with_readable_names(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    result = _write([make_request(tracker=tmp_path / "t.xlsx")], drafts)
    assert _files(drafts) == [
        MANIFEST_NAME,
        "2026-11-23/alex-morgan-acme-corp-check-in.eml",
        "2026-11-23/alex-morgan-acme-corp-check-in.txt",
    ]
    files = result.for_row(tmp_path / "t.xlsx", 7)
    assert files is not None
    assert files.draft_path == drafts / "2026-11-23" / "alex-morgan-acme-corp-check-in.eml"
    assert files.email.action == "written" and files.script is not None
    assert files.notes == ()
    script = files.script.path.read_text(encoding="utf-8")
    assert script.startswith("Call +1 555 0199 (Jane Doe, Acme Corp)\n")
    manifest = json.loads((drafts / MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = manifest["files"]["2026-11-23/alex-morgan-acme-corp-check-in.eml"]
    assert entry["sha256"] == sha256_of(files.email.path.read_bytes())
    assert result.for_row(tmp_path / "t.xlsx", 8) is None


def test_same_day_rerun_rewrites_nothing(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    request = make_request(tracker=tmp_path / "t.xlsx")
    first = _write([request], drafts)
    paths = [first.rows[0].email.path, first.rows[0].script.path]  # type: ignore[union-attr]
    for path in paths:
        os.utime(path, (OLD, OLD))
    before = {p: p.read_bytes() for p in paths}
    second = _write([request], drafts)
    assert second.rows[0].email.action == "unchanged"
    assert second.rows[0].script is not None and second.rows[0].script.action == "unchanged"
    for path in paths:
        assert path.stat().st_mtime == OLD
        assert path.read_bytes() == before[path]
    assert _files(drafts) == _files(drafts)  # no .new files appeared
    assert not any(".new." in name for name in _files(drafts))


def test_our_unedited_draft_is_updated_when_the_row_changed(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    _write([make_request(tracker=tmp_path / "t.xlsx")], drafts)
    changed = make_request(
        row=make_row(key_points="a brand new point"), tracker=tmp_path / "t.xlsx"
    )
    result = _write([changed], drafts)
    email = result.rows[0].email
    assert email.action == "updated" and email.kept is None
    assert b"a brand new point" in email.path.read_bytes()
    assert not any(".new." in name for name in _files(drafts))


def test_an_edited_draft_of_an_unchanged_row_is_the_draft(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    request = make_request(tracker=tmp_path / "t.xlsx")
    first = _write([request], drafts)
    edited = first.rows[0].email.path
    edited.write_bytes(edited.read_bytes().replace(b"I hope you are well.", b"Hope all is well!"))
    edited_bytes = edited.read_bytes()
    before = _files(drafts)

    second = _write([request], drafts)
    files = second.rows[0]
    assert edited.read_bytes() == edited_bytes
    assert files.email.action == "edited" and files.edited
    assert files.draft_path == edited and files.edited_email == edited
    assert files.email.kept is None and files.notes == ()
    assert _files(drafts) == before  # nothing written beside it
    assert files.script is not None and files.script.action == "unchanged"
    # and it stays the draft on every re-run
    assert _write([request], drafts).rows[0].email.path == edited


def test_an_edited_draft_is_never_overwritten_when_the_row_changes(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    request = make_request(tracker=tmp_path / "t.xlsx")
    first = _write([request], drafts)
    edited = first.rows[0].email.path
    edited.write_bytes(edited.read_bytes().replace(b"I hope you are well.", b"Hope all is well!"))
    edited_bytes = edited.read_bytes()

    changed = replace(request, row=make_row(key_points="a brand new point"))
    second = _write([changed], drafts)
    files = second.rows[0]
    assert edited.read_bytes() == edited_bytes
    assert files.email.action == "kept-edited" and not files.edited
    assert files.email.kept == edited and files.edited_email == edited
    assert files.email.path.name == "alex-morgan-acme-corp-check-in.new.eml"
    assert b"a brand new point" in files.email.path.read_bytes()
    assert files.draft_path == files.email.path
    assert files.notes == (
        "kept your edited alex-morgan-acme-corp-check-in.eml; the row changed since, so the "
        "new version is beside it: alex-morgan-acme-corp-check-in.new.eml",
    )

    # and again: the new version is already there, nothing changes
    third = _write([changed], drafts)
    assert third.rows[0].email.action == "unchanged"
    assert third.rows[0].email.kept == edited
    assert edited.read_bytes() == edited_bytes

    # the .new file edited too, and the row changed again: a third version goes beside both
    files.email.path.write_text("mine too", encoding="utf-8")
    again = replace(request, row=make_row(key_points="yet another point"))
    fourth = _write([again], drafts)
    assert fourth.rows[0].email.path.name == "alex-morgan-acme-corp-check-in.new-2.eml"
    assert files.email.path.read_text(encoding="utf-8") == "mine too"
    assert edited.read_bytes() == edited_bytes


def test_a_missing_draft_is_written_again(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    request = make_request(tracker=tmp_path / "t.xlsx")
    first = _write([request], drafts)
    first.rows[0].email.path.unlink()
    second = _write([request], drafts)
    assert second.rows[0].email.action == "written"
    assert second.rows[0].email.path == first.rows[0].email.path


def test_a_file_we_cannot_prove_is_ours_is_kept(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    request = make_request(tracker=tmp_path / "t.xlsx")
    first = _write([request], drafts)
    (drafts / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    changed = replace(request, row=make_row(key_points="another point"))
    second = _write([changed], drafts)
    email = second.rows[0].email
    # without a manifest the old file might be the coach's: it gets a new name, untouched
    assert email.path != first.rows[0].email.path
    assert first.rows[0].email.path.exists()
    assert b"another point" in email.path.read_bytes()


def test_colliding_names_get_numbers_that_stay_stable(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    tracker = tmp_path / "t.xlsx"
    a = make_request(row=make_row(row=3), tracker=tracker)
    b = make_request(row=make_row(row=4, contact_name="Raj Patel"), tracker=tracker)
    first = _write([a, b], drafts)
    names = {f.row: f.email.path.name for f in first.rows}
    assert names == {
        3: "alex-morgan-acme-corp-check-in.eml",
        4: "alex-morgan-acme-corp-check-in-2.eml",
    }
    # Each row keeps its file in either order. Both orders are run: with one order only, a
    # key that mixed the two rows up could still pass by the manifest's sort order.
    for order in ([b, a], [a, b]):
        again = _write(order, drafts)
        assert {f.row: f.email.path.name for f in again.rows} == names
        assert all(f.email.action == "unchanged" for f in again.rows)
    manifest = json.loads((drafts / MANIFEST_NAME).read_text(encoding="utf-8"))
    owners = {entry["owner"] for entry in manifest["files"].values()}
    assert len(owners) == 2  # one owner per row, whatever the file names


def test_two_trackers_sharing_a_drafts_folder_never_overwrite_each_other(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    one = make_request(tracker=tmp_path / "client-a" / "tracker.xlsx")
    two = make_request(
        row=make_row(contact_name="Someone Else"), tracker=tmp_path / "client-b" / "tracker.xlsx"
    )
    first = _write([one], drafts)
    second = _write([two], drafts)  # a separate call, as when trackers are run one by one
    assert first.rows[0].email.path != second.rows[0].email.path
    assert b"Jane Doe" in first.rows[0].email.path.read_bytes()
    assert b"Someone Else" in second.rows[0].email.path.read_bytes()


def test_case_only_differences_count_as_collisions(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    tracker = tmp_path / "t.xlsx"
    a = make_request(row=make_row(row=3, company="ACME CORP"), tracker=tracker)
    b = make_request(row=make_row(row=4, company="acme corp"), tracker=tracker)
    result = _write([a, b], drafts)
    assert len({f.email.path.name.casefold() for f in result.rows}) == 2


@pytest.mark.parametrize(
    ("company", "candidate"),
    [
        ("../../etc/passwd", None),
        ("/etc/passwd", None),
        ("..", ".."),
        ("C:\\Windows\\evil", None),
        ("CON", "NUL"),
        ("😀" * 300, "😀" * 300),
        ("", ""),
        ("x" * 300, "y" * 300),
    ],
)
def test_hostile_names_stay_inside_the_drafts_folder(
    tmp_path: Path, company: str, candidate: str | None
) -> None:
    drafts = tmp_path / "drafts"
    row = make_row(company=company or None, candidate=candidate or None)
    request = make_request(row=row, tracker=tmp_path / "t.xlsx", sender=Sender())
    result = _write([request], drafts)
    path = result.rows[0].email.path
    assert path.resolve().parent == (drafts / "2026-11-23").resolve()
    assert path.name.isascii() and len(path.name) <= 120
    assert path.name.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert {p.name for p in tmp_path.iterdir()} == {"drafts"}


def test_empty_names_fall_back_to_the_row_number(tmp_path: Path) -> None:
    request = make_request(
        row=make_row(row=12, company="😀😀", candidate=None),
        decision=make_decision(step=Step.REMINDER),
        sender=Sender(),
        tracker=tmp_path / "t.xlsx",
    )
    result = _write([request], tmp_path / "drafts")
    assert result.rows[0].email.path.name == "row-12-reminder.eml"


def test_a_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    outside = tmp_path / "outside"
    outside.mkdir()
    drafts.mkdir()
    (drafts / "2026-11-23").symlink_to(outside, target_is_directory=True)
    with pytest.raises(FileProblem, match="outside the drafts folder"):
        _write([make_request(tracker=tmp_path / "t.xlsx")], drafts)
    assert list(outside.iterdir()) == []


def test_a_symlinked_draft_file_is_refused(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    (drafts / "2026-11-23").mkdir(parents=True)
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    (drafts / "2026-11-23" / "alex-morgan-acme-corp-check-in.eml").symlink_to(target)
    # the name is taken (a file is there), so the draft goes to -2 and the link is untouched
    result = _write([make_request(tracker=tmp_path / "t.xlsx")], drafts)
    assert result.rows[0].email.path.name == "alex-morgan-acme-corp-check-in-2.eml"
    assert target.read_text(encoding="utf-8") == "keep me"
    folder = DraftsFolder(drafts)
    with pytest.raises(FileProblem):
        folder.write("2026-11-23/alex-morgan-acme-corp-check-in.eml", b"draft", "owner-1")
    assert target.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    "relative", ["../x.eml", "/etc/passwd", "a/../../x.eml", "", ".", "a\\..\\x", "C:/x"]
)
def test_a_path_leaving_the_folder_is_refused(tmp_path: Path, relative: str) -> None:
    with pytest.raises(FileProblem):
        DraftsFolder(tmp_path / "drafts").write(relative, b"draft", "owner-1")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["drafts"]


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "a.eml"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.eml"]


def test_manifest_forgets_deleted_files(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    result = _write([make_request(tracker=tmp_path / "t.xlsx")], drafts)
    result.rows[0].script.path.unlink()  # type: ignore[union-attr]
    folder = DraftsFolder(drafts)
    folder.save()
    manifest = json.loads((drafts / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert list(manifest["files"]) == ["2026-11-23/alex-morgan-acme-corp-check-in.eml"]


def test_dry_run_writes_nothing_and_predicts_the_real_run(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    request = make_request(tracker=tmp_path / "t.xlsx")
    planned = write_drafts(render_drafts([request]), drafts, RUN_DATE, dry_run=True)
    assert not drafts.exists()
    assert planned.rows[0].email.action == "written"
    real = _write([request], drafts)
    assert [f.email.path for f in real.rows] == [f.email.path for f in planned.rows]
    # after an edit, a dry run says the edit would be kept, and changes nothing
    real.rows[0].email.path.write_text("edited", encoding="utf-8")
    before = _files(drafts)
    again = write_drafts(
        render_drafts([replace(request, row=make_row(key_points="new"))]),
        drafts,
        RUN_DATE,
        dry_run=True,
    )
    assert again.rows[0].email.action == "kept-edited"
    assert again.rows[0].notes and _files(drafts) == before


# --- names found free by allocate_stem are created exclusively (the fast path) ---------------


def _folder_with_free_name(drafts: Path) -> tuple[DraftsFolder, str]:
    """A DraftsFolder whose day folder is checked, and a name allocate_stem just found free."""
    folder = DraftsFolder(drafts)
    folder.write("2026-11-23/first.eml", b"first", "owner-1")  # the day folder now exists
    stem = folder.allocate_stem("2026-11-23", "second", "owner-2", (".eml",))
    relative = f"2026-11-23/{stem}.eml"
    assert relative in folder._free  # the write below takes the fast path
    return folder, relative


@pytest.mark.parametrize("target_exists", [True, False])
def test_a_symlink_planted_after_allocation_is_refused(tmp_path: Path, target_exists: bool) -> None:
    drafts = tmp_path / "drafts"
    folder, relative = _folder_with_free_name(drafts)
    target = tmp_path / "precious.txt"
    if target_exists:
        target.write_text("keep me", encoding="utf-8")
    (drafts / relative).symlink_to(target)
    with pytest.raises(FileProblem, match="outside the drafts folder"):
        folder.write(relative, b"draft", "owner-2")
    if target_exists:
        assert target.read_text(encoding="utf-8") == "keep me"
    else:
        assert not target.exists()  # a dangling link is not followed to create its target
    assert {p.name for p in tmp_path.iterdir()} == {"drafts"} | (
        {"precious.txt"} if target_exists else set()
    )


def test_a_file_that_appears_after_allocation_is_not_overwritten(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    folder, relative = _folder_with_free_name(drafts)
    (drafts / relative).write_bytes(b"the coach's own file")
    outcome = folder.write(relative, b"draft", "owner-2")
    assert (drafts / relative).read_bytes() == b"the coach's own file"
    assert outcome.action == "kept-edited" and outcome.kept == drafts / relative
    assert outcome.path == drafts / "2026-11-23" / "second.new.eml"
    assert outcome.path.read_bytes() == b"draft"


def test_a_file_with_our_content_appearing_after_allocation_counts_as_unchanged(
    tmp_path: Path,
) -> None:
    drafts = tmp_path / "drafts"
    folder, relative = _folder_with_free_name(drafts)
    (drafts / relative).write_bytes(b"draft")
    outcome = folder.write(relative, b"draft", "owner-2")
    assert outcome.action == "unchanged" and outcome.path == drafts / relative


class _DiskFull:
    """os.write that writes a few bytes, then fails as a full disk does."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, handle: int, data: memoryview) -> int:
        self.calls += 1
        if self.calls > 1:
            raise OSError(28, "No space left on device")
        return os.write(handle, data[:3])


def test_a_failed_write_of_a_new_draft_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafts = tmp_path / "drafts"
    folder, relative = _folder_with_free_name(drafts)
    monkeypatch.setattr("batch.manifest.os.write", _DiskFull())
    with pytest.raises(OSError, match="No space left"):
        folder.write(relative, b"a draft longer than three bytes", "owner-2")
    assert not os.path.lexists(drafts / relative)
    assert sorted(p.name for p in (drafts / "2026-11-23").iterdir()) == ["first.eml"]


def test_a_failed_write_through_the_normal_path_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafts = tmp_path / "drafts"
    folder = DraftsFolder(drafts)  # new day folder: the first draft takes the normal path
    monkeypatch.setattr("batch.manifest.os.write", _DiskFull())
    with pytest.raises(OSError, match="No space left"):
        folder.write("2026-11-23/first.eml", b"a draft longer than three bytes", "owner-1")
    assert list((drafts / "2026-11-23").iterdir()) == []


def test_create_new_never_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "a.eml"
    create_new(target, b"one")
    with pytest.raises(FileExistsError):
        create_new(target, b"two")
    assert target.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.eml"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_new_and_replaced_drafts_get_the_same_permissions(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    tracker = tmp_path / "t.xlsx"
    first = _write([make_request(row=make_row(row=3), tracker=tracker)], drafts)
    # the second draft of a run is created through the fast path
    second = _write(
        [make_request(row=make_row(row=r, company=f"C{r}"), tracker=tracker) for r in (4, 5)],
        drafts,
    )
    updated = _write(
        [make_request(row=make_row(row=3, key_points="changed"), tracker=tracker)], drafts
    )
    assert updated.rows[0].email.action == "updated"
    modes = {
        stat.S_IMODE(files.email.path.stat().st_mode)
        for result in (first, second, updated)
        for files in result.rows
    }
    assert len(modes) == 1


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


@given(st.dictionaries(_TEXT, st.dictionaries(_TEXT, _TEXT, max_size=4), max_size=5))
def test_manifest_text_is_what_json_writes(files: dict[str, dict[str, str]]) -> None:
    payload = {"version": 1, "files": files}
    assert manifest_text(files) == json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def test_the_manifest_file_is_indented_json(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    _write([make_request(tracker=tmp_path / "t.xlsx")], drafts)
    text = (drafts / MANIFEST_NAME).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert text.startswith('{\n  "version": 1,\n  "files": {\n    "2026-11-23/alex-morgan')
