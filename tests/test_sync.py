"""`followup sync` end to end on mbox files and Maildirs built with the `mailbox` module."""

from __future__ import annotations

import email.policy
import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_helpers import (
    EXPECTED_CONFLICTS,
    EXPECTED_FILLS,
    HEADER,
    ME,
    RUN_DAY,
    Mail,
    at,
    build_scenario_tracker,
    scenario_mail,
    write_maildir,
    write_mbox,
)

from batch.cli import main
from batch.mailbox_sources import parse_headers, read_maildir, read_mbox


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def cells(path: Path) -> dict[tuple[int, str], Any]:
    """(row, header) -> value of every cell of the tracker sheet, dates as ISO text."""
    sheet = openpyxl.load_workbook(path)["Interviews"]
    headers = {cell.column: cell.value for cell in sheet[1]}
    found = {}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            value = cell.value
            if isinstance(value, datetime):
                value = value.date().isoformat()
            found[(cell.row, str(headers.get(cell.column)))] = value
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return build_scenario_tracker(tmp_path / "tracker.xlsx")


@pytest.fixture
def mboxes(tmp_path: Path) -> tuple[Path, Path]:
    """Thunderbird's local folders: an Inbox file and a Sent file."""
    mails = scenario_mail()
    inbox = write_mbox(tmp_path / "Inbox", [m for m in mails if not m.sent])
    sent = write_mbox(tmp_path / "Sent", [m for m in mails if m.sent])
    return inbox, sent


def assert_scenario_written(before: dict[tuple[int, str], Any], after_path: Path) -> None:
    after = cells(after_path)
    expected = dict(before)
    for row, fills in EXPECTED_FILLS.items():
        for header, day in fills.items():
            assert before[(row, header)] is None
            expected[(row, header)] = day
    assert after == expected  # the filled cells, and nothing else changed


def test_sync_from_mbox_fills_only_empty_date_cells(
    tracker: Path, mboxes: tuple[Path, Path]
) -> None:
    before = cells(tracker)
    inbox, sent = mboxes
    result = invoke("sync", tracker, "--mbox", inbox, "--mbox", sent, "--today", RUN_DAY)
    assert result.exit_code == 0, result.output
    assert_scenario_written(before, tracker)
    assert len(list((tracker.parent / "followup-backups").iterdir())) == 1
    output = result.output
    assert "filled 5 cells in 3 rows" in output
    assert "Check-In Sent: (empty) -> 2026-11-19 (sent to sam@quillmate.com" in output
    assert "Reply Received: (empty) -> 2026-11-20 (from lee.chen@quillmate.com" in output
    # The rows decided again as a run would: Quillmate's overdue thank-you is answered.
    quillmate = output[output.index("row 2 Quillmate") : output.index("row 3 Larkspur")]
    assert re.search(r"\n    Overdue .* -> Waiting Check-in due Fri 04 Dec 2026\n", quillmate)
    for row, column in EXPECTED_CONFLICTS:
        assert f"row {row}, {column}: says 05 Nov 2026; a later reply came on 18 Nov 2026" in output
    assert "copies of the same message, counted once: 1" in output
    assert "automatic replies: 1" in output


def test_sync_again_changes_nothing(tracker: Path, mboxes: tuple[Path, Path]) -> None:
    inbox, sent = mboxes
    args = ("sync", tracker, "--mbox", inbox, "--mbox", sent, "--today", RUN_DAY)
    assert invoke(*args).exit_code == 0
    written = digest(tracker)
    again = invoke(*args)
    assert again.exit_code == 0
    assert "filled 0 cells in 0 rows" in again.output
    assert "no changes to the workbook" in again.output
    assert digest(tracker) == written
    assert len(list((tracker.parent / "followup-backups").iterdir())) == 1


def test_dry_run_shows_the_cells_and_writes_nothing(
    tracker: Path, mboxes: tuple[Path, Path]
) -> None:
    original = digest(tracker)
    inbox, sent = mboxes
    result = invoke(
        "sync", tracker, "--mbox", inbox, "--mbox", sent, "--today", RUN_DAY, "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "would fill 5 cells in 3 rows" in result.output
    assert "Thank-You Sent: (empty) -> 2026-11-12" in result.output
    assert digest(tracker) == original
    assert not (tracker.parent / "followup-backups").exists()


@pytest.mark.parametrize(
    "sent_folder",
    ["Sent", "Éléments envoyés", "Gesendete Objekte", "送信済みアイテム", "[Gmail].Sent Mail"],
)
def test_sync_from_maildir_finds_the_sent_folder_by_name(
    tmp_path: Path, tracker: Path, sent_folder: str
) -> None:
    maildir = write_maildir(tmp_path / "Maildir", scenario_mail(), sent_folder)
    before = cells(tracker)
    result = invoke("sync", tracker, "--maildir", maildir, "--today", RUN_DAY)
    assert result.exit_code == 0, result.output
    assert f"{sent_folder} (sent, 4 messages)" in result.output
    assert_scenario_written(before, tracker)


def test_maildir_reading_changes_no_file(tmp_path: Path) -> None:
    maildir = write_maildir(tmp_path / "Maildir", scenario_mail(), "Sent")

    def snapshot() -> dict[str, tuple[float, str]]:
        return {
            str(p.relative_to(maildir)): (p.stat().st_mtime, digest(p))
            for p in maildir.rglob("*")
            if p.is_file()
        }

    before = snapshot()
    read = read_maildir([maildir])
    assert len(read.messages) == len(scenario_mail())
    assert snapshot() == before


def test_google_takeout_mbox_marks_sent_mail_by_its_label(tmp_path: Path, tracker: Path) -> None:
    """Google Takeout exports every folder in one mbox; X-Gmail-Labels says which were sent."""
    mails = [
        Mail(
            m.sender,
            m.to,
            m.when,
            m.subject,
            m.message_id,
            m.sent,
            m.in_reply_to,
            (*m.headers, ("X-Gmail-Labels", "Sent,Opened" if m.sent else "Inbox,Category Updates")),
            m.delivered,
        )
        for m in scenario_mail()
    ]
    export = write_mbox(tmp_path / "All mail Including Spam and Trash.mbox", mails)
    before = cells(tracker)
    result = invoke("sync", tracker, "--mbox", export, "--today", RUN_DAY)
    assert result.exit_code == 0, result.output
    assert_scenario_written(before, tracker)


def test_a_draft_the_tool_wrote_matches_by_its_message_id(tmp_path: Path, tracker: Path) -> None:
    """The coach sent the tool's check-in draft to an address the tracker does not know."""
    assert invoke("run", tracker, "--today", RUN_DAY).exit_code in (0, 1)
    (draft,) = (tracker.parent / "drafts" / RUN_DAY).glob("*fernhill*check-in.eml")
    message_id = parse_headers(draft.read_bytes().split(b"\r\n\r\n")[0], "sent").message_id
    assert message_id is not None
    sent = write_mbox(
        tmp_path / "Sent",
        [Mail(ME, "talent@fernhill-careers.example", at(RUN_DAY), "Hi", message_id, True)],
    )
    result = invoke("sync", tracker, "--mbox", sent, "--today", RUN_DAY)
    assert result.exit_code == 0, result.output
    assert cells(tracker)[(6, "Check-In Sent")] == RUN_DAY
    assert f"Check-In Sent: (empty) -> {RUN_DAY} (sent to talent@fernhill-careers.example" in (
        result.output
    )


def test_a_missing_date_column_is_added_right_of_the_table(
    tmp_path: Path, mboxes: tuple[Path, Path]
) -> None:
    header = [name for name in HEADER if name != "Reply Received"]
    tracker = build_scenario_tracker(tmp_path / "tracker.xlsx", header)
    before = cells(tracker)
    inbox, sent = mboxes
    args = ("sync", tracker, "--mbox", inbox, "--mbox", sent, "--today", RUN_DAY)
    dry = invoke(*args, "--dry-run")
    assert "would add the columns the tracker lacked, right of the table: Reply Received" in (
        dry.output
    )
    assert cells(tracker) == before
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "added the columns the tracker lacked, right of the table: Reply Received" in (
        result.output
    )
    sheet = openpyxl.load_workbook(tracker)["Interviews"]
    assert [cell.value for cell in sheet[1]] == [*header, "Reply Received"]
    # The backup named is the tracker as it was before the sync.
    backup = Path(result.output.split("previous version kept in ")[1].split()[0])
    assert cells(backup) == before
    after = cells(tracker)
    # Without a typed reply date, Greystone's reply is filled too; nothing else changed.
    expected = {**before, **{(row, "Reply Received"): None for row in range(2, 7)}}
    for row, fills in EXPECTED_FILLS.items():
        for column, day in fills.items():
            expected[(row, column)] = day
    expected[(4, "Reply Received")] = "2026-11-18"
    assert after == expected


def test_a_tracker_open_in_excel_is_left_alone(tracker: Path, mboxes: tuple[Path, Path]) -> None:
    (tracker.parent / f"~${tracker.name}").write_text("owner")
    original = digest(tracker)
    inbox, sent = mboxes
    result = invoke("sync", tracker, "--mbox", inbox, "--mbox", sent, "--today", RUN_DAY)
    assert result.exit_code == 2
    assert "is open in Excel" in result.output
    assert digest(tracker) == original


def test_one_bad_tracker_does_not_stop_the_others(
    tmp_path: Path, tracker: Path, mboxes: tuple[Path, Path]
) -> None:
    inbox, sent = mboxes
    missing = tmp_path / "missing.xlsx"
    result = invoke("sync", missing, tracker, "--mbox", inbox, "--mbox", sent, "--today", RUN_DAY)
    assert result.exit_code == 2
    assert f"followup: {missing}: does not exist" in result.output
    assert cells(tracker)[(2, "Thank-You Sent")] == "2026-11-12"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give one mailbox"),
        (("--mbox", "a", "--maildir", "b"), "give one mailbox"),
        (("--mbox", "a", "--imap-user", "me"), "go with --imap"),
        (("--imap", "imap.example.org"), "--imap needs --imap-user"),
    ],
)
def test_usage_errors(tracker: Path, args: tuple[str, ...], message: str) -> None:
    result = invoke("sync", tracker, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_an_unreadable_mailbox_stops_with_one_line(tmp_path: Path, tracker: Path) -> None:
    for option, path, words in (
        ("--mbox", tmp_path / "nope", "does not exist"),
        ("--mbox", tmp_path, "is a folder, not an mbox file"),
        ("--maildir", tmp_path, "is not a Maildir"),
    ):
        result = invoke("sync", tracker, option, path)
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], result.output


def test_insecure_imap_is_for_localhost_only(tracker: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("FOLLOWUP_IMAP_PASSWORD", raising=False)
    result = invoke(
        "sync", tracker, "--imap", "imap.example.org", "--imap-user", "me", "--imap-insecure"
    )
    assert result.exit_code == 2
    assert "allowed only for a server on this machine" in result.output


def test_imap_password_never_from_the_command_line(tracker: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("FOLLOWUP_IMAP_PASSWORD", raising=False)
    monkeypatch.setattr("keyring.get_password", lambda service, user: None)
    result = invoke("sync", tracker, "--imap", "imap.example.org", "--imap-user", "me")
    assert result.exit_code == 2
    assert "no password for me: set FOLLOWUP_IMAP_PASSWORD, or store it with" in result.output
    assert "--password" not in invoke("sync", "--help").output


def test_headers_are_read_whatever_their_encoding() -> None:
    header = (
        b"From: =?utf-8?q?Ren=C3=A9e?= <Renee@Example.COM>\r\n"
        b"To: a@x.example, B <b@y.example>\r\nCc: c@z.example\r\n"
        b"Subject: =?utf-8?q?R=C3=A9ponse_automatique?=\r\n"
        b"Message-ID: <abc@x>\r\nReferences: <1@x>\r\n <2@x>\r\n"
    )
    message = parse_headers(header, "inbox")
    assert message.sender == "renee@example.com"
    assert message.recipients == ("a@x.example", "b@y.example", "c@z.example")
    assert message.sent_at is None
    assert message.automatic
    assert message.references == ("<1@x>", "<2@x>")


def test_mbox_message_without_date_takes_the_from_line(tmp_path: Path) -> None:
    mail = scenario_mail()[8]
    assert mail.when is None
    read = read_mbox([write_mbox(tmp_path / "Inbox", [mail])])
    assert read.messages[0].sent_at == at("2026-11-17", 9)


def test_mbox_scan_finds_the_messages_mailbox_finds(tmp_path: Path) -> None:
    """The header scan splits an mbox where Python's `mailbox.mbox` does: a body line that
    starts with "From " is escaped (">From "), CRLF line ends, a message with no body."""
    import mailbox

    path = tmp_path / "Inbox"
    mails = scenario_mail()
    box = mailbox.mbox(path)
    for mail in mails:
        message = mail.message()
        message.set_content("From the team: thanks.\nFrom here on, we will write.\n")
        box.add(message)
    box.add(b"From: a@b.example\r\nTo: c@d.example\r\nMessage-ID: <crlf@x>\r\n\r\nHi\r\n")
    box.add(b"From: a@b.example\nMessage-ID: <headers-only@x>\n")
    box.flush()
    expected = [message["Message-ID"] for message in mailbox.mbox(path)]
    assert [m.message_id for m in read_mbox([path]).messages] == expected
    assert len(expected) == len(mails) + 2


def test_empty_and_non_mbox_files(tmp_path: Path) -> None:
    from batch.mailbox_sources import MailboxProblem

    empty = tmp_path / "Empty"
    empty.write_bytes(b"")
    assert read_mbox([empty]).messages == []
    text = tmp_path / "notes.txt"
    text.write_text("Company, Contact\n")
    with pytest.raises(MailboxProblem, match="is not an mbox file"):
        read_mbox([text])


def test_a_cell_holding_text_that_is_not_a_date_is_never_filled(
    tmp_path: Path, mboxes: tuple[Path, Path]
) -> None:
    from mail_helpers import tracker_rows
    from tracker_helpers import build_tracker

    rows = []
    for values in tracker_rows():
        padded = [*values, *([None] * (8 - len(values))), "Interviewing", "the roadmap"]
        rows.append(padded)
    rows[0][4] = "next Tuesday"  # Quillmate's Thank-You Sent
    tracker = build_tracker(tmp_path / "tracker.xlsx", HEADER, rows, sheet_name="Interviews")
    inbox, sent = mboxes
    result = invoke("sync", tracker, "--mbox", inbox, "--mbox", sent, "--today", RUN_DAY)
    assert result.exit_code == 0, result.output
    after = cells(tracker)
    assert after[(2, "Thank-You Sent")] == "next Tuesday"
    assert after[(2, "Check-In Sent")] is None
    assert after[(2, "Reply Received")] == "2026-11-20"
    assert "row 2, Thank-You Sent: holds text that is not a date" in result.output


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    messages=st.lists(
        st.tuples(
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
            st.lists(
                st.one_of(
                    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
                    st.sampled_from(["From here on", "", "From: not a header", ">From x"]),
                ),
                max_size=6,
            ),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_header_scan_agrees_with_the_email_package(
    tmp_path: Path, messages: list[tuple[str, list[str], bool, bool]]
) -> None:
    """Any subject and body, CRLF or LF, the subject encoded (RFC 2047) or raw UTF-8: the scan
    finds the messages `mailbox.mbox` finds, with their sender, Message-ID and subject."""
    import mailbox
    from email.message import EmailMessage

    path = tmp_path / f"box-{len(list(tmp_path.iterdir()))}"
    box = mailbox.mbox(path)
    for number, (subject, lines, crlf, raw_utf8) in enumerate(messages):
        message = EmailMessage()
        message["From"] = f"Sam <sam{number}@quillmate.com>"
        message["To"] = ME
        message["Subject"] = subject
        message["Message-ID"] = f"<{number}@x>"
        message.set_content("\n".join(lines) + "\n")
        # Written with LF ends (the policies' own CRLF would double with the replace below).
        utf8 = email.policy.SMTPUTF8.clone(linesep="\n")
        data = message.as_bytes(policy=utf8 if raw_utf8 else email.policy.default)
        box.add(data.replace(b"\n", b"\r\n") if crlf else data)
    box.flush()
    box.close()
    ids = [str(m["Message-ID"]) for m in mailbox.mbox(path)]
    found = read_mbox([path]).messages
    assert [m.message_id for m in found] == ids == [f"<{n}@x>" for n in range(len(messages))]
    assert [m.subject for m in found] == [" ".join(subject.split()) for subject, *_ in messages]
    assert [m.sender for m in found] == [f"sam{n}@quillmate.com" for n in range(len(messages))]
