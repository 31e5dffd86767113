"""Header matching: normalising, aliases, owned columns, the combined contact column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch.columns import (
    COMBINED_CONTACT_ALIASES,
    FIELD_ALIASES,
    map_headers,
    normalise_header,
)
from batch.model import DEFAULT_HEADERS, OWNED_COLUMNS

ALL_ALIASES = [alias for aliases in FIELD_ALIASES.values() for alias in aliases]


@pytest.mark.parametrize(
    "header",
    [
        "Thank-You Sent",
        "thank you sent",
        "THANKYOU SENT",
        " Thank_You  Sent! ",
        "Thank\u200bYou Sent",
    ],
)
def test_normalise_ignores_case_spaces_punctuation(header: str) -> None:
    assert normalise_header(header) == "thankyousent"


def test_every_field_has_its_default_header_as_an_alias() -> None:
    assert set(FIELD_ALIASES) == set(DEFAULT_HEADERS)
    for field_name, header in DEFAULT_HEADERS.items():
        assert map_headers([header]).fields == {field_name: (header, 1)}


@pytest.mark.parametrize(
    ("header", "field_name"),
    [
        ("COMPANY", "company"),
        ("Company Name", "company"),
        ("Organisation", "company"),
        ("Job Title", "role"),
        ("Hiring Manager", "contact_name"),
        ("Recruiter E-mail", "contact_email"),
        ("INTERVIEW DATE", "interview_date"),
        ("Date of Interview", "interview_date"),
        ("Follow Up By", "planned_follow_up"),
        ("Expected Response Date", "reply_expected_by"),
        ("They'll Contact Me", "they_will_contact"),
        ("Follow-Up Sent", "checkin_sent"),
        ("Second Follow-Up Sent", "reminder_sent"),
        ("Heard Back", "reply_date"),
        ("Status", "outcome"),
        ("Application Status", "outcome"),
        ("Talking Points", "key_points"),
        ("Portfolio", "extra_info"),
        ("Name", "candidate"),
    ],
)
def test_aliases(header: str, field_name: str) -> None:
    assert map_headers(["x", header]).fields == {field_name: (header, 2)}


@pytest.mark.parametrize(
    "header",
    ["Company Notes", "Interview Date 2", "My Status", "Dates", "Notes", "Emails sent", "Phone #2"],
)
def test_no_substring_matches(header: str) -> None:
    assert map_headers([header]).fields == {}


def test_owned_status_is_not_the_users_status() -> None:
    header_map = map_headers(["Company", "Status", "Follow-up Status", " follow-up DUE "])
    assert header_map.fields == {"company": ("Company", 1), "outcome": ("Status", 2)}
    assert header_map.owned == {"Follow-up Status": 3, "Follow-up Due": 4}


def test_a_look_alike_of_an_owned_column_is_the_users() -> None:
    # cspyksma/Job_tracking keeps its own "FollowUpDue" dates; "Follow Up Status" is a
    # user's column seen in a public tracker.
    header_map = map_headers(["Company", "FollowUpDue", "Follow Up Status", "Follow-up date"])
    assert header_map.owned == {}
    assert header_map.fields["planned_follow_up"] == ("FollowUpDue", 2)
    codes = [(column, code) for column, _, code, _ in header_map.warnings]
    assert (3, "look-alike-column") in codes
    assert (3, "Follow Up Status", None) in header_map.unused


def test_owned_column_alone_is_not_an_outcome() -> None:
    header_map = map_headers(["Follow-up Status"])
    assert header_map.fields == {}
    assert header_map.owned == {"Follow-up Status": 1}


@pytest.mark.parametrize("header", (*COMBINED_CONTACT_ALIASES, "Email / Phone", "CONTACT INFO"))
def test_combined_contact_fills_email_and_phone(header: str) -> None:
    header_map = map_headers(["Company", header])
    assert header_map.fields["contact_email"] == (header, 2)
    assert header_map.fields["contact_phone"] == (header, 2)
    assert header_map.combined_contact == (header, 2)


def test_combined_contact_only_fills_what_is_missing() -> None:
    header_map = map_headers(["Email", "Contact Details"])
    assert header_map.fields["contact_email"] == ("Email", 1)
    assert header_map.fields["contact_phone"] == ("Contact Details", 2)


def test_duplicates_first_wins_with_a_warning() -> None:
    header_map = map_headers(
        ["Company", "Employer", "Follow-up Status", "follow up status", "Company"]
    )
    assert header_map.fields == {"company": ("Company", 1)}
    assert header_map.owned == {"Follow-up Status": 3}
    assert [(column, header, code) for column, header, code, _ in header_map.warnings] == [
        (2, "Employer", "duplicate-column"),
        (4, "follow up status", "look-alike-column"),
        (5, "Company", "duplicate-column"),
    ]


def test_blank_cells_and_non_text_headers() -> None:
    header_map = map_headers(["", None, "Company", 42.0, "\u200b", "Interview Date", ""])
    assert header_map.fields == {"company": ("Company", 3), "interview_date": ("Interview Date", 6)}
    assert header_map.last_column == 6
    assert header_map.has_table()


def test_overrides_win_over_aliases() -> None:
    header_map = map_headers(
        ["Company", "DATE ", "Interview", "Status"], {"DATE ": "interview_date", "status": "role"}
    )
    assert header_map.fields == {
        "company": ("Company", 1),
        "interview_date": ("DATE", 2),  # as written, trimmed
        "role": ("Status", 4),
    }


def test_override_to_unknown_field_lists_the_fields() -> None:
    with pytest.raises(ValueError, match="interview_date"):
        map_headers(["Company"], {"When": "interview_day"})


def test_override_of_an_owned_column_is_refused() -> None:
    with pytest.raises(ValueError, match="written by followup"):
        map_headers(["Company"], {"Follow-up Status": "outcome"})


# --- property tests -------------------------------------------------------------------------

HEADER_TEXT = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "Zs")), min_size=0, max_size=30
)


@given(HEADER_TEXT)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once


@given(
    st.sampled_from(ALL_ALIASES + list(OWNED_COLUMNS)),
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=40), st.sampled_from(" -_.,/'()!?\u200b")),
        max_size=6,
    ),
    st.booleans(),
)
def test_normalise_ignores_inserted_punctuation_and_case(
    header: str, inserts: list[tuple[int, str]], upper: bool
) -> None:
    changed = header.upper() if upper else header.lower()
    for position, character in inserts:
        position = min(position, len(changed))
        changed = changed[:position] + character + changed[position:]
    assert normalise_header(changed) == normalise_header(header)


@given(st.sampled_from(OWNED_COLUMNS), st.booleans())
def test_owned_headers_never_read_as_an_input(owned: str, upper: bool) -> None:
    header = f"  {owned.upper() if upper else owned} "
    header_map = map_headers([header])
    assert header_map.fields == {}
    assert header_map.owned == {owned: 1}
