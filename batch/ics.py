"""The run's calendar: one .ics with the upcoming follow-up steps of every open row.

`build_calendar(entries, run_date) -> bytes` and `write_calendar(entries, path, run_date)
-> WriteOutcome` take `CalendarEntry(tracker, row, decision)` values, possibly from several
trackers. An all-day event is made for each open row (Upcoming, Due, Overdue or Waiting, with a
step) whose step is due from the run date to `WINDOW_DAYS` days after it; overdue steps are in the
drafts and the review page instead. Each event's UID is a hash of the tracker's path, the row
and the step, so importing a later run's calendar updates the event instead of duplicating it;
DTSTAMP is the run date at 09:00 UTC, so the same run gives the same bytes.

The text is written directly (RFC 5545: CRLF line ends, TEXT escaping, lines folded at 75
octets): the icalendar library took ~10 s for the ~26,000 events of a 100,000-row tracker.
The property order is the one icalendar used, so calendars keep the bytes they had.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from batch.manifest import WriteOutcome, atomic_write
from batch.model import CALENDAR_STATUSES, Decision, TrackerRow

WINDOW_DAYS = 60
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


def build_calendar(
    entries: Sequence[CalendarEntry], run_date: date, window_days: int = WINDOW_DAYS
) -> bytes:
    """The .ics bytes (deterministic for the same entries and run date)."""
    stamp = f"{_ical_date(run_date)}T090000Z"  # DTSTAMP in UTC: the run date at 09:00
    trackers: dict[Path, tuple[str, str]] = {}  # absolute path (for the UIDs) and file name
    days: dict[date, str] = {}  # a few dozen due dates over thousands of events
    parts = ["\r\n".join(_CALENDAR_HEAD) + "\r\n"]
    for entry in calendar_entries(entries, run_date, window_days):
        step, due = entry.decision.step, entry.decision.due
        assert step is not None and due is not None
        if entry.tracker not in trackers:
            trackers[entry.tracker] = (os.path.abspath(entry.tracker), entry.tracker.name)
        tracker, tracker_name = trackers[entry.tracker]
        if due not in days:
            days[due] = _all_day(due)
        summary = fold_line(f"SUMMARY:{escape_text(_summary(entry))}")
        description = fold_line(f"DESCRIPTION:{escape_text(_description(entry, tracker_name))}")
        # One event per string, properties in the order icalendar wrote them (so calendars
        # keep their bytes); TRANSPARENT: a to-do reminder, not a busy meeting.
        parts.append(
            f"BEGIN:VEVENT\r\n{summary}\r\n{days[due]}\r\nDTSTAMP:{stamp}\r\n"
            f"UID:{event_uid(tracker, entry.row.row, step)}\r\n{description}\r\n"
            "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")


def write_calendar(
    entries: Sequence[CalendarEntry],
    path: Path,
    run_date: date,
    window_days: int = WINDOW_DAYS,
) -> WriteOutcome:
    """Write the .ics atomically; an unchanged calendar is left alone."""
    content = build_calendar(entries, run_date, window_days)
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    if existed and path.read_bytes() == content:
        return WriteOutcome(path, path.name, "unchanged")
    atomic_write(path, content)
    return WriteOutcome(path, path.name, "updated" if existed else "written")
