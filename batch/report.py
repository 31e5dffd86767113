"""What a run or a check prints: tables for people, one JSON document for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import click

from batch.model import DEFAULT_HEADERS, Decision, Status, counted
from batch.runner import CellChange, OwnedValue, TrackerResult
from batch.xlsx.cell_refs import column_letters

if TYPE_CHECKING:
    # `followup run` prints without the mail modules: only `followup sync` needs them.
    from batch.mail_matching import CellFill
    from batch.mark import MarkResult
    from batch.sync import SyncRun

SUMMARY_ORDER: tuple[tuple[Status, str], ...] = (
    (Status.DUE, "due today"),
    (Status.OVERDUE, "overdue"),
    (Status.UPCOMING, "upcoming"),
    (Status.WAITING, "waiting"),
    (Status.MOVE_ON, "move on"),
    (Status.CLOSED, "closed"),
    (Status.NEEDS_ATTENTION, "needs attention"),
    (Status.NO_INTERVIEW, "no interview"),
)


def short_date(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else ""


def summary_line(result: TrackerResult) -> str:
    counts = result.counts()
    return ", ".join(f"{counts[status]} {label}" for status, label in SUMMARY_ORDER)


def print_run(results: Sequence[TrackerResult], *, dry_run: bool) -> None:
    for result in results:
        if result.error is not None:
            click.echo(f"followup: {result.error}", err=True)
            continue
        click.echo(
            f"{result.path}: {counted(len(result.rows), 'row')} on {short_date(result.today)}"
        )
        if dry_run:
            _print_decisions(result)
            _print_changes(result.changes)
        click.echo(f"  {summary_line(result)}")
        if not dry_run:
            click.echo(f"  {_workbook_line(result)}")
            if result.drafts_folder is not None:
                unchanged = (
                    f" ({result.drafts_unchanged} unchanged since the last run)"
                    if result.drafts_unchanged
                    else ""
                )
                files = counted(result.draft_files, "draft file")
                click.echo(f"  {files} in {result.drafts_folder}{unchanged}")
            if result.review_page is not None:
                click.echo(f"  review page: {result.review_page}")
        for note in result.notes:
            click.echo(f"  {note}")
        problems = sum(1 for r in result.rows if any(p.severity == "error" for p in r.problems))
        if problems:
            needs = "row needs" if problems == 1 else "rows need"
            click.echo(f"  {problems} {needs} attention: see the Follow-up Problems column")


def _workbook_line(result: TrackerResult) -> str:
    if not result.written:
        return "no changes to the workbook"
    where = f"; previous version kept in {result.backup}" if result.backup else ""
    return f"{len(result.changes)} cells updated{where}"


def _print_decisions(result: TrackerResult) -> None:
    headers = ("Row", "Company", "Status", "Step", "Due", "Reason")
    table = [
        (
            str(r.row.row),
            _clip(r.row.company or "", 24),
            r.decision.status.value,
            r.decision.step.value if r.decision.step else "",
            short_date(r.decision.due),
            r.decision.reason,
        )
        for r in result.rows
    ]
    _print_table(headers, table)


def _print_changes(changes: Sequence[CellChange]) -> None:
    if not changes:
        click.echo("  no changes")
        return
    click.echo(f"  {len(changes)} cells would change:")
    for change in changes:
        click.echo(
            f"    row {change.row}, {change.column}: {_show(change.old)} -> {_show(change.new)}"
        )


def _show(value: OwnedValue) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, date):
        return value.isoformat()
    return repr(_clip(value, 80))


def print_check(results: Sequence[TrackerResult]) -> None:
    for result in results:
        if result.error is not None:
            click.echo(f"followup: {result.error}", err=True)
            continue
        tracker = result.tracker
        assert tracker is not None
        click.echo(
            f"{result.path}: sheet {tracker.sheet_name!r}, header on row {tracker.header_row}, "
            f"{len(result.rows)} rows"
        )
        mapped = ", ".join(f"{header} -> {name}" for name, (header, _) in tracker.columns.items())
        click.echo(f"  columns: {mapped}")
        if tracker.unused_headers:
            click.echo(f"  not used: {_unused_text(tracker.unused_headers)}")
        problems = [
            (str(p.row), p.column, p.severity, p.code, p.message)
            for r in result.rows
            for p in r.problems
        ]
        problems += [
            (str(p.row), p.column, p.severity, p.code, p.message) for p in tracker.warnings
        ]
        if problems:
            _print_table(("Row", "Column", "Severity", "Code", "Problem"), problems)
        else:
            click.echo("  no problems")
        for note in result.notes:
            click.echo(f"  {note}")


def _unused_text(unused: Sequence[tuple[int, str, str | None]]) -> str:
    """The headers the reader left alone, each with the field it is nearest to, if any."""
    from batch.columns import field_label

    return ", ".join(
        f"{header!r} (nearest field: {field_label(nearest)})" if nearest else repr(header)
        for _, header, nearest in unused
    )


def as_json(results: Sequence[TrackerResult]) -> str:
    document = {"trackers": [_tracker_json(result) for result in results]}
    return json.dumps(document, indent=2, ensure_ascii=False)


def _tracker_json(result: TrackerResult) -> dict[str, object]:
    if result.error is not None:
        return {"file": str(result.path), "error": result.error}
    counts = result.counts()
    return {
        "file": str(result.path),
        "today": result.today.isoformat() if result.today else None,
        "sheet": result.tracker.sheet_name if result.tracker else None,
        "written": result.written,
        "changes": len(result.changes),
        "summary": {status.value: counts[status] for status, _ in SUMMARY_ORDER},
        "notes": result.notes,
        "rows": [
            {
                "row": r.row.row,
                "company": r.row.company,
                "candidate": r.row.candidate,
                "status": r.decision.status.value,
                "step": r.decision.step.value if r.decision.step else None,
                "due": r.decision.due.isoformat() if r.decision.due else None,
                "reason": r.decision.reason,
                "draft": list(r.drafts),
                "problems": [
                    {
                        "column": p.column,
                        "code": p.code,
                        "severity": p.severity,
                        "message": p.message,
                    }
                    for p in r.problems
                ],
            }
            for r in result.rows
        ],
    }


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        head = "  ".join(f"{c:<{w}}" for c, w in zip(cells[:-1], widths[:-1], strict=True))
        return f"  {head}  {cells[-1]}"

    click.echo(line(headers))
    for row in rows:
        click.echo(line(row))


def print_sync(run: SyncRun, *, dry_run: bool) -> None:
    """What `followup sync` read, filled (or would fill) and changed, row by row."""
    mailbox = run.mailbox
    click.echo(f"mailbox: {len(mailbox.messages)} messages read from {', '.join(mailbox.folders)}")
    if run.duplicates:
        click.echo(f"  copies of the same message, counted once: {run.duplicates}")
    for result in run.results:
        if result.error is not None:
            click.echo(f"followup: {result.error}", err=True)
            continue
        verb = "would fill" if dry_run else "filled"
        click.echo(
            f"{result.path}: {result.matched} messages matched; {verb} "
            f"{result.filled_cells} cells in {result.filled_rows} rows"
        )
        if result.skipped:
            not_counted = ", ".join(f"{why}: {n}" for why, n in sorted(result.skipped.items()))
            click.echo(f"  not counted: {not_counted}")
        for change in result.changes:
            row = change.row
            click.echo(f"  row {row.row} {_clip(row.company or '', 30)}:")
            for fill in change.fills:
                click.echo(
                    f"    {row.header(fill.field)}: (empty) -> {fill.day.isoformat()} "
                    f"({_mail_source(fill)})"
                )
            before, after = _decision_text(change.before), _decision_text(change.after)
            click.echo(f"    still {after}" if before == after else f"    {before} -> {after}")
        for conflict in result.conflicts:
            click.echo(f"  row {conflict.row}, {conflict.column}: {conflict.message}")
        if result.new_columns:
            headers = ", ".join(DEFAULT_HEADERS[name] for name in result.new_columns)
            verb = "would add" if dry_run else "added"
            click.echo(f"  {verb} the columns the tracker lacked, right of the table: {headers}")
        if not dry_run:
            if result.written:
                click.echo(f"  previous version kept in {result.backup}")
            else:
                click.echo("  no changes to the workbook")


def _mail_source(fill: CellFill) -> str:
    item = fill.source
    message = item.message
    subject = f', "{_clip(message.subject, 50)}"' if message.subject else ""
    if item.direction == "sent":
        return f"sent to {next(iter(message.recipients), '?')}{subject}"
    return f"from {message.sender or '?'}{subject}"


def _decision_text(decision: Decision) -> str:
    parts = [decision.status.value]
    if decision.step is not None:
        parts.append(decision.step.value)
    if decision.due is not None:
        parts.append(f"due {short_date(decision.due)}")
    return " ".join(parts)


def print_mark(result: MarkResult, *, dry_run: bool) -> None:
    """What `followup mark` wrote (or would), what it left alone, and each row's new status."""
    click.echo(f"{result.path}:")
    for header, column in result.added_columns:
        verb = "would add" if dry_run else "added"
        click.echo(
            f"  {verb} the column {header} ({column_letters(column)}), as followup adopt does"
        )
    for cell in result.cells:
        where = f"row {cell.row}" + (f" {_clip(cell.company, 30)}" if cell.company else "")
        new = cell.new.isoformat() if isinstance(cell.new, date) else repr(cell.new)
        if cell.refused:
            click.echo(f"  {where}: {cell.header} not written: {cell.refused}")
        elif cell.old == (cell.new.isoformat() if isinstance(cell.new, date) else cell.new):
            click.echo(f"  {where}: {cell.header} already {new}")
        else:
            old = repr(cell.old) if cell.old else "(empty)"
            click.echo(f"  {where}: {cell.header}: {old} -> {new}")
    for note in result.notes:
        click.echo(f"  {note}")
    for row, before, after in result.rows:
        click.echo(f"  row {row.row} is now {after.status.value}: {after.reason}")
        if _decision_text(before) != _decision_text(after):
            click.echo(f"    (was {_decision_text(before)})")
    if dry_run:
        click.echo("  dry run: nothing written")
    elif result.written:
        click.echo(f"  previous version kept in {result.backup}")
    else:
        click.echo("  no changes to the workbook")
