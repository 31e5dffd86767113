"""Which tracker row a message belongs to, and which empty date cells it fills.

Pure functions over values: rows, message headers, the drafts' Message-IDs, the run date.
No I/O, no clock. `match_messages` assigns messages to rows; `plan_fills` turns one row's
messages into cell fills and conflicts; `filled_row` applies the fills to a row.

How a message finds its row, first that applies:

1. its Message-ID is one of the drafts the tool wrote (the draft was sent as it was);
2. its sender or a recipient is the row's contact address;
3. its sender or a recipient is at the row's company domain, when the tracker has one contact
   at that domain (free-mail domains never match by domain: two gmail.com contacts are
   strangers);
4. it answers, or is answered by, a message already matched (In-Reply-To, References).

Only messages on or after the row's interview date count (earlier mail is the scheduling),
and never one dated after the run date. When an address belongs to several rows, the message
goes to the row whose interview came last before it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any, Literal, NamedTuple

from batch.mailbox_sources import MailMessage
from batch.model import RowProblem, Step, TrackerRow

Direction = Literal["sent", "received"]

# The sent columns, in the order the steps happen.
SENT_FIELDS: tuple[tuple[str, Step], ...] = (
    ("thank_you_sent", Step.THANK_YOU),
    ("checkin_sent", Step.CHECK_IN),
    ("reminder_sent", Step.REMINDER),
)
REPLY_FIELD = "reply_date"
FILLED_FIELDS: tuple[str, ...] = (*(name for name, _ in SENT_FIELDS), REPLY_FIELD)

# Domains anyone can have an address at: a contact there says nothing about a company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
        "ymail.com", "rocketmail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
        "hotmail.fr", "hotmail.de", "live.com", "live.co.uk", "msn.com", "icloud.com",
        "me.com", "mac.com", "aol.com", "gmx.com", "gmx.de", "gmx.net", "gmx.at", "web.de",
        "t-online.de", "freenet.de", "mail.com", "proton.me", "protonmail.com", "pm.me",
        "tutanota.com", "tuta.io", "zoho.com", "yandex.com", "yandex.ru", "mail.ru",
        "fastmail.com", "hey.com", "qq.com", "163.com", "126.com", "orange.fr", "free.fr",
        "laposte.net", "libero.it", "virgilio.it", "seznam.cz", "wp.pl", "o2.pl",
        "comcast.net", "verizon.net", "att.net", "btinternet.com", "sky.com",
    }
)  # fmt: skip

# Senders that are machines: a message from one is never the employer's reply.
_MACHINE_SENDERS = ("noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon")


class MatchedMessage(NamedTuple):
    day: date  # in the tracker's time zone
    direction: Direction
    message: MailMessage
    step: Step | None = None  # known when the message is one of the tool's drafts


@dataclass
class MatchResult:
    """Messages by row number, and counts of the ones set aside (for the summary)."""

    by_row: dict[int, list[MatchedMessage]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)


class CellFill(NamedTuple):
    row: int
    field: str  # a TrackerRow date field, one of FILLED_FIELDS
    day: date
    source: MatchedMessage


@dataclass(frozen=True)
class RowFills:
    row: int
    fills: tuple[CellFill, ...] = ()
    conflicts: tuple[RowProblem, ...] = ()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def dedupe(messages: Iterable[MailMessage]) -> tuple[list[MailMessage], int]:
    """Each message once (a message is often in two folders, or two exports), and how many
    copies were dropped. Without a Message-ID, the same sender, recipients, time and subject
    make a copy. The copy in a sent folder is the one kept: it says who sent it."""
    kept: dict[object, int] = {}
    unique: list[MailMessage] = []
    copies = 0
    for message in messages:
        key: object = message.message_id or (
            message.sender,
            message.recipients,
            message.sent_at,
            message.subject,
        )
        position = kept.get(key)
        if position is None:
            kept[key] = len(unique)
            unique.append(message)
            continue
        copies += 1
        if message.folder == "sent":
            unique[position] = message
    return unique, copies


class _Index:
    """Rows by contact address and by company domain (domains with one contact only)."""

    def __init__(self, rows: Iterable[TrackerRow], own_addresses: frozenset[str]) -> None:
        self.by_address: dict[str, list[TrackerRow]] = {}
        contacts_at: dict[str, set[str]] = {}
        for row in rows:
            if row.interview_date is None or not row.contact_email:
                continue
            address = row.contact_email.strip().lower()
            if "@" not in address or address in own_addresses:
                continue
            self.by_address.setdefault(address, []).append(row)
            contacts_at.setdefault(domain_of(address), set()).add(address)
        own_domains = {domain_of(address) for address in own_addresses}
        self.by_domain: dict[str, list[TrackerRow]] = {
            domain: self.by_address[next(iter(addresses))]
            for domain, addresses in contacts_at.items()
            if len(addresses) == 1 and domain not in FREE_MAIL_DOMAINS and domain not in own_domains
        }

    def rows_for(self, address: str | None) -> list[TrackerRow]:
        if not address:
            return []
        exact = self.by_address.get(address)
        if exact is not None:
            return exact
        local, _, domain = address.rpartition("@")
        if local.startswith(_MACHINE_SENDERS):
            return []
        return self.by_domain.get(domain, [])


def _latest_before(rows: Iterable[TrackerRow], day: date) -> list[TrackerRow]:
    """The rows whose interview came last on or before `day`: none, one, or several that
    tie (then the message cannot be placed)."""
    best: list[TrackerRow] = []
    latest: date | None = None
    for row in rows:
        interview = row.interview_date
        if interview is None or interview > day:
            continue
        if latest is None or interview > latest:
            best, latest = [row], interview
        elif interview == latest and row not in best:
            best.append(row)
    return best


def match_messages(
    rows: Sequence[TrackerRow],
    messages: Sequence[MailMessage],
    *,
    zone: tzinfo | None,
    today: date,
    drafts: Mapping[str, tuple[int, Step]],
    own_addresses: frozenset[str] = frozenset(),
) -> MatchResult:
    """Assign each message to at most one row (see the module docstring for how).

    `zone` is the tracker's time zone (None: the machine's); `drafts` maps the Message-ID of
    each draft the tool wrote for this tracker to its row and step; `own_addresses` are the
    mailbox owner's addresses (the config's sender, the senders of the sent folder's mail).
    """
    result = MatchResult()
    index = _Index(rows, own_addresses)
    by_number = {row.row: row for row in rows}
    # Message-ID -> (row number, direction, day) of every message placed so far, for threads.
    placed: dict[str, tuple[int, Direction, date]] = {}
    dated = []
    for message in messages:
        if message.sent_at is None:
            result.skipped["without a date"] += 1
            continue
        day = message.sent_at.astimezone(zone).date()
        if day > today:
            result.skipped["dated after the run date"] += 1
            continue
        dated.append((day, message))
    # Oldest first, so a reply meets the message it answers already placed.
    dated.sort(key=lambda pair: (pair[1].sent_at, pair[1].message_id or ""))
    for day, message in dated:
        placement = _place(message, day, index, by_number, drafts, placed, own_addresses)
        if isinstance(placement, str):
            result.skipped[placement] += 1
            continue
        row, direction, step = placement
        if message.message_id:
            placed[message.message_id] = (row.row, direction, day)
        if direction == "received" and message.automatic:
            result.skipped["automatic replies"] += 1
            continue
        if direction == "sent" and _answers_reply(message, row, placed):
            result.skipped["answers to a reply"] += 1
            continue
        result.by_row.setdefault(row.row, []).append(MatchedMessage(day, direction, message, step))
    return result


def _place(
    message: MailMessage,
    day: date,
    index: _Index,
    by_number: Mapping[int, TrackerRow],
    drafts: Mapping[str, tuple[int, Step]],
    placed: Mapping[str, tuple[int, Direction, date]],
    own_addresses: frozenset[str],
) -> tuple[TrackerRow, Direction, Step | None] | str:
    """The row a message belongs to and its direction, or why it belongs to none."""
    draft = drafts.get(message.message_id or "")
    if draft is not None and draft[0] in by_number:
        row = by_number[draft[0]]
        if row.interview_date is not None and row.interview_date <= day:
            return row, "sent", draft[1]
    mine = message.sender in own_addresses or message.folder == "sent"
    candidates: list[TrackerRow] = []
    direction: Direction = "received"
    if not mine:
        candidates = index.rows_for(message.sender)
    if not candidates and (mine or not own_addresses):
        # Sent by the mailbox's owner (or, when their address is unknown, by anyone who is
        # not the contact) to the contact or the company.
        direction = "sent"
        for address in message.recipients:
            candidates.extend(r for r in index.rows_for(address) if r not in candidates)
    if candidates:
        best = _latest_before(candidates, day)
        if not best:
            return "from before the interview"
        if len(best) > 1:
            return "fitting two rows alike"
        return best[0], direction, None
    # A message in a thread already placed (an assistant scheduling for the contact).
    for reference in (*message.in_reply_to, *reversed(message.references)):
        known = placed.get(reference)
        if known is not None:
            row = by_number[known[0]]
            if row.interview_date is None or row.interview_date > day:
                return "from before the interview"
            return row, "sent" if mine else "received", None
    return "matching no row"


def _answers_reply(
    message: MailMessage, row: TrackerRow, placed: Mapping[str, tuple[int, Direction, date]]
) -> bool:
    """True when a sent message answers a reply received after the interview day: that is a
    conversation with the employer, not a follow-up step."""
    interview = row.interview_date
    for reference in message.in_reply_to:
        known = placed.get(reference)
        if known is None or interview is None:
            continue
        number, direction, day = known
        if number == row.row and direction == "received" and day > interview:
            return True
    return False


def plan_fills(
    row: TrackerRow, matched: Sequence[MatchedMessage], read_from: date | None = None
) -> RowFills:
    """The empty date cells a row's messages fill, and where they disagree with the row.

    Sent messages fill the sent columns in order (thank-you, check-in, reminder), one step
    per day: a day already recorded is done, and a new day takes the first empty column,
    provided the dates stay in order. A draft of the tool's fills its own step's column.
    Received messages fill Reply Received with the latest reply's day. A date already in a
    cell is never changed, nor a cell whose text is not a date; when the mailbox disagrees
    with one, that is a conflict. `read_from` is the first day of mail that was read: when
    the interview came before it, earlier steps may be unseen, so no sent day is placed.
    """
    values: dict[str, date | None] = {name: getattr(row, name) for name, _ in SENT_FIELDS}
    unreadable = _unreadable_fields(row)
    unreadable_sent = [name for name, _ in SENT_FIELDS if name in unreadable]
    fills: list[CellFill] = []
    conflicts: list[RowProblem] = []
    sent_days: dict[date, MatchedMessage] = {}
    for item in sorted(matched, key=lambda m: m.day):
        if item.direction == "sent":
            known = sent_days.get(item.day)
            if known is None or (known.step is None and item.step is not None):
                sent_days[item.day] = item
    for day, item in sorted(sent_days.items()):
        if day in values.values():
            continue  # already recorded
        if (
            read_from is not None
            and row.interview_date is not None
            and (row.interview_date < read_from)
        ):
            conflicts.append(
                _conflict(
                    row,
                    "thank_you_sent",
                    f"{_what(item)}, but mail before {read_from:%d %b %Y} was not read, so "
                    "which step it was is unknown: left as is",
                )
            )
            continue
        if unreadable_sent:
            # Which step a day was is unknown while a sent date cannot be read.
            conflicts.append(
                _conflict(
                    row,
                    unreadable_sent[0],
                    f"holds text that is not a date, so {_what(item)} cannot be placed: "
                    "write the date and sync again",
                )
            )
            continue
        target = _sent_target(values, item.step)
        if target is None:
            conflicts.append(
                _conflict(row, "thank_you_sent", f"{_what(item)}, but every sent column is filled")
            )
            continue
        if values[target] is not None:
            conflicts.append(
                _conflict(row, target, f"says {values[target]:%d %b %Y}; {_what(item)}: left as is")
            )
            continue
        if not _in_order(values, target, day):
            conflicts.append(
                _conflict(
                    row, target, f"is empty, but {_what(item)} would put the dates out of order"
                )
            )
            continue
        values[target] = day
        fills.append(CellFill(row.row, target, day, item))
    replies = [item for item in matched if item.direction == "received"]
    if replies:
        latest = max(replies, key=lambda m: m.day)
        if REPLY_FIELD in unreadable:
            conflicts.append(
                _conflict(
                    row, REPLY_FIELD, f"holds text that is not a date; a reply came {_what(latest)}"
                )
            )
        elif row.reply_date is None:
            fills.append(CellFill(row.row, REPLY_FIELD, latest.day, latest))
        elif row.reply_date < latest.day:
            conflicts.append(
                _conflict(
                    row,
                    REPLY_FIELD,
                    f"says {row.reply_date:%d %b %Y}; a later reply came {_what(latest)}: "
                    "left as is (change it yourself if it counts)",
                )
            )
    return RowFills(row.row, tuple(fills), tuple(conflicts))


def _unreadable_fields(row: TrackerRow) -> frozenset[str]:
    """The date fields whose cell holds something the reader could not read as a date (the
    field is None, and the row has a problem naming its column): not empty, so never filled."""
    if not row.problems:
        return frozenset()
    columns = {problem.column for problem in row.problems}
    return frozenset(
        name for name in FILLED_FIELDS if getattr(row, name) is None and row.header(name) in columns
    )


def _sent_target(values: Mapping[str, date | None], step: Step | None) -> str | None:
    if step is not None:
        return next(name for name, s in SENT_FIELDS if s == step)
    return next((name for name, _ in SENT_FIELDS if values[name] is None), None)


def _in_order(values: Mapping[str, date | None], target: str, day: date) -> bool:
    names = [name for name, _ in SENT_FIELDS]
    position = names.index(target)
    before = [values[n] for n in names[:position] if values[n] is not None]
    after = [values[n] for n in names[position + 1 :] if values[n] is not None]
    return all(d <= day for d in before if d) and all(d >= day for d in after if d)


def _what(item: MatchedMessage) -> str:
    message = item.message
    if item.direction == "sent":
        to = next(iter(message.recipients), "?")
        return f"the mailbox has a message sent to {to} on {item.day:%d %b %Y}"
    return f"on {item.day:%d %b %Y} from {message.sender or '?'}"


def _conflict(row: TrackerRow, name: str, message: str) -> RowProblem:
    return RowProblem(row.row, row.header(name), "mailbox-conflict", message, "warning")


def filled_row(row: TrackerRow, fills: Iterable[CellFill]) -> TrackerRow:
    """The row as it reads once the fills are written."""
    changes: dict[str, Any] = {fill.field: fill.day for fill in fills}
    return dataclasses.replace(row, **changes) if changes else row
