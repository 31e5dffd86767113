"""The follow-up policy (SPEC section 4): parameters, presets, and the business-day calendar.

The rules read every number from a `Policy`, never from constants, so a user can change the
advice they follow in `followup.toml`. The policy also carries its business-day calendar, built
once and filled one year at a time, because the rules ask it for dates on every row.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib.abc import Traversable
from importlib.resources import files
from pathlib import Path
from typing import Any
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

from batch.model import OutcomeClass
from batch.outcomes import DEFAULT_OUTCOME_WORDS, OutcomeClassifier, OutcomeReading
from batch.values import DATE_ORDERS, DateOrder

# The parameters of the SPEC section 4 table, in the table's order; the presets set exactly these.
PRESET_PARAMETERS: tuple[str, ...] = (
    "checkin_after_days",
    "reminder_after_days",
    "max_reminders",
    "move_on_after_days",
    "after_reply_days",
    "hands_off_days",
    "stale_after_days",
    "min_gap_days",
    "thank_you_grace_days",
    "ask_timeline_in_checkin",
    "voicemail_scripts",
)

# The smallest value of each whole-number parameter: a wait of 0 business days would propose a
# check-in on the day of the thank-you; a gap or a grace of 0 simply turns that rule off.
_MINIMUMS: dict[str, int] = {
    "checkin_after_days": 1,
    "reminder_after_days": 1,
    "max_reminders": 0,
    "move_on_after_days": 1,
    "after_reply_days": 1,
    "hands_off_days": 1,
    "stale_after_days": 0,
    "min_gap_days": 0,
    "thank_you_grace_days": 0,
}
_YES_NO_PARAMETERS = ("ask_timeline_in_checkin", "voicemail_scripts")

# `holidays = "none"` turns public holidays off (weekends only).
NO_HOLIDAYS = "none"


class PolicyError(ValueError):
    """A policy value that cannot be used; the message says what is allowed.

    `parameter` is the policy key at fault and `detail` the message without it, so the config
    loader can name the file and key in its own words.
    """

    def __init__(self, parameter: str, detail: str, *, named: bool = True) -> None:
        super().__init__(f"{parameter} {detail}" if named else detail)
        self.parameter = parameter
        self.detail = detail


class UnknownHolidayCode(PolicyError):
    """A `holidays` code the holidays library does not know."""


class UnknownTimeZone(PolicyError):
    """A `timezone` name the time zone database does not know."""


def _parse_holiday_code(code: str) -> tuple[str, str | None]:
    """'DE-BY' -> ('DE', 'BY'); 'US' -> ('US', None). Raises UnknownHolidayCode."""
    import holidays as holidays_lib  # a heavy import: only when a policy names holidays

    country, _, subdivision = code.strip().partition("-")
    country = country.upper()
    supported: dict[str, list[str]] = holidays_lib.list_supported_countries()
    if country not in supported:
        raise UnknownHolidayCode(
            "holidays",
            f'unknown holiday code "{code}": use a country code such as US, GB or DE, '
            'a country-subdivision code such as DE-BY (ISO 3166), or "none"',
            named=False,
        )
    if not subdivision:
        return country, None
    # Subdivision codes are upper case ("BY"), a few are names ("Augsburg"): match either way.
    by_upper = {name.upper(): name for name in supported[country]}
    if subdivision.upper() not in by_upper:
        known = ", ".join(sorted(supported[country])) or "none"
        raise UnknownHolidayCode(
            "holidays",
            f'unknown subdivision "{subdivision}" in holiday code "{code}": {country} has {known}',
            named=False,
        )
    return country, by_upper[subdivision.upper()]


_MEMO_LIMIT = 200_000  # answers kept per calendar; far more than one tracker's dates


class BusinessCalendar:
    """Business days: Monday to Friday minus the public holidays of one place (or none).

    The holidays of a year are computed the first time a date in that year is asked about, then
    kept, so a run over 100,000 rows costs one set lookup per day stepped over.
    """

    def __init__(self, holiday_code: str | None = None) -> None:
        self.holiday_code = holiday_code
        self._place = _parse_holiday_code(holiday_code) if holiday_code is not None else None
        self._holidays_by_year: dict[int, frozenset[date]] = {}
        # (day, count) -> result: trackers repeat the same few dates, and the rules ask for them
        # on every row of every run.
        self._added: dict[tuple[date, int], date] = {}

    def holidays_in(self, year: int) -> frozenset[date]:
        """The public holidays (including "observed" days off) of a year."""
        cached = self._holidays_by_year.get(year)
        if cached is not None:
            return cached
        days: frozenset[date] = frozenset()
        if self._place is not None:
            import holidays as holidays_lib

            country, subdivision = self._place
            days = frozenset(
                holidays_lib.country_holidays(country, subdiv=subdivision, years=year).keys()
            )
        self._holidays_by_year[year] = days
        return days

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays_in(day.year)

    def next_business_day(self, day: date) -> date:
        """The first business day after `day` (never `day` itself)."""
        if day.weekday() < 4:  # Mon-Thu: tomorrow, unless it is a holiday
            tomorrow = day + timedelta(days=1)
            if tomorrow not in self.holidays_in(tomorrow.year):
                return tomorrow
        candidate = day + timedelta(days=1)
        while not self.is_business_day(candidate):
            candidate += timedelta(days=1)
        return candidate

    def add_business_days(self, day: date, count: int) -> date:
        """The `count`-th business day after `day`.

        count=0 gives `day` when it is a business day, else the next one, so a due date computed
        with it is always a business day. A negative count is a programming error.
        """
        known = self._added.get((day, count))
        if known is not None:
            return known
        if count < 0:
            raise ValueError(f"count must be 0 or more, got {count}")
        if count == 0:
            result = day if self.is_business_day(day) else self.next_business_day(day)
        else:
            result = day
            for _ in range(count):
                result = self.next_business_day(result)
        if len(self._added) >= _MEMO_LIMIT:
            self._added.clear()
        self._added[(day, count)] = result
        return result


@dataclass(frozen=True)
class Policy:
    """Every parameter of the SPEC section 4 table, plus where and how the user lives.

    The defaults are the balanced preset. Construct variants with `dataclasses.replace` or the
    `PRESETS`. Every value is checked here and only here: an invalid one raises `PolicyError`
    naming the parameter (config.py adds the file and key).
    """

    checkin_after_days: int = 5
    reminder_after_days: int = 5
    max_reminders: int = 1
    move_on_after_days: int = 5
    after_reply_days: int = 10
    hands_off_days: int = 10
    stale_after_days: int = 30
    min_gap_days: int = 2
    thank_you_grace_days: int = 3
    ask_timeline_in_checkin: bool = True
    voicemail_scripts: bool = True
    holidays: str | None = None  # "US", "GB", "DE-BY"...; None or "none" = weekends only
    timezone: str | None = None  # IANA name; None = the machine's local zone
    # How to read ambiguous text dates (03/04/2026) in a column with no unambiguous ones.
    date_order: DateOrder = "MDY"
    # The config's `[outcomes]` words, added to the defaults of each class.
    outcome_words: tuple[tuple[OutcomeClass, tuple[str, ...]], ...] = ()
    calendar: BusinessCalendar = field(init=False, repr=False, compare=False)
    outcomes: OutcomeClassifier = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, minimum in _MINIMUMS.items():
            _check_whole_number(name, getattr(self, name), minimum)
        if self.max_reminders > 1:
            # The tracker has one Reminder Sent column, so a second reminder could never be
            # told apart from the first: the tool would propose reminders forever.
            raise PolicyError(
                "max_reminders",
                f"can be 0 or 1: the tracker records one Reminder Sent date (got "
                f"{self.max_reminders})",
            )
        for name in _YES_NO_PARAMETERS:
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise PolicyError(name, f"must be true or false (got {value!r})")
        if self.date_order not in DATE_ORDERS:
            raise PolicyError(
                "date_order",
                f'must be "MDY" (11/20/2026) or "DMY" (20/11/2026), not {self.date_order!r}',
            )
        if self.holidays is not None and not isinstance(self.holidays, str):
            raise PolicyError("holidays", f"must be a text (got {self.holidays!r})")
        if self.timezone is not None:
            if not isinstance(self.timezone, str):
                raise PolicyError("timezone", f"must be a text (got {self.timezone!r})")
            zone_for(self.timezone)  # raises UnknownTimeZone
        holiday_code = self.holidays
        if holiday_code is not None and holiday_code.strip().casefold() == NO_HOLIDAYS:
            holiday_code = None
        object.__setattr__(self, "calendar", BusinessCalendar(holiday_code))
        object.__setattr__(self, "outcomes", OutcomeClassifier(dict(self.outcome_words)))

    def next_business_day(self, day: date) -> date:
        """SPEC's next_bd: the first business day after `day`."""
        return self.calendar.next_business_day(day)

    def add_business_days(self, day: date, count: int) -> date:
        """SPEC's add_bd: the `count`-th business day after `day`."""
        return self.calendar.add_business_days(day, count)

    def words_for(self, outcome_class: OutcomeClass) -> tuple[str, ...]:
        """The words that put an Outcome in a class: the defaults, then the config's."""
        extra = dict(self.outcome_words).get(outcome_class, ())
        return (*DEFAULT_OUTCOME_WORDS[outcome_class], *extra)

    def with_extra_outcomes(self, extra: Mapping[OutcomeClass, list[str]]) -> Policy:
        """This policy with more words per class (the config's `[outcomes]` table)."""
        merged = dict(self.outcome_words)
        for outcome_class, words in extra.items():
            known = {w.casefold() for w in self.words_for(outcome_class)}
            more = tuple(w for w in words if w.casefold() not in known)
            merged[outcome_class] = (*merged.get(outcome_class, ()), *more)
        return replace(self, outcome_words=tuple(merged.items()))

    def read_outcome(self, outcome: str | None) -> OutcomeReading:
        """How the Outcome cell reads: its class and the words that decided it."""
        return self.outcomes.read(outcome)


def _check_whole_number(name: str, value: Any, minimum: int) -> None:
    # bool is an int in Python; "checkin_after_days = true" is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(name, f"must be a whole number, {minimum} or more (got {value!r})")
    if value < minimum:
        raise PolicyError(name, f"must be a whole number, {minimum} or more (got {value})")


PRESETS: dict[str, Policy] = {
    "balanced": Policy(),
    "prompt": Policy(
        checkin_after_days=2,
        reminder_after_days=2,
        max_reminders=1,
        move_on_after_days=3,
        after_reply_days=5,
        hands_off_days=5,
        stale_after_days=30,
        min_gap_days=2,
        thank_you_grace_days=3,
        ask_timeline_in_checkin=False,
        voicemail_scripts=True,
    ),
    "patient": Policy(
        checkin_after_days=10,
        reminder_after_days=5,
        max_reminders=1,
        move_on_after_days=10,
        after_reply_days=10,
        hands_off_days=15,
        stale_after_days=45,
        min_gap_days=2,
        thank_you_grace_days=3,
        ask_timeline_in_checkin=True,
        voicemail_scripts=False,
    ),
}
DEFAULT_PRESET = "balanced"


# Where month-first dates (11/20/2026) are the convention; everywhere else writes the day first
# (or year first, which ISO dates already cover). Canada writes both; its English-language
# software, like the US's, puts the month first.
_MONTH_FIRST_COUNTRIES = frozenset(
    {"US", "AS", "GU", "MP", "PR", "UM", "VI", "CA", "PH", "FM", "MH", "PW"}
)


def date_order_of_country(country: str | None) -> DateOrder | None:
    """The usual order of numeric dates in a country, or None when the country is unknown."""
    if country is None:
        return None
    return "MDY" if country in _MONTH_FIRST_COUNTRIES else "DMY"


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """Time zone name -> ISO country code, from the time zone database's zone.tab."""
    tables: list[Path | Traversable] = [Path(folder) / "zone.tab" for folder in TZPATH]
    with suppress(ModuleNotFoundError):  # the database as a package (Windows has no system copy)
        tables.append(files("tzdata") / "zoneinfo" / "zone.tab")
    for table in tables:
        try:
            text = table.read_text(encoding="utf-8")
        except OSError:
            continue
        countries = {}
        for line in text.splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and not line.startswith("#"):
                countries[parts[2]] = parts[0]
        return countries
    return {}


def country_of_zone(zone_name: str | None) -> str | None:
    """The country of an IANA time zone ("America/New_York" -> "US"), or None when it has none
    ("UTC") or the time zone database does not say."""
    if not zone_name:
        return None
    return _zone_countries().get(zone_name)


def local_zone_name() -> str | None:
    """The IANA name of the machine's time zone, when the machine says it (else None)."""
    named = os.environ.get("TZ", "").lstrip(":")
    if named:
        return named if "/" in named or named == "UTC" else None
    try:
        text = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if text:
            return text
    except OSError:
        pass
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return None
    _, found, name = target.partition("zoneinfo/")
    return name if found and name else None


def zone_for(name: str) -> ZoneInfo:
    """The time zone called `name`, or UnknownTimeZone with a message saying what to use."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZone(
            "timezone",
            f'unknown time zone "{name}": use an IANA name such as "America/New_York", '
            '"Europe/London" or "UTC"',
            named=False,
        ) from error


def today_in(policy: Policy, now: datetime | None = None) -> date:
    """Today's date in the policy's time zone (the machine's local zone when it has none).

    `now` fixes the moment (tests); a naive `now` is taken as the machine's local time, as
    Python does. The rules never read the clock: the caller passes them this date.
    """
    zone = zone_for(policy.timezone) if policy.timezone else None
    moment = now if now is not None else datetime.now(zone)
    return moment.astimezone(zone).date()
