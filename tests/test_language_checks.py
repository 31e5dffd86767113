"""The language checks, each on its own: what a coach would fix by hand in a pasted draft."""

from __future__ import annotations

import pytest
from drafts_helpers import make_row

from batch.language_checks import (
    check_text,
    doubled_punctuation,
    doubled_words,
    lower_case_starts,
    stray_capitals,
    unbalanced,
    unfilled_gaps,
    without_links,
    wrong_articles,
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the Senior Engineer position position", ["position position"]),
        ("Thank you for the the interview.", ["the the"]),
        ("I had a good day.", []),
        ("We met in 2024 2024.", []),
    ],
)
def test_doubled_words(text: str, found: list[str]) -> None:
    assert doubled_words(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("for the an Account Manager position", ["the an"]),
        ("I sent a account summary.", ["a account"]),
        ("It is an position I want.", ["an position"]),
        ("An offer and a university and an hour and an MBA and a one-off.", []),
        ("I wrote an SQL query and a UX review and an 8-week plan.", []),
        ("Plan A is fine.", []),
    ],
)
def test_wrong_articles(text: str, found: list[str]) -> None:
    assert wrong_articles(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("at Tech Company Inc.. I enjoyed it", [".."]),
        ("Thanks,, Jane", [",,"]),
        ("Yahoo!. I enjoyed it", ["!."]),
        ("at Acme . Thank you", ["."]),
        ("Wait... what a day. At Tech Company Inc., I enjoyed it.", []),
    ],
)
def test_doubled_punctuation(text: str, found: list[str]) -> None:
    assert doubled_punctuation(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Thank you. the team was great.", ["the"]),
        ("dear Jane,\n\nThanks.", ["dear"]),
        ("We used dashboards, e.g. sales ones. They help.", []),
        ("I am at Acme Inc. in Boston.", []),
    ],
)
def test_lower_case_starts(text: str, found: list[str]) -> None:
    assert lower_case_starts(text) == found


@pytest.mark.parametrize(
    ("text", "names", "found"),
    [
        ("our conversation about Rebuilding their dashboards", (), ["Rebuilding"]),
        ("our conversation about Discussed how I cut close", (), ["Discussed"]),
        ("our conversation about THE DATA WAREHOUSE", (), ["WAREHOUSE", "THE", "DATA"]),
        ("our conversation about SQL and AWS", (), []),
        ("our conversation about They asked about my SQL skills", (), ["They"]),
        ("our conversation about Python, SQL and Power BI", (), []),
        ("Dear Hiring Team,\n\nThank you.", ("Hiring Team",), []),
        ("the Data Analyst position at Acme Corp", ("Data Analyst", "Acme Corp"), []),
        ("Checking in: Data position", (), []),
    ],
)
def test_stray_capitals(text: str, names: tuple[str, ...], found: list[str]) -> None:
    assert stray_capitals(text, names) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my portfolio (https://x.example", ["()"]),
        ('He said "soon.', ['"']),
        ("“quoted”, (fine) and [ok]", []),
    ],
)
def test_unbalanced(text: str, found: list[str]) -> None:
    assert unbalanced(text) == found


def test_gaps_and_links() -> None:
    assert unfilled_gaps("Best regards,\n[Your name]\n{{ phone }}") == ["[Your name]", "{{", "}}"]
    assert unfilled_gaps("Best regards,\nAlex") == []
    assert without_links("See https://x.example/A..b. Or me@x.example.") == "See link. Or link."


def test_check_text_names_each_finding_for_the_row() -> None:
    problems = check_text(
        "Dear Sam Ortiz (Recruiter),\n\nI enjoyed our conversation about They asked about my "
        "SQL skills at Tech Company Inc.. the the end. and so on",
        row=make_row(),
        what="thank-you email",
        max_words=150,
        pushy_phrases=(),
        names=("Sam Ortiz", "Tech Company Inc."),
    )
    messages = {p.code: p.message for p in problems}
    assert set(messages) == {
        "doubled-word",
        "doubled-punctuation",
        "lower-case-start",
        "stray-capital",
    }
    assert messages["stray-capital"] == (
        'The thank-you email has a capitalised word mid-sentence: "They".'
    )
    assert all(p.severity == "warning" and p.row == 7 for p in problems)
