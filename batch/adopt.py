"""`followup adopt`: give a tracker the input columns it lacks, without touching the rest.

Most people keep an applications log (Company, Date Applied, Status) before they have
interviews to follow up. Adopting it adds the columns an interview tracker needs to the
right of the table, as the write-back adds the tool's own: the header row's style, a
readable width, date formats on date columns, the sheet's AutoFilter and any Excel Table
grown over them, and every other byte of the workbook kept.

`add_input_columns` is the library call behind the command, for any feature that needs an
input column to write into (it returns where each one is).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from batch.layout import column_width, date_style_sources
from batch.model import DATE_FIELDS, DEFAULT_HEADERS, FileProblem, Tracker
from batch.values import DateOrder

# What `followup adopt` adds when missing (Contact Email too, when the sheet has no email
# column): the dates and notes the follow-up rules and the drafts read.
ADOPTED_FIELDS: tuple[str, ...] = (
    "interview_date",
    "reply_expected_by",
    "thank_you_sent",
    "checkin_sent",
    "reminder_sent",
    "reply_date",
    "key_points",
)
_NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class InputColumns:
    """Where a tracker's input columns are, after `add_input_columns`."""

    path: Path
    sheet_name: str
    header_row: int  # as Excel shows it (1-based)
    columns: dict[str, int]  # field -> 1-based column, for every field asked for
    added: tuple[str, ...]  # the fields whose columns were added (or, in a dry run, would be)
    backup: Path | None = None  # the previous version, when the file was changed


def fields_to_adopt(tracker: Tracker) -> tuple[str, ...]:
    """The input fields `followup adopt` gives a tracker (those it has are kept as they are)."""
    fields = list(ADOPTED_FIELDS)
    if "contact_email" not in tracker.columns:
        fields.append("contact_email")
    return tuple(fields)


def add_input_columns(
    path: Path,
    fields: Sequence[str],
    *,
    sheet: str | None = None,
    column_overrides: Mapping[str, str] = _NO_OVERRIDES,
    date_order: DateOrder = "MDY",
    dry_run: bool = False,
) -> InputColumns:
    """Make sure the tracker at `path` has a column for each input field in `fields`.

    A missing one is added right of everything used on the sheet (the tool's own columns
    included), headed with the field's default header ("Interview Date"), in `fields` order.
    The file is replaced atomically with a backup, as by the write-back; a dry run writes
    nothing. Raises FileProblem when the tracker cannot be read or written (or ValueError
    for a name that is not an input field).
    """
    unknown = [name for name in fields if name not in DEFAULT_HEADERS]
    if unknown:
        raise ValueError(f"not input fields: {', '.join(unknown)}")
    from batch.tracker import read_tracker

    tracker = read_tracker(
        path, sheet=sheet, column_overrides=column_overrides, date_order=date_order
    )
    return _add_columns(tracker, list(dict.fromkeys(fields)), dry_run=dry_run)


def _add_columns(tracker: Tracker, fields: list[str], *, dry_run: bool) -> InputColumns:
    positions = {name: tracker.columns[name][1] for name in fields if name in tracker.columns}
    missing = [name for name in fields if name not in tracker.columns]
    next_free = max([tracker.last_column, *tracker.owned_columns.values()]) + 1
    for name in missing:
        positions[name] = next_free
        next_free += 1
    result = InputColumns(
        tracker.path, tracker.sheet_name, tracker.header_row, positions, tuple(missing)
    )
    if not missing or dry_run:
        return result
    backup = _write_headers(tracker, {positions[name]: name for name in missing})
    return InputColumns(
        tracker.path, tracker.sheet_name, tracker.header_row, positions, tuple(missing), backup
    )


def _write_headers(tracker: Tracker, new: dict[int, str]) -> Path | None:
    from batch import safe_save
    from batch.xlsx_writer import SheetLayout, write_edits

    edits = [(tracker.header_row, column, DEFAULT_HEADERS[name]) for column, name in new.items()]
    layout = SheetLayout(
        header_row=tracker.header_row,
        new_columns=frozenset(new),
        date_styles_from=date_style_sources(tracker.columns),
        widths={column: column_width(name, DEFAULT_HEADERS[name]) for column, name in new.items()},
        date_columns=frozenset(column for column, name in new.items() if name in DATE_FIELDS),
    )

    def rewrite(old: bytes) -> bytes:
        written = io.BytesIO()
        write_edits(io.BytesIO(old), written, tracker.sheet_name, edits, layout=layout)
        return written.getvalue()

    try:
        return safe_save.save_rewritten(tracker.path, rewrite)
    except FileProblem as problem:
        raise FileProblem(tracker.path, problem.message) from None


def adopt_tracker(
    path: Path, *, config_path: Path | None = None, sheet: str | None = None, dry_run: bool = False
) -> InputColumns:
    """`followup adopt`: add the columns of `fields_to_adopt` that the tracker lacks."""
    from batch.config import load_config
    from batch.tracker import read_tracker

    config = load_config(config_path, path)
    tracker = read_tracker(
        path, sheet=sheet, column_overrides=config.columns, date_order=config.policy.date_order
    )
    return _add_columns(tracker, list(fields_to_adopt(tracker)), dry_run=dry_run)


def summary(result: InputColumns, *, dry_run: bool) -> list[str]:
    """What `followup adopt` prints: each column added (or that would be), and where."""
    from batch.xlsx.cell_refs import column_letters

    where = f"sheet {result.sheet_name!r} of {result.path}"
    if not result.added:
        return [f"{where} already has every input column; nothing to add"]
    verb = "would add" if dry_run else "added"
    lines = [f"{where}: {verb} {len(result.added)} columns on row {result.header_row}:"]
    lines += [
        f"  {column_letters(result.columns[name])}: {DEFAULT_HEADERS[name]}"
        for name in result.added
    ]
    if result.backup is not None:
        lines.append(f"previous version kept in {result.backup}")
    if not dry_run:
        lines.append(f"Fill in the interview dates, then run: followup run {result.path}")
    return lines
