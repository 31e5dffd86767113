"""The review page in a real browser: no horizontal overflow at desktop and phone widths, and
one printed page (or more) per candidate.

Headless Chromium (Debian: `apt-get install chromium`) loads a copy of the page with a small
measuring script added (the page itself allows no scripts), and prints the measurement into
the DOM it dumps. Screenshots are kept in `$FOLLOWUP_SCREENSHOTS` when that is set, to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from drafts_helpers import RUN_DATE, make_decision, make_request, make_row

from batch.drafts import render_drafts, write_drafts
from batch.model import Decision, RowProblem, Sender, Status, Step
from batch.review import ReviewEntry, render_review_page
from batch.runner import RunOptions, run_trackers

SAMPLE = Path(__file__).resolve().parent.parent / "sample_tracker.xlsx"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("chrome")
WIDTHS = {"desktop": 1280, "phone": 375}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"
    ),
]

# Headless Chromium will not make a window narrower than 500 px, so the page is shown in a
# frame of the width under test (its media queries follow the frame), inside a harness page
# that measures it: every element's right edge against the frame's width. The visually
# hidden table heads of the phone layout (1 px, clipped) are the only thing allowed past it.
_HARNESS = r"""<!DOCTYPE html>
<html><head><style>body { margin: 0 } iframe { border: 0; display: block }</style></head>
<body><iframe id="page" src="%(src)s" width="%(width)d" height="%(height)d"></iframe>
<script>
document.getElementById("page").addEventListener("load", (event) => {
  const frame = event.target;
  const doc = frame.contentDocument;
  const width = doc.documentElement.clientWidth;
  const over = [];
  for (const element of doc.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width > 1 && box.right > width + 0.5) {
      over.push(element.tagName + "." + element.className + ": " + Math.round(box.right));
    }
  }
  // WCAG 2 contrast of each element's own text against the background it sits on.
  const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const view = frame.contentWindow;
  const low = [];
  for (const element of doc.body.querySelectorAll("*")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    let back = element;
    while (back && rgb(view.getComputedStyle(back).backgroundColor)[3] === 0) {
      back = back.parentElement;
    }
    const background = back ? rgb(view.getComputedStyle(back).backgroundColor) : [255, 255, 255];
    const [a, b] = [luminance(rgb(view.getComputedStyle(element).color)), luminance(background)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(element.tagName + "." + element.className + ": " + ratio.toFixed(2));
  }
  const result = {
    low_contrast: low.slice(0, 20),
    viewport: frame.contentWindow.innerWidth,
    client: width,
    scroll: doc.documentElement.scrollWidth,
    over: over.slice(0, 20),
  };
  const out = document.createElement("pre");
  out.id = "layout-result";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script></body></html>
"""


def _chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *arguments,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _harness(page: Path, width: int, height: int) -> Path:
    harness = page.with_name(f"harness-{width}.html")
    values = {"src": page.name, "width": width, "height": height}
    harness.write_text(_HARNESS % values, encoding="utf-8")
    return harness


def _measure(page: Path, width: int, tmp_path: Path) -> dict[str, object]:
    harness = _harness(page, width, 900)
    done = _chromium(
        "--allow-file-access-from-files",  # the harness reads the framed page
        f"--window-size={max(width, 800)},900",
        "--virtual-time-budget=5000",
        "--dump-dom",
        harness.as_uri(),
        profile=tmp_path / f"profile-{width}",
    )
    harness.unlink()
    found = re.search(r'<pre id="layout-result">(.*?)</pre>', done.stdout)
    assert found, f"no measurement in Chromium's output: {done.stderr[-500:]}"
    result: dict[str, object] = json.loads(found[1].replace("&quot;", '"').replace("&amp;", "&"))
    return result


def _screenshot(page: Path, name: str, width: int, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FOLLOWUP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{name}-{width}.png"
    harness = _harness(page, width, 2400)
    _chromium(
        f"--window-size={width if width >= 500 else 500},2400",
        f"--screenshot={shot}",
        harness.as_uri(),
        profile=tmp_path / f"shot-{name}-{width}",
    )
    harness.unlink()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return shot


def _sample_page(tmp_path: Path) -> Path:
    tracker = tmp_path / "sample" / "sample_tracker.xlsx"
    tracker.parent.mkdir()
    shutil.copy(SAMPLE, tracker)
    (result,) = run_trackers([tracker], RunOptions(today=RUN_DATE))
    assert result.review_page is not None
    return result.review_page


def _hard_page(tmp_path: Path) -> Path:
    """Long unbroken words, a long URL, an edited draft, every kind of listed row."""
    long_word = "Supercalifragilisticexpialidocious" * 4
    url = "https://example.com/" + "portfolio/" * 12 + "case-study-on-a-very-long-path"
    tracker = tmp_path / "coach" / "clients.xlsx"
    requests = [
        make_request(
            row=make_row(row=3, company=f"{long_word} Holdings", extra_info=url),
            decision=make_decision(status=Status.OVERDUE),
            sender=Sender(name="Sam Rivera"),
            tracker=tracker,
        ),
        make_request(
            row=make_row(row=4, company="Northgate", contact_email=f"{long_word}@example.com"),
            decision=make_decision(step=Step.THANK_YOU, status=Status.DUE, due=RUN_DATE),
            sender=Sender(name="Jo Park"),
            tracker=tracker,
        ),
    ]
    drafts = render_drafts(requests)
    page = tmp_path / "drafts" / RUN_DATE.isoformat() / "review.html"
    written = write_drafts(drafts, tmp_path / "drafts", RUN_DATE)
    edited = written.rows[0].email.path
    edited.write_bytes(edited.read_bytes().replace(b"Dear Jane Doe", b"Hi Jane"))
    # Today's row gives a new text, so it goes beside the edited file: both are shown.
    today = replace(drafts[0], body=drafts[0].body + "\nP.S. " + long_word)
    rewritten = write_drafts([today], tmp_path / "drafts", RUN_DATE)
    entries = [
        ReviewEntry(tracker, today.request.row, today.request.decision, today, rewritten.rows[0]),
        ReviewEntry(
            tracker, drafts[1].request.row, drafts[1].request.decision, drafts[1], written.rows[1]
        ),
    ]
    others = [
        (5, Status.UPCOMING, Step.THANK_YOU, RUN_DATE + timedelta(days=2)),
        (6, Status.WAITING, Step.CHECK_IN, RUN_DATE + timedelta(days=4)),
        (7, Status.MOVE_ON, None, None),
    ]
    for number, status, step, due in others:
        row = make_row(row=number, company=f"Company {number} {long_word}", candidate="Sam Rivera")
        entries.append(ReviewEntry(tracker, row, make_decision(step=step, status=status, due=due)))
    problem = RowProblem(8, "Interview Date", "bad-date", f"Not a date: {long_word}")
    entries.append(
        ReviewEntry(
            tracker,
            make_row(row=8, company="Hooli"),
            Decision(Status.NEEDS_ATTENTION, None, None, "Needs attention.", (problem,)),
        )
    )
    page.write_text(render_review_page(entries, page, RUN_DATE), encoding="utf-8")
    return page


@pytest.mark.parametrize("kind", ["sample", "hard"])
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_the_page_does_not_overflow(kind: str, width_name: str, tmp_path: Path) -> None:
    page = _sample_page(tmp_path) if kind == "sample" else _hard_page(tmp_path)
    width = WIDTHS[width_name]
    result = _measure(page, width, tmp_path)
    assert result["viewport"] == width, result
    assert result["scroll"] == result["client"], result
    assert result["over"] == [], result
    assert result["low_contrast"] == [], result  # WCAG AA: 4.5:1 for every text
    _screenshot(page, f"review-{kind}", width, tmp_path)


def test_each_candidate_starts_a_new_printed_page(tmp_path: Path) -> None:
    page = _hard_page(tmp_path)
    html = page.read_text(encoding="utf-8")
    sections = html.count('<section class="candidate"')
    assert sections == 3  # Jo Park, Sam Rivera, then the rows that need attention
    pdf = tmp_path / "review.pdf"
    _chromium(
        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri(), profile=tmp_path / "pdf"
    )
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    # the index on the first page, then at least one page per section
    assert pages >= 1 + sections, pages


def test_measuring_catches_an_overflow_and_low_contrast(tmp_path: Path) -> None:
    """The checks themselves can fail: a wide block overflows a phone, light grey text on
    white is too faint."""
    page = tmp_path / "wide" / "wide.html"
    page.parent.mkdir()
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">'
        '</head><body><div style="width: 900px">wide</div>'
        '<p style="color: #aaa">too light to read</p></body></html>',
        encoding="utf-8",
    )
    result = _measure(page, WIDTHS["phone"], tmp_path)
    assert result["scroll"] != result["client"] and result["over"]
    assert result["low_contrast"] == ["P.: 2.32"]
