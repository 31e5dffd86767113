"""Issue 13, item 8: ambiguous text dates read in the order their own column shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch.cli import main
from batch.tracker import read_tracker
from batch.values import DateOrder, infer_date_order
from tests.tracker_helpers import build_tracker

# (a column's cells, fallback, order used, settled by, mixed)
AMBIGUOUS_DATES: list[tuple[list[object], DateOrder, DateOrder | None, str | None, bool]] = [
    # A British tracker: one day over 12 settles the column.
    (["03/11/2026", "14/11/2026", "05/11/2026"], "MDY", "DMY", "14/11/2026", False),
    # An American one.
    (["03/11/2026", "11/20/2026"], "DMY", "MDY", "11/20/2026", False),
    # Nothing settles it: the fallback (date_order, else the time zone's convention).
    (["03/11/2026", "04/11/2026"], "DMY", "DMY", None, False),
    (["03/11/2026", "04/11/2026"], "MDY", "MDY", None, False),
    # Weekday in front, dots, two-digit years.
    (["Tue 03.11.26", "Fri 13.11.26"], "MDY", "DMY", "Fri 13.11.26", False),
    # Both orders in one column: flagged; the fallback reads the ambiguous ones.
    (["03/11/2026", "14/11/2026", "11/20/2026"], "MDY", "MDY", None, True),
    # Nothing ambiguous: no order needed.
    (
        ["14/11/2026", "2026-11-03", "3 Nov 2026", date(2026, 11, 3), 46000.0],
        "MDY",
        None,
        None,
        False,
    ),
    (["05/05/2026"], "MDY", None, None, False),
]


@pytest.mark.parametrize(("cells", "fallback", "order", "settled_by", "mixed"), AMBIGUOUS_DATES)
def test_ambiguous_dates(
    cells: list[object],
    fallback: DateOrder,
    order: DateOrder | None,
    settled_by: str | None,
    mixed: bool,
) -> None:
    finding = infer_date_order(cells, fallback)
    if order is None:
        assert finding is None
        return
    assert finding is not None
    assert (finding.order, finding.settled_by, finding.mixed is not None) == (
        order,
        settled_by,
        mixed,
    )


HEADER = ["Company", "Interview Date", "Thank-You Sent"]


def test_each_column_is_read_in_its_own_order(tmp_path: Path) -> None:
    """A British user's 03/11/2026 is 3 November when the column shows day-first dates,
    not 11 March (which made the row "Move on ... 250 days late")."""
    path = build_tracker(
        tmp_path / "t.xlsx",
        HEADER,
        [["Acme", "03/11/2026", "03/11/2026"], ["Birch", "16/11/2026", None]],
    )
    tracker = read_tracker(path, date_order="MDY")
    acme = tracker.rows[0]
    assert acme.interview_date == date(2026, 11, 3)  # the column has 16/11/2026
    assert acme.thank_you_sent == date(2026, 3, 11)  # nothing settles this column: MDY
    findings = dict(tracker.date_orders)
    assert findings["Interview Date"].settled_by == "16/11/2026"
    assert findings["Thank-You Sent"].settled_by is None


def test_a_mixed_column_is_flagged(tmp_path: Path) -> None:
    path = build_tracker(
        tmp_path / "t.xlsx",
        HEADER,
        [
            ["Acme", "03/11/2026", None],
            ["Birch", "16/11/2026", None],
            ["Cedar", "11/20/2026", None],
        ],
    )
    tracker = read_tracker(path, date_order="MDY")
    (warning,) = tracker.warnings
    assert (warning.column, warning.code, warning.severity) == (
        "Interview Date",
        "mixed-date-order",
        "warning",
    )
    assert "16/11/2026" in warning.message and "11/20/2026" in warning.message


def test_the_order_used_is_said_once_in_check_and_run(tmp_path: Path) -> None:
    rows = [["Acme", f"0{day}/11/2026", f"0{day}/11/2026"] for day in range(3, 8)]
    path = build_tracker(tmp_path / "t.xlsx", HEADER, [*rows, ["Birch", "16/11/2026", None]])
    (tmp_path / "followup.toml").write_text('[policy]\ntimezone = "Europe/London"\n')
    for command in ("check", "run"):
        result = CliRunner().invoke(main, [command, str(path), "--today", "2026-11-23"])
        lines = [line.strip() for line in result.output.splitlines()]
        assert (
            "Interview Date: 03/11/2026 and the like read day first (DMY), because 16/11/2026 "
            "in the same column can only be read that way"
        ) in lines, result.output
        said = [line for line in lines if line.startswith("Thank-You Sent:")]
        assert said == [
            "Thank-You Sent: 03/11/2026 and the like read day first (DMY), because nothing in "
            "the column settles it (date_order: the convention in GB, from the time zone "
            "Europe/London)"
        ], result.output
