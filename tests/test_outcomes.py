"""Issue 13, item 1: the Outcome cell read as a person reads it (batch/outcomes.py)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from batch.model import OutcomeClass, Status, TrackerRow
from batch.outcomes import DEFAULT_OUTCOME_WORDS, OutcomeClassifier, words_of
from batch.policy import Policy
from batch.rules import decide

GOLDEN = Path(__file__).parent / "golden" / "outcomes.csv"


def _golden_rows() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as file:
        lines = [line for line in file if not line.startswith("#")]
    return list(csv.DictReader(lines))


GOLDEN_ROWS = _golden_rows()


def test_the_golden_table_has_150_distinct_real_phrasings() -> None:
    outcomes = [row["outcome"] for row in GOLDEN_ROWS]
    assert len(set(outcomes)) == len(outcomes) >= 150
    classes = {row["class"] for row in GOLDEN_ROWS}
    assert classes == {*(c.value for c in OutcomeClass), "unknown"}
    assert all(row["source"] for row in GOLDEN_ROWS)


@pytest.mark.parametrize("row", GOLDEN_ROWS, ids=[row["outcome"] for row in GOLDEN_ROWS])
def test_outcome_golden_table(row: dict[str, str]) -> None:
    reading = OutcomeClassifier().read(row["outcome"])
    read_as = reading.outcome_class.value if reading.understood else "unknown"
    assert read_as == row["class"], reading


# (Outcome cell, class, the words that decided it, the word that kept it open)
OUTCOME_WORDS = [
    # Phrases before single words.
    ("Not hired", OutcomeClass.REJECTED, "Not hired", ""),
    ("Offer declined", OutcomeClass.WITHDRAWN, "Offer declined", ""),
    ("Accepted to final round", OutcomeClass.IN_PROGRESS, "Accepted to", ""),
    ("Application accepted", OutcomeClass.IN_PROGRESS, "Application accepted", ""),
    # Negation and pending words open a closing word.
    ("No offer yet", OutcomeClass.IN_PROGRESS, "No offer", "yet"),
    ("Awaiting offer", OutcomeClass.IN_PROGRESS, "offer", "awaiting"),
    ("Waiting for the offer letter", OutcomeClass.IN_PROGRESS, "offer letter", "waiting"),
    ("Expecting an offer", OutcomeClass.IN_PROGRESS, "offer", "expecting"),
    ("Offer pending", OutcomeClass.IN_PROGRESS, "Offer", "pending"),
    ("Not yet rejected", OutcomeClass.IN_PROGRESS, "rejected", "not"),
    # ... but not across a clause.
    ("Rejected, no feedback", OutcomeClass.REJECTED, "Rejected", ""),
    ("Rejected - not a fit", OutcomeClass.REJECTED, "Rejected", ""),
    # Whole words only.
    ("Information disclosed", OutcomeClass.IN_PROGRESS, "Information disclosed", ""),
    ("Offered", OutcomeClass.OFFER, "Offered", ""),
    # A closing class beats an interview stage; withdrawn beats an offer.
    ("Final round - rejected", OutcomeClass.REJECTED, "rejected", ""),
    ("Withdrew after offer", OutcomeClass.WITHDRAWN, "Withdrew", ""),
    ("Ghosted after the onsite", OutcomeClass.GHOSTED, "Ghosted", ""),
    # Separators inside words, curly apostrophes, case.
    ("NOT_SELECTED", OutcomeClass.REJECTED, "NOT_SELECTED", ""),
    ("Didn\u2019t get it", OutcomeClass.REJECTED, "Didn't get it", ""),
    ("", OutcomeClass.IN_PROGRESS, "", ""),
]


@pytest.mark.parametrize(("outcome", "outcome_class", "words", "opened_by"), OUTCOME_WORDS)
def test_outcome_words(
    outcome: str, outcome_class: OutcomeClass, words: str, opened_by: str
) -> None:
    reading = OutcomeClassifier().read(outcome)
    assert (reading.outcome_class, reading.words, reading.opened_by) == (
        outcome_class,
        words,
        opened_by,
    )


def test_an_unknown_outcome_is_open_and_not_understood() -> None:
    reading = OutcomeClassifier().read("  Parked  for   now ")
    assert reading.outcome_class is OutcomeClass.IN_PROGRESS
    assert not reading.understood and reading.words == "Parked for now"


def test_config_words_join_any_class_and_win_over_the_defaults() -> None:
    classifier = OutcomeClassifier(
        {OutcomeClass.PAUSED: ["parked"], OutcomeClass.IN_PROGRESS: ["no response"]}
    )
    assert classifier.read("Parked").outcome_class is OutcomeClass.PAUSED
    assert classifier.read("No response").outcome_class is OutcomeClass.IN_PROGRESS


def test_every_default_word_reads_as_its_class() -> None:
    classifier = OutcomeClassifier()
    for outcome_class, words in DEFAULT_OUTCOME_WORDS.items():
        for phrase in words:
            reading = classifier.read(phrase)
            assert words_of(reading.words) == words_of(phrase), phrase
            assert reading.outcome_class is outcome_class, phrase


CLOSED_REASONS = [
    ("Not hired", 'Closed (rejected): Outcome says "Not hired", so no follow-up.'),
    ("Denied", 'Closed (rejected): Outcome says "Denied", so no follow-up.'),
    (
        "Role filled - went internal",
        'Closed (rejected): Outcome says "Role filled - went internal" ("Role filled"), so no '
        "follow-up.",
    ),
    ("Ghosted", 'Closed (ghosted): Outcome says "Ghosted", so no follow-up.'),
    ("Offer accepted", 'Closed (accepted): Outcome says "Offer accepted", so no follow-up.'),
    ("I withdrew", 'Closed (withdrawn): Outcome says "I withdrew", so no follow-up.'),
    ("Closed", 'Closed: Outcome says "Closed", so no follow-up.'),
]


@pytest.mark.parametrize(("outcome", "reason"), CLOSED_REASONS)
def test_outcome_words_name_the_class_and_the_words_in_the_reason(
    outcome: str, reason: str
) -> None:
    row = TrackerRow(row=2, company="Acme", interview_date=date(2026, 11, 12), outcome=outcome)
    decision = decide(row, date(2026, 11, 23), Policy())
    assert (decision.status, decision.reason) == (Status.CLOSED, reason)
    assert decision.outcome.closes


@pytest.mark.parametrize(
    "outcome", ["No offer yet", "Awaiting offer", "Accepted to final round", "Parked"]
)
def test_open_outcomes_keep_the_follow_up(outcome: str) -> None:
    row = TrackerRow(
        row=2,
        company="Acme",
        interview_date=date(2026, 11, 12),
        thank_you_sent=date(2026, 11, 12),
        outcome=outcome,
    )
    decision = decide(row, date(2026, 11, 23), Policy())
    assert decision.status is Status.OVERDUE and decision.outcome is OutcomeClass.IN_PROGRESS


def test_an_unknown_outcome_is_reported_once_per_value_in_run_and_check(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from batch.cli import main
    from tests.tracker_helpers import build_tracker

    header = ["Company", "Interview Date", "Outcome"]
    rows = [[f"Co {n}", date(2026, 11, 12), "Parked"] for n in range(4)]
    rows += [["Co 9", date(2026, 11, 12), "on the back burner"], ["Co 10", None, "Rejected"]]
    path = build_tracker(tmp_path / "t.xlsx", header, rows)
    for command in ("check", "run"):
        result = CliRunner().invoke(main, [command, str(path), "--today", "2026-11-23"])
        lines = [line.strip() for line in result.output.splitlines()]
        assert (
            lines.count(
                'Outcome "Parked" on 4 rows is not understood: treated as still open; '
                "add it to [outcomes] in followup.toml"
            )
            == 1
        ), result.output
        assert any(line.startswith('Outcome "on the back burner" on 1 row') for line in lines)
        assert not any('"Rejected"' in line and "understood" in line for line in lines)


def test_every_outcome_of_the_init_dropdown_is_understood() -> None:
    from batch.init_tracker import OUTCOME_CHOICES

    assert all(OutcomeClassifier().read(choice).understood for choice in OUTCOME_CHOICES)
