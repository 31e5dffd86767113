"""Reading real-shaped trackers: finding the table, rows, problems, owned values, bad files."""

from __future__ import annotations

import dataclasses
import gc
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from corpus_helpers import CORPUS, corpus_params, require_corpus
from openpyxl.workbook.defined_name import DefinedName

import batch.tracker as tracker_module
from batch.columns import map_headers
from batch.model import DEFAULT_HEADERS, FileProblem, RowProblem, TrackerRow
from batch.ownership import RECORD_NAME
from batch.tracker import read_tracker
from batch.values import NO_SAVED_RESULT
from tests.tracker_helpers import (
    PLACEHOLDERS,
    Formula,
    build_big_tracker,
    build_tracker,
    rewrite_parts,
)

# A tracker as people keep them: a blank column A and one inside the table, upper-case
# headers, the user's own "Status" next to an existing owned "Follow-up Status", a combined
# contact column, phones stored as numbers, dates typed as text.
REAL_HEADER = [
    None,
    "COMPANY",
    "ROLE",
    None,
    "INTERVIEW DATE",
    "Email/Phone",
    "Phone",
    "Status",
    "Follow-up Status",
    "Thank-You Sent",
    "They Will Contact",
    "Follow-up Due",
]
REAL_ROWS = [
    [
        None,
        "Acme",
        "Analyst",
        None,
        datetime(2026, 11, 12, 14, 30),
        "Jane Doe - jane@acme.com",
        5550100.0,
        "Negotiating Offer",
        "Due",
        "2026-11-12",
        "Yes",
        date(2026, 11, 19),
    ],
    [
        None,
        "Globex",
        "Engineer",
        None,
        "20/11/2026",
        "bob@globex.com / 555-0101 22",
        None,
        "Rejected",
    ],
    [None, "Initech", None, None, "03/04/2026", None, "+1 555 0102", "Applied", "", None, "x"],
    [None, "Umbrella", None, None, "TBD", None, None, None, None, "Nov 31, 2026", "maybe"],
    [None, "Hooli", None, None, 46346, "<ceo@hooli.xyz>", 15550103, None, "Waiting", None, "no"],
]


def placeholder_rows(count: int) -> list[list[object]]:
    """Pre-formatted rows: every input cell a filler, some owned cells filled in."""
    rows = []
    for index in range(count):
        filler = PLACEHOLDERS[index % len(PLACEHOLDERS)]
        row: list[object] = [filler] * len(REAL_HEADER)
        row[8] = "Needs attention" if index % 7 == 0 else None  # owned: does not count
        row[11] = None
        rows.append(row)
    return rows


@pytest.fixture
def real_tracker(tmp_path: Path) -> Path:
    return build_tracker(
        tmp_path / "tracker.xlsx",
        REAL_HEADER,
        REAL_ROWS + placeholder_rows(300),
        title_rows=["JOB SEARCH 2026", "Updated every Monday"],
        sheets_before=["Drop Downs"],
        sheets_after=["Dashboard"],
    )


def test_finds_the_table_under_title_rows_after_a_lists_sheet(real_tracker: Path) -> None:
    tracker = read_tracker(real_tracker)
    assert tracker.path == real_tracker
    assert tracker.sheet_name == "Tracker"
    assert tracker.header_row == 3
    assert tracker.columns == {
        "company": ("COMPANY", 2),
        "role": ("ROLE", 3),
        "interview_date": ("INTERVIEW DATE", 5),
        "contact_email": ("Email/Phone", 6),
        "contact_phone": ("Phone", 7),
        "outcome": ("Status", 8),
        "thank_you_sent": ("Thank-You Sent", 10),
        "they_will_contact": ("They Will Contact", 11),
    }
    assert tracker.owned_columns == {"Follow-up Status": 9, "Follow-up Due": 12}
    assert tracker.last_column == 12
    assert not tracker.date1904
    assert tracker.warnings == ()


def test_rows_skip_placeholders_and_keep_excel_row_numbers(real_tracker: Path) -> None:
    tracker = read_tracker(real_tracker)
    assert [row.row for row in tracker.rows] == [4, 5, 6, 7, 8]
    assert [row.company for row in tracker.rows] == [
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Hooli",
    ]


def test_values_are_parsed(real_tracker: Path) -> None:
    acme, globex, initech, umbrella, hooli = read_tracker(real_tracker).rows
    assert acme.interview_date == date(2026, 11, 12)
    assert acme.contact_email == "jane@acme.com"
    assert acme.contact_phone == "5550100"
    assert acme.outcome == "Negotiating Offer"  # the user's Status, not Follow-up Status
    assert acme.thank_you_sent == date(2026, 11, 12)
    assert acme.they_will_contact is True
    assert acme.problems == ()
    assert acme.header("interview_date") == "INTERVIEW DATE"

    assert globex.interview_date == date(2026, 11, 20)  # day > 12: read the only way it can be
    assert globex.contact_email == "bob@globex.com"
    assert globex.contact_phone is None  # the Phone column is empty; the combined one is not used
    assert globex.outcome == "Rejected"

    # The column also has 20/11/2026, which can only be day first: so is 03/04/2026.
    assert initech.interview_date == date(2026, 4, 3)
    assert initech.contact_phone == "+1 555 0102"
    assert initech.they_will_contact is True

    assert hooli.interview_date == date(2026, 11, 20)  # a serial in a General-format cell
    assert hooli.contact_email == "ceo@hooli.xyz"
    assert hooli.contact_phone == "15550103"
    assert hooli.they_will_contact is False

    assert umbrella.interview_date is None
    assert umbrella.thank_you_sent is None
    assert umbrella.they_will_contact is None
    assert [(p.row, p.column, p.code, p.severity) for p in umbrella.problems] == [
        (7, "INTERVIEW DATE", "unreadable-date", "error"),
        (7, "Thank-You Sent", "unreadable-date", "error"),
        (7, "They Will Contact", "unreadable-yes-no", "error"),
    ]
    assert "2026-11-20" in umbrella.problems[0].message


def test_date_order_dmy(real_tracker: Path) -> None:
    rows = read_tracker(real_tracker, date_order="DMY").rows
    assert rows[1].interview_date == date(2026, 11, 20)
    assert rows[2].interview_date == date(2026, 4, 3)


def test_owned_values_for_every_row(real_tracker: Path) -> None:
    tracker = read_tracker(real_tracker)
    assert tracker.owned_values == {
        4: {"Follow-up Status": "Due", "Follow-up Due": date(2026, 11, 19)},
        5: {"Follow-up Status": None, "Follow-up Due": None},
        6: {"Follow-up Status": None, "Follow-up Due": None},
        7: {"Follow-up Status": None, "Follow-up Due": None},
        8: {"Follow-up Status": "Waiting", "Follow-up Due": None},
    }


def test_combined_contact_column_fills_email_and_phone(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date", "Contact Info"],
        [
            ["Acme", date(2026, 11, 12), "Jane Doe - jane@acme.com, (555) 010-0100"],
            ["Globex", date(2026, 11, 12), 5550101.0],
            ["Initech", date(2026, 11, 12), "ask at reception"],
        ],
    )
    acme, globex, initech = read_tracker(path).rows
    assert (acme.contact_email, acme.contact_phone) == ("jane@acme.com", "(555) 010-0100")
    assert (globex.contact_email, globex.contact_phone) == (None, "5550101")
    assert (initech.contact_email, initech.contact_phone) == (None, None)


def test_1904_workbook(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "mac.xlsx",
        ["Company", "Interview Date", "Thank-You Sent", "Follow-up Due"],
        [
            ["Acme", date(2026, 11, 12), date(2026, 11, 13), date(2026, 11, 19)],
            # A serial typed into a General cell: 44884 is 2026-11-20 in the 1904 system.
            ["Globex", 44884, "2026-11-21", 44890],
        ],
        date1904=True,
    )
    tracker = read_tracker(path)
    assert tracker.date1904
    acme, globex = tracker.rows
    assert (acme.interview_date, acme.thank_you_sent) == (date(2026, 11, 12), date(2026, 11, 13))
    assert (globex.interview_date, globex.thank_you_sent) == (
        date(2026, 11, 20),
        date(2026, 11, 21),
    )
    assert tracker.owned_values[2] == {"Follow-up Due": date(2026, 11, 19)}
    assert tracker.owned_values[3] == {"Follow-up Due": date(2026, 11, 26)}


def test_1904_flag_of_a_real_workbook() -> None:
    from batch.tracker import _read_package

    require_corpus(CORPUS / "poi-47504.xlsx")
    require_corpus(CORPUS / "poi-Tables.xlsx")
    assert _read_package(CORPUS / "poi-47504.xlsx").date1904
    assert not _read_package(CORPUS / "poi-Tables.xlsx").date1904


def test_error_cells(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Role", "Interview Date", "Thank-You Sent", "They Will Contact"],
        [
            ["Acme", Formula("=#REF!", "#REF!"), Formula("=#REF!", "#REF!"), None, None],
            [
                "Globex",
                None,
                date(2026, 11, 12),
                Formula("=NA()", "#N/A"),
                Formula("=1/0", "#DIV/0!"),
            ],
            [None, Formula("=NA()", "#N/A"), None, None, None],  # an error in a text column only
            [None, None, Formula("=NA()", "#N/A"), None, None],  # an error in a date column
        ],
    )
    acme, globex, broken = read_tracker(path).rows
    assert acme.role is None
    assert [(p.column, p.code) for p in acme.problems] == [("Interview Date", "error-cell")]
    assert "#REF!" in acme.problems[0].message
    assert [(p.column, p.code) for p in globex.problems] == [
        ("Thank-You Sent", "error-cell"),
        ("They Will Contact", "error-cell"),
    ]
    assert broken.row == 5  # row 4 holds an error in a text column only: blank
    assert [(p.column, p.code) for p in broken.problems] == [("Interview Date", "error-cell")]


SHEET_XML = (
    b'<sheetData><row r="2"><c r="A2" t="e"/><c r="B2"><v>1</v></c>'
    b'<c r="C2" s="1" t="e"><f>NA()</f><v>#N/A</v></c>'
    b'<x:c r="AA10" t="e"><x:v>#REF!</x:v></x:c></row></sheetData>'
)


@pytest.mark.parametrize("chunk", [3, 8, 13, 21, 34, 1 << 20])
def test_error_scan_finds_cells_across_chunk_edges(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(tracker_module, "_CHUNK", chunk)
    found = list(tracker_module._scan_errors(io.BytesIO(SHEET_XML)))
    # A self-closed error cell has no value to show and does not borrow B2's.
    assert found == [(1, 2, "#N/A"), (9, 26, "#REF!")]


@pytest.mark.parametrize(("title_rows", "found"), [(19, True), (20, False)])
def test_header_must_be_within_the_first_20_rows(
    tmp_path: Path, title_rows: int, found: bool
) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date"],
        [["Acme", "2026-11-12"]],
        title_rows=["notes"] * title_rows,
    )
    if found:
        assert read_tracker(path).header_row == 20
    else:
        with pytest.raises(FileProblem, match="no tracker table"):
            read_tracker(path)


def test_last_column_counts_data_right_of_the_header(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date", None, "Notes"],
        [["Acme", date(2026, 11, 12), None, "x", None, None, "note far right"], ["Globex"]],
        title_rows=["A title that is wider than the table", "", "", "", "", "", "", "", ""],
    )
    tracker = read_tracker(path)
    assert tracker.header_row == 10
    assert tracker.last_column == 7


def test_duplicate_headers_warn(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date", "Company", "Follow-up Status", "FOLLOW-UP STATUS"],
        [["Acme", date(2026, 11, 12), "Other", "Due", "Old"]],
    )
    tracker = read_tracker(path)
    assert tracker.columns["company"] == ("Company", 1)
    assert tracker.owned_columns == {"Follow-up Status": 4}
    assert [(w.row, w.column, w.code, w.severity) for w in tracker.warnings] == [
        (1, "Company", "duplicate-column", "warning"),
        (1, "FOLLOW-UP STATUS", "duplicate-column", "warning"),
    ]
    assert tracker.rows[0].company == "Acme"


def test_column_overrides(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx", ["Employer", "DATE "], [["Acme", "2026-11-12"]], title_rows=["x"]
    )
    log = read_tracker(path)  # "DATE" alone is the day applied: an applications log
    assert (log.applications_log, log.rows[0].applied_date) == (True, date(2026, 11, 12))
    tracker = read_tracker(path, column_overrides={"DATE ": "interview_date"})
    assert not tracker.applications_log
    assert tracker.rows[0].interview_date == date(2026, 11, 12)
    with pytest.raises(FileProblem, match="not a field"):
        read_tracker(path, column_overrides={"DATE ": "when"})


def test_sheet_can_be_named(tmp_path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(tmp_path / "two.xlsx"))
    for name, company in (("2025", "Old Co"), ("2026", "New Co")):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, ["Company", "Interview Date"])
        sheet.write_row(1, 0, [company, "2026-11-12"])
    workbook.close()
    path = tmp_path / "two.xlsx"
    assert read_tracker(path).rows[0].company == "Old Co"
    tracker = read_tracker(path, sheet="2026")
    assert (tracker.sheet_name, tracker.rows[0].company) == ("2026", "New Co")
    with pytest.raises(FileProblem) as caught:
        read_tracker(path, sheet="2027")
    assert "'2025', '2026'" in caught.value.message


def test_chart_and_hidden_sheets(tmp_path: Path) -> None:
    path = tmp_path / "charts.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    chart_sheet = workbook.add_chartsheet("Chart")
    hidden = workbook.add_worksheet("Old")
    hidden.write_row(0, 0, ["Company", "Interview Date"])
    hidden.write_row(1, 0, ["Hidden Co", "2026-11-12"])
    hidden.hide()
    data = workbook.add_worksheet("Interviews")
    data.write_row(2, 1, ["Company", "Interview Date"])
    data.write_row(3, 1, ["Visible Co", "2026-11-12"])
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"values": "=Interviews!$C$4:$C$4"})
    chart_sheet.set_chart(chart)
    chart_sheet.activate()
    workbook.close()
    tracker = read_tracker(path)
    assert (tracker.sheet_name, tracker.rows[0].company) == ("Interviews", "Visible Co")
    assert read_tracker(path, sheet="Old").rows[0].company == "Hidden Co"


def test_openpyxl_tracker_with_only_placeholders_below(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Interviews"
    sheet.append(["Company", "Interview Date", "Follow-up Step"])
    sheet.append(["Acme", datetime(2026, 11, 12), "Thank-you"])
    for _ in range(300):
        sheet.append(["N/A", "-", "Check-in"])
    # written by the tool: the workbook records its column
    sheet.defined_names[RECORD_NAME] = DefinedName(
        RECORD_NAME, hidden=True, attr_text="'Interviews'!$C$1"
    )
    workbook.save(tmp_path / "t.xlsx")
    tracker = read_tracker(tmp_path / "t.xlsx")
    assert [row.row for row in tracker.rows] == [2]
    assert tracker.owned_values == {2: {"Follow-up Step": "Thank-you"}}
    assert tracker.last_column == 3


# --- files that cannot be used ------------------------------------------------------------


def corrupt_zip(path: Path) -> Path:
    build_tracker(path, ["Company", "Interview Date"], [["Acme", "2026-11-12"]])
    path.write_bytes(path.read_bytes()[:300])
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p, "does not exist"),
        (lambda p: (p.mkdir(), p)[1], "is a folder"),
        (lambda p: (p.write_bytes(b""), p)[1], "is empty"),
        (lambda p: (p.write_text("Company,Interview Date\n"), p)[1], "CSV"),
        (
            lambda p: (p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), p)[1],
            ".xls",
        ),
        (corrupt_zip, "damaged"),
        (
            lambda p: (zipfile.ZipFile(p, "w").writestr("hello.txt", "hi"), p)[1],
            "not an .xlsx workbook",
        ),
    ],
    ids=["missing", "folder", "empty", "csv", "ole2", "truncated", "zip-without-workbook"],
)
def test_file_problems(tmp_path: Path, make: object, expected: str) -> None:
    path = make(tmp_path / "tracker.xlsx")  # type: ignore[operator]
    with pytest.raises(FileProblem) as caught:
        read_tracker(path)
    assert expected in caught.value.message
    assert str(caught.value).startswith(f"{path}: ")
    assert str(path) not in caught.value.message  # named once, by FileProblem
    assert "\n" not in str(caught.value)


def damaged(path: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    source = build_tracker(
        path.with_name("good.xlsx"), ["Company", "Interview Date"], [["Acme", "2026-11-12"]]
    )
    return rewrite_parts(source, path, change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda name, data: data[: len(data) // 2] if "worksheets/" in name else data, "damaged"),
        (lambda name, data: None if "worksheets/" in name else data, "is missing"),
        (lambda name, data: b"<workbook" if name == "xl/workbook.xml" else data, "damaged"),
        (lambda name, data: None if name == "xl/workbook.xml" else data, "no workbook part"),
        (lambda name, data: b"garbage" if name == "xl/styles.xml" else data, "damaged"),
        (
            lambda name, data: (
                b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]><workbook>&a;'
                b"</workbook>"
                if name == "xl/workbook.xml"
                else data
            ),
            "has a DTD",
        ),
    ],
    ids=[
        "truncated-sheet",
        "missing-sheet",
        "bad-workbook-xml",
        "no-workbook",
        "bad-styles",
        "dtd",
    ],
)
def test_damaged_packages(tmp_path: Path, change: Any, expected: str) -> None:
    path = damaged(tmp_path / "tracker.xlsx", change)
    with pytest.raises(FileProblem) as caught:
        read_tracker(path)
    assert expected in caught.value.message
    assert str(caught.value).startswith(f"{path}: ")
    assert str(path) not in caught.value.message  # named once, by FileProblem
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_workbooks_have_no_tracker(path: Path) -> None:
    require_corpus(path)
    with pytest.raises(FileProblem) as caught:
        read_tracker(path)
    assert caught.value.message == (
        f"no tracker table found in {path.name} (looked for a header with Company and an "
        "Interview Date, Status or Date Applied column in the first 20 rows of each sheet); add "
        "those headers, or map yours in followup.toml [columns]"
    )


@pytest.mark.slow
def test_a_big_tracker_reads_every_row(tmp_path: Path) -> None:
    # How long it takes, bench/ measures.
    path = build_big_tracker(tmp_path / "big.xlsx", 100_000)
    tracker = read_tracker(path)
    assert len(tracker.rows) == 100_000
    assert tracker.rows[-1].contact_email == "jane100000@example.com"
    assert tracker.rows[-1].contact_phone == "5650100"
    assert all(not row.problems for row in tracker.rows)


def test_problems_are_values(real_tracker: Path) -> None:
    problems = [p for row in read_tracker(real_tracker).rows for p in row.problems]
    assert all(isinstance(problem, RowProblem) for problem in problems)


# Error cells, formulas without a saved result (plain and prefixed), and a cell that has both
# kinds of marker nearby without being either.
SCAN_XML = (
    b'<sheetData><row r="2"><c r="A2" t="e"/><c r="B2"><v>1</v></c>'
    b'<c r="C2" s="1" t="e"><f>NA()</f><v>#N/A</v></c>'
    b'<c r="D2"><f>TODAY()</f><v/></c><c r="E2"><f>1+1</f></c>'
    b'<c r="F2"><f>2+2</f><v>4</v></c></row>'
    b'<row r="3"><x:c r="B3"><x:f>NOW()</x:f></x:c>'
    b'<x:c r="AA10" t="e"><x:v>#REF!</x:v></x:c></row></sheetData>'
)
SCAN_FOUND = {
    (1, 2): "#N/A",
    (1, 3): NO_SAVED_RESULT,
    (1, 4): NO_SAVED_RESULT,
    (2, 1): NO_SAVED_RESULT,
    (9, 26): "#REF!",
}


@pytest.mark.parametrize("chunk", [3, 8, 13, 21, 34, 1 << 20])
def test_error_scan_in_chunks_of_any_size_finds_every_error_cell(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """A cell cut by a chunk boundary is carried over to the next round, never lost."""
    monkeypatch.setattr(tracker_module, "_CHUNK", chunk)
    streamed = {
        (row, column): text
        for row, column, text in tracker_module._scan_errors(io.BytesIO(SCAN_XML))
    }
    assert streamed == SCAN_FOUND


@pytest.mark.parametrize("error_on", ["Lists", "Tracker"])
def test_error_cells_come_from_the_sheet_that_holds_the_table(
    tmp_path: Path, error_on: str
) -> None:
    """Each sheet calamine parses is scanned for error cells alongside; the table's counts."""
    path = tmp_path / "t.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheets = {name: workbook.add_worksheet(name) for name in ("Lists", "Tracker")}
    sheets["Lists"].write_row(0, 0, ["Status", "Company Type"])
    sheets["Tracker"].write_row(0, 0, ["Company", "Interview Date"])
    sheets["Tracker"].write_row(1, 0, ["Acme", "2026-11-12"])
    sheets[error_on].write_formula(1, 1, "=1/0", None, "#DIV/0!")
    workbook.close()
    (row,) = read_tracker(path).rows
    codes = [problem.code for problem in row.problems]
    assert codes == (["error-cell"] if error_on == "Tracker" else [])


@pytest.mark.parametrize("collecting", [True, False])
def test_reading_leaves_the_garbage_collector_as_it_was(tmp_path: Path, collecting: bool) -> None:
    good = build_tracker(tmp_path / "t.xlsx", ["Company", "Interview Date"], [["Acme", None]])
    no_table = build_tracker(tmp_path / "n.xlsx", ["Company", "Notes"], [["Acme", "x"]])
    was_collecting = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        read_tracker(good)
        assert gc.isenabled() is collecting
        with pytest.raises(FileProblem, match="no tracker table"):
            read_tracker(no_table)
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was_collecting else gc.disable)()


def test_each_column_remembers_its_own_readings(tmp_path: Path) -> None:
    """The same text reads per its column's kind, and unreadable text stays a problem."""
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Role", "Interview Date", "They Will Contact", "Thank-You Sent"],
        [
            ["Acme", "yes", "2026-11-12", "yes", "soon"],
            ["Acme", "yes", "2026-11-12", "yes", "soon"],
            ["  Acme ", "no", "12 Nov 2026", "no", "2026-11-12"],
        ],
    )
    first, second, third = read_tracker(path).rows
    for row in (first, second):
        assert (row.company, row.role, row.interview_date) == ("Acme", "yes", date(2026, 11, 12))
        assert row.they_will_contact is True
        assert [(p.column, p.code) for p in row.problems] == [("Thank-You Sent", "unreadable-date")]
    assert (third.company, third.role, third.they_will_contact) == ("Acme", "no", False)
    assert third.interview_date == third.thank_you_sent == date(2026, 11, 12)


def test_rows_built_in_bulk_equal_rows_built_by_their_constructor(tmp_path: Path) -> None:
    """read_tracker fills each row's __dict__ directly (see _tracker_row): that is only the
    same as TrackerRow(...) while TrackerRow has no __post_init__, no slots, plain defaults."""
    assert not hasattr(TrackerRow, "__post_init__")
    assert not hasattr(TrackerRow, "__slots__")
    assert all(
        field.default is not dataclasses.MISSING
        for field in dataclasses.fields(TrackerRow)
        if field.name != "row"
    )
    assert set(map_headers(list(DEFAULT_HEADERS.values())).fields) <= {
        field.name for field in dataclasses.fields(TrackerRow)
    }
    path = build_tracker(tmp_path / "t.xlsx", REAL_HEADER, REAL_ROWS)
    for row in read_tracker(path).rows:
        rebuilt = TrackerRow(
            **{field.name: getattr(row, field.name) for field in dataclasses.fields(TrackerRow)}
        )
        assert row == rebuilt and repr(row) == repr(rebuilt) and vars(row) == vars(rebuilt)
        assert list(vars(row)) == list(vars(rebuilt))  # same attributes, same order
        with pytest.raises(dataclasses.FrozenInstanceError):
            row.company = "changed"  # type: ignore[misc]
        assert hash(row) == hash(rebuilt)
