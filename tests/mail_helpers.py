"""A job seeker's mailbox and tracker for the sync tests, built with the `mailbox` module.

One scenario, run on 23 Nov 2026, put into an mbox, a Maildir and (in test_sync_imap.py) a
Dovecot server alike:

- row 2, Quillmate: nothing recorded; the thank-you (12 Nov) and check-in (19 Nov) in the sent
  folder, and a reply from Lee, another person at the company (20 Nov): all three filled.
- row 3, Larkspur Health: thank-you typed; the thank-you twice (a duplicate), then a scheduling
  assistant on another domain answering it (a thread), 16 Nov: Reply Received filled.
- row 4, Greystone: a reply date typed (5 Nov); a later reply (18 Nov) from the gmail.com
  contact, and mail from another gmail.com sender: nothing written, a conflict reported.
- row 5, Northgate: a reply without a Date header, delivered 17 Nov: Reply Received filled.
- row 6, Fernhill: thank-you typed; an out-of-office answer and mail from before the
  interview: nothing.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tracker_helpers import build_tracker

ME = "Jordan Lee <jordan.lee@example.org>"
RUN_DAY = "2026-11-23"

HEADER = [
    "Company",
    "Contact",
    "Email",
    "Interview Date",
    "Thank-You Sent",
    "Check-In Sent",
    "Reminder Sent",
    "Reply Received",
    "Outcome",
    "Key Points",
]


def tracker_rows() -> list[list[Any]]:
    return [
        ["Quillmate", "Sam Ortiz", "sam@quillmate.com", date(2026, 11, 12), None, None, None, None],
        [
            "Larkspur Health",
            "N. Okafor",
            "n.okafor@larkspur.io",
            date(2026, 11, 9),
            date(2026, 11, 9),
            None,
            None,
            None,
        ],
        [
            "Greystone",
            "R. Hale",
            "r.hale@gmail.com",
            date(2026, 11, 2),
            date(2026, 11, 2),
            None,
            None,
            date(2026, 11, 5),
        ],
        ["Northgate", "M. Nair", "m.nair@northgate.example", date(2026, 11, 16)],
        ["Fernhill", "T. Berg", "t.berg@fernhill.example", date(2026, 11, 16), date(2026, 11, 16)],
    ]


def build_scenario_tracker(path: Path, header: Sequence[str] = HEADER) -> Path:
    rows = []
    for values in tracker_rows():
        padded = [*values, *([None] * (8 - len(values))), "Interviewing", "the roadmap"]
        rows.append([value for name, value in zip(HEADER, padded, strict=True) if name in header])
    return build_tracker(path, list(header), rows, sheet_name="Interviews")


@dataclass(frozen=True)
class Mail:
    """One message of the scenario; `sent` ones go into the sent folder."""

    sender: str
    to: str
    when: datetime | None
    subject: str
    message_id: str
    sent: bool = False
    in_reply_to: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    delivered: datetime | None = None  # the mbox From line / file time when there is no Date

    def message(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        if self.when is not None:
            message["Date"] = format_datetime(self.when)
        message["Subject"] = self.subject
        message["Message-ID"] = self.message_id
        if self.in_reply_to:
            message["In-Reply-To"] = self.in_reply_to
            message["References"] = self.in_reply_to
        for name, value in self.headers:
            message[name] = value
        message.set_content("Hello,\n\nA body the sync never reads.\n")
        return message

    @property
    def delivery(self) -> datetime:
        moment = self.delivered or self.when
        assert moment is not None
        return moment


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def scenario_mail() -> list[Mail]:
    return [
        # row 2, Quillmate
        Mail(
            ME, "Sam Ortiz <sam@quillmate.com>", at("2026-11-12", 17), "Thank you", "<q1@me>", True
        ),
        Mail(ME, "sam@quillmate.com", at("2026-11-19"), "Checking in", "<q2@me>", True),
        Mail(
            "Lee Chen <lee.chen@quillmate.com>",
            ME,
            at("2026-11-20"),
            "Re: Checking in",
            "<q3@quillmate.com>",
            in_reply_to="<q2@me>",
        ),
        # row 3, Larkspur Health: the thank-you, and its copy in the inbox (Bcc to self)
        Mail(ME, "n.okafor@larkspur.io", at("2026-11-09", 18), "Thank you", "<l1@me>", True),
        Mail(ME, "n.okafor@larkspur.io", at("2026-11-09", 18), "Thank you", "<l1@me>"),
        Mail(
            "Scheduling <bot@calendar-assist.example>",
            ME,
            at("2026-11-16"),
            "Re: Thank you",
            "<l2@calendar-assist.example>",
            in_reply_to="<l1@me>",
        ),
        # row 4, Greystone: a free-mail contact
        Mail("R. Hale <r.hale@gmail.com>", ME, at("2026-11-18"), "Update", "<g1@gmail.com>"),
        Mail("Pat <pat.other@gmail.com>", ME, at("2026-11-19"), "Dinner?", "<g2@gmail.com>"),
        # row 5, Northgate: no Date header
        Mail(
            "M. Nair <m.nair@northgate.example>",
            ME,
            None,
            "Next steps",
            "<n1@northgate.example>",
            delivered=at("2026-11-17", 9),
        ),
        # row 6, Fernhill
        Mail(ME, "t.berg@fernhill.example", at("2026-11-16", 15), "Thank you", "<f1@me>", True),
        Mail(
            "T. Berg <t.berg@fernhill.example>",
            ME,
            at("2026-11-16", 16),
            "Automatic reply: Thank you",
            "<f2@fernhill.example>",
            headers=(("Auto-Submitted", "auto-replied"),),
        ),
        Mail("t.berg@fernhill.example", ME, at("2026-11-03"), "Interview on the 16th", "<f0@f>"),
    ]


# What a sync of the scenario writes (row -> header -> day), and the conflicts it reports.
EXPECTED_FILLS = {
    2: {
        "Thank-You Sent": "2026-11-12",
        "Check-In Sent": "2026-11-19",
        "Reply Received": "2026-11-20",
    },
    3: {"Reply Received": "2026-11-16"},
    5: {"Reply Received": "2026-11-17"},
}
EXPECTED_CONFLICTS = {(4, "Reply Received")}


def _from_line(mail: Mail) -> str:
    return "MAILER-DAEMON " + mail.delivery.strftime("%a %b %d %H:%M:%S %Y")


def write_mbox(path: Path, mails: Iterable[Mail]) -> Path:
    box = mailbox.mbox(path)
    box.lock()
    try:
        for mail in mails:
            message = mailbox.mboxMessage(mail.message())
            message.set_from(_from_line(mail))
            box.add(message)
        box.flush()
    finally:
        box.unlock()
        box.close()
    return path


def write_maildir(root: Path, mails: Iterable[Mail], sent_folder: str) -> Path:
    """A Maildir++ with the inbox at `root` and sent mail in `sent_folder` (any language; the
    folder's name on disk is IMAP's modified UTF-7, as Dovecot keeps it)."""
    from imapclient import imap_utf7

    root.parent.mkdir(parents=True, exist_ok=True)
    inbox = mailbox.Maildir(root, create=True)
    sent = inbox.add_folder(imap_utf7.encode(sent_folder).decode("ascii"))
    for mail in mails:
        message = mailbox.MaildirMessage(mail.message())
        message.set_subdir("cur")  # already seen by a mail program: no flag to change
        message.set_date(mail.delivery.timestamp())
        (sent if mail.sent else inbox).add(message)  # the file's time is the delivery time
    return root
