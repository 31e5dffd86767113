"""Rows, decisions and requests for the drafts tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from batch.drafts import DraftRequest
from batch.model import Decision, Sender, Status, Step, TrackerRow

RUN_DATE = date(2026, 11, 23)
SENDER = Sender(name="Alex Morgan", email="alex@example.com", phone="+1 555 0100")


def make_row(row: int = 7, **fields: Any) -> TrackerRow:
    values: dict[str, Any] = {
        "company": "Acme Corp",
        "role": "Data Analyst",
        "contact_name": "Jane Doe",
        "contact_email": "jane.doe@acme.example",
        "contact_phone": "+1 555 0199",
        "interview_date": date(2026, 11, 12),
        "thank_you_sent": date(2026, 11, 12),
        "key_points": "the new data platform; how the team measures churn",
        "extra_info": "a short write-up of my churn model",
    }
    values.update(fields)
    return TrackerRow(row=row, **values)


def make_decision(
    step: Step | None = Step.CHECK_IN,
    status: Status = Status.OVERDUE,
    due: date | None = date(2026, 11, 19),
    reason: str = "Check-in: 5 business days after the thank-you (Thu 2026-11-12).",
) -> Decision:
    return Decision(status=status, step=step, due=due, reason=reason)


def make_request(
    row: TrackerRow | None = None,
    decision: Decision | None = None,
    sender: Sender = SENDER,
    tracker: Path = Path("/tmp/followup-tests/tracker.xlsx"),
) -> DraftRequest:
    return DraftRequest(
        tracker=tracker,
        row=row if row is not None else make_row(),
        decision=decision if decision is not None else make_decision(),
        sender=sender,
    )
