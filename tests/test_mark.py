"""`followup mark`: sent steps, replies and outcomes recorded by the tool, never over a value."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from tracker_helpers import build_tracker
from workbook_helpers import openpyxl_values

from batch.cli import main

TODAY = "2026-11-23"
HEADER = [
    "Candidate",
    "Company",
    "Contact",
    "Email",
    "Interview Date",
    "Thank-You Sent",
    "Check-In Sent",
    "Reminder Sent",
    "Reply Received",
    "Outcome",
]
ROWS = [
    # row 2: a check-in due (thanked 12 Nov); row 3: a thank-you due today
    ["Sam Lee", "Northgate", "Pat Kim", "pat@northgate.example", date(2026, 11, 12),
     date(2026, 11, 12), None, None, None, "Interviewing"],
    ["Sam Lee", "Acme Corp", "Jo Park", "jo@acme.example", date(2026, 11, 23),
     None, None, None, None, "Interviewing"],
    # rows 4 and 5: two rounds at the same company
    ["Ana Ruiz", "Globex", "Lee Wu", "lee@globex.example", date(2026, 11, 2),
     date(2026, 11, 2), date(2026, 11, 9), None, None, "Next round"],
    ["Ana Ruiz", "Globex", "Lee Wu", "lee@globex.example", date(2026, 11, 20),
     None, None, None, None, "Interviewing"],
]  # fmt: skip


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return build_tracker(tmp_path / "tracker.xlsx", HEADER, ROWS)


def cell(path: Path, row: int, header: str) -> object:
    sheet = openpyxl.load_workbook(path)["Tracker"]
    column = next(c.column for c in sheet[1] if c.value == header)
    return sheet.cell(row, column).value


def test_mark_by_company_writes_the_date_and_prints_the_new_status(tracker: Path) -> None:
    before = openpyxl_values(tracker, "Tracker")
    result = invoke("mark", tracker, "northgate", "check-in", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "row 2 Northgate: Check-In Sent: (empty) -> 2026-11-23" in result.output
    assert "row 2 is now Waiting: Check-in sent Mon 23 Nov" in result.output
    assert "previous version kept in" in result.output
    assert cell(tracker, 2, "Check-In Sent") == datetime(2026, 11, 23)  # a real date
    after = openpyxl_values(tracker, "Tracker")
    changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
    assert changed == {(2, 7)}  # that one cell, nothing else
    assert list((tracker.parent / "followup-backups").iterdir())


def test_mark_by_row_number_with_a_date_and_a_reply(tracker: Path) -> None:
    result = invoke("mark", tracker, "3", "thank-you", "--date", "2026-11-23", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert cell(tracker, 3, "Thank-You Sent") == datetime(2026, 11, 23)
    result = invoke("mark", tracker, "2", "reply", "--date", "2026-11-20", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert cell(tracker, 2, "Reply Received") == datetime(2026, 11, 20)


def test_an_ambiguous_company_lists_the_rows_and_writes_nothing(tracker: Path) -> None:
    before = digest(tracker)
    result = invoke("mark", tracker, "Globex", "check-in", "--today", TODAY)
    assert result.exit_code == 2
    assert "'Globex' matches 2 rows: row 4 Globex (Ana Ruiz, interview 2026-11-02)" in result.output
    assert "row 5 Globex" in result.output and "give the row number" in result.output
    assert digest(tracker) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Initech", "check-in"], "no row's company is 'Initech'"),
        (["40", "check-in"], "row 40 is not an interview row (those are rows 2-5)"),
        (["2", "follow-up"], "unknown step 'follow-up': use one of thank-you, check-in"),
        (["2", "check-in", "--date", "2026-11-24"], "2026-11-24 is after today (2026-11-23)"),
    ],
)
def test_a_request_that_names_nothing_is_refused(
    tracker: Path, args: list[str], message: str
) -> None:
    before = digest(tracker)
    result = invoke("mark", tracker, *args, "--today", TODAY)
    assert result.exit_code == 2 and message in result.output
    assert digest(tracker) == before


def test_a_filled_cell_is_kept_unless_forced(tracker: Path) -> None:
    before = digest(tracker)
    result = invoke("mark", tracker, "2", "thank-you", "--today", TODAY)
    assert result.exit_code == 1
    assert "Thank-You Sent not written: already holds '2026-11-12'" in result.output
    assert "--force" in result.output and digest(tracker) == before
    result = invoke("mark", tracker, "2", "thank-you", "--force", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert cell(tracker, 2, "Thank-You Sent") == datetime(2026, 11, 23)


def test_the_same_mark_twice_changes_nothing(tracker: Path) -> None:
    assert invoke("mark", tracker, "2", "check-in", "--today", TODAY).exit_code == 0
    written = digest(tracker)
    result = invoke("mark", tracker, "2", "check-in", "--today", TODAY)
    assert result.exit_code == 0 and "already 2026-11-23" in result.output
    assert digest(tracker) == written


def test_an_outcome_is_recorded_and_the_row_decided_again(tracker: Path) -> None:
    result = invoke("mark", tracker, "Acme", "--outcome", "Rejected", "--force", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert cell(tracker, 3, "Outcome") == "Rejected"
    assert "row 3 is now Closed" in result.output


def test_dry_run_shows_the_cells_and_writes_nothing(tracker: Path) -> None:
    before = digest(tracker)
    result = invoke("mark", tracker, "2", "check-in", "--dry-run", "--today", TODAY)
    assert result.exit_code == 0
    assert "Check-In Sent: (empty) -> 2026-11-23" in result.output
    assert "dry run: nothing written" in result.output
    assert digest(tracker) == before
    assert not (tracker.parent / "followup-backups").exists()


def test_a_tracker_open_in_excel_is_not_touched(tracker: Path) -> None:
    (tracker.parent / f"~${tracker.name}").write_text("owner")
    before = digest(tracker)
    result = invoke("mark", tracker, "2", "check-in", "--today", TODAY)
    assert result.exit_code == 2 and "is open in Excel" in result.output
    assert digest(tracker) == before


def test_drafted_marks_every_step_drafted_that_day(tracker: Path) -> None:
    run = invoke("run", tracker, "--today", TODAY)
    assert run.exit_code == 0, run.output
    result = invoke("mark", tracker, "--drafted", TODAY, "--today", TODAY)
    assert result.exit_code == 0, result.output
    # row 2's check-in and row 3's thank-you were drafted on the 23rd, and row 5's thank-you
    assert cell(tracker, 2, "Check-In Sent") == datetime(2026, 11, 23)
    assert cell(tracker, 3, "Thank-You Sent") == datetime(2026, 11, 23)
    assert "row 2 is now Waiting" in result.output and "row 3 is now Waiting" in result.output
    # marking the same day again finds nothing left to do
    again = invoke("mark", tracker, "--drafted", TODAY, "--today", TODAY)
    assert again.exit_code == 0 and "no changes to the workbook" in again.output


def test_drafted_skips_a_row_that_moved_since(tracker: Path) -> None:
    assert invoke("run", tracker, "--today", TODAY).exit_code == 0
    # A new interview typed in above the others: every row moves down by one.
    moved = [["Sam Lee", "Initech", "Al Bo", "al@initech.example", date(2026, 11, 1)], *ROWS]
    build_tracker(tracker, HEADER, moved)
    result = invoke("mark", tracker, "--drafted", TODAY, "--today", TODAY)
    assert "row 2: no longer the row of draft sam-lee-northgate-check-in" in result.output
    assert cell(tracker, 2, "Check-In Sent") is None  # Initech was not marked


def test_drafted_with_no_drafts_that_day_says_so(tracker: Path) -> None:
    result = invoke("mark", tracker, "--drafted", "2026-11-01", "--today", TODAY)
    assert result.exit_code == 2 and "no drafts of 2026-11-01 for this tracker" in result.output


def test_a_missing_column_is_added_losslessly(tmp_path: Path) -> None:
    tracker = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date", "Notes"],
        [["Acme", date(2026, 11, 12), "kept"], ["Globex", date(2026, 11, 13), "also kept"]],
    )
    before = openpyxl_values(tracker, "Tracker")
    dry = invoke("mark", tracker, "Acme", "thank-you", "--dry-run", "--today", TODAY)
    assert dry.exit_code == 0, dry.output
    assert "would add the column Thank-You Sent (D)" in dry.output
    assert openpyxl_values(tracker, "Tracker") == before
    result = invoke("mark", tracker, "Acme", "thank-you", "--date", "2026-11-12", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "added the column Thank-You Sent (D)" in result.output
    assert "Thank-You Sent: (empty) -> 2026-11-12" in result.output
    assert cell(tracker, 1, "Thank-You Sent") == "Thank-You Sent"
    assert cell(tracker, 2, "Thank-You Sent") == datetime(2026, 11, 12)
    after = openpyxl_values(tracker, "Tracker")
    assert {key: value for key, value in after.items() if key[1] != 4} == before
    # the next mark finds the column there
    again = invoke("mark", tracker, "Globex", "thank-you", "--date", "2026-11-13", "--today", TODAY)
    assert again.exit_code == 0 and "added the column" not in again.output


@pytest.mark.parametrize(
    "args",
    [["2"], ["--drafted", TODAY, "2", "check-in"], []],
)
def test_usage_errors(tracker: Path, args: list[str]) -> None:
    result = invoke("mark", tracker, *args)
    assert result.exit_code == 2 and "Usage" in result.output


def test_a_neighbour_whose_decision_follows_is_reported(tmp_path: Path) -> None:
    # Rows 2 and 3 write to the same person: one message a day, so one of them waits.
    rows = [list(row) for row in ROWS[:2]]
    rows[1][2:4] = ["Pat Kim", "pat@northgate.example"]
    tracker = build_tracker(tmp_path / "same-contact.xlsx", HEADER, rows)
    result = invoke("mark", tracker, "2", "check-in", "--dry-run", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "row 2 is now Waiting" in result.output
    assert "row 3 is now Due: Interview Mon 23 Nov" in result.output


def test_the_check_in_after_their_reply_goes_in_reminder_sent(tmp_path: Path) -> None:
    # Globex round 1: a check-in on 9 Nov, their reply on 10 Nov ("still deciding").
    rows = [[*ROWS[2][:8], date(2026, 11, 10), "Interviewing"]]
    tracker = build_tracker(tmp_path / "replied.xlsx", HEADER, rows)
    result = invoke("mark", tracker, "Globex", "check-in", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "Reminder Sent: (empty) -> 2026-11-23" in result.output
    assert cell(tracker, 2, "Check-In Sent") == datetime(2026, 11, 9)  # kept
    assert cell(tracker, 2, "Reminder Sent") == datetime(2026, 11, 23)
    assert "row 2 is now Waiting: Reply received Tue 10 Nov and a check-in sent Mon 23 Nov" in (
        result.output
    )
    # the check-in before the reply, marked again, is that same cell: nothing to do
    again = invoke("mark", tracker, "Globex", "check-in", "--date", "2026-11-09", "--today", TODAY)
    assert again.exit_code == 0 and "Check-In Sent already 2026-11-09" in again.output
