"""Which statuses get drafts, a calendar event and a review-page entry: one answer, in model.py.

Every stage that chooses rows by status (the drafts, the calendar, the review page, the runner
through them) is asked here about every status, and must agree with the sets in model.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from drafts_helpers import RUN_DATE, make_decision, make_request

from batch.drafts import render_drafts
from batch.ics import gets_event
from batch.model import (
    CALENDAR_STATUSES,
    DRAFTED_STATUSES,
    REVIEW_STATUSES,
    RowProblem,
    Status,
    Step,
)
from batch.review import listed


@pytest.mark.parametrize("status", list(Status))
def test_drafts_are_rendered_for_the_drafted_statuses_only(status: Status) -> None:
    request = make_request(decision=make_decision(status=status, step=Step.CHECK_IN))
    assert bool(render_drafts([request])) == (status in DRAFTED_STATUSES)


@pytest.mark.parametrize("status", list(Status))
def test_calendar_events_are_for_the_calendar_statuses_only(status: Status) -> None:
    decision = make_decision(status=status, step=Step.CHECK_IN, due=RUN_DATE + timedelta(days=3))
    assert gets_event(decision, RUN_DATE) == (status in CALENDAR_STATUSES)


@pytest.mark.parametrize("status", list(Status))
def test_the_review_page_lists_drafts_and_the_review_statuses(status: Status) -> None:
    decision = make_decision(status=status, step=None)
    assert listed(decision, has_draft=True)
    assert listed(decision, has_draft=False) == (status in REVIEW_STATUSES)


def test_the_sets_as_the_readme_states_them() -> None:
    assert {Status.DUE, Status.OVERDUE} == DRAFTED_STATUSES
    assert {Status.UPCOMING, Status.DUE, Status.OVERDUE, Status.WAITING} == CALENDAR_STATUSES
    assert {
        Status.NEEDS_ATTENTION,
        Status.UPCOMING,
        Status.WAITING,
        Status.MOVE_ON,
    } == REVIEW_STATUSES


def test_a_problem_reads_column_then_message() -> None:
    assert RowProblem(3, "Interview Date", "bad-date", "not a date").text == (
        "Interview Date: not a date"
    )
    assert RowProblem(3, "", "empty-row", "nothing to do").text == "nothing to do"
