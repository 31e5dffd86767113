"""Issue 13, item 7: interview rounds, and one message per person per run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch.across_rows import decide_across_rows
from batch.model import DRAFTED_STATUSES, Status, Step, TrackerRow
from batch.policy import PRESETS
from batch.rules import decide

POLICY = PRESETS["balanced"]


def d(text: str) -> date:
    return date.fromisoformat(text)


def make_row(**values: Any) -> TrackerRow:
    fields: dict[str, Any] = {
        "company": "Acme",
        "contact_name": "Jane Doe",
        "contact_email": "jane@acme.example",
        "key_points": "the data migration",
    }
    fields.update(values)
    for name, value in fields.items():
        if isinstance(value, str) and name.endswith(("_date", "_sent", "_by")):
            fields[name] = d(value)
    return TrackerRow(**fields)


@dataclass(frozen=True)
class Case:
    id: str
    rows: tuple[dict[str, Any], ...]
    today: str
    # row number -> (status, step, due, fragments of the reason)
    expected: dict[int, tuple[Status, Step | None, str | None, tuple[str, ...]]]


ROUND_1 = {"interview_date": "2026-11-12", "thank_you_sent": "2026-11-12", "outcome": "Next round"}

ROUNDS = [
    Case(
        "round 2 on a later row supersedes round 1: no check-in about the next steps",
        ({"row": 5, **ROUND_1}, {"row": 12, "interview_date": "2026-12-01"}),
        "2026-12-01",
        {
            5: (Status.CLOSED, None, None, ("Superseded by the interview on row 12, Tue 1 Dec",)),
            12: (Status.DUE, Step.THANK_YOU, "2026-12-01", ()),
        },
    ),
    Case(
        "a round booked for later supersedes too",
        ({"row": 5, **ROUND_1}, {"row": 12, "interview_date": "2026-12-08"}),
        "2026-12-01",
        {
            5: (Status.CLOSED, None, None, ("row 12, Tue 8 Dec",)),
            12: (Status.UPCOMING, Step.THANK_YOU, "2026-12-08", ()),
        },
    ),
    Case(
        "the company as typed differently is the same company",
        (
            {"row": 5, **ROUND_1, "company": "ACME "},
            {"row": 12, "interview_date": "2026-12-01", "company": "acme"},
        ),
        "2026-12-01",
        {5: (Status.CLOSED, None, None, ("row 12",))},
    ),
    Case(
        "another candidate of the same coach is not a later round",
        (
            {"row": 5, **ROUND_1, "candidate": "Sam Rivera", "contact_email": "a@acme.example"},
            {"row": 12, "interview_date": "2026-12-01", "candidate": "Ana Ruiz"},
        ),
        "2026-12-01",
        {
            5: (Status.OVERDUE, Step.CHECK_IN, "2026-11-19", ()),
            12: (Status.DUE, Step.THANK_YOU, "2026-12-01", ()),
        },
    ),
    Case(
        "two interviews on the same day are not rounds",
        ({"row": 5, **ROUND_1, "contact_email": "a@acme.example"}, {"row": 6, **ROUND_1}),
        "2026-11-23",
        {
            5: (Status.OVERDUE, Step.CHECK_IN, "2026-11-19", ()),
            6: (Status.OVERDUE, Step.CHECK_IN, "2026-11-19", ()),
        },
    ),
    Case(
        "a row closed by its outcome keeps its own reason",
        (
            {"row": 5, **ROUND_1, "outcome": "Rejected"},
            {"row": 12, "interview_date": "2026-12-01"},
        ),
        "2026-12-01",
        {5: (Status.CLOSED, None, None, ('"Rejected"',))},
    ),
]

ONE_MESSAGE = [
    Case(
        "a thank-you and a check-in to the same recruiter: the thank-you goes today",
        (
            {"row": 3, "company": "Birch", "interview_date": "2026-11-12", **ROUND_1},
            {"row": 9, "company": "Cedar", "interview_date": "2026-11-23"},
        ),
        "2026-11-23",
        {
            3: (
                Status.WAITING,
                Step.CHECK_IN,
                "2026-11-24",
                ("Moved to Tue 24 Nov: the thank-you of row 9 goes to the same person today.",),
            ),
            9: (
                Status.DUE,
                Step.THANK_YOU,
                "2026-11-23",
                ("the check-in of row 3 moves to Tue 24 Nov",),
            ),
        },
    ),
    Case(
        "no email: the same name at the same company is the same person",
        (
            {"row": 3, **ROUND_1, "contact_email": None, "candidate": "Sam Rivera"},
            {
                "row": 4,
                **ROUND_1,
                "contact_email": None,
                "candidate": "Ana Ruiz",
                "interview_date": "2026-11-13",
                "thank_you_sent": "2026-11-13",
            },
        ),
        "2026-11-23",
        {
            3: (Status.OVERDUE, Step.CHECK_IN, "2026-11-19", ("row 4 moves",)),
            4: (Status.WAITING, Step.CHECK_IN, "2026-11-24", ("Moved to Tue 24 Nov",)),
        },
    ),
    Case(
        "the same name at another company is another person",
        (
            {"row": 3, **ROUND_1, "contact_email": None},
            {"row": 4, **ROUND_1, "contact_email": None, "company": "Birch"},
        ),
        "2026-11-23",
        {
            3: (Status.OVERDUE, Step.CHECK_IN, "2026-11-19", ()),
            4: (Status.OVERDUE, Step.CHECK_IN, "2026-11-19", ()),
        },
    ),
    Case(
        "three drafts to one person: one today, both others tomorrow",
        (
            {"row": 3, "company": "Birch", **ROUND_1, "checkin_sent": "2026-11-16"},
            {"row": 4, "company": "Cedar", **ROUND_1},
            {"row": 5, "company": "Dune", "interview_date": "2026-11-20"},
        ),
        "2026-11-23",
        {
            3: (Status.WAITING, Step.REMINDER, "2026-11-24", ("row 5",)),
            4: (Status.WAITING, Step.CHECK_IN, "2026-11-24", ("row 5",)),
            5: (
                Status.OVERDUE,
                Step.THANK_YOU,
                "2026-11-20",
                ("the check-in of row 4 and the reminder of row 3 move to Tue 24 Nov.",),
            ),
        },
    ),
]


def run(case: Case) -> None:
    rows = [make_row(**values) for values in case.rows]
    today = d(case.today)
    decisions = decide_across_rows(rows, [decide(r, today, POLICY) for r in rows], today, POLICY)
    by_row = {row.row: decision for row, decision in zip(rows, decisions, strict=True)}
    for number, (status, step, due, fragments) in case.expected.items():
        decision = by_row[number]
        assert (decision.status, decision.step, decision.due) == (
            status,
            step,
            d(due) if due else None,
        ), decision.reason
        for fragment in fragments:
            assert fragment in decision.reason, decision.reason


@pytest.mark.parametrize("case", ROUNDS, ids=[case.id for case in ROUNDS])
def test_rounds(case: Case) -> None:
    run(case)


@pytest.mark.parametrize("case", ONE_MESSAGE, ids=[case.id for case in ONE_MESSAGE])
def test_one_message_per_person_per_day(case: Case) -> None:
    run(case)


@st.composite
def trackers(draw: st.DrawFn) -> tuple[list[TrackerRow], date]:
    """Rows that share companies, candidates and contacts, as a coach's tracker does."""
    today = date(2026, 11, 23)
    count = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for number in range(2, 2 + count):
        interview = today - timedelta(days=draw(st.integers(min_value=-5, max_value=40)))
        thanked = draw(st.booleans()) and interview <= today
        rows.append(
            TrackerRow(
                row=number,
                company=draw(st.sampled_from(["Acme", "acme ", "Birch"])),
                candidate=draw(st.sampled_from([None, "Sam Rivera", "Ana Ruiz"])),
                contact_name=draw(st.sampled_from(["Jane Doe", None])),
                contact_email=draw(
                    st.sampled_from(["jane@acme.example", "bo@birch.example", None])
                ),
                interview_date=interview,
                thank_you_sent=interview if thanked else None,
                key_points="the data migration",
            )
        )
    return rows, today


def _person(row: TrackerRow) -> str | None:
    if row.contact_email:
        return row.contact_email
    if row.contact_name:
        return f"{row.contact_name} at {(row.company or '').strip().lower()}"
    return None


@settings(max_examples=150)
@given(trackers())
def test_one_message_per_person_and_no_open_earlier_round(
    tracker: tuple[list[TrackerRow], date],
) -> None:
    rows, today = tracker
    decisions = decide_across_rows(rows, [decide(r, today, POLICY) for r in rows], today, POLICY)
    drafted = [
        _person(row)
        for row, decision in zip(rows, decisions, strict=True)
        if decision.status in DRAFTED_STATUSES and _person(row) is not None
    ]
    assert len(drafted) == len(set(drafted))
    for row, decision in zip(rows, decisions, strict=True):
        if decision.status is Status.CLOSED or row.interview_date is None:
            continue
        assert not any(
            (other.company or "").strip().lower() == (row.company or "").strip().lower()
            and other.candidate == row.candidate
            and other.interview_date is not None
            and other.interview_date > row.interview_date
            for other in rows
        ), decision.reason
