"""`followup sync`: fill the tracker's sent and reply dates from the mailbox.

The stages: read each tracker -> read the mailbox's headers once -> match messages to rows
(`mail_matching`) -> plan the empty cells they fill -> decide the changed rows again as a run
would -> write the filled cells back with the same lock, backup and atomic save as a run.
Only the sent and reply date cells are written, and only empty ones; the Follow-up columns
are the next `followup run`'s job. Nothing here prints; the CLI reports what it returns.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from batch.config import Config
from batch.files import file_stage
from batch.mail_matching import (
    FILLED_FIELDS,
    CellFill,
    dedupe,
    filled_row,
    match_messages,
    plan_fills,
)
from batch.mailbox_sources import MailboxRead, MailMessage
from batch.model import Decision, FileProblem, RowProblem, Step, Tracker, TrackerRow
from batch.policy import zone_for
from batch.runner import RunOptions, decide_rows, drafts_root, read_tracker_file, run_settings
from batch.tracker_format import open_tracker

# Reads the mailbox: given the earliest day that can matter (None: everything).
MailboxReader = Callable[[date | None], MailboxRead]


@dataclass(frozen=True)
class SyncOptions:
    today: date | None = None
    since: date | None = None
    drafts_dir: Path | None = None
    config_path: Path | None = None
    sheet: str | None = None
    dry_run: bool = False

    def run_options(self) -> RunOptions:
        """The options a run would take for the same trackers (config, sheet, drafts)."""
        return RunOptions(
            today=self.today,
            drafts_dir=self.drafts_dir,
            config_path=self.config_path,
            dry_run=self.dry_run,
            sheet=self.sheet,
        )


class RowChange(NamedTuple):
    """One row the mailbox changes: the cells filled, and the decision before and after."""

    row: TrackerRow
    fills: tuple[CellFill, ...]
    before: Decision
    after: Decision


@dataclass
class SyncResult:
    """What a sync did to one tracker. `error` set means nothing was written for it."""

    path: Path
    today: date | None = None
    error: str | None = None
    changes: list[RowChange] = field(default_factory=list)
    conflicts: list[RowProblem] = field(default_factory=list)
    # fields with a date to fill but no column: added right of the table (`followup adopt`'s
    # way), or in a dry run, would be
    new_columns: tuple[str, ...] = ()
    matched: int = 0  # messages that belong to a row
    skipped: Counter[str] = field(default_factory=Counter)  # why other messages do not count
    written: bool = False
    backup: Path | None = None

    @property
    def filled_cells(self) -> int:
        return sum(len(change.fills) for change in self.changes)

    @property
    def filled_rows(self) -> int:
        return sum(1 for change in self.changes if change.fills)


@dataclass
class SyncRun:
    """The whole sync: the mailbox read once, and one result per tracker."""

    mailbox: MailboxRead
    results: list[SyncResult]
    duplicates: int = 0


class _Loaded(NamedTuple):
    config: Config
    tracker: Tracker
    today: date


def sync_trackers(
    paths: Sequence[Path], read_mailbox: MailboxReader, options: SyncOptions
) -> SyncRun:
    """Sync each tracker from one reading of the mailbox.

    A tracker that cannot be read or written gets an error result and the others go on; a
    mailbox that cannot be read raises MailboxProblem (then nothing is written anywhere).
    """
    results = [SyncResult(path) for path in paths]
    loaded: dict[int, _Loaded] = {}
    for number, result in enumerate(results):
        try:
            loaded[number] = _load(result.path, options)
        except FileProblem as problem:
            result.error = str(problem)
        else:
            result.today = loaded[number].today
    mailbox = read_mailbox(options.since or _earliest_interview(loaded.values()))
    messages, duplicates = dedupe(mailbox.messages)
    run = SyncRun(mailbox, results, duplicates)
    own = _own_addresses(mailbox.messages, loaded.values()) | mailbox.own_addresses
    for number, result in enumerate(results):
        if number not in loaded:
            continue
        try:
            if options.dry_run:
                _sync_one(loaded[number], messages, own, options, result)
            else:
                _sync_and_save(loaded[number], messages, own, options, result)
        except FileProblem as problem:
            result.error = str(problem)
    return run


def _load(path: Path, options: SyncOptions) -> _Loaded:
    """A tracker's settings and rows, read only (to know which mail can matter)."""
    config, today = run_settings(path, options.run_options())
    with open_tracker(path, writing=False) as workbook:
        tracker = read_tracker_file(workbook, config, options.run_options())
    return _Loaded(config, tracker, today)


def _sync_and_save(
    loaded: _Loaded,
    messages: Sequence[MailMessage],
    own: frozenset[str],
    options: SyncOptions,
    result: SyncResult,
) -> None:
    """Under the run lock, read the tracker again (it may have changed since it was first
    read), fill it from the mail, and save it as a run saves. A date column the tracker
    lacks is added first, as `followup adopt` adds it, and the tracker is read once more."""
    from batch.safe_save import check_not_open, check_writable, run_lock

    path = loaded.tracker.path
    check_not_open(path)
    check_writable(path)
    with run_lock(path):
        if _fill_and_save(loaded, messages, own, options, result):
            return
        from batch.adopt import add_input_columns

        added = result.new_columns
        columns = add_input_columns(
            path,
            added,
            sheet=loaded.tracker.sheet_name,
            column_overrides=loaded.config.columns,
            date_order=loaded.config.policy.date_order,
        )
        _fill_and_save(loaded, messages, own, options, result)
        result.new_columns = added
        # The version from before the sync touched anything is the one to restore.
        if columns.backup is not None:
            result.backup, result.written = columns.backup, True


def _fill_and_save(
    loaded: _Loaded,
    messages: Sequence[MailMessage],
    own: frozenset[str],
    options: SyncOptions,
    result: SyncResult,
) -> bool:
    """Read the tracker, plan the fills and save them; False (nothing saved) when a column
    they need is missing."""
    path = loaded.tracker.path
    with open_tracker(path, writing=True) as workbook:
        with file_stage("reading the tracker", path):
            tracker = read_tracker_file(workbook, loaded.config, options.run_options())
        _sync_one(loaded._replace(tracker=tracker), messages, own, options, result)
        if result.new_columns:
            return False
        if result.changes:
            cells = [
                (fill.row, tracker.columns[fill.field][1], fill.day)
                for change in result.changes
                for fill in change.fills
            ]
            result.backup = workbook.save(tracker, cells)
            result.written = result.backup is not None
    return True


def _earliest_interview(loaded: Iterable[_Loaded]) -> date | None:
    """Mail from before every interview cannot count, so it need not be read at all."""
    days = [
        row.interview_date
        for item in loaded
        for row in item.tracker.rows
        if row.interview_date is not None
    ]
    return min(days, default=None)


def _own_addresses(messages: Sequence[MailMessage], loaded: Iterable[_Loaded]) -> frozenset[str]:
    """The mailbox owner's addresses: whoever sent the sent folder's mail, and the configs'
    `[sender] email`."""
    own = {m.sender for m in messages if m.folder == "sent" and m.sender}
    for item in loaded:
        email = item.config.sender.email
        if email:
            own.add(email.strip().lower())
    return frozenset(own)


def draft_message_ids(drafts_dir: Path, tracker: Path) -> dict[str, tuple[int, Step]]:
    """The Message-ID of each email draft the tool wrote for `tracker`, with its row and step,
    from the drafts folder's manifest and the .eml files it records."""
    from batch.drafts import STEP_KEYS
    from batch.mailbox_sources import parse_headers
    from batch.manifest import recorded_files

    steps = {key: step for step, key in STEP_KEYS.items()}
    prefix = os.path.abspath(tracker) + "#"
    found: dict[str, tuple[int, Step]] = {}
    for relative, entry in recorded_files(drafts_dir).items():
        owner = entry.get("owner", "")
        if not relative.endswith(".eml") or not owner.startswith(prefix):
            continue
        row_text, _, step_key = owner[len(prefix) :].partition("#")
        step = steps.get(step_key)
        if not row_text.isdigit() or step is None:
            continue
        try:
            with open(drafts_dir / relative, "rb") as handle:
                header = handle.read(16384).split(b"\r\n\r\n", 1)[0]
        except OSError:
            continue  # moved or deleted since: it cannot be matched by its id
        message_id = parse_headers(header, "sent").message_id
        if message_id:
            found[message_id] = (int(row_text), step)
    return found


def _sync_one(
    loaded: _Loaded,
    messages: Sequence[MailMessage],
    own: frozenset[str],
    options: SyncOptions,
    result: SyncResult,
) -> None:
    config, tracker, today = loaded
    folder = drafts_root(tracker.path, config, options.run_options())
    matched = match_messages(
        tracker.rows,
        messages,
        zone=zone_for(config.policy.timezone) if config.policy.timezone else None,
        today=today,
        drafts=draft_message_ids(folder, tracker.path),
        own_addresses=own,
    )
    result.skipped = matched.skipped
    result.conflicts = []
    result.matched = sum(len(items) for items in matched.by_row.values())
    rows_by_number = {row.row: row for row in tracker.rows}
    filled: list[tuple[TrackerRow, tuple[CellFill, ...]]] = []
    for number, items in matched.by_row.items():
        row = rows_by_number[number]
        planned = plan_fills(row, items, options.since)
        result.conflicts.extend(planned.conflicts)
        if planned.fills:
            filled.append((row, planned.fills))
    filled.sort(key=lambda pair: pair[0].row)
    result.conflicts.sort(key=lambda problem: problem.row)
    result.changes = _decided_again(tracker, filled, today, config)
    needed = {fill.field for _, fills in filled for fill in fills}
    result.new_columns = tuple(
        name for name in FILLED_FIELDS if name in needed and name not in tracker.columns
    )


def _decided_again(
    tracker: Tracker,
    filled: Sequence[tuple[TrackerRow, tuple[CellFill, ...]]],
    today: date,
    config: Config,
) -> list[RowChange]:
    """The whole tracker decided before and after the fills, as `followup run` decides it
    (some rules read rows together: rounds, one message per person). Every filled row is
    listed, and any other row whose decision the fills changed."""
    if not filled:
        return []
    fills_by_row = {row.row: fills for row, fills in filled}
    after_rows = tuple(
        filled_row(row, fills_by_row[row.row]) if row.row in fills_by_row else row
        for row in tracker.rows
    )
    before = decide_rows(tracker, today, config)
    after = decide_rows(dataclasses.replace(tracker, rows=after_rows), today, config)
    return [
        RowChange(row, fills_by_row.get(row.row, ()), old, new)
        for (row, old), (_, new) in zip(before, after, strict=True)
        if row.row in fills_by_row or old != new
    ]
