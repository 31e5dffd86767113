"""The run's calendar: one .ics with the upcoming follow-up steps of every open row.

`build_calendar(entries, run_date) -> bytes` and `write_calendar(entries, path, run_date)
-> WriteOutcome` take `CalendarEntry(tracker, row, decision)` values, possibly from several
trackers. An all-day event is made for each open row (Upcoming, Due, Overdue or Waiting, with a
step) whose step is due from the run date to `WINDOW_DAYS` days after it; overdue steps are in the
drafts and the review page instead. Each event's UID is a hash of the tracker's path, the row
and the step, so importing a later run's calendar updates the event instead of duplicating it;
DTSTAMP is the run date at 09:00 UTC, so the same run gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from batch.manifest import WriteOutcome, atomic_write, sha256_of
from batch.model import Decision, Status, TrackerRow

WINDOW_DAYS = 60
_OPEN = (Status.UPCOMING, Status.DUE, Status.OVERDUE, Status.WAITING)
_UID_DOMAIN = "followup.invalid"


@dataclass(frozen=True)
class CalendarEntry:
    tracker: Path
    row: TrackerRow
    decision: Decision


def event_uid(tracker: Path, row: int, step: str) -> str:
    """Stable across runs: the same tracker row and step always get the same UID."""
    key = f"{os.path.abspath(tracker)}\n{row}\n{step}"
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{_UID_DOMAIN}"


def _summary(entry: CalendarEntry) -> str:
    step = entry.decision.step
    assert step is not None
    row = entry.row
    who = row.candidate or row.contact_name
    company = row.company or "(no company)"
    summary = f"{step.value}: {company}" + (f" ({who})" if who else "")
    return " ".join(summary.split())  # one line in the calendar's list view


def _description(entry: CalendarEntry) -> str:
    row = entry.row
    lines = [entry.decision.reason]
    if row.role:
        lines.append(f"Role: {row.role}")
    contact = " ".join(part for part in (row.contact_name, row.contact_email) if part)
    if contact:
        lines.append(f"Contact: {contact}")
    if row.contact_phone:
        lines.append(f"Phone: {row.contact_phone}")
    lines.append(f"Tracker: {entry.tracker.name}, row {row.row}")
    return "\n".join(lines)


def calendar_entries(
    entries: Sequence[CalendarEntry], run_date: date, window_days: int = WINDOW_DAYS
) -> list[CalendarEntry]:
    """The entries that get an event, in calendar order (due date, tracker, row)."""
    last = run_date + timedelta(days=window_days)
    chosen = [
        entry
        for entry in entries
        if entry.decision.status in _OPEN
        and entry.decision.step is not None
        and entry.decision.due is not None
        and run_date <= entry.decision.due <= last
    ]
    return sorted(chosen, key=lambda e: (e.decision.due, str(e.tracker), e.row.row))


def build_calendar(
    entries: Sequence[CalendarEntry], run_date: date, window_days: int = WINDOW_DAYS
) -> bytes:
    """The .ics bytes (deterministic for the same entries and run date)."""
    calendar = Calendar()
    calendar.add("prodid", "-//followup//follow-up planner//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Interview follow-ups")
    stamp = datetime.combine(run_date, time(9, 0), tzinfo=UTC)
    for entry in calendar_entries(entries, run_date, window_days):
        step, due = entry.decision.step, entry.decision.due
        assert step is not None and due is not None
        event = Event()
        event.add("uid", event_uid(entry.tracker, entry.row.row, step.value))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", _summary(entry))
        event.add("description", _description(entry))
        event.add("transp", "TRANSPARENT")  # a to-do reminder, not a busy meeting
        calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content


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
    if existed and sha256_of(path.read_bytes()) == sha256_of(content):
        return WriteOutcome(path, path.name, "unchanged")
    atomic_write(path, content)
    return WriteOutcome(path, path.name, "updated" if existed else "written")
