"""The coach's review page: one self-contained HTML file per run (SPEC section 5).

`write_review_page(entries, path, run_date, templates_dir=None) -> WriteOutcome` renders
`templates/review.html` (replaceable from a templates folder, like the draft templates) with
autoescaping on, and writes it atomically only when it changed. `render_review_page(...)` is the
same without the file. Entries may come from several trackers (a coach with one tracker per
client and one drafts folder gets one page).

The page is built to decide from, in this order:

- an index of every draft (candidate, company, contact, step, how late, links to its card and
  files), then each warning once with the drafts it concerns (two drafts to one contact, gaps,
  over-long drafts...);
- one section per candidate (each starts a new printed page, so a client can be handed their
  own pages): a card per draft with the row's context and the text that will be sent (a draft
  the coach edited is read back from its file and marked "edited"), then the candidate's other
  open rows: interviews in the next 7 days, Waiting with the next date, Move on;
- the rows that need attention, each message once.

Inline CSS only: no scripts, no network, and it prints. A run passes `ReviewEntry` values only
for the rows `listed` picks and a `TrackerTally` per tracker for the counts.
"""

from __future__ import annotations

import heapq
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

from batch.drafts import DraftTemplates, RenderedDraft, RowDraftFiles, long_date
from batch.manifest import WriteOutcome, write_if_changed
from batch.model import REVIEW_STATUSES, Decision, RowProblem, Status, TrackerRow, counted

REVIEW_TEMPLATE = "review.html"
_STATUS_ORDER = tuple(Status)
# Interviews this close are listed on the page (the thank-you is due that evening).
UPCOMING_DAYS = 7
# Rows without a draft listed on one page at most (Waiting, Move on, upcoming, needs
# attention together); a page for a huge tracker names how many more there are instead.
MAX_OTHER_ROWS = 2000
# The statuses of open rows listed without a draft (the others of REVIEW_STATUSES need
# attention).
_OTHER_OPEN = frozenset({Status.UPCOMING, Status.WAITING, Status.MOVE_ON})
# Draft file outcomes whose content is the tool's own text (nothing edited to read back).
_TOOL_TEXT_ACTIONS = frozenset({"written", "updated", "unchanged"})
_SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ReviewEntry:
    """One row of one tracker in this run; `draft` and `files` when drafts were made for it."""

    tracker: Path
    row: TrackerRow
    decision: Decision
    draft: RenderedDraft | None = None
    files: RowDraftFiles | None = None


@dataclass(frozen=True)
class TrackerTally:
    """How many rows of one tracker have each status (the page's counts and row total)."""

    tracker: Path
    counts: Mapping[Status, int]


def listed(decision: Decision, has_draft: bool) -> bool:
    """Whether a row appears on the page: it has a draft, needs attention, or is still open."""
    return has_draft or decision.status in REVIEW_STATUSES


def _problems(entry: ReviewEntry) -> list[RowProblem]:
    found = [*entry.row.problems, *entry.decision.problems]
    if entry.draft is not None:
        found += entry.draft.problems
    return list(dict.fromkeys(found))


def _day(value: date | None, run_date: date) -> str:
    """date(2026, 11, 23) -> "Mon 23 Nov" (with the year when it is not the run's)."""
    if value is None:
        return ""
    text = f"{_SHORT_DAYS[value.weekday()]} {value.day} {_SHORT_MONTHS[value.month - 1]}"
    return text if value.year == run_date.year else f"{text} {value.year}"


class _View(dict[str, Any]):
    """A dict whose keys the template can also read as attributes (`d.company`).

    Jinja's `d.company` tries getattr first and only then the key. The view is its own
    attribute dictionary, so that first try finds the key: a plain dict raises and catches
    an AttributeError first, and a `__getattr__` is only called after Python's own lookup
    has failed.
    """

    def __init__(self, **values: Any) -> None:
        super().__init__(values)
        self.__dict__ = self


class _Links:
    """Links from the page to draft files, relative so the folder can be moved or zipped.

    The drafts of a run share one or two folders, so the relative path is worked out once per
    folder rather than once per file.
    """

    def __init__(self, page: Path) -> None:
        self.page_folder = page.parent
        self._folders: dict[Path, str | None] = {}

    def link(self, target: Path | None) -> dict[str, str] | None:
        if target is None:
            return None
        folder = target.parent
        if folder not in self._folders:
            try:
                self._folders[folder] = Path(os.path.relpath(folder, self.page_folder)).as_posix()
            except ValueError:  # another drive on Windows: no relative path exists
                self._folders[folder] = None
        relative_folder = self._folders[folder]
        if relative_folder is None:
            href = target.as_uri() if target.is_absolute() else target.as_posix()
        elif relative_folder == ".":
            href = target.name
        else:
            href = f"{relative_folder}/{target.name}"
        return _View(name=target.name, href=href)


def _candidate(entry: ReviewEntry, signers: Mapping[Path, str]) -> str:
    """Who the row is for: its Candidate, else who signs that tracker's drafts."""
    if entry.draft is not None and entry.draft.signer:
        return entry.draft.signer
    if entry.row.candidate and entry.row.candidate.strip():
        return " ".join(entry.row.candidate.split())
    return signers.get(entry.tracker) or f"(no candidate name: {entry.tracker.name})"


def _default_signers(entries: Iterable[ReviewEntry]) -> dict[Path, str]:
    """Per tracker, who signs the drafts of rows without a Candidate (the config's sender), so
    a one-person tracker's other rows land in the same section as its drafts."""
    signers: dict[Path, str] = {}
    for entry in entries:
        draft = entry.draft
        if draft is not None and draft.signer and not (entry.row.candidate or "").strip():
            signers.setdefault(entry.tracker, draft.signer)
    return signers


def _anchor_part(text: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in text.casefold()).strip("-")


def _lateness(decision: Decision, run_date: date) -> str:
    """ "Due today", "Overdue by 3 days": how pressing a draft is, in words."""
    due = decision.due
    if decision.status is Status.OVERDUE:
        late = 0 if due is None else (run_date - due).days
        return f"Overdue by {counted(late, 'day')}" if late > 0 else "Overdue"
    return "Due today"  # the rules call a step Due on the days it should go out


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def _context(row: TrackerRow, run_date: date) -> list[tuple[str, str]]:
    """What the row says, in the user's headers: the facts a coach checks a draft against."""
    sent = [
        f"{label} {_day(day, run_date)}"
        for label, day in (
            ("thank-you", row.thank_you_sent),
            ("check-in", row.checkin_sent),
            ("reminder", row.reminder_sent),
        )
        if day is not None
    ]
    facts = [
        (row.header("outcome"), row.outcome or ""),
        (row.header("interview_date"), _day(row.interview_date, run_date)),
        ("Sent so far", ", ".join(sent) if sent else "nothing yet"),
        (row.header("reply_date"), _day(row.reply_date, run_date)),
        (row.header("reply_expected_by"), _day(row.reply_expected_by, run_date)),
        (row.header("they_will_contact"), _yes_no(row.they_will_contact)),
        (row.header("key_points"), row.key_points or ""),
        (row.header("extra_info"), row.extra_info or ""),
    ]
    return [
        (label, " ".join(value.split()) if "\n" not in value else value.strip())
        for label, value in facts
        if value
    ]


def _recipient(draft: RenderedDraft) -> str:
    to = draft.to_name or ""
    if draft.to_email:
        to = f"{to} <{draft.to_email}>" if to else draft.to_email
    return to or "(no address: fill it in before sending)"


def _read_email(path: Path) -> tuple[str, str, str] | None:
    """To, Subject and plain-text body of an .eml on disk; None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            message = BytesParser(policy=email_policy.default).parse(handle)
        part = message.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
    except (OSError, LookupError, ValueError):
        return None
    body = body.replace("\r\n", "\n").rstrip("\n")
    return str(message.get("To", "")), str(message.get("Subject", "")), body


def _email_versions(entry: ReviewEntry, links: _Links) -> list[_View]:
    """The email text(s) to show: the one that will be sent, and a new version beside it.

    A draft file the coach edited is read back, so the page shows what will really go out.
    """
    draft = entry.draft
    assert draft is not None
    files = entry.files
    tool = (_recipient(draft), draft.subject, draft.body.rstrip("\n"))
    if files is None or (files.email.kept is None and files.email.action in _TOOL_TEXT_ACTIONS):
        path = files.email.path if files else None
        return [_View(label="", edited=False, sent=True, file=links.link(path), text=tool)]
    sent_path = files.draft_path
    versions = []
    for path in dict.fromkeys(p for p in (files.email.kept, files.email.path) if p is not None):
        found = _read_email(path)
        text = tool if found is None else found
        edited = found is not None and (found[1], found[2]) != (tool[1], tool[2])
        sent = path == sent_path
        if sent:
            label = "Will be sent (edited)" if edited else "Will be sent"
        else:
            label = "Edited earlier (kept)" if edited else "New version from today's row"
        versions.append(
            _View(label=label, edited=edited, sent=sent, file=links.link(path), text=text)
        )
    versions.sort(key=lambda version: not version["sent"])  # the one to send first
    return versions


def _contact_key(draft: RenderedDraft) -> str | None:
    """Who a draft goes to: the email address, else the contact's name at the company."""
    if draft.to_email:
        return draft.to_email.casefold()
    name = draft.request.row.contact_name
    if name and name.strip():
        return f"{' '.join(name.split()).casefold()} at {draft.company.strip().casefold()}"
    return None


@dataclass
class _PageParts:
    index: list[_View]
    warnings: list[_View]
    groups: list[_View]
    attention: list[_View]
    not_listed: dict[str, int]


class _PageBuilder:
    """Turns a run's entries into the template's views, one small step per part of the page."""

    def __init__(self, entries: Sequence[ReviewEntry], page: Path, run_date: date) -> None:
        self.entries = entries
        self.run_date = run_date
        self.links = _Links(page)
        self.signers = _default_signers(entries)
        self.upcoming_until = run_date + timedelta(days=UPCOMING_DAYS)

    def build(self) -> _PageParts:
        by_candidate: dict[str, list[ReviewEntry]] = {}
        attention: list[ReviewEntry] = []
        others: list[ReviewEntry] = []
        for entry in self.entries:
            if entry.draft is not None:
                by_candidate.setdefault(_candidate(entry, self.signers), []).append(entry)
            elif entry.decision.status is Status.NEEDS_ATTENTION:
                attention.append(entry)
            elif self._other_open(entry):
                others.append(entry)
        # The first rows in date order are listed; the others are only counted, so they need
        # not be sorted.
        budget = MAX_OTHER_ROWS
        listed_others = heapq.nsmallest(
            max(0, budget - len(attention)), others, key=self._other_order
        )
        not_listed = Counter(entry.decision.status for entry in attention[budget:])
        not_listed.update(entry.decision.status for entry in others)
        not_listed.subtract(entry.decision.status for entry in listed_others)
        attention, others = attention[:budget], listed_others
        other_by_candidate: dict[str, list[ReviewEntry]] = {}
        for entry in others:
            other_by_candidate.setdefault(_candidate(entry, self.signers), []).append(entry)
        names = sorted({*by_candidate, *other_by_candidate}, key=str.casefold)
        index: list[_View] = []
        groups = []
        for number, name in enumerate(names, start=1):
            anchor = f"c{number}-{_anchor_part(name)}"
            drafts = sorted(by_candidate.get(name, []), key=self._draft_order)
            cards = [self._card(entry, name, f"{anchor}-{n}") for n, entry in enumerate(drafts, 1)]
            index += cards
            groups.append(self._group(name, anchor, cards, other_by_candidate.get(name, [])))
        index.sort(key=lambda card: (not card["overdue"], card["due_sort"], card["candidate"]))
        warnings = self._warnings(index)
        counts = {status.value: count for status, count in not_listed.items() if count}
        return _PageParts(index, warnings, groups, self._attention(attention), counts)

    def _other_open(self, entry: ReviewEntry) -> bool:
        decision = entry.decision
        if decision.status is Status.UPCOMING:
            return decision.due is not None and decision.due <= self.upcoming_until
        return decision.status in _OTHER_OPEN

    def _draft_order(self, entry: ReviewEntry) -> tuple[int, date, str, int]:
        overdue_first = 0 if entry.decision.status is Status.OVERDUE else 1
        due = entry.decision.due or self.run_date
        return (overdue_first, due, str(entry.tracker), entry.row.row)

    def _other_order(self, entry: ReviewEntry) -> tuple[date, str, int]:
        return (entry.decision.due or date.max, str(entry.tracker), entry.row.row)

    def _card(self, entry: ReviewEntry, candidate: str, anchor: str) -> _View:
        draft = entry.draft
        assert draft is not None
        row, decision = entry.row, entry.decision
        files = entry.files
        versions = _email_versions(entry, self.links)
        return _View(
            anchor=anchor,
            candidate=candidate,
            tracker=entry.tracker.name,
            tracker_path=str(entry.tracker),
            row=row.row,
            company=row.company or "",
            role=row.role or "",
            contact=row.contact_name or draft.to_email or "",
            contact_key=_contact_key(draft),
            phone=row.contact_phone or "",
            step=draft.step.value,
            status=decision.status.value,
            overdue=decision.status is Status.OVERDUE,
            due=_day(decision.due, self.run_date),
            due_sort=decision.due or self.run_date,
            when=_lateness(decision, self.run_date),
            reason=decision.reason,
            context=[
                _View(label=label, value=value) for label, value in _context(row, self.run_date)
            ],
            all_problems=[p.text for p in _problems(entry)],
            problems=[],  # the warnings about this draft (each is shown once, at the top)
            versions=versions,
            edited=any(v["edited"] and v["sent"] for v in versions),
            # the tool's text, for templates written before edited drafts were shown
            to=versions[0]["text"][0],
            subject=versions[0]["text"][1],
            body=versions[0]["text"][2],
            script=draft.script,
            email_file=links_first(versions),
            script_file=self.links.link(files.script.path if files and files.script else None),
            notes=list(files.notes) if files else [],
        )

    def _group(
        self, name: str, anchor: str, cards: list[_View], others: list[ReviewEntry]
    ) -> _View:
        upcoming, waiting, move_on = [], [], []
        for entry in others:
            row, decision = entry.row, entry.decision
            view = _View(
                tracker=entry.tracker.name,
                row=row.row,
                company=row.company or "(no company)",
                role=row.role or "",
                contact=row.contact_name or row.contact_email or "",
                step=decision.step.value if decision.step else "",
                date=_day(decision.due, self.run_date),
                interview=_day(row.interview_date, self.run_date),
                reason=decision.reason,
            )
            if decision.status is Status.UPCOMING:
                upcoming.append(view)
            elif decision.status is Status.WAITING:
                waiting.append(view)
            else:
                move_on.append(view)
        named = not name.startswith("(")
        return _View(
            candidate=name,
            anchor=anchor,
            first_name=name.split()[0] if named else "",
            drafts=cards,
            upcoming=upcoming,
            waiting=waiting,
            move_on=move_on,
        )

    def _warnings(self, cards: list[_View]) -> list[_View]:
        """Each warning once, with the drafts it concerns; each card learns which are its own."""
        concerned: dict[str, list[_View]] = {}
        for card in cards:
            for text in card["all_problems"]:
                concerned.setdefault(text, []).append(card)
        by_contact: dict[str, list[_View]] = {}
        for card in cards:
            if card["contact_key"]:
                by_contact.setdefault(card["contact_key"], []).append(card)
        warnings = []
        for key, same in by_contact.items():
            if len(same) > 1:
                who = same[0]["contact"] or key
                text = f"{counted(len(same), 'draft')} to the same contact ({who}): send one"
                warnings.append(_View(text=text, drafts=same))
                for card in same:
                    card["problems"].append(text)
        for text, same in concerned.items():
            warnings.append(_View(text=text, drafts=same))
            for card in same:
                card["problems"].append(text)
        return warnings

    def _attention(self, entries: list[ReviewEntry]) -> list[_View]:
        views = []
        for entry in entries:
            messages = [p.text for p in _problems(entry)] or [entry.decision.reason]
            views.append(
                _View(
                    tracker=entry.tracker.name,
                    row=entry.row.row,
                    company=entry.row.company or "",
                    candidate=_candidate(entry, self.signers),
                    reason=entry.decision.reason,
                    problems=list(dict.fromkeys(messages)),
                )
            )
        return views


def links_first(versions: list[_View]) -> dict[str, str] | None:
    """The file of the version that will be sent (listed first)."""
    return cast("dict[str, str] | None", versions[0]["file"]) if versions else None


def build_review_context(
    entries: Sequence[ReviewEntry],
    page: Path,
    run_date: date,
    tallies: Sequence[TrackerTally] | None = None,
) -> dict[str, Any]:
    """The values the review template gets.

    The counts come from `tallies` when given, else from `entries` (then every row).
    """
    counts = {status.value: 0 for status in _STATUS_ORDER}
    trackers = {entry.tracker.name for entry in entries}
    if tallies is None:
        for entry in entries:
            counts[entry.decision.status.value] += 1
    else:
        for tally in tallies:
            trackers.add(tally.tracker.name)
            for status, count in tally.counts.items():
                counts[status.value] += count
    parts = _PageBuilder(entries, page, run_date).build()
    return {
        "run_date": run_date.isoformat(),
        "run_day": long_date(run_date) + f", {run_date.year}",
        "counts": [(status, count) for status, count in counts.items() if count],
        "total_rows": sum(counts.values()),
        "draft_count": len(parts.index),
        "trackers": sorted(trackers),
        "index": parts.index,
        "warnings": parts.warnings,
        "groups": parts.groups,
        "attention": parts.attention,
        "not_listed": sorted(parts.not_listed.items()),
    }


def render_review_page(
    entries: Sequence[ReviewEntry],
    page: Path,
    run_date: date,
    templates_dir: Path | None = None,
    tallies: Sequence[TrackerTally] | None = None,
) -> str:
    """The review page's HTML (`page` is where it will be saved, for the links to drafts)."""
    templates = DraftTemplates(templates_dir)
    context = build_review_context(entries, page, run_date, tallies)
    return templates.render(REVIEW_TEMPLATE, context)


def write_review_page(
    entries: Sequence[ReviewEntry],
    path: Path,
    run_date: date,
    templates_dir: Path | None = None,
    tallies: Sequence[TrackerTally] | None = None,
) -> WriteOutcome:
    """Write the review page atomically; an unchanged page is left alone."""
    content = render_review_page(entries, path, run_date, templates_dir, tallies).encode("utf-8")
    return write_if_changed(path, content)
