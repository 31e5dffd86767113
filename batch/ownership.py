"""Which columns are the tool's: the record a workbook keeps of the columns followup made.

A column is the tool's when its header is exactly one of the tool's names (case and
surrounding spaces aside) and the workbook records that followup made it. The record is a
hidden, sheet-local defined name (`_followup_owned`) whose value is a reference to the owned
header cells, written with the first write-back. A defined name rather than a custom
document property because Excel and LibreOffice move a name's reference with its cells: a
user who inserts a column or a title row before the Follow-up columns keeps the record true,
and it needs no new part in the package.

Workbooks written before the record existed are recognised by their header row: the tool's
column names, exactly, side by side in the tool's order. Pure; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from batch.model import OWNED_COLUMNS
from batch.xlsx.cell_refs import column_letters, column_number

RECORD_NAME = "_followup_owned"
# A workbook from before the record counts as the tool's when it has at least this many of
# the tool's columns, exactly named, side by side and in order.
LEGACY_MIN_COLUMNS = 3

_REFERENCE = re.compile(
    r"""(?:(?:'(?P<quoted>(?:[^']|'')*)'|(?P<plain>[^'!,:]+))!)?"""
    r"""\$?(?P<col1>[A-Za-z]{1,3})\$?(?P<row1>\d+)(?::\$?(?P<col2>[A-Za-z]{1,3})\$?(?P<row2>\d+))?"""
)


class NotTheToolsColumn(Exception):
    """A column with one of the tool's names that the tool did not make, holding values."""

    def __init__(self, name: str, column: int, header: str) -> None:
        super().__init__(name)
        self.name = name
        self.column = column
        self.header = header

    def message(self) -> str:
        letter = column_letters(self.column)
        return (
            f"column {letter} {self.header!r} has the name of followup's own column but "
            "followup did not make it, and it holds your values: rename it (e.g. "
            f"'My {self.name}') and run again; followup then adds its own"
        )


def record_formula(sheet_name: str, header_row: int, columns: Iterable[int]) -> str:
    """The defined name's value: the owned header cells, one range when side by side."""
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    numbers = sorted(set(columns))
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        first, last = column_letters(numbers[0]), column_letters(numbers[-1])
        return f"{quoted}!${first}${header_row}:${last}${header_row}"
    return ",".join(f"{quoted}!${column_letters(n)}${header_row}" for n in numbers)


def recorded_cells(formula: str, sheet_name: str) -> set[tuple[int, int]]:
    """The (row, column) cells a record names on `sheet_name` (none for #REF! and the like)."""
    cells: set[tuple[int, int]] = set()
    for part in formula.split(","):
        match = _REFERENCE.fullmatch(part.strip())
        if match is None:
            continue
        sheet = match["quoted"].replace("''", "'") if match["quoted"] is not None else None
        sheet = sheet if sheet is not None else match["plain"]
        if sheet is not None and sheet != sheet_name:
            continue
        row1, col1 = int(match["row1"]), column_number(match["col1"].encode())
        row2 = int(match["row2"] or row1)
        col2 = column_number(match["col2"].encode()) if match["col2"] else col1
        for row in range(min(row1, row2), max(row1, row2) + 1):
            for column in range(min(col1, col2), max(col1, col2) + 1):
                cells.add((row, column))
    return cells


def is_legacy_layout(named: Mapping[str, int]) -> bool:
    """The tool's columns as versions before the record wrote them: in the tool's order
    (a user may have inserted a column of their own between them since)."""
    if len(named) < LEGACY_MIN_COLUMNS:
        return False
    in_sheet_order = sorted(named, key=named.__getitem__)
    return in_sheet_order == [name for name in OWNED_COLUMNS if name in named]


def settle_owned(
    named: Mapping[str, int],
    headers: Mapping[int, str],
    header_row: int,
    recorded: set[tuple[int, int]] | None,
    holds_values: Callable[[int], bool],
) -> dict[str, int]:
    """Which of the columns named exactly like the tool's are the tool's.

    `named`: tool column name -> 1-based column of each header with that exact name;
    `headers`: column -> header as written; `recorded`: the cells the workbook's record
    names, None when it has no record; `holds_values(column)`: whether any cell under the
    header holds a value. Recorded columns and a legacy layout are the tool's; an empty
    column with the tool's name is taken over (the record then names it); one holding values
    raises NotTheToolsColumn.
    """
    if recorded is None and is_legacy_layout(named):
        return dict(named)
    owned: dict[str, int] = {}
    for name, column in named.items():
        if (recorded is not None and (header_row, column) in recorded) or not holds_values(column):
            owned[name] = column
        else:
            raise NotTheToolsColumn(name, column, headers.get(column, name))
    return owned
