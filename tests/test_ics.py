"""The calendar: all-day events for open rows due in the next 60 days, with stable UIDs."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from drafts_helpers import RUN_DATE, make_decision, make_row
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from batch.ics import (
    PUBLISHED_NAME,
    CalendarEntry,
    Published,
    _description,
    _summary,
    build_calendar,
    calendar_entries,
    escape_text,
    event_uid,
    fold_line,
    gets_event,
    write_calendar,
)
from batch.model import Status, Step

TRACKER = Path("/tmp/followup-tests/tracker.xlsx")
ABSOLUTE_TRACKER = os.path.abspath(TRACKER)


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


def test_gets_event_agrees_with_the_calendar() -> None:
    """The runner builds entries only for rows that `gets_event` picks: the same rows."""
    entries = [
        _entry(row, status, step, due)
        for row, (status, step, due) in enumerate(
            [
                (status, step, RUN_DATE + timedelta(days=offset) if offset is not None else None)
                for status in Status
                for step in (None, Step.CHECK_IN)
                for offset in (None, -1, 0, 60, 61)
            ],
            start=2,
        )
    ]
    picked = [entry for entry in entries if gets_event(entry.decision, RUN_DATE)]
    assert len(picked) == 8  # four open statuses, with a step, due today or in 60 days
    assert build_calendar(picked, RUN_DATE) == build_calendar(entries, RUN_DATE)
    assert [e.row.row for e in calendar_entries(entries, RUN_DATE)] == sorted(
        (e.row.row for e in picked), key=lambda r: (entries[r - 2].decision.due, r)
    )


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
    assert str(tomorrow["uid"]) == event_uid(ABSOLUTE_TRACKER, 2, "Check-in")
    assert event_uid(ABSOLUTE_TRACKER, 2, "Check-in") != event_uid(ABSOLUTE_TRACKER, 3, "Check-in")
    assert event_uid(ABSOLUTE_TRACKER, 2, "Check-in") != event_uid(ABSOLUTE_TRACKER, 2, "Reminder")
    assert event_uid(ABSOLUTE_TRACKER, 2, "Check-in") != event_uid(
        "/other/tracker.xlsx", 2, "Check-in"
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


def _physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def _unfold(data: bytes) -> list[str]:
    """The content lines: a CRLF followed by one space is a fold (RFC 5545 section 3.1)."""
    return data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")[:-1]


def test_a_long_line_of_multibyte_text_folds_within_75_octets() -> None:
    text = "Zoë Ångström – 東京の会社 😀 " * 12  # 2-, 3- and 4-octet UTF-8 sequences
    line = f"DESCRIPTION:{escape_text(text)}"
    folded = fold_line(line).encode("utf-8") + b"\r\n"
    physical = _physical_lines(folded)
    assert len(physical) > 5
    for number, part in enumerate(physical):
        assert len(part) <= 75
        part.decode("utf-8")  # no UTF-8 sequence is split across two lines
        assert part.startswith(b" ") == (number > 0)
    assert _unfold(folded) == [line]


def test_a_fold_keeps_a_backslash_with_what_it_escapes() -> None:
    for padding in range(60, 80):
        line = "DESCRIPTION:" + "x" * padding + escape_text(", a\\b; c\nd\\\\, e" * 3)
        folded = fold_line(line)
        for part in folded.split("\r\n "):
            run = len(part) - len(part.rstrip("\\"))
            assert run % 2 == 0, f"a lone escaping backslash ends {part!r}"
        assert folded.replace("\r\n ", "") == line


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_folding_any_text_keeps_lines_short_and_unfolds_to_the_same_text(text: str) -> None:
    line = f"DESCRIPTION:{escape_text(text)}"
    folded = fold_line(line).encode("utf-8") + b"\r\n"
    assert all(len(part) <= 75 for part in _physical_lines(folded))
    assert _unfold(folded) == [line]


@settings(max_examples=100, deadline=None)
@given(company=st.text(min_size=1, max_size=120), role=st.text(max_size=120))
def test_any_text_round_trips_through_a_calendar_parser(company: str, role: str) -> None:
    # icalendar reads a backslash before "N" as a line break (an old vCard habit), so that
    # pair is left out of this parser check; the folding test above covers it.
    assume("\\N" not in company + role and "\\n" not in company + role)
    entry = _entry(2, Status.DUE, Step.CHECK_IN, RUN_DATE, company=company, role=role)
    data = build_calendar([entry], RUN_DATE)
    assert all(len(part) <= 75 for part in _physical_lines(data))
    (event,) = _events(data)
    assert str(event["summary"]) == _summary(entry)
    # a line break is "\n" in TEXT, whichever break the cell had
    description = _description(entry, TRACKER.name).replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["description"]) == description


def test_every_calendar_line_is_short_and_ends_with_crlf() -> None:
    entries = [
        _entry(row, Status.WAITING, Step.CHECK_IN, RUN_DATE + timedelta(days=row), role="Ü" * row)
        for row in range(2, 40)
    ]
    data = build_calendar(entries, RUN_DATE)
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(part) <= 75 for part in _physical_lines(data))
    lines = _unfold(data)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 38
    assert "DTSTART;VALUE=DATE:20261125" in lines and "DTEND;VALUE=DATE:20261126" in lines
    assert "DTSTAMP:20261123T090000Z" in lines


# --- a calendar that stays true: SEQUENCE, cancellations, unchanged bytes --------------------


def _blocks(data: bytes) -> dict[str, bytes]:
    """Each VEVENT's bytes by UID."""
    found = {}
    for block in data.split(b"BEGIN:VEVENT\r\n")[1:]:
        block = block.split(b"END:VEVENT\r\n")[0]
        uid = next(line for line in block.split(b"\r\n") if line.startswith(b"UID:"))
        found[uid[4:].decode()] = block
    return found


def _sequence(block: bytes) -> bytes:
    return next(line for line in block.split(b"\r\n") if line.startswith(b"SEQUENCE:"))


def _by_uid(data: bytes) -> dict[str, object]:
    return {str(event["uid"]): event for event in _events(data)}


def _run(entries: list[CalendarEntry], day: date, folder: Path) -> bytes:
    path = folder / day.isoformat() / "followups.ics"
    write_calendar(entries, path, day, published=folder / PUBLISHED_NAME, trackers=[TRACKER])
    return path.read_bytes()


def test_an_unchanged_event_keeps_its_bytes_and_a_moved_one_gets_a_higher_sequence(
    tmp_path: Path,
) -> None:
    due = RUN_DATE + timedelta(days=10)
    first = _run(
        [
            _entry(2, Status.WAITING, Step.CHECK_IN, due),
            _entry(3, Status.WAITING, Step.CHECK_IN, due),
        ],
        RUN_DATE,
        tmp_path,
    )
    moved = due + timedelta(days=3)
    second = _run(
        [
            _entry(2, Status.WAITING, Step.CHECK_IN, due),
            _entry(3, Status.WAITING, Step.CHECK_IN, moved),
        ],
        RUN_DATE + timedelta(days=1),
        tmp_path,
    )
    unchanged, changed = (
        event_uid(ABSOLUTE_TRACKER, 2, "Check-in"),
        event_uid(ABSOLUTE_TRACKER, 3, "Check-in"),
    )
    assert _blocks(first)[unchanged] == _blocks(second)[unchanged]  # DTSTAMP included
    before, after = _by_uid(first)[changed], _by_uid(second)[changed]
    assert (before["sequence"], after["sequence"]) == (0, 1)  # type: ignore[index]
    assert after.decoded("dtstart") == moved  # type: ignore[attr-defined]
    assert after.decoded("dtstamp").date() == RUN_DATE + timedelta(days=1)  # type: ignore[attr-defined]


def test_a_closed_row_is_published_as_cancelled_for_sixty_days(tmp_path: Path) -> None:
    due = RUN_DATE + timedelta(days=10)
    _run(
        [_entry(2, Status.WAITING, Step.CHECK_IN, due, company="Delta Logistics")],
        RUN_DATE,
        tmp_path,
    )
    uid = event_uid(ABSOLUTE_TRACKER, 2, "Check-in")
    cancelled_on = RUN_DATE + timedelta(days=1)
    closed = [_entry(2, Status.CLOSED, None, None, company="Delta Logistics")]
    day_one = _run(closed, cancelled_on, tmp_path)
    event = _by_uid(day_one)[uid]
    assert str(event["status"]) == "CANCELLED" and event["sequence"] == 1  # type: ignore[index]
    assert str(event["summary"]) == "Check-in: Acme Corp (Jane Doe)".replace(
        "Acme Corp", "Delta Logistics"
    )  # type: ignore[index]
    assert event.decoded("dtstart") == due  # type: ignore[attr-defined]
    # the same bytes every day after, until 60 days have passed; then it is dropped
    for offset in (1, 30, 60):
        later = _run(closed, cancelled_on + timedelta(days=offset), tmp_path)
        assert _blocks(later)[uid] == _blocks(day_one)[uid]
    assert uid not in _blocks(_run(closed, cancelled_on + timedelta(days=61), tmp_path))


def test_an_event_whose_day_passed_is_not_cancelled(tmp_path: Path) -> None:
    _run([_entry(2, Status.DUE, Step.CHECK_IN, RUN_DATE)], RUN_DATE, tmp_path)
    tomorrow = _run(
        [_entry(2, Status.OVERDUE, Step.CHECK_IN, RUN_DATE)], RUN_DATE + timedelta(days=1), tmp_path
    )
    assert _events(tomorrow) == []


def test_a_step_sent_early_cancels_its_event_and_the_next_step_gets_one(tmp_path: Path) -> None:
    _run(
        [_entry(2, Status.WAITING, Step.CHECK_IN, RUN_DATE + timedelta(days=5))], RUN_DATE, tmp_path
    )
    reminder_due = RUN_DATE + timedelta(days=8)
    data = _run(
        [_entry(2, Status.WAITING, Step.REMINDER, reminder_due)],
        RUN_DATE + timedelta(days=1),
        tmp_path,
    )
    events = _by_uid(data)
    assert str(events[event_uid(ABSOLUTE_TRACKER, 2, "Check-in")]["status"]) == "CANCELLED"  # type: ignore[index]
    reminder = events[event_uid(ABSOLUTE_TRACKER, 2, "Reminder")]
    assert "status" not in reminder and reminder["sequence"] == 0  # type: ignore[operator,index]


def test_a_reopened_row_comes_back_with_a_higher_sequence(tmp_path: Path) -> None:
    due = RUN_DATE + timedelta(days=10)
    uid = event_uid(ABSOLUTE_TRACKER, 2, "Check-in")
    _run([_entry(2, Status.WAITING, Step.CHECK_IN, due)], RUN_DATE, tmp_path)
    _run([_entry(2, Status.CLOSED, None, None)], RUN_DATE + timedelta(days=1), tmp_path)
    back = _run(
        [_entry(2, Status.WAITING, Step.CHECK_IN, due)], RUN_DATE + timedelta(days=2), tmp_path
    )
    event = _by_uid(back)[uid]
    assert "status" not in event and event["sequence"] == 2  # type: ignore[operator,index]


def test_events_of_trackers_not_in_this_run_are_left_alone(tmp_path: Path) -> None:
    other = Path("/tmp/followup-tests/other.xlsx")
    due = RUN_DATE + timedelta(days=10)
    mine = _entry(2, Status.WAITING, Step.CHECK_IN, due)
    theirs = CalendarEntry(other, mine.row, mine.decision)
    record = tmp_path / PUBLISHED_NAME
    path = tmp_path / "followups.ics"
    write_calendar([mine, theirs], path, RUN_DATE, published=record, trackers=[TRACKER, other])
    # a later call for this tracker only: the other tracker's event is not cancelled
    write_calendar([mine], path, RUN_DATE + timedelta(days=1), published=record, trackers=[TRACKER])
    assert [str(e.get("status", "")) for e in _events(path.read_bytes())] == [""]
    assert event_uid(os.path.abspath(other), 2, "Check-in") in Published.load(record).events


def test_an_unreadable_record_means_nothing_was_published(tmp_path: Path) -> None:
    record = tmp_path / PUBLISHED_NAME
    entry = '[0, "20261201", 0, "20261123T090000Z", "abc", "", "Check-in"]'
    good = '{"version": 2, "trackers": ["/t.xlsx"], "events": {"x": ' + entry + "}}"
    record.write_text(good, encoding="utf-8")
    assert list(Published.load(record).events) == ["x"]
    for text in (
        "{not json",
        good.replace('"version": 2', '"version": 1'),
        '{"version": 2, "trackers": [], "events": []}',
        good.replace("[0,", "[1,"),  # no such tracker
        good.replace('["/t.xlsx"]', "[3]"),  # a tracker that is not a path
        good.replace(", 0,", ', "0",'),  # a sequence that is not a number
        good.replace(', ""', ""),  # a field missing
    ):
        record.write_text(text, encoding="utf-8")
        assert Published.load(record).events == {}, text


class CalendarModel:
    """A calendar program importing .ics files (RFC 5546 rules, as Outlook and Apple Calendar
    apply them): an event replaces the one with its UID unless it is older (lower SEQUENCE, or
    the same SEQUENCE and an older DTSTAMP); a cancelled event removes it."""

    def __init__(self) -> None:
        self.events: dict[str, tuple[int, datetime, date, str]] = {}

    def import_file(self, data: bytes) -> None:
        for event in _events(data):
            uid = str(event["uid"])
            version = (int(event.get("sequence", 0)), event.decoded("dtstamp"))
            known = self.events.get(uid)
            if known is not None and version < known[:2]:
                continue
            if str(event.get("status", "")).upper() == "CANCELLED":
                self.events.pop(uid, None)
            else:
                self.events[uid] = (*version, event.decoded("dtstart"), str(event["summary"]))

    def ahead(self, today: date) -> set[tuple[str, date, str]]:
        return {
            (uid, day, title) for uid, (_, _, day, title) in self.events.items() if day >= today
        }


def _active(data: bytes) -> set[tuple[str, date, str]]:
    return {
        (str(e["uid"]), e.decoded("dtstart"), str(e["summary"]))
        for e in _events(data)
        if str(e.get("status", "")).upper() != "CANCELLED"
    }


def _week() -> list[list[CalendarEntry]]:
    """Seven days of one tracker: rows that close, move, send a step early, reopen."""
    monday = RUN_DATE
    days = []
    for offset in range(7):
        today = monday + timedelta(days=offset)
        rows = []
        # row 2: a check-in due Thursday, untouched: due, then overdue (its day passes)
        thursday = monday + timedelta(days=3)
        status = (
            Status.WAITING
            if today < thursday
            else Status.DUE
            if today == thursday
            else Status.OVERDUE
        )
        rows.append(_entry(2, status, Step.CHECK_IN, thursday, company="Alpha"))
        # row 3: closes on Tuesday ("Delta Logistics" stays on the calendar otherwise)
        if offset < 1:
            rows.append(
                _entry(
                    3,
                    Status.WAITING,
                    Step.CHECK_IN,
                    monday + timedelta(days=7),
                    company="Delta Logistics",
                )
            )
        else:
            rows.append(_entry(3, Status.CLOSED, None, None, company="Delta Logistics"))
        # row 4: the employer gives a later date on Wednesday: the check-in moves
        due = monday + timedelta(days=4 if offset < 2 else 9)
        rows.append(_entry(4, Status.WAITING, Step.CHECK_IN, due, company="Gamma"))
        # row 5: the check-in goes out early on Thursday: a reminder follows
        if offset < 3:
            rows.append(
                _entry(
                    5, Status.WAITING, Step.CHECK_IN, monday + timedelta(days=8), company="Epsilon"
                )
            )
        else:
            rows.append(
                _entry(
                    5, Status.WAITING, Step.REMINDER, monday + timedelta(days=12), company="Epsilon"
                )
            )
        # row 6: closed on Tuesday by mistake, reopened on Friday
        closed = 1 <= offset < 4
        rows.append(
            _entry(6, Status.CLOSED, None, None, company="Zeta")
            if closed
            else _entry(
                6, Status.WAITING, Step.CHECK_IN, monday + timedelta(days=11), company="Zeta"
            )
        )
        days.append(rows)
    return days


def test_a_week_of_daily_files_keeps_an_importing_calendar_true(tmp_path: Path) -> None:
    model = CalendarModel()
    previous: dict[str, bytes] = {}
    kept = 0
    for offset, entries in enumerate(_week()):
        today = RUN_DATE + timedelta(days=offset)
        data = _run(entries, today, tmp_path)
        model.import_file(data)
        # what the calendar shows from today on is exactly today's plan: nothing stale
        assert model.ahead(today) == _active(data), today
        blocks = _blocks(data)
        for uid, block in previous.items():
            if uid in blocks and _sequence(blocks[uid]) == _sequence(block):
                assert blocks[uid] == block  # the same SEQUENCE means the same bytes
                kept += 1
        previous = blocks
    assert kept > 10  # most events are the same from one day to the next
    titles = {title for _, _, title in model.ahead(RUN_DATE + timedelta(days=6))}
    assert not any("Delta Logistics" in title for title in titles)
    assert any("Zeta" in title for title in titles)  # reopened, and back


def test_without_the_record_a_closed_row_would_stay_on_the_calendar(tmp_path: Path) -> None:
    """The model test can fail: the old calendar (no record) leaves the stale event."""
    model = CalendarModel()
    for offset, entries in enumerate(_week()[:2]):
        today = RUN_DATE + timedelta(days=offset)
        model.import_file(build_calendar(entries, today))
    stale = model.ahead(RUN_DATE + timedelta(days=1)) - _active(
        build_calendar(_week()[1], RUN_DATE + timedelta(days=1))
    )
    assert any("Delta Logistics" in title for _, _, title in stale)


def test_a_run_records_what_it_published_and_cancels_a_closed_row(tmp_path: Path) -> None:
    from tracker_helpers import build_tracker

    from batch.runner import RunOptions, run_trackers

    tracker = tmp_path / "tracker.xlsx"
    header = [
        "Company",
        "Contact",
        "Interview Date",
        "Thank-You Sent",
        "Reply Expected By",
        "Outcome",
    ]
    row = ["Delta Logistics", "Pat Kim", date(2026, 11, 18), date(2026, 11, 18), date(2026, 12, 1)]

    def run(day: date, outcome: str) -> bytes:
        build_tracker(tracker, header, [[*row, outcome]])
        (result,) = run_trackers([tracker], RunOptions(today=day))
        assert result.error is None
        return (tmp_path / "drafts" / day.isoformat() / "followups.ics").read_bytes()

    (planned,) = _events(run(RUN_DATE, "Interviewing"))
    assert str(planned["summary"]) == "Check-in: Delta Logistics (Pat Kim)"
    assert (tmp_path / "drafts" / PUBLISHED_NAME).is_file()
    (cancelled,) = _events(run(RUN_DATE + timedelta(days=1), "Rejected"))
    assert str(cancelled["uid"]) == str(planned["uid"])
    assert str(cancelled["status"]) == "CANCELLED" and cancelled["sequence"] == 1
