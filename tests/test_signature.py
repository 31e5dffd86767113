"""Who signs, end to end: a coach's tracker of several candidates, and a first run with no name."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from pathlib import Path

from click.testing import CliRunner
from tracker_helpers import build_tracker

from batch.cli import main

TODAY = "2026-11-23"
HEADER = [
    "Candidate",
    "Candidate Email",
    "Candidate Phone",
    "Company",
    "Contact",
    "Email",
    "Phone",
    "Interview Date",
    "Thank-You Sent",
    "Key Points",
]


def _row(candidate: str, email: str | None, phone: str | None, company: str) -> list[object]:
    return [
        candidate,
        email,
        phone,
        company,
        "Priya Shah, Head of Data",
        f"priya@{company.lower()}.example",  # one message per person per day: two people
        "+1 555 0199",
        date(2026, 11, 12),
        date(2026, 11, 12),
        "their data platform",
    ]


def _drafts(tracker: Path) -> dict[str, bytes]:
    folder = tracker.parent / "drafts" / TODAY
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_each_candidate_signs_with_their_own_details(tmp_path: Path) -> None:
    tracker = build_tracker(
        tmp_path / "clients.xlsx",
        HEADER,
        [
            _row("Sam Rivera", "sam@rivera.example", "+1 555 0111", "Acme"),
            _row("Lee Park", None, None, "Hooli"),
        ],
    )
    (tmp_path / "followup.toml").write_text(
        '[sender]\nname = "Dana Coach"\nphone = "+1 555 0001"\n\n'
        '[candidates."Lee Park"]\nemail = "lee@park.example"\nphone = 5550222\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", TODAY])
    assert result.exit_code == 0, result.output
    files = _drafts(tracker)
    sam = message_from_bytes(files["sam-rivera-acme-check-in.eml"])
    assert sam["From"] == "Sam Rivera <sam@rivera.example>"
    assert "Dear Priya," in sam.get_payload() and "+1 555 0111" in sam.get_payload()
    lee = message_from_bytes(files["lee-park-hooli-check-in.eml"])
    assert lee["From"] == "Lee Park <lee@park.example>"
    assert "5550222" in files["lee-park-hooli-check-in.txt"].decode()
    # the coach's own number is never under a client's name
    assert not any(b"555 0001" in text for text in files.values())


def test_a_draft_with_no_name_to_sign_is_not_ready(tmp_path: Path) -> None:
    tracker = build_tracker(
        tmp_path / "mine.xlsx",
        ["Company", "Contact", "Interview Date", "Thank-You Sent", "Key Points"],
        [["Acme", "Priya Shah", date(2026, 11, 12), date(2026, 11, 12), "their platform"]],
    )
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", TODAY])
    assert result.exit_code == 1, result.output
    assert (
        '1 draft is not ready to send (row 2): they say "[Your name]": set [sender] name in '
        "followup.toml, or fill in the Candidate column." in result.output
    )
    (tmp_path / "followup.toml").write_text('[sender]\nname = "Alex Morgan"\n', encoding="utf-8")
    again = CliRunner().invoke(main, ["run", str(tracker), "--today", TODAY])
    assert again.exit_code == 0, again.output
    assert "not ready" not in again.output


def _first_run_without_a_name(tmp_path: Path) -> Path:
    tracker = build_tracker(
        tmp_path / "mine.xlsx",
        ["Company", "Contact", "Phone", "Interview Date", "Thank-You Sent", "Key Points"],
        [["Acme", "Priya Shah", "+1 555 0199", date(2026, 11, 12), date(2026, 11, 12), "dbt"]],
    )
    (tmp_path / "followup.toml").write_text('[sender]\nphone = "+1 555 0100"\n')
    assert CliRunner().invoke(main, ["run", str(tracker), "--today", TODAY]).exit_code == 1
    assert set(_drafts(tracker)) >= {"acme-check-in.eml", "acme-check-in.txt"}
    (tmp_path / "followup.toml").write_text(
        '[sender]\nname = "Alex Morgan"\nphone = "+1 555 0100"\n'
    )
    return tracker


def test_a_name_set_later_that_day_replaces_the_unedited_drafts(tmp_path: Path) -> None:
    tracker = _first_run_without_a_name(tmp_path)
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", TODAY])
    assert result.exit_code == 0, result.output
    names = set(_drafts(tracker))
    assert {"alex-morgan-acme-check-in.eml", "alex-morgan-acme-check-in.txt"} <= names
    assert not {"acme-check-in.eml", "acme-check-in.txt"} & names


def test_an_edited_draft_under_the_old_name_is_never_removed(tmp_path: Path) -> None:
    tracker = _first_run_without_a_name(tmp_path)
    edited = tracker.parent / "drafts" / TODAY / "acme-check-in.eml"
    edited.write_bytes(edited.read_bytes().replace(b"[Your name]", b"Alex"))
    result = CliRunner().invoke(main, ["run", str(tracker), "--today", TODAY])
    assert result.exit_code == 0, result.output
    names = set(_drafts(tracker))
    assert "acme-check-in.eml" in names  # the user's edit stays
    assert "acme-check-in.txt" not in names  # its unedited script goes
    assert "alex-morgan-acme-check-in.eml" in names
    assert "kept your edited acme-check-in.eml (under the draft's old name)" in result.output
