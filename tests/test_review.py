"""The review page: summary, drafts grouped by candidate across trackers, escaping, no scripts."""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from drafts_helpers import RUN_DATE, make_decision, make_request, make_row

from batch import review
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
            make_row(row=8, company="Umbrella"),
            make_decision(step=None, status=Status.CLOSED, due=None),
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
    assert len(shown) == len(entries) - 1  # the closed row is not listed
    assert render_review_page(shown, page, RUN_DATE, tallies=tallies) == every_row
    # a tracker with nothing to list is still counted and named
    quiet = TrackerTally(tmp_path / "quiet.xlsx", {Status.CLOSED: 4})
    html = render_review_page(shown, page, RUN_DATE, tallies=[*tallies, quiet])
    assert "3 drafts from 10 rows in jobs.xlsx, quiet.xlsx, tracker.xlsx" in _text(html)


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
    assert "3 drafts from 6 rows in jobs.xlsx, tracker.xlsx" in _text(html)
    counts = re.findall(r'<li class="s-([a-z-]+)"><b>(\d+)</b>([^<]+)</li>', html)
    assert counts == [
        ("due", "2", "Due"),
        ("overdue", "1", "Overdue"),
        ("waiting", "1", "Waiting"),
        ("closed", "1", "Closed"),
        ("needs-attention", "1", "Needs attention"),
    ]


def test_drafts_are_grouped_by_candidate_across_trackers(tmp_path: Path) -> None:
    html = render_review_page(_entries(tmp_path), tmp_path / "review.html", RUN_DATE)
    assert re.findall(r'<h2 id="c\d+-[a-z-]+-h">([^<]*) <span', html) == ["Al Client", "Bea Client"]
    bea = html.split(">Bea Client <span")[1]
    # overdue first inside a group, and it stands out
    assert bea.index("Check-in: Acme") < bea.index("Thank-you: Zeta Labs")
    assert '<article class="draft overdue"' in bea
    assert "Overdue by 4 days" in bea
    assert "tracker.xlsx, row 9" in bea and "jobs.xlsx, row 4" in html.split(">Bea Client <")[0]
    # the full texts are there
    assert "Subject: Following up on my Data Analyst interview at Acme" in html
    assert "Voicemail script (call +1 555 0199)" in html
    # a row without a draft is listed under its candidate (the tracker's signer), not counted
    al = html.split(">Al Client <span")[1].split(">Bea Client <")[0]
    assert "<caption>Waiting</caption>" in al and "Initech" in al
    assert "Umbrella" not in html  # closed rows are not listed
    assert "Rows that need attention" in html and "Not a date: 31/02/2026" in html


def _sections(html: str) -> dict[str, str]:
    """The page's candidate sections by heading text."""
    found = {}
    for part in html.split('<section class="candidate"')[1:]:
        heading = re.search(r"<h2[^>]*>([^<]*)", part)
        assert heading
        found[heading[1].strip()] = part
    return found


def test_the_index_lists_every_draft_with_links_to_its_card_and_files(tmp_path: Path) -> None:
    entries = _entries(tmp_path, write=True)
    page = tmp_path / "drafts" / "2026-11-23" / "review.html"
    html = render_review_page(entries, page, RUN_DATE)
    index = html.split('<h2 id="index-heading">')[1].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\".*?</tr>", index)
    assert len(rows) == 3
    texts = [_text(row).strip() for row in rows]
    assert texts[0].startswith("Bea Client Acme")
    assert "Overdue by 4 days" in texts[0]  # overdue first
    assert all("Due today" in text for text in texts[1:])
    for row in rows:
        card, *files = re.findall(r'href="([^"]+)"', row)
        assert card.startswith("#") and f'id="{card[1:]}"' in html
        assert files and all((page.parent / f).is_file() for f in files)


def test_each_warning_is_listed_once_with_the_drafts_it_concerns(tmp_path: Path) -> None:
    shared = RowProblem(0, "", "no-sender-email", "[sender] has no email: set it in followup.toml")
    entries = []
    for number, company in ((3, "Northgate"), (4, "Westpark")):
        request = make_request(
            row=make_row(row=number, company=company, contact_email="pat@recruit.example"),
            decision=make_decision(status=Status.DUE, due=RUN_DATE),
        )
        (draft,) = render_drafts([request])
        draft = replace(draft, problems=(*draft.problems, shared))
        entries.append(ReviewEntry(request.tracker, request.row, request.decision, draft))
    html = render_review_page(entries, tmp_path / "review.html", RUN_DATE)
    warnings = html.split('id="warnings-heading"')[1].split("</ul>")[0]
    assert html.count("[sender] has no email") == 1
    assert "2 drafts to the same contact (Jane Doe): send one" in warnings
    line = next(li for li in warnings.split("<li>") if "[sender] has no email" in li)
    assert "Northgate" in line and "Westpark" in line
    # each card points at the list instead of repeating it
    assert html.count("2 warnings are about this draft") == 2


def test_a_card_shows_the_row_context_in_the_users_headers(tmp_path: Path) -> None:
    row = make_row(
        row=5,
        outcome="Ghosted",
        checkin_sent=RUN_DATE - timedelta(days=7),
        reply_date=RUN_DATE - timedelta(days=2),
        reply_expected_by=RUN_DATE - timedelta(days=1),
        they_will_contact=True,
        headers=(("reply_date", "Heard Back"), ("outcome", "Status")),
    )
    request = make_request(row=row, decision=make_decision(step=Step.REMINDER))
    (draft,) = render_drafts([request])
    entry = ReviewEntry(request.tracker, row, request.decision, draft)
    html = render_review_page([entry], tmp_path / "review.html", RUN_DATE)
    facts = dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", html))
    assert facts["Status"] == "Ghosted"
    assert facts["Interview Date"] == "Thu 12 Nov"
    assert facts["Sent so far"] == "thank-you Thu 12 Nov, check-in Mon 16 Nov"
    assert facts["Heard Back"] == "Sat 21 Nov"
    assert facts["Reply Expected By"] == "Sun 22 Nov"
    assert facts["They Will Contact"] == "Yes"
    assert facts["Key Points"] == "the new data platform; how the team measures churn"
    assert facts["Extra Info"] == "a short write-up of my churn model"


def _edited_run(tmp_path: Path) -> tuple[ReviewEntry, Path]:
    """A draft written, then edited by the coach: the file on disk is what will be sent."""
    request = make_request(decision=make_decision(status=Status.DUE, due=RUN_DATE))
    (draft,) = render_drafts([request])
    written = write_drafts([draft], tmp_path / "drafts", RUN_DATE)
    email = written.rows[0].email.path
    email.write_bytes(email.read_bytes().replace(b"I hope you are well. ", b"Hope all is well! "))
    entry = ReviewEntry(request.tracker, request.row, request.decision, draft, written.rows[0])
    return entry, email


def test_an_edited_draft_that_stays_the_draft_is_shown_as_edited(tmp_path: Path) -> None:
    entry, email = _edited_run(tmp_path)
    assert entry.draft is not None
    # The next run with the row unchanged: the edited file is the draft, nothing beside it.
    again = write_drafts([entry.draft], tmp_path / "drafts", RUN_DATE)
    files = again.rows[0]
    assert files.draft_path == email and files.edited
    page = tmp_path / "drafts" / "2026-11-23" / "review.html"
    html = render_review_page([replace(entry, files=files)], page, RUN_DATE)
    assert "Hope all is well! " in html and "I hope you are well." not in html
    assert "Will be sent (edited)" in html and '<span class="badge edited">edited</span>' in html
    assert "Check-in (edited)" in html  # in the index too
    assert "New version" not in html and "Edited earlier" not in html  # one version only


def test_an_edited_draft_with_a_new_version_beside_it_shows_both(tmp_path: Path) -> None:
    entry, email = _edited_run(tmp_path)
    assert entry.draft is not None
    changed = replace(entry.draft, body=entry.draft.body.replace("Best regards", "Kind regards"))
    rewritten = write_drafts([changed], tmp_path / "drafts", RUN_DATE)
    assert rewritten.rows[0].email.kept == email  # the edited file was kept
    page = tmp_path / "drafts" / "2026-11-23" / "review.html"
    html = render_review_page(
        [replace(entry, draft=changed, files=rewritten.rows[0])], page, RUN_DATE
    )
    labels = re.findall(r'<p class="label">([^<·]*)', html)
    assert [label.strip() for label in labels[:2]] == ["Will be sent", "Edited earlier (kept)"]
    assert "Hope all is well! " in html and "Kind regards" in html


def test_other_open_rows_are_listed_not_counted(tmp_path: Path) -> None:
    tracker = tmp_path / "t.xlsx"
    rows = [
        (3, Status.UPCOMING, Step.THANK_YOU, RUN_DATE + timedelta(days=7), "Soon Co"),
        (4, Status.UPCOMING, Step.THANK_YOU, RUN_DATE + timedelta(days=8), "Later Co"),
        (5, Status.WAITING, Step.CHECK_IN, RUN_DATE + timedelta(days=3), "Waitwell"),
        (6, Status.MOVE_ON, None, None, "Northgate"),
    ]
    entries = [
        ReviewEntry(
            tracker,
            make_row(row=number, company=company, candidate="Sam Lee"),
            make_decision(step=step, status=status, due=due),
        )
        for number, status, step, due, company in rows
    ]
    html = render_review_page(entries, tmp_path / "review.html", RUN_DATE)
    sam = _sections(html)["Sam Lee"]
    assert "Soon Co" in sam and "Later Co" not in html  # interviews in the next 7 days only
    assert "Mon 30 Nov: thank-you that evening" in sam
    assert re.search(r"Waitwell</th><td[^>]*>Check-in</td><td[^>]*>Thu 26 Nov</td>", sam)
    assert "Tell Sam to move on from Northgate" in sam
    assert "No follow-up is due today" in html


def test_a_huge_tracker_lists_a_bounded_number_of_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review, "MAX_OTHER_ROWS", 2)
    entries = [
        ReviewEntry(
            tmp_path / "t.xlsx",
            make_row(row=number, company=f"Company {number}"),
            make_decision(status=Status.WAITING, due=RUN_DATE + timedelta(days=number)),
        )
        for number in range(2, 7)
    ]
    html = render_review_page(entries, tmp_path / "review.html", RUN_DATE)
    assert "Company 2" in html and "Company 3" in html and "Company 4" not in html
    assert "Not listed, to keep the page readable: 3 Waiting row(s)" in _text(html)


def test_needs_attention_says_each_message_once(tmp_path: Path) -> None:
    html = render_review_page(_entries(tmp_path), tmp_path / "review.html", RUN_DATE)
    table = html.split('id="attention-heading"')[1]
    assert table.count("31/02/2026") == 1


def test_the_page_is_accessible_and_prints_one_candidate_per_page(tmp_path: Path) -> None:
    html = render_review_page(_entries(tmp_path), tmp_path / "review.html", RUN_DATE)
    assert '<html lang="en">' in html
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    for table in html.split("<table")[1:]:
        head = table.split("</thead>")[0]
        assert "<thead>" in head and 'scope="col"' in head
    print_css = html.split("@media print")[1].split("</style>")[0]
    assert re.search(r"\.candidate \{[^}]*break-before: page", print_css)
    assert re.search(r"\.draft \{[^}]*break-inside: avoid", print_css)


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
    files = [h for h in hrefs if not h.startswith("#")]
    assert files and all(not h.startswith(("/", "..")) for h in files)
    for href in files:
        assert (page.parent / href).is_file()
    for href in set(hrefs) - set(files):
        assert f'id="{href[1:]}"' in html


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
