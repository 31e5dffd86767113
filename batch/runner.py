"""The daily batch for one or more trackers, as its stages: read, decide, draft, write back,
report.

- read: the tracker file (`batch.tracker_format.open_tracker`; the .xlsx one lives in
  `batch.xlsx`) finds the table and reads its rows;
- decide: the rules (`batch.rules.decide`) give each row its status, step and due date;
- draft: the rows due today get their drafts (`batch.drafts`), written into the drafts
  folder before the write-back, because the Draft column names the files;
- write back: the owned cells that change are written, and the file replaced safely;
- report: the review page and the calendar for each drafts folder (`batch.review`,
  `batch.ics`), and a `TrackerResult` per tracker that the CLI prints.

This module wires the stages together and knows nothing about the terminal or the file
format. Each tracker is processed on its own, so one bad file does not stop the others.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from batch.across_rows import decide_across_rows
from batch.config import Config, load_config
from batch.files import file_stage
from batch.model import (
    DRAFTED_STATUSES,
    OWNED_COLUMNS,
    REPORTED_STATUSES,
    Decision,
    FileProblem,
    RowProblem,
    Status,
    Tracker,
    TrackerRow,
)
from batch.outcomes import not_understood
from batch.policy import today_in
from batch.rules import decide
from batch.tracker_format import LinkedText, TrackerFile, open_tracker

if TYPE_CHECKING:
    from batch.drafts import RenderedDraft, RowDraftFiles
    from batch.ics import CalendarEntry
    from batch.manifest import DraftsFolder
    from batch.review import ReviewEntry, TrackerTally

OwnedValue = str | date | None
# Wraps the rows of a large tracker to show progress (the CLI passes a progress bar).
Progress = Callable[[Sequence[TrackerRow], str], Iterable[TrackerRow]]


@dataclass(frozen=True)
class RunOptions:
    today: date | None = None
    drafts_dir: Path | None = None
    config_path: Path | None = None
    dry_run: bool = False
    sheet: str | None = None


class CellChange(NamedTuple):
    """One owned cell whose value this run changes (for --dry-run's old -> new listing).

    A NamedTuple (immutable, and cheaper to make than a frozen dataclass, whose __init__
    goes through object.__setattr__): a first run on a big tracker makes six per row.
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
        draft_cell(result.drafts),
        problems_text(result.problems) if result.problems else None,
    )


def draft_cell(drafts: Sequence[str]) -> str | None:
    """The Follow-up Draft cell: the draft files, linked to the first (the email) so a click
    opens it."""
    if not drafts:
        return None
    return LinkedText("; ".join(drafts), file_link(drafts[0]))


def file_link(path: str) -> str:
    """A link target for a file: relative paths (to the tracker's folder) percent-encoded,
    absolute ones as file: URIs."""
    if os.path.isabs(path):
        return Path(path).as_uri()
    return urllib.parse.quote(path, safe="/")


def problems_text(problems: Sequence[RowProblem]) -> str | None:
    """One cell's worth of problems, each naming its column in the user's words."""
    parts: list[str] = []
    for problem in problems:
        text = problem.text
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
    # Rows that are not tracker rows (a legend under the table) lose what an earlier run
    # wrote in the tool's columns there.
    for number, stale in tracker.stale_owned.items():
        changes.extend(CellChange(number, name, old, None) for name, old in stale.items() if old)
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
    policy = config.policy
    decisions = [decide(row, today, policy) for row in rows]
    # Then the rules that read the rows together: rounds, one message per person.
    decisions = decide_across_rows(tracker.rows, decisions, today, policy)
    return list(zip(tracker.rows, decisions, strict=True))


def reading_notes(tracker: Tracker, config: Config) -> list[str]:
    """What the run should say once about how it read the tracker: Outcome texts it does not
    understand, and the day/month order it used for each date column that needed one."""
    notes = []
    outcome_header = tracker.columns.get("outcome", ("Outcome", 0))[0]
    for text, count in not_understood(
        (row.outcome for row in tracker.rows), config.policy.outcomes
    ):
        rows = "1 row" if count == 1 else f"{count} rows"
        notes.append(
            f'{outcome_header} "{text}" on {rows} is not understood: treated as still open; '
            "add it to [outcomes] in followup.toml"
        )
    for header, finding in tracker.date_orders:
        order = "day first (DMY)" if finding.order == "DMY" else "month first (MDY)"
        example = f"{finding.example} and the like" if finding.example else "ambiguous dates"
        if finding.mixed is not None:
            why = (
                f"the column mixes both orders ({finding.mixed[0]}, {finding.mixed[1]}): "
                "check its dates"
            )
        elif finding.settled_by is not None:
            why = f"{finding.settled_by} in the same column can only be read that way"
        else:
            source = config.sources.get("date_order", "default")
            why = f"nothing in the column settles it (date_order: {source})"
        notes.append(f"{header}: {example} read {order}, because {why}")
    return notes


def drafts_root(path: Path, config: Config, options: RunOptions) -> Path:
    if options.drafts_dir is not None:
        return options.drafts_dir
    return path.parent / config.drafts_folder


def run_settings(path: Path, options: RunOptions) -> tuple[Config, date]:
    """The config and the run date for one tracker; FileProblem stops just this tracker.
    (`followup sync` takes its settings the same way.)"""
    config = load_config(options.config_path, path)
    try:
        today = options.today or today_in(config.policy)
    except ValueError as error:
        raise FileProblem(config.path or path, str(error)) from None
    return config, today


def read_tracker_file(workbook: TrackerFile, config: Config, options: RunOptions) -> Tracker:
    return workbook.read(
        sheet=options.sheet,
        column_overrides=config.columns,
        date_order=config.policy.date_order,
    )


def check_trackers(paths: Sequence[Path], options: RunOptions) -> list[TrackerResult]:
    """Read and validate each tracker, deciding rows only to list their problems."""
    results = []
    for path in paths:
        result = TrackerResult(path)
        results.append(result)
        try:
            with (
                file_stage("reading the tracker", path),
                open_tracker(path, writing=False) as workbook,
            ):
                config, today = run_settings(path, options)
                tracker = read_tracker_file(workbook, config, options)
                result.tracker, result.today = tracker, today
                result.notes.extend(reading_notes(tracker, config))
                result.rows = [
                    RowResult(row, decision, (*row.problems, *decision.problems))
                    for row, decision in decide_rows(tracker, today, config)
                ]
        except FileProblem as problem:
            result.error = str(problem)
    return results


def run_trackers(
    paths: Sequence[Path], options: RunOptions, progress: Progress | None = None
) -> list[TrackerResult]:
    """The daily batch over several trackers, each on its own; one review page per folder.

    Trackers that share a drafts folder (a coach's clients with `--drafts DIR`) share one
    review page and one calendar file for the run date.
    """
    results: list[TrackerResult] = []
    pages: dict[Path, _Page] = {}
    for path in paths:
        result = TrackerResult(path)
        results.append(result)
        try:
            # Any OSError a stage lets through still stops only this tracker, in one line.
            with file_stage("processing the tracker", path):
                drafts = _run_one(path, options, result, progress)
        except FileProblem as problem:
            result.error = str(problem)
            continue
        if not options.dry_run:
            _add_to_page(pages, result, drafts)
    _report(pages)
    return results


@dataclass
class _Drafts:
    """One tracker's drafts: rendered, and the files written, by row number."""

    folder: Path  # the drafts folder (its day folders hold the files)
    templates: Path | None
    rendered: dict[int, RenderedDraft] = field(default_factory=dict)
    files: dict[int, RowDraftFiles] = field(default_factory=dict)
    # the Draft column's text: paths relative to the tracker's folder
    paths: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _run_one(
    path: Path, options: RunOptions, result: TrackerResult, progress: Progress | None
) -> _Drafts:
    """Read, decide, draft and write back one tracker, filling `result` as it goes."""
    from batch.drafts import not_ready_notes
    from batch.safe_save import check_not_open, check_writable

    config, today = run_settings(path, options)
    # The lock first, then the read: the edits are worked out from the file they go into,
    # never from a version another run changed meanwhile.
    with (
        _run_lock_unless(options.dry_run, path),
        open_tracker(path, writing=not options.dry_run) as workbook,
    ):
        with file_stage("reading the tracker", path):
            tracker = read_tracker_file(workbook, config, options)
        result.tracker, result.today = tracker, today
        result.notes.extend(reading_notes(tracker, config))
        decided = decide_rows(tracker, today, config, progress)
        drafts = _render_drafts(path, decided, config, options, today)
        result.notes.extend(not_ready_notes(drafts.rendered.values()))
        if not options.dry_run:
            # Nothing is written for a tracker that Excel or LibreOffice has open, or that
            # cannot be written back (read-only), drafts included.
            check_not_open(path)
            check_writable(path)
        with file_stage("writing the drafts", drafts.folder):
            _write_drafts(path, drafts, today, options, result)
        _collect_rows(result, decided, drafts.rendered, drafts.paths)
        result.changes = plan_changes(tracker, result.rows)
        if not options.dry_run:
            result.drafts_folder = drafts.folder / today.isoformat()
            with file_stage("saving the tracker", path):
                _write_back(workbook, tracker, result)
    return drafts


def _render_drafts(
    path: Path,
    decided: Sequence[tuple[TrackerRow, Decision]],
    config: Config,
    options: RunOptions,
    today: date,
) -> _Drafts:
    from batch.drafts import DraftRequest, DraftSettings, render_drafts

    settings = DraftSettings.from_config(config, today)
    rendered = render_drafts(
        (
            DraftRequest(path, row, decision, config.sender)
            for row, decision in decided
            if decision.status in DRAFTED_STATUSES
        ),
        settings,
    )
    return _Drafts(
        drafts_root(path, config, options),
        config.templates,
        rendered={draft.row: draft for draft in rendered},
    )


def _write_drafts(
    path: Path, drafts: _Drafts, today: date, options: RunOptions, result: TrackerResult
) -> None:
    """Write the rendered drafts' files (a dry run only asks what it would write)."""
    from batch.drafts import write_drafts

    written = write_drafts(
        list(drafts.rendered.values()), drafts.folder, today, dry_run=options.dry_run
    )
    for row in drafts.rendered:
        files = written.for_row(path, row)
        if not files:
            continue
        drafts.files[row] = files
        draft_files = [file for file in (files.email, files.script) if file is not None]
        drafts.paths[row] = tuple(_relative(file.path, path.parent) for file in draft_files)
        result.notes.extend(files.notes)
        result.draft_files += len(draft_files)
        result.drafts_unchanged += sum(
            file.action in ("unchanged", "edited") for file in draft_files
        )


def _write_back(workbook: TrackerFile, tracker: Tracker, result: TrackerResult) -> None:
    """Write the owned cells this run changes into the tracker file."""
    if not result.changes:
        return
    positions = owned_column_positions(tracker)
    cells = [(row, positions[column], new) for row, column, _, new in result.changes]
    result.backup = workbook.save(tracker, cells)
    result.written = result.backup is not None


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
            problems += draft.problems
        if len(problems) > 1:
            problems = tuple(dict.fromkeys(problems))
        result.rows.append(RowResult(row, decision, problems, paths_by_row.get(row.row, ())))


# --- report: the review page and the calendar -----------------------------------------------


@dataclass
class _Page:
    """What goes on one drafts folder's review page and calendar for one run date."""

    today: date
    templates: Path | None
    entries: list[ReviewEntry] = field(default_factory=list)  # rows listed on the page
    events: list[CalendarEntry] = field(default_factory=list)  # rows in the calendar
    tallies: list[TrackerTally] = field(default_factory=list)
    results: list[TrackerResult] = field(default_factory=list)


def _add_to_page(pages: dict[Path, _Page], result: TrackerResult, drafts: _Drafts) -> None:
    """Add one tracker's rows to the review page and calendar of its drafts folder."""
    from batch.ics import CalendarEntry, gets_event
    from batch.review import ReviewEntry, TrackerTally, listed

    today = result.today
    assert today is not None
    page = pages.setdefault(drafts.folder / today.isoformat(), _Page(today, drafts.templates))
    page.results.append(result)
    page.tallies.append(TrackerTally(result.path, result.counts()))
    # Only the rows the page lists and the calendar holds get an entry (a few percent of a
    # big tracker's rows).
    for row_result in result.rows:
        row, decision = row_result.row, row_result.decision
        if decision.status not in REPORTED_STATUSES:
            continue
        draft = drafts.rendered.get(row.row)
        if listed(decision, draft is not None):
            files = drafts.files.get(row.row)
            page.entries.append(ReviewEntry(result.path, row, decision, draft, files))
        if gets_event(decision, today):
            page.events.append(CalendarEntry(result.path, row, decision))


def _report(pages: Mapping[Path, _Page]) -> None:
    """Write each drafts folder's review page and calendar for the run date.

    Runs that share a drafts folder take turns (its lock), and each call has its own page:
    the first to claim one that day gets `review.html` and `followups.ics`, the others
    `review-<tracker>.html` and `followups-<tracker>.ics` (see `DraftsFolder.claim_page`).
    A template problem is a note; an OS error (a full disk) stops the trackers of that page
    with the one-line message (exit 2), their workbooks and drafts already consistent.
    """
    from batch.drafts import DraftTemplateError
    from batch.files import make_private_folder
    from batch.ics import PUBLISHED_NAME, write_calendar
    from batch.manifest import DraftsFolder, lock_drafts
    from batch.review import write_review_page

    for day_folder, page in pages.items():
        root, day = day_folder.parent, day_folder.name
        trackers = [result.path for result in page.results]
        try:
            with file_stage("writing the review page", day_folder), lock_drafts(root):
                folder = DraftsFolder(root)
                make_private_folder(day_folder)
                review_name, calendar_name = _page_names(folder, day, trackers)
                review = write_review_page(
                    page.entries, root / review_name, page.today, page.templates, page.tallies
                )
                write_calendar(
                    page.events,
                    root / calendar_name,
                    page.today,
                    # what earlier runs published, beside the drafts manifest: events of this
                    # run's trackers that are gone are published again as cancelled
                    published=root / PUBLISHED_NAME,
                    trackers=trackers,
                )
                folder.save()
        except DraftTemplateError as problem:
            for result in page.results:
                result.notes.append(f"review page not written: {problem}")
            continue
        except FileProblem as problem:
            for result in page.results:
                result.error = str(problem)
            continue
        for result in page.results:
            result.review_page = review.path


def _page_names(folder: DraftsFolder, day: str, trackers: Sequence[Path]) -> tuple[str, str]:
    """The review page's and calendar's names (relative) for one call's trackers."""
    from batch.drafts import safe_slug

    owner = "pages:" + "\n".join(sorted({os.path.abspath(path) for path in trackers}))
    slug = safe_slug(trackers[0].stem) or "tracker"
    if len(trackers) > 1:
        slug += f"-and-{len(trackers) - 1}-more"
    review = folder.claim_page(day, owner, ["review.html", f"review-{slug}.html"])
    calendar = folder.claim_page(day, owner, ["followups.ics", f"followups-{slug}.ics"])
    return review, calendar


def _relative(path: Path, folder: Path) -> str:
    """A draft's path as the Follow-up Draft column shows it: relative to the tracker."""
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)
