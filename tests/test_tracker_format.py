"""The tracker-format seam: the runner works through `TrackerFile` alone, so another format
is one module. A stand-in format (the table kept in memory, saves recorded) runs the daily
batch end to end; the .xlsx implementation is checked against the protocol by mypy, as
`open_tracker` returns it as a `TrackerFile`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pytest
from hostile_corpus import TODAY, good_tracker

from batch import runner
from batch.model import OWNED_COLUMNS, Tracker
from batch.tracker import read_tracker
from batch.tracker_format import OwnedCell, TrackerFile, open_tracker
from batch.xlsx.workbook import XlsxTracker


class MemoryTracker:
    """A tracker format that is not a workbook: its table is given, its saves recorded."""

    def __init__(self, path: Path, table: Tracker) -> None:
        self.path = path
        self.table = table
        self.saved: list[OwnedCell] = []
        self.closed = False

    def __enter__(self) -> MemoryTracker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.closed = True

    def read(
        self, *, sheet: str | None, column_overrides: Mapping[str, str], date_order: str
    ) -> Tracker:
        return self.table

    def save(self, tracker: Tracker, cells: Sequence[OwnedCell]) -> Path | None:
        self.saved.extend(cells)
        return self.path.with_suffix(".backup")


def test_the_runner_needs_nothing_but_the_tracker_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = good_tracker(tmp_path / "tracker.xlsx")
    before = path.read_bytes()
    stand_in = MemoryTracker(path, read_tracker(path))
    opened: list[bool] = []

    def open_stand_in(target: Path, *, writing: bool) -> TrackerFile:
        assert target == path
        opened.append(writing)
        return stand_in

    monkeypatch.setattr(runner, "open_tracker", open_stand_in)
    [result] = runner.run_trackers([path], runner.RunOptions(today=TODAY))
    assert result.error is None and opened == [True] and stand_in.closed
    assert result.written and result.backup == path.with_suffix(".backup")
    assert path.read_bytes() == before  # only the stand-in "saved"
    header = stand_in.table.header_row
    assert [value for row, _, value in stand_in.saved if row == header] == list(OWNED_COLUMNS)
    statuses = {
        change.row: change.new for change in result.changes if change.column == "Follow-up Status"
    }
    assert statuses == {header: "Follow-up Status", 2: "Due", 3: "Overdue"}
    assert (tmp_path / "drafts" / TODAY.isoformat() / "review.html").exists()


def test_open_tracker_gives_the_xlsx_tracker_file(tmp_path: Path) -> None:
    path = good_tracker(tmp_path / "tracker.xlsx")
    with open_tracker(path, writing=False) as workbook:
        assert isinstance(workbook, XlsxTracker)
        tracker = workbook.read(sheet=None, column_overrides={}, date_order="MDY")
    assert [row.company for row in tracker.rows] == ["Acme", "Globex"]
