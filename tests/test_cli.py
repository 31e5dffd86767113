"""The `followup` commands end to end, driven by click's CliRunner."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from corpus_helpers import CORPUS, corpus_params, require_corpus

from batch.cli import main
from batch.model import Status

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "scripts" / "make_sample.py"
DEMO_DAY = "2026-11-23"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def pristine_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as its script makes it: the committed file may already have been run on
    (a run on it in place fills its Follow-up columns)."""
    path = tmp_path_factory.mktemp("sample") / "sample_tracker.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(path)], check=True)
    return path


@pytest.fixture
def tracker(tmp_path: Path, pristine_sample: Path) -> Path:
    copy = tmp_path / "tracker.xlsx"
    shutil.copyfile(pristine_sample, copy)
    return copy


def owned_columns(path: Path) -> dict[int, dict[str, object]]:
    """Row number -> owned column header -> value, read back with openpyxl."""
    sheet = openpyxl.load_workbook(path)["Interviews"]
    headers = {
        cell.column: cell.value
        for cell in sheet[3]
        if isinstance(cell.value, str) and cell.value.startswith("Follow-up")
    }
    return {
        row: {name: sheet.cell(row, column).value for column, name in headers.items()}
        for row in range(4, sheet.max_row + 1)
    }


def runtime_dependency_modules() -> list[str]:
    """The modules of pyproject.toml's dependencies, but click (the CLI itself) and tzdata."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=!~;\s\[]", spec, maxsplit=1)[0] for spec in project["dependencies"]]
    return [n.lower().replace("-", "_") for n in names if n.lower() not in {"click", "tzdata"}]


def test_help_imports_none_of_the_heavy_dependencies() -> None:
    """The CLI imports the reader, writer and templates inside its commands (cli.py says why)."""
    heavy = runtime_dependency_modules()
    assert "jinja2" in heavy and "python_calamine" in heavy
    code = (
        "import sys\nfrom batch.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([name for name in {heavy!r} if name in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_python_dash_m_batch_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "batch", "--help"], capture_output=True, text=True, check=True
    )
    assert "followup" in out.stdout or "Usage" in out.stdout


def test_run_writes_owned_columns_drafts_review_and_calendar(tracker: Path) -> None:
    result = invoke("run", tracker, "--today", DEMO_DAY)
    # The sample has two rows that need attention on purpose: exit 1, everything else done.
    assert result.exit_code == 1, result.output
    assert "3 due today, 2 overdue" in result.output
    assert "review page:" in result.output

    values = owned_columns(tracker)
    assert values[8]["Follow-up Status"] == "Overdue"
    assert values[8]["Follow-up Step"] == "Check-in"
    assert values[8]["Follow-up Due"] == datetime(2026, 11, 19)
    assert "Thu 12 Nov" in str(values[8]["Follow-up Reason"])
    draft = values[8]["Follow-up Draft"]
    assert isinstance(draft, str) and draft.startswith("drafts/2026-11-23/")
    assert values[16]["Follow-up Status"] == "Closed"
    assert values[16]["Follow-up Draft"] is None
    assert values[21]["Follow-up Status"] == "Needs attention"
    assert "next Tuesday" in str(values[21]["Follow-up Problems"])

    # the Draft cell is a link to the email (a hyperlink relationship, not a formula)
    cell = openpyxl.load_workbook(tracker)["Interviews"].cell(8, _draft_column(tracker))
    assert cell.hyperlink is not None and cell.hyperlink.target == draft.split(";")[0]
    assert cell.data_type == "s"

    day = tracker.parent / "drafts" / DEMO_DAY
    eml = tracker.parent / draft.split(";")[0]
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert message["X-Unsent"] == "1"
    assert not message.defects
    assert (day / "review.html").is_file()
    assert b"BEGIN:VCALENDAR" in (day / "followups.ics").read_bytes()
    assert list((tracker.parent / "followup-backups").iterdir())


def _draft_column(path: Path) -> int:
    sheet = openpyxl.load_workbook(path)["Interviews"]
    return next(cell.column for cell in sheet[3] if cell.value == "Follow-up Draft")


def test_second_run_same_day_changes_nothing(tracker: Path) -> None:
    invoke("run", tracker, "--today", DEMO_DAY)
    before = sha256(tracker)
    drafts = {p: p.stat().st_mtime_ns for p in (tracker.parent / "drafts").rglob("*.eml")}
    result = invoke("run", tracker, "--today", DEMO_DAY)
    assert "no changes to the workbook" in result.output
    assert sha256(tracker) == before
    assert {p: p.stat().st_mtime_ns for p in drafts} == drafts


def test_the_write_back_is_prepared_while_the_sheet_is_read(
    tracker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import batch.xlsx_writer as writer

    prepared: list[str] = []
    used: list[bool] = []
    prepare, write = writer.prepare_sheet, writer.write_edits

    def recording_prepare(path: Path, sheet_name: str) -> writer.PreparedSheet:
        prepared.append(sheet_name)
        return prepare(path, sheet_name)

    def recording_write(*args: Any, **kwargs: Any) -> None:
        used.append(kwargs.get("prepared") is not None)
        write(*args, **kwargs)

    monkeypatch.setattr(writer, "prepare_sheet", recording_prepare)
    monkeypatch.setattr(writer, "write_edits", recording_write)
    assert invoke("run", tracker, "--today", DEMO_DAY, "--dry-run").exit_code == 1
    assert prepared == [] and used == []  # a dry run writes nothing, so prepares nothing
    assert invoke("run", tracker, "--today", DEMO_DAY).exit_code == 1
    assert prepared == ["Interviews"] and used == [True]
    assert owned_columns(tracker)[8]["Follow-up Status"] == "Overdue"


def test_dry_run_writes_nothing_and_lists_cells(tracker: Path) -> None:
    before = sha256(tracker)
    result = invoke("run", tracker, "--today", DEMO_DAY, "--dry-run")
    assert sha256(tracker) == before
    assert not (tracker.parent / "drafts").exists()
    assert "row 8, Follow-up Status: (empty) -> 'Overdue'" in result.output
    assert "row 8, Follow-up Due: (empty) -> 2026-11-19" in result.output


def test_dry_run_on_the_demo_day_shows_every_status(tracker: Path) -> None:
    output = invoke("run", tracker, "--today", DEMO_DAY, "--dry-run").output
    table = [
        re.split(r"\s{2,}", line.strip())
        for line in output.splitlines()
        if re.match(r"\s+\d+\s{2,}", line)
    ]
    assert {cells[2] for cells in table} == {status.value for status in Status}


def test_json_summary(tracker: Path) -> None:
    result = invoke("run", tracker, "--today", DEMO_DAY, "--dry-run", "--json")
    document = json.loads(result.output)
    rows = {r["row"]: r for r in document["trackers"][0]["rows"]}
    assert rows[8]["status"] == "Overdue"
    assert rows[8]["step"] == "Check-in"
    assert rows[8]["due"] == "2026-11-19"
    assert rows[21]["problems"][0]["code"]
    for row in rows.values():
        assert set(row) >= {"row", "company", "status", "step", "due", "reason", "problems"}


def test_several_trackers_one_bad_does_not_stop_the_others(
    tmp_path: Path, tracker: Path, pristine_sample: Path
) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    drafts = tmp_path / "shared-drafts"
    second = tmp_path / "client2.xlsx"
    shutil.copyfile(pristine_sample, second)
    result = CliRunner().invoke(
        main,
        ["run", str(bad), str(tracker), str(second), "--today", DEMO_DAY, "--drafts", str(drafts)],
    )
    assert result.exit_code == 2
    assert "bad.xlsx" in result.output
    assert "Traceback" not in result.output
    assert owned_columns(tracker)[8]["Follow-up Status"] == "Overdue"
    assert owned_columns(second)[8]["Follow-up Status"] == "Overdue"
    page = (drafts / DEMO_DAY / "review.html").read_text(encoding="utf-8")
    # One review page covers both trackers, and counts every row of both.
    assert "tracker.xlsx" in page and "client2.xlsx" in page
    rows = int(re.search(r"from (\d+) rows in", page)[1])  # type: ignore[index]
    result_json = CliRunner().invoke(main, ["check", str(tracker), "--today", DEMO_DAY, "--json"])
    assert rows == 2 * len(json.loads(result_json.output)["trackers"][0]["rows"])


def test_tracker_open_in_excel_is_not_written(tracker: Path) -> None:
    (tracker.parent / f"~${tracker.name}").write_bytes(b"owner")
    before = sha256(tracker)
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", DEMO_DAY])
    assert result.exit_code == 2
    assert "close it" in result.output
    assert sha256(tracker) == before
    assert not (tracker.parent / "drafts").exists()


def test_the_draft_column_is_relative_to_the_tracker(tmp_path: Path, pristine_sample: Path) -> None:
    """With --drafts elsewhere, Follow-up Draft leads there from the tracker's folder."""
    tracker = tmp_path / "client" / "tracker.xlsx"
    tracker.parent.mkdir()
    shutil.copyfile(pristine_sample, tracker)
    invoke("run", tracker, "--today", DEMO_DAY, "--drafts", tmp_path / "shared-drafts")
    draft = owned_columns(tracker)[8]["Follow-up Draft"]
    assert isinstance(draft, str)
    email = draft.split("; ")[0]
    assert email == "../shared-drafts/2026-11-23/alex-morgan-quillmate-check-in.eml"
    assert (tracker.parent / email).is_file()


def test_check_lists_problems(tracker: Path) -> None:
    result = invoke("check", tracker, "--today", DEMO_DAY)
    assert result.exit_code == 1
    assert "header on row 3" in result.output
    assert "next Tuesday" in result.output
    as_json = json.loads(invoke("check", tracker, "--today", DEMO_DAY, "--json").output)
    assert as_json["trackers"][0]["sheet"] == "Interviews"


@pytest.mark.parametrize("path", corpus_params())
def test_check_on_workbooks_that_are_not_trackers(path: Path) -> None:
    require_corpus(path)
    name = path.name
    result = CliRunner().invoke(main, ["check", str(CORPUS / name)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [
        f"followup: {CORPUS / name}: no tracker table found in {name} (looked for a "
        "header with Company and an Interview Date, Status or Date Applied column in the first "
        "20 rows of each sheet); add those headers, or map yours in followup.toml [columns]"
    ]


def test_init_creates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    assert invoke("init", path).exit_code == 0
    before = sha256(path)
    result = CliRunner().invoke(main, ["init", str(path)])
    assert result.exit_code == 2
    assert sha256(path) == before
    checked = invoke("check", path)
    assert checked.exit_code == 0, checked.output


def test_rules_shows_values_and_sources(tmp_path: Path) -> None:
    config = tmp_path / "followup.toml"
    config.write_text('[policy]\npreset = "patient"\ncheckin_after_days = 7\n')
    output = invoke("rules", "--config", config).output
    lines = {line.split()[0]: line for line in output.splitlines()}
    assert (
        "7" in lines["checkin_after_days"]
        and "policy.checkin_after_days" in lines["checkin_after_days"]
    )
    assert "preset patient" in lines["hands_off_days"]


def test_bad_config_is_exit_2_naming_the_key(tracker: Path) -> None:
    (tracker.parent / "followup.toml").write_text("[policy]\ncheckin_after_dayz = 3\n")
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", DEMO_DAY])
    assert result.exit_code == 2
    assert "checkin_after_dayz" in result.output


def test_bad_today_is_a_usage_error(tracker: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", "23/11/2026"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_today_defaults_to_the_clock(tracker: Path) -> None:
    result = invoke("run", tracker, "--dry-run", "--json")
    document = json.loads(result.output)
    today = date.fromisoformat(document["trackers"][0]["today"])
    assert abs((today - date.today()).days) <= 1


def test_every_command_has_a_whole_one_line_summary() -> None:
    """`followup --help` lists each command with one line that click did not have to cut."""
    result = invoke("--help")
    listed = result.output.split("Commands:", 1)[1].splitlines()
    for name, command in main.commands.items():
        summary = command.get_short_help_str(limit=1000)
        assert not summary.endswith("..."), f"give `{name}` a short_help of one line"
        shown = next(line for line in listed if line.split() and line.split()[0] == name)
        assert not shown.endswith("..."), f"`{name}`'s short_help is cut in --help: shorten it"
        assert any(line.split() and line.split()[0] == name for line in listed)
        assert f"{name}  " in result.output or f"{name} " in result.output


def test_version_names_the_command() -> None:
    result = invoke("--version")
    assert re.fullmatch(r"followup, version \d+\.\d+\.\d+\n", result.output)


def test_the_draft_cell_links_to_the_email_with_a_safe_target() -> None:
    from batch.runner import draft_cell
    from batch.tracker_format import LinkedText

    cell = draft_cell(("my drafts/2026-11-23/a.eml", "my drafts/2026-11-23/a.txt"))
    assert isinstance(cell, LinkedText)
    assert cell == "my drafts/2026-11-23/a.eml; my drafts/2026-11-23/a.txt"
    assert cell.target == "my%20drafts/2026-11-23/a.eml"
    absolute = str(Path("/shared/drafts/a b.eml").resolve())
    assert draft_cell((absolute,)).target == Path(absolute).as_uri()  # type: ignore[union-attr]
    assert draft_cell(()) is None


def test_summary_counts_read_as_english(tmp_path: Path) -> None:
    """One row, one draft, one problem: "1 row", never "1 rows"."""
    path = tmp_path / "one.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Candidate", "Company", "Contact", "Email", "Interview Date", "Thank-You Sent"])
    sheet.append(["Alex Morgan", "Quillmate", "Sam Ortiz", "sam@x.example", "2026-11-20", "x"])
    workbook.save(path)
    output = invoke("run", path, "--today", DEMO_DAY).output
    assert "1 row on Mon 23 Nov 2026" in output
    assert "1 row needs attention" in output
    assert "1 rows" not in output
