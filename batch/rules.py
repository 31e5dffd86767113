"""The follow-up rules (SPEC section 4): which step a row needs next, when, and why.

`decide(row, today, policy)` is pure: no I/O, no clock, no globals. The rules are tried in
SPEC's order and the first that applies wins. Every due date a user sees comes from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from batch.model import Decision, RowProblem, Status, Step, TrackerRow
from batch.policy import Policy

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The dates that record something the user did or received; none can be in the future or
# before the interview (SPEC rule 2).
_RECORDED_DATES = ("thank_you_sent", "checkin_sent", "reminder_sent", "reply_date")


# Remembered: a run formats the same few hundred days for every row it explains.
@lru_cache(maxsize=4096)
def format_day(day: date, today: date) -> str:
    """'Thu 12 Nov', with the year only when it is not today's year ('Thu 12 Nov 2025').

    Fixed English names rather than strftime, whose names follow the machine's locale.
    """
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def decide(row: TrackerRow, today: date, policy: Policy) -> Decision:
    """The follow-up decision for one row on `today` under `policy`.

    Decision.problems holds only what the rules found (the row's own problems stay in
    `row.problems`): "error"s when the row needs attention, "warning"s that do not block.
    """
    problems = _date_problems(row, today)
    if not (row.company and row.company.strip()):
        problems.append(
            RowProblem(
                row.row,
                row.header("company"),
                "missing-company",
                "empty: fill in who the interview was with",
            )
        )
    errors = (
        [p for p in (*row.problems, *problems) if p.severity == "error"]
        if row.problems or problems
        else None  # the common case: nothing to sift
    )
    if errors:
        details = "; ".join(p.text.rstrip(".") for p in errors)
        return Decision(
            Status.NEEDS_ATTENTION, None, None, f"Needs attention: {details}.", tuple(problems)
        )

    kind = policy.outcome_of(row.outcome)
    if kind is not None:
        label = "Closed" if kind == "closed" else f"Closed ({kind})"
        outcome = (row.outcome or "").strip()
        reason = f'{label}: {row.header("outcome")} says "{outcome}", so no follow-up.'
        return Decision(Status.CLOSED, None, None, reason)

    if row.interview_date is None:
        header = row.header("interview_date")
        if _says_interviewed(row):
            outcome = (row.outcome or "").strip()
            said = f'{row.header("outcome")} says "{outcome}"'
            problem = RowProblem(
                row.row, header, "no-interview-date", f"empty, but {said}: add the interview date"
            )
            reason = f"Needs attention: add the interview date ({said})."
            return Decision(Status.NEEDS_ATTENTION, None, None, reason, (problem,))
        return Decision(
            Status.NO_INTERVIEW,
            None,
            None,
            f"No interview date yet: fill in {header} once the interview is booked.",
        )

    decision = _follow_up(row, row.interview_date, today, policy)
    return _with_plan(_with_warnings(decision, row, today), row, today)


# An Outcome that says an interview took place (or is booked): "Interviewed", "2nd interview",
# "Phone screen", "Onsite".
_INTERVIEWED = re.compile(
    r"\b(?:interview\w*|screen(?:ed|ing)?|on-?site|final round|\d(?:st|nd|rd|th) round)\b",
    re.IGNORECASE,
)


def _says_interviewed(row: TrackerRow) -> bool:
    """The Outcome says there was an interview, and the sheet has a column for its date."""
    if not row.outcome or _INTERVIEWED.search(row.outcome) is None:
        return False
    return any(name == "interview_date" for name, _ in row.headers)


def _with_plan(decision: Decision, row: TrackerRow, today: date) -> Decision:
    """Name the day the user planned to follow up when it is not the step's due date."""
    planned = row.planned_follow_up
    if planned is None or decision.step is None or planned == decision.due:
        return decision
    reason = (
        f"{decision.reason} Your {row.header('planned_follow_up')}: {format_day(planned, today)}."
    )
    return Decision(decision.status, decision.step, decision.due, reason, decision.problems)


def _date_problems(row: TrackerRow, today: date) -> list[RowProblem]:
    """A sent or reply date later than today or earlier than the interview (SPEC rule 2)."""
    problems = []
    for name in _RECORDED_DATES:
        value: date | None = getattr(row, name)
        if value is None:
            continue
        if value > today:
            problems.append(
                RowProblem(
                    row.row,
                    row.header(name),
                    "date-in-future",
                    f"{format_day(value, today)} is later than today "
                    f"({format_day(today, today)}): fix the date",
                )
            )
        elif row.interview_date is not None and value < row.interview_date:
            problems.append(
                RowProblem(
                    row.row,
                    row.header(name),
                    "before-interview",
                    f"{format_day(value, today)} is before the interview "
                    f"({format_day(row.interview_date, today)}): fix the date",
                )
            )
    return problems


@dataclass(frozen=True)
class _Proposal:
    """A step and its due date, with the sentence that explains the date."""

    step: Step
    due: date
    why: str  # "Thank-you sent Thu 12 Nov; ... : Thu 19 Nov" (no final punctuation)


def _follow_up(row: TrackerRow, interview: date, today: date, policy: Policy) -> Decision:
    """Rules 5 to 10, for an open row with a readable interview date and sane recorded dates."""

    def on(day: date) -> str:
        return format_day(day, today)

    # 5. Upcoming.
    if interview > today:
        reason = (
            f"Interview {on(interview)}: send a thank-you that evening, and at the end of the "
            "interview ask when you should expect to hear back."
        )
        return Decision(Status.UPCOMING, Step.THANK_YOU, interview, reason)

    thank_you, checkin, reminder = row.thank_you_sent, row.checkin_sent, row.reminder_sent
    reply = row.reply_date

    # 6. Thank-you: only when nothing was sent yet. A later step recorded without a thank-you
    # means the job seeker moved on past it; the rules carry on from the latest step sent.
    if thank_you is None and checkin is None and reminder is None:
        return _thank_you(interview, today, policy)

    sent = [d for d in (thank_you, checkin, reminder) if d is not None]
    last_sent = max(sent)
    # An employer date only counts for the current round: one given before the latest reply has
    # been overtaken by it (SPEC rule 7 uses it only when it is after the reply). A date before
    # the interview cannot be about this interview's decision (a warning says so).
    employer_date = row.reply_expected_by
    if employer_date is not None and (
        employer_date < interview or (reply is not None and employer_date <= reply)
    ):
        employer_date = None

    # 7. Replied: the reply came after everything sent, so the budget starts again from it.
    if reply is not None and reply > last_sent:
        if employer_date is not None:
            proposal = _Proposal(
                Step.CHECK_IN,
                policy.next_business_day(employer_date),
                f"Reply received {on(reply)}; the employer said {on(employer_date)}, so check "
                f"in the next business day: {on(policy.next_business_day(employer_date))}",
            )
        else:
            due = policy.add_business_days(reply, policy.after_reply_days)
            proposal = _Proposal(
                Step.CHECK_IN,
                due,
                f"Reply received {on(reply)} and no later date from the employer, so check in "
                f"{_plural(policy.after_reply_days, 'business day')} later: {on(due)}",
            )
        return _step_decision(proposal, today, policy)

    def in_this_round(day: date | None) -> bool:
        # A step sent before the latest reply belonged to the previous round.
        return day is not None and (reply is None or day >= reply)

    hands_off = row.they_will_contact is True and employer_date is None

    # 8. Check-in: not sent in this round. Something was sent in this round (else rule 7 applied),
    # and it is neither a check-in nor a reminder, so it is the thank-you.
    if not in_this_round(checkin) and not in_this_round(reminder):
        assert thank_you is not None
        if employer_date is not None:
            due = policy.next_business_day(employer_date)
            why = (
                f"Thank-you sent {on(thank_you)}; the employer said {on(employer_date)}, so "
                f"check in the next business day: {on(due)}"
            )
        elif hands_off:
            due = policy.add_business_days(thank_you, policy.hands_off_days)
            why = (
                f"Thank-you sent {on(thank_you)}; they will contact you and gave no date, so "
                f"wait {_plural(policy.hands_off_days, 'business day')} and check in once: "
                f"{on(due)}"
            )
        else:
            due = policy.add_business_days(thank_you, policy.checkin_after_days)
            why = (
                f"Thank-you sent {on(thank_you)}; no date from the employer, so check in "
                f"{_plural(policy.checkin_after_days, 'business day')} later: {on(due)}"
            )
        return _step_decision(_Proposal(Step.CHECK_IN, due, why), today, policy)

    # 9. Reminder: the check-in went unanswered. The tracker records one reminder, so
    # "fewer than max_reminders sent" means none sent this round while max_reminders >= 1.
    # After a hands-off check-in ("they will contact you") no reminder follows (SPEC rule 8).
    reminders_sent = 1 if in_this_round(reminder) else 0
    if (
        checkin is not None
        and in_this_round(checkin)
        and reminders_sent < policy.max_reminders
        and not hands_off
    ):
        due = policy.add_business_days(checkin, policy.reminder_after_days)
        why = (
            f"Check-in sent {on(checkin)} and no reply, so send a reminder "
            f"{_plural(policy.reminder_after_days, 'business day')} later: {on(due)}"
        )
        return _step_decision(_Proposal(Step.REMINDER, due, why), today, policy)

    # 10. Move on: everything allowed was sent and no reply came.
    last_step = (
        "Reminder" if reminder == last_sent else "Check-in" if checkin == last_sent else "Thank-you"
    )
    move_on_from = policy.add_business_days(last_sent, policy.move_on_after_days)
    if today < move_on_from:
        reason = (
            f"{last_step} sent {on(last_sent)}; nothing more to send: if no reply comes by "
            f"{on(move_on_from)} ({_plural(policy.move_on_after_days, 'business day')} later), "
            "move on."
        )
        return Decision(Status.WAITING, None, move_on_from, reason)
    reason = (
        f"{last_step} sent {on(last_sent)} and no reply by {on(move_on_from)} "
        f"({_plural(policy.move_on_after_days, 'business day')} later): move on."
    )
    return Decision(Status.MOVE_ON, None, None, reason)


def _thank_you(interview: date, today: date, policy: Policy) -> Decision:
    """Rule 6: due the evening of the interview; Due within 24 hours, Overdue after."""

    def on(day: date) -> str:
        return format_day(day, today)

    days_late = (today - interview).days
    if days_late > policy.stale_after_days:
        reason = (
            f"Interview {on(interview)} and no thank-you sent; it is {_plural(days_late, 'day')} "
            f"late, more than {policy.stale_after_days}, so move on."
        )
        return Decision(Status.MOVE_ON, None, None, reason)
    if today <= interview + timedelta(days=1):
        reason = (
            f"Interview {on(interview)}: send a thank-you within 24 hours, by "
            f"{on(interview + timedelta(days=1))}."
        )
        return Decision(Status.DUE, Step.THANK_YOU, interview, reason)
    reason = (
        f"Interview {on(interview)} and no thank-you sent: it was due that evening, "
        f"{_plural(days_late, 'day')} late."
    )
    return Decision(Status.OVERDUE, Step.THANK_YOU, interview, reason)


def _step_decision(proposal: _Proposal, today: date, policy: Policy) -> Decision:
    """Waiting before the due date, Due on it, Overdue after it, Move on once stale."""
    days_late = (today - proposal.due).days
    if days_late > policy.stale_after_days:
        reason = (
            f"{proposal.why}, {_plural(days_late, 'day')} late: more than "
            f"{policy.stale_after_days} days, so move on."
        )
        return Decision(Status.MOVE_ON, None, None, reason)
    if days_late > 0:
        reason = f"{proposal.why}, {_plural(days_late, 'day')} late."
        return Decision(Status.OVERDUE, proposal.step, proposal.due, reason)
    if days_late == 0:
        return Decision(Status.DUE, proposal.step, proposal.due, f"{proposal.why}, today.")
    return Decision(Status.WAITING, proposal.step, proposal.due, f"{proposal.why}.")


def _with_warnings(decision: Decision, row: TrackerRow, today: date) -> Decision:
    """Add the non-blocking warnings (SPEC rule 2) to a decision that has a step."""
    if decision.step is None:
        return decision
    warnings: list[RowProblem] = []
    if not (row.contact_email and row.contact_email.strip()):
        header = row.header("contact_email")
        warnings.append(
            RowProblem(
                row.row,
                header,
                "no-contact-email",
                "empty, so the draft has no recipient",
                "warning",
            )
        )
    # Before the interview nothing has been discussed yet, so empty key points are expected.
    if decision.status is not Status.UPCOMING and not (row.key_points and row.key_points.strip()):
        header = row.header("key_points")
        warnings.append(
            RowProblem(
                row.row,
                header,
                "no-key-points",
                "empty: add what was discussed so the draft can be personal",
                "warning",
            )
        )
    expected = row.reply_expected_by
    if expected is not None and row.interview_date is not None and expected < row.interview_date:
        header = row.header("reply_expected_by")
        warnings.append(
            RowProblem(
                row.row,
                header,
                "expected-before-interview",
                f"{format_day(expected, today)} is before the interview, so it was not used",
                "warning",
            )
        )
    if not warnings:
        return decision
    return Decision(
        decision.status,
        decision.step,
        decision.due,
        decision.reason,
        (*decision.problems, *warnings),
    )
