"""Tracker cells as the phrases a draft uses: a golden table of messy cells, and each rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from batch.names import addressed_as, people_in
from batch.phrases import (
    company_name,
    extra_info,
    join_and,
    key_points,
    role_name,
    split_points,
    spoken_date,
)

TABLE = Path(__file__).resolve().parent / "golden" / "cell_phrases.tsv"


def phrase_for(field: str, cell: str) -> str:
    """What a draft makes of one cell, written as the table's third column."""
    if field == "contact":
        return addressed_as(people_in(cell), "first") or "Hiring Team"
    if field == "role":
        return role_name(cell)
    if field == "company":
        return company_name(cell)
    if field == "key_points":
        points = key_points(cell)
        parts = [join_and(points.phrases)] if points.phrases else []
        parts += [f"held back: {' | '.join(points.held_back)}"] if points.held_back else []
        return " || ".join(parts)
    if field == "extra_info":
        extra = extra_info(cell)
        parts = [f"send: {join_and(extra.offers)}"] if extra.offers else []
        parts += [f"say: {' '.join(extra.sentences)}"] if extra.sentences else []
        parts += [f"held back: {' | '.join(extra.held_back)}"] if extra.held_back else []
        return " || ".join(parts)
    raise AssertionError(f"unknown field {field!r} in {TABLE.name}")


def golden_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        field, cell, phrase = line.split("\t")
        rows.append((field, cell.replace("\\n", "\n"), phrase))
    return rows


GOLDEN = golden_rows()


def test_the_table_covers_every_field_with_at_least_sixty_cells() -> None:
    assert len(GOLDEN) >= 60
    assert {field for field, _, _ in GOLDEN} == {
        "contact",
        "role",
        "company",
        "key_points",
        "extra_info",
    }


@pytest.mark.parametrize(
    ("field", "cell", "phrase"), GOLDEN, ids=[f"{f}:{c!r}" for f, c, _ in GOLDEN]
)
def test_each_messy_cell_gives_the_phrase_a_person_would_write(
    field: str, cell: str, phrase: str
) -> None:
    assert phrase_for(field, cell) == phrase


@pytest.mark.parametrize(
    ("cell", "first", "formal"),
    [
        ("Ms. Anita Rao", "Anita", "Ms. Rao"),
        ("Dr. Helen Park", "Helen", "Dr. Park"),
        ("dr helen park", "Helen", "Dr. Park"),
        ("Priya Shah, Head of Data", "Priya", "Priya Shah"),
        ("Tom Lee & Ana Ruiz", "Tom and Ana", "Tom Lee and Ana Ruiz"),
        ("Mr. Lee / Ms. Ruiz", "Mr. Lee and Ms. Ruiz", "Mr. Lee and Ms. Ruiz"),
        ("MARY MCDONALD", "Mary", "Mary McDonald"),
        ("john van der berg", "John", "John van der Berg"),
        ("shaun o'neil", "Shaun", "Shaun O'Neil"),
        ("HR", "", ""),
    ],
)
def test_salutation_forms(cell: str, first: str, formal: str) -> None:
    people = people_in(cell)
    assert addressed_as(people, "first") == first
    assert addressed_as(people, "formal") == formal


TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("day", "mdy", "dmy"),
    [
        (date(2026, 11, 23), "today", "today"),
        (date(2026, 11, 22), "yesterday", "yesterday"),
        (date(2026, 11, 20), "on Friday", "on Friday"),
        (date(2026, 11, 17), "on Tuesday", "on Tuesday"),
        (date(2026, 11, 16), "on Monday, November 16,", "on Monday 16 November"),
        (date(2026, 11, 9), "on Monday, November 9,", "on Monday 9 November"),
        (date(2025, 12, 30), "on Tuesday, December 30, 2025,", "on Tuesday 30 December 2025"),
        (None, "", ""),
    ],
)
def test_dates_as_people_say_them(day: date | None, mdy: str, dmy: str) -> None:
    assert spoken_date(day, TODAY, "MDY") == mdy
    assert spoken_date(day, TODAY, "DMY") == dmy


def test_without_a_run_date_every_date_is_said_in_full() -> None:
    assert spoken_date(date(2026, 11, 20), None) == "on Friday, November 20, 2026,"


def test_split_points() -> None:
    assert split_points("a; b\n- c.\n• d\n\n") == ["a", "b", "c", "d"]
    assert split_points(None) == []
    assert split_points("One point, with a comma.") == ["One point, with a comma"]
    assert split_points("1. budgets 2. forecasting") == ["budgets", "forecasting"]
    assert split_points("cut close from 10 to 4 days") == ["cut close from 10 to 4 days"]
