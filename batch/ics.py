"""The run's calendar: one .ics with the upcoming follow-up steps of every open row.

`build_calendar(entries, run_date) -> bytes` and `write_calendar(entries, path, run_date)
-> WriteOutcome` take `CalendarEntry(tracker, row, decision)` values, possibly from several
trackers. An all-day event is made for each open row (Upcoming, Due, Overdue or Waiting, with a
step) whose step is due from the run date to `WINDOW_DAYS` days after it; overdue steps are in the
drafts and the review page instead. Each event's UID is a hash of the tracker's path, the row
and the step, so importing a later run's calendar updates the event instead of duplicating it.

A calendar that stays true needs to know what it published before: with `published` (a small
record beside the drafts manifest, `PUBLISHED_NAME`), an event whose text or date changed gets
a higher SEQUENCE, and an event that was published but whose row closed or whose step moved on
(the check-in was sent, the row was closed) is published again as STATUS:CANCELLED with a
higher SEQUENCE for `WINDOW_DAYS` days, so a calendar that imports the file removes it. An
unchanged event keeps its bytes, DTSTAMP included (the day it last changed). An event whose day
simply passed is dropped quietly: it is history, not a mistake. Without a record, every event
has SEQUENCE 0 and DTSTAMP the run date at 09:00 UTC, so the same run gives the same bytes.

The text is written directly (RFC 5545: CRLF line ends, TEXT escaping, lines folded at 75
octets): the icalendar library was far too slow for the events of a 100,000-row tracker.
The tests parse every calendar back with icalendar.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from batch.manifest import WriteOutcome, write_if_changed
from batch.model import CALENDAR_STATUSES, Decision, TrackerRow

WINDOW_DAYS = 60
# The record of published events, in the drafts folder beside the manifest.
PUBLISHED_NAME = ".followup-calendar.json"
_CANCELLED_DESCRIPTION = (
    "Cancelled: the row closed or its next step changed since this was planned."
)
_PUBLISHED_VERSION = 2
_UID_DOMAIN = "followup.invalid"
# RFC 5545 section 3.1: a content line longer than 75 octets is folded. A segment holds at most
# 74 octets, so a continuation line (one space, then the segment) stays within 75 too.
_FOLD_OCTETS = 74
_CALENDAR_HEAD = (
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//followup//follow-up planner//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:Interview follow-ups",
)


@dataclass(frozen=True)
class CalendarEntry:
    tracker: Path
    row: TrackerRow
    decision: Decision


def event_uid(absolute_tracker: str, row: int, step: str) -> str:
    """Stable across runs: the same tracker row and step always get the same UID.

    `absolute_tracker` is the tracker's `os.path.abspath`, worked out once per tracker."""
    key = f"{absolute_tracker}\n{row}\n{step}"
    # hex digits, "@" and the domain: nothing that TEXT escaping or folding would change
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{_UID_DOMAIN}"


def _summary(entry: CalendarEntry) -> str:
    step = entry.decision.step
    assert step is not None
    row = entry.row
    who = row.candidate or row.contact_name
    company = row.company or "(no company)"
    summary = f"{step}: {company} ({who})" if who else f"{step}: {company}"
    return " ".join(summary.split())  # one line in the calendar's list view


def _description(entry: CalendarEntry, tracker_name: str) -> str:
    row = entry.row
    lines = [entry.decision.reason]
    if row.role:
        lines.append(f"Role: {row.role}")
    name, email = row.contact_name, row.contact_email
    if name or email:
        lines.append(f"Contact: {name} {email}" if name and email else f"Contact: {name or email}")
    if row.contact_phone:
        lines.append(f"Phone: {row.contact_phone}")
    lines.append(f"Tracker: {tracker_name}, row {row.row}")
    return "\n".join(lines)


def calendar_entries(
    entries: Sequence[CalendarEntry], run_date: date, window_days: int = WINDOW_DAYS
) -> list[CalendarEntry]:
    """The entries that get an event, in calendar order (due date, tracker, row)."""
    last = run_date + timedelta(days=window_days)
    chosen = [entry for entry in entries if _in_window(entry.decision, run_date, last)]
    return sorted(chosen, key=lambda e: (e.decision.due, str(e.tracker), e.row.row))


def gets_event(decision: Decision, run_date: date, window_days: int = WINDOW_DAYS) -> bool:
    """Whether a row with this decision gets an event in the run date's calendar."""
    return _in_window(decision, run_date, run_date + timedelta(days=window_days))


def _in_window(decision: Decision, run_date: date, last: date) -> bool:
    due = decision.due  # most rows have none: the cheapest test first
    return (
        due is not None
        and run_date <= due <= last
        and decision.step is not None
        and decision.status in CALENDAR_STATUSES
    )


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 section 3.3.11): backslash, ";" and "," escaped; breaks as \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _starts_escape(data: bytes, index: int) -> bool:
    """True when the byte at `index` is a backslash that escapes the byte after it.

    In escaped TEXT a run of backslashes is read in pairs ("\\\\" is one backslash), so the last
    one of the run starts an escape only when the run is odd.
    """
    run = 0
    while index - run >= 0 and data[index - run] == 0x5C:
        run += 1
    return run % 2 == 1


def fold_line(line: str) -> str:
    """One content line folded (CRLF + space) so no physical line exceeds 75 octets of UTF-8.

    A fold never splits a UTF-8 sequence, and never separates a backslash from the character
    it escapes (some calendar programs misread that).
    """
    if len(line) <= _FOLD_OCTETS and line.isascii():
        return line  # most lines: nothing to fold, and no need to encode them to know it
    data = line.encode("utf-8")
    segments = []
    start = 0
    while len(data) - start > _FOLD_OCTETS:
        end = start + _FOLD_OCTETS
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: fold before its sequence
            end -= 1
        if data[end - 1] == 0x5C and end - 1 > start and _starts_escape(data, end - 1):
            end -= 1  # the backslash goes on the next line, with the character it escapes
        segments.append(data[start:end])
        start = end
    segments.append(data[start:])
    return b"\r\n ".join(segments).decode("utf-8")


def _ical_date(day: date) -> str:
    return day.isoformat().replace("-", "")  # 20261123; much faster than strftime


def _all_day(day: date) -> str:
    """DTSTART and DTEND of an all-day event (DTEND is the day after: RFC 5545 3.6.1)."""
    following = _ical_date(day + timedelta(days=1))
    return f"DTSTART;VALUE=DATE:{_ical_date(day)}\r\nDTEND;VALUE=DATE:{following}"


class _Record(NamedTuple):
    """One published event, as the record keeps it (a JSON list, to keep a big record small).

    `day` and `cancelled` are YYYYMMDD, `stamp` the DTSTAMP published, `digest` a hash of the
    event's day and text; `summary` is kept to publish the cancellation under the same title.
    """

    tracker: int  # an index into `Published.trackers`
    day: str
    sequence: int
    stamp: str
    digest: str
    cancelled: str  # "" while the event stands
    summary: str


# The types of a record's fields, as JSON gives them back.
_RECORD_TYPES = (int, str, int, str, str, str, str)


@dataclass
class Published:
    """What earlier runs published: the trackers' absolute paths, and the events by UID."""

    trackers: list[str] = field(default_factory=list)
    events: dict[str, _Record] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Published:
        """The record at `path`; missing or unreadable means nothing was published."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("version") != _PUBLISHED_VERSION:
            return cls()
        trackers, events = data.get("trackers"), data.get("events")
        if not isinstance(trackers, list) or not isinstance(events, dict):
            return cls()
        if not all(isinstance(tracker, str) for tracker in trackers):
            return cls()
        count = len(trackers)
        return cls(
            trackers,
            {
                uid: _Record._make(entry)
                for uid, entry in events.items()
                if type(entry) is list
                and tuple(map(type, entry)) == _RECORD_TYPES
                and 0 <= entry[0] < count
            },
        )

    def tracker_index(self, absolute_tracker: str) -> int:
        if absolute_tracker not in self.trackers:
            self.trackers.append(absolute_tracker)
        return self.trackers.index(absolute_tracker)

    def text(self) -> str:
        data = {"version": _PUBLISHED_VERSION, "trackers": self.trackers, "events": self.events}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _event(
    summary: str,
    dates: str,
    stamp: str,
    uid: str,
    sequence: int,
    description: str,
    cancelled: bool = False,
) -> str:
    status = "STATUS:CANCELLED\r\n" if cancelled else ""
    # Properties in the order icalendar wrote them; TRANSPARENT: a to-do reminder, not a
    # busy meeting.
    return (
        f"BEGIN:VEVENT\r\n{summary}\r\n{dates}\r\nDTSTAMP:{stamp}\r\n"
        f"UID:{uid}\r\nSEQUENCE:{sequence}\r\n{status}{description}\r\n"
        "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
    )


def build_calendar(
    entries: Sequence[CalendarEntry],
    run_date: date,
    window_days: int = WINDOW_DAYS,
    published: Published | None = None,
    trackers: Iterable[Path] = (),
) -> bytes:
    """The .ics bytes (deterministic for the same entries, run date and record).

    With `published`, the record is updated in place: SEQUENCE and DTSTAMP carried over or
    raised, and the events of `trackers` (and of the entries' trackers) that are no longer
    there published as cancelled. Events of other trackers in the record are left alone.
    """
    run_stamp = f"{_ical_date(run_date)}T090000Z"  # DTSTAMP in UTC: the run date at 09:00
    record = published.events if published is not None else None
    # per tracker: absolute path (for the UIDs), file name, index in the record
    absolute: dict[Path, tuple[str, str, int]] = {}

    def tracker_of(path: Path) -> tuple[str, str, int]:
        found = absolute.get(path)
        if found is None:
            full = os.path.abspath(path)
            index = published.tracker_index(full) if published is not None else -1
            found = absolute[path] = (full, path.name, index)
        return found

    for path in trackers:
        tracker_of(path)
    # a few dozen due dates over thousands of events: (YYYYMMDD, DTSTART and DTEND)
    days: dict[date, tuple[str, str]] = {}
    parts = ["\r\n".join(_CALENDAR_HEAD) + "\r\n"]
    current: set[str] = set()
    for entry in calendar_entries(entries, run_date, window_days):
        step, due = entry.decision.step, entry.decision.due
        assert step is not None and due is not None
        tracker, tracker_name, index = tracker_of(entry.tracker)
        day_found = days.get(due)
        if day_found is None:
            day_found = days[due] = (_ical_date(due), _all_day(due))
        day, dates = day_found
        title = _summary(entry)
        summary = fold_line(f"SUMMARY:{escape_text(title)}")
        description = fold_line(f"DESCRIPTION:{escape_text(_description(entry, tracker_name))}")
        uid = event_uid(tracker, entry.row.row, step)
        sequence, stamp = 0, run_stamp
        if record is not None:
            current.add(uid)
            text = f"{day}\n{summary}\n{description}".encode()
            digest = hashlib.sha256(text).hexdigest()[:16]
            sequence, stamp = _carry_over(record.get(uid), digest, run_stamp)
            record[uid] = _Record(index, day, sequence, stamp, digest, "", title)
        parts.append(_event(summary, dates, stamp, uid, sequence, description))
    if record is not None:
        ours = {index for _, _, index in absolute.values()}
        parts += _cancelled(record, current, ours, run_date, run_stamp, window_days)
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")


def _carry_over(before: _Record | None, digest: str, run_stamp: str) -> tuple[int, str]:
    """SEQUENCE and DTSTAMP to publish an event with: kept when nothing changed, raised when it
    moved, was reworded or is back after a cancellation (`digest`: of its day and text)."""
    if before is None:
        return 0, run_stamp
    if before.digest == digest and not before.cancelled:
        return before.sequence, before.stamp
    return before.sequence + 1, run_stamp


def _cancelled(
    record: dict[str, _Record],
    current: set[str],
    trackers: set[int],
    run_date: date,
    run_stamp: str,
    window_days: int,
) -> list[str]:
    """The cancelled events to publish (again), in UID order; the record is updated."""
    today = _ical_date(run_date)
    keep_from = _ical_date(run_date - timedelta(days=window_days))
    events = []
    for uid in sorted(record.keys() - current):
        before = record[uid]
        if before.tracker not in trackers:
            continue  # another tracker's, not in this run: not ours to judge
        if not before.cancelled:
            if before.day < today:
                del record[uid]  # its day passed: it is history, not a stale plan
                continue
            before = record[uid] = before._replace(
                sequence=before.sequence + 1, stamp=run_stamp, cancelled=today
            )
        elif before.cancelled < keep_from:
            del record[uid]  # cancelled long enough ago for every calendar to have seen it
            continue
        events.append(_cancelled_event(uid, before))
    return events


def _cancelled_event(uid: str, before: _Record) -> str:
    """The event as published before, marked cancelled (same bytes on every run after)."""
    summary = fold_line(f"SUMMARY:{escape_text(before.summary or 'Follow-up')}")
    description = fold_line(f"DESCRIPTION:{escape_text(_CANCELLED_DESCRIPTION)}")
    day = date(int(before.day[:4]), int(before.day[4:6]), int(before.day[6:]))
    return _event(summary, _all_day(day), before.stamp, uid, before.sequence, description, True)


def write_calendar(
    entries: Sequence[CalendarEntry],
    path: Path,
    run_date: date,
    window_days: int = WINDOW_DAYS,
    published: Path | None = None,
    trackers: Iterable[Path] = (),
) -> WriteOutcome:
    """Write the .ics atomically; an unchanged calendar is left alone.

    `published` is the record of what earlier runs published (see `Published`), read and
    then updated after the calendar is written; `trackers` are the trackers of this run,
    whose vanished events are cancelled.
    """
    record = Published.load(published) if published is not None else None
    content = build_calendar(entries, run_date, window_days, record, trackers)
    outcome = write_if_changed(path, content)
    if published is not None and record is not None:
        write_if_changed(published, record.text().encode("utf-8"))
    return outcome
