"""Damaged cell references, text amplification and foreign encodings: refused in one line,
before anything big is allocated, with memory bounded by what the file really holds.

The memory checks run `followup` as a child process and read its peak RSS from
`getrusage` (ru_maxrss is KiB on Linux). No wall-clock time is asserted: bench/ measures
speed.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from hostile_corpus import SHEET, STRINGS, TODAY, changed, good_tracker, parts_of, write_zip

from batch.cli import main
from batch.model import FileProblem
from batch.xlsx_writer import CellEdit, write_edits

MIB = 1 << 20
RSS_LIMIT = 200 * MIB
REPO = Path(__file__).resolve().parents[1]
ON_LINUX = sys.platform.startswith("linux")
NEEDS_LINUX = pytest.mark.skipif(
    not ON_LINUX, reason="peak RSS is read from getrusage, whose ru_maxrss is KiB only on Linux"
)


# The child is started from a small Python process, not from pytest: a forked child counts
# its parent's pages in its peak RSS until it execs, and pytest's can be hundreds of MB.
_MEASURE = """
import resource, subprocess, sys
child = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
sys.stderr.buffer.write(child.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(child.returncode)
"""


def run_child(*args: str | Path) -> tuple[int, str, int]:
    """(exit code, stderr, peak RSS in bytes) of `followup ARGS` in a child process."""
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "batch", *map(str, args)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        check=False,
    )
    return measured.returncode, measured.stderr.decode(), int(measured.stdout) * 1024


def in_sheet(xml: bytes) -> Callable[[dict[str, bytes]], None]:
    """Add `xml` (rows) at the end of the tracker sheet's data."""

    def change(parts: dict[str, bytes]) -> None:
        parts[SHEET] = parts[SHEET].replace(b"</sheetData>", xml + b"</sheetData>")

    return change


def cell_moved_to(reference: bytes) -> Callable[[dict[str, bytes]], None]:
    """A value cell in the middle of row 2 whose reference points far away (out of order,
    so only a look at every reference finds it)."""

    def change(parts: dict[str, bytes]) -> None:
        assert b'r="B2"' in parts[SHEET]
        parts[SHEET] = parts[SHEET].replace(b'r="B2"', b'r="' + reference + b'"', 1)

    return change


def dimension(reference: bytes) -> Callable[[dict[str, bytes]], None]:
    def change(parts: dict[str, bytes]) -> None:
        start = parts[SHEET].index(b"<dimension")
        end = parts[SHEET].index(b"/>", start) + 2
        parts[SHEET] = (
            parts[SHEET][:start] + b'<dimension ref="A1:' + reference + b'"/>' + parts[SHEET][end:]
        )

    return change


def shared_text_repeated(parts: dict[str, bytes]) -> None:
    """One 1,000-character shared string in 800,000 cells: 0.8 GB of text from ~150 KB."""
    index = parts[STRINGS].count(b"<si>")
    parts[STRINGS] = parts[STRINGS].replace(
        b"</sst>", b"<si><t>" + b"x" * 1000 + b"</t></si></sst>"
    )
    cells = b'<c t="s"><v>%d</v></c>' % index * 20
    rows = b"".join(b'<row r="%d">%s</row>' % (row, cells) for row in range(10, 40_010))
    in_sheet(rows)(parts)


BEYOND = "beyond Excel's last row (1048576) or column (XFD)"
REFUSED = [
    ("value-at-B99999999", cell_moved_to(b"B99999999"), BEYOND),
    ("value-at-B20000000", cell_moved_to(b"B20000000"), BEYOND),
    ("value-at-B1048577", cell_moved_to(b"B1048577"), BEYOND),
    ("value-in-column-XFE", cell_moved_to(b"XFE2"), BEYOND),
    ("value-in-column-AAAA", cell_moved_to(b"AAAA2"), BEYOND),
    ("row-1048577", in_sheet(b'<row r="1048577"/>'), BEYOND),
    ("styled-empty-cell", in_sheet(b'<row r="1048577"><c r="B1048577" s="1"/></row>'), BEYOND),
    ("dimension", dimension(b"B99999999"), BEYOND),
    ("value-at-B999999", cell_moved_to(b"B999999"), "far from the table"),
    ("shared-text-repeated", shared_text_repeated, "repeat its shared text"),
]


@NEEDS_LINUX
@pytest.mark.parametrize(
    ("change", "message"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED]
)
def test_damaged_references_are_refused_before_memory_is_used(
    tmp_path: Path, change: Callable[[dict[str, bytes]], None], message: str
) -> None:
    tracker = changed(tmp_path / "tracker.xlsx", change)
    before = tracker.read_bytes()
    assert len(before) < MIB
    code, stderr, peak = run_child("run", tracker, "--today", TODAY.isoformat())
    assert code == 2, stderr
    assert stderr.count("\n") == 1 and message in stderr and "Traceback" not in stderr
    assert peak < RSS_LIMIT
    assert tracker.read_bytes() == before
    assert not (tmp_path / "drafts").exists()


def dense_tracker(path: Path, rows: int) -> Path:
    """A real-looking tracker as big as fits under 1 MB: every row filled, shared strings."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Tracker")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ("Company", "Contact", "Email", "Interview Date", "Key Points"))
    for row in range(1, rows + 1):
        sheet.write_string(row, 0, f"Company {row % 97}")
        sheet.write_string(row, 1, f"Person {row}")
        sheet.write_string(row, 2, f"person{row}@example.com")
        sheet.write_datetime(row, 3, date(2026, 1, 1) + timedelta(days=row % 300), date_format)
        sheet.write_string(row, 4, f"Talked about project {row % 31} and the team's roadmap")
    workbook.close()
    return path


@NEEDS_LINUX
def test_a_full_tracker_under_one_megabyte_runs_in_bounded_memory(tmp_path: Path) -> None:
    tracker = dense_tracker(tmp_path / "tracker.xlsx", 30_000)
    assert 800_000 < tracker.stat().st_size < MIB
    code, stderr, peak = run_child("run", tracker, "--today", TODAY.isoformat())
    assert code in (0, 1), stderr
    assert peak < RSS_LIMIT
    assert (tmp_path / "drafts" / TODAY.isoformat() / "review.html").exists()


def test_a_bad_tracker_does_not_stop_the_others(tmp_path: Path) -> None:
    bad = changed(tmp_path / "bad.xlsx", cell_moved_to(b"B99999999"))
    good = good_tracker(tmp_path / "good.xlsx")
    before = good.read_bytes()
    result = CliRunner().invoke(main, ["run", str(bad), str(good), "--today", TODAY.isoformat()])
    assert result.exit_code == 2
    assert f"{bad}: is damaged" in result.output
    assert good.read_bytes() != before  # written back
    assert (tmp_path / "drafts" / TODAY.isoformat() / "review.html").exists()


# --- declared encodings ------------------------------------------------------------------------


def with_table(path: Path) -> Path:
    """A small tracker whose table is an Excel Table (a part of its own)."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Tracker")
    sheet.add_table(
        0,
        0,
        1,
        2,
        {
            "columns": [{"header": "Company"}, {"header": "Interview Date"}, {"header": "Email"}],
            "data": [["Acme", "2026-11-22", "jane@acme.example"]],
        },
    )
    workbook.close()
    return path


def declared(encoding: bytes, part: str) -> Callable[[dict[str, bytes]], None]:
    def change(parts: dict[str, bytes]) -> None:
        xml = parts[part]
        if xml.startswith(b"<?xml"):
            xml = xml[xml.index(b"?>") + 2 :]
        parts[part] = b'<?xml version="1.0" encoding="' + encoding + b'"?>' + xml

    return change


ENCODINGS = [
    ("table-UT9-8", "xl/tables/table1.xml", b"UT9-8"),
    ("sheet-rels-UT9-8", "xl/worksheets/_rels/sheet1.xml.rels", b"UT9-8"),
    ("sheet-latin-1", "xl/worksheets/sheet1.xml", b"ISO-8859-1"),
    ("workbook-cp1252", "xl/workbook.xml", b"windows-1252"),
]


@pytest.mark.parametrize(
    ("part", "encoding"), [c[1:] for c in ENCODINGS], ids=[c[0] for c in ENCODINGS]
)
@pytest.mark.parametrize("command", ["run", "check"])
def test_a_foreign_declared_encoding_is_refused_in_one_line(
    tmp_path: Path, part: str, encoding: bytes, command: str
) -> None:
    source = with_table(tmp_path / "source.xlsx")
    parts = parts_of(source)
    declared(encoding, part)(parts)
    tracker = write_zip(tmp_path / "tracker.xlsx", parts)
    before = tracker.read_bytes()
    result = CliRunner().invoke(main, [command, str(tracker), "--today", TODAY.isoformat()])
    assert result.exit_code == 2
    message = result.output.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    assert f"declares the text encoding {encoding.decode()!r} in {part}" in message
    assert tracker.read_bytes() == before


@pytest.mark.parametrize("encoding", [b"UTF-8", b"utf-8", b"UTF-16", b"utf-16le"])
def test_utf8_and_utf16_declarations_are_read(tmp_path: Path, encoding: bytes) -> None:
    from batch.xlsx.package_guard import check_declared_encoding

    xml = b'<?xml version="1.0" encoding="' + encoding + b'"?><worksheet/>'
    check_declared_encoding(tmp_path / "t.xlsx", "xl/worksheets/sheet1.xml", xml)


def test_the_writer_checks_declared_encodings_too(tmp_path: Path) -> None:
    """The file may change between the read and the save: the writer checks its own parts."""
    parts = parts_of(with_table(tmp_path / "source.xlsx"))
    declared(b"UT9-8", "xl/tables/table1.xml")(parts)
    data = write_zip(tmp_path / "tracker.xlsx", parts).read_bytes()
    with pytest.raises(FileProblem, match="declares the text encoding 'UT9-8'"):
        write_edits(io.BytesIO(data), io.BytesIO(), "Tracker", [CellEdit(1, 4, "Status")])


def test_no_room_for_the_owned_columns_is_a_file_problem(tmp_path: Path) -> None:
    """A table reaching column XFD leaves no column for the Follow-up cells."""
    parts = parts_of(good_tracker(tmp_path / "tracker.xlsx"))
    in_sheet(b'<row r="30"><c r="XFD30" t="inlineStr"><is><t>note</t></is></c></row>')(parts)
    tracker = write_zip(tmp_path / "wide.xlsx", parts)
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", TODAY.isoformat()])
    assert result.exit_code == 2
    assert "no room" in result.output and "Traceback" not in result.output
