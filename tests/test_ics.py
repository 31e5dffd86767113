"""The calendar: all-day events for open rows due in the next 60 days, with stable UIDs."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from drafts_helpers import RUN_DATE, make_decision, make_row
from icalendar import Calendar

from batch.ics import CalendarEntry, build_calendar, event_uid, write_calendar
from batch.model import Status, Step

TRACKER = Path("/tmp/followup-tests/tracker.xlsx")


def _entry(row: int, status: Status, step: Step | None, due: date | None, **fields: object):  # type: ignore[no-untyped-def]
    return CalendarEntry(
        TRACKER,
        make_row(row=row, **fields),
        make_decision(step=step, status=status, due=due, reason=f"Reason for row {row}."),
    )


def _events(data: bytes) -> list:  # type: ignore[type-arg]
    calendar = Calendar.from_ical(data)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_events_for_open_rows_in_the_next_sixty_days() -> None:
    entries = [
        _entry(2, Status.WAITING, Step.CHECK_IN, RUN_DATE + timedelta(days=3)),
        _entry(3, Status.DUE, Step.THANK_YOU, RUN_DATE),
        _entry(4, Status.UPCOMING, Step.THANK_YOU, RUN_DATE + timedelta(days=60)),
        _entry(5, Status.WAITING, Step.REMINDER, RUN_DATE + timedelta(days=61)),  # too far
        _entry(6, Status.OVERDUE, Step.CHECK_IN, RUN_DATE - timedelta(days=1)),  # past
        _entry(7, Status.CLOSED, None, None),
        _entry(8, Status.WAITING, None, RUN_DATE + timedelta(days=5)),  # move-on date, no step
        _entry(9, Status.NEEDS_ATTENTION, None, None),
    ]
    events = _events(build_calendar(entries, RUN_DATE))
    assert [str(e["summary"]) for e in events] == [
        "Thank-you: Acme Corp (Jane Doe)",
        "Check-in: Acme Corp (Jane Doe)",
        "Thank-you: Acme Corp (Jane Doe)",
    ]
    first = events[0]
    assert first.decoded("dtstart") == RUN_DATE  # all-day: a date, not a date-time
    assert first.decoded("dtend") == RUN_DATE + timedelta(days=1)
    assert first.decoded("dtstamp") == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    description = str(first["description"])
    assert description.startswith("Reason for row 3.")
    assert "Tracker: tracker.xlsx, row 3" in description
    assert "Contact: Jane Doe jane.doe@acme.example" in description


def test_the_candidate_is_named_for_a_coach() -> None:
    entry = _entry(2, Status.DUE, Step.CHECK_IN, RUN_DATE, candidate="Sam Lee")
    (event,) = _events(build_calendar([entry], RUN_DATE))
    assert str(event["summary"]) == "Check-in: Acme Corp (Sam Lee)"


def test_uids_are_stable_across_runs_and_distinct_per_row_and_step() -> None:
    due = RUN_DATE + timedelta(days=10)
    today = _events(build_calendar([_entry(2, Status.WAITING, Step.CHECK_IN, due)], RUN_DATE))
    later = build_calendar(
        [_entry(2, Status.WAITING, Step.CHECK_IN, due + timedelta(days=2))],
        RUN_DATE + timedelta(days=1),
    )
    (tomorrow,) = _events(later)
    assert str(today[0]["uid"]) == str(tomorrow["uid"])
    assert str(tomorrow["uid"]) == event_uid(TRACKER, 2, "Check-in")
    assert event_uid(TRACKER, 2, "Check-in") != event_uid(TRACKER, 3, "Check-in")
    assert event_uid(TRACKER, 2, "Check-in") != event_uid(TRACKER, 2, "Reminder")
    assert event_uid(TRACKER, 2, "Check-in") != event_uid(
        Path("/other/tracker.xlsx"), 2, "Check-in"
    )


def test_same_run_same_bytes() -> None:
    entries = [_entry(2, Status.WAITING, Step.CHECK_IN, RUN_DATE + timedelta(days=3))]
    assert build_calendar(entries, RUN_DATE) == build_calendar(list(entries), RUN_DATE)


def test_text_with_newlines_and_commas_round_trips() -> None:
    entry = _entry(
        2, Status.DUE, Step.CHECK_IN, RUN_DATE, company="Smith, Jones; & Co\nLtd", role="A\\B"
    )
    (event,) = _events(build_calendar([entry], RUN_DATE))
    assert str(event["summary"]) == "Check-in: Smith, Jones; & Co Ltd (Jane Doe)"
    assert "Role: A\\B" in str(event["description"])


@pytest.mark.parametrize("count", [0, 1])
def test_write_calendar_skips_unchanged(tmp_path: Path, count: int) -> None:
    path = tmp_path / "followup.ics"
    entries = [_entry(2, Status.WAITING, Step.CHECK_IN, RUN_DATE + timedelta(days=3))][:count]
    assert write_calendar(entries, path, RUN_DATE).action == "written"
    os.utime(path, (1_000_000_000, 1_000_000_000))
    assert write_calendar(entries, path, RUN_DATE).action == "unchanged"
    assert path.stat().st_mtime == 1_000_000_000
    calendar = Calendar.from_ical(path.read_bytes())
    assert str(calendar["version"]) == "2.0"
    assert len(_events(path.read_bytes())) == count
