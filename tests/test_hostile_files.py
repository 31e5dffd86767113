"""Files followup must refuse whole: exit 2, one line naming the file and the problem, and
the file (and everything beside it) untouched. The corpus is made by `hostile_corpus`."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from corpus_helpers import CORPUS, require_corpus
from hostile_corpus import (
    BAD_FILES,
    SHEET,
    STRINGS,
    BadFile,
    formatted_to_the_last_row,
    good_tracker,
    parts_of,
    write_zip,
    zip_bomb,
)

from batch.cli import main
from batch.model import FileProblem
from batch.tracker import read_tracker
from batch.xlsx import package_guard
from batch.xlsx.package_guard import inspect_package

TODAY = "2026-11-23"


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under `folder` -> its content hash (or its kind, for non-files)."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode):
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[str(path.relative_to(folder))] = "dir" if stat.S_ISDIR(mode) else "other"
    return found


def assert_one_line_refusal(result: Result, path: Path, expect: str) -> None:
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"followup: {path}: "), line
    assert expect in line
    assert line.count(str(path)) == 1  # the file is named once
    assert "Traceback" not in result.output
    assert not any(text.startswith("Error") for text in result.output.splitlines())  # click's
    message = line.removeprefix(f"followup: {path}: ")
    assert "; " in message or ": " in message  # what is wrong, then what to do


def test_the_corpus_has_at_least_30_distinct_bad_files() -> None:
    names = [bad.name for bad in BAD_FILES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("command", ["run", "check"])
@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.name)
def test_bad_file_is_refused_in_one_line_and_left_untouched(
    tmp_path: Path, bad: BadFile, command: str
) -> None:
    path = bad.make(tmp_path)
    before = snapshot(tmp_path)
    result = invoke(command, path, "--today", TODAY)
    assert_one_line_refusal(result, path, bad.expect)
    assert result.stdout == ""
    assert snapshot(tmp_path) == before  # no drafts, no backup, no lock left behind


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.name)
def test_the_reader_refuses_with_a_file_problem(tmp_path: Path, bad: BadFile) -> None:
    path = bad.make(tmp_path)
    with pytest.raises(FileProblem) as caught:
        read_tracker(path)
    assert bad.expect in caught.value.message
    assert "\n" not in str(caught.value)


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = good_tracker(tmp_path / "good.xlsx")
    bad_folder = tmp_path / "bad"
    bad_folder.mkdir()
    bomb = zip_bomb(bad_folder / "bomb.xlsx", declared_truthfully=False)
    result = invoke("run", bomb, good, "--today", TODAY)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "zip bomb" in result.stderr
    assert f"{good}: 2 rows" in result.stdout
    assert (tmp_path / "drafts" / TODAY).is_dir()


# --- zip bombs ---------------------------------------------------------------------------------


def test_the_zip_bomb_really_inflates_past_1_gb(tmp_path: Path) -> None:
    """The corpus bomb is real: its sheet inflates (streamed here, never held) to over 1 GiB."""
    path = zip_bomb(tmp_path / "bomb.xlsx", declared_truthfully=True)
    assert path.stat().st_size < 8 << 20
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    with path.open("rb") as file:
        file.seek(info.header_offset + 30 + len(info.filename))
        pending = file.read(info.compress_size)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    inflated = 0
    while not inflater.eof:
        inflated += len(inflater.decompress(pending, 1 << 24))
        pending = inflater.unconsumed_tail
    assert inflated == info.file_size > 1 << 30


def test_a_declared_bomb_is_refused_without_inflating_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx", declared_truthfully=True)

    def no_inflating(*_args: object) -> None:
        raise AssertionError("inflated a member of a declared zip bomb")

    monkeypatch.setattr(package_guard, "_inflate", no_inflating)
    with pytest.raises(FileProblem, match="zip bomb"):
        inspect_package(path)


def test_a_lying_bomb_stops_at_its_declared_size(tmp_path: Path) -> None:
    # The guard says this the moment the output passes the declared size, so the message is
    # the proof that it stopped there, far from inflating the gigabyte.
    path = zip_bomb(tmp_path / "bomb.xlsx", declared_truthfully=False)
    with pytest.raises(FileProblem, match=r"unpacks to more than the 39\.1 KB it declares"):
        inspect_package(path)


# --- permissions ---------------------------------------------------------------------------------


def test_unreadable_tracker_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads anything, so the refusal of the OS is simulated where the guard opens it."""
    path = good_tracker(tmp_path / "tracker.xlsx")
    before = snapshot(tmp_path)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(package_guard, "open", refuse, raising=False)
    result = invoke("run", path, "--today", TODAY)
    assert_one_line_refusal(result, path, "cannot be read (permission denied)")
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="running as root: root reads a file whatever its mode (see the simulated test)",
)
def test_unreadable_tracker(tmp_path: Path) -> None:
    path = good_tracker(tmp_path / "tracker.xlsx")
    path.chmod(0)
    try:
        result = invoke("check", path)
        assert_one_line_refusal(result, path, "permission denied")
    finally:
        path.chmod(0o644)


def test_read_only_tracker_is_not_written_nor_are_drafts(tmp_path: Path) -> None:
    """Refused from the mode bits, so this holds when run as root too."""
    path = good_tracker(tmp_path / "tracker.xlsx")
    path.chmod(0o444)
    before = snapshot(tmp_path)
    try:
        result = invoke("run", path, "--today", TODAY)
        assert_one_line_refusal(result, path, "is read-only")
        assert snapshot(tmp_path) == before
        # Checking writes nothing, so a read-only tracker can be checked.
        assert invoke("check", path, "--today", TODAY).exit_code == 0
    finally:
        path.chmod(0o644)


# --- odd but usable ------------------------------------------------------------------------------


@pytest.mark.parametrize("every_row", [False, True], ids=["last-row-only", "every-row"])
def test_a_sheet_formatted_to_the_last_row_is_read_normally(
    tmp_path: Path, every_row: bool
) -> None:
    path = formatted_to_the_last_row(tmp_path, every_row=every_row)
    # a name to sign with, so the drafts are ready and the run exits 0
    (path.parent / "followup.toml").write_text('[sender]\nname = "Alex Morgan"\n')
    result = invoke("run", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert f"{path}: 2 rows" in result.stdout
    # and the written workbook still opens
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


def test_the_guard_passes_the_real_corpus() -> None:
    require_corpus()
    for path in sorted(CORPUS.glob("*.xls*")):
        inspect_package(path)


def test_the_sample_tracker_passes_the_guard(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_tracker.xlsx"
    copy = tmp_path / "tracker.xlsx"
    shutil.copyfile(sample, copy)
    inspect_package(copy)


def test_a_library_error_names_its_kind(tmp_path: Path) -> None:
    """calamine can say just "sst"; the line says it is an XML error in the strings."""
    source = good_tracker(tmp_path / "source.xlsx")
    parts = parts_of(source)
    parts[STRINGS] = parts[STRINGS][: parts[STRINGS].index(b"</sst>")]
    path = write_zip(tmp_path / "tracker.xlsx", parts)
    result = invoke("check", path)
    assert_one_line_refusal(result, path, "is damaged or not a real .xlsx (XmlError: ")
