"""Trackers shaped like real ones, built with XlsxWriter for the reader's tests."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from batch.columns import owned_name
from batch.ownership import RECORD_NAME, record_formula

Cell = Any

# What pre-formatted trackers leave in rows nobody has filled yet.
PLACEHOLDERS: tuple[Cell, ...] = ("N/A", False, "-", "", "\u200b", "\u00a0", "--", "FALSE", None)


def write_cell(worksheet: Any, row: int, column: int, value: Cell, date_format: Any) -> None:
    """Write one value the way Excel stores it (0-based row and column)."""
    if value is None:
        return
    if isinstance(value, datetime | date):
        worksheet.write_datetime(row, column, value, date_format)
    elif isinstance(value, Formula):
        worksheet.write_formula(row, column, value.formula, None, value.cached)
    elif isinstance(value, str):
        worksheet.write_string(row, column, value)  # never turned into a number or URL
    else:
        worksheet.write(row, column, value)


class Formula:
    """A formula cell with the value Excel cached for it (e.g. an error like #REF!)."""

    def __init__(self, formula: str, cached: str | float) -> None:
        self.formula = formula
        self.cached = cached


def build_tracker(
    path: Path,
    header: Sequence[str | None],
    rows: Sequence[Sequence[Cell]],
    *,
    sheet_name: str = "Tracker",
    title_rows: Sequence[str] = (),
    sheets_before: Sequence[str] = (),
    sheets_after: Sequence[str] = (),
    date1904: bool = False,
    owned_by_tool: bool = True,
) -> Path:
    """A workbook with the tracker on `sheet_name`: title rows, then the header, then rows.

    `sheets_before` get a dropdown list ("Drop Downs") style content, `sheets_after` a small
    dashboard; both mention Company but never Interview Date, like real ones. Headers named
    like the tool's columns are recorded as made by the tool unless `owned_by_tool` is False
    (then they are the user's own).
    """
    workbook = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name in sheets_before:
        lists = workbook.add_worksheet(name)
        lists.write_row(0, 0, ["Status", "Company Type", "Yes/No"])
        lists.write_column(1, 0, ["Applied", "Interviewing", "Rejected", "Negotiating Offer"])
        lists.write_column(1, 1, ["Startup", "Agency", "Enterprise"])
        lists.write_column(1, 2, ["Yes", "No"])
    worksheet = workbook.add_worksheet(sheet_name)
    for index, title in enumerate(title_rows):
        worksheet.write_string(index, 0, title)
    header_row = len(title_rows)
    for column, text in enumerate(header):
        if text is not None:
            worksheet.write_string(header_row, column, text)
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            write_cell(worksheet, header_row + offset, column, value, date_format)
    if sheets_before:
        # A dropdown on the Status column whose list lives on the lists sheet, as templates do.
        for column, text in enumerate(header):
            if text == "Status":
                worksheet.data_validation(
                    header_row + 1,
                    column,
                    header_row + max(len(rows), 1),
                    column,
                    {"validate": "list", "source": f"='{sheets_before[0]}'!$A$2:$A$5"},
                )
    owned = [
        column + 1
        for column, text in enumerate(header)
        if text is not None and owned_name(text) is not None
    ]
    if owned and owned_by_tool:
        quoted = "'" + sheet_name.replace("'", "''") + "'"
        formula = record_formula(sheet_name, header_row + 1, owned)
        workbook.define_name(f"{quoted}!{RECORD_NAME}", f"={formula}")
    for name in sheets_after:
        dashboard = workbook.add_worksheet(name)
        dashboard.write_row(0, 0, ["Company", "Interviews", "Offers"])
        dashboard.write_row(1, 0, ["All", 5, 1])
    workbook.close()
    return path


def build_big_tracker(path: Path, rows: int, *, constant_memory: bool = True) -> Path:
    """A coach's tracker: `rows` interviews over 20 columns (for the speed check)."""
    header = [
        "Candidate",
        "Company",
        "Role",
        "Contact",
        "Email",
        "Phone",
        "Interview Date",
        "Reply Expected By",
        "They Will Contact",
        "Thank-You Sent",
        "Check-In Sent",
        "Reminder Sent",
        "Reply Received",
        "Outcome",
        "Key Points",
        "Extra Info",
        "Notes",
        "Follow-up Status",
        "Follow-up Due",
        "Follow-up Reason",
    ]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    worksheet = workbook.add_worksheet("Tracker")
    worksheet.write_row(0, 0, header)
    for row in range(1, rows + 1):
        day = date(2026, 1 + row % 12, 1 + row % 28)
        worksheet.write_string(row, 0, f"Client {row % 50}")
        worksheet.write_string(row, 1, f"Company {row}")
        worksheet.write_string(row, 2, "Analyst")
        worksheet.write_string(row, 3, "Jane Doe")
        worksheet.write_string(row, 4, f"Jane <jane{row}@example.com>")
        worksheet.write_number(row, 5, 5550100 + row)
        worksheet.write_datetime(row, 6, day, date_format)
        worksheet.write_string(row, 7, "2026-12-01")
        worksheet.write_string(row, 8, "yes" if row % 2 else "no")
        worksheet.write_datetime(row, 9, day, date_format)
        worksheet.write_string(row, 10, "")
        worksheet.write_string(row, 11, "N/A")
        worksheet.write_string(row, 12, "")
        worksheet.write_string(row, 13, "Interviewing")
        worksheet.write_string(row, 14, "Dashboards; team of four")
        worksheet.write_string(row, 15, "https://example.com/portfolio")
        worksheet.write_string(row, 16, "note")
        worksheet.write_string(row, 17, "Waiting")
        worksheet.write_datetime(row, 18, day, date_format)
        worksheet.write_string(row, 19, "Because.")
    workbook.close()
    return path


def rewrite_parts(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of a workbook with each part passed through `change` (None drops the part)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = change(info.filename, original.read(info))
            if data is not None:
                copy.writestr(info.filename, data)
    return target
