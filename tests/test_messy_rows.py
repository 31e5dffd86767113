"""Issue 13: the messy rows real trackers are full of, one table-driven test per item.

Dates are in November and December 2026 (Thu 12 Nov is the interview of most cases; Thu 26 Nov
is Thanksgiving, which only the US policies skip). The balanced preset unless a case says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from batch.config import load_config
from batch.model import OutcomeClass, Status, Step, TrackerRow
from batch.policy import PRESETS, Policy
from batch.rules import decide

BALANCED = PRESETS["balanced"]


def d(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class Case:
    id: str
    row: dict[str, Any]
    today: str
    status: Status
    step: Step | None
    due: str | None
    says: tuple[str, ...] = ()  # fragments of the reason
    policy: Policy = BALANCED


def make_row(values: dict[str, Any]) -> TrackerRow:
    fields: dict[str, Any] = {
        "row": 2,
        "company": "Acme",
        "contact_email": "jane@acme.example",
        "key_points": "the data migration",
        "interview_date": "2026-11-12",
    }
    fields.update(values)
    for name, value in fields.items():
        if isinstance(value, str) and name.endswith(("_date", "_sent", "_by")):
            fields[name] = d(value)
    return TrackerRow(**fields)


def check(case: Case) -> None:
    decision = decide(make_row(case.row), d(case.today), case.policy)
    assert (decision.status, decision.step, decision.due) == (
        case.status,
        case.step,
        d(case.due) if case.due else None,
    ), decision.reason
    for fragment in case.says:
        assert fragment in decision.reason, decision.reason


def ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


THANKED = {"thank_you_sent": "2026-11-12"}

# Item 2. A reply dated the day of the last step sent counts as after it.
SAME_DAY_REPLY = [
    Case(
        "check-in sent Mon 16 Nov and a reply that day: no reminder to someone who answered",
        {**THANKED, "checkin_sent": "2026-11-16", "reply_date": "2026-11-16"},
        "2026-11-17",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-30",
        ("Reply received Mon 16 Nov", "wait for their update"),
    ),
    Case(
        "a reply on the day of the thank-you",
        {**THANKED, "reply_date": "2026-11-12"},
        "2026-11-13",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-26",
    ),
    Case(
        "a reply on the day of the reminder",
        {
            **THANKED,
            "checkin_sent": "2026-11-16",
            "reminder_sent": "2026-11-23",
            "reply_date": "2026-11-23",
        },
        "2026-11-24",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-07",
    ),
    Case(
        "a reply the day before the check-in: that check-in answered it",
        {**THANKED, "reply_date": "2026-11-13", "checkin_sent": "2026-11-16"},
        "2026-11-17",
        Status.WAITING,
        None,
        "2026-11-23",
        ("waiting for their update",),
    ),
]


@pytest.mark.parametrize("case", SAME_DAY_REPLY, ids=ids(SAME_DAY_REPLY))
def test_same_day_reply(case: Case) -> None:
    check(case)


# Item 3. No check-in or reminder before the business day after "Reply Expected By".
EMPLOYER_SAID_DEC_11 = {
    **THANKED,
    "reply_expected_by": "2026-12-11",
    "checkin_sent": "2026-11-16",
}
EMPLOYER_DATE = [
    *(
        Case(
            f"a check-in went early; the reminder waits for the employer's date ({name})",
            EMPLOYER_SAID_DEC_11,
            "2026-11-23",
            Status.WAITING,
            Step.REMINDER,
            "2026-12-14",
            ("the employer said Fri 11 Dec, so not before Mon 14 Dec",),
            policy,
        )
        for name, policy in PRESETS.items()
    ),
    Case(
        "on the day after the employer's date, the reminder is due",
        EMPLOYER_SAID_DEC_11,
        "2026-12-14",
        Status.DUE,
        Step.REMINDER,
        "2026-12-14",
    ),
    Case(
        "an employer date already passed does not hold the reminder back",
        {**THANKED, "reply_expected_by": "2026-11-13", "checkin_sent": "2026-11-16"},
        "2026-11-23",
        Status.DUE,
        Step.REMINDER,
        "2026-11-23",
    ),
    Case(
        "after a reply with a new date, an early check-in does not end the wait before it",
        {
            **THANKED,
            "reply_date": "2026-11-16",
            "reply_expected_by": "2026-12-11",
            "checkin_sent": "2026-11-20",
        },
        "2026-11-30",
        Status.WAITING,
        None,
        "2026-12-14",
        ("the employer's date (Fri 11 Dec)",),
    ),
]


@pytest.mark.parametrize("case", EMPLOYER_DATE, ids=ids(EMPLOYER_DATE))
def test_employer_date_bounds_every_step(case: Case) -> None:
    check(case)


# Item 4. After a reply: one check-in, no reminder, then move on.
AFTER_REPLY = [
    Case(
        "'still deciding' reply: one check-in after_reply_days later",
        {**THANKED, "checkin_sent": "2026-11-19", "reply_date": "2026-11-20"},
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-04",
        ("wait for their update", "check in once"),
    ),
    Case(
        "a reply with their new date: the business day after it",
        {
            **THANKED,
            "checkin_sent": "2026-11-19",
            "reply_date": "2026-11-20",
            "reply_expected_by": "2026-12-02",
        },
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-03",
        ("the employer said Wed 2 Dec",),
    ),
    Case(
        "that check-in sent: no reminder, wait for their update",
        {**THANKED, "checkin_sent": "2026-12-04", "reply_date": "2026-11-20"},
        "2026-12-08",
        Status.WAITING,
        None,
        "2026-12-11",
        ("waiting for their update", "move on"),
    ),
    Case(
        "no update after move_on_after_days: move on",
        {**THANKED, "checkin_sent": "2026-12-04", "reply_date": "2026-11-20"},
        "2026-12-11",
        Status.MOVE_ON,
        None,
        None,
        ("waiting for their update",),
    ),
    Case(
        "a reminder after the reply counts as that one message too",
        {**THANKED, "reply_date": "2026-11-20", "reminder_sent": "2026-12-04"},
        "2026-12-07",
        Status.WAITING,
        None,
        "2026-12-11",
    ),
]


@pytest.mark.parametrize("case", AFTER_REPLY, ids=ids(AFTER_REPLY))
def test_reply_does_not_restart_the_budget(case: Case) -> None:
    check(case)


# Item 5. Nothing due sooner than min_gap_days business days after the last message sent.
MIN_GAP = [
    Case(
        "thank-you sent on the employer's date: the check-in waits out the gap",
        {"thank_you_sent": "2026-11-13", "reply_expected_by": "2026-11-13"},
        "2026-11-16",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-17",
        ("2 business days after the last message (Fri 13 Nov): Tue 17 Nov",),
    ),
    Case(
        "a step moved by the gap is late only from its new day",
        {"thank_you_sent": "2026-11-13", "reply_expected_by": "2026-11-13"},
        "2026-11-18",
        Status.OVERDUE,
        Step.CHECK_IN,
        "2026-11-17",
        ("1 day late",),
    ),
    Case(
        "a one-day reminder wait is stretched to the gap",
        {**THANKED, "checkin_sent": "2026-11-16"},
        "2026-11-17",
        Status.WAITING,
        Step.REMINDER,
        "2026-11-18",
        policy=replace(BALANCED, reminder_after_days=1),
    ),
    Case(
        "min_gap_days = 0 turns the gap off",
        {**THANKED, "checkin_sent": "2026-11-16"},
        "2026-11-17",
        Status.DUE,
        Step.REMINDER,
        "2026-11-17",
        policy=replace(BALANCED, reminder_after_days=1, min_gap_days=0),
    ),
    Case(
        "the prompt preset's 2-day check-in already respects it",
        THANKED,
        "2026-11-16",
        Status.DUE,
        Step.CHECK_IN,
        "2026-11-16",
        policy=PRESETS["prompt"],
    ),
]


@pytest.mark.parametrize("case", MIN_GAP, ids=ids(MIN_GAP))
def test_minimum_gap(case: Case) -> None:
    check(case)


# Item 6. More than thank_you_grace_days business days late: thank them and check in at once.
LATE_THANK_YOU = [
    Case(
        "3 business days late: still a thank-you",
        {},
        "2026-11-17",
        Status.OVERDUE,
        Step.THANK_YOU,
        "2026-11-12",
        ("5 days late",),
    ),
    Case(
        "4 business days late: a thank-you and check-in",
        {},
        "2026-11-18",
        Status.DUE,
        Step.THANK_YOU_AND_CHECK_IN,
        "2026-11-18",
        ("thank them and check in in one message",),
    ),
    Case(
        "20 days late: not drafted as if the interview were yesterday",
        {},
        "2026-12-02",
        Status.OVERDUE,
        Step.THANK_YOU_AND_CHECK_IN,
        "2026-11-18",
    ),
    Case(
        "the employer's date still ahead: a late thank-you alone",
        {"reply_expected_by": "2026-12-11"},
        "2026-12-02",
        Status.OVERDUE,
        Step.THANK_YOU,
        "2026-11-12",
    ),
    Case(
        "the employer's date passed: thank and check in from the day after it",
        {"reply_expected_by": "2026-11-20"},
        "2026-12-02",
        Status.OVERDUE,
        Step.THANK_YOU_AND_CHECK_IN,
        "2026-11-23",
        ("the employer said Fri 20 Nov",),
    ),
    Case(
        "a thank-you sent after the employer's date anchors the check-in",
        {"reply_expected_by": "2026-11-16", "thank_you_sent": "2026-12-02"},
        "2026-12-03",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-09",
        ("after the employer's date (Mon 16 Nov)",),
    ),
    Case(
        "thank_you_grace_days = 0: from the next business day",
        {},
        "2026-11-13",
        Status.DUE,
        Step.THANK_YOU_AND_CHECK_IN,
        "2026-11-13",
        policy=replace(BALANCED, thank_you_grace_days=0),
    ),
]


@pytest.mark.parametrize("case", LATE_THANK_YOU, ids=ids(LATE_THANK_YOU))
def test_late_thank_you(case: Case) -> None:
    check(case)


def test_late_thank_you_tells_the_drafts_about_the_employer_date() -> None:
    decision = decide(make_row({"reply_expected_by": "2026-11-20"}), d("2026-12-02"), BALANCED)
    assert decision.employer_date == d("2026-11-20") and decision.employer_date_passed


# Item 10. "They will contact you" with a date: once, the business day after it, no reminder.
WILL_CONTACT = [
    Case(
        "with a date: check in once the business day after it",
        {**THANKED, "they_will_contact": True, "reply_expected_by": "2026-11-20"},
        "2026-11-20",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-23",
        ("will contact you", "check in once"),
    ),
    Case(
        "with a date: no reminder after that check-in",
        {
            **THANKED,
            "they_will_contact": True,
            "reply_expected_by": "2026-11-20",
            "checkin_sent": "2026-11-23",
        },
        "2026-11-27",
        Status.WAITING,
        None,
        "2026-11-30",
        ("nothing more to send",),
    ),
    Case(
        "without a date: the same, hands_off_days later",
        {**THANKED, "they_will_contact": True, "checkin_sent": "2026-11-26"},
        "2026-11-27",
        Status.WAITING,
        None,
        "2026-12-03",
    ),
]


@pytest.mark.parametrize("case", WILL_CONTACT, ids=ids(WILL_CONTACT))
def test_they_will_contact_with_a_date(case: Case) -> None:
    check(case)


# Item 1's paused class: no thank-you or reminder, one gentle check-in hands_off_days later.
PAUSED = [
    Case(
        "on hold after the thank-you",
        {**THANKED, "outcome": "On hold"},
        "2026-11-23",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-26",
        ('Outcome says "On hold"', "one gentle check-in 10 business days after"),
    ),
    Case(
        "hiring freeze before any thank-you: no thank-you",
        {"outcome": "Hiring freeze"},
        "2026-11-13",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-11-26",
    ),
    Case(
        "the gentle check-in is due",
        {**THANKED, "outcome": "Paused"},
        "2026-11-26",
        Status.DUE,
        Step.CHECK_IN,
        "2026-11-26",
    ),
    Case(
        "after the gentle check-in, no reminder",
        {**THANKED, "outcome": "On hold", "checkin_sent": "2026-11-26"},
        "2026-11-27",
        Status.WAITING,
        None,
        "2026-12-03",
        ("nothing more to send while it is paused",),
    ),
    Case(
        "a reply while paused: the check-in counts from it",
        {**THANKED, "outcome": "Postponed", "reply_date": "2026-11-30"},
        "2026-12-01",
        Status.WAITING,
        Step.CHECK_IN,
        "2026-12-14",
    ),
]


@pytest.mark.parametrize("case", PAUSED, ids=ids(PAUSED))
def test_paused_outcome(case: Case) -> None:
    check(case)
    decision = decide(make_row(case.row), d(case.today), case.policy)
    assert decision.outcome is OutcomeClass.PAUSED


# Item 9. Without `holidays`, the time zone's country: no check-in due on Thanksgiving.
HOLIDAYS_BY_DEFAULT = [
    # (config, the check-in 5 business days after a thank-you of Thu 19 Nov)
    ('timezone = "America/New_York"\n', "2026-11-27"),
    ('timezone = "America/New_York"\nholidays = "none"\n', "2026-11-26"),
    ('timezone = "Europe/London"\n', "2026-11-26"),
    ('timezone = "America/Chicago"\n', "2026-11-27"),
]


@pytest.mark.parametrize(("policy_text", "due"), HOLIDAYS_BY_DEFAULT)
def test_holidays_by_default(tmp_path: Path, policy_text: str, due: str) -> None:
    path = tmp_path / "followup.toml"
    path.write_text("[policy]\n" + policy_text, encoding="utf-8")
    policy = load_config(path, None).policy
    row = make_row({"interview_date": "2026-11-19", "thank_you_sent": "2026-11-19"})
    decision = decide(row, d("2026-11-20"), policy)
    assert (decision.step, decision.due) == (Step.CHECK_IN, d(due))
