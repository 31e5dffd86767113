"""The follow-up rules of SPEC section 4: one table row per rule and edge, then the invariants."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch.model import Decision, OutcomeClass, RowProblem, Status, Step, TrackerRow
from batch.policy import PRESETS, Policy
from batch.rules import decide, format_day

BALANCED = PRESETS["balanced"]
PROMPT = PRESETS["prompt"]
PATIENT = PRESETS["patient"]
US = replace(BALANCED, holidays="US")


def d(text: str) -> date:
    return date.fromisoformat(text)


def make_row(**values: Any) -> TrackerRow:
    """A complete, healthy row (company, contact, key points); dates given as ISO text."""
    fields: dict[str, Any] = {
        "row": 2,
        "company": "Acme",
        "contact_name": "Jane Doe",
        "contact_email": "jane@acme.example",
        "key_points": "the data migration",
    }
    for name, value in values.items():
        fields[name] = d(value) if isinstance(value, str) and name.endswith(_DATE_FIELDS) else value
    return TrackerRow(**fields)


_DATE_FIELDS = ("_date", "_sent", "_by")


@dataclass(frozen=True)
class Case:
    id: str
    row: dict[str, Any]
    today: str
    status: Status
    step: Step | None = None
    due: str | None = None
    reason: tuple[str, ...] = ()  # fragments the reason must contain
    policy: Policy = BALANCED
    problem_codes: tuple[str, ...] = ()
    exact_reason: str | None = None


# The running example of these cases: an interview on Thu 12 Nov 2026.
INTERVIEWED = {"interview_date": "2026-11-12"}
THANKED = {**INTERVIEWED, "thank_you_sent": "2026-11-12"}

CASES = [
    # SPEC's worked example, word for word.
    Case(
        "worked example",
        THANKED,
        "2026-11-23",
        Status.OVERDUE,
        Step.CHECK_IN,
        "2026-11-19",
        exact_reason="Thank-you sent Thu 12 Nov; no date from the employer, so check in 5 "
        "business days later: Thu 19 Nov, 4 days late.",
    ),
    Case("check-in waiting", THANKED, "2026-11-18", Status.WAITING, Step.CHECK_IN, "2026-11-19"),
    Case(
        "check-in due", THANKED, "2026-11-19", Status.DUE, Step.CHECK_IN, "2026-11-19", ("today",)
    ),
    Case(
        "check-in 1 day late",
        THANKED,
        "2026-11-20",
        Status.OVERDUE,
        Step.CHECK_IN,
        "2026-11-19",
        ("Thu 19 Nov, 1 day late.",),
    ),
    # Due dates stepping over a weekend and a holiday.
    Case(
        "add_bd over a weekend",
        {**INTERVIEWED, "thank_you_sent": "2026-11-18"},
        "2026-11-19",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-25",
        ("Wed 18 Nov", "Wed 25 Nov"),
    ),
    Case(
        "employer date on a Friday: Monday",
        {**THANKED, "reply_expected_by": "2026-11-20"},
        "2026-11-23",
        Status.DUE,
        Step.CHECK_IN,
        "2026-11-23",
        ("the employer said Fri 20 Nov", "next business day: Mon 23 Nov"),
    ),
    Case(
        "employer date on a Saturday: Monday",
        {**THANKED, "reply_expected_by": "2026-11-21"},
        "2026-11-20",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-23",
    ),
    Case(
        "no holidays: Thanksgiving is a business day",
        {**INTERVIEWED, "thank_you_sent": "2026-11-19"},
        "2026-11-20",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-26",
    ),
    Case(
        "US holidays: Thanksgiving is skipped",
        {**INTERVIEWED, "thank_you_sent": "2026-11-19"},
        "2026-11-20",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-27",
        policy=US,
    ),
    Case(
        "US holidays: the day after an employer date is Thanksgiving",
        {**THANKED, "reply_expected_by": "2026-11-25"},
        "2026-11-20",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-27",
        policy=US,
    ),
    # Rule 5: Upcoming.
    Case(
        "upcoming",
        {"interview_date": "2026-11-30"},
        "2026-11-23",
        Status.UPCOMING,
        Step.THANK_YOU,
        "2026-11-30",
        ("Mon 30 Nov", "at the end of the interview ask when"),
    ),
    # Rule 6: the 24-hour thank-you boundary.
    Case(
        "thank-you on the day", INTERVIEWED, "2026-11-12", Status.DUE, Step.THANK_YOU, "2026-11-12"
    ),
    Case(
        "thank-you the next day",
        INTERVIEWED,
        "2026-11-13",
        Status.DUE,
        Step.THANK_YOU,
        "2026-11-12",
        ("within 24 hours", "Fri 13 Nov"),
    ),
    Case(
        "thank-you after 24 hours",
        INTERVIEWED,
        "2026-11-14",
        Status.OVERDUE,
        Step.THANK_YOU,
        "2026-11-12",
        ("2 days late",),
    ),
    Case(
        "thank-you 30 days late: thank them and check in",
        INTERVIEWED,
        "2026-12-12",
        Status.OVERDUE,
        Step.THANK_YOU_AND_CHECK_IN,
        "2026-11-18",
        ("24 days late",),
    ),
    Case(
        "thank-you and check-in stale",
        INTERVIEWED,
        "2026-12-19",
        Status.MOVE_ON,
        reason=("31 days late", "move on"),
    ),
    Case(
        "a reply does not replace the thank-you",
        {**INTERVIEWED, "reply_date": "2026-11-13"},
        "2026-11-13",
        Status.DUE,
        Step.THANK_YOU,
        "2026-11-12",
    ),
    # Rule 8: employer dates and "they will contact me".
    Case(
        "employer date",
        {**THANKED, "reply_expected_by": "2026-12-01"},
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-02",
        ("the employer said Tue 1 Dec",),
    ),
    Case(
        "they will contact, no date: hands off",
        {**THANKED, "they_will_contact": True},
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-26",
        ("they will contact you", "10 business days"),
    ),
    Case(
        "they will contact, no date: no reminder after the check-in",
        {**THANKED, "they_will_contact": True, "checkin_sent": "2026-11-26"},
        "2026-11-27",
        Status.WAITING,
        None,
        "2026-12-03",
        ("Check-in sent Thu 26 Nov", "move on"),
    ),
    Case(
        "they will contact with a date: the date wins",
        {**THANKED, "they_will_contact": True, "reply_expected_by": "2026-11-20"},
        "2026-11-20",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-23",
    ),
    Case(
        "they will contact with a date: no reminder follows",
        {
            **THANKED,
            "they_will_contact": True,
            "reply_expected_by": "2026-11-20",
            "checkin_sent": "2026-11-23",
        },
        "2026-11-24",
        Status.WAITING,
        None,
        "2026-11-30",
        ("move on",),
    ),
    Case(
        "they will not contact: the usual check-in",
        {**THANKED, "they_will_contact": False},
        "2026-11-19",
        Status.DUE,
        Step.CHECK_IN,
        "2026-11-19",
    ),
    Case(
        "employer date before the interview is ignored, with a warning",
        {**THANKED, "reply_expected_by": "2026-11-01"},
        "2026-11-19",
        Status.DUE,
        Step.CHECK_IN,
        "2026-11-19",
        problem_codes=("expected-before-interview",),
    ),
    # Rule 9: Reminder.
    Case(
        "reminder",
        {**THANKED, "checkin_sent": "2026-11-19"},
        "2026-11-26",
        Status.DUE,
        Step.REMINDER,
        "2026-11-26",
        ("Check-in sent Thu 19 Nov", "reminder 5 business days later: Thu 26 Nov"),
    ),
    Case(
        "reminder skips Thanksgiving",
        {**THANKED, "checkin_sent": "2026-11-19"},
        "2026-11-26",
        Status.WAITING,
        Step.REMINDER,
        "2026-11-27",
        policy=US,
    ),
    Case(
        "no reminder allowed: straight to the countdown",
        {**THANKED, "checkin_sent": "2026-11-19"},
        "2026-11-20",
        Status.WAITING,
        None,
        "2026-11-26",
        policy=replace(BALANCED, max_reminders=0),
    ),
    # Carrying on from the latest step sent when an earlier one is not recorded.
    Case(
        "check-in sent, thank-you not recorded: reminder next",
        {**INTERVIEWED, "checkin_sent": "2026-11-19"},
        "2026-11-20",
        Status.WAITING,
        Step.REMINDER,
        "2026-11-26",
    ),
    Case(
        "reminder sent, nothing before it recorded: countdown",
        {**INTERVIEWED, "reminder_sent": "2026-11-19"},
        "2026-11-20",
        Status.WAITING,
        None,
        "2026-11-26",
        ("Reminder sent Thu 19 Nov",),
    ),
    # Rule 7: after a reply, one check-in and no reminder.
    Case(
        "reply after the check-in: check in once 10 business days later",
        {**THANKED, "checkin_sent": "2026-11-19", "reply_date": "2026-11-20"},
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-04",
        ("Reply received Fri 20 Nov", "wait for their update", "10 business days: Fri 4 Dec"),
    ),
    Case(
        "reply with a new employer date",
        {
            **THANKED,
            "checkin_sent": "2026-11-19",
            "reply_date": "2026-11-20",
            "reply_expected_by": "2026-12-10",
        },
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-11",
        ("the employer said Thu 10 Dec",),
    ),
    Case(
        "reply overtakes an older employer date",
        {
            **THANKED,
            "reply_expected_by": "2026-11-16",
            "checkin_sent": "2026-11-17",
            "reply_date": "2026-11-20",
        },
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-04",
    ),
    Case(
        "reply after the thank-you only",
        {**THANKED, "reply_date": "2026-11-13"},
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-27",
    ),
    Case(
        "check-in after the reply: no reminder, wait for their update",
        {**THANKED, "checkin_sent": "2026-12-04", "reply_date": "2026-11-20"},
        "2026-12-07",
        Status.WAITING,
        None,
        "2026-12-11",
        ("waiting for their update",),
    ),
    Case(
        "a reminder from before the reply: still one check-in after it, then wait",
        {
            **THANKED,
            "reminder_sent": "2026-11-26",
            "reply_date": "2026-11-30",
            "checkin_sent": "2026-12-04",
        },
        "2026-12-07",
        Status.WAITING,
        None,
        "2026-12-11",
    ),
    # Rule 10: the move-on countdown.
    Case(
        "countdown: waiting",
        {**THANKED, "checkin_sent": "2026-11-19", "reminder_sent": "2026-11-26"},
        "2026-12-02",
        Status.WAITING,
        None,
        "2026-12-03",
        ("Reminder sent Thu 26 Nov", "by Thu 3 Dec", "move on"),
    ),
    Case(
        "countdown: move on from that day",
        {**THANKED, "checkin_sent": "2026-11-19", "reminder_sent": "2026-11-26"},
        "2026-12-03",
        Status.MOVE_ON,
        None,
        None,
        ("no reply by Thu 3 Dec",),
    ),
    Case(
        "countdown: still move on months later",
        {**THANKED, "checkin_sent": "2026-11-19", "reminder_sent": "2026-11-26"},
        "2027-04-01",
        Status.MOVE_ON,
        reason=("Thu 26 Nov 2026",),
    ),
    # The stale cut-off.
    Case(
        "check-in 30 days late is still overdue",
        THANKED,
        "2026-12-19",
        Status.OVERDUE,
        Step.CHECK_IN,
        "2026-11-19",
        ("30 days late",),
    ),
    Case(
        "check-in 31 days late: move on",
        THANKED,
        "2026-12-20",
        Status.MOVE_ON,
        None,
        None,
        ("31 days late", "more than 30 days", "move on"),
    ),
    Case(
        "stale_after_days can be changed",
        THANKED,
        "2027-01-11",
        Status.OVERDUE,
        Step.CHECK_IN,
        "2026-11-26",
        ("46 days late",),
        policy=replace(PATIENT, stale_after_days=46),
    ),
    # Each preset.
    Case(
        "prompt check-in",
        THANKED,
        "2026-11-13",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-16",
        (),
        PROMPT,
    ),
    Case(
        "patient check-in",
        THANKED,
        "2026-11-13",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-26",
        (),
        PATIENT,
    ),
    Case(
        "prompt reminder",
        {**THANKED, "checkin_sent": "2026-11-16"},
        "2026-11-17",
        Status.WAITING,
        Step.REMINDER,
        "2026-11-18",
        policy=PROMPT,
    ),
    Case(
        "patient reminder",
        {**THANKED, "checkin_sent": "2026-11-26"},
        "2026-11-27",
        Status.WAITING,
        Step.REMINDER,
        "2026-12-03",
        policy=PATIENT,
    ),
    Case(
        "prompt hands off",
        {**THANKED, "they_will_contact": True},
        "2026-11-13",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-19",
        policy=PROMPT,
    ),
    Case(
        "patient hands off",
        {**THANKED, "they_will_contact": True},
        "2026-11-13",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-03",
        policy=PATIENT,
    ),
    Case(
        "prompt after a reply",
        {**THANKED, "reply_date": "2026-11-16"},
        "2026-11-17",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-23",
        policy=PROMPT,
    ),
    Case(
        "prompt countdown",
        {**THANKED, "checkin_sent": "2026-11-16", "reminder_sent": "2026-11-18"},
        "2026-11-20",
        Status.WAITING,
        None,
        "2026-11-23",
        policy=PROMPT,
    ),
    Case(
        "patient countdown",
        {**THANKED, "checkin_sent": "2026-11-26", "reminder_sent": "2026-12-03"},
        "2026-12-04",
        Status.WAITING,
        None,
        "2026-12-17",
        policy=PATIENT,
    ),
    Case(
        "patient: 45 days late is still overdue",
        THANKED,
        "2027-01-10",
        Status.OVERDUE,
        Step.CHECK_IN,
        "2026-11-26",
        ("Thu 26 Nov 2026", "45 days late"),
        PATIENT,
    ),
    Case("patient: 46 days late, move on", THANKED, "2027-01-11", Status.MOVE_ON, policy=PATIENT),
    # Closed (rule 3), whatever else the row says.
    Case(
        "closed: rejected",
        {**THANKED, "outcome": "Rejected"},
        "2026-11-23",
        Status.CLOSED,
        reason=('"Rejected"', "Closed (rejected)"),
    ),
    Case(
        "closed: offer",
        {**INTERVIEWED, "outcome": "Offer accepted"},
        "2026-11-23",
        Status.CLOSED,
        reason=('"Offer accepted"', "Closed (accepted)"),
    ),
    Case(
        "closed: not selected",
        {**INTERVIEWED, "outcome": "Not selected"},
        "2026-11-23",
        Status.CLOSED,
    ),
    Case(
        "closed: position filled",
        {**INTERVIEWED, "outcome": "Position filled"},
        "2026-11-23",
        Status.CLOSED,
    ),
    Case("closed: withdrew", {**INTERVIEWED, "outcome": "withdrew"}, "2026-11-23", Status.CLOSED),
    Case(
        "closed: closed",
        {**INTERVIEWED, "outcome": "Closed"},
        "2026-11-23",
        Status.CLOSED,
        reason=("Closed:",),
    ),
    Case("closed without interview", {"outcome": "Rejected"}, "2026-11-23", Status.CLOSED),
    Case(
        "open outcome",
        {**THANKED, "outcome": "Next round"},
        "2026-11-19",
        Status.DUE,
        Step.CHECK_IN,
        "2026-11-19",
    ),
    # Rule 4: No interview.
    Case(
        "no interview",
        {"role": "Engineer"},
        "2026-11-23",
        Status.NO_INTERVIEW,
        reason=("Interview Date",),
    ),
    # Rule 2: Needs attention, each cause.
    Case(
        "company missing",
        {**THANKED, "company": None},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        problem_codes=("missing-company",),
    ),
    Case(
        "company blank",
        {**THANKED, "company": "   "},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        problem_codes=("missing-company",),
    ),
    Case(
        "thank-you sent in the future",
        {**INTERVIEWED, "thank_you_sent": "2026-11-24"},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        reason=("Thank-You Sent", "Tue 24 Nov", "later than today"),
        problem_codes=("date-in-future",),
    ),
    Case(
        "reply in the future",
        {**THANKED, "reply_date": "2026-12-01"},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        problem_codes=("date-in-future",),
    ),
    Case(
        "check-in before the interview",
        {**THANKED, "checkin_sent": "2026-11-10"},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        reason=("Check-In Sent", "before the interview"),
        problem_codes=("before-interview",),
    ),
    Case(
        "reminder before the interview",
        {**THANKED, "reminder_sent": "2026-11-11"},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        problem_codes=("before-interview",),
    ),
    Case(
        "reply before the interview",
        {**THANKED, "reply_date": "2026-11-11"},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        problem_codes=("before-interview",),
    ),
    Case(
        "sent dates for an interview still to come",
        {"interview_date": "2026-11-30", "thank_you_sent": "2026-11-20"},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        problem_codes=("before-interview",),
    ),
    Case(
        "needs attention beats closed",
        {**THANKED, "company": None, "outcome": "Rejected"},
        "2026-11-23",
        Status.NEEDS_ATTENTION,
        problem_codes=("missing-company",),
    ),
    # Warnings that do not block.
    Case(
        "no email and no key points: warnings",
        {**THANKED, "contact_email": None, "key_points": " "},
        "2026-11-19",
        Status.DUE,
        Step.CHECK_IN,
        "2026-11-19",
        problem_codes=("no-contact-email", "no-key-points"),
    ),
    Case(
        "upcoming: no key points is expected",
        {"interview_date": "2026-11-30", "contact_email": None},
        "2026-11-23",
        Status.UPCOMING,
        Step.THANK_YOU,
        "2026-11-30",
        problem_codes=("no-contact-email",),
    ),
    Case(
        "no step, no warnings",
        {**THANKED, "outcome": "Hired", "contact_email": None, "key_points": None},
        "2026-11-23",
        Status.CLOSED,
    ),
    # Dates from another year carry the year.
    Case(
        "year shown when it is not this year",
        {"interview_date": "2026-12-30", "thank_you_sent": "2026-12-30"},
        "2027-01-04",
        Status.WAITING,
        Step.CHECK_IN,
        "2027-01-06",
        ("Wed 30 Dec 2026", "Wed 6 Jan."),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rules(case: Case) -> None:
    decision = decide(make_row(**case.row), d(case.today), case.policy)
    assert (decision.status, decision.step, decision.due) == (
        case.status,
        case.step,
        d(case.due) if case.due else None,
    ), decision.reason
    for fragment in case.reason:
        assert fragment in decision.reason
    if case.exact_reason is not None:
        assert decision.reason == case.exact_reason
    assert tuple(p.code for p in decision.problems) == case.problem_codes
    # One plain sentence.
    assert decision.reason.endswith(".") and "\n" not in decision.reason


def test_reader_errors_make_the_row_need_attention() -> None:
    unreadable = RowProblem(2, "Interview Date", "unreadable-date", 'cannot read "soon" as a date')
    row = make_row(problems=(unreadable,))
    decision = decide(row, d("2026-11-23"), BALANCED)
    assert decision.status is Status.NEEDS_ATTENTION and decision.step is None
    assert 'Interview Date: cannot read "soon" as a date' in decision.reason
    assert decision.problems == ()  # the reader's problem stays in row.problems


def test_reader_warnings_do_not_block() -> None:
    warning = RowProblem(2, "Phone", "odd-phone", "looks short", "warning")
    decision = decide(make_row(**THANKED, problems=(warning,)), d("2026-11-19"), BALANCED)
    assert decision.status is Status.DUE


def test_problems_name_the_users_column() -> None:
    row = make_row(
        **INTERVIEWED, thank_you_sent="2026-11-30", headers=(("thank_you_sent", "TY note sent"),)
    )
    decision = decide(row, d("2026-11-23"), BALANCED)
    assert [(p.row, p.column, p.code) for p in decision.problems] == [
        (2, "TY note sent", "date-in-future")
    ]
    assert "TY note sent" in decision.reason


def test_extra_outcome_words_close_the_row() -> None:
    policy = BALANCED.with_extra_outcomes({OutcomeClass.REJECTED: ["parked"]})
    row = make_row(**THANKED, outcome="Parked")
    assert decide(row, d("2026-11-23"), policy).status is Status.CLOSED
    assert decide(row, d("2026-11-23"), BALANCED).status is Status.OVERDUE


@pytest.mark.parametrize(
    ("day", "today", "text"),
    [
        ("2026-11-12", "2026-11-23", "Thu 12 Nov"),
        ("2026-11-01", "2026-11-23", "Sun 1 Nov"),
        ("2025-12-30", "2026-01-05", "Tue 30 Dec 2025"),
        ("2027-01-04", "2026-12-30", "Mon 4 Jan 2027"),
    ],
)
def test_format_day(day: str, today: str, text: str) -> None:
    assert format_day(d(day), d(today)) == text


def test_format_day_remembers_per_today() -> None:
    """The same day reads differently in another year: today is part of what is remembered."""
    assert format_day(d("2025-12-30"), d("2025-12-31")) == "Tue 30 Dec"
    assert format_day(d("2025-12-30"), d("2026-01-05")) == "Tue 30 Dec 2025"
    assert format_day(d("2025-12-30"), d("2025-12-31")) == "Tue 30 Dec"


# ---------------------------------------------------------------------------------------------
# Properties

POLICIES = [
    PRESETS["balanced"],
    PRESETS["prompt"],
    PRESETS["patient"],
    replace(BALANCED, holidays="US"),
    replace(PATIENT, holidays="DE-BY"),
    replace(PROMPT, max_reminders=0),
]
OUTCOMES = [
    None,
    "",
    "Applied",
    "Next round",
    "Rejected",
    "Offer accepted",
    "Withdrew",
    "Closed",
    "On hold",
    "No offer yet",
    "Parked",
]


@st.composite
def rows_and_days(draw: st.DrawFn) -> tuple[TrackerRow, date]:
    """A row with dates scattered around its interview, and a run date near them."""
    interview = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)))

    def near() -> date | None:
        offset = draw(st.none() | st.integers(min_value=-5, max_value=80))
        return None if offset is None else interview + timedelta(days=offset)

    row = TrackerRow(
        row=draw(st.integers(min_value=2, max_value=10_000)),
        company=draw(st.sampled_from(["Acme", None, " "])),
        contact_email=draw(st.sampled_from(["jane@acme.example", None])),
        key_points=draw(st.sampled_from(["data migration", None])),
        interview_date=draw(st.sampled_from([interview, interview, interview, None])),
        reply_expected_by=near(),
        they_will_contact=draw(st.sampled_from([None, True, False])),
        thank_you_sent=near(),
        checkin_sent=near(),
        reminder_sent=near(),
        reply_date=near(),
        outcome=draw(st.sampled_from(OUTCOMES)),
    )
    today = interview + timedelta(days=draw(st.integers(min_value=-10, max_value=150)))
    return row, today


@given(rows_and_days(), st.sampled_from(POLICIES))
def test_no_step_is_due_before_the_interview(case: tuple[TrackerRow, date], policy: Policy) -> None:
    row, today = case
    decision = decide(row, today, policy)
    if decision.due is not None:
        assert row.interview_date is not None
        assert decision.due >= row.interview_date


@given(rows_and_days(), st.sampled_from(POLICIES))
def test_a_closed_row_never_has_a_step(case: tuple[TrackerRow, date], policy: Policy) -> None:
    row, today = case
    decision = decide(row, today, policy)
    if policy.read_outcome(row.outcome).outcome_class.closes:
        assert decision.status in (Status.CLOSED, Status.NEEDS_ATTENTION)
    if decision.status in (Status.CLOSED, Status.NEEDS_ATTENTION, Status.NO_INTERVIEW):
        assert decision.step is None and decision.due is None
    if decision.status is Status.MOVE_ON:
        assert decision.step is None and decision.due is None


@given(rows_and_days(), st.sampled_from(POLICIES))
def test_due_dates_are_business_days(case: tuple[TrackerRow, date], policy: Policy) -> None:
    row, today = case
    decision = decide(row, today, policy)
    if decision.due is not None and decision.step is not Step.THANK_YOU:
        assert policy.calendar.is_business_day(decision.due)


@given(rows_and_days(), st.sampled_from(POLICIES))
def test_status_matches_the_due_date(case: tuple[TrackerRow, date], policy: Policy) -> None:
    row, today = case
    decision = decide(row, today, policy)
    if decision.step is None or decision.due is None:
        return
    if decision.status is Status.WAITING:
        assert decision.due > today
    elif decision.status is Status.OVERDUE:
        assert decision.due < today and "late" in decision.reason
    elif decision.status is Status.DUE and decision.step is not Step.THANK_YOU:
        assert decision.due == today


@settings(max_examples=40)
@given(st.lists(rows_and_days(), min_size=2, max_size=12), st.sampled_from(POLICIES), st.randoms())
def test_decisions_do_not_depend_on_row_order(
    cases: list[tuple[TrackerRow, date]], policy: Policy, rng: random.Random
) -> None:
    today = cases[0][1]
    rows = [replace(row, row=index + 2) for index, (row, _) in enumerate(cases)]
    in_order = {row.row: decide(row, today, policy) for row in rows}
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert {row.row: decide(row, today, policy) for row in shuffled} == in_order


@dataclass
class _Round:
    """What the simulated job seeker sent since the latest reply."""

    sent: dict[Step, int] = field(default_factory=lambda: dict.fromkeys(Step, 0))


@settings(max_examples=150, deadline=None)
@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.sampled_from(POLICIES),
    st.sampled_from([None, True, False]),
    st.none() | st.integers(min_value=0, max_value=30),
    st.lists(st.integers(min_value=0, max_value=60), max_size=3, unique=True),
)
def test_a_diligent_job_seeker_is_never_asked_twice(
    interview: date,
    policy: Policy,
    they_will_contact: bool | None,
    expected_offset: int | None,
    reply_offsets: list[int],
) -> None:
    """Sending every step on the day it is proposed: at most one thank-you, one check-in and
    max_reminders reminders between two replies, and the row ends in Move on."""
    expected = None if expected_offset is None else interview + timedelta(days=expected_offset)
    row = make_row(
        interview_date=interview,
        they_will_contact=they_will_contact,
        reply_expected_by=expected,
    )
    reply_days = {interview + timedelta(days=offset) for offset in reply_offsets}
    column = {Step.THANK_YOU: "thank_you_sent", Step.CHECK_IN: "checkin_sent"}
    column[Step.THANK_YOU_AND_CHECK_IN] = "thank_you_sent"
    column[Step.REMINDER] = "reminder_sent"
    thank_yous = 0
    this_round = _Round()
    decision: Decision | None = None
    for offset in range(0, 200):
        today = interview + timedelta(days=offset)
        if today in reply_days:
            row = replace(row, reply_date=today)
            this_round = _Round()
        decision = decide(row, today, policy)
        assert decision.status not in (Status.NEEDS_ATTENTION, Status.UPCOMING)
        if decision.step is not None and decision.status in (Status.DUE, Status.OVERDUE):
            assert decision.due is not None and decision.due <= today
            sent: dict[str, Any] = {column[decision.step]: today}
            row = replace(row, **sent)
            this_round.sent[decision.step] += 1
            thank_yous += decision.step is Step.THANK_YOU
        assert thank_yous <= 1
        assert this_round.sent[Step.CHECK_IN] <= 1
        assert this_round.sent[Step.REMINDER] <= policy.max_reminders
    assert decision is not None and decision.status is Status.MOVE_ON
    assert thank_yous == 1
