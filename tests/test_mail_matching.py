"""Matching messages to rows and planning the cells they fill: table-driven, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch.mail_matching import (
    CellFill,
    MatchedMessage,
    dedupe,
    filled_row,
    match_messages,
    plan_fills,
)
from batch.mailbox_sources import FolderRole, MailMessage
from batch.model import RowProblem, Step, TrackerRow

ME = "me@example.org"
TODAY = date(2026, 11, 23)


def row(number: int = 2, **values: Any) -> TrackerRow:
    fields: dict[str, Any] = {
        "row": number,
        "company": "Quillmate",
        "contact_email": "sam@quillmate.com",
        "interview_date": date(2026, 11, 12),
    }
    fields.update(values)
    return TrackerRow(**fields)


def mail(
    sender: str,
    to: str | tuple[str, ...],
    day: str | None,
    *,
    folder: FolderRole = "inbox",
    message_id: str | None = None,
    in_reply_to: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
    subject: str = "",
    automatic: bool = False,
    hour: int = 10,
) -> MailMessage:
    sent_at = None
    if day is not None:
        sent_at = datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(
            hour=hour
        )
    return MailMessage(
        sender=sender,
        recipients=(to,) if isinstance(to, str) else to,
        sent_at=sent_at,
        subject=subject,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        folder=folder,
        automatic=automatic,
    )


def sent(to: str, day: str, **kwargs: Any) -> MailMessage:
    return mail(ME, to, day, folder="sent", **kwargs)


def received(sender: str, day: str, **kwargs: Any) -> MailMessage:
    return mail(sender, ME, day, **kwargs)


@dataclass(frozen=True)
class Case:
    id: str
    rows: tuple[TrackerRow, ...]
    messages: tuple[MailMessage, ...]
    # row number -> [(direction, day)] expected
    expected: dict[int, list[tuple[str, str]]]
    skipped: dict[str, int] = field(default_factory=dict)
    drafts: dict[str, tuple[int, Step]] = field(default_factory=dict)
    own: frozenset[str] = frozenset({ME})


CASES = [
    Case(
        "by contact address, both ways",
        (row(),),
        (
            sent("sam@quillmate.com", "2026-11-12"),
            received("sam@quillmate.com", "2026-11-16"),
        ),
        {2: [("sent", "2026-11-12"), ("received", "2026-11-16")]},
    ),
    Case(
        "address case and display names do not matter",
        (row(contact_email="Sam@Quillmate.com"),),
        (received("sam@quillmate.com", "2026-11-16"),),
        {2: [("received", "2026-11-16")]},
    ),
    Case(
        "a reply from a different person at the same company",
        (row(),),
        (received("lee.chen@quillmate.com", "2026-11-17"),),
        {2: [("received", "2026-11-17")]},
    ),
    Case(
        "a company domain with two contacts in the tracker matches by address only",
        (row(), row(3, contact_email="ana@quillmate.com", company="Quillmate (Design)")),
        (
            received("lee.chen@quillmate.com", "2026-11-17"),
            received("ana@quillmate.com", "2026-11-18"),
        ),
        {3: [("received", "2026-11-18")]},
        skipped={"matching no row": 1},
    ),
    Case(
        "free-mail domains never match by domain",
        (row(contact_email="sam.ortiz@gmail.com"),),
        (
            received("someone.else@gmail.com", "2026-11-17"),
            received("sam.ortiz@gmail.com", "2026-11-18"),
        ),
        {2: [("received", "2026-11-18")]},
        skipped={"matching no row": 1},
    ),
    Case(
        "mail before the interview date does not count; the interview day does",
        (row(),),
        (
            received("sam@quillmate.com", "2026-11-02"),
            sent("sam@quillmate.com", "2026-11-12"),
        ),
        {2: [("sent", "2026-11-12")]},
        skipped={"from before the interview": 1},
    ),
    Case(
        "a message without a date cannot be placed in time",
        (row(),),
        (received("sam@quillmate.com", None),),
        {},
        skipped={"without a date": 1},
    ),
    Case(
        "mail dated after the run date is ignored",
        (row(),),
        (received("sam@quillmate.com", "2026-12-01"),),
        {},
        skipped={"dated after the run date": 1},
    ),
    Case(
        "an out-of-office answer is not a reply",
        (row(),),
        (received("sam@quillmate.com", "2026-11-13", automatic=True),),
        {},
        skipped={"automatic replies": 1},
    ),
    Case(
        "machine senders at the company domain are not replies",
        (row(),),
        (received("no-reply@quillmate.com", "2026-11-13"),),
        {},
        skipped={"matching no row": 1},
    ),
    Case(
        "a thread: a scheduling assistant elsewhere answers our message",
        (row(),),
        (
            sent("sam@quillmate.com", "2026-11-12", message_id="<t1@me>"),
            received(
                "bot@scheduler.example",
                "2026-11-14",
                in_reply_to=("<t1@me>",),
                references=("<t1@me>",),
            ),
        ),
        {2: [("sent", "2026-11-12"), ("received", "2026-11-14")]},
    ),
    Case(
        "an answer to their reply is a conversation, not a follow-up step",
        (row(),),
        (
            sent("sam@quillmate.com", "2026-11-12", message_id="<t1@me>"),
            received("sam@quillmate.com", "2026-11-16", message_id="<r1@q>"),
            sent("sam@quillmate.com", "2026-11-16", in_reply_to=("<r1@q>",), hour=15),
        ),
        {2: [("sent", "2026-11-12"), ("received", "2026-11-16")]},
        skipped={"answers to a reply": 1},
    ),
    Case(
        "a thank-you sent in the interview's scheduling thread still counts",
        (row(),),
        (
            received("sam@quillmate.com", "2026-11-05", message_id="<invite@q>"),
            sent("sam@quillmate.com", "2026-11-12", in_reply_to=("<invite@q>",)),
        ),
        {2: [("sent", "2026-11-12")]},
        skipped={"from before the interview": 1},
    ),
    Case(
        "the draft's Message-ID names row and step, whoever it went to",
        (row(), row(3, contact_email=None, company="Larkspur")),
        (sent("someone@larkspur.io", "2026-11-19", message_id="<d@followup.invalid>"),),
        {3: [("sent", "2026-11-19")]},
        drafts={"<d@followup.invalid>": (3, Step.CHECK_IN)},
    ),
    Case(
        "one address, two interviews: the one that came last before the message",
        (
            row(2, interview_date=date(2026, 10, 1)),
            row(3, interview_date=date(2026, 11, 12), company="Quillmate (2nd round)"),
        ),
        (
            received("sam@quillmate.com", "2026-10-05"),
            received("sam@quillmate.com", "2026-11-16"),
        ),
        {2: [("received", "2026-10-05")], 3: [("received", "2026-11-16")]},
    ),
    Case(
        "two rows with the same contact and interview day cannot be told apart",
        (row(2), row(3)),
        (received("sam@quillmate.com", "2026-11-16"),),
        {},
        skipped={"fitting two rows alike": 1},
    ),
    Case(
        "someone else's mail to the contact is not ours when we know our address",
        (row(),),
        (mail("agency@recruit.example", "sam@quillmate.com", "2026-11-13"),),
        {},
        skipped={"matching no row": 1},
    ),
    Case(
        "with no known own address, mail to the contact counts as sent",
        (row(),),
        (mail("me@anywhere.example", "sam@quillmate.com", "2026-11-13"),),
        {2: [("sent", "2026-11-13")]},
        own=frozenset(),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_match_messages(case: Case) -> None:
    result = match_messages(
        case.rows,
        case.messages,
        zone=UTC,
        today=TODAY,
        drafts=case.drafts,
        own_addresses=case.own,
    )
    found = {
        number: [(item.direction, item.day.isoformat()) for item in items]
        for number, items in result.by_row.items()
    }
    assert found == case.expected
    assert dict(result.skipped) == case.skipped


def test_message_day_is_in_the_trackers_time_zone() -> None:
    from zoneinfo import ZoneInfo

    late = mail(ME, "sam@quillmate.com", "2026-11-13", folder="sent", hour=2)  # 02:00 UTC
    result = match_messages(
        (row(),), (late,), zone=ZoneInfo("America/New_York"), today=TODAY, drafts={}
    )
    assert [item.day for item in result.by_row[2]] == [date(2026, 11, 12)]


def test_dedupe_keeps_the_sent_folders_copy() -> None:
    copy = mail(ME, "sam@quillmate.com", "2026-11-12", message_id="<1@me>")  # a Bcc to self
    original = mail(ME, "sam@quillmate.com", "2026-11-12", folder="sent", message_id="<1@me>")
    unique, copies = dedupe([copy, original])
    assert (unique, copies) == ([original], 1)


def test_dedupe_by_message_id_and_by_headers() -> None:
    a = received("sam@quillmate.com", "2026-11-16", message_id="<1@q>")
    b = received("sam@quillmate.com", "2026-11-16")
    unique, copies = dedupe([a, a, b, b, received("sam@quillmate.com", "2026-11-17")])
    assert copies == 2
    assert len(unique) == 3


# --- plan_fills ---------------------------------------------------------------------------


def item(direction: str, day: str, step: Step | None = None) -> MatchedMessage:
    message = (
        sent("sam@quillmate.com", day)
        if direction == "sent"
        else received("sam@quillmate.com", day)
    )
    return MatchedMessage(date.fromisoformat(day), direction, message, step)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FillCase:
    id: str
    row: dict[str, str]
    items: tuple[MatchedMessage, ...]
    fills: dict[str, str]
    conflicts: tuple[str, ...] = ()  # fields with a conflict
    problems: tuple[RowProblem, ...] = ()  # the reader's problems (unreadable cells)


def _dates(values: dict[str, str]) -> dict[str, date]:
    return {name: date.fromisoformat(value) for name, value in values.items()}


FILL_CASES = [
    FillCase(
        "sent days fill the sent columns in order",
        {},
        (item("sent", "2026-11-12"), item("sent", "2026-11-19"), item("sent", "2026-11-26")),
        {
            "thank_you_sent": "2026-11-12",
            "checkin_sent": "2026-11-19",
            "reminder_sent": "2026-11-26",
        },
    ),
    FillCase(
        "a day already recorded is done; the next day takes the next empty column",
        {"thank_you_sent": "2026-11-12"},
        (item("sent", "2026-11-12"), item("sent", "2026-11-19")),
        {"checkin_sent": "2026-11-19"},
    ),
    FillCase(
        "two messages on one day are one step",
        {},
        (item("sent", "2026-11-12"), item("sent", "2026-11-12")),
        {"thank_you_sent": "2026-11-12"},
    ),
    FillCase(
        "a thank-you the mailbox does not have (a card) is kept; mail fills after it",
        {"thank_you_sent": "2026-11-12"},
        (item("sent", "2026-11-19"),),
        {"checkin_sent": "2026-11-19"},
    ),
    FillCase(
        "a gap before a recorded step is filled when the dates stay in order",
        {"checkin_sent": "2026-11-19"},
        (item("sent", "2026-11-12"),),
        {"thank_you_sent": "2026-11-12"},
    ),
    FillCase(
        "a new day that would put the dates out of order is a conflict, not a fill",
        {"thank_you_sent": "2026-11-14"},
        (item("sent", "2026-11-12"),),
        {},
        ("checkin_sent",),
    ),
    FillCase(
        "a draft fills its own step's column",
        {"thank_you_sent": "2026-11-12"},
        (item("sent", "2026-11-26", Step.REMINDER),),
        {"reminder_sent": "2026-11-26"},
    ),
    FillCase(
        "a draft whose column the user filled with another date is a conflict",
        {"thank_you_sent": "2026-11-12", "checkin_sent": "2026-11-18"},
        (item("sent", "2026-11-19", Step.CHECK_IN),),
        {},
        ("checkin_sent",),
    ),
    FillCase(
        "every sent column filled: more mail is reported, never written",
        {
            "thank_you_sent": "2026-11-12",
            "checkin_sent": "2026-11-19",
            "reminder_sent": "2026-11-26",
        },
        (item("sent", "2026-11-20"),),
        {},
        ("thank_you_sent",),
    ),
    FillCase(
        "Reply Received gets the latest reply",
        {},
        (item("received", "2026-11-16"), item("received", "2026-11-20")),
        {"reply_date": "2026-11-20"},
    ),
    FillCase(
        "a reply date the user typed is kept; a later reply is a conflict",
        {"reply_date": "2026-11-16"},
        (item("received", "2026-11-20"),),
        {},
        ("reply_date",),
    ),
    FillCase(
        "a reply date the user typed that is as late as the mailbox's agrees",
        {"reply_date": "2026-11-21"},
        (item("received", "2026-11-20"),),
        {},
    ),
]


UNREADABLE_THANK_YOU = (
    RowProblem(2, "Thank-You Sent", "unreadable-date", "'next Tuesday' is not a date"),
)
UNREADABLE_REPLY = (RowProblem(2, "Reply Received", "unreadable-date", "'soon' is not a date"),)

FILL_CASES += [
    FillCase(
        "a sent date that cannot be read: no sent day can be placed, nothing overwritten",
        {},
        (item("sent", "2026-11-12"), item("received", "2026-11-16")),
        {"reply_date": "2026-11-16"},
        ("thank_you_sent",),
        UNREADABLE_THANK_YOU,
    ),
    FillCase(
        "a reply date that cannot be read is not empty",
        {},
        (item("sent", "2026-11-12"), item("received", "2026-11-16")),
        {"thank_you_sent": "2026-11-12"},
        ("reply_date",),
        UNREADABLE_REPLY,
    ),
]


def test_with_mail_read_from_after_the_interview_no_sent_day_is_placed() -> None:
    items = [item("sent", "2026-11-19"), item("received", "2026-11-20")]
    planned = plan_fills(row(), items, read_from=date(2026, 11, 15))
    assert [(f.field, f.day.isoformat()) for f in planned.fills] == [("reply_date", "2026-11-20")]
    assert [c.column for c in planned.conflicts] == ["Thank-You Sent"]
    assert "mail before 15 Nov 2026 was not read" in planned.conflicts[0].message
    # An interview on or after the first day read: everything after it was seen.
    planned = plan_fills(row(), items, read_from=date(2026, 11, 12))
    assert [f.field for f in planned.fills] == ["thank_you_sent", "reply_date"]


@pytest.mark.parametrize("case", FILL_CASES, ids=[case.id for case in FILL_CASES])
def test_plan_fills(case: FillCase) -> None:
    the_row = row(**_dates(case.row), problems=case.problems)
    planned = plan_fills(the_row, case.items)
    assert {fill.field: fill.day.isoformat() for fill in planned.fills} == case.fills
    headers = {
        "thank_you_sent": "Thank-You Sent",
        "checkin_sent": "Check-In Sent",
        "reminder_sent": "Reminder Sent",
        "reply_date": "Reply Received",
    }
    assert tuple(c.column for c in planned.conflicts) == tuple(headers[f] for f in case.conflicts)
    assert all(c.severity == "warning" for c in planned.conflicts)


SENT_NAMES = ("thank_you_sent", "checkin_sent", "reminder_sent", "reply_date")
days = st.dates(min_value=date(2026, 11, 12), max_value=date(2026, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    recorded=st.fixed_dictionaries({}, optional={name: days for name in SENT_NAMES}),
    mailbox=st.lists(
        st.tuples(
            st.sampled_from(["sent", "received"]),
            days,
            st.sampled_from([None, Step.THANK_YOU, Step.CHECK_IN, Step.REMINDER]),
        ),
        max_size=8,
    ),
)
def test_fills_never_overwrite_and_keep_sent_dates_in_order(
    recorded: dict[str, date], mailbox: list[tuple[str, date, Step | None]]
) -> None:
    the_row = row(**recorded)
    items = [
        MatchedMessage(
            day,
            direction,  # type: ignore[arg-type]
            sent("sam@quillmate.com", day.isoformat()),
            step if direction == "sent" else None,
        )
        for direction, day, step in mailbox
    ]
    planned = plan_fills(the_row, items)
    filled = filled_row(the_row, planned.fills)
    for fill in planned.fills:
        assert getattr(the_row, fill.field) is None  # only empty cells
        assert isinstance(fill, CellFill)
    for name in SENT_NAMES:
        if name in recorded:
            assert getattr(filled, name) == recorded[name]  # never overwritten

    def in_order(r: TrackerRow) -> bool:
        known = [d for d in (r.thank_you_sent, r.checkin_sent, r.reminder_sent) if d is not None]
        return known == sorted(known)

    if in_order(the_row):
        assert in_order(filled)
    sent_fills = [fill.day for fill in planned.fills if fill.field != "reply_date"]
    assert len(set(sent_fills)) == len(sent_fills)  # one step per day


def test_fill_keeps_order_whenever_recorded_dates_are_in_order() -> None:
    the_row = row(thank_you_sent=date(2026, 11, 12), reminder_sent=date(2026, 11, 26))
    items = [item("sent", "2026-11-30"), item("sent", "2026-11-19")]
    planned = plan_fills(the_row, items)
    assert [(f.field, f.day) for f in planned.fills] == [("checkin_sent", date(2026, 11, 19))]
    assert [c.column for c in planned.conflicts] == ["Thank-You Sent"]


def test_filled_row_changes_only_the_filled_fields() -> None:
    the_row = row()
    fill = CellFill(2, "reply_date", date(2026, 11, 20), item("received", "2026-11-20"))
    assert filled_row(the_row, [fill]).reply_date == date(2026, 11, 20)
    assert filled_row(the_row, []) is the_row
    assert filled_row(the_row, [fill]).thank_you_sent is None
