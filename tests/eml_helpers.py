"""The .eml builder as it was written with the email package's EmailMessage (policy.default).

`batch.eml.build_email` writes the text directly for speed; the tests compare its bytes with
this reference, so both the encoding rules and the exact output stay those of the standard
library.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from batch.eml import clean_address, clean_header_text


def _reference_address(name: str | None, email: str | None) -> Address | None:
    display, _ = clean_header_text(name or "")
    addr, _ = clean_address(email)
    if addr is None:
        return None
    username, _, domain = addr.rpartition("@")
    return Address(display_name=display, username=username, domain=domain)


def reference_email(
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
    message = EmailMessage(policy=policy.default)
    to_address = _reference_address(to_name, to_email)
    if to_address is not None:
        message["To"] = to_address
    from_address = _reference_address(from_name, from_email)
    if from_address is not None:
        message["From"] = from_address
    message["Subject"] = clean_header_text(subject)[0]
    message["Date"] = sent_at
    message["Message-ID"] = clean_header_text(message_id)[0]
    message["X-Unsent"] = "1"
    longest = max((len(line.encode("utf-8")) for line in body.splitlines()), default=0)
    encoding = "8bit" if longest <= 998 else "quoted-printable"
    message.set_content(body, subtype="plain", charset="utf-8", cte=encoding)
    return message.as_bytes(policy=policy.SMTP)
