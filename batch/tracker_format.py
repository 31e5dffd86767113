"""What the runner needs from a tracker file, whatever its format.

A tracker format is one module with a class that follows `TrackerFile`: open the file for a
run, find the table and read its rows into a `Tracker`, then write the owned cells and save
the file safely. `open_tracker` picks the class for a path. Only .xlsx exists today
(`batch.xlsx.workbook.XlsxTracker`); a CSV or OpenDocument tracker would be one new module
and one line in `open_tracker`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Protocol

from batch.model import Tracker
from batch.values import DateOrder

# One owned cell to write: (row, column, value), 1-based as the spreadsheet shows them; the
# value is text (`LinkedText` for text that is also a link), a date, or None to clear the cell.
OwnedCell = tuple[int, int, str | date | None]


class LinkedText(str):
    """Cell text that is also a link: the cell shows the text, a click opens `target` (a URI
    reference; a relative one is relative to the tracker's folder). It equals its text, so a
    cell already showing that text is not written again."""

    target: str

    def __new__(cls, text: str, target: str) -> LinkedText:
        linked = super().__new__(cls, text)
        linked.target = target
        return linked


class TrackerFile(Protocol):
    """A tracker file opened for one run (a context manager: closing releases it)."""

    path: Path

    def __enter__(self) -> TrackerFile: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def read(
        self, *, sheet: str | None, column_overrides: Mapping[str, str], date_order: DateOrder
    ) -> Tracker:
        """Find the tracker table and read its rows; FileProblem when the file is unusable."""
        ...

    def save(self, tracker: Tracker, cells: Sequence[OwnedCell]) -> Path | None:
        """Write the owned cells, changing nothing else, and replace the file safely
        (atomically, with a backup, never while another program has it open). Returns the
        backup, or None when nothing changed."""
        ...


def open_tracker(path: Path, *, writing: bool) -> TrackerFile:
    """The tracker file at `path`; `writing=False` when the run will not save it."""
    from batch.xlsx.workbook import XlsxTracker

    return XlsxTracker(path, writing=writing)
