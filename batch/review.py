"""The coach's review page: one self-contained HTML file per run (SPEC section 5).

`write_review_page(entries, path, run_date, templates_dir=None) -> WriteOutcome` renders
`templates/review.html` (replaceable from a templates folder, like the draft templates) with
autoescaping on, and writes it atomically only when it changed. `render_review_page(...)` is the
same without the file. Entries may come from several trackers (a coach with one tracker per
client and one drafts folder gets one page).

The page: counts by status over every row of the run, then every draft grouped by candidate
(each with tracker file and row, company, step, due date, status, reason, problems and the full
email and script text), then the rows that need attention. Inline CSS only: no scripts, no
network, and it prints.

Only rows with a draft or needing attention are listed, so a run passes `ReviewEntry` values for
just those and a `TrackerTally` per tracker for the counts (100,000 entries to count 1,000
drafts cost a few tenths of a second); without tallies every row must be an entry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from batch.drafts import DraftTemplates, RenderedDraft, RowDraftFiles, long_date
from batch.manifest import WriteOutcome, atomic_write, sha256_of
from batch.model import REVIEW_STATUSES, Decision, RowProblem, Status, TrackerRow

REVIEW_TEMPLATE = "review.html"
_STATUS_ORDER = tuple(Status)


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
    """Whether a row appears on the page: it has a draft, or it needs attention."""
    return has_draft or decision.status in REVIEW_STATUSES


def _problems(entry: ReviewEntry) -> list[RowProblem]:
    found = [*entry.row.problems, *entry.decision.problems]
    if entry.draft is not None:
        found += entry.draft.problems
    return list(dict.fromkeys(found))


class _View(dict[str, Any]):
    """A dict whose keys the template can also read as attributes (`d.company`).

    Jinja's `d.company` tries getattr first and only then the key; on a plain dict each of
    those ~28,000 lookups on a 1,000-draft page raised and caught an AttributeError first.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _Links:
    """Links from the page to draft files, relative so the folder can be moved or zipped.

    The drafts of a run share one or two folders, so the relative path is worked out once per
    folder (os.path.relpath per file was a fifth of a 1,000-draft page's time).
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


def _candidate(entry: ReviewEntry) -> str:
    if entry.draft is not None and entry.draft.signer:
        return entry.draft.signer
    if entry.row.candidate:
        return entry.row.candidate.strip()
    return f"(no candidate name: {entry.tracker.name})"


def _draft_view(entry: ReviewEntry, links: _Links, run_date: date) -> dict[str, Any]:
    draft = entry.draft
    assert draft is not None
    row, decision = entry.row, entry.decision
    days_late = 0 if decision.due is None else max(0, (run_date - decision.due).days)
    to = draft.to_name or ""
    if draft.to_email:
        to = f"{to} <{draft.to_email}>" if to else draft.to_email
    files = entry.files
    return _View(
        {
            "tracker": entry.tracker.name,
            "tracker_path": str(entry.tracker),
            "row": row.row,
            "company": row.company or "",
            "role": row.role or "",
            "contact": row.contact_name or "",
            "phone": row.contact_phone or "",
            "step": draft.step.value,
            "status": decision.status.value,
            "overdue": decision.status is Status.OVERDUE,
            "due": decision.due.isoformat() if decision.due else "",
            "days_late": days_late,
            "reason": decision.reason,
            "problems": [p.text for p in _problems(entry)],
            "to": to or "(no address: fill it in before sending)",
            "subject": draft.subject,
            "body": draft.body,
            "script": draft.script,
            "email_file": links.link(files.email.path if files else None),
            "script_file": links.link(files.script.path if files and files.script else None),
            "notes": list(files.notes) if files else [],
        }
    )


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
    groups: dict[str, list[ReviewEntry]] = {}
    for entry in entries:
        if entry.draft is not None:
            groups.setdefault(_candidate(entry), []).append(entry)

    def draft_order(entry: ReviewEntry) -> tuple[int, date, str, int]:
        overdue_first = 0 if entry.decision.status is Status.OVERDUE else 1
        return (overdue_first, entry.decision.due or run_date, str(entry.tracker), entry.row.row)

    links = _Links(page)
    group_views = [
        _View(
            candidate=name,
            drafts=[
                _draft_view(entry, links, run_date) for entry in sorted(members, key=draft_order)
            ],
        )
        for name, members in sorted(groups.items(), key=lambda item: item[0].casefold())
    ]
    attention = [
        _View(
            tracker=entry.tracker.name,
            row=entry.row.row,
            company=entry.row.company or "",
            reason=entry.decision.reason,
            problems=[p.text for p in _problems(entry)],
        )
        for entry in entries
        if entry.decision.status is Status.NEEDS_ATTENTION
    ]
    return {
        "run_date": run_date.isoformat(),
        "run_day": long_date(run_date) + f", {run_date.year}",
        "counts": [(status, count) for status, count in counts.items() if count],
        "total_rows": sum(counts.values()),
        "draft_count": sum(len(group["drafts"]) for group in group_views),
        "trackers": sorted(trackers),
        "groups": group_views,
        "attention": attention,
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
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    if existed and sha256_of(path.read_bytes()) == sha256_of(content):
        return WriteOutcome(path, path.name, "unchanged")
    atomic_write(path, content)
    return WriteOutcome(path, path.name, "updated" if existed else "written")
