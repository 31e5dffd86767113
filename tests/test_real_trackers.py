"""Trackers as people keep them, read with no followup.toml.

Each fixture copies the header spellings and layout of a public job-application tracker on
GitHub (named in its comment; the files themselves are not copied here), with made-up rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from tracker_helpers import build_tracker
from workbook_helpers import calamine_values

from batch.cli import main
from batch.model import OWNED_COLUMNS, Status, Tracker
from batch.policy import Policy
from batch.rules import decide
from batch.tracker import read_tracker

D = date
TODAY = date(2026, 11, 23)


def mapped(tracker: Tracker) -> dict[str, str]:
    return {name: header for name, (header, _) in tracker.columns.items()}


def codes(tracker: Tracker) -> list[str]:
    return [warning.code for warning in tracker.warnings]


def test_an_applications_log_is_read_and_pointed_at_adopt(tmp_path: Path) -> None:
    # Arturo1255/JobApplicationTracker: Company, Role, Status, Date Applied, Last Updated.
    path = build_tracker(
        tmp_path / "log.xlsx",
        ["Company", "Role", "Status", "Date Applied", "Last Updated"],
        [["Acme", "QA Engineer", "Applied", D(2026, 8, 15), D(2026, 8, 15)]],
    )
    tracker = read_tracker(path)
    assert tracker.applications_log
    assert mapped(tracker) == {
        "company": "Company",
        "role": "Role",
        "outcome": "Status",
        "applied_date": "Date Applied",
    }
    assert tracker.rows[0].applied_date == D(2026, 8, 15)
    result = CliRunner().invoke(main, ["check", str(path), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "looks like an applications log: no Interview Date column; run followup adopt" in (
        result.output
    )
    assert "'Last Updated' (nearest field: Date Applied)" in result.output


def test_a_titled_tracker_with_a_legend_under_it(tmp_path: Path) -> None:
    # Sri-Vaishnavi-1988/excel-resources: a title row, the header on row 3, "Follow-up Date"
    # beside "Interview Date", and a status legend under the data after empty rows.
    header = ["#", "Company", "Job Title", "Location", "Source", "Applied Date", "Status"]
    header += ["Recruiter Name", "Recruiter Email", "Interview Date", "Interview Round"]
    header += ["Salary Range", "Follow-up Date", "Notes"]
    first: list[object] = [1, "Acme", "Analyst", "Remote", "LinkedIn", "2026-11-01"]
    first += ["Interview", "Jo Park", "jo@acme.com", D(2026, 11, 12), "1", "", D(2026, 11, 20)]
    rows: list[list[object]] = [
        first,
        [2, "Globex", "Analyst", "Remote", "Referral", "2026-11-02", "Applied"],
    ]
    rows += [[], [], []]
    rows += [["  Applied", "", "", "  Phone Screen", "", "", "  Tech Interview 1"]]
    rows += [["  Tech Interview 2", "", "", "  Offer", "", "", "  Withdrawn"]]
    path = build_tracker(tmp_path / "t.xlsx", header, rows, title_rows=["Job Application Tracker"])
    tracker = read_tracker(path)
    assert tracker.header_row == 2
    assert [row.row for row in tracker.rows] == [3, 4]
    assert "rows-after-table" in codes(tracker)
    assert mapped(tracker)["planned_follow_up"] == "Follow-up Date"
    assert "reply_expected_by" not in tracker.columns
    decision = decide(tracker.rows[0], TODAY, Policy())
    assert decision.due != D(2026, 11, 20)
    assert "Your Follow-up Date: Fri 20 Nov." in decision.reason


def test_a_legend_in_the_status_column_right_under_the_data(tmp_path: Path) -> None:
    header = ["Company", "Role", "Interview Date", "Status", "Contact"]
    rows: list[list[object]] = [
        ["Acme", "Analyst", D(2026, 11, 12), "Interviewing", "Jo"],
        ["Globex", "Engineer", D(2026, 11, 13), "Interviewing", "Sam"],
        ["", "", "", "Tech Interview 2", ""],
        ["", "", "", "Withdrawn", ""],
    ]
    tracker = read_tracker(build_tracker(tmp_path / "t.xlsx", header, rows))
    assert [row.company for row in tracker.rows] == ["Acme", "Globex"]
    [skipped] = [w for w in tracker.warnings if w.code == "one-cell-rows"]
    assert skipped.message.startswith("rows 4-5 skipped")


def test_status_and_contact_headers_from_public_trackers(tmp_path: Path) -> None:
    # nihalua/job-application-tracker: "Expected Response Date" is the employer's date and
    # "Follow-up Date" the user's plan; "Recruiter/Contact Name".
    header = ["Company Name", "Job Title", "Application Date", "Status"]
    header += ["Expected Response Date", "Follow-up Needed?", "Follow-up Date"]
    header += ["Recruiter/Contact Name", "Contact Email", "Contact Phone", "Interview Day"]
    row = ["Tech Co", "Engineer", "05/15/2026", "Interview", "11/20/2026", "Yes"]
    row += ["11/18/2026", "John Smith", "john@tech.example", "(555) 123-4567", "11/12/2026"]
    tracker = read_tracker(build_tracker(tmp_path / "t.xlsx", header, [row]))
    assert mapped(tracker) == {
        "company": "Company Name",
        "role": "Job Title",
        "applied_date": "Application Date",
        "outcome": "Status",
        "reply_expected_by": "Expected Response Date",
        "planned_follow_up": "Follow-up Date",
        "contact_name": "Recruiter/Contact Name",
        "contact_email": "Contact Email",
        "contact_phone": "Contact Phone",
        "interview_date": "Interview Day",
    }
    [row_read] = tracker.rows
    assert (row_read.reply_expected_by, row_read.planned_follow_up) == (
        D(2026, 11, 20),
        D(2026, 11, 18),
    )


def test_a_combined_contact_column_and_a_contact_person(tmp_path: Path) -> None:
    # vish1108/job_tracking: "Contact Person", "Contact Email/Phone", "Follow Up Date".
    header = ["Company Name", "Date", "Job Title", "Application Status", "Contact Person"]
    header += ["Contact Email/Phone", "Location", "Source", "Follow Up Date", "Notes"]
    row = ["Google", D(2024, 8, 5), "SDE", "under process", "Vinod", "vinod@x.example / 8080178719"]
    tracker = read_tracker(build_tracker(tmp_path / "t.xlsx", header, [row]))
    [read] = tracker.rows
    assert (read.contact_name, read.contact_email, read.contact_phone) == (
        "Vinod",
        "vinod@x.example",
        "8080178719",
    )
    assert read.applied_date == D(2024, 8, 5)
    assert tracker.applications_log


def test_a_contact_column_of_email_addresses_gives_the_email(tmp_path: Path) -> None:
    header = ["Company", "Interview Date", "Contact", "Status"]
    rows = [
        ["Acme", D(2026, 11, 12), "jo@acme.example", "Interviewing"],
        ["Globex", D(2026, 11, 13), "sam@globex.example", "Interviewing"],
        ["Initech", D(2026, 11, 14), "Pat (HR)", "Interviewing"],
    ]
    tracker = read_tracker(build_tracker(tmp_path / "t.xlsx", header, rows))
    assert "contact_name" not in tracker.columns
    assert tracker.rows[0].contact_email == "jo@acme.example"
    [note] = [w for w in tracker.warnings if w.code == "emails-in-name-column"]
    assert note.message == "column 'Contact' holds email addresses: read as the contact's email"


def test_an_interview_column_of_yes_and_no_is_not_dates(tmp_path: Path) -> None:
    # Madhumitha5900/Job_Application_Tracker: "Interview" holds No/Yes; "Response Date" holds
    # dates or "No Response".
    header = ["Job Title", "Company name", "Source", "Applied Date", "Response Date"]
    header += ["Time Period", "Interview", "Status"]
    rows = [
        ["Analyst", f"Co {n}", "LinkedIn", D(2024, 3, 28), "No Response", 5, "No", "Rejected"]
        for n in range(6)
    ]
    tracker = read_tracker(build_tracker(tmp_path / "t.xlsx", header, rows))
    assert "interview_date" not in tracker.columns
    assert tracker.applications_log
    assert "not-dates" in codes(tracker)
    assert all(not row.problems and row.reply_date is None for row in tracker.rows)


def test_a_misspelt_thank_you_column_is_read_and_reported(tmp_path: Path) -> None:
    header = ["Company", "Interview Date", "Thank You Snet"]
    tracker = read_tracker(
        build_tracker(tmp_path / "t.xlsx", header, [["Acme", D(2026, 11, 12), D(2026, 11, 12)]])
    )
    assert tracker.rows[0].thank_you_sent == D(2026, 11, 12)
    [typo] = [w for w in tracker.warnings if w.code == "header-typo"]
    assert typo.message == "read 'Thank You Snet' as Thank-You Sent"
    assert decide(tracker.rows[0], TODAY, Policy()).step is not None
    assert decide(tracker.rows[0], TODAY, Policy()).step.value == "Check-in"  # type: ignore[union-attr]


def test_headers_with_trailing_spaces_under_a_banner(tmp_path: Path) -> None:
    # JupyterNomad/Excel_Sheets: a banner, then the header on row 8, "Date Applied ".
    header = ["", "Role", "Date Applied ", "Company ", "Salary ", "Contact", "Response Date"]
    header += ["Result", "Additional Notes"]
    path = build_tracker(
        tmp_path / "t.xlsx",
        header,
        [["", "Analyst", D(2026, 10, 1), "Acme", "", "Jo", "", "Applied"]],
        title_rows=["", "", "        Job Tracker", "", "", "", ""],
    )
    tracker = read_tracker(path)
    assert tracker.header_row == 8
    assert mapped(tracker)["company"] == "Company"
    assert tracker.rows[0].applied_date == D(2026, 10, 1)


@pytest.mark.parametrize(
    ("outcome", "needs_date"),
    [("Interviewed", True), ("2nd interview", True), ("Phone screen", True), ("Applied", False)],
)
def test_a_status_saying_interview_without_a_date_needs_attention(
    tmp_path: Path, outcome: str, needs_date: bool
) -> None:
    header = ["Company", "Status", "Interview Date"]
    tracker = read_tracker(build_tracker(tmp_path / "t.xlsx", header, [["Acme", outcome, ""]]))
    decision = decide(tracker.rows[0], TODAY, Policy())
    if needs_date:
        assert decision.status is Status.NEEDS_ATTENTION
        assert decision.reason.startswith("Needs attention: add the interview date")
    else:
        assert decision.status is Status.NO_INTERVIEW


def test_a_log_without_an_interview_column_does_not_ask_for_dates(tmp_path: Path) -> None:
    tracker = read_tracker(
        build_tracker(tmp_path / "t.xlsx", ["Company", "Status"], [["Acme", "Interviewed"]])
    )
    assert decide(tracker.rows[0], TODAY, Policy()).status is Status.NO_INTERVIEW


@pytest.mark.parametrize(
    "text",
    ["Wed, 22 May 2024 21:37:00 -0700 (PDT)", "Wed, 22 May 2024 21:37:00 +0000 (UTC)"],
)
def test_dates_copied_from_email_headers(text: str) -> None:
    # aamarnath1/Job-Tracker-Email-Crawler and supraja777/Job-Application-Automation fill
    # their Date column from the emails' Date header.
    from batch.values import parse_date

    assert parse_date(text) == D(2024, 5, 22)


def test_a_bilingual_header_says_it_in_brackets(tmp_path: Path) -> None:
    # Esther080310/One-Stop-Resume-Copilot: "公司 (Company)", "投递时间 (Apply Date)".
    header = ["公司 (Company)", "岗位 (Role)", "投递时间 (Apply Date)", "当前状态 (Current Status)"]
    tracker = read_tracker(
        build_tracker(tmp_path / "t.xlsx", header, [["示例公司", "分析师", "2026-03-01", "已投递"]])
    )
    assert mapped(tracker) == {
        "company": "公司 (Company)",
        "role": "岗位 (Role)",
        "applied_date": "投递时间 (Apply Date)",
        "outcome": "当前状态 (Current Status)",
    }


def test_a_legend_row_loses_what_an_earlier_run_wrote_there(tmp_path: Path) -> None:
    # An earlier version took a legend row for a tracker row and wrote "Needs attention".
    header = ["Company", "Role", "Interview Date", "Status", *OWNED_COLUMNS]
    rows: list[list[object]] = [
        ["Acme", "Analyst", D(2026, 11, 12), "Interviewing"],
        ["Globex", "Engineer", D(2026, 11, 13), "Interviewing"],
        ["", "", "", "Withdrawn", "Needs attention", "", "", "Needs attention: fill in"],
    ]
    path = build_tracker(tmp_path / "t.xlsx", header, rows)
    result = CliRunner().invoke(main, ["run", str(path), "--today", TODAY.isoformat()])
    assert result.exit_code in (0, 1), result.output  # 1: the drafts have no signer
    values = calamine_values(path.read_bytes(), "Tracker")
    assert values[(4, 4)] == "Withdrawn"
    assert (4, 5) not in values and (4, 8) not in values
    assert values[(2, 5)] in {"Overdue", "Due", "Waiting"}
