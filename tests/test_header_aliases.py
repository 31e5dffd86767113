"""The alias table (batch/header_aliases.csv): every spelling in it, one test each, and the
typo reading of headers that are a slip away from one."""

from __future__ import annotations

import pytest

from batch.columns import (
    ALIASES,
    COMBINED_FIELDS,
    IGNORED,
    NAME_EMAIL_ALIASES,
    HeaderAlias,
    edit_distance,
    map_headers,
    normalise_header,
    typo_of,
)
from batch.model import DEFAULT_HEADERS

MEANINGS = {*DEFAULT_HEADERS, *COMBINED_FIELDS, IGNORED}


def test_the_table_has_at_least_150_distinct_real_spellings() -> None:
    spellings = {normalise_header(a.header) for a in ALIASES if a.field != IGNORED}
    assert len(spellings) >= 150


def test_every_row_names_a_field_and_a_source() -> None:
    for alias in ALIASES:
        assert alias.field in MEANINGS, alias
        assert alias.header.strip() and alias.source.strip(), alias


@pytest.mark.parametrize("alias", ALIASES, ids=lambda a: f"{a.header}->{a.field}")
def test_each_spelling_reads_as_its_field(alias: HeaderAlias) -> None:
    header_map = map_headers(["Notes", alias.header])
    if alias.field == IGNORED:
        assert header_map.fields == {}
        assert (2, alias.header, None) in header_map.unused
    elif alias.field in COMBINED_FIELDS:
        for field_name in COMBINED_FIELDS[alias.field]:
            assert header_map.fields[field_name] == (alias.header, 2)
    else:
        assert header_map.fields == {alias.field: (alias.header, 2)}
    assert not [w for w in header_map.warnings if w[2] == "header-typo"]


def test_a_name_and_email_column_fills_both() -> None:
    header = NAME_EMAIL_ALIASES[0]
    header_map = map_headers(["Company", header])
    assert header_map.combined_name_email == (header, 2)
    assert header_map.fields["contact_name"] == (header, 2)
    assert header_map.fields["contact_email"] == (header, 2)


@pytest.mark.parametrize(
    ("header", "field_name"),
    [
        ("Thank You Snet", "thank_you_sent"),  # a public tracker's own typo
        ("Compnay", "company"),
        ("Intreview Date", "interview_date"),
        ("Aplication Status", "outcome"),
        ("Recuiter Name", "contact_name"),
    ],
)
def test_typos_are_read_and_reported(header: str, field_name: str) -> None:
    header_map = map_headers(["Notes", header])
    assert header_map.fields[field_name] == (header, 2)
    [(column, written, code, message)] = header_map.warnings
    assert (column, written, code) == (2, header, "header-typo")
    assert message == f"read {header!r} as {DEFAULT_HEADERS[field_name]}"


@pytest.mark.parametrize(
    "header",
    [
        "Resume",  # not a misspelt "Result"
        "My Status",
        "Interview Date 2",
        "Phone 2",
        "Follow-up Stat",  # nearest to the tool's own column: never an input
        "Salary",
        "Location",
        "Stages",  # "Stage" is too short to have typos
    ],
)
def test_not_typos(header: str) -> None:
    header_map = map_headers(["Notes", header])
    typo_warnings = [w for w in header_map.warnings if w[2] == "header-typo"]
    assert header_map.fields == {}
    assert typo_warnings == []


def test_an_exact_header_wins_over_a_typo_of_it() -> None:
    header_map = map_headers(["Compnay", "Company"])
    assert header_map.fields == {"company": ("Company", 2)}
    assert (1, "Compnay") in [(c, h) for c, h, _ in header_map.unused]


def test_unused_headers_name_the_nearest_field() -> None:
    header_map = map_headers(["Company", "Interview Round", "Salary"])
    nearest = {header: near for _, header, near in header_map.unused}
    assert nearest == {"Interview Round": "interview_date", "Salary": None}


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [("snet", "sent", 1), ("kitten", "sitting", 3), ("abc", "abc", 0), ("", "ab", 2)],
)
def test_edit_distance(first: str, second: str, distance: int) -> None:
    assert edit_distance(first, second, 5) == distance


def test_typo_of_needs_letters_only() -> None:
    assert typo_of(normalise_header("Thank You Snet")) == "thank_you_sent"
    assert typo_of("phone2") is None
