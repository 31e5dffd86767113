"""Only the tool's columns are the tool's: the workbook's record, look-alike headers, a
user's column with the tool's exact name, and workbooks written before the record."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus_helpers import corpus_params, require_corpus
from tracker_helpers import build_tracker
from workbook_helpers import calamine_values, first_worksheet, openpyxl_values

from batch.cli import main
from batch.model import OWNED_COLUMNS, FileProblem
from batch.ownership import (
    NotTheToolsColumn,
    is_legacy_layout,
    record_formula,
    recorded_cells,
    settle_owned,
)
from batch.tracker import read_tracker
from batch.xlsx_writer import CellEdit, write_edits

TODAY = "2026-11-23"


@pytest.mark.parametrize(
    ("sheet", "columns", "formula"),
    [
        ("Jobs", [11, 12, 13], "'Jobs'!$K$1:$M$1"),
        ("It's mine", [2, 4], "'It''s mine'!$B$1,'It''s mine'!$D$1"),
    ],
)
def test_the_record_names_the_header_cells(sheet: str, columns: list[int], formula: str) -> None:
    assert record_formula(sheet, 1, columns) == formula
    assert recorded_cells(formula, sheet) == {(1, column) for column in columns}
    assert recorded_cells(formula, "Other sheet") == set()


def test_a_broken_record_names_nothing() -> None:
    assert recorded_cells("#REF!", "Jobs") == set()
    assert recorded_cells("'Jobs'!#REF!", "Jobs") == set()


def test_columns_in_the_tools_order_are_a_workbook_written_before_the_record() -> None:
    assert is_legacy_layout({name: 10 + i for i, name in enumerate(OWNED_COLUMNS)})
    assert is_legacy_layout({"Follow-up Status": 3, "Follow-up Due": 5, "Follow-up Reason": 9})
    assert not is_legacy_layout({"Follow-up Status": 3, "Follow-up Due": 4})  # two: a user's
    assert not is_legacy_layout({"Follow-up Due": 3, "Follow-up Status": 4, "Follow-up Step": 5})


def test_settling_who_owns_a_column() -> None:
    headers = {3: "Follow-up Status"}
    empty, full = (lambda _: False), (lambda _: True)
    assert settle_owned({"Follow-up Status": 3}, headers, 1, None, empty) == {"Follow-up Status": 3}
    assert settle_owned({"Follow-up Status": 3}, headers, 1, {(1, 3)}, full) == {
        "Follow-up Status": 3
    }
    with pytest.raises(NotTheToolsColumn):
        settle_owned({"Follow-up Status": 3}, headers, 1, None, full)
    with pytest.raises(NotTheToolsColumn):
        settle_owned({"Follow-up Status": 3}, headers, 1, {(1, 4)}, full)


def test_a_users_column_with_the_tools_exact_name_stops_the_tracker(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date", "Follow-up Due"],
        [["Acme", date(2026, 11, 12), date(2026, 11, 30)]],
        owned_by_tool=False,
    )
    with pytest.raises(FileProblem) as caught:
        read_tracker(path)
    assert caught.value.message == (
        "column C 'Follow-up Due' has the name of followup's own column but followup did not "
        "make it, and it holds your values: rename it (e.g. 'My Follow-up Due') and run "
        "again; followup then adds its own"
    )
    result = CliRunner().invoke(main, ["run", str(path), "--today", TODAY])
    assert result.exit_code == 2
    assert "rename it" in result.output


def test_an_empty_column_with_the_tools_name_is_taken_and_recorded(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date", "Follow-up Status"],
        [["Acme", date(2026, 11, 12)]],
        owned_by_tool=False,
    )
    assert read_tracker(path).owned_columns == {"Follow-up Status": 3}
    result = CliRunner().invoke(main, ["run", str(path), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    tracker = read_tracker(path)  # now recorded: its values are the tool's
    assert set(tracker.owned_columns) == set(OWNED_COLUMNS)
    assert tracker.owned_columns["Follow-up Status"] == 3


# cspyksma/Job_tracking keeps its own "FollowUpDue" dates (32 of them in the real file) beside
# "Status"; another public tracker has a user column "Follow Up Status". Both once lost their
# values to the write-back.
LOOK_ALIKES = ["Company", "Status", "DateApplied", "Interview Date", "FollowUpDue"]
LOOK_ALIKES += ["Follow Up Status", "Follow-up date", "follow up step"]


def look_alike_tracker(path: Path) -> Path:
    start = date(2026, 10, 1)
    rows = [
        [
            f"Company {n}",
            "Interviewing",
            start + timedelta(days=n),
            start + timedelta(days=n + 10),
            start + timedelta(days=n + 20),
            "waiting on them",
            start + timedelta(days=n + 21),
            "call",
        ]
        for n in range(32)
    ]
    return build_tracker(path, LOOK_ALIKES, rows, owned_by_tool=False)


def test_look_alike_columns_keep_every_value_and_the_tool_adds_its_own(tmp_path: Path) -> None:
    path = look_alike_tracker(tmp_path / "t.xlsx")
    before = calamine_values(path.read_bytes(), "Tracker")
    result = CliRunner().invoke(main, ["run", str(path), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    after = calamine_values(path.read_bytes(), "Tracker")
    assert {key: after.get(key) for key in before} == before
    headers = {column: value for (row, column), value in after.items() if row == 1}
    assert [headers[c] for c in range(9, 15)] == list(OWNED_COLUMNS)
    tracker = read_tracker(path)
    assert tracker.owned_columns == {name: 9 + i for i, name in enumerate(OWNED_COLUMNS)}
    assert tracker.columns["planned_follow_up"] == ("FollowUpDue", 5)


def test_a_workbook_written_before_the_record_is_the_tools(tmp_path: Path) -> None:
    header = ["Company", "Interview Date", *OWNED_COLUMNS]
    row = ["Acme", date(2026, 11, 12), "Overdue", "Thank-you", date(2026, 11, 12), "x", "", ""]
    path = build_tracker(tmp_path / "t.xlsx", header, [row], owned_by_tool=False)
    tracker = read_tracker(path)
    assert tracker.owned_columns == {name: 3 + i for i, name in enumerate(OWNED_COLUMNS)}
    result = CliRunner().invoke(main, ["run", str(path), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    assert read_tracker(path).owned_columns == tracker.owned_columns


def test_the_sample_written_by_the_last_version_is_recognised(tmp_path: Path) -> None:
    """sample_tracker.xlsx after a run of the version before the record: six columns, in
    order, no record. Simulated by the write-back without its record."""
    from batch import xlsx_writer
    from batch.runner import owned_column_positions

    sample = Path(__file__).resolve().parents[1] / "sample_tracker.xlsx"
    path = tmp_path / "sample.xlsx"
    shutil.copy(sample, path)
    tracker = read_tracker(path)
    positions = owned_column_positions(tracker)
    edits = [(tracker.header_row, column, name) for name, column in positions.items()]
    edits += [(row.row, positions["Follow-up Status"], "Waiting") for row in tracker.rows]
    xlsx_writer.write_edits(path, path, first_worksheet(path), edits)
    again = read_tracker(path)
    assert again.owned_columns == positions


CORPUS_FILES = corpus_params("*.xls[xm]")


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_corpus_workbook_with_look_alike_headers_keeps_every_user_cell(
    path: Path, tmp_path: Path
) -> None:
    """A tracker with the user's own look-alike columns, put beside each corpus workbook's
    data: a run writes only the tool's new columns, every other cell reads the same."""
    require_corpus(path)
    sheet = first_worksheet(path)
    before_cells = openpyxl_values(path, sheet)
    # within the rows where a header is looked for
    top = min(min((row for row, _ in before_cells), default=1), 20)
    right = max((column for _, column in before_cells), default=0) + 1
    header = ["Company", "Interview Date", "FollowUpDue", "Follow Up Status", "Follow-up date"]
    rows = [
        ["Acme", date(2026, 11, 12), date(2026, 11, 20), "waiting", date(2026, 11, 21)],
        ["Globex", date(2026, 11, 16), date(2026, 11, 24), "call Jo", date(2026, 11, 25)],
    ]
    edits = [CellEdit(top, right + i, text) for i, text in enumerate(header)]
    for offset, row in enumerate(rows, start=1):
        edits += [CellEdit(top + offset, right + i, value) for i, value in enumerate(row)]
    tracker = tmp_path / path.name
    write_edits(path, tracker, sheet, edits)
    before = calamine_values(tracker.read_bytes(), sheet)
    result = CliRunner().invoke(main, ["run", str(tracker), "--sheet", sheet, "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    after = calamine_values(tracker.read_bytes(), sheet)
    assert {key: after.get(key) for key in before} == before
    written = {key for key in after if key not in before}
    assert {column for _, column in written} <= set(range(right + 5, right + 11))
