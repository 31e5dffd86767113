"""The follow-up rules (SPEC section 4): which step a row needs next, when, and why.

`decide(row, today, policy)` is pure: no I/O, no clock, no globals. The rules are tried in
SPEC's order and the first that applies wins. Every due date a user sees comes from here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from batch.model import Decision, OutcomeClass, RowProblem, Status, Step, TrackerRow, counted
from batch.outcomes import OutcomeReading
from batch.policy import Policy

_PAUSED = OutcomeClass.PAUSED
_IN_PROGRESS = OutcomeClass.IN_PROGRESS

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

    reading = policy.outcomes.read(row.outcome)
    outcome_class = reading.outcome_class
    if reading.closes:
        return _closed(row.header("outcome"), row.outcome or "", reading)

    if row.interview_date is None:
        header = row.header("interview_date")
        decision = Decision(
            Status.NO_INTERVIEW,
            None,
            None,
            f"No interview date yet: fill in {header} once the interview is booked.",
        )
        if _says_interviewed(row):
            outcome = (row.outcome or "").strip()
            said = f'{row.header("outcome")} says "{outcome}"'
            problem = RowProblem(
                row.row, header, "no-interview-date", f"empty, but {said}: add the interview date"
            )
            reason = f"Needs attention: add the interview date ({said})."
            decision = Decision(Status.NEEDS_ATTENTION, None, None, reason, (problem,))
    else:
        paused = outcome_class is _PAUSED
        decision = _with_warnings(
            _follow_up(row, row.interview_date, today, policy, paused), row, today
        )
        decision = _with_plan(decision, row, today)
    if outcome_class is not _IN_PROGRESS:
        decision = replace(decision, outcome=outcome_class)
    return decision


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
    return replace(decision, reason=reason)


# Remembered: a tracker repeats the same few outcomes on thousands of closed rows, and a
# Decision is immutable, so those rows can share one.
@lru_cache(maxsize=4096)
def _closed(header: str, outcome: str, reading: OutcomeReading) -> Decision:
    """A closed row's decision: 'Closed (rejected): Outcome says "Not hired - went internal"
    ("Not hired"), so no follow-up.'"""
    outcome_class = reading.outcome_class
    label = "Closed" if outcome_class is OutcomeClass.CLOSED else f"Closed ({outcome_class})"
    outcome = " ".join(outcome.split())
    decided_by = "" if reading.words.casefold() == outcome.casefold() else f' ("{reading.words}")'
    reason = f'{label}: {header} says "{outcome}"{decided_by}, so no follow-up.'
    return Decision(Status.CLOSED, None, None, reason, outcome=outcome_class)


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


class _Proposal(NamedTuple):
    """A step and its due date, with the sentence that explains the date (a NamedTuple: most
    open rows make one, and some a moved copy)."""

    step: Step
    due: date
    why: str  # "Thank-you sent Thu 12 Nov; ... : Thu 19 Nov" (no final punctuation)
    employer_date: date | None = None  # the employer's date in force, for the drafts
    reply_date: date | None = None  # the reply this step follows, for the drafts


def _employer_date_in_force(row: TrackerRow, interview: date) -> date | None:
    """The employer's date, unless a later reply overtook it or it predates the interview.

    A date given before (or on the day of) the latest reply was answered by that reply (SPEC
    rule 7 uses only a date after it); a date before the interview cannot be about this
    interview's decision (a warning says so).
    """
    employer_date = row.reply_expected_by
    reply = row.reply_date
    if employer_date is None or employer_date < interview:
        return None
    if reply is not None and employer_date <= reply:
        return None
    return employer_date


def _follow_up(
    row: TrackerRow, interview: date, today: date, policy: Policy, paused: bool
) -> Decision:
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
    employer_date = _employer_date_in_force(row, interview)
    sent = [d for d in (thank_you, checkin, reminder) if d is not None]

    if paused:
        return _paused(row, interview, sent, employer_date, today, policy)

    # 6. Thank-you: only when nothing was sent yet. A later step recorded without a thank-you
    # means the job seeker moved on past it; the rules carry on from the latest step sent.
    if not sent:
        return _thank_you(interview, employer_date, today, policy)
    last_sent = max(sent)

    # 7. Replied. A reply dated the day of the last step counts as after it: the tracker has no
    # times, and a reply before the step would have stopped it being sent. A reply before the
    # thank-you answered nothing the candidate sent, so it does not change the sequence.
    if reply is not None and (thank_you is None or reply >= thank_you):
        return _after_reply(reply, last_sent, checkin, reminder, employer_date, today, policy)

    hands_off = row.they_will_contact is True

    # 8. Check-in: only the thank-you was sent.
    if checkin is None and reminder is None:
        assert thank_you is not None
        waited = 0  # business days from the thank-you (the last message) to the due date
        if employer_date is not None and employer_date >= thank_you:
            due = policy.next_business_day(employer_date)
            will_contact = " and will contact you" if hands_off else ""
            once = " once" if hands_off else ""
            why = (
                f"Thank-you sent {on(thank_you)}; the employer said {on(employer_date)}"
                f"{will_contact}, so check in{once} the next business day: {on(due)}"
            )
        elif employer_date is not None:
            # The employer's date went by before the thank-you did: the thank-you was the
            # first message, so the wait starts from it rather than from a date long gone.
            waited = policy.hands_off_days if hands_off else policy.checkin_after_days
            due = policy.add_business_days(thank_you, waited)
            why = (
                f"Thank-you sent {on(thank_you)}, after the employer's date "
                f"({on(employer_date)}), so check in {counted(waited, 'business day')} after "
                f"it: {on(due)}"
            )
        elif hands_off:
            waited = policy.hands_off_days
            due = policy.add_business_days(thank_you, waited)
            why = (
                f"Thank-you sent {on(thank_you)}; they will contact you and gave no date, so "
                f"wait {counted(policy.hands_off_days, 'business day')} and check in once: "
                f"{on(due)}"
            )
        else:
            waited = policy.checkin_after_days
            due = policy.add_business_days(thank_you, waited)
            why = (
                f"Thank-you sent {on(thank_you)}; no date from the employer, so check in "
                f"{counted(policy.checkin_after_days, 'business day')} later: {on(due)}"
            )
        proposal = _Proposal(Step.CHECK_IN, due, why, employer_date)
        return _step_decision(_bounded(proposal, last_sent, today, policy, waited), today, policy)

    # 9. Reminder: the check-in went unanswered. The tracker records one reminder, so
    # "fewer than max_reminders sent" means none sent while max_reminders >= 1. After a
    # "they will contact you" check-in no reminder follows (SPEC rule 8), date or no date.
    if checkin is not None and reminder is None and policy.max_reminders > 0 and not hands_off:
        due = policy.add_business_days(checkin, policy.reminder_after_days)
        why = (
            f"Check-in sent {on(checkin)} and no reply, so send a reminder "
            f"{counted(policy.reminder_after_days, 'business day')} later: {on(due)}"
        )
        proposal = _Proposal(Step.REMINDER, due, why, employer_date)
        waited = policy.reminder_after_days if checkin == last_sent else 0
        return _step_decision(_bounded(proposal, last_sent, today, policy, waited), today, policy)

    # 10. Move on: everything allowed was sent and no reply came.
    last_step = (
        "Reminder" if reminder == last_sent else "Check-in" if checkin == last_sent else "Thank-you"
    )
    return _move_on(f"{last_step} sent {on(last_sent)}", last_sent, employer_date, today, policy)


def _move_on(
    what: str, last_sent: date, employer_date: date | None, today: date, policy: Policy
) -> Decision:
    """Waiting until `move_on_after_days` after the last step (and after the employer's
    date, when one is still to come), then Move on."""

    def on(day: date) -> str:
        return format_day(day, today)

    move_on_from = policy.add_business_days(last_sent, policy.move_on_after_days)
    if employer_date is not None and policy.next_business_day(employer_date) > move_on_from:
        move_on_from = policy.next_business_day(employer_date)
        after = f"the business day after the employer's date ({on(employer_date)})"
    else:
        after = f"{counted(policy.move_on_after_days, 'business day')} later"
    if today < move_on_from:
        reason = (
            f"{what}; nothing more to send: if no reply comes by {on(move_on_from)} "
            f"({after}), move on."
        )
        return Decision(Status.WAITING, None, move_on_from, reason, employer_date=employer_date)
    reason = f"{what} and no reply by {on(move_on_from)} ({after}): move on."
    return Decision(Status.MOVE_ON, None, None, reason, employer_date=employer_date)


def _after_reply(
    reply: date,
    last_sent: date,
    checkin: date | None,
    reminder: date | None,
    employer_date: date | None,
    today: date,
    policy: Policy,
) -> Decision:
    """After their reply the budget does not start again: one check-in, no reminder, move on.

    A reply such as "still deciding" asks the candidate to wait for their update; a new
    check-in and reminder on top would make four or five messages.
    """

    def on(day: date) -> str:
        return format_day(day, today)

    since = [day for day in (checkin, reminder) if day is not None and day > reply]
    if since:
        return _move_on(
            f"Reply received {on(reply)} and a check-in sent {on(max(since))}; waiting for "
            "their update",
            max(since),
            employer_date,
            today,
            policy,
        )
    if employer_date is not None:
        due = policy.next_business_day(employer_date)
        why = (
            f"Reply received {on(reply)}: wait for their update; the employer said "
            f"{on(employer_date)}, so check in once the next business day: {on(due)}"
        )
    else:
        due = policy.add_business_days(reply, policy.after_reply_days)
        why = (
            f"Reply received {on(reply)}: wait for their update, and check in once if none "
            f"comes within {counted(policy.after_reply_days, 'business day')}: {on(due)}"
        )
    proposal = _Proposal(Step.CHECK_IN, due, why, employer_date, reply)
    # Everything sent is on or before the reply, so a wait counted from it is as long after.
    waited = 0 if employer_date is not None else policy.after_reply_days
    return _step_decision(_bounded(proposal, last_sent, today, policy, waited), today, policy)


def _paused(
    row: TrackerRow,
    interview: date,
    sent: list[date],
    employer_date: date | None,
    today: date,
    policy: Policy,
) -> Decision:
    """On hold, hiring freeze: no thank-you or reminder, one gentle check-in after a while."""

    def on(day: date) -> str:
        return format_day(day, today)

    outcome = " ".join((row.outcome or "").split())
    said = f'{row.header("outcome")} says "{outcome}"'
    follow_ups = [day for day in (row.checkin_sent, row.reminder_sent) if day is not None]
    latest = max([interview, *sent, *([row.reply_date] if row.reply_date else [])])
    if follow_ups and max(follow_ups) == latest:
        return _move_on(
            f"{said}; check-in sent {on(latest)}, so nothing more to send while it is paused",
            latest,
            employer_date,
            today,
            policy,
        )
    due = policy.add_business_days(latest, policy.hands_off_days)
    why = (
        f"{said}: no thank-you or reminder while it is paused, one gentle check-in "
        f"{counted(policy.hands_off_days, 'business day')} after the latest date "
        f"({on(latest)}): {on(due)}"
    )
    proposal = _Proposal(Step.CHECK_IN, due, why, employer_date)
    last_sent = max(sent) if sent else None
    waited = policy.hands_off_days  # from the latest date, which no message sent is after
    return _step_decision(_bounded(proposal, last_sent, today, policy, waited), today, policy)


def _bounded(
    proposal: _Proposal, last_sent: date | None, today: date, policy: Policy, waited: int = 0
) -> _Proposal:
    """No step before the business day after the employer's date, nor within `min_gap_days`
    business days of the last message sent; a step moved so is due on the new day, not late.

    `waited` is how many business days after the last message the due date is known to be
    (0 when not known): the gap needs no calendar look-up when the wait already covers it.
    """
    due, why = proposal.due, proposal.why
    employer_date = proposal.employer_date
    if employer_date is None and (last_sent is None or waited >= policy.min_gap_days):
        return proposal
    if employer_date is not None:
        earliest = policy.next_business_day(employer_date)
        if earliest > due:
            due = earliest
            why = (
                f"{why}, but the employer said {format_day(employer_date, today)}, so not "
                f"before {format_day(earliest, today)}"
            )
    if last_sent is not None and waited < policy.min_gap_days:
        earliest = policy.add_business_days(last_sent, policy.min_gap_days)
        if earliest > due:
            due = earliest
            why = (
                f"{why}; {counted(policy.min_gap_days, 'business day')} after the last message "
                f"({format_day(last_sent, today)}): {format_day(earliest, today)}"
            )
    if due == proposal.due:
        return proposal
    return proposal._replace(due=due, why=why)


def _thank_you(
    interview: date, employer_date: date | None, today: date, policy: Policy
) -> Decision:
    """Rule 6: due the evening of the interview; Due within 24 hours, Overdue after.

    More than `thank_you_grace_days` business days late, a thank-you alone would read as if
    the interview were yesterday: the step becomes one message that thanks them and checks in,
    once the employer's date (if any) has passed.
    """

    def on(day: date) -> str:
        return format_day(day, today)

    days_late = (today - interview).days
    # Business days are fewer than calendar days: within the grace in calendar days, the
    # business-day count need not be looked up.
    late = days_late > policy.thank_you_grace_days
    grace_end = policy.add_business_days(interview, policy.thank_you_grace_days) if late else today
    employer_ahead = employer_date is not None and policy.next_business_day(employer_date) > today
    if today > grace_end and not employer_ahead:
        due = policy.next_business_day(grace_end)
        why = (
            f"Interview {on(interview)} and no thank-you sent; more than "
            f"{counted(policy.thank_you_grace_days, 'business day')} later, so thank them and "
            f"check in in one message: {on(due)}"
        )
        if employer_date is not None and policy.next_business_day(employer_date) > due:
            due = policy.next_business_day(employer_date)
            why = (
                f"Interview {on(interview)} and no thank-you sent; the employer said "
                f"{on(employer_date)}, so thank them and check in in one message the next "
                f"business day: {on(due)}"
            )
        proposal = _Proposal(Step.THANK_YOU_AND_CHECK_IN, due, why, employer_date)
        return _step_decision(proposal, today, policy)
    if days_late > policy.stale_after_days:
        reason = (
            f"Interview {on(interview)} and no thank-you sent; it is {counted(days_late, 'day')} "
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
        f"{counted(days_late, 'day')} late."
    )
    return Decision(Status.OVERDUE, Step.THANK_YOU, interview, reason)


def _step_decision(proposal: _Proposal, today: date, policy: Policy) -> Decision:
    """Waiting before the due date, Due on it, Overdue after it, Move on once stale."""
    days_late = (today - proposal.due).days
    step: Step | None = proposal.step
    due: date | None = proposal.due
    if days_late > policy.stale_after_days:
        status, step, due = Status.MOVE_ON, None, None
        reason = (
            f"{proposal.why}, {counted(days_late, 'day')} late: more than "
            f"{policy.stale_after_days} days, so move on."
        )
    elif days_late > 0:
        status, reason = Status.OVERDUE, f"{proposal.why}, {counted(days_late, 'day')} late."
    elif days_late == 0:
        status, reason = Status.DUE, f"{proposal.why}, today."
    else:
        status, reason = Status.WAITING, f"{proposal.why}."
    employer_date = proposal.employer_date
    passed = employer_date is not None and employer_date < today
    return Decision(status, step, due, reason, (), employer_date, passed, proposal.reply_date)


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
