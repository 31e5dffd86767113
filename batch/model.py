"""The values that flow through a run: a tracker row, its problems, the decision for it.

Data flows one way (read -> decide -> write back + drafts -> report); these frozen
dataclasses are what one stage hands to the next. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal

from batch.values import DateOrderFinding

Severity = Literal["error", "warning"]


def counted(count: int, noun: str) -> str:
    """ "1 day", "3 days": a count with its noun, for reasons, the summary and the review page."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class FileProblem(Exception):
    """Something that stops a whole tracker (exit 2). The message is one line for the user."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message


@dataclass(frozen=True)
class RowProblem:
    """Something wrong or missing in one row, as a value (never an exception).

    `row` is the row number as Excel shows it; `column` is the header as the user wrote it
    ("" when the problem is not about one column). An "error" makes the row Needs attention;
    a "warning" is reported but does not block the row's follow-up.
    """

    row: int
    column: str
    code: str
    message: str
    severity: Severity = "error"

    @property
    def text(self) -> str:
        """As the user reads it (Follow-up Problems, the review page, a reason): the column in
        the user's words, then the message."""
        return f"{self.column}: {self.message}" if self.column else self.message


class Status(StrEnum):
    UPCOMING = "Upcoming"
    DUE = "Due"
    OVERDUE = "Overdue"
    WAITING = "Waiting"
    MOVE_ON = "Move on"
    CLOSED = "Closed"
    NEEDS_ATTENTION = "Needs attention"
    NO_INTERVIEW = "No interview"


# Which rows get which output (SPEC section 5), answered here once for the runner, the drafts,
# the calendar and the review page:
# - drafts today: a Due or Overdue row with a step;
DRAFTED_STATUSES: frozenset[Status] = frozenset({Status.DUE, Status.OVERDUE})
# - a calendar event: an open row with a step, due from the run date to the window's end
#   (overdue steps are past that start, so they are in the drafts and on the review page);
CALENDAR_STATUSES: frozenset[Status] = frozenset(
    {Status.UPCOMING, Status.DUE, Status.OVERDUE, Status.WAITING}
)
# - the review page: every row with a draft, and besides those the rows of these statuses
#   (open rows are listed, not counted; upcoming ones only for the next days, see review.py).
REVIEW_STATUSES: frozenset[Status] = frozenset(
    {Status.NEEDS_ATTENTION, Status.UPCOMING, Status.WAITING, Status.MOVE_ON}
)
# Rows of the other statuses (Closed, No interview) get none of the three.
REPORTED_STATUSES: frozenset[Status] = DRAFTED_STATUSES | CALENDAR_STATUSES | REVIEW_STATUSES


class Step(StrEnum):
    THANK_YOU = "Thank-you"
    # A thank-you that is too late to send alone: one message that thanks them and checks in.
    THANK_YOU_AND_CHECK_IN = "Thank-you and check-in"
    CHECK_IN = "Check-in"
    REMINDER = "Reminder"


class OutcomeClass(StrEnum):
    """What the Outcome cell says about the application, as a person would read it."""

    OFFER = "offer"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    GHOSTED = "ghosted"
    CLOSED = "closed"  # closed without saying how
    PAUSED = "paused"  # on hold, hiring freeze: one gentle check-in, no reminder
    IN_PROGRESS = "in_progress"  # still open: the rules apply

    @property
    def closes(self) -> bool:
        """True for the outcomes that end the follow-up (the row becomes Closed)."""
        return self not in (OutcomeClass.PAUSED, OutcomeClass.IN_PROGRESS)


@dataclass(frozen=True)
class TrackerRow:
    """One interview row, with its values already parsed.

    A field is None when the cell is empty or could not be read; an unreadable value also
    leaves an "error" RowProblem in `problems` naming the cell, so the rules can tell
    "missing" from "unreadable".
    """

    row: int
    company: str | None = None
    candidate: str | None = None
    role: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    applied_date: date | None = None
    interview_date: date | None = None
    reply_expected_by: date | None = None
    # the day the user plans to follow up themselves (their "Follow-up Date" column); it is
    # shown beside the tool's due date, never taken for the employer's date
    planned_follow_up: date | None = None
    they_will_contact: bool | None = None
    thank_you_sent: date | None = None
    checkin_sent: date | None = None
    reminder_sent: date | None = None
    reply_date: date | None = None
    outcome: str | None = None
    key_points: str | None = None
    extra_info: str | None = None
    # The candidate's own email and phone, for the signature (coaches' multi-client trackers).
    candidate_email: str | None = None
    candidate_phone: str | None = None
    problems: tuple[RowProblem, ...] = ()
    # The header text the user wrote for each mapped field (field name -> header), so the
    # rules can name a column in the user's words in a problem or a reason.
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, field_name: str) -> str:
        """The user's header for a field, or the field's default header when not mapped."""
        for name, text in self.headers:
            if name == field_name:
                return text
        return DEFAULT_HEADERS.get(field_name, field_name)


@dataclass(frozen=True)
class Decision:
    """What the rules decided for one row.

    The fields after `problems` tell the drafts what the step is answering, so the wording
    can follow the situation rather than guess it from the reason sentence.
    """

    status: Status
    step: Step | None
    due: date | None
    reason: str
    problems: tuple[RowProblem, ...] = ()
    # The employer's own date ("Reply Expected By") that this step was timed by, or None when
    # there is none or it no longer applies (given before the latest reply, or before the
    # interview).
    employer_date: date | None = None
    # True when `employer_date` is before the run date: the employer's date went by without news.
    employer_date_passed: bool = False
    # The employer's latest reply when this step follows it (a check-in after "still deciding":
    # ask for their update, do not restart the conversation); None when no reply came after
    # the steps sent.
    reply_date: date | None = None
    # How the Outcome cell was read (IN_PROGRESS when blank or not understood).
    outcome: OutcomeClass = OutcomeClass.IN_PROGRESS


# The input fields of SPEC section 3, with the header `followup init` writes for each.
DEFAULT_HEADERS: dict[str, str] = {
    "candidate": "Candidate",
    "company": "Company",
    "role": "Role",
    "contact_name": "Contact",
    "contact_email": "Email",
    "contact_phone": "Phone",
    "applied_date": "Date Applied",
    "interview_date": "Interview Date",
    "reply_expected_by": "Reply Expected By",
    "planned_follow_up": "Planned Follow-up",
    "they_will_contact": "They Will Contact",
    "thank_you_sent": "Thank-You Sent",
    "checkin_sent": "Check-In Sent",
    "reminder_sent": "Reminder Sent",
    "reply_date": "Reply Received",
    "outcome": "Outcome",
    "key_points": "Key Points",
    "extra_info": "Extra Info",
    "candidate_email": "Candidate Email",
    "candidate_phone": "Candidate Phone",
}

# Every input field, in the order `followup init` lays the columns out (who and where, then
# the interview, then what happened after it, then notes).
INPUT_FIELDS: tuple[str, ...] = tuple(DEFAULT_HEADERS)

# Fields a coach's tracker of several candidates may have, which `followup init` leaves out:
# in a job seeker's own tracker, [sender] in followup.toml holds the same.
SIGNER_FIELDS: frozenset[str] = frozenset({"candidate_email", "candidate_phone"})

# The input fields that hold dates (read as dates, formatted as dates by `followup init`).
DATE_FIELDS: frozenset[str] = frozenset(
    {
        "applied_date",
        "interview_date",
        "reply_expected_by",
        "planned_follow_up",
        "thank_you_sent",
        "checkin_sent",
        "reminder_sent",
        "reply_date",
    }
)

# The owned columns, in the order they are created (SPEC section 3, "Owned columns").
OWNED_COLUMNS: tuple[str, ...] = (
    "Follow-up Status",
    "Follow-up Step",
    "Follow-up Due",
    "Follow-up Reason",
    "Follow-up Draft",
    "Follow-up Problems",
)


@dataclass(frozen=True)
class Tracker:
    """A tracker table found in a workbook, and its parsed rows."""

    path: Path
    sheet_name: str
    header_row: int  # as Excel shows it (1-based)
    # field name -> (header as the user wrote it, 1-based column index)
    columns: dict[str, tuple[str, int]]
    # owned column name -> 1-based column index, for the owned columns already in the sheet
    owned_columns: dict[str, int]
    # the last used column (1-based) of the header row and the data under it
    last_column: int
    date1904: bool
    rows: tuple[TrackerRow, ...]
    # row number -> owned column name -> the value in that cell now (str, date or None),
    # so a run can show old -> new and skip a write that would change nothing
    owned_values: dict[int, dict[str, str | date | None]] = field(default_factory=dict)
    # problems about the table as a whole that do not stop it (e.g. a duplicate header)
    warnings: tuple[RowProblem, ...] = ()
    # (header, how it was read) for each date column whose numeric text dates could be read
    # day first or month first (03/11/2026), so a run can say which order it used and why
    date_orders: tuple[tuple[str, DateOrderFinding], ...] = ()
    # headers the reader did not use: (1-based column, header as written, the nearest field
    # or None), for `followup check`
    unused_headers: tuple[tuple[int, str, str | None], ...] = ()
    # a Company column and a status or applied date, but no Interview Date column
    applications_log: bool = False
    # row number -> owned column name -> value, for rows that are not tracker rows (a legend
    # under the table) but hold the tool's values from an earlier run: a run clears them
    stale_owned: dict[int, dict[str, str | date | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sender:
    """Who signs the drafts: the row's Candidate, else `[sender]` in the config."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
