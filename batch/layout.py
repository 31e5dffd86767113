"""How new columns fit into the user's sheet: their widths, and the look of the tool's own.

One place for the widths `followup init` gives its columns and the write-back and
`followup adopt` give the columns they add, so a new tracker and an adopted one look alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from batch.columns import owned_name
from batch.model import DATE_FIELDS, Tracker
from batch.ownership import RECORD_NAME, record_formula

if TYPE_CHECKING:
    from batch.xlsx_writer import Edit, SheetLayout

# Widths (in characters) for columns whose content is wider than their header, by field or
# by the tool's column name.
CONTENT_WIDTHS: dict[str, int] = {
    "candidate": 16,
    "company": 22,
    "role": 24,
    "contact_name": 20,
    "contact_email": 28,
    "contact_phone": 16,
    "outcome": 14,
    "key_points": 48,
    "extra_info": 36,
    "Follow-up Reason": 48,
    "Follow-up Draft": 32,
    "Follow-up Problems": 36,
}
# The tool's columns holding sentences: their text wraps instead of running into the next.
WRAPPED_COLUMNS: tuple[str, ...] = ("Follow-up Reason", "Follow-up Draft", "Follow-up Problems")
# The order in which date columns lend their date style to new date cells.
_DATE_STYLE_SOURCES = (
    "interview_date",
    "thank_you_sent",
    "applied_date",
    "reply_expected_by",
    "checkin_sent",
    "reminder_sent",
    "reply_date",
    "planned_follow_up",
)
assert set(_DATE_STYLE_SOURCES) == DATE_FIELDS


def column_width(key: str, header: str) -> int:
    """A column's width: its header with a margin, at least its content's usual width."""
    return max(len(header) + 4, CONTENT_WIDTHS.get(key, 0), 12)


def date_style_sources(columns: Mapping[str, tuple[str, int]]) -> tuple[int, ...]:
    """The tracker's date columns (1-based), in the order their date style is preferred."""
    return tuple(columns[name][1] for name in _DATE_STYLE_SOURCES if name in columns)


def owned_columns_layout(tracker: Tracker, cells: Iterable[Edit]) -> SheetLayout:
    """How the tool's columns look when the write-back `cells` go into `tracker`'s sheet.

    Owned headers written now are new columns: they take the header row's style, a width,
    and the AutoFilter grows over them; Reason, Draft and Problems wrap; Follow-up Due takes
    the tracker's own date style; and the workbook records every owned column as the tool's
    (batch.ownership).
    """
    from batch.xlsx_writer import SheetLayout

    new: dict[int, str] = {}
    for row, column, value in cells:
        if row == tracker.header_row and isinstance(value, str) and owned_name(value) == value:
            new[column] = value
    positions = dict(tracker.owned_columns)
    positions.update({name: column for column, name in new.items()})
    hidden_names = {}
    if positions:
        formula = record_formula(tracker.sheet_name, tracker.header_row, positions.values())
        hidden_names[RECORD_NAME] = formula
    return SheetLayout(
        header_row=tracker.header_row,
        new_columns=frozenset(new),
        wrapped=frozenset(positions[name] for name in WRAPPED_COLUMNS if name in positions),
        date_styles_from=date_style_sources(tracker.columns),
        widths={column: column_width(name, name) for column, name in new.items()},
        hidden_names=hidden_names,
    )
