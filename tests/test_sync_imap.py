"""`followup sync --imap` against a real IMAP server: Dovecot on 127.0.0.1.

`.ci/run` installs Debian's dovecot-imapd first. Where Dovecot cannot be found these tests
are skipped, with the reason in the test output; under CI (CI=true) they fail instead.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dovecot_server import SPECIAL_USE_SENT, Dovecot, find_dovecot, running_dovecot
from mail_helpers import (
    ME,
    RUN_DAY,
    Mail,
    at,
    build_scenario_tracker,
    scenario_mail,
    write_maildir,
)
from test_sync import assert_scenario_written, cells

from batch.cli import main

PASSWORD = "correct horse"


@dataclass(frozen=True)
class Account:
    user: str
    sent_folder: str  # as the user sees it (Maildir++ on disk uses "." for "/")
    decoy: str | None = None  # a folder named like a sent folder that is not the flagged one


ACCOUNTS = [
    Account("alice", SPECIAL_USE_SENT, decoy="Sent"),  # found by its \Sent flag only
    Account("bob", "[Gmail]/Sent Mail"),  # Gmail's name, on a server that does not flag it
    Account("chloe", "Éléments envoyés"),
    Account("dieter", "Gesendete Objekte"),
    Account("yuki", "送信済みアイテム"),
]


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    binary = find_dovecot()
    if binary is None:
        reason = (
            "Dovecot is not installed, so sync is not tested against a real IMAP server "
            "(Debian: apt-get install dovecot-imapd; .ci/run does this)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    with running_dovecot(binary, {a.user: PASSWORD for a in ACCOUNTS}) as server:
        for account in ACCOUNTS:
            maildir = server.home(account.user) / "Maildir"
            write_maildir(maildir, scenario_mail(), account.sent_folder.replace("/", "."))
            if account.decoy:
                # A reminder that would be filled if the unflagged folder were read.
                decoy = [Mail(ME, "sam@quillmate.com", at("2026-11-21"), "Again", "<x@me>", True)]
                write_maildir(maildir, decoy, account.decoy)
            server.hand_over(account.user)
        yield server


def imap_args(host: str, port: int, user: str) -> list[str]:
    return [
        "--imap",
        host,
        "--imap-port",
        str(port),
        "--imap-user",
        user,
        "--imap-insecure",
        "--today",
        RUN_DAY,
    ]


def sync(
    server: Dovecot, tracker: Path, user: str, *extra: str, password: str | None = PASSWORD
) -> Result:
    """Run `followup sync` against the server; `password` None: none in the environment."""
    env = {"FOLLOWUP_IMAP_PASSWORD": password}
    args = ["sync", str(tracker), *imap_args(server.host, server.port, user), *extra]
    return CliRunner(env=env).invoke(main, args, catch_exceptions=False)


def message_files(maildir: Path) -> dict[str, str]:
    """Every message file (name and content), Dovecot's own index files left out."""
    return {
        str(path.relative_to(maildir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in maildir.rglob("*")
        if path.is_file() and path.parent.name in ("cur", "new", "tmp")
    }


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a.user for a in ACCOUNTS])
def test_sync_over_imap_finds_inbox_and_sent(
    dovecot: Dovecot, tmp_path: Path, account: Account
) -> None:
    tracker = build_scenario_tracker(tmp_path / "tracker.xlsx")
    before = cells(tracker)
    maildir = dovecot.home(account.user) / "Maildir"
    files_before = message_files(maildir)
    result = sync(dovecot, tracker, account.user)
    assert result.exit_code == 0, result.output + dovecot.log()[-2000:]
    assert f"{account.sent_folder} (sent, 4 messages)" in result.output
    assert "INBOX (inbox, 8 messages)" in result.output
    assert_scenario_written(before, tracker)
    # Read-only: EXAMINE and BODY.PEEK leave every message file (and its flags) as it was.
    assert message_files(maildir) == files_before


def test_dry_run_over_imap(dovecot: Dovecot, tmp_path: Path) -> None:
    tracker = build_scenario_tracker(tmp_path / "tracker.xlsx")
    original = tracker.read_bytes()
    result = sync(dovecot, tracker, "bob", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would fill 5 cells in 3 rows" in result.output
    assert tracker.read_bytes() == original


def test_wrong_password_is_one_line_and_exit_2(dovecot: Dovecot, tmp_path: Path) -> None:
    tracker = build_scenario_tracker(tmp_path / "tracker.xlsx")
    original = tracker.read_bytes()
    result = sync(dovecot, tracker, "alice", password="wrong")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [
        f"followup: imap {dovecot.host}: login refused for alice: check the user name and the "
        "password in FOLLOWUP_IMAP_PASSWORD or the keyring"
    ]
    assert tracker.read_bytes() == original


def test_no_server_on_the_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tracker = build_scenario_tracker(tmp_path / "tracker.xlsx")
    result = CliRunner(env={"FOLLOWUP_IMAP_PASSWORD": "x"}).invoke(
        main, ["sync", str(tracker), *imap_args("localhost", port, "me")]
    )
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "cannot connect" in result.output


def test_password_from_the_keyring(dovecot: Dovecot, tmp_path: Path) -> None:
    """No environment variable: the password comes from the OS keyring (service "followup")."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return PASSWORD if (service, username) == ("followup", "chloe") else None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise NotImplementedError

        def delete_password(self, service: str, username: str) -> None:
            raise NotImplementedError

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        tracker = build_scenario_tracker(tmp_path / "tracker.xlsx")
        result = sync(dovecot, tracker, "chloe", password=None)
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 0, result.output
    assert "filled 5 cells in 3 rows" in result.output


def test_tls_is_the_default(dovecot: Dovecot, tmp_path: Path) -> None:
    """Without --imap-insecure the connection must be TLS: a server that speaks plain IMAP
    fails the handshake (one line, exit 2), so the password is never sent to it."""
    tracker = build_scenario_tracker(tmp_path / "tracker.xlsx")
    args = ["sync", str(tracker), *imap_args(dovecot.host, dovecot.port, "alice")]
    args.remove("--imap-insecure")
    result = CliRunner(env={"FOLLOWUP_IMAP_PASSWORD": PASSWORD}).invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "TLS failed" in lines[0], result.output
