""".eml drafts: they parse back cleanly, carry X-Unsent, encode names, refuse header injection."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from drafts_helpers import RUN_DATE, make_request, make_row
from eml_helpers import reference_email
from hypothesis import given, settings
from hypothesis import strategies as st

from batch.drafts import render_drafts, write_drafts
from batch.eml import (
    build_email,
    clean_address,
    clean_header_text,
    draft_time,
    message_id_for_absolute,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "drafts"


def message_id_for(tracker: Path, row: int, step: str, run_date: date) -> str:
    """The Message-ID a draft of this tracker path gets (made absolute as write_drafts does)."""
    return message_id_for_absolute(os.path.abspath(tracker), row, step, run_date)


def _parse(data: bytes) -> EmailMessage:
    return cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(data))


def _content(message: EmailMessage) -> str:
    # the .eml uses CRLF line ends, as on the wire; the parser keeps them
    return str(message.get_content()).replace("\r\n", "\n")


def _all_defects(message: EmailMessage) -> list[object]:
    defects: list[object] = list(message.defects)
    for name in message:
        defects += list(getattr(message[name], "defects", ()))
    return defects


def _email(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "to_name": "Jürgen Müller",
        "to_email": "juergen@müller.example",
        "from_name": "Zoë Ångström",
        "from_email": "zoe@example.com",
        "subject": "Following up on my Data Analyst interview – Müller & Söhne",
        "body": "Dear Jürgen Müller,\n\nThank you – grüße.\n\nBest regards,\nZoë\n",
        "sent_at": draft_time(RUN_DATE),
        "message_id": message_id_for(Path("t.xlsx"), 7, "Check-in", RUN_DATE),
    }
    values.update(overrides)
    return build_email(**values)  # type: ignore[arg-type]


def test_eml_parses_back_with_no_defects() -> None:
    message = _parse(_email())
    assert _all_defects(message) == []
    assert message["X-Unsent"] == "1"
    (to,) = message["To"].addresses
    assert to.display_name == "Jürgen Müller"
    assert to.addr_spec == "juergen@xn--mller-kva.example"
    assert message["From"].addresses[0].display_name == "Zoë Ångström"
    assert message["Subject"] == "Following up on my Data Analyst interview – Müller & Söhne"
    assert message["Date"].datetime == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert message["Message-ID"].endswith(".20261123@followup.invalid>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert _content(message) == "Dear Jürgen Müller,\n\nThank you – grüße.\n\nBest regards,\nZoë\n"


def test_headers_are_ascii_on_the_wire() -> None:
    data = _email()
    head = data.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # encoded words, not raw UTF-8, in the headers
    assert b"\r\nX-Unsent: 1\r\n" in head


def test_a_very_long_line_falls_back_to_quoted_printable() -> None:
    body = ("word " * 400).strip() + "\n"
    message = _parse(_email(body=body))
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert _content(message) == body
    assert _all_defects(message) == []


def test_date_and_message_id_are_deterministic() -> None:
    assert _email() == _email()
    tz = timezone(timedelta(hours=-5))
    assert draft_time(RUN_DATE, tz).isoformat() == "2026-11-23T09:00:00-05:00"
    first = message_id_for(Path("a/t.xlsx"), 7, "Check-in", RUN_DATE)
    assert first == message_id_for(Path("a/t.xlsx"), 7, "Check-in", RUN_DATE)
    assert first != message_id_for(Path("a/t.xlsx"), 8, "Check-in", RUN_DATE)
    assert first != message_id_for(Path("a/t.xlsx"), 7, "Reminder", RUN_DATE)
    assert first != message_id_for(Path("a/t.xlsx"), 7, "Check-in", date(2026, 11, 24))
    assert first != message_id_for(Path("b/t.xlsx"), 7, "Check-in", RUN_DATE)


def test_a_relative_tracker_gets_the_id_of_the_current_folder_in_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing about the working folder is remembered from one run to the next."""
    ids = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        request = make_request(tracker=Path("t.xlsx"))
        result = write_drafts(render_drafts([request]), Path("drafts"), RUN_DATE)
        message = _parse(result.rows[0].email.path.read_bytes())
        assert message["Message-ID"] == message_id_for(
            tmp_path / name / "t.xlsx", 7, "Check-in", RUN_DATE
        )
        ids.append(message["Message-ID"])
    assert ids[0] != ids[1]


INJECTIONS = [
    ("Jane\r\nBcc: victim@example.com", "jane@acme.example"),
    ("Jane\nBcc: victim@example.com", "jane@acme.example"),
    ("Jane", "jane@acme.example\r\nBcc: victim@example.com"),
    ("Jane", "jane@acme.example\nX-Evil: 1"),
    ("Jane", "jane@acme.example, victim@example.com"),
    ("Jane", "<jane@acme.example>"),
    ("Jane\u2028Bcc: victim@example.com", "jane@acme.example"),
    ("Jane\x00Doe", "jane@acme.example"),
]


@pytest.mark.parametrize(("name", "address"), INJECTIONS)
def test_header_injection_never_adds_a_header(name: str, address: str) -> None:
    data = _email(to_name=name, to_email=address, subject="Hi\r\nBcc: victim@example.com")
    message = _parse(data)
    assert _all_defects(message) == []
    assert sorted(message.keys()) == sorted(
        [
            "From",
            "Subject",
            "Date",
            "Message-ID",
            "X-Unsent",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
            *(["To"] if "To" in message else []),
        ]
    )
    head = data.split(b"\r\n\r\n", 1)[0]
    # a name keeps its text on its own To line, but nothing can start a line of its own
    assert not any(line.lower().startswith((b"bcc", b"x-evil")) for line in head.split(b"\r\n"))
    assert "Bcc" not in message
    if "To" in message:
        assert [a.addr_spec for a in message["To"].addresses] == ["jane@acme.example"]


@pytest.mark.parametrize(("name", "address"), INJECTIONS)
def test_header_injection_is_flagged_on_the_row(name: str, address: str) -> None:
    row = make_row(contact_name=name, contact_email=address)
    (draft,) = render_drafts([make_request(row=row)])
    assert "unsafe-header" in [p.code for p in draft.problems]
    assert draft.to_name is None or "\n" not in draft.to_name


@pytest.mark.parametrize(
    ("value", "cleaned", "changed"),
    [
        ("jane@acme.example", "jane@acme.example", False),
        ("  jane@acme.example ", "jane@acme.example", False),
        ("jane@müller.de", "jane@xn--mller-kva.de", False),
        ("not an address", None, True),
        ("jane@acme", None, True),
        ("jane@acme.example\n", "jane@acme.example", False),  # stripped, nothing lost
        ("", None, False),
        (None, None, False),
    ],
)
def test_clean_address(value: str | None, cleaned: str | None, changed: bool) -> None:
    assert clean_address(value) == (cleaned, changed)


def test_clean_header_text() -> None:
    assert clean_header_text("Jane\r\nDoe") == ("Jane Doe", True)
    assert clean_header_text(" Jane  Doe ") == ("Jane Doe", False)
    assert clean_header_text("Jane Doe\n") == ("Jane Doe", False)


@settings(max_examples=150, deadline=None)
@given(name=st.text(max_size=60), address=st.text(max_size=60), subject=st.text(max_size=80))
def test_any_text_gives_a_clean_message(name: str, address: str, subject: str) -> None:
    message = _parse(_email(to_name=name, to_email=address, subject=subject))
    assert _all_defects(message) == []
    allowed = {"To", "From", "Subject", "Date", "Message-ID", "X-Unsent"}
    allowed |= {"Content-Type", "Content-Transfer-Encoding", "MIME-Version"}
    assert set(message.keys()) <= allowed
    assert len(message.keys()) == len(set(message.keys()))


def test_written_draft_matches_the_golden_eml(tmp_path: Path) -> None:
    tracker = Path("/tmp/followup-tests/tracker.xlsx")
    (draft,) = render_drafts([make_request(tracker=tracker)])
    result = write_drafts([draft], tmp_path / "drafts", RUN_DATE)
    written = result.rows[0].email.path.read_bytes()
    golden = GOLDEN / "check-in.full.eml"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(written)
    assert written == golden.read_bytes(), "check-in.full.eml differs (UPDATE_GOLDEN=1 updates)"
    message = _parse(written)
    assert _all_defects(message) == []
    assert message["To"].addresses[0].display_name == "Jane Doe"
    assert message["From"].addresses[0].addr_spec == "alex@example.com"
    assert _content(message) == draft.body


# Text that reaches every branch of the header writer: atoms, specials that need quoting,
# encoded-word look-alikes, non-ASCII, line breaks and long values that fold.
_HEADER_TEXT = st.lists(
    st.sampled_from(
        [*"abcXYZ019 .,;:@<>()[]\"\\'!#$%&*+/=?^_`{|}~-", "=?", "?=", "é", "東", "😀", "\n"]
    ),
    max_size=90,
).map("".join)


def _assert_same_as_reference(values: dict[str, Any]) -> None:
    """The bytes EmailMessage gave; where it refused (a non-ASCII Message-ID), the same error."""
    try:
        expected = reference_email(**values)
    except Exception as error:
        with pytest.raises(type(error)):
            build_email(**values)
        return
    assert build_email(**values) == expected


_ADDRESSES = st.one_of(
    st.sampled_from(
        [
            "jane@acme.example",
            "jane.doe@acme.example",
            "o'brien+jobs@mail.example.co.uk",
            "a..b@acme.example",
            ".jane@acme.example",
            "jane@müller.example",
            "x" * 60 + "@" + "long-domain." * 3 + "example",
            "",
        ]
    ),
    st.text(alphabet=st.sampled_from(list("ab.@-!'=?{}")), max_size=20),
)
_SENT_AT = st.sampled_from(
    [draft_time(RUN_DATE), draft_time(RUN_DATE, timezone(timedelta(hours=-5, minutes=-30)))]
)


@settings(max_examples=300, deadline=None)
@given(
    to_name=_HEADER_TEXT,
    to_email=_ADDRESSES,
    from_name=_HEADER_TEXT,
    from_email=_ADDRESSES,
    subject=_HEADER_TEXT,
    sent_at=_SENT_AT,
    message_id=st.one_of(
        st.just(message_id_for(Path("t.xlsx"), 7, "Check-in", RUN_DATE)), _HEADER_TEXT
    ),
)
def test_the_same_bytes_as_the_email_package_for_any_headers(
    to_name: str,
    to_email: str,
    from_name: str,
    from_email: str,
    subject: str,
    sent_at: datetime,
    message_id: str,
) -> None:
    values: dict[str, Any] = {
        "to_name": to_name,
        "to_email": to_email,
        "from_name": from_name,
        "from_email": from_email,
        "subject": subject,
        "body": "Hello,\n\nThanks.\n",
        "sent_at": sent_at,
        "message_id": message_id,
    }
    _assert_same_as_reference(values)


def _plain_email(body: str) -> dict[str, Any]:
    """A draft to Jane with no sender, whose body is `body`."""
    return {
        "to_name": "Jane Doe",
        "to_email": "jane@acme.example",
        "from_name": None,
        "from_email": None,
        "subject": "Hi",
        "body": body,
        "sent_at": draft_time(RUN_DATE),
        "message_id": message_id_for(Path("t.xlsx"), 7, "Check-in", RUN_DATE),
    }


@settings(max_examples=150, deadline=None)
@given(
    body=st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(["word ", "wörd ", "\n", "\r\n", "\r", "=", "."])).map(
            lambda pieces: "".join(pieces) * 40
        ),
    )
)
def test_the_same_bytes_as_the_email_package_for_any_body(body: str) -> None:
    _assert_same_as_reference(_plain_email(body))


@pytest.mark.parametrize(
    "body",
    [
        "a" * 998,
        "a" * 999,
        "é" * 499,
        "é" * 500,
        "a" * 600 + "\u2028" + "b" * 600,  # one line of bytes, two lines of text
        "a" * 600 + "\x0b" + "b" * 600,
        "ü" * 998 + "\r\n" + "z",
    ],
)
def test_the_same_bytes_as_the_email_package_at_the_line_length_limit(body: str) -> None:
    _assert_same_as_reference(_plain_email(body))


@pytest.mark.parametrize(
    ("to_name", "subject"),
    [
        ("Jane Doe", "Following up on my Data Analyst interview at Acme Corp"),
        ("", "Thank you"),
        ("J. R. Smith", "Thank you, Ms. Smith"),
        ("Jürgen Müller", "Grüße aus München – danke"),
        ("=?utf-8?q?Jane?=", "=?utf-8?q?Hi?="),
        ("Jane Doe", "A subject long enough that the email package has to fold it onto two lines"),
        ("Jane Doe", "x" * 120),
        ("Jane " * 20, "Hi"),
        ("東京 太郎", "面接のお礼 " * 10),
    ],
)
def test_the_same_bytes_as_the_email_package_for_known_cases(to_name: str, subject: str) -> None:
    values: dict[str, Any] = {
        "to_name": to_name,
        "to_email": "jane@acme.example",
        "from_name": "Zoë Ångström",
        "from_email": "zoe@example.com",
        "subject": subject,
        "body": "Hello,\n\n" + "A long paragraph. " * 80 + "\n",
        "sent_at": draft_time(RUN_DATE),
        "message_id": message_id_for(Path("t.xlsx"), 7, "Check-in", RUN_DATE),
    }
    data = build_email(**values)
    assert data == reference_email(**values)
    assert _all_defects(_parse(data)) == []
    assert all(len(line) <= 78 for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"))
