"""Cell values as people type them: dates, yes/no, emails, phones, placeholders."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch.values import (
    ExcelError,
    Unreadable,
    clean_text,
    date_to_excel_serial,
    excel_serial_to_date,
    find_email,
    find_phone,
    is_placeholder,
    parse_date,
    parse_yes_no,
    phone_text,
)

NOV_20 = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "date_order", "expected"),
    [
        ("2026-11-20", "MDY", NOV_20),
        ("2026-11-20", "DMY", NOV_20),
        ("2026/11/20", "MDY", NOV_20),
        ("20/11/2026", "MDY", NOV_20),  # day > 12: only one way to read it
        ("20/11/2026", "DMY", NOV_20),
        ("11/20/2026", "MDY", NOV_20),
        ("11/20/2026", "DMY", NOV_20),
        ("03/04/2026", "MDY", date(2026, 3, 4)),
        ("03/04/2026", "DMY", date(2026, 4, 3)),
        ("3-4-2026", "DMY", date(2026, 4, 3)),
        ("03.04.2026", "DMY", date(2026, 4, 3)),
        ("20.11.26", "DMY", NOV_20),
        ("11/20/26", "MDY", NOV_20),
        ("1/2/99", "MDY", date(1999, 1, 2)),
        ("20 Nov 2026", "MDY", NOV_20),
        ("20 November 2026", "MDY", NOV_20),
        ("Nov 20, 2026", "DMY", NOV_20),
        ("November 20 2026", "MDY", NOV_20),
        ("Nov. 20, 2026", "MDY", NOV_20),
        ("20-Nov-2026", "MDY", NOV_20),
        ("20-Nov-26", "MDY", NOV_20),
        ("20th of November 2026", "MDY", NOV_20),
        ("Sept 1, 2026", "MDY", date(2026, 9, 1)),
        ("Thu 12 Nov 2026", "MDY", date(2026, 11, 12)),
        ("Thursday, November 12, 2026", "MDY", date(2026, 11, 12)),
        ("Thu 12/11/2026", "DMY", date(2026, 11, 12)),
        ("2026-11-20 14:30", "MDY", NOV_20),
        ("2026-11-20T14:30:00", "MDY", NOV_20),
        ("2026-11-20T14:30:00.000Z", "MDY", NOV_20),
        ("2026-11-20 14:30:00+01:00", "MDY", NOV_20),
        ("11/20/2026 2:30 PM", "MDY", NOV_20),
        ("20 Nov 2026 at 2:30 pm", "MDY", NOV_20),
        ("  2026-11-20\u00a0", "MDY", NOV_20),
        ("\u200b20 Nov 2026", "MDY", NOV_20),
    ],
)
def test_text_dates(text: str, date_order: str, expected: date) -> None:
    assert parse_date(text, date_order=date_order) == expected


@pytest.mark.parametrize(
    "text",
    [
        "next Tuesday",
        "TBD",
        "Nov 20",  # no year: cannot be placed
        "31/02/2026",
        "2026-13-01",
        "13/13/2026",
        "1/1/1850",
        "12/12/9999",
        "2026-11-20 and 2026-11-21",
        "Thu 13 Nov 2026",  # 13 Nov 2026 is a Friday: which one was meant?
        "#N/A",
        "20261120",
    ],
)
def test_unreadable_text_dates(text: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_date(text)
    assert caught.value.code == "unreadable-date"
    assert "2026-11-20" in caught.value.message or "weekday" in caught.value.message


def test_weekday_mismatch_says_which_day_it_is() -> None:
    with pytest.raises(Unreadable, match="is a Friday, not a Thursday"):
        parse_date("Thu 13 Nov 2026")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 20, 14, 30), NOV_20),
        (NOV_20, NOV_20),
        (46346, NOV_20),
        (46346.604, NOV_20),  # a date-time serial: the date part
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (None, None),
        ("", None),
        ("N/A", None),
        (False, None),
        (float("nan"), None),
    ],
)
def test_dates_of_other_kinds(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(0, date(1904, 1, 1)), (1, date(1904, 1, 2)), (60, date(1904, 3, 1)), (44884, NOV_20)],
)
def test_serials_in_the_1904_system(serial: int, expected: date) -> None:
    assert parse_date(serial, date1904=True) == expected


@pytest.mark.parametrize(
    ("value", "date1904"),
    [
        (0, False),  # Excel's 1900-01-00
        (60, False),  # Excel's 1900-02-29, which never existed
        (-1, False),
        (-5.5, True),
        (2958465, False),  # 9999-12-31
        (2958465, True),
        (math.inf, False),
        (True, False),
        (time(14, 30), False),
        (timedelta(hours=3), False),
        (datetime(1899, 12, 31), False),
    ],
)
def test_unreadable_values(value: object, date1904: bool) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_date(value, date1904=date1904)
    assert caught.value.code == "unreadable-date"


def test_error_cells_are_their_own_problem() -> None:
    with pytest.raises(Unreadable) as caught:
        parse_date(ExcelError("#REF!"))
    assert caught.value.code == "error-cell"
    assert "#REF!" in caught.value.message


# --- property tests -------------------------------------------------------------------------

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
DATES_1904 = st.dates(min_value=date(1904, 1, 1), max_value=date(2200, 12, 31))


@given(DATES)
def test_iso_text_reads_back(day: date) -> None:
    assert parse_date(day.isoformat()) == day


@given(DATES, st.sampled_from(["%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d %Y", "%a %d %b %Y"]))
def test_month_name_text_reads_back(day: date, form: str) -> None:
    assert parse_date(day.strftime(form)) == day


@given(DATES, st.sampled_from(["/", "-", "."]))
def test_numeric_text_reads_back_in_its_order(day: date, separator: str) -> None:
    dmy = separator.join([f"{day.day:02d}", f"{day.month:02d}", str(day.year)])
    mdy = separator.join([str(day.month), str(day.day), str(day.year)])
    assert parse_date(dmy, date_order="DMY") == day
    assert parse_date(mdy, date_order="MDY") == day


@given(DATES, st.floats(min_value=0, max_value=0.999))
def test_1900_serials_read_back(day: date, time_of_day: float) -> None:
    serial = date_to_excel_serial(day)
    assert serial != 60
    assert excel_serial_to_date(serial) == day
    assert parse_date(serial + time_of_day) == day


@given(DATES_1904, st.floats(min_value=0, max_value=0.999))
def test_1904_serials_read_back(day: date, time_of_day: float) -> None:
    serial = date_to_excel_serial(day, date1904=True)
    assert parse_date(serial + time_of_day, date1904=True) == day


def test_serials_agree_with_excel() -> None:
    # Known values: Excel shows 46346 as 2026-11-20 (1900 system), 44884 in the 1904 system.
    assert date_to_excel_serial(NOV_20) == 46346
    assert date_to_excel_serial(NOV_20, date1904=True) == 44884
    assert date_to_excel_serial(date(1900, 3, 1)) == 61
    assert date_to_excel_serial(date(1900, 2, 28)) == 59


# --- yes / no -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(text, True) for text in ["yes", "Y", " YES ", "true", "x", "X", "✓", "✔", "1"]],
        (True, True),
        (1, True),
        (1.0, True),
        *[(text, False) for text in ["no", "N", " No", "false", "FALSE", "0"]],
        (False, False),
        (0, False),
        *[(blank, None) for blank in [None, "", "  ", "\u200b", "N/A", "-"]],
    ],
)
def test_yes_no(value: object, expected: bool | None) -> None:
    assert parse_yes_no(value) == expected


@pytest.mark.parametrize("value", ["maybe", "in 2 weeks", 2, 0.5, date(2026, 11, 20)])
def test_yes_no_unreadable(value: object) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_yes_no(value)
    assert caught.value.code == "unreadable-yes-no"
    assert "yes or no" in caught.value.message


def test_yes_no_error_cell() -> None:
    with pytest.raises(Unreadable) as caught:
        parse_yes_no(ExcelError("#N/A"))
    assert caught.value.code == "error-cell"


# --- contacts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane@x.com", "jane@x.com"),
        ("Jane Doe - jane@x.com", "jane@x.com"),
        ("Jane Doe <jane.doe+jobs@mail.example.co.uk>", "jane.doe+jobs@mail.example.co.uk"),
        ("mailto:jane@x.com.", "jane@x.com"),
        ("jane@x.com / 555 0100", "jane@x.com"),
        ("via LinkedIn", None),
        ("jane at x dot com", None),
        ("", None),
        (None, None),
        (5550100.0, None),
    ],
)
def test_find_email(text: object, expected: str | None) -> None:
    assert find_email(text) == expected


_LOCAL_PART_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-"
)


def _find_email_walking_back(text: str) -> str | None:
    """find_email without its fast path: the local part found one character at a time."""
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and text[start - 1] in _LOCAL_PART_CHARS:
            start -= 1
        local = text[start:at].lstrip(".")
        domain = re.match(
            r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
            r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}",
            text[at + 1 :],
        )
        if local and domain is not None:
            return f"{local}@{domain[0]}"
        at = text.find("@", at + 1)
    return None


@given(st.text(alphabet=st.sampled_from("aZ9.+-_ @<>:,(é\u00a0x.co"), max_size=40))
def test_find_email_fast_path_finds_what_walking_back_finds(text: str) -> None:
    assert find_email(text) == _find_email_walking_back(text)


@pytest.mark.parametrize(
    "text",
    ["jane@x.com", "Jane - jane@x.com", "a b@c@x.com", "é jane@x.com", "x(jane@x.com", ".@x.com"],
)
def test_find_email_fast_path_examples(text: str) -> None:
    assert find_email(text) == _find_email_walking_back(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("555-0100 123", "555-0100 123"),
        ("+1 (555) 010-0100", "+1 (555) 010-0100"),
        ("jane@x.com / (555) 010-0100 ext 12", "(555) 010-0100 ext 12"),
        ("Tel: +44 20 7946 0958", "+44 20 7946 0958"),
        ("jane2024555@x.com", None),  # digits inside an email are not a phone
        ("call after 5", None),
        ("jane@x.com, spoke 2026-11-20", None),
        ("met 20/11/2026, 555 0100", "555 0100"),
        (5550100.0, "5550100"),
        ("", None),
    ],
)
def test_find_phone(text: object, expected: str | None) -> None:
    assert find_phone(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5550100.0, "5550100"),
        (15550100, "15550100"),
        (5.5501e9, "5550100000"),
        ("+1 555 0100 ", "+1 555 0100"),
        (None, None),
        ("N/A", None),
    ],
)
def test_phone_text(value: object, expected: str | None) -> None:
    assert phone_text(value) == expected


# --- placeholders and text ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "\u200b",
        "\ufeff",
        "\u00a0",
        " \u200b \u00a0",
        "N/A",
        "NA",
        "n/a",
        "-",
        "--",
        "—",
        "FALSE",
        "false",
        False,
        "none",
        "None",
        "null",
        float("nan"),
        ExcelError("#N/A"),
    ],
)
def test_placeholders(value: object) -> None:
    assert is_placeholder(value)
    assert clean_text(value) is None


@pytest.mark.parametrize(
    "value", ["Acme", "0", 0, 0.0, True, "TRUE", "#N/A", "Nan", "x", NOV_20, "n/a please"]
)
def test_not_placeholders(value: object) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Acme Corp \u200b", "Acme Corp"),
        (42.0, "42"),
        (2.5, "2.5"),
        (True, "TRUE"),
        (NOV_20, "2026-11-20"),
        (datetime(2026, 11, 20), "2026-11-20"),
        (datetime(2026, 11, 20, 14, 30), "2026-11-20 14:30"),
    ],
)
def test_clean_text(value: object, expected: str) -> None:
    assert clean_text(value) == expected
