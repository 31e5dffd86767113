"""The committed sample tracker: what the README demo shows on Mon 2026-11-23.

The expected table was worked out by hand from SPEC section 4 (balanced policy, no holidays);
each row of the sample shows one rule, named in the comment beside it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from batch.model import OWNED_COLUMNS, Decision, Status, Step, Tracker
from batch.policy import Policy
from batch.rules import decide
from batch.tracker import read_tracker

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_tracker.xlsx"
SCRIPT = ROOT / "scripts" / "make_sample.py"
DEMO_DAY = date(2026, 11, 23)  # a Monday

D = date
# (row as Excel shows it, status, step, Follow-up Due)
EXPECTED: list[tuple[int, Status, Step | None, date | None]] = [
    # Upcoming: interview Wed 25 Nov.
    (4, Status.UPCOMING, Step.THANK_YOU, D(2026, 11, 25)),
    # Thank-you within 24 hours: interview this morning (a date-time cell).
    (5, Status.DUE, Step.THANK_YOU, D(2026, 11, 23)),
    # Thank-you not sent after Thu 19 Nov's interview.
    (6, Status.OVERDUE, Step.THANK_YOU, D(2026, 11, 19)),
    # Employer said Fri 20 Nov (typed as text): check in the next business day, Mon 23 Nov.
    (7, Status.DUE, Step.CHECK_IN, D(2026, 11, 23)),
    # SPEC worked example: thank-you Thu 12 Nov + 5 business days = Thu 19 Nov.
    (8, Status.OVERDUE, Step.CHECK_IN, D(2026, 11, 19)),
    # They will contact, no date: thank-you Tue 17 Nov + 10 business days = Tue 1 Dec.
    (9, Status.WAITING, Step.CHECK_IN, D(2026, 12, 1)),
    # They will contact by Wed 25 Nov: check in the next business day, Thu 26 Nov.
    (10, Status.WAITING, Step.CHECK_IN, D(2026, 11, 26)),
    # Reply Tue 10 Nov after the check-in of Mon 9 Nov: + 10 business days = Tue 24 Nov.
    (11, Status.WAITING, Step.CHECK_IN, D(2026, 11, 24)),
    # Check-in Mon 16 Nov + 5 business days = Mon 23 Nov.
    (12, Status.DUE, Step.REMINDER, D(2026, 11, 23)),
    # Reminder Thu 19 Nov: nothing left to send; move on from Thu 26 Nov.
    (13, Status.WAITING, None, D(2026, 11, 26)),
    # Reminder Mon 2 Nov: move-on day Mon 9 Nov has passed.
    (14, Status.MOVE_ON, None, None),
    # Check-in was due Mon 12 Oct, 42 days ago (more than 30): stale.
    (15, Status.MOVE_ON, None, None),
    # Outcomes Offer, Rejected, Withdrawn.
    (16, Status.CLOSED, None, None),
    (17, Status.CLOSED, None, None),
    (18, Status.CLOSED, None, None),
    # Applied, no interview date.
    (19, Status.NO_INTERVIEW, None, None),
    # Thank-you Sun 8 Nov, before the interview of Wed 18 Nov.
    (20, Status.NEEDS_ATTENTION, None, None),
    # Interview Date "next Tuesday".
    (21, Status.NEEDS_ATTENTION, None, None),
]


@pytest.fixture(scope="module")
def tracker() -> Tracker:
    return read_tracker(SAMPLE)


@pytest.fixture(scope="module")
def decisions(tracker: Tracker) -> dict[int, Decision]:
    return {row.row: decide(row, DEMO_DAY, Policy()) for row in tracker.rows}


def test_table_is_found_under_the_title(tracker: Tracker) -> None:
    assert tracker.sheet_name == "Interviews"
    assert tracker.header_row == 3
    # Empty as committed; filled in place once the README's demo has run.
    assert set(tracker.owned_columns) in (set(), set(OWNED_COLUMNS))
    # Pre-formatted empty rows below the data are not rows.
    assert [row.row for row in tracker.rows] == [row for row, *_ in EXPECTED]


@pytest.mark.parametrize(("row", "status", "step", "due"), EXPECTED)
def test_each_row_on_the_demo_day(
    decisions: dict[int, Decision],
    row: int,
    status: Status,
    step: Step | None,
    due: date | None,
) -> None:
    decision = decisions[row]
    assert (decision.status, decision.step, decision.due) == (status, step, due), decision.reason


def test_every_status_of_the_spec_appears(decisions: dict[int, Decision]) -> None:
    assert {decision.status for decision in decisions.values()} == set(Status)


def test_every_step_appears_due_or_overdue(decisions: dict[int, Decision]) -> None:
    drafted = {
        (decision.step, decision.status)
        for decision in decisions.values()
        if decision.status in {Status.DUE, Status.OVERDUE}
    }
    # No row of the sample is a thank-you more than three business days late, the one case
    # that makes a "Thank-you and check-in" (tests/test_rules.py covers it).
    assert {step for step, _ in drafted} == set(Step) - {Step.THANK_YOU_AND_CHECK_IN}


def test_closed_rows_name_each_kind_of_outcome(decisions: dict[int, Decision]) -> None:
    reasons = [decisions[row].reason.lower() for row in (16, 17, 18)]
    for kind, reason in zip(("offer", "rejected", "withdrawn"), reasons, strict=True):
        assert kind in reason


def test_stale_step_says_why_it_moved_on(decisions: dict[int, Decision]) -> None:
    assert "30" in decisions[15].reason


def test_due_and_overdue_rows_with_a_phone_get_voicemail_scripts(
    tracker: Tracker, decisions: dict[int, Decision]
) -> None:
    with_phone = {
        decisions[row.row].status
        for row in tracker.rows
        if row.contact_phone and decisions[row.row].status in {Status.DUE, Status.OVERDUE}
    }
    assert with_phone == {Status.DUE, Status.OVERDUE}


def test_a_due_row_with_empty_key_points_is_warned_not_blocked(
    tracker: Tracker, decisions: dict[int, Decision]
) -> None:
    row = next(row for row in tracker.rows if row.row == 5)
    assert row.key_points is None
    decision = decisions[5]
    assert decision.status is Status.DUE
    assert any(
        problem.column == "Key Points" and problem.severity == "warning"
        for problem in decision.problems
    )


def test_needs_attention_rows_name_the_bad_column(
    tracker: Tracker, decisions: dict[int, Decision]
) -> None:
    rows = {row.row: row for row in tracker.rows}
    thank_you_problems = [*rows[20].problems, *decisions[20].problems]
    assert any(problem.column == "Thank-You Sent" for problem in thank_you_problems)
    interview_problems = [*rows[21].problems, *decisions[21].problems]
    assert any(problem.column == "Interview Date" for problem in interview_problems)


def test_values_the_reader_must_get_right(tracker: Tracker) -> None:
    rows = {row.row: row for row in tracker.rows}
    assert rows[7].reply_expected_by == D(2026, 11, 20)  # typed as text "20 Nov 2026"
    assert rows[5].interview_date == D(2026, 11, 23)  # a date-time cell
    assert rows[8].contact_email == "sam.ortiz@example.com"  # "Sam Ortiz - sam.ortiz@..."
    assert rows[9].they_will_contact is True
    assert rows[7].they_will_contact is False
    assert {row.candidate for row in tracker.rows} == {"Alex Morgan", "Priya Shah"}


def _cell_values(path: Path) -> dict[str, list[list[object]]]:
    """Every cell the user typed: the Follow-up columns are left out, because the README's
    demo (`followup run sample_tracker.xlsx`) fills them in the committed file."""
    workbook = openpyxl.load_workbook(path)
    values: dict[str, list[list[object]]] = {}
    for sheet in workbook.worksheets:
        owned = {
            cell.column
            for row in sheet.iter_rows(max_row=20)
            for cell in row
            if isinstance(cell.value, str) and cell.value.startswith("Follow-up ")
        }
        values[sheet.title] = [
            [cell.value for cell in row if cell.column not in owned] for row in sheet.iter_rows()
        ]
        while values[sheet.title] and not any(v is not None for v in values[sheet.title][-1]):
            values[sheet.title].pop()
    return values


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fresh = tmp_path_factory.mktemp("sample") / "sample.xlsx"
    subprocess.run([sys.executable, str(SCRIPT), str(fresh)], check=True, capture_output=True)
    return fresh


def test_committed_sample_matches_its_script(regenerated: Path) -> None:
    assert _cell_values(regenerated) == _cell_values(SAMPLE), (
        "sample_tracker.xlsx is out of date: run `python scripts/make_sample.py`"
    )


def test_script_output_has_no_timestamps_of_its_own(regenerated: Path) -> None:
    # Same bytes on every run: every zip entry and the document properties carry a fixed time.
    with zipfile.ZipFile(regenerated) as package:
        assert {info.date_time for info in package.infolist()} == {(2026, 11, 1, 9, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    assert core.count("2026-11-01T09:00:00Z") == 2  # created and modified
