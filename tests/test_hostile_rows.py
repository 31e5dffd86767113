"""Hostile and broken rows and headers: each bad row is flagged in Follow-up Problems, every
other row is processed (exit 1), nothing written is a formula, no draft header carries an
injected line, and nothing is written outside the drafts folder."""

from __future__ import annotations

import hashlib
import re
import zipfile
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import python_calamine
from click.testing import CliRunner, Result
from hostile_corpus import (
    EMOJI_COMPANY,
    HEADER_CASES,
    HOSTILE_ROWS,
    ROW_HEADER,
    SHEET,
    hostile_rows_tracker,
    row_of,
)

from batch.cli import main
from batch.model import OWNED_COLUMNS

TODAY = "2026-11-23"
EMAIL_HEADERS = {
    "To",
    "From",
    "Subject",
    "Date",
    "Message-ID",
    "X-Unsent",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def files_under(folder: Path) -> dict[Path, str]:
    return {
        path.relative_to(folder): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def cells(path: Path, sheet: str = "Tracker") -> list[list[Any]]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def formulas(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read(SHEET)
    return re.findall(rb"<(?:\w+:)?f\b[^>]*>", sheet)


def owned(table: list[list[Any]], header_row: int = 0) -> dict[int, dict[str, Any]]:
    """Excel row -> owned column -> value, for the rows under the header."""
    header = table[header_row]
    columns = {name: header.index(name) for name in OWNED_COLUMNS if name in header}
    return {
        index + 1: {name: row[column] for name, column in columns.items()}
        for index, row in enumerate(table)
        if index > header_row
    }


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hostile-rows tracker, run once; what it was and what came out."""
    folder = tmp_path_factory.mktemp("rows")
    path = hostile_rows_tracker(folder)
    before_cells = cells(path)
    before_formulas = formulas(path)
    before_files = files_under(folder)
    result = invoke("run", path, "--today", TODAY)
    return {
        "folder": folder,
        "path": path,
        "result": result,
        "before_cells": before_cells,
        "after_cells": cells(path),
        "before_formulas": before_formulas,
        "before_files": before_files,
    }


def test_exit_1_and_no_file_problem(ran: dict[str, Any]) -> None:
    result = ran["result"]
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    assert f"{len(HOSTILE_ROWS)} rows" in result.stdout


@pytest.mark.parametrize("case", HOSTILE_ROWS, ids=lambda case: case.case)
def test_each_row_is_flagged_or_processed(ran: dict[str, Any], case: Any) -> None:
    values = owned(ran["after_cells"])[row_of(case.case)]
    problems = values["Follow-up Problems"]
    if case.flagged:
        assert values["Follow-up Status"] == "Needs attention"
        assert problems and case.problem in problems
    else:
        assert values["Follow-up Status"] not in ("", "Needs attention")
        assert values["Follow-up Reason"]


def test_the_expected_problems(ran: dict[str, Any]) -> None:
    rows = owned(ran["after_cells"])
    problem = {case.case: rows[row_of(case.case)]["Follow-up Problems"] for case in HOSTILE_ROWS}
    assert "#REF!" in problem["ref-error-in-interview-date"]
    assert problem["formula-date-without-cached-value"].startswith(
        "Interview Date: the cell has a formula whose result was never saved"
    )
    assert "1850" in problem["date-before-1900-text"]
    assert "-5 is not a date" in problem["negative-serial"]
    assert "9999" in problem["date-in-9999"]
    assert "9999" in problem["sent-in-9999"]
    assert "line breaks, which were made spaces" in problem["contact-with-newline"]


def test_the_users_columns_are_never_written(ran: dict[str, Any]) -> None:
    width = len(ROW_HEADER)
    before = [row[:width] for row in ran["before_cells"]]
    after = [row[:width] for row in ran["after_cells"]]
    assert after == before


def test_nothing_written_is_a_formula(ran: dict[str, Any]) -> None:
    assert formulas(ran["path"]) == ran["before_formulas"]
    company = owned(ran["after_cells"])[row_of("formula-company")]
    assert all(not str(value).startswith("=") for value in company.values())


def test_nothing_is_written_outside_the_drafts_folder(ran: dict[str, Any]) -> None:
    folder: Path = ran["folder"]
    before: dict[Path, str] = ran["before_files"]
    after = files_under(folder)
    added = set(after) - set(before)
    changed = {path for path in before if after.get(path) != before[path]}
    assert changed == {Path("tracker.xlsx")}
    for path in added:
        assert path.parts[0] in ("drafts", "followup-backups"), path
    drafts = folder / "drafts" / TODAY
    for path in drafts.iterdir():
        assert path.resolve().parent == drafts.resolve()
        assert len(path.name.encode()) <= 255
        stem = path.name.split(".")[0].upper()
        assert stem not in ("CON", "PRN", "AUX", "NUL")
        assert ".." not in path.name and "/" not in path.name and "\\" not in path.name


def test_every_draft_header_is_one_clean_line(ran: dict[str, Any]) -> None:
    drafts = sorted((ran["folder"] / "drafts" / TODAY).glob("*.eml"))
    assert len(drafts) >= 10
    for draft in drafts:
        raw = draft.read_bytes()
        head = raw.split(b"\r\n\r\n", 1)[0]
        # A long header folds onto lines that start with a space; any other line starts one.
        names = [
            line.split(b":", 1)[0].decode()
            for line in head.split(b"\r\n")
            if not line[:1].isspace()
        ]
        # every header line starts a known header (no continuation smuggled in)
        assert set(names) <= EMAIL_HEADERS, (draft.name, names)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        for name, value in message.items():
            assert name in EMAIL_HEADERS
            assert "\r" not in str(value) and "\n" not in str(value)
        # one recipient, never the address smuggled into a name or an email cell
        recipients = [address.addr_spec for address in message["To"].addresses]
        assert len(recipients) == 1 and "attacker" not in recipients[0]


def test_the_email_cell_with_a_header_in_it_is_addressed_to_the_first_address_only(
    ran: dict[str, Any],
) -> None:
    draft = owned(ran["after_cells"])[row_of("email-with-newline")]["Follow-up Draft"]
    raw = (ran["folder"] / draft).read_bytes()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert [address.addr_spec for address in message["To"].addresses] == ["jane@example.com"]
    assert "Bcc" not in message and "Cc" not in message


def test_right_to_left_and_emoji_names_make_drafts(ran: dict[str, Any]) -> None:
    rows = owned(ran["after_cells"])
    for case in ("right-to-left-names", "emoji-company"):
        draft = rows[row_of(case)]["Follow-up Draft"]
        assert draft.endswith(".eml")
        text = (ran["folder"] / draft).read_text(encoding="utf-8")
        assert "Subject:" in text
    rtl = (ran["folder"] / rows[row_of("right-to-left-names")]["Follow-up Draft"]).read_bytes()
    body = BytesParser(policy=policy.default).parsebytes(rtl).get_body()
    assert body is not None and "محمد علي" in body.get_content()
    assert len(EMOJI_COMPANY) == 300


def test_check_lists_the_same_problems_and_writes_nothing(ran: dict[str, Any]) -> None:
    path: Path = ran["path"]
    before = files_under(ran["folder"])
    result = invoke("check", path, "--today", TODAY)
    assert result.exit_code == 1
    assert "formula-without-result" in result.stdout
    assert "error-cell" in result.stdout
    assert files_under(ran["folder"]) == before


# --- odd headers ----------------------------------------------------------------------------------


def run_case(tmp_path: Path, name: str) -> tuple[Path, Result, list[list[Any]], list[list[Any]]]:
    path = HEADER_CASES[name](tmp_path)
    # a name to sign with, so the drafts are ready and the run exits 0
    (path.parent / "followup.toml").write_text('[sender]\nname = "Alex Morgan"\n')
    before = cells(path)
    result = invoke("run", path, "--today", TODAY)
    return path, result, before, cells(path)


def test_merged_header_cells(tmp_path: Path) -> None:
    path, result, before, after = run_case(tmp_path, "merged-header")
    assert result.exit_code == 0, result.output
    assert f"{path}: 2 rows" in result.stdout
    header = after[2]
    assert header[:6] == before[2][:6]
    assert after[3][header.index("Follow-up Step")] == "Check-in"
    assert after[4][header.index("Follow-up Step")] == "Thank-you"


def test_duplicate_headers_use_the_first_and_warn(tmp_path: Path) -> None:
    path, result, before, after = run_case(tmp_path, "duplicate-headers")
    assert result.exit_code == 0, result.output
    assert [row[:6] for row in after] == [row[:6] for row in before]
    statuses = [row[after[0].index("Follow-up Status")] for row in after[1:]]
    assert statuses == ["Overdue", "Due"]  # from the first Interview Date column
    check = invoke("check", path, "--today", TODAY)
    assert "duplicate-column" in check.stdout


def test_owned_columns_holding_the_users_text_are_the_tools(tmp_path: Path) -> None:
    """They are the tool's by name, so they are overwritten; "Status" and Notes are not."""
    path, result, before, after = run_case(tmp_path, "owned-columns-with-user-text")
    assert result.exit_code == 0, result.output
    header = after[0]
    for column in ("Company", "Interview Date", "Status", "Notes"):
        index = header.index(column)
        assert [row[index] for row in after] == [row[index] for row in before]
    rows = owned(after)
    assert rows[2]["Follow-up Status"] == "Overdue"
    assert rows[2]["Follow-up Reason"] != "call Bob"
    assert rows[2]["Follow-up Problems"] != "my own problems"
    assert rows[3]["Follow-up Reason"] != "=1+1 typed by me"
    assert formulas(path) == []


def test_an_owned_column_twice_writes_only_the_first(tmp_path: Path) -> None:
    path, result, before, after = run_case(tmp_path, "owned-column-twice")
    assert result.exit_code == 0, result.output
    assert [row[4] for row in after] == [row[4] for row in before]  # the second copy, kept
    assert [row[3] for row in after] == [row[3] for row in before]  # Notes
    assert [row[2] for row in after[1:]] == ["Overdue", "Due"]
    assert "ignored" in invoke("check", path, "--today", TODAY).stdout


def test_a_formula_saved_by_openpyxl_has_no_result_and_is_flagged(tmp_path: Path) -> None:
    """openpyxl writes `<f>` with no `<v>`: the date is not empty, it is not known yet."""
    import openpyxl

    from batch.tracker import read_tracker

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Company", "Interview Date", "They Will Contact"])
    sheet.append(["Acme", "=TODAY()-3", '=IF(1,"yes","no")'])
    sheet.append(["Globex", "2026-11-12", "no"])
    workbook.save(tmp_path / "tracker.xlsx")
    tracker = read_tracker(tmp_path / "tracker.xlsx")
    acme, globex = tracker.rows
    assert [(p.column, p.code) for p in acme.problems] == [
        ("Interview Date", "formula-without-result"),
        ("They Will Contact", "formula-without-result"),
    ]
    assert globex.problems == ()
