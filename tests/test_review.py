"""The review page: summary, drafts grouped by candidate across trackers, escaping, no scripts."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from drafts_helpers import RUN_DATE, make_decision, make_request, make_row

from batch.drafts import DraftTemplateError, render_drafts, write_drafts
from batch.model import Decision, RowProblem, Sender, Status, Step
from batch.review import (
    ReviewEntry,
    TrackerTally,
    listed,
    render_review_page,
    write_review_page,
)


def _entries(tmp_path: Path, write: bool = False) -> list[ReviewEntry]:
    """Two clients, each with a tracker: drafts for both, plus rows that get no draft."""
    requests = [
        make_request(
            row=make_row(row=5, company="Zeta Labs"),
            decision=make_decision(step=Step.THANK_YOU, status=Status.DUE),
            sender=Sender(name="Bea Client", email="bea@example.com"),
            tracker=tmp_path / "bea" / "tracker.xlsx",
        ),
        make_request(
            row=make_row(row=9, company="Acme <b>Corp</b> & Co", contact_name='O\'Brien "Pat"'),
            decision=make_decision(status=Status.OVERDUE),
            sender=Sender(name="Bea Client"),
            tracker=tmp_path / "bea" / "tracker.xlsx",
        ),
        make_request(
            row=make_row(row=4, company="Globex", key_points="<script>alert(1)</script>"),
            decision=make_decision(step=Step.REMINDER, status=Status.DUE),
            sender=Sender(name="Al Client", phone="+1 555 0111"),
            tracker=tmp_path / "al" / "jobs.xlsx",
        ),
    ]
    drafts = render_drafts(requests)
    files = write_drafts(drafts, tmp_path / "drafts", RUN_DATE) if write else None
    entries = [
        ReviewEntry(
            d.tracker,
            d.request.row,
            d.request.decision,
            d,
            files.for_row(d.tracker, d.row) if files else None,
        )
        for d in drafts
    ]
    entries.append(
        ReviewEntry(
            tmp_path / "al" / "jobs.xlsx",
            make_row(row=6, company="Initech"),
            make_decision(step=Step.CHECK_IN, status=Status.WAITING),
        )
    )
    entries.append(
        ReviewEntry(
            tmp_path / "al" / "jobs.xlsx",
            make_row(row=7, company="Hooli <i>"),
            Decision(
                status=Status.NEEDS_ATTENTION,
                step=None,
                due=None,
                reason="Interview Date cannot be read: 31/02/2026.",
                problems=(RowProblem(7, "Interview Date", "bad-date", "Not a date: 31/02/2026"),),
            ),
        )
    )
    return entries


def test_listed_rows_and_tallies_make_the_same_page_as_every_row(tmp_path: Path) -> None:
    """A run passes only the rows the page lists, with counts per tracker: same page."""
    entries = _entries(tmp_path)
    page = tmp_path / "review.html"
    every_row = render_review_page(entries, page, RUN_DATE)
    tallies = []
    for tracker in sorted({entry.tracker for entry in entries}):
        counts = dict.fromkeys(Status, 0)
        for entry in entries:
            if entry.tracker == tracker:
                counts[entry.decision.status] += 1
        tallies.append(TrackerTally(tracker, counts))
    shown = [e for e in entries if listed(e.decision, e.draft is not None)]
    assert len(shown) == len(entries) - 1  # the waiting row without a draft is not listed
    assert render_review_page(shown, page, RUN_DATE, tallies=tallies) == every_row
    # a tracker with nothing to list is still counted and named
    quiet = TrackerTally(tmp_path / "quiet.xlsx", {Status.CLOSED: 4})
    html = render_review_page(shown, page, RUN_DATE, tallies=[*tallies, quiet])
    assert "3 drafts from 9 rows in jobs.xlsx, quiet.xlsx, tracker.xlsx" in _text(html)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_summary_counts_every_row_given(tmp_path: Path) -> None:
    html = render_review_page(_entries(tmp_path), tmp_path / "review.html", RUN_DATE)
    assert "3 drafts from 5 rows in jobs.xlsx, tracker.xlsx" in _text(html)
    counts = re.findall(r'<li class="s-([a-z-]+)"><b>(\d+)</b>([^<]+)</li>', html)
    assert counts == [
        ("due", "2", "Due"),
        ("overdue", "1", "Overdue"),
        ("waiting", "1", "Waiting"),
        ("needs-attention", "1", "Needs attention"),
    ]


def test_drafts_are_grouped_by_candidate_across_trackers(tmp_path: Path) -> None:
    html = render_review_page(_entries(tmp_path), tmp_path / "review.html", RUN_DATE)
    headings = re.findall(r"<h2>(.*?) <span", html)
    assert headings == ["Al Client", "Bea Client"]
    bea = html.split("<h2>Bea Client")[1]
    # overdue first inside a group, and it stands out
    assert bea.index("Check-in: Acme") < bea.index("Thank-you: Zeta Labs")
    assert '<article class="draft overdue">' in bea
    assert "Overdue, 4 days late" in bea
    assert "tracker.xlsx, row 9" in bea and "jobs.xlsx, row 4" in html.split("<h2>Bea")[0]
    # the full texts are there
    assert "Subject: Following up on my Data Analyst interview at Acme" in html
    assert "Voicemail script (call +1 555 0199)" in html
    # rows without drafts are not in the groups; a row needing attention has its own table
    assert "Initech" not in html
    assert "Rows that need attention" in html and "Not a date: 31/02/2026" in html


def test_everything_is_escaped_and_the_page_is_self_contained(tmp_path: Path) -> None:
    html = render_review_page(_entries(tmp_path), tmp_path / "review.html", RUN_DATE)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Acme &lt;b&gt;Corp&lt;/b&gt; &amp; Co" in html
    assert "Hooli &lt;i&gt;" in html
    assert "O&#39;Brien &#34;Pat&#34;" in html
    collector = _Collector()
    collector.feed(html)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(collector.tags)
    assert not [value for name, value in collector.attrs if name in ("src", "srcset")]
    assert "http://" not in html and "https://" not in html.replace(
        "https://alex.example", ""
    )  # no network fetches
    assert "@media print" in html


def test_links_point_at_the_written_drafts(tmp_path: Path) -> None:
    entries = _entries(tmp_path, write=True)
    page = tmp_path / "drafts" / "2026-11-23" / "review.html"
    html = render_review_page(entries, page, RUN_DATE)
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(not h.startswith(("/", "..")) for h in hrefs)
    for href in hrefs:
        assert (page.parent / href).is_file()


def test_write_review_page_is_atomic_and_skips_unchanged(tmp_path: Path) -> None:
    page = tmp_path / "out" / "review.html"
    entries = _entries(tmp_path)
    assert write_review_page(entries, page, RUN_DATE).action == "written"
    os.utime(page, (1_000_000_000, 1_000_000_000))
    assert write_review_page(entries, page, RUN_DATE).action == "unchanged"
    assert page.stat().st_mtime == 1_000_000_000
    assert write_review_page(entries[:1], page, RUN_DATE).action == "updated"
    assert [p.name for p in page.parent.iterdir()] == ["review.html"]


def test_no_drafts_says_so(tmp_path: Path) -> None:
    html = render_review_page([], tmp_path / "review.html", RUN_DATE)
    assert "No follow-up is due today" in html


def test_review_template_can_be_replaced_and_stays_escaped(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "review.html").write_text(
        "{% for g in groups %}{% for d in g.drafts %}[{{ d.company }}]{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    html = render_review_page(_entries(tmp_path), tmp_path / "r.html", RUN_DATE, templates)
    assert html == "[Globex][Acme &lt;b&gt;Corp&lt;/b&gt; &amp; Co][Zeta Labs]"
    (templates / "review.html").write_text("{{ nope }}", encoding="utf-8")
    with pytest.raises(DraftTemplateError, match=r"review\.html: line 1: 'nope' is undefined"):
        render_review_page([], tmp_path / "r.html", RUN_DATE, templates)
