"""The outputs of the README's demo run, cell by cell and byte by byte, against golden files.

The sample tracker as `scripts/make_sample.py` makes it is run on Mon 2026-11-23, as the README
shows; then the written-back Follow-up cells (with their exact column letters), the review page
and the calendar are compared with tests/golden/. Where an output holds something that depends
on where the test runs (the temporary folder, UIDs hashed from the tracker's absolute path), it
is replaced by a placeholder first. `UPDATE_GOLDEN=1` rewrites the golden files (see
golden_helpers).

The column-position tests pin exact column letters: the owned columns start right after the
user's last used column, never one further, and existing ones are written where they are.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from golden_helpers import assert_golden
from openpyxl.utils import get_column_letter

from batch.cli import main
from batch.model import OWNED_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "scripts" / "make_sample.py"
DEMO_DAY = "2026-11-23"
SHEET = "Interviews"
HEADER_ROW = 3
# The sample's own columns are A (Candidate) to P (Extra Info); the owned ones follow.
SAMPLE_OWNED_LETTERS = ("Q", "R", "S", "T", "U", "V")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a fresh sample tracker after the README's demo run."""
    folder = tmp_path_factory.mktemp("demo")
    tracker = folder / "sample_tracker.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(tracker)], check=True)
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", DEMO_DAY])
    # Two rows of the sample need attention on purpose (README, "To run the tests").
    assert result.exit_code == 1, result.output
    return folder


def _cell_text(cell: openpyxl.cell.cell.Cell) -> str:
    value = cell.value
    if isinstance(value, datetime):
        shown = value.date().isoformat() if value.time() == datetime.min.time() else str(value)
        return f"{shown} (date, format {cell.number_format!r})"
    if isinstance(value, date):
        return f"{value.isoformat()} (date, format {cell.number_format!r})"
    return repr(value)


def owned_cells_text(tracker: Path) -> str:
    """Every non-empty cell right of the user's columns, one line each: `Q8 'Overdue'`."""
    sheet = openpyxl.load_workbook(tracker)[SHEET]
    first_owned = SAMPLE_OWNED_LETTERS[0]
    lines = [
        f"# {tracker.name}, sheet {SHEET}, after `followup run --today {DEMO_DAY}`:",
        f"# every non-empty cell from column {first_owned} rightwards (openpyxl's reading)",
    ]
    first_column = openpyxl.utils.column_index_from_string(first_owned)
    for row in sheet.iter_rows(min_row=1, min_col=first_column):
        for cell in row:
            if cell.value is not None:
                lines.append(f"{cell.coordinate} {_cell_text(cell)}")
    return "\n".join(lines) + "\n"


def test_owned_cells_of_the_sample_match_the_golden_file(demo_run: Path) -> None:
    assert_golden("sample.owned-cells.txt", owned_cells_text(demo_run / "sample_tracker.xlsx"))


def test_review_page_matches_the_golden_file(demo_run: Path) -> None:
    page = (demo_run / "drafts" / DEMO_DAY / "review.html").read_text(encoding="utf-8")
    # Nothing on the page depends on the folder today; should a path appear, it stays stable.
    page = page.replace(demo_run.as_uri(), "file://<folder>").replace(str(demo_run), "<folder>")
    assert_golden("sample.review.html", page)


def test_calendar_matches_the_golden_file(demo_run: Path) -> None:
    data = (demo_run / "drafts" / DEMO_DAY / "followups.ics").read_bytes()
    text = data.decode("utf-8")
    # RFC 5545: every line ends in CRLF. The golden file keeps plain newlines (diffs read
    # better and git leaves them alone), so the line ends are checked here instead.
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    text = text.replace("\r\n", "\n")
    # UIDs are hashed from the tracker's absolute path: numbered in order of appearance, so
    # the file still shows that each event has its own.
    uids: dict[str, str] = {}
    text = re.sub(
        r"^UID:(\S+)$",
        lambda match: f"UID:<uid {uids.setdefault(match[1], str(len(uids) + 1))}>",
        text,
        flags=re.MULTILINE,
    )
    assert_golden("sample.followups.ics", text)


# --- where the owned columns land ------------------------------------------------------------


def header_row(tracker: Path, sheet_name: str, row: int) -> dict[str, object]:
    """Column letter -> value of one row, for every cell that holds something."""
    sheet = openpyxl.load_workbook(tracker)[sheet_name]
    return {
        get_column_letter(cell.column): cell.value for cell in sheet[row] if cell.value is not None
    }


def test_owned_columns_land_right_after_the_samples_last_column(demo_run: Path) -> None:
    headers = header_row(demo_run / "sample_tracker.xlsx", SHEET, HEADER_ROW)
    assert headers["P"] == "Extra Info"  # the user's last column
    owned = {letter: headers.get(letter) for letter in SAMPLE_OWNED_LETTERS}
    assert owned == dict(zip(SAMPLE_OWNED_LETTERS, OWNED_COLUMNS, strict=True))
    assert sorted(headers, key=openpyxl.utils.column_index_from_string)[-1] == "V"
    sheet = openpyxl.load_workbook(demo_run / "sample_tracker.xlsx")[SHEET]
    assert sheet.max_column == 22  # V: nothing written beyond the six owned columns
    assert sheet["Q8"].value == "Overdue" and sheet["S8"].value == datetime(2026, 11, 19)


def _small_tracker(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Tracker"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_owned_columns_start_right_of_data_past_the_last_header(tmp_path: Path) -> None:
    """A note typed in E2, right of the last header (C), moves the owned columns to F."""
    tracker = _small_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Interview Date", "Thank-You Sent"],
        [["Acme", date(2026, 11, 12), date(2026, 11, 12), None, "call back Friday"]],
    )
    # a name to sign with, so the drafts are ready and the run exits 0
    (tracker.parent / "followup.toml").write_text('[sender]\nname = "Alex Morgan"\n')
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", DEMO_DAY])
    assert result.exit_code == 0, result.output
    headers = header_row(tracker, "Tracker", 1)
    assert headers == {
        "A": "Company",
        "B": "Interview Date",
        "C": "Thank-You Sent",
        **dict(zip("FGHIJK", OWNED_COLUMNS, strict=True)),
    }
    values = header_row(tracker, "Tracker", 2)
    assert values["E"] == "call back Friday"
    assert values["F"] == "Overdue" and values["G"] == "Check-in"


def test_existing_owned_columns_are_written_where_they_are(tmp_path: Path) -> None:
    """A Follow-up Step column the user moved to B stays there; the missing ones are added."""
    tracker = _small_tracker(
        tmp_path / "t.xlsx",
        ["Company", "Follow-up Step", "Interview Date", "Thank-You Sent"],
        [["Acme", None, date(2026, 11, 12), date(2026, 11, 12)]],
    )
    # a name to sign with, so the drafts are ready and the run exits 0
    (tracker.parent / "followup.toml").write_text('[sender]\nname = "Alex Morgan"\n')
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", DEMO_DAY])
    assert result.exit_code == 0, result.output
    headers = header_row(tracker, "Tracker", 1)
    others = [name for name in OWNED_COLUMNS if name != "Follow-up Step"]
    assert headers == {
        "A": "Company",
        "B": "Follow-up Step",
        "C": "Interview Date",
        "D": "Thank-You Sent",
        **dict(zip("EFGHI", others, strict=True)),
    }
    values = header_row(tracker, "Tracker", 2)
    assert values["B"] == "Check-in" and values["E"] == "Overdue"
