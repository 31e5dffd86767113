"""An .xlsx tracker opened for one run: read its table, then save the owned cells.

`XlsxTracker` is the .xlsx implementation of `batch.tracker_format.TrackerFile`. The reader
(`batch.tracker`) and the writer (`batch.xlsx_writer`) do the work; safe_save replaces the
file. Everything done only for speed on big trackers lives here, each in one place, so the
runner and the reader and writer's callers see plain calls:

- One side thread pool per open tracker. calamine parses a worksheet in Rust without
  holding Python's lock, so while it parses, the pool searches the sheet's XML for Excel
  error cells (which calamine reads as empty) and, when the run will write, unpacks the
  sheet again and finds its rows for the write-back (`prepare_sheet`, a good share of a
  big write-back's work). The write-back uses that work only if the file is still byte for byte
  what was prepared; a preparation that failed is dropped, as the write-back meets the same
  problem and reports it.
- Python's cyclic garbage collector is paused while a tracker is open, and what was made
  meanwhile is frozen (`gc.freeze`) when it closes. A run builds a few objects per row
  (cells, rows, decisions, changes) and frees none of them until the end, so the collector
  would only walk them again and again: while they grow, and again in the report stage once
  it is switched back on. Reference counting still frees everything as usual; only a
  reference cycle among the frozen objects would wait for `gc.unfreeze`.

The writer's own speed work (rows appended without parsing their cells, `</sheetData>` found
once, new cells' bytes looked up by column, style and value) stays inside the writer.
bench/README.md shows what each is worth.
"""

from __future__ import annotations

import contextlib
import gc
import io
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING

from batch.model import OWNED_COLUMNS, FileProblem, Tracker
from batch.xlsx.cell_refs import MAX_COLUMN, column_letters

if TYPE_CHECKING:
    from batch.values import DateOrder
    from batch.xlsx_writer import Edit, PreparedSheet

_NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})


class XlsxTracker:
    """An .xlsx tracker, open for one run; use it as a context manager.

    `writing=False` (a dry run, `followup check`) prepares nothing for a write-back.
    """

    def __init__(self, path: Path, *, writing: bool) -> None:
        self.path = path
        self.writing = writing
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="followup-xlsx")
        self._prepared: dict[str, Future[PreparedSheet]] = {}
        self._collecting = False
        self._read_identity: tuple[int, int] | None = None

    def __enter__(self) -> XlsxTracker:
        self._collecting = gc.isenabled()
        gc.disable()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for future in self._prepared.values():
            future.cancel()
        self._pool.shutdown(wait=True)
        if self._collecting:
            gc.freeze()
            gc.enable()
            self._collecting = False

    def read(
        self,
        *,
        sheet: str | None = None,
        column_overrides: Mapping[str, str] = _NO_OVERRIDES,
        date_order: DateOrder = "MDY",
    ) -> Tracker:
        """Find the tracker table and read its rows (see `batch.tracker.read_tracker`)."""
        from batch import tracker
        from batch.files import file_identity

        # What the file was when read: the save refuses a file changed since (by Excel, say).
        with contextlib.suppress(OSError):  # the reader reports a missing file in its words
            self._read_identity = file_identity(self.path.stat())
        found = tracker.read_tracker(
            self.path,
            sheet=sheet,
            column_overrides=column_overrides,
            date_order=date_order,
            while_parsing=self._prepare if self.writing else None,
            side_work=self._pool,
        )
        if self.writing:
            _check_room_for_owned_columns(found)
        return found

    def save(self, tracker: Tracker, cells: Sequence[Edit]) -> Path | None:
        """Write `cells` (row, column, value; 1-based) into the tracker's sheet and replace
        the file safely (see `batch.safe_save.save_rewritten`). Returns the backup of the
        previous version, or None when no byte changed."""
        from batch import safe_save, xlsx_writer
        from batch.layout import owned_columns_layout

        prepared = self._prepared_sheet(tracker.sheet_name)
        layout = owned_columns_layout(tracker, cells)

        def rewrite(old: bytes) -> bytes:
            new = io.BytesIO()
            xlsx_writer.write_edits(
                io.BytesIO(old), new, tracker.sheet_name, cells, prepared=prepared, layout=layout
            )
            return new.getvalue()

        return safe_save.save_rewritten(self.path, rewrite, expected=self._read_identity)

    def _prepare(self, sheet_name: str) -> None:
        from batch.xlsx_writer import prepare_sheet

        if sheet_name not in self._prepared:
            self._prepared[sheet_name] = self._pool.submit(prepare_sheet, self.path, sheet_name)

    def _prepared_sheet(self, sheet_name: str) -> PreparedSheet | None:
        future = self._prepared.get(sheet_name)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # the write-back meets it again and reports it
            return None


def _check_room_for_owned_columns(tracker: Tracker) -> None:
    """Refuse, before any draft is written, a table that leaves no column for the owned
    columns the run appends right of it (Excel's last column is XFD)."""
    missing = sum(name not in tracker.owned_columns for name in OWNED_COLUMNS)
    last = max([tracker.last_column, *tracker.owned_columns.values()])
    if missing and last + missing > MAX_COLUMN:
        raise FileProblem(
            tracker.path,
            f"has no room for the Follow-up columns right of its table (it reaches column "
            f"{column_letters(last)}, and Excel's last is {column_letters(MAX_COLUMN)}); "
            "delete the cells far right of the table, or add the Follow-up headers yourself",
        )
