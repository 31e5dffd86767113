"""An email cell with several addresses, or an injected header, never reaches the To line."""

from __future__ import annotations

import pytest
from drafts_helpers import make_request, make_row

from batch.drafts import render_drafts


@pytest.mark.parametrize(
    "cell",
    [
        "jane@acme.example, raj@acme.example",
        "jane@acme.example; raj@acme.example",
        "jane@acme.example raj@acme.example",
        "jane@acme.example\nBcc: everyone@elsewhere.example",
        "jane@acme.example\r\nCc: raj@acme.example",
    ],
)
def test_several_addresses_or_a_header_leave_the_to_line_empty_and_say_so(cell: str) -> None:
    (draft,) = render_drafts([make_request(row=make_row(contact_email=cell))])
    assert draft.to_email is None
    flagged = [p for p in draft.problems if p.code == "unsafe-header"]
    assert len(flagged) == 1 and flagged[0].column  # names the email column
    assert "elsewhere" not in draft.body and "Bcc" not in draft.subject
