"""New columns fit in: the header's style, widths, wrapping, the tracker's date style, the
AutoFilter, and the record of the tool's columns (xlsx_writer.SheetLayout), all lossless."""

from __future__ import annotations

import io
import re
import warnings
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from corpus_helpers import corpus_params, require_corpus
from test_xlsx_writer import owned_edits
from workbook_helpers import calamine_values, first_worksheet, openpyxl_values, parts_of

from batch.ownership import RECORD_NAME
from batch.xlsx_writer import CellEdit, SheetLayout, write_edits

DUE = date(2026, 11, 19)


def styled_tracker(path: Path, *, autofilter: bool = True) -> Path:
    """A tracker as people style them: a filled, bold header row with an AutoFilter, dates in
    day-first format."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Jobs")
    header = workbook.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF"})
    day_first = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Company", "Interview Date", "Status"], header)
    sheet.write_row(1, 0, ["Acme"])
    sheet.write_datetime(1, 1, date(2026, 11, 12), day_first)  # type: ignore[arg-type]
    sheet.write_string(1, 2, "Interviewing")
    sheet.write_row(2, 0, ["Globex", "", "Applied"])
    if autofilter:
        sheet.autofilter(0, 0, 2, 2)
    workbook.close()
    return path


def new_columns_layout(**extra: object) -> SheetLayout:
    values: dict[str, object] = {
        "header_row": 1,
        "new_columns": frozenset({4, 5, 6}),
        "wrapped": frozenset({5}),
        "date_styles_from": (2,),
        "widths": {4: 16, 5: 48, 6: 14},
        "hidden_names": {RECORD_NAME: "'Jobs'!$D$1:$F$1"},
    }
    values.update(extra)
    return SheetLayout(**values)  # type: ignore[arg-type]


EDITS = [
    CellEdit(1, 4, "Follow-up Status"),
    CellEdit(1, 5, "Follow-up Reason"),
    CellEdit(1, 6, "Follow-up Due"),
    CellEdit(2, 4, "Overdue"),
    CellEdit(2, 5, "Thank-you sent Thu 12 Nov; check in 5 business days later."),
    CellEdit(2, 6, DUE),
]


def write(path: Path, edits: list[CellEdit], layout: SheetLayout | None) -> bytes:
    out = io.BytesIO()
    write_edits(path, out, "Jobs", edits, layout=layout)
    return out.getvalue()


def load(data: bytes) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data))


def test_new_headers_take_the_style_of_the_header_rows_last_cell(tmp_path: Path) -> None:
    sheet = load(write(styled_tracker(tmp_path / "t.xlsx"), EDITS, new_columns_layout()))["Jobs"]
    for letter in "DEF":
        cell = sheet[f"{letter}1"]
        assert cell.font.b and cell.fill.fgColor.rgb == sheet["C1"].fill.fgColor.rgb


def test_reason_wraps_and_new_columns_get_their_widths(tmp_path: Path) -> None:
    sheet = load(write(styled_tracker(tmp_path / "t.xlsx"), EDITS, new_columns_layout()))["Jobs"]
    assert sheet["E2"].alignment.wrap_text
    assert not sheet["D2"].alignment.wrap_text
    assert sheet.column_dimensions["E"].width == 48
    assert sheet.column_dimensions["D"].width == 16


def test_the_same_text_takes_the_style_of_its_own_row(tmp_path: Path) -> None:
    """A new cell's look depends on its row (above the header, the header, a formatted row,
    a plain one), never on a cell with the same text written before it."""
    path = tmp_path / "rows.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Jobs")
    sheet.write_row(0, 0, ["Exported from the job board"])
    sheet.write_row(1, 0, ["Company", "Status"])
    for row in range(2, 6):
        sheet.write_row(row, 0, [f"Company {row}", "Applied"])
    sheet.set_row(3, None, workbook.add_format({"bg_color": "#FFFF00"}))  # a formatted row
    workbook.close()
    layout = SheetLayout(header_row=2, new_columns=frozenset({3}), wrapped=frozenset({3}))
    edits = [CellEdit(row, 3, "Follow-up Reason") for row in range(1, 7)]
    written = load(write(path, edits, layout))["Jobs"]
    wraps = [bool(written[f"C{row}"].alignment.wrap_text) for row in range(1, 7)]
    assert wraps == [False, False, True, True, True, True]  # not above the header, nor in it
    assert written["C4"].fill.fgColor.rgb == "FFFFFF00"
    assert {written[f"C{row}"].fill.fill_type for row in (3, 5, 6)} == {None}


def test_follow_up_due_takes_the_trackers_own_date_style(tmp_path: Path) -> None:
    sheet = load(write(styled_tracker(tmp_path / "t.xlsx"), EDITS, new_columns_layout()))["Jobs"]
    assert sheet["F2"].number_format == "dd/mm/yyyy"
    assert sheet["F2"].value.date() == DUE


def test_the_autofilter_grows_over_the_new_columns(tmp_path: Path) -> None:
    data = write(styled_tracker(tmp_path / "t.xlsx"), EDITS, new_columns_layout())
    assert load(data)["Jobs"].auto_filter.ref == "A1:F3"
    workbook_xml = parts_of(data)["xl/workbook.xml"].decode()
    # Excel's own name for the filtered range moves with it.
    assert re.search(r"_xlnm\._FilterDatabase[^>]*>Jobs!\$A\$1:\$F\$3<", workbook_xml)


def test_no_autofilter_is_added_where_there_was_none(tmp_path: Path) -> None:
    path = styled_tracker(tmp_path / "t.xlsx", autofilter=False)
    assert load(write(path, EDITS, new_columns_layout()))["Jobs"].auto_filter.ref is None


def test_the_record_is_a_hidden_name_local_to_the_sheet(tmp_path: Path) -> None:
    data = write(styled_tracker(tmp_path / "t.xlsx"), EDITS, new_columns_layout())
    name = load(data)["Jobs"].defined_names[RECORD_NAME]
    assert name.hidden and name.attr_text == "'Jobs'!$D$1:$F$1"


def test_a_second_write_with_the_same_edits_changes_no_byte(tmp_path: Path) -> None:
    first = write(styled_tracker(tmp_path / "t.xlsx"), EDITS, new_columns_layout())
    (tmp_path / "again.xlsx").write_bytes(first)
    # The second run's columns exist: it names no new columns, only the record and wrapping.
    layout = new_columns_layout(new_columns=frozenset(), widths={})
    assert write(tmp_path / "again.xlsx", EDITS, layout) == first


def test_a_users_own_column_width_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Jobs")
    sheet.write_row(0, 0, ["Company", "Interview Date"])
    sheet.set_column(3, 3, 30)  # D: the user's width, no value yet
    workbook.close()
    users_width = load(path.read_bytes())["Jobs"].column_dimensions["D"].width
    data = write(path, EDITS, new_columns_layout())
    dimensions = load(data)["Jobs"].column_dimensions
    assert dimensions["D"].width == users_width
    assert dimensions["E"].width == 48


CORPUS_FILES = corpus_params("*.xls[xm]")


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_corpus_workbook_keeps_every_cell_with_the_full_layout(path: Path) -> None:
    """Header style, widths, wrapping, date style, AutoFilter and the record on real
    workbooks: every other cell reads the same, and a second write changes nothing."""
    require_corpus(path)
    sheet = first_worksheet(path)
    before = openpyxl_values(path, sheet)
    top = min((row for row, _ in before), default=1)
    right = max((column for _, column in before), default=0)
    edits = owned_edits(top, right)
    columns = sorted({edit.column for edit in edits})
    layout = SheetLayout(
        header_row=top,
        new_columns=frozenset(columns),
        wrapped=frozenset(columns[3:]),
        date_styles_from=tuple(range(1, right + 1)),
        widths={column: 20 for column in columns},
        hidden_names={RECORD_NAME: f"'{sheet}'!$A$1"},
    )
    result = io.BytesIO()
    write_edits(path, result, sheet, edits, layout=layout)
    data = result.getvalue()
    edited = {(edit.row, edit.column) for edit in edits}
    after = openpyxl_values(data, sheet)
    assert {k: v for k, v in after.items() if k not in edited} == before
    read = calamine_values(data, sheet)
    assert {k for k in read if k not in edited} <= set(before)
    old_parts, new_parts = parts_of(path), parts_of(data)
    assert list(new_parts) == list(old_parts)
    changed = {name for name in old_parts if old_parts[name] != new_parts[name]}
    allowed = re.compile(r"xl/(worksheets/[^/]+|styles|workbook|tables/[^/]+)\.xml", re.I)
    assert all(allowed.fullmatch(name) for name in changed), changed
    again = io.BytesIO()
    write_edits(io.BytesIO(data), again, sheet, edits, layout=layout)
    assert again.getvalue() == data
