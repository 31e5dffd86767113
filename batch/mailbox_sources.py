"""Reading message headers from a mailbox: an mbox file, a Maildir, or an IMAP account.

Only headers are read (who, when, which thread), never a body, and nothing in a mailbox is
ever changed: files are opened for reading, and an IMAP folder is opened with EXAMINE
(read-only) and its headers fetched with BODY.PEEK, which leaves every flag as it was.

Public API: `MailboxSource` (what the command line names) and its `read(since)`;
`MailMessage`; `read_mbox(paths)`, `read_maildir(paths)`, `read_imap(account)` ->
`MailboxRead`; `ImapAccount`; `imap_password(user, host)`; `parse_headers(bytes)`;
`MailboxProblem` (one line for the user; the whole sync stops, exit 2).
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any, BinaryIO, Literal

FolderRole = Literal["sent", "inbox"]

# The headers a sync reads: the addresses, the date and the thread, plus two that say what
# kind of message it is (an automatic reply; Gmail's labels in a Google Takeout mbox).
HEADER_FIELDS = (
    "From",
    "To",
    "Cc",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Gmail-Labels",
)

PASSWORD_VARIABLE = "FOLLOWUP_IMAP_PASSWORD"
KEYRING_SERVICE = "followup"
IMAP_TLS_PORT = 993
IMAP_PLAIN_PORT = 143
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Headers are fetched this many messages at a time: one round trip per batch, and no
# command line longer than servers accept.
_FETCH_BATCH = 500
_IMAP_TIMEOUT_SECONDS = 60

# Sent folders by name, for servers (and Maildirs, mbox files) that do not flag them \Sent
# (RFC 6154): the names mail programs use in English and other languages, compared after
# case folding, on the folder's last name part or its whole name.
SENT_FOLDER_NAMES = frozenset(
    unicodedata.normalize("NFC", name).casefold()
    for name in (
        "Sent", "Sent Items", "Sent Mail", "Sent Messages", "Sent-Mail",
        "[Gmail]/Sent Mail", "[Google Mail]/Sent Mail", "INBOX.Sent", "INBOX/Sent",
        "Gesendet", "Gesendete Objekte", "Gesendete Elemente", "Gesendete Nachrichten",
        "Envoyés", "Éléments envoyés", "Messages envoyés", "Envoyes",
        "Enviados", "Elementos enviados", "Correo enviado", "Mensajes enviados",
        "Itens enviados", "Enviadas", "Mensagens enviadas",
        "Inviati", "Posta inviata", "Elementi inviati", "Messaggi inviati",
        "Verzonden", "Verzonden items", "Verzonden berichten",
        "Skickat", "Skickade", "Skickade objekt", "Skickade meddelanden",
        "Sendt", "Sendte", "Sendte elementer", "Sendte meldinger", "Sendte e-mails",
        "Lähetetyt", "Lähetetyt kohteet", "Wysłane", "Elementy wysłane",
        "Odeslané", "Odeslaná pošta", "Elküldött", "Elküldött elemek",
        "Trimise", "Elemente trimise", "Gönderilmiş Öğeler", "Gönderilenler",
        "Отправленные", "Надіслані", "Απεσταλμένα",
        "送信済みアイテム", "送信済みメール", "送信済み", "已发送", "已发送邮件",
        "寄件備份", "已傳送郵件", "보낸편지함",
    )
)  # fmt: skip

# Subject lines of out-of-office and other automatic replies, for mail programs that do
# not set Auto-Submitted (RFC 3834).
_AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?(reply|response)|auto:|out of (the )?office"
    r"|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática"
    r"|risposta automatica|automatisch antwoord|autosvar|automaattinen vastaus)",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class MailboxProblem(Exception):
    """A mailbox that cannot be read (missing file, login refused, ...): one line, exit 2."""


@dataclass(frozen=True)
class MailMessage:
    """One message's headers, as the matching needs them.

    Addresses are lower-case addr-specs. `sent_at` is the Date header, else when the
    message was delivered (mbox "From " line, Maildir file time, IMAP INTERNALDATE), else None.
    """

    sender: str | None
    recipients: tuple[str, ...]
    sent_at: datetime | None
    subject: str
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    folder: FolderRole
    automatic: bool = False


@dataclass
class MailboxRead:
    """What a source gave: its messages, and what it read them from (for the summary)."""

    messages: list[MailMessage] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # "Sent (sent, 120 messages)"
    own_addresses: set[str] = field(default_factory=set)  # the account's, when known


@dataclass(frozen=True)
class MailboxSource:
    """The mailbox to read: mbox files, Maildirs, or an IMAP account (one of them)."""

    mbox: tuple[Path, ...] = ()
    maildir: tuple[Path, ...] = ()
    imap_host: str | None = None
    imap_user: str | None = None
    imap_port: int | None = None
    imap_insecure: bool = False

    def read(self, since: date | None = None) -> MailboxRead:
        """Every message's headers from `since` on (None: all). For IMAP the password is
        looked up only now, when the trackers have been read and mail is needed."""
        if self.mbox:
            return read_mbox(self.mbox, since)
        if self.maildir:
            return read_maildir(self.maildir, since)
        if self.imap_host is None or self.imap_user is None:
            raise MailboxProblem("no mailbox given: use --mbox, --maildir or --imap")
        _check_insecure(self.imap_host, self.imap_insecure)  # before asking for a password
        account = ImapAccount(
            host=self.imap_host,
            user=self.imap_user,
            password=imap_password(self.imap_user, self.imap_host),
            port=self.imap_port,
            insecure=self.imap_insecure,
        )
        return read_imap(account, since)


def is_sent_folder_name(name: str, delimiter: str | None = None) -> bool:
    """True when a folder's name says it holds sent mail (in any of the known languages)."""
    folded = unicodedata.normalize("NFC", name).casefold().strip()
    if folded in SENT_FOLDER_NAMES:
        return True
    if delimiter:
        return folded.rsplit(delimiter.casefold(), 1)[-1].strip() in SENT_FOLDER_NAMES
    return False


# --- headers ------------------------------------------------------------------------------


def parse_headers(
    header_bytes: bytes, folder: FolderRole, delivered_at: datetime | None = None
) -> MailMessage:
    """One message's headers (the raw header block) as a MailMessage."""
    headers = header_fields(header_bytes)
    senders = _addresses(headers.get("from", ()))
    recipients = _addresses([*headers.get("to", ()), *headers.get("cc", ())])
    subject = _text(_first(headers, "subject"))
    labels = _text(_first(headers, "x-gmail-labels"))
    if labels and "sent" in (label.strip().casefold() for label in labels.split(",")):
        folder = "sent"  # a Google Takeout mbox holds every folder in one file
    auto_submitted = _first(headers, "auto-submitted").strip().casefold()
    return MailMessage(
        sender=senders[0] if senders else None,
        recipients=tuple(dict.fromkeys(recipients)),
        sent_at=_date(_first(headers, "date")) or delivered_at,
        subject=subject,
        message_id=_first_id(_first(headers, "message-id")),
        in_reply_to=tuple(_MESSAGE_ID.findall(_first(headers, "in-reply-to"))),
        references=tuple(_MESSAGE_ID.findall(" ".join(headers.get("references", ())))),
        folder=folder,
        automatic=(auto_submitted not in ("", "no")) or bool(_AUTOMATIC_SUBJECT.match(subject)),
    )


_WANTED = frozenset(name.lower() for name in HEADER_FIELDS)


def header_fields(header_bytes: bytes) -> dict[str, list[str]]:
    """The wanted fields of a header block: lower-case name -> its values, unfolded.

    RFC 5322 section 2.2: a field is "name: value", and a line starting with white space
    continues the one before. Written here rather than with the email package's parser,
    which builds a message object per message and is most of the time of reading a mailbox.
    Raw 8-bit text is read as UTF-8 (what mail programs write), anything else replaced.
    """
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    # Lines end at LF (CRLF) only: str.splitlines would also break at U+2028 and others in
    # raw UTF-8 header text.
    for raw_line in header_bytes.split(b"\n"):
        line = raw_line.rstrip(b"\r").decode("utf-8", "replace")
        if line[:1] in (" ", "\t"):
            if current is not None:
                current[-1] = f"{current[-1]} {line.strip()}"
            continue
        name, colon, value = line.partition(":")
        key = name.strip().lower()
        if not colon or key not in _WANTED:
            current = None
            continue
        current = fields.setdefault(key, [])
        current.append(value.strip())
    return fields


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


def _text(value: str) -> str:
    """A header's text, with RFC 2047 encoded words decoded (and never an exception)."""
    if "=?" not in value:
        return " ".join(value.split())
    try:
        return " ".join(str(make_header(decode_header(value))).split())
    except (LookupError, UnicodeError, ValueError):
        return " ".join(value.split())


# An address list with no quotes, comments or escapes ("Sam <sam@x.com>, lee@x.com"): its
# addresses are the addr-specs in it. Anything else goes through the email package's parser.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+'!#$&*=?^`{|}~/-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SPECIAL = re.compile(r'["()\\]|=\?')


def _addresses(values: Iterable[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        plain = None if _SPECIAL.search(value) else _PLAIN_ADDRESS.findall(value)
        if plain:
            found.extend(address.lower() for address in plain)
            continue
        for _, address in email.utils.getaddresses([value]):
            address = address.strip().strip("<>").lower()
            if "@" in address:
                found.append(address)
    return found


def _first_id(value: str) -> str | None:
    match = _MESSAGE_ID.search(value)
    return match.group(0) if match else None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" (RFC 5322: the time zone is unknown) gives a naive time; read it as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _header_block(handle: BinaryIO) -> bytes:
    """The header block at the start of a message file, up to the blank line."""
    data = b""
    while True:
        chunk = handle.read(16384)
        data += chunk
        found = _BLANK_LINE.search(data)
        if found:
            return data[: found.start()]
        if not chunk:
            return data


def _since_filter(messages: Iterable[MailMessage], since: date | None) -> Iterator[MailMessage]:
    for message in messages:
        if since is None or message.sent_at is None or message.sent_at.date() >= since:
            yield message


# --- mbox ---------------------------------------------------------------------------------


def read_mbox(paths: Sequence[Path], since: date | None = None) -> MailboxRead:
    """Headers of every message in the mbox files (Thunderbird's local folders, a Google
    Takeout export). A file named like a sent folder ("Sent") holds sent mail."""
    read = MailboxRead()
    for path in paths:
        _check_file(path, "mbox file")
        folder: FolderRole = "sent" if is_sent_folder_name(path.stem) else "inbox"
        try:
            messages = list(_since_filter(_mbox_messages(path, folder), since))
        except OSError as error:
            raise MailboxProblem(f"{path}: cannot be read ({error.strerror or error})") from None
        read.messages.extend(messages)
        read.folders.append(f"{path.name} ({folder}, {len(messages)} messages)")
    return read


def _mbox_messages(path: Path, folder: FolderRole) -> Iterator[MailMessage]:
    """Each message's header block, found by scanning the file (memory-mapped, read-only).

    Messages start at lines beginning "From ", as Python's `mailbox.mbox` reads them (mboxo
    and mboxrd escape such lines in bodies as ">From "); the header block is what follows
    that line up to the first blank line. Only the header blocks are ever looked at.
    """
    import mmap

    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    with data:
        if data[:5] != b"From ":
            raise MailboxProblem(
                f'{path}: is not an mbox file (it does not start with a "From " line); '
                "check the --mbox path"
            )
        position = 0
        while True:
            line_end = data.find(b"\n", position)
            if line_end < 0:
                return
            next_message = data.find(b"\nFrom ", line_end)
            stop = next_message if next_message >= 0 else len(data)
            blank = _BLANK_LINE.search(data, line_end, stop)
            header = data[line_end + 1 : blank.start() if blank else stop]
            message = parse_headers(header, folder)
            if message.sent_at is None:
                from_line = data[position:line_end]
                message = dataclasses.replace(message, sent_at=_from_line_date(from_line))
            yield message
            if next_message < 0:
                return
            position = next_message + 1


def _from_line_date(line: bytes) -> datetime | None:
    """The delivery time on an mbox "From sender Thu Nov 12 10:00:00 2026" line (UTC)."""
    parts = line.decode("ascii", "replace").split()
    if len(parts) < 7:
        return None
    try:
        moment = datetime.strptime(" ".join(parts[-5:]), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC)


# --- Maildir ------------------------------------------------------------------------------


def read_maildir(paths: Sequence[Path], since: date | None = None) -> MailboxRead:
    """Headers of the messages in a Maildir's inbox and its sent folders (Maildir++ layout,
    as Dovecot, Courier and offlineimap keep them)."""
    import mailbox

    read = MailboxRead()
    for path in paths:
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            if not path.exists():
                raise MailboxProblem(f"{path}: does not exist; check the --maildir path")
            raise MailboxProblem(
                f"{path}: is not a Maildir (no cur/ or new/ folder in it); check the --maildir path"
            )
        try:
            own_role: FolderRole = "sent" if is_sent_folder_name(path.name.lstrip(".")) else "inbox"
            folders: list[tuple[str, FolderRole, Path]] = [(path.name, own_role, path)]
            for name in mailbox.Maildir(path, factory=None, create=False).list_folders():
                shown = _decode_folder_name(name)
                if is_sent_folder_name(shown, "."):
                    folders.append((shown, "sent", path / f".{name}"))
            for shown, folder, where in folders:
                messages = list(_since_filter(_maildir_messages(where, folder), since))
                read.messages.extend(messages)
                read.folders.append(f"{shown} ({folder}, {len(messages)} messages)")
        except OSError as error:
            raise MailboxProblem(f"{path}: cannot be read as a Maildir ({error})") from None
    return read


def _maildir_messages(folder_path: Path, folder: FolderRole) -> Iterator[MailMessage]:
    """Each message file in new/ and cur/; its delivery time is the file's modification time,
    as Dovecot and the `mailbox` module keep it."""
    for part in ("new", "cur"):
        try:
            entries = list(os.scandir(folder_path / part))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_file():
                continue
            try:
                with open(entry.path, "rb") as handle:
                    header = _header_block(handle)
                delivered = datetime.fromtimestamp(entry.stat().st_mtime, UTC)
            except FileNotFoundError:  # moved by a mail program meanwhile (new/ -> cur/)
                continue
            yield parse_headers(header, folder, delivered)


def _decode_folder_name(name: str) -> str:
    """Maildir++ keeps IMAP's modified UTF-7 folder names ("&AMk-l&AOk-ments envoy&AOk-s")."""
    if "&" not in name:
        return name
    from imapclient import imap_utf7

    try:
        return str(imap_utf7.decode(name.encode("ascii")))
    except (UnicodeError, ValueError):
        return name


def _check_file(path: Path, what: str) -> None:
    if not path.exists():
        raise MailboxProblem(f"{path}: does not exist; check the path of the {what}")
    if path.is_dir():
        raise MailboxProblem(f"{path}: is a folder, not an {what} (a Maildir? use --maildir)")


# --- IMAP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapAccount:
    host: str
    user: str
    password: str
    port: int | None = None
    insecure: bool = False  # no TLS: allowed for a server on this machine only


def imap_password(user: str, host: str) -> str:
    """The IMAP password: $FOLLOWUP_IMAP_PASSWORD, else the OS keyring (service "followup",
    the user name); never a command-line argument, which other users can see in `ps`."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            stored = keyring.get_password(KEYRING_SERVICE, user)
        except KeyringError:
            stored = None
    except ImportError:
        stored = None
    if stored:
        return stored
    raise MailboxProblem(
        f"imap {host}: no password for {user}: set {PASSWORD_VARIABLE}, or store it with "
        f"`keyring set {KEYRING_SERVICE} {user}`"
    )


def read_imap(account: ImapAccount, since: date | None = None) -> MailboxRead:
    """Headers of the messages in the account's INBOX and sent folders, read-only."""
    _check_insecure(account.host, account.insecure)
    client = _connect(account)
    try:
        _login(client, account)
        read = MailboxRead()
        if "@" in account.user:
            read.own_addresses.add(account.user.strip().lower())
        for name, folder in _folders_to_read(client, account.host):
            messages = list(_since_filter(_imap_folder(client, name, folder, since), since))
            read.messages.extend(messages)
            read.folders.append(f"{name} ({folder}, {len(messages)} messages)")
        return read
    except MailboxProblem:
        raise
    except Exception as error:  # the server hung up or answered something unexpected
        raise MailboxProblem(f"imap {account.host}: {_one_line(error)}") from None
    finally:
        _logout(client)


def _check_insecure(host: str, insecure: bool) -> None:
    if insecure and host.strip("[]").lower() not in LOCAL_HOSTS:
        raise MailboxProblem(
            f"imap {host}: --imap-insecure sends the password unencrypted, so it is "
            "allowed only for a server on this machine (localhost); leave it out"
        )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:200] if text else type(error).__name__


def _connect(account: ImapAccount) -> Any:
    import ssl

    from imapclient import IMAPClient

    port = account.port or (IMAP_PLAIN_PORT if account.insecure else IMAP_TLS_PORT)
    where = f"imap {account.host}:{port}"
    try:
        return IMAPClient(
            account.host,
            port=port,
            ssl=not account.insecure,
            ssl_context=None if account.insecure else ssl.create_default_context(),
            timeout=_IMAP_TIMEOUT_SECONDS,
        )
    except ssl.SSLError as error:
        raise MailboxProblem(
            f"{where}: TLS failed ({_one_line(error)}); check the host and --imap-port"
        ) from None
    except TimeoutError:
        raise MailboxProblem(f"{where}: no answer; check the host and --imap-port") from None
    except OSError as error:
        reason = error.strerror or _one_line(error)
        raise MailboxProblem(
            f"{where}: cannot connect ({reason}); check the host and --imap-port"
        ) from None


def _login(client: Any, account: ImapAccount) -> None:
    from imapclient.exceptions import LoginError

    try:
        client.login(account.user, account.password)
    except LoginError:
        raise MailboxProblem(
            f"imap {account.host}: login refused for {account.user}: check the user name and "
            f"the password in {PASSWORD_VARIABLE} or the keyring"
        ) from None


def _logout(client: Any) -> None:
    try:
        client.logout()
    except Exception:  # already gone; nothing was changed, so nothing is lost
        with contextlib.suppress(Exception):
            client.shutdown()


def _folders_to_read(client: Any, host: str) -> list[tuple[str, FolderRole]]:
    """INBOX and the sent folders: those flagged \\Sent, else those named like one."""
    # Flags are case-insensitive (RFC 3501). A \Noselect folder ("[Gmail]" itself) holds no
    # messages and cannot be opened.
    listed = [
        ({bytes(flag).lower() for flag in flags}, delimiter, name)
        for flags, delimiter, name in client.list_folders()
    ]
    listed = [entry for entry in listed if not {b"\\noselect", b"\\nonexistent"} & entry[0]]
    flagged = [name for flags, _, name in listed if b"\\sent" in flags]
    sent = flagged or [
        name for _, delimiter, name in listed if is_sent_folder_name(name, _text_of(delimiter))
    ]
    folders: list[tuple[str, FolderRole]] = [("INBOX", "inbox")]
    folders.extend((name, "sent") for name in sent if name.upper() != "INBOX")
    return folders


def _text_of(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return value


def _imap_folder(
    client: Any, name: str, folder: FolderRole, since: date | None
) -> Iterator[MailMessage]:
    client.select_folder(name, readonly=True)  # EXAMINE: the folder cannot change
    uids = client.search(["SINCE", since] if since else ["ALL"])
    fields = " ".join(field.upper() for field in HEADER_FIELDS)
    part = f"BODY.PEEK[HEADER.FIELDS ({fields})]"
    answer_key = f"BODY[HEADER.FIELDS ({fields})]".encode("ascii")
    for start in range(0, len(uids), _FETCH_BATCH):
        batch = uids[start : start + _FETCH_BATCH]
        for data in client.fetch(batch, [part, "INTERNALDATE"]).values():
            header = _fetched_header(data, answer_key)
            delivered = data.get(b"INTERNALDATE")
            if isinstance(delivered, datetime) and delivered.tzinfo is None:
                delivered = delivered.astimezone()  # imapclient gives local time
            yield parse_headers(header, folder, delivered if delivered else None)


def _fetched_header(data: dict[bytes, Any], answer_key: bytes) -> bytes:
    value = data.get(answer_key)
    if value is None:  # some servers echo the field list differently: take the BODY item
        value = next((v for k, v in data.items() if k.startswith(b"BODY[")), b"")
    return bytes(value or b"")
