"""Reading one cell's value the way a person typed it: dates, yes/no, emails, phone numbers.

Pure functions, no I/O. A value that is there but cannot be read raises `Unreadable` (a
ValueError carrying a problem code and a message that says what to type instead); a blank or
placeholder cell reads as None.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

# How to read a numeric text date whose day and month could be either (03/04/2026): month
# first (US) or day first (most other places). The policy checks a setting against DATE_ORDERS.
DateOrder = Literal["MDY", "DMY"]
DATE_ORDERS: tuple[DateOrder, ...] = ("MDY", "DMY")

# Years outside this range are typing mistakes (a serial typed as a year, 2062 for 2026 is
# still accepted), not interview dates.
MIN_YEAR = 1900
MAX_YEAR = 2200

DATE_HINT = "type a date like 2026-11-20"


class Unreadable(ValueError):
    """A cell holds something, but not a value of the column's kind."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value in a cell (#REF!, #N/A, #VALUE!...), e.g. from a broken formula.

    `text` is NO_SAVED_RESULT for a formula whose result was never saved (a workbook written
    by a program that does not calculate, such as openpyxl): readers see it as empty.
    """

    text: str


NO_SAVED_RESULT = "(no saved result)"


def _error_cell(value: ExcelError, hint: str, *, fix_formula: bool) -> Unreadable:
    if value.text == NO_SAVED_RESULT:
        return Unreadable(
            "formula-without-result",
            "the cell has a formula whose result was never saved (the file was written by a "
            f"program that does not calculate); open and save it in Excel, or {hint}",
        )
    fix = "fix its formula or " if fix_formula else ""
    return Unreadable("error-cell", f"the cell shows the Excel error {value.text}; {fix}{hint}")


# Characters that render as nothing: pre-formatted trackers and copy-paste from web pages
# leave them in "empty" cells.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Trimmed from both ends of a cell: every Unicode space (no-break spaces included) and the
# invisible characters. One str.strip call: this runs for every cell of big trackers.
_TRIM = "".join(chr(code) for code in range(0x3001) if chr(code).isspace()) + _INVISIBLE

_PLACEHOLDER_TEXT = frozenset({"n/a", "na", "-", "--", "---", "—", "–", "false", "none", "null"})


def _visible_text(text: str) -> str:
    return text.strip(_TRIM)


def _is_nan(value: object) -> bool:
    # NaN is the only value that differs from itself.
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def is_placeholder(value: object) -> bool:
    """True for a cell that holds nothing a person meant as data.

    Blank, None, NaN, whitespace or invisible characters, and the fillers of pre-formatted
    trackers: N/A, NA, -, --, —, FALSE (a boolean or the text), none, null. Excel error
    values count too (they only matter as problems in date and yes/no columns, where the
    reader checks them first).
    """
    if isinstance(value, str):
        text = value.strip(_TRIM)
        # The longest placeholder word is 5 characters; longer text is data.
        return not text or (len(text) <= 5 and text.casefold() in _PLACEHOLDER_TEXT)
    if value is None or value is False or isinstance(value, ExcelError):
        return True
    if isinstance(value, float | datetime):
        return _is_nan(value)
    return False


def number_text(value: float | int) -> str:
    """A number as a person would type it: 5550100.0 -> "5550100", 2.5 -> "2.5"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_text(value: object) -> str | None:
    """A cell as trimmed text, or None when it is blank or a placeholder."""
    if isinstance(value, str):
        text = value.strip(_TRIM)
        if not text or (len(text) <= 5 and text.casefold() in _PLACEHOLDER_TEXT):
            return None
        return text
    if is_placeholder(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    return _visible_text(str(value))


# --- dates ---------------------------------------------------------------------------------

_EXCEL_1900_EPOCH = date(1899, 12, 30)  # serial 61 and up count days from here
_EXCEL_1904_EPOCH = date(1904, 1, 1)  # serial 0
_LAST_DAY = date(MAX_YEAR, 12, 31)
_FAKE_LEAP_DAY = 60  # Excel's 1900-02-29, a day that never was (kept for Lotus 1-2-3)

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("jan", "january"),
        ("feb", "february"),
        ("mar", "march"),
        ("apr", "april"),
        ("may",),
        ("jun", "june"),
        ("jul", "july"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    )
):
    for _name in _names:
        _WEEKDAYS[_name] = _number

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# An optional time after a date: " 14:30", "T14:30:00", " 2:30 PM", "T14:30:00.000Z".
_TIME = (
    r"(?:(?:\s+|\s*T\s*|\s+at\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2}))?)?"
)
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME, re.IGNORECASE)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME, re.IGNORECASE)
_WORD_TOKENS = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?|[^\W\d_]+|\d+")
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_TIME_WORDS = frozenset({"at", "am", "pm", "a", "p", "m", "utc", "gmt", "z"})
# Time zone names an email's date ends with ("... -0700 (PDT)").
_TIME_WORDS |= {"pdt", "pst", "mdt", "mst", "cdt", "cst", "edt", "est", "bst", "cet", "cest"}


def _two_digit_year(text: str) -> int:
    # Excel's rule for two-digit years: 00-29 are 2000-2029, 30-99 are 1930-1999.
    year = int(text)
    if len(text) == 2:
        return 2000 + year if year < 30 else 1900 + year
    return year


def _make_date(year: int, month: int, day: int, original: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Unreadable(
            "unreadable-date",
            f"{original!r} has the year {year}, which cannot be right; {DATE_HINT}",
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise Unreadable(
            "unreadable-date", f"{original!r} is not a real date; {DATE_HINT}"
        ) from None


def excel_serial_to_date(serial: float, *, date1904: bool = False) -> date:
    """The date of an Excel serial number in the workbook's date system (time of day dropped)."""
    if math.isnan(serial) or math.isinf(serial) or serial < 0:
        raise Unreadable("unreadable-date", f"{number_text(serial)} is not a date; {DATE_HINT}")
    days = math.floor(serial)
    if date1904:
        epoch = _EXCEL_1904_EPOCH
    else:
        epoch = _EXCEL_1900_EPOCH
        if days == 0:
            raise Unreadable("unreadable-date", f"0 is not a date; {DATE_HINT}")
        if days == _FAKE_LEAP_DAY:
            raise Unreadable(
                "unreadable-date",
                f"serial 60 is Excel's 1900-02-29, a day that never existed; {DATE_HINT}",
            )
        if days < _FAKE_LEAP_DAY:
            days += 1  # before Excel's fake leap day, serials are one day ahead of the calendar
    if days > (_LAST_DAY - epoch).days:
        raise Unreadable(
            "unreadable-date",
            f"{number_text(serial)} is a date after {MAX_YEAR}, which cannot be right; {DATE_HINT}",
        )
    return epoch + timedelta(days=days)


def date_to_excel_serial(day: date, *, date1904: bool = False) -> int:
    """The Excel serial number of a date in the workbook's date system."""
    if date1904:
        return (day - _EXCEL_1904_EPOCH).days
    serial = (day - _EXCEL_1900_EPOCH).days
    return serial if serial > _FAKE_LEAP_DAY else serial - 1


def _check_weekday(result: date, weekday: str | None, original: str) -> date:
    if weekday is not None and _WEEKDAYS[weekday] != result.weekday():
        raise Unreadable(
            "unreadable-date",
            f"{original!r}: {result.isoformat()} is a {result.strftime('%A')}, not a "
            f"{_WEEKDAY_NAMES[_WEEKDAYS[weekday]]}; correct the weekday or the date",
        )
    return result


def _parse_numeric(match: re.Match[str], date_order: DateOrder, original: str) -> date:
    first, second, year = int(match[1]), int(match[3]), _two_digit_year(match[4])
    if first > 12 and second <= 12:
        day, month = first, second  # only readable as day first
    elif second > 12 and first <= 12:
        month, day = first, second  # only readable as month first
    elif date_order == "DMY":
        day, month = first, second
    else:
        month, day = first, second
    return _make_date(year, month, day, original)


def _parse_words(text: str, original: str) -> date | None:
    """Dates with a month name: 20 Nov 2026, Nov 20, 2026, Thu 12 Nov 2026, 20-Nov-26."""
    tokens = _WORD_TOKENS.findall(text.casefold())
    # "20th of November": the ordinal suffix and "of" are decoration.
    words = [
        token
        for index, token in enumerate(tokens)
        if not (token in _ORDINAL_SUFFIXES and index > 0 and tokens[index - 1].isdigit())
        and token != "of"
    ]
    weekday = None
    if words and words[0] in _WEEKDAYS:
        weekday = words.pop(0)
    # Drop a trailing time of day ("at 2:30 pm"), with an email's zone offset after it
    # ("Wed, 22 May 2024 22:34:10 -0700", as trackers filled from a mailbox have).
    while len(words) > 3 and (
        ":" in words[-1]
        or words[-1] in _TIME_WORDS
        or (len(words[-1]) == 4 and words[-1].isdigit() and ":" in words[-2])
    ):
        words.pop()
    if len(words) != 3 or not any(word in _MONTHS for word in words):
        return None
    if words[0] in _MONTHS and words[1].isdigit() and words[2].isdigit():
        month, day_text, year_text = _MONTHS[words[0]], words[1], words[2]
    elif words[1] in _MONTHS and words[0].isdigit() and words[2].isdigit():
        day_text, month, year_text = words[0], _MONTHS[words[1]], words[2]
    elif words[1] in _MONTHS and len(words[0]) == 4 and words[0].isdigit() and words[2].isdigit():
        year_text, month, day_text = words[0], _MONTHS[words[1]], words[2]
    else:
        return None
    if len(day_text) > 2 or len(year_text) not in (2, 4):
        return None
    result = _make_date(_two_digit_year(year_text), month, int(day_text), original)
    return _check_weekday(result, weekday, original)


def _parse_text(text: str, date_order: DateOrder) -> date:
    original = text
    text = _visible_text(text)
    weekday = None
    # "Thu 12/11/2026", "Thursday, 2026-11-12": a weekday before a numeric date.
    head = re.match(r"([^\W\d_]+)\.?,?\s+(?=\d)", text)
    if head and head[1].casefold() in _WEEKDAYS:
        weekday = head[1].casefold()
        text = text[head.end() :]
    if match := _ISO.fullmatch(text):
        result = _make_date(int(match[1]), int(match[3]), int(match[4]), original)
        return _check_weekday(result, weekday, original)
    if match := _NUMERIC.fullmatch(text):
        return _check_weekday(_parse_numeric(match, date_order, original), weekday, original)
    result_or_none = _parse_words(original, original)
    if result_or_none is not None:
        return result_or_none
    raise Unreadable("unreadable-date", f"{_visible_text(original)!r} is not a date; {DATE_HINT}")


@dataclass(frozen=True)
class DateOrderFinding:
    """How one column's numeric text dates (03/11/2026) are read, and why.

    `settled_by` is a value of the column that can only be read one way ("14/11/2026" is day
    first), or None when the column has none and the `fallback` order decided. `ambiguous`
    counts the column's text dates that the order decided. `mixed` holds a day-first and a
    month-first value when the column has unambiguous values of both orders: some dates in it
    are surely wrong, and the fallback order reads the ambiguous ones.
    """

    order: DateOrder
    settled_by: str | None
    ambiguous: int
    mixed: tuple[str, str] | None = None
    example: str | None = None  # one of the values the order decided


def _numeric_parts(text: str) -> tuple[int, int] | None:
    """The first two numbers of a numeric text date (after an optional weekday), else None."""
    text = _visible_text(text)
    head = re.match(r"([^\W\d_]+)\.?,?\s+(?=\d)", text)
    if head and head[1].casefold() in _WEEKDAYS:
        text = text[head.end() :]
    match = _NUMERIC.fullmatch(text)
    return (int(match[1]), int(match[3])) if match else None


def infer_date_order(values: Iterable[object], fallback: DateOrder) -> DateOrderFinding | None:
    """The day/month order of one column's numeric text dates, from its unambiguous values.

    A first part of 13-31 can only be a day (day first), a second part of 13-31 only a day
    (month first). A column with no numeric text date that could be read both ways needs no
    order and gives None. Otherwise: the order its unambiguous values show, else `fallback`.
    """
    day_first = month_first = example = None
    ambiguous = 0
    for value in values:
        if not isinstance(value, str):
            continue
        parts = _numeric_parts(value)
        if parts is None:
            continue
        first, second = parts
        if first > 12 and second <= 12:
            day_first = day_first or _visible_text(value)
        elif second > 12 and first <= 12:
            month_first = month_first or _visible_text(value)
        elif first != second and first <= 12 and second <= 12:
            ambiguous += 1
            example = example or _visible_text(value)
    if day_first and month_first:
        return DateOrderFinding(fallback, None, ambiguous, (day_first, month_first), example)
    if not ambiguous:
        return None
    if day_first:
        return DateOrderFinding("DMY", day_first, ambiguous, example=example)
    if month_first:
        return DateOrderFinding("MDY", month_first, ambiguous, example=example)
    return DateOrderFinding(fallback, None, ambiguous, example=example)


def parse_date(
    value: object, *, date_order: DateOrder = "MDY", date1904: bool = False
) -> date | None:
    """The date in a cell, or None when the cell is blank or a placeholder.

    Reads real dates and date-times (the time is dropped), Excel serial numbers in the
    workbook's date system, and text in the common forms: 2026-11-20, 20/11/2026 or
    11/20/2026 (per `date_order`, "MDY" or "DMY"; a day over 12 settles it), 20 Nov 2026,
    Nov 20, 2026, with an optional weekday in front and an optional time after.
    Raises Unreadable for anything else.
    """
    # The common case first: a real date or date-time cell.
    if isinstance(value, date) and value == value and MIN_YEAR <= value.year <= MAX_YEAR:
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, ExcelError):
        raise _error_cell(value, DATE_HINT, fix_formula=True)
    if is_placeholder(value):
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, bool):
        raise Unreadable("unreadable-date", f"TRUE is not a date; {DATE_HINT}")
    elif isinstance(value, int | float):
        return excel_serial_to_date(float(value), date1904=date1904)
    elif isinstance(value, str):
        return _parse_text(value, date_order)
    elif isinstance(value, time):
        raise Unreadable(
            "unreadable-date", f"{value.isoformat()} is a time of day, not a date; {DATE_HINT}"
        )
    else:
        raise Unreadable("unreadable-date", f"{clean_text(value)!r} is not a date; {DATE_HINT}")
    return _make_date(result.year, result.month, result.day, result.isoformat())


# --- yes / no ------------------------------------------------------------------------------

_YES = frozenset({"yes", "y", "true", "x", "✓", "✔", "✅", "☑", "1", "1.0"})
_NO = frozenset({"no", "n", "false", "0", "0.0", "✗", "✘", "☐"})


def parse_yes_no(value: object) -> bool | None:
    """True for yes, y, true, x, ✓, ✔, 1; False for no, n, false, 0; None for blank.

    Raises Unreadable for anything else.
    """
    if isinstance(value, ExcelError):
        raise _error_cell(value, "type yes or no", fix_formula=False)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not _is_nan(value):
        if value in (0, 1):
            return value == 1
        raise Unreadable(
            "unreadable-yes-no", f"{number_text(value)} is not yes or no; type yes or no"
        )
    if isinstance(value, str):
        text = _visible_text(value).casefold()
        if text in _YES:
            return True
        if text in _NO:
            return False
    if is_placeholder(value):
        return None
    raise Unreadable("unreadable-yes-no", f"{clean_text(value)!r} is not yes or no; type yes or no")


# --- contacts ------------------------------------------------------------------------------

_EMAIL_LOCAL_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-"
)
# The same characters as _EMAIL_LOCAL_CHARS (ASCII ranges only: no IGNORECASE, no \w).
_EMAIL_LOCAL_PART = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]*")
_EMAIL_DOMAIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,}"
)
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
# A phone number: optional +, then digits with the usual separators, 7 to 15 digits in all,
# optionally an extension.
_PHONE = re.compile(
    r"(?<![\w@.])(?P<number>\+?\(?\d[\d\s().\-]{5,}\d)"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?(?![\w@])",
    re.IGNORECASE,
)


def find_email(text: object) -> str | None:
    """The first email address in a cell, even inside other text ("Jane - jane@x.com")."""
    if not isinstance(text, str):
        return None
    # Look around each "@" rather than regex-searching from every position (linear time).
    at = text.find("@")
    after_last_at = 0  # "@" is not a local-part character: no local part reaches back past one
    while at != -1:
        # Fast path: the local part usually starts the cell ("jane@x.com") or its last word
        # ("Jane - jane@x.com"); when that whole word is local-part characters, it is where the
        # character-by-character walk below would stop, and a regex checks it at C speed.
        space = text.rfind(" ", after_last_at, at)
        start = space + 1 if space != -1 else after_last_at
        if _EMAIL_LOCAL_PART.fullmatch(text, start, at) is None:
            start = at
            while start > 0 and text[start - 1] in _EMAIL_LOCAL_CHARS:
                start -= 1
        local = text[start:at].lstrip(".")
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if local and domain is not None:
            return f"{local}@{domain[0]}"
        after_last_at = at + 1
        at = text.find("@", after_last_at)
    return None


def find_phone(text: object) -> str | None:
    """The first phone number in a cell (7 to 15 digits), ignoring digits inside emails."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return phone_text(text)
    if is_placeholder(text) or not isinstance(text, str):
        return None
    without_emails = _EMAIL.sub(" ", text) if "@" in text else text
    for match in _PHONE.finditer(without_emails):
        number = match["number"].strip()
        digits = sum(map(str.isdigit, number))
        # "called 2026-11-20" has 8 digits too: a date is not a phone number.
        if 7 <= digits <= 15 and not (_ISO.fullmatch(number) or _NUMERIC.fullmatch(number)):
            return match[0].strip()
    return None


def phone_text(value: object) -> str | None:
    """A phone cell as text: numbers lose the ".0" Excel gives them (5550100.0 -> "5550100")."""
    if is_placeholder(value):
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number_text(value)
    return clean_text(value)
