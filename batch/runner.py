"""The daily batch for one or more trackers: read -> decide -> write back + drafts -> result.

This module wires the stages together and knows nothing about the terminal; the CLI prints
what it returns. Each tracker is processed on its own, so one bad file does not stop the others.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from batch.config import Config, load_config
from batch.model import (
    OWNED_COLUMNS,
    Decision,
    FileProblem,
    RowProblem,
    Sender,
    Status,
    Tracker,
    TrackerRow,
)
from batch.policy import today_in
from batch.rules import decide
from batch.tracker import read_tracker

if TYPE_CHECKING:
    from concurrent.futures import Future

    from batch.drafts import RenderedDraft, RowDraftFiles
    from batch.ics import CalendarEntry
    from batch.review import ReviewEntry, TrackerTally
    from batch.xlsx_writer import PreparedSheet

OwnedValue = str | date | None
# Wraps the rows of a large tracker to show progress (the CLI passes a progress bar).
Progress = Callable[[Sequence[TrackerRow], str], Iterable[TrackerRow]]

# Rows whose step gets drafts today (SPEC section 5).
DRAFTED_STATUSES = frozenset({Status.DUE, Status.OVERDUE})


@dataclass(frozen=True)
class RunOptions:
    today: date | None = None
    drafts_dir: Path | None = None
    config_path: Path | None = None
    dry_run: bool = False
    sheet: str | None = None


class CellChange(NamedTuple):
    """One owned cell whose value this run changes (for --dry-run's old -> new listing).

    A NamedTuple (immutable, and made in half the time of a frozen dataclass): a first run
    on a 100,000-row tracker has over half a million of them.
    """

    row: int
    column: str
    old: OwnedValue
    new: OwnedValue


class RowResult(NamedTuple):
    """One row's outcome. A NamedTuple, like CellChange: a big tracker has one per row."""

    row: TrackerRow
    decision: Decision
    problems: tuple[RowProblem, ...]
    drafts: tuple[str, ...] = ()  # paths relative to the tracker's folder


@dataclass
class TrackerResult:
    """What happened to one tracker. `error` set means nothing was written for it (exit 2)."""

    path: Path
    today: date | None = None
    error: str | None = None
    tracker: Tracker | None = None
    rows: list[RowResult] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    written: bool = False
    backup: Path | None = None
    draft_files: int = 0  # .eml and .txt files of this run
    drafts_unchanged: int = 0  # of those, already there from an earlier run today
    drafts_folder: Path | None = None
    review_page: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_row_errors(self) -> bool:
        return any(p.severity == "error" for r in self.rows for p in r.problems)

    def counts(self) -> dict[Status, int]:
        """How many rows have each status (every status, zeros included)."""
        counts = dict.fromkeys(Status, 0)
        for row in self.rows:
            counts[row.decision.status] += 1
        return counts


def exit_code(results: Iterable[TrackerResult]) -> int:
    """SPEC section 2: 2 when a tracker could not be processed, 1 when rows have problems."""
    code = 0
    for result in results:
        if result.error is not None:
            code = 2
        elif result.has_row_errors:
            code = max(code, 1)
    return code


def owned_cell_values(result: RowResult) -> tuple[OwnedValue, ...]:
    """The six owned cells of one row, in `OWNED_COLUMNS` order (SPEC section 3)."""
    decision = result.decision
    return (
        decision.status.value,
        decision.step.value if decision.step else None,
        decision.due,
        decision.reason or None,
        "; ".join(result.drafts) or None,
        problems_text(result.problems) if result.problems else None,
    )


def problems_text(problems: Sequence[RowProblem]) -> str | None:
    """One cell's worth of problems, each naming its column in the user's words."""
    parts: list[str] = []
    for problem in problems:
        text = f"{problem.column}: {problem.message}" if problem.column else problem.message
        if text not in parts:
            parts.append(text)
    return "; ".join(parts) or None


def owned_column_positions(tracker: Tracker) -> dict[str, int]:
    """Where each owned column is: found by name, else appended right of the used range."""
    positions = dict(tracker.owned_columns)
    next_free = max([tracker.last_column, *positions.values()]) + 1
    for name in OWNED_COLUMNS:
        if name not in positions:
            positions[name] = next_free
            next_free += 1
    return positions


def plan_changes(tracker: Tracker, rows: Sequence[RowResult]) -> list[CellChange]:
    """Every owned cell whose value differs from what the sheet holds now, headers included."""
    changes: list[CellChange] = [
        CellChange(tracker.header_row, name, None, name)
        for name in OWNED_COLUMNS
        if name not in tracker.owned_columns
    ]
    owned_values = tracker.owned_values
    append = changes.append
    for result in rows:
        number = result.row.row
        current = owned_values.get(number)
        values = zip(OWNED_COLUMNS, owned_cell_values(result), strict=True)
        if not current:
            # A row whose owned cells are all empty (every row, on a first run): each value
            # that is not blank is a change, with no old value to compare.
            for name, new in values:
                if new is not None and (not isinstance(new, str) or new.strip()):
                    append(CellChange(number, name, None, new))
            continue
        for name, new in values:
            old = current.get(name)
            # Most cells are unchanged on a re-run, or new on a first run: check cheaply first.
            if old == new or _normalised(old) == _normalised(new):
                continue
            changes.append(CellChange(number, name, old, new))
    return changes


def _normalised(value: OwnedValue) -> OwnedValue:
    if isinstance(value, str):
        return value.strip() or None
    return value


def decide_rows(
    tracker: Tracker, today: date, config: Config, progress: Progress | None = None
) -> list[tuple[TrackerRow, Decision]]:
    rows: Iterable[TrackerRow] = tracker.rows
    if progress is not None:
        rows = progress(tracker.rows, f"Deciding {tracker.path.name}")
    return [(row, decide(row, today, config.policy)) for row in rows]


def sender_for(row: TrackerRow, config: Config) -> Sender:
    """The row's Candidate signs the draft; `[sender]` in the config fills the rest."""
    if row.candidate:
        if config.sender.name == row.candidate:
            return config.sender
        return Sender(name=row.candidate)
    return config.sender


def drafts_root(path: Path, config: Config, options: RunOptions) -> Path:
    if options.drafts_dir is not None:
        return options.drafts_dir
    return path.parent / config.drafts_folder


def _load(
    path: Path, options: RunOptions, while_parsing: Callable[[str], object] | None = None
) -> tuple[Config, Tracker, date]:
    """Config, tracker and run date for one tracker; FileProblem stops just this tracker."""
    config = load_config(options.config_path, path)
    try:
        today = options.today or today_in(config.policy)
    except ValueError as error:
        raise FileProblem(config.path or path, str(error)) from None
    tracker = read_tracker(
        path,
        sheet=options.sheet,
        column_overrides=config.columns,
        date_order=config.policy.date_order,
        while_parsing=while_parsing,
    )
    return config, tracker, today


class _SheetPreparer:
    """Prepares the write-back of a sheet on a thread while the reader parses it.

    calamine parses a worksheet without holding Python's lock, so unpacking the sheet again
    and finding its rows for the writer (a third of a big write-back) costs no time there.
    A failure is dropped: the write-back does the work itself and reports any problem.
    """

    def __init__(self, path: Path) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.path = path
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.futures: dict[str, Future[PreparedSheet]] = {}

    def start(self, sheet_name: str) -> None:
        from batch.xlsx_writer import prepare_sheet

        if sheet_name not in self.futures:
            self.futures[sheet_name] = self.pool.submit(prepare_sheet, self.path, sheet_name)

    def result(self, sheet_name: str) -> PreparedSheet | None:
        future = self.futures.get(sheet_name)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # the write-back meets it again and reports it
            return None

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()
        self.pool.shutdown(wait=True)


def check_trackers(paths: Sequence[Path], options: RunOptions) -> list[TrackerResult]:
    """Read and validate each tracker, deciding rows only to list their problems."""
    results = []
    for path in paths:
        result = TrackerResult(path)
        try:
            config, tracker, today = _load(path, options)
        except FileProblem as problem:
            result.error = str(problem)
        else:
            result.tracker, result.today = tracker, today
            result.rows = [
                RowResult(row, decision, (*row.problems, *decision.problems))
                for row, decision in decide_rows(tracker, today, config)
            ]
        results.append(result)
    return results


@dataclass
class _Page:
    """What goes on one drafts folder's review page and calendar for one run date."""

    today: date
    templates: Path | None
    entries: list[ReviewEntry] = field(default_factory=list)  # rows listed on the page
    events: list[CalendarEntry] = field(default_factory=list)  # rows in the calendar
    tallies: list[TrackerTally] = field(default_factory=list)
    results: list[TrackerResult] = field(default_factory=list)


def run_trackers(
    paths: Sequence[Path], options: RunOptions, progress: Progress | None = None
) -> list[TrackerResult]:
    """The daily batch over several trackers, each on its own; one review page per folder.

    Trackers that share a drafts folder (a coach's clients with `--drafts DIR`) share one
    review page and one calendar file for the run date.
    """
    from batch.ics import write_calendar
    from batch.review import write_review_page

    results: list[TrackerResult] = []
    pages: dict[Path, _Page] = {}
    with _collector_paused():
        _run_all(paths, options, progress, results, pages)
        for day_folder, page in pages.items():
            try:
                review = write_review_page(
                    page.entries,
                    day_folder / "review.html",
                    page.today,
                    page.templates,
                    page.tallies,
                )
                write_calendar(page.events, day_folder / "followups.ics", page.today)
            except FileProblem as problem:
                for result in page.results:
                    result.notes.append(f"review page not written: {problem}")
                continue
            for result in page.results:
                result.review_page = review.path
    return results


def _run_all(
    paths: Sequence[Path],
    options: RunOptions,
    progress: Progress | None,
    results: list[TrackerResult],
    pages: dict[Path, _Page],
) -> None:
    from batch.ics import CalendarEntry, gets_event
    from batch.review import ReviewEntry, TrackerTally, listed

    for path in paths:
        result = TrackerResult(path)
        results.append(result)
        try:
            drafts_by_row, files_by_row, folder, templates = _run_one(
                path, options, result, progress
            )
        except FileProblem as problem:
            result.error = str(problem)
            continue
        if options.dry_run:
            continue
        today = result.today
        assert today is not None
        day_folder = folder / today.isoformat()
        page = pages.setdefault(day_folder, _Page(today, templates))
        page.results.append(result)
        page.tallies.append(TrackerTally(path, result.counts()))
        # Only the rows the page lists and the calendar holds get an entry (a few percent of
        # a big tracker's rows).
        for row_result in result.rows:
            row, decision = row_result.row, row_result.decision
            draft = drafts_by_row.get(row.row)
            if listed(decision, draft is not None):
                files = files_by_row.get(row.row)
                page.entries.append(ReviewEntry(path, row, decision, draft, files))
            if gets_event(decision, today):
                page.events.append(CalendarEntry(path, row, decision))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A run builds a few objects per row and frees nothing until the end, so Python's cyclic
    garbage collector would only rescan the rows over and over (about a tenth of the time at
    100,000 rows). Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_one(
    path: Path, options: RunOptions, result: TrackerResult, progress: Progress | None
) -> tuple[dict[int, RenderedDraft], dict[int, RowDraftFiles], Path, Path | None]:
    """Read, decide, draft and write back one tracker, filling `result` as it goes.

    Returns the row's drafts and draft files by row number, the drafts folder and the
    templates folder, for the review page.
    """
    preparer = None if options.dry_run else _SheetPreparer(path)  # a dry run writes nothing
    try:
        return _run_steps(path, options, result, progress, preparer)
    finally:
        if preparer is not None:
            preparer.close()


def _run_steps(
    path: Path,
    options: RunOptions,
    result: TrackerResult,
    progress: Progress | None,
    preparer: _SheetPreparer | None,
) -> tuple[dict[int, RenderedDraft], dict[int, RowDraftFiles], Path, Path | None]:
    from batch.drafts import DraftRequest, DraftSettings, render_drafts, write_drafts
    from batch.safe_save import check_not_open, check_writable, save_edits

    config, tracker, today = _load(path, options, preparer.start if preparer else None)
    result.tracker, result.today = tracker, today
    decided = decide_rows(tracker, today, config, progress)
    settings = DraftSettings.from_config(config, today)
    rendered = render_drafts(
        (
            DraftRequest(path, row, decision, sender_for(row, config))
            for row, decision in decided
            if decision.status in DRAFTED_STATUSES
        ),
        settings,
    )
    drafts_by_row = {draft.row: draft for draft in rendered}
    folder = drafts_root(path, config, options)
    if not options.dry_run:
        # Nothing is written for a tracker that Excel or LibreOffice has open, or that cannot
        # be written back (read-only), drafts included.
        check_not_open(path)
        check_writable(path)
    with _run_lock_unless(options.dry_run, path):
        # A dry run asks the drafts folder what it would write, and writes nothing.
        written = write_drafts(rendered, folder, today, dry_run=options.dry_run)
        files_by_row = {
            row: files for row in drafts_by_row if (files := written.for_row(path, row))
        }
        paths_by_row = {}
        for row, files in files_by_row.items():
            draft_files = [file for file in (files.email, files.script) if file is not None]
            paths_by_row[row] = tuple(_relative(file.path, path.parent) for file in draft_files)
            result.notes.extend(files.notes)
            result.draft_files += len(draft_files)
            result.drafts_unchanged += sum(file.action == "unchanged" for file in draft_files)
        _collect_rows(result, decided, drafts_by_row, paths_by_row)
        result.changes = plan_changes(tracker, result.rows)
        if options.dry_run:
            return drafts_by_row, files_by_row, folder, config.templates
        result.drafts_folder = folder / today.isoformat()
        if result.changes:
            positions = owned_column_positions(tracker)
            edits = [(row, positions[column], new) for row, column, _, new in result.changes]
            prepared = preparer.result(tracker.sheet_name) if preparer else None
            result.backup = save_edits(path, tracker.sheet_name, edits, prepared=prepared)
            result.written = result.backup is not None
    return drafts_by_row, files_by_row, folder, config.templates


@contextmanager
def _run_lock_unless(dry_run: bool, path: Path) -> Iterator[None]:
    """Two runs on one tracker never interleave; a dry run writes nothing, so needs no lock."""
    if dry_run:
        yield
        return
    from batch.safe_save import run_lock

    with run_lock(path):
        yield


def _collect_rows(
    result: TrackerResult,
    decided: Sequence[tuple[TrackerRow, Decision]],
    drafts_by_row: Mapping[int, RenderedDraft],
    paths_by_row: Mapping[int, tuple[str, ...]],
) -> None:
    for row, decision in decided:
        problems = row.problems + decision.problems
        draft = drafts_by_row.get(row.row)
        if draft is not None:
            # The draft's "generic draft" warning says more than the rules' "no key points".
            if any(problem.code == "generic-draft" for problem in draft.problems):
                problems = tuple(p for p in problems if p.code != "no-key-points")
            problems += draft.problems
        if len(problems) > 1:
            problems = tuple(dict.fromkeys(problems))
        result.rows.append(RowResult(row, decision, problems, paths_by_row.get(row.row, ())))


def _relative(path: Path, folder: Path) -> str:
    """A draft's path as the Follow-up Draft column shows it: relative to the tracker."""
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)
