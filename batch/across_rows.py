"""The rules that look across rows (issue 13, item 7): interview rounds, one message per person.

Each row is first decided on its own (`batch.rules.decide`); this pass then reads all the
decisions of a tracker together. It is pure like the rules: the rows, their decisions, today and
the policy in, the adjusted decisions out.

- A row with a later interview at the same company for the same candidate is the next round:
  the earlier row is superseded (Closed, no step), so round 1 does not ask about "the next
  steps" on the day round 2 is thanked.
- Never two drafts to the same person in one run: the more important step goes today and the
  other moves to the next business day, and both rows' reasons say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from batch.model import DRAFTED_STATUSES, Decision, Status, Step, TrackerRow
from batch.policy import Policy
from batch.rules import format_day

# The statuses a later round replaces: the row still expects a follow-up of its own.
_OPEN = frozenset({Status.UPCOMING, Status.DUE, Status.OVERDUE, Status.WAITING, Status.MOVE_ON})

# Which step goes first when two are due to one person: thanks before a question, and a
# question before a reminder of it.
_IMPORTANCE: dict[Step, int] = {
    Step.THANK_YOU: 0,
    Step.THANK_YOU_AND_CHECK_IN: 1,
    Step.CHECK_IN: 2,
    Step.REMINDER: 3,
}


def decide_across_rows(
    rows: Sequence[TrackerRow], decisions: Sequence[Decision], today: date, policy: Policy
) -> list[Decision]:
    """The decisions of all rows of a tracker (in the same order), with the rounds and the
    one-message-per-person rules applied."""
    adjusted = list(decisions)
    _supersede_earlier_rounds(rows, adjusted, today)
    _one_message_per_person(rows, adjusted, today, policy)
    return adjusted


def _words(text: str | None) -> str:
    return " ".join(text.casefold().split()) if text else ""


def _supersede_earlier_rounds(
    rows: Sequence[TrackerRow], decisions: list[Decision], today: date
) -> None:
    # Most rows are the only one of their application: they are only counted here, and only
    # the applications with several rows get a list.
    words: dict[str, str] = {}
    first_row: dict[tuple[str, str], int] = {}
    repeated: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        company, candidate = row.company, row.candidate or ""
        if row.interview_date is None or not company:
            continue
        key_company = words.get(company)
        if key_company is None:
            key_company = words[company] = _words(company)
        key_candidate = words.get(candidate)
        if key_candidate is None:
            key_candidate = words[candidate] = _words(candidate)
        key = (key_company, key_candidate)
        first = first_row.setdefault(key, index)
        if first != index:
            repeated.setdefault(key, [first]).append(index)
    for indexes in repeated.values():
        rounds = sorted((_interview(rows[index]), index) for index in indexes)
        for position, (interview, index) in enumerate(rounds):
            decision = decisions[index]
            if decision.status not in _OPEN:
                continue
            later = next(((day, i) for day, i in rounds[position + 1 :] if day > interview), None)
            if later is None:
                continue
            day, later_index = later
            reason = (
                f"Superseded by the interview on row {rows[later_index].row}, "
                f"{format_day(day, today)}: the follow-up continues there."
            )
            decisions[index] = Decision(Status.CLOSED, None, None, reason, outcome=decision.outcome)


def _interview(row: TrackerRow) -> date:
    assert row.interview_date is not None  # only rows with one are grouped
    return row.interview_date


def _contact_key(row: TrackerRow) -> str | None:
    """Who a draft goes to: the email address, else the contact's name at the company."""
    if row.contact_email:
        return row.contact_email.strip().casefold()
    if row.contact_name:
        return f"{_words(row.contact_name)} at {_words(row.company)}"
    return None


def _one_message_per_person(
    rows: Sequence[TrackerRow], decisions: list[Decision], today: date, policy: Policy
) -> None:
    by_person: dict[str, list[int]] = {}
    for index, decision in enumerate(decisions):
        if decision.status in DRAFTED_STATUSES and decision.step is not None:
            key = _contact_key(rows[index])
            if key is not None:
                by_person.setdefault(key, []).append(index)
    tomorrow = policy.next_business_day(today)
    on = format_day(tomorrow, today)
    for indexes in by_person.values():
        if len(indexes) < 2:
            continue

        def importance(index: int) -> tuple[int, date, int]:
            decision = decisions[index]
            assert decision.step is not None and decision.due is not None
            return (_IMPORTANCE[decision.step], decision.due, rows[index].row)

        kept, *deferred = sorted(indexes, key=importance)
        kept_decision = decisions[kept]
        assert kept_decision.step is not None
        kept_step = kept_decision.step.value.lower()
        moved = []
        for index in deferred:
            decision = decisions[index]
            assert decision.step is not None
            moved.append(f"the {decision.step.value.lower()} of row {rows[index].row}")
            decisions[index] = replace(
                decision,
                status=Status.WAITING,
                due=tomorrow,
                reason=(
                    f"{decision.reason} Moved to {on}: the {kept_step} of row "
                    f"{rows[kept].row} goes to the same person today."
                ),
            )
        decisions[kept] = replace(
            kept_decision,
            reason=(
                f"{kept_decision.reason} One message to this person today: "
                f"{_and(moved)} {'moves' if len(moved) == 1 else 'move'} to {on}."
            ),
        )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
