"""`followup adopt` and add_input_columns: the columns an interview tracker needs, added to
an applications log without changing anything else."""

from __future__ import annotations

import io
import warnings
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from workbook_helpers import calamine_values

from batch.adopt import ADOPTED_FIELDS, add_input_columns
from batch.cli import main
from batch.model import Status
from batch.policy import Policy
from batch.rules import decide
from batch.tracker import read_tracker


def applications_log(path: Path) -> Path:
    """An applications log styled as people do (a bold filled header, an AutoFilter,
    day-first dates), copying prachichauhan006/job-tracker's headers."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Job Applications")
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Company", "Role", "Applied Date", "Status", "Notes"], header)
    rows = [
        ("Google", "Python Intern", date(2026, 2, 20), "Applied", ""),
        ("Razorpay", "Backend Intern", date(2026, 2, 10), "Interviewed", "went well"),
    ]
    for index, (company, role, applied, status, notes) in enumerate(rows, start=1):
        sheet.write_string(index, 0, company)
        sheet.write_string(index, 1, role)
        sheet.write_datetime(index, 2, applied, day)  # type: ignore[arg-type]
        sheet.write_string(index, 3, status)
        sheet.write_string(index, 4, notes)
    sheet.autofilter(0, 0, len(rows), 4)
    workbook.close()
    return path


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def test_adopt_adds_the_missing_columns_right_of_the_table(tmp_path: Path) -> None:
    path = applications_log(tmp_path / "log.xlsx")
    before = calamine_values(path.read_bytes(), "Job Applications")
    result = CliRunner().invoke(main, ["adopt", str(path)])
    assert result.exit_code == 0, result.output
    assert "added 8 columns on row 1" in result.output
    assert "  F: Interview Date" in result.output
    after = calamine_values(path.read_bytes(), "Job Applications")
    assert {key: after.get(key) for key in before} == before
    headers = [after.get((1, column)) for column in range(6, 14)]
    assert headers == [
        "Interview Date",
        "Reply Expected By",
        "Thank-You Sent",
        "Check-In Sent",
        "Reminder Sent",
        "Reply Received",
        "Key Points",
        "Email",
    ]
    tracker = read_tracker(path)
    assert not tracker.applications_log
    assert set(ADOPTED_FIELDS) | {"contact_email"} <= set(tracker.columns)


def test_adopted_columns_look_like_the_table(tmp_path: Path) -> None:
    path = applications_log(tmp_path / "log.xlsx")
    assert CliRunner().invoke(main, ["adopt", str(path)]).exit_code == 0
    sheet = load(path)["Job Applications"]
    assert sheet["F1"].font.b and sheet["F1"].fill.fgColor.rgb == sheet["E1"].fill.fgColor.rgb
    assert sheet.auto_filter.ref == "A1:M3"
    assert sheet.column_dimensions["F"].width >= len("Interview Date")
    assert sheet.column_dimensions["L"].width == 48  # Key Points
    # A date typed later into a new date column is a date, in the log's own format.
    assert sheet.column_dimensions["F"].number_format == "dd/mm/yyyy"


def test_a_status_saying_interviewed_then_asks_for_the_date(tmp_path: Path) -> None:
    path = applications_log(tmp_path / "log.xlsx")
    assert CliRunner().invoke(main, ["adopt", str(path)]).exit_code == 0
    google, razorpay = read_tracker(path).rows
    assert decide(google, date(2026, 3, 2), Policy()).status is Status.NO_INTERVIEW
    decision = decide(razorpay, date(2026, 3, 2), Policy())
    assert decision.status is Status.NEEDS_ATTENTION
    assert decision.reason == 'Needs attention: add the interview date (Status says "Interviewed").'


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = applications_log(tmp_path / "log.xlsx")
    original = path.read_bytes()
    result = CliRunner().invoke(main, ["adopt", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would add 8 columns" in result.output
    assert path.read_bytes() == original
    assert not (tmp_path / "followup-backups").exists()


def test_adopting_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    path = applications_log(tmp_path / "log.xlsx")
    assert CliRunner().invoke(main, ["adopt", str(path)]).exit_code == 0
    written = path.read_bytes()
    result = CliRunner().invoke(main, ["adopt", str(path)])
    assert result.exit_code == 0
    assert "already has every input column" in result.output
    assert path.read_bytes() == written


def test_add_input_columns_returns_where_each_column_is(tmp_path: Path) -> None:
    path = applications_log(tmp_path / "log.xlsx")
    found = add_input_columns(path, ["company", "thank_you_sent", "reply_date"])
    assert found.columns == {"company": 1, "thank_you_sent": 6, "reply_date": 7}
    assert found.added == ("thank_you_sent", "reply_date")
    assert found.backup is not None and found.backup.exists()
    again = add_input_columns(path, ["thank_you_sent"])
    assert (again.columns, again.added, again.backup) == ({"thank_you_sent": 6}, (), None)


def test_add_input_columns_goes_right_of_the_tools_columns(tmp_path: Path) -> None:
    path = applications_log(tmp_path / "log.xlsx")
    result = CliRunner().invoke(main, ["run", str(path), "--today", "2026-03-02"])
    assert result.exit_code in (0, 1), result.output
    found = add_input_columns(path, ["interview_date"])
    assert found.columns == {"interview_date": 12}  # after F-K, the six Follow-up columns
    tracker = read_tracker(path)
    assert tracker.columns["interview_date"][1] == 12
    assert len(tracker.owned_columns) == 6


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not input fields: interview"):
        add_input_columns(applications_log(tmp_path / "log.xlsx"), ["interview"])


def test_a_table_grows_over_adopted_columns(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Apps")
    sheet.add_table(
        0,
        0,
        2,
        2,
        {
            "columns": [{"header": "Company"}, {"header": "Status"}, {"header": "Date Applied"}],
            "data": [["Acme", "Applied", "2026-02-01"], ["Globex", "Applied", "2026-02-02"]],
        },
    )
    workbook.close()
    add_input_columns(path, ["interview_date", "key_points"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = next(
            iter(openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["Apps"].tables.values())
        )
    assert table.ref == "A1:E3"
    assert [column.name for column in table.tableColumns][-2:] == ["Interview Date", "Key Points"]
