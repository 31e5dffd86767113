"""Email drafts as .eml files (RFC 5322, UTF-8, `X-Unsent: 1`), built with the standard library.

Public functions:

- `clean_header_text(value) -> tuple[str, bool]`: the value with line breaks and control
  characters removed (so it can never start an extra header line), and whether it changed.
- `clean_address(value) -> tuple[str | None, bool]`: a usable addr-spec (ASCII, IDNA domain) or
  None, and whether the input had to be changed or dropped.
- `message_id_for_absolute(tracker, row, step, run_date) -> str`: a Message-ID that is the same
  on every re-run of the same day, so a draft rendered twice is byte-identical; `tracker` is
  the tracker's path made absolute with `os.path.abspath` (not resolve: the same id whether or
  not /tmp is a symbolic link, as on macOS), once per run rather than per row.
- `draft_time(run_date, tz=UTC) -> datetime`: the Date header of a run (the run date at 09:00).
- `build_email(...) -> bytes`: the .eml bytes (CRLF line ends, as mail programs expect).

Nothing here writes files; `batch.drafts.write_drafts` does.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, date, datetime, time, tzinfo
from email import policy, quoprimime, utils
from email.headerregistry import Address

# Line breaks, tabs and other control characters (C0, DEL, C1) plus the Unicode line and
# paragraph separators: any of them in a header value could fold into a new header line.
_UNSAFE_HEADER_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[^\s@<>()\[\],;:\"\\]+\.[^\s@<>()\[\],;:\"\\]+$"
)

# Where message ids live: a reserved domain (RFC 2606), since the tool has no mail domain.
_MESSAGE_ID_DOMAIN = "followup.invalid"


def clean_header_text(value: str) -> tuple[str, bool]:
    """Remove line breaks and control characters from a header value; say if it had any."""
    cleaned = " ".join(_UNSAFE_HEADER_CHARS.sub(" ", value).split())
    # A line break at the very end of a cell (Alt+Enter in Excel) is harmless; inside it is not.
    return cleaned, bool(_UNSAFE_HEADER_CHARS.search(value.strip()))


def clean_address(value: str | None) -> tuple[str | None, bool]:
    """A usable email address from a cell, or None; the flag says it was changed or dropped.

    Only a bare addr-spec is accepted: anything else (a second address, a newline followed
    by a header, angle brackets) could add recipients or headers, so it is dropped and flagged.
    A non-ASCII domain is IDNA-encoded ("müller.de" -> "xn--mller-kva.de").
    """
    if value is None or not value.strip():
        return None, False
    text = value.strip()
    if _UNSAFE_HEADER_CHARS.search(text):
        return None, True
    local, _, domain = text.rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if domain else domain
    except UnicodeError:
        return None, True
    candidate = f"{local}@{ascii_domain}"
    if not _ADDRESS.match(candidate):
        return None, True
    return candidate, False


def message_id_for_absolute(tracker: str, row: int, step: str, run_date: date) -> str:
    """A stable Message-ID: a hash of the absolute tracker path, row, step and run date."""
    iso_day, compact_day = _day_texts(run_date)
    key = f"{tracker}\n{row}\n{step}\n{iso_day}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.{compact_day}@{_MESSAGE_ID_DOMAIN}>"


@functools.lru_cache(maxsize=16)
def _day_texts(run_date: date) -> tuple[str, str]:
    """The run date as in the id's hash key and in the id (one run date for every draft)."""
    return run_date.isoformat(), f"{run_date:%Y%m%d}"


def draft_time(run_date: date, tz: tzinfo = UTC) -> datetime:
    """The Date header of a run's drafts: the run date at 09:00 (deterministic on re-runs)."""
    return datetime.combine(run_date, time(9, 0), tzinfo=tz)


@functools.lru_cache(maxsize=1024)
def _address_text(name: str | None, email: str | None) -> str | None:
    """The To or From value, or None without a usable address. Cached: the From address is the
    same on every draft of a run, and contacts repeat."""
    display, _ = clean_header_text(name or "")
    addr, _ = clean_address(email)
    if addr is None:
        return None
    username, _, domain = addr.rpartition("@")
    return str(Address(display_name=display, username=username, domain=domain))


@functools.lru_cache(maxsize=16)
def _date_header(sent_at: datetime) -> str:
    """The Date header line: every draft of a run has the same time."""
    return _header("Date", utils.format_datetime(sent_at))


# The email package builds, parses and refolds a header object for every header, the bulk
# of writing a draft. Most draft headers are short printable ASCII that it writes out
# unchanged, so those are written directly; a header whose text matches none of these
# shapes (non-ASCII text that needs RFC 2047 encoded words, quoting, a value long enough to
# fold) goes through the email package as before. tests/test_eml.py checks the bytes
# against an EmailMessage-built reference.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_ADDR_SPEC = rf"{_DOT_ATOM}@{_DOT_ATOM}"
_PLAIN_ADDRESS = re.compile(rf"{_ADDR_SPEC}|{_ATOM}(?: {_ATOM})* <{_ADDR_SPEC}>")
_PLAIN_MESSAGE_ID = re.compile(rf"<{_ADDR_SPEC}>")
_PLAIN_TEXT = re.compile(r"[!-~]+(?: [!-~]+)*")  # printable ASCII words, single spaces
_PLAIN_SHAPES = {"To": _PLAIN_ADDRESS, "From": _PLAIN_ADDRESS, "Message-ID": _PLAIN_MESSAGE_ID}
# RFC 5322 section 2.1.1: lines SHOULD stay within 78 characters; the email package folds there.
_LINE_LENGTH = policy.SMTP.max_line_length or 78


def _header(name: str, text: str) -> str:
    """One header line with its CRLF, exactly as the email package writes it (policy.SMTP)."""
    shape = _PLAIN_SHAPES.get(name, _PLAIN_TEXT)
    if len(name) + 2 + len(text) <= _LINE_LENGTH and "=?" not in text and shape.fullmatch(text):
        return f"{name}: {text}\r\n"  # nothing to encode, quote or fold
    return _folded_header(name, text)


@functools.lru_cache(maxsize=1024)
def _folded_header(name: str, text: str) -> str:
    """The email package's header: it parses the text (an address list for To and From),
    then encodes and folds it. Cached: the From line and many names repeat across drafts."""
    folded: str = policy.SMTP.header_factory(name, text).fold(policy=policy.SMTP)
    return folded


def _body(body: str) -> tuple[str, bytes]:
    """The Content-Transfer-Encoding and the encoded body, CRLF line ends (as set_content does)."""
    lines = body.encode("utf-8").splitlines()
    # 8bit keeps the draft readable in a text editor; RFC 5322 caps lines at 998 octets,
    # so a very long paragraph falls back to quoted-printable. The lines of the text split at
    # more characters than the bytes' (U+2028, ...), so each is inside one line of bytes:
    # when no line of bytes is long, no line of text is either, and there is nothing to measure.
    if max(map(len, lines), default=0) <= 998 or (
        max((len(line.encode("utf-8")) for line in body.splitlines()), default=0) <= 998
    ):
        return "8bit", b"\r\n".join(lines) + b"\r\n"
    text = (b"\n".join(lines) + b"\n").decode("latin-1")  # one character per octet
    encoded = quoprimime.body_encode(text, _LINE_LENGTH)
    return "quoted-printable", encoded.replace("\n", "\r\n").encode("ascii")


def build_email(
    *,
    to_name: str | None,
    to_email: str | None,
    from_name: str | None,
    from_email: str | None,
    subject: str,
    body: str,
    sent_at: datetime,
    message_id: str,
) -> bytes:
    """The .eml bytes of one draft.

    To and From are left out when there is no usable address (the user fills them in their
    mail program). Every header value is cleaned again here, so no caller can inject a header.
    The bytes are those EmailMessage (policy.default) gave with `as_bytes(policy=SMTP)`,
    written directly because building the message object cost more than everything else
    about a draft (bench/README.md).
    """
    headers = []
    to_address = _address_text(to_name, to_email)
    if to_address is not None:
        headers.append(_header("To", to_address))
    from_address = _address_text(from_name, from_email)
    if from_address is not None:
        headers.append(_header("From", from_address))
    headers.append(_header("Subject", clean_header_text(subject)[0]))
    headers.append(_date_header(sent_at))
    headers.append(_header("Message-ID", clean_header_text(message_id)[0]))
    # Thunderbird and Outlook open a message with this header as an editable, unsent draft.
    headers.append("X-Unsent: 1\r\n")
    encoding, payload = _body(body)
    headers.append('Content-Type: text/plain; charset="utf-8"\r\n')
    headers.append(f"Content-Transfer-Encoding: {encoding}\r\n")
    headers.append("MIME-Version: 1.0\r\n")
    return "".join(headers).encode("ascii") + b"\r\n" + payload
