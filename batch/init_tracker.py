"""`followup init`: a new, empty tracker with every column, dropdowns and date formats.

The layout helpers here are also used by `scripts/make_sample.py`, so the sample tracker and a
fresh one look alike.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from batch.layout import column_width
from batch.model import (
    DATE_FIELDS,
    DEFAULT_HEADERS,
    INPUT_FIELDS,
    OWNED_COLUMNS,
    SIGNER_FIELDS,
    FileProblem,
)
from batch.ownership import RECORD_NAME, record_formula

# A new tracker is for interviews: it leaves out the applications log's Date Applied, the
# user's own follow-up plan (the tool's Follow-up Due is beside it) and the signer fields of
# a coach's tracker (see SIGNER_FIELDS). All are still read when a tracker has them.
_NOT_IN_NEW_TRACKERS = frozenset({"applied_date", "planned_follow_up"}) | SIGNER_FIELDS
TRACKER_FIELDS: tuple[str, ...] = tuple(
    name for name in INPUT_FIELDS if name not in _NOT_IN_NEW_TRACKERS
)

OUTCOME_CHOICES: tuple[str, ...] = (
    "Applied",
    "Interviewing",
    "Next round",
    "Offer",
    "Accepted",
    "Rejected",
    "Withdrawn",
    "Closed",
)
YES_NO_CHOICES: tuple[str, ...] = ("Yes", "No")

# Day, month name, year: cannot be misread as 03/04 vs 04/03 in any locale.
DATE_FORMAT = "d mmm yyyy"
# How many empty rows get date formats and dropdowns, so typed dates become real dates.
FORMATTED_ROWS = 500
SHEET_NAME = "Interviews"
LISTS_SHEET_NAME = "Lists"
OUTCOME_LIST_NAME = "OutcomeChoices"

INPUT_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_HEADER_FONT = Font(bold=True, color="FFFFFF")
OWNED_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
OWNED_HEADER_FONT = Font(bold=True, italic=True, color="404040")
OWNED_NOTE = (
    "Filled in by `followup run`: anything typed here is replaced on the next run. "
    "Your own columns are never changed."
)


def tracker_headers() -> list[str]:
    """Every header of a new tracker, left to right: the input columns, then the owned ones."""
    return [DEFAULT_HEADERS[name] for name in TRACKER_FIELDS] + list(OWNED_COLUMNS)


def create_tracker(path: Path) -> None:
    """Write a new, empty tracker to `path`; never overwrite an existing file."""
    if path.suffix.lower() != ".xlsx":
        raise FileProblem(path, "a tracker must be an .xlsx file; choose a name ending in .xlsx")
    if path.exists():
        raise FileProblem(path, "already exists; choose another name or delete it first")
    if not path.parent.is_dir():
        raise FileProblem(path, f"folder {path.parent} does not exist; create it first")

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = SHEET_NAME
    add_lists_sheet(workbook)
    lay_out_tracker(sheet, header_row=1, last_row=1 + FORMATTED_ROWS, with_owned=True)
    # An Excel Table gives filters, banded rows, and grows as rows are typed below it.
    last_column = get_column_letter(len(tracker_headers()))
    table = Table(displayName="InterviewTable", ref=f"A1:{last_column}{1 + FORMATTED_ROWS}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(table)
    # The workbook records that the Follow-up columns are the tool's (batch.ownership).
    first_owned = len(TRACKER_FIELDS) + 1
    owned = range(first_owned, first_owned + len(OWNED_COLUMNS))
    sheet.defined_names[RECORD_NAME] = DefinedName(
        RECORD_NAME, hidden=True, attr_text=record_formula(SHEET_NAME, 1, owned)
    )

    # "x" mode: a file that appeared since the check above is still never overwritten.
    try:
        with path.open("xb") as handle:
            workbook.save(handle)
    except FileExistsError:
        raise FileProblem(path, "already exists; choose another name or delete it first") from None
    except OSError as error:
        raise FileProblem(path, f"cannot write the tracker: {error.strerror or error}") from None


def add_lists_sheet(workbook: Workbook) -> Worksheet:
    """Add the "Lists" sheet that holds the dropdown values, so users can edit them."""
    lists = workbook.create_sheet(LISTS_SHEET_NAME)
    lists["A1"] = DEFAULT_HEADERS["outcome"]
    lists["B1"] = DEFAULT_HEADERS["they_will_contact"]
    for cell in (lists["A1"], lists["B1"]):
        cell.font = Font(bold=True)
    for offset, outcome in enumerate(OUTCOME_CHOICES):
        lists.cell(row=2 + offset, column=1, value=outcome)
    for offset, answer in enumerate(YES_NO_CHOICES):
        lists.cell(row=2 + offset, column=2, value=answer)
    lists["D1"] = "These lists feed the dropdowns on the tracker sheet."
    lists["D2"] = "The Outcome column also accepts any other text (e.g. Ghosted)."
    lists.column_dimensions["A"].width = 16
    lists.column_dimensions["B"].width = 18
    # A defined name rather than a plain Lists!A2:A9 reference: Excel 2007 refuses dropdowns
    # that point at another sheet directly, but accepts a name.
    outcome_range = f"{quote_sheetname(LISTS_SHEET_NAME)}!$A$2:$A${1 + len(OUTCOME_CHOICES)}"
    workbook.defined_names[OUTCOME_LIST_NAME] = DefinedName(
        OUTCOME_LIST_NAME, attr_text=outcome_range
    )
    return lists


def lay_out_tracker(sheet: Worksheet, header_row: int, last_row: int, with_owned: bool) -> None:
    """Write the headers on `header_row` and format the rows below it down to `last_row`.

    The workbook must already have its Lists sheet (`add_lists_sheet`).
    Headers, widths, a frozen header row and first two columns, date formats on the date
    columns, and dropdowns for They Will Contact and Outcome (fed by the Lists sheet).
    """
    input_headers = [DEFAULT_HEADERS[name] for name in TRACKER_FIELDS]
    headers = input_headers + (list(OWNED_COLUMNS) if with_owned else [])
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=text)
        cell.alignment = Alignment(vertical="center", wrap_text=False)
        if text in OWNED_COLUMNS:
            cell.fill = OWNED_HEADER_FILL
            cell.font = OWNED_HEADER_FONT
            cell.comment = Comment(OWNED_NOTE, "followup", width=260, height=80)
        else:
            cell.fill = INPUT_HEADER_FILL
            cell.font = INPUT_HEADER_FONT
        key = TRACKER_FIELDS[column - 1] if column <= len(TRACKER_FIELDS) else text
        width = column_width(key, text)
        sheet.column_dimensions[get_column_letter(column)].width = width

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3).coordinate
    first_data_row = header_row + 1

    date_columns = [
        TRACKER_FIELDS.index(name) + 1 for name in sorted(DATE_FIELDS & set(TRACKER_FIELDS))
    ]
    if with_owned:
        date_columns.append(len(TRACKER_FIELDS) + OWNED_COLUMNS.index("Follow-up Due") + 1)
    for column in date_columns:
        for row in range(first_data_row, last_row + 1):
            sheet.cell(row=row, column=column).number_format = DATE_FORMAT

    outcome_letter = get_column_letter(TRACKER_FIELDS.index("outcome") + 1)
    # Outcome is free text read by keywords, so other words are allowed (no error box).
    outcome_list = DataValidation(
        type="list",
        formula1=OUTCOME_LIST_NAME,
        allow_blank=True,
        showErrorMessage=False,
        promptTitle="Outcome",
        prompt="Pick one, or type your own (offer, rejected, withdrawn... close the row).",
        showInputMessage=True,
    )
    outcome_list.add(f"{outcome_letter}{first_data_row}:{outcome_letter}{last_row}")

    contact_letter = get_column_letter(TRACKER_FIELDS.index("they_will_contact") + 1)
    yes_no = DataValidation(
        type="list",
        formula1='"' + ",".join(YES_NO_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="They Will Contact",
        error="Choose Yes or No.",
        promptTitle="They Will Contact",
        prompt="Yes if they said they will contact you and asked you to wait.",
        showInputMessage=True,
    )
    yes_no.add(f"{contact_letter}{first_data_row}:{contact_letter}{last_row}")

    sheet.add_data_validation(outcome_list)
    sheet.add_data_validation(yes_no)
