"""`followup init`: a new, empty tracker (batch/init_tracker.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from batch.init_tracker import (
    DATE_FIELDS,
    FORMATTED_ROWS,
    OUTCOME_CHOICES,
    SHEET_NAME,
    TRACKER_FIELDS,
    create_tracker,
)
from batch.model import DEFAULT_HEADERS, OWNED_COLUMNS, SIGNER_FIELDS, FileProblem
from batch.ownership import RECORD_NAME
from batch.tracker import read_tracker


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One tracker for the module: no test changes it (writing one takes about half a second).
    path = tmp_path_factory.mktemp("init") / "tracker.xlsx"
    create_tracker(path)
    return path


def _headers(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [str(cell.value) for cell in sheet[1] if cell.value is not None]


def test_every_input_column_then_the_owned_columns(tracker: Path) -> None:
    headers = _headers(tracker)
    assert set(DEFAULT_HEADERS) - set(TRACKER_FIELDS) == {
        "applied_date",
        "planned_follow_up",
        *SIGNER_FIELDS,
    }
    assert headers == [DEFAULT_HEADERS[name] for name in TRACKER_FIELDS] + list(OWNED_COLUMNS)
    assert headers[:2] == ["Candidate", "Company"]


def test_owned_columns_look_different_and_carry_a_note(tracker: Path) -> None:
    sheet = openpyxl.load_workbook(tracker).worksheets[0]
    input_fill = sheet.cell(row=1, column=2).fill.fgColor.rgb
    for column in range(len(TRACKER_FIELDS) + 1, len(TRACKER_FIELDS) + len(OWNED_COLUMNS) + 1):
        cell = sheet.cell(row=1, column=column)
        assert cell.fill.fgColor.rgb != input_fill
        assert cell.comment is not None
        assert "followup" in cell.comment.text
    assert sheet.cell(row=1, column=2).comment is None


def test_refuses_to_overwrite_an_existing_file(tracker: Path) -> None:
    before = tracker.read_bytes()
    with pytest.raises(FileProblem, match="already exists"):
        create_tracker(tracker)
    assert tracker.read_bytes() == before


def test_refuses_to_overwrite_any_file_even_a_non_tracker(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("my notes")
    with pytest.raises(FileProblem, match="already exists"):
        create_tracker(path)
    assert path.read_text() == "my notes"


@pytest.mark.parametrize("name", ["tracker.xls", "tracker.csv", "tracker.xlsm", "tracker"])
def test_refuses_a_name_that_is_not_xlsx(tmp_path: Path, name: str) -> None:
    with pytest.raises(FileProblem, match=r"\.xlsx"):
        create_tracker(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_upper_case_extension_is_fine(tmp_path: Path) -> None:
    create_tracker(tmp_path / "Tracker.XLSX")
    assert (tmp_path / "Tracker.XLSX").is_file()


def test_missing_folder_is_a_file_problem(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match="does not exist"):
        create_tracker(tmp_path / "no-such-folder" / "tracker.xlsx")


def test_dropdowns_for_they_will_contact_and_outcome(tracker: Path) -> None:
    workbook = openpyxl.load_workbook(tracker)
    sheet = workbook.worksheets[0]
    by_column: dict[str, str] = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        for cell_range in validation.sqref.ranges:
            header = sheet.cell(row=1, column=cell_range.min_col).value
            assert cell_range.min_row == 2
            assert cell_range.max_row == 1 + FORMATTED_ROWS
            by_column[str(header)] = validation.formula1
    assert set(by_column) == {"They Will Contact", "Outcome"}
    assert by_column["They Will Contact"] == '"Yes,No"'

    # The outcome list is a name that points at the Lists sheet, whose values are the outcomes.
    name = workbook.defined_names[by_column["Outcome"]]
    ((sheet_name, cells),) = list(name.destinations)
    lists = workbook[sheet_name]
    assert [cell.value for (cell,) in lists[cells.replace("$", "")]] == list(OUTCOME_CHOICES)


def test_header_row_is_frozen(tracker: Path) -> None:
    sheet = openpyxl.load_workbook(tracker).worksheets[0]
    assert sheet.freeze_panes is not None
    assert sheet.freeze_panes.endswith("2")  # rows above 2 stay put


def test_date_columns_are_date_formatted_for_many_rows(tracker: Path) -> None:
    sheet = openpyxl.load_workbook(tracker).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    date_headers = [DEFAULT_HEADERS[name] for name in DATE_FIELDS if name in TRACKER_FIELDS]
    date_headers.append("Follow-up Due")
    for header in date_headers:
        column = headers.index(header) + 1
        for row in (2, 100, 1 + FORMATTED_ROWS):
            assert sheet.cell(row=row, column=column).is_date, (header, row)
    # Text columns are not date formatted.
    company = headers.index("Company") + 1
    assert not sheet.cell(row=2, column=company).is_date


def test_a_typed_date_is_read_back_as_a_date(tracker: Path, tmp_path: Path) -> None:
    # Simulates typing into the formatted cell: the stored number carries the date format.
    workbook = openpyxl.load_workbook(tracker)
    sheet = workbook.worksheets[0]
    column = TRACKER_FIELDS.index("interview_date") + 1
    sheet.cell(row=2, column=2, value="Northwind Labs")
    sheet.cell(row=2, column=column, value=date(2026, 11, 12))
    typed = tmp_path / "typed.xlsx"
    workbook.save(typed)
    rows = CalamineWorkbook.from_path(str(typed)).get_sheet_by_index(0).to_python()
    assert rows[1][column - 1] == date(2026, 11, 12)


def test_columns_are_wide_enough_for_their_headers(tracker: Path) -> None:
    sheet = openpyxl.load_workbook(tracker).worksheets[0]
    for cell in sheet[1]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width >= len(str(cell.value)) + 2, cell.value


def test_table_header_names_match_the_cells(tracker: Path) -> None:
    sheet = openpyxl.load_workbook(tracker).worksheets[0]
    (table,) = sheet.tables.values()
    assert [column.name for column in table.tableColumns] == _headers(tracker)
    assert table.ref.startswith("A1:")


def test_readable_by_calamine(tracker: Path) -> None:
    workbook = CalamineWorkbook.from_path(str(tracker))
    assert workbook.sheet_names == ["Interviews", "Lists"]
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0] == _headers(tracker)
    assert all(value == "" for row in rows[1:] for value in row)


def test_readable_by_the_tracker_reader(tracker: Path) -> None:
    result = read_tracker(tracker)
    assert result.header_row == 1
    assert result.rows == ()
    assert set(result.owned_columns) == set(OWNED_COLUMNS)
    assert set(result.columns) == set(TRACKER_FIELDS)


def test_the_follow_up_columns_are_recorded_as_the_tools(tracker: Path) -> None:
    tracker_read = read_tracker(tracker)
    assert set(tracker_read.owned_columns) == set(OWNED_COLUMNS)
    workbook = openpyxl.load_workbook(tracker)
    name = workbook[SHEET_NAME].defined_names[RECORD_NAME]
    assert name.hidden
