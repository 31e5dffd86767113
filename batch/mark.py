"""`followup mark`: record a sent step, a reply or an outcome without typing dates by hand.

`mark_step(path, which, step, options)` writes the date (default: the run date) into the row's
Thank-You Sent, Check-In Sent, Reminder Sent or Reply Received cell, and `--outcome` text into
its Outcome cell; `mark_drafted(path, day, options)` marks every step the tool drafted for the
tracker on `day` as sent that day (the coach approved them all), found through the drafts
folder's manifest. The stages: under the run lock, read the tracker -> find the rows -> plan
the cells (only empty ones, unless `force`) -> save them as a run saves (lock, backup, atomic
replace) -> decide the rows again, as `followup run` would. Only these input cells are written;
the Follow-up columns are the next run's job. Nothing here prints: the CLI reports the result.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from batch.model import DEFAULT_HEADERS, Decision, FileProblem, Step, Tracker, TrackerRow

if TYPE_CHECKING:
    from batch.config import Config

# What each STEP argument records, and the input field it goes in.
STEP_FIELDS: dict[str, str] = {
    "thank-you": "thank_you_sent",
    "check-in": "checkin_sent",
    "reminder": "reminder_sent",
    "reply": "reply_date",
}
# An ambiguous company lists this many of its rows.
_LISTED_MATCHES = 8
# The sent cells a drafted step fills once it has gone out. A late thank-you that also
# checks in is both messages in one.
_DRAFTED_FIELDS: dict[Step, tuple[str, ...]] = {
    Step.THANK_YOU: ("thank_you_sent",),
    Step.THANK_YOU_AND_CHECK_IN: ("thank_you_sent", "checkin_sent"),
    Step.CHECK_IN: ("checkin_sent",),
    Step.REMINDER: ("reminder_sent",),
}


@dataclass(frozen=True)
class MarkOptions:
    day: date | None = None  # the date to write (default: the run date)
    outcome: str | None = None
    force: bool = False  # replace cells that already hold a value
    dry_run: bool = False
    today: date | None = None
    drafts_dir: Path | None = None
    config_path: Path | None = None
    sheet: str | None = None


class CellMark(NamedTuple):
    """One input cell mark writes (or would, or may not: `refused` says why not)."""

    row: int
    company: str
    field: str
    header: str  # the column as the user named it
    old: str  # what the cell holds now, as text ("" when empty)
    new: date | str
    refused: str = ""


@dataclass
class MarkResult:
    """What mark did to one tracker."""

    path: Path
    cells: list[CellMark] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # rows left alone, and why
    # each marked row, and each row whose decision follows from a marked neighbour: as it
    # was, and decided before and after the marks
    rows: list[tuple[TrackerRow, Decision, Decision]] = field(default_factory=list)
    written: bool = False
    backup: Path | None = None
    # input columns the tracker lacked, added (or, in a dry run, to be added): header, column
    added_columns: list[tuple[str, int]] = field(default_factory=list)

    @property
    def refused(self) -> list[CellMark]:
        return [cell for cell in self.cells if cell.refused]


# Plans the cells for one tracker: given it, the run date and the drafts folder.
_Planner = Callable[[Tracker, date, Path], tuple[list["CellMark"], list[str]]]


class MarkProblem(FileProblem):
    """A request mark cannot carry out (no such row, an ambiguous company, no such column)."""


def mark_step(path: Path, which: str, step: str | None, options: MarkOptions) -> MarkResult:
    """Record `step` ("thank-you", "check-in", "reminder" or "reply") for the row `which` (a
    row number or a company), and `options.outcome` when given."""
    field_name = STEP_FIELDS.get(step.strip().lower()) if step is not None else None
    if step is not None and field_name is None:
        raise MarkProblem(path, f"unknown step {step!r}: use one of {', '.join(STEP_FIELDS)}")

    def plan(tracker: Tracker, today: date, _drafts: Path) -> tuple[list[CellMark], list[str]]:
        row = find_row(tracker, which)
        day = options.day or today
        if day > today:
            raise MarkProblem(
                path,
                f"{day.isoformat()} is after today ({today.isoformat()}): nothing is sent "
                "or received in the future; give the day it happened",
            )
        cells = []
        if field_name is not None:
            column = field_name if options.force else _sent_column(row, field_name, day)
            cells.append(_cell(tracker, row, column, day, options.force))
        if options.outcome is not None and options.outcome.strip():
            cells.append(_cell(tracker, row, "outcome", options.outcome.strip(), options.force))
        return cells, []

    return _mark(path, options, plan)


def mark_drafted(path: Path, drafted: date, options: MarkOptions) -> MarkResult:
    """Mark every step drafted for this tracker on `drafted` as sent on that day."""

    def plan(tracker: Tracker, _today: date, drafts: Path) -> tuple[list[CellMark], list[str]]:
        found = drafted_steps(drafts, path, drafted)
        if not found:
            raise MarkProblem(
                path,
                f"no drafts of {drafted.isoformat()} for this tracker in {drafts}: "
                "check the date (and --drafts, if the run used it)",
            )
        rows = {row.row: row for row in tracker.rows}
        cells: list[CellMark] = []
        notes: list[str] = []
        for (number, step), base in sorted(found.items(), key=lambda item: item[0][0]):
            row = rows.get(number)
            if row is None or not _same_row(row, base):
                notes.append(
                    f"row {number}: no longer the row of draft {base} (rows moved?); "
                    f"mark it by row number"
                )
                continue
            for field_name in _DRAFTED_FIELDS[step]:
                column = field_name if options.force else _sent_column(row, field_name, drafted)
                cell = _cell(tracker, row, column, drafted, options.force)
                if cell.refused and isinstance(cell.old, str) and cell.old == _day(drafted):
                    continue  # already marked for that day
                cells.append(cell)
        return cells, notes

    return _mark(path, options, plan)


def drafted_steps(drafts: Path, tracker: Path, day: date) -> dict[tuple[int, Step], str]:
    """(row, step) -> file stem of each email drafted for `tracker` on `day`, from the drafts
    folder's manifest (which records who owns each file it wrote)."""
    from batch.drafts import STEP_KEYS
    from batch.manifest import recorded_files

    steps = {key: step for step, key in STEP_KEYS.items()}
    prefix = os.path.abspath(tracker) + "#"
    folder = day.isoformat() + "/"
    found: dict[tuple[int, Step], str] = {}
    for relative, entry in recorded_files(drafts).items():
        owner = entry.get("owner", "")
        if not (relative.startswith(folder) and relative.endswith(".eml")):
            continue
        if not owner.startswith(prefix):
            continue
        row_text, _, step_key = owner[len(prefix) :].partition("#")
        step = steps.get(step_key)
        if row_text.isdigit() and step is not None:
            found.setdefault((int(row_text), step), entry.get("base") or relative)
    return found


def _sent_column(row: TrackerRow, field_name: str, day: date) -> str:
    """Where a sent step is recorded. The one check-in after their reply goes in Reminder Sent
    when Check-In Sent already holds the check-in before it: the rules count a date there
    after the reply as that check-in (and sync fills the next empty sent column the same way).
    """
    checkin, reply = row.checkin_sent, row.reply_date
    if (
        field_name == "checkin_sent"
        and checkin is not None
        and reply is not None
        and checkin <= reply < day
        and row.reminder_sent is None
    ):
        return "reminder_sent"
    return field_name


def _same_row(row: TrackerRow, base: str) -> bool:
    """Whether a draft's file stem still fits the row: its company is in the name. (A row
    inserted above would otherwise mark the wrong interview.)"""
    from batch.drafts import safe_slug

    company = safe_slug(row.company)
    return not company or f"-{company}-" in f"-{base}-"


def find_row(tracker: Tracker, which: str) -> TrackerRow:
    """The row `which` names: a row number as the spreadsheet shows it, or a company (the
    whole name, or a part of it that only one row has)."""
    text = " ".join(which.split())
    if text.isdigit():
        number = int(text)
        row = next((r for r in tracker.rows if r.row == number), None)
        if row is None:
            first, last = tracker.rows[0].row if tracker.rows else 0, tracker.header_row
            last = tracker.rows[-1].row if tracker.rows else last
            raise MarkProblem(
                tracker.path,
                f"row {number} is not an interview row (those are rows {first}-{last})",
            )
        return row
    wanted = text.casefold()
    companies = [(row, " ".join((row.company or "").split()).casefold()) for row in tracker.rows]
    matches = [row for row, company in companies if company == wanted]
    if not matches:
        matches = [row for row, company in companies if wanted and wanted in company]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise MarkProblem(tracker.path, f"no row's company is {text!r}: give the row number")
    listed = "; ".join(_describe(row) for row in matches[:_LISTED_MATCHES])
    if len(matches) > _LISTED_MATCHES:
        listed += f"; and {len(matches) - _LISTED_MATCHES} more"
    raise MarkProblem(
        tracker.path, f"{text!r} matches {len(matches)} rows: {listed}; give the row number"
    )


def _describe(row: TrackerRow) -> str:
    details = [part for part in (row.candidate, row.role) if part]
    if row.interview_date:
        details.append(f"interview {_day(row.interview_date)}")
    return f"row {row.row} {row.company}" + (f" ({', '.join(details)})" if details else "")


def _day(value: date) -> str:
    return value.isoformat()


def _cell(
    tracker: Tracker, row: TrackerRow, field_name: str, new: date | str, force: bool
) -> CellMark:
    header = row.header(field_name)
    old = _current_text(row, field_name)
    refused = ""
    if old and not force and old != (_day(new) if isinstance(new, date) else new):
        refused = f"already holds {old!r}: use --force to replace it"
    return CellMark(row.row, row.company or "", field_name, header, old, new, refused)


def _current_text(row: TrackerRow, field_name: str) -> str:
    """The cell's value as text; an unreadable value counts as filled (its problem says it)."""
    value = getattr(row, field_name)
    if isinstance(value, date):
        return _day(value)
    if value is not None:
        return str(value)
    header = row.header(field_name)
    for problem in row.problems:
        if problem.column == header:
            return problem.message
    return ""


def _mark(
    path: Path,
    options: MarkOptions,
    plan: _Planner,
) -> MarkResult:
    from batch.runner import (
        RunOptions,
        decide_rows,
        drafts_root,
        read_tracker_file,
        run_settings,
    )
    from batch.safe_save import check_not_open, check_writable
    from batch.tracker_format import open_tracker

    run_options = RunOptions(
        today=options.today,
        drafts_dir=options.drafts_dir,
        config_path=options.config_path,
        dry_run=options.dry_run,
        sheet=options.sheet,
    )
    config, today = run_settings(path, run_options)
    result = MarkResult(path)
    if not options.dry_run:
        check_not_open(path)
        check_writable(path)
    # Read under the lock: a run or a sync in between would otherwise be overwritten.
    with (
        _locked(path, not options.dry_run),
        open_tracker(path, writing=not options.dry_run) as workbook,
    ):
        tracker = read_tracker_file(workbook, config, run_options)
        cells, notes = plan(tracker, today, drafts_root(path, config, run_options))
        result.cells, result.notes = cells, notes
        writes = [cell for cell in cells if not cell.refused and cell.old != _text(cell.new)]
        changed = {cell.row for cell in writes}
        # The whole tracker is decided again, not just the marked rows: a row's decision may
        # depend on its neighbours (a later round at the same company, the same contact).
        marked = tuple(
            _marked_row(row, writes) if row.row in changed else row for row in tracker.rows
        )
        before = decide_rows(tracker, today, config)
        after = decide_rows(dataclasses.replace(tracker, rows=marked), today, config)
        result.rows = [
            (row, old, new)
            for (row, old), (_, new) in zip(before, after, strict=True)
            if row.row in changed or old != new  # a neighbour's decision may follow it
        ]
        missing = list(dict.fromkeys(c.field for c in writes if c.field not in tracker.columns))
        if missing:
            _add_columns(tracker, missing, config, options, result)
            if not options.dry_run:  # the file changed: read it again, with its new columns
                tracker = read_tracker_file(workbook, config, run_options)
        if writes and not options.dry_run:
            edits = [(cell.row, tracker.columns[cell.field][1], cell.new) for cell in writes]
            result.backup = workbook.save(tracker, edits)
            result.written = result.backup is not None
    return result


def _add_columns(
    tracker: Tracker, fields: list[str], config: Config, options: MarkOptions, result: MarkResult
) -> None:
    """Give the tracker the input columns it lacks, losslessly, as `followup adopt` does (a
    dry run only says where they would go)."""
    from batch.adopt import add_input_columns

    added = add_input_columns(
        tracker.path,
        fields,
        sheet=tracker.sheet_name,
        column_overrides=config.columns,
        date_order=config.policy.date_order,
        dry_run=options.dry_run,
    )
    result.added_columns = [(DEFAULT_HEADERS[name], added.columns[name]) for name in added.added]


def _text(value: date | str) -> str:
    return _day(value) if isinstance(value, date) else value


def _marked_row(row: TrackerRow, writes: Sequence[CellMark]) -> TrackerRow:
    """The row as it reads once the marks are written (an unreadable value they replace no
    longer makes it need attention)."""
    changes: dict[str, Any] = {cell.field: cell.new for cell in writes if cell.row == row.row}
    headers = {row.header(name) for name in changes}
    problems = tuple(p for p in row.problems if p.column not in headers)
    return dataclasses.replace(row, problems=problems, **changes)


@contextmanager
def _locked(path: Path, locking: bool) -> Iterator[None]:
    """The tracker's run lock, as a run holds it (a dry run writes nothing, so needs none)."""
    if not locking:
        yield
        return
    from batch.safe_save import run_lock

    with run_lock(path):
        yield
