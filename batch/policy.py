"""The follow-up policy (SPEC section 4): parameters, presets, and the business-day calendar.

The rules read every number from a `Policy`, never from constants, so a user can change the
advice they follow in `followup.toml`. The policy also carries its business-day calendar, built
once and filled one year at a time, because the rules ask it for dates on every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DateOrder = Literal["MDY", "DMY"]
OutcomeKind = Literal["offer", "rejected", "withdrawn", "closed"]

# The kinds of outcome, in the order they win when a text matches more than one: the negative
# words qualify "offer" ("Offer declined" was not taken, "Withdrew after offer" was withdrawn),
# and "closed" is the catch-all ("Closed - hired" is an offer).
OUTCOME_KINDS: tuple[OutcomeKind, ...] = ("withdrawn", "rejected", "offer", "closed")

# SPEC section 3, "Outcome keywords".
DEFAULT_OUTCOME_KEYWORDS: tuple[tuple[OutcomeKind, tuple[str, ...]], ...] = (
    ("offer", ("offer", "accepted", "hired")),
    ("rejected", ("reject", "declined", "not selected", "position filled")),
    ("withdrawn", ("withdrawn", "withdrew")),
    ("closed", ("closed",)),
)

# The parameters of the SPEC section 4 table, in the table's order; the presets set exactly these.
PRESET_PARAMETERS: tuple[str, ...] = (
    "checkin_after_days",
    "reminder_after_days",
    "max_reminders",
    "move_on_after_days",
    "after_reply_days",
    "hands_off_days",
    "stale_after_days",
    "ask_timeline_in_checkin",
    "voicemail_scripts",
)


class PolicyError(ValueError):
    """A policy value that cannot be used; the message says what is allowed."""


class UnknownHolidayCode(PolicyError):
    """A `holidays` code the holidays library does not know."""


class UnknownTimeZone(PolicyError):
    """A `timezone` name the time zone database does not know."""


def _parse_holiday_code(code: str) -> tuple[str, str | None]:
    """'DE-BY' -> ('DE', 'BY'); 'US' -> ('US', None). Raises UnknownHolidayCode."""
    import holidays as holidays_lib  # heavy (~0.1 s): only when a policy names holidays

    country, _, subdivision = code.strip().partition("-")
    country = country.upper()
    supported: dict[str, list[str]] = holidays_lib.list_supported_countries()
    if country not in supported:
        raise UnknownHolidayCode(
            f'unknown holiday code "{code}": use a country code such as US, GB or DE, '
            "or a country-subdivision code such as DE-BY (ISO 3166)"
        )
    if not subdivision:
        return country, None
    # Subdivision codes are upper case ("BY"), a few are names ("Augsburg"): match either way.
    by_upper = {name.upper(): name for name in supported[country]}
    if subdivision.upper() not in by_upper:
        known = ", ".join(sorted(supported[country])) or "none"
        raise UnknownHolidayCode(
            f'unknown subdivision "{subdivision}" in holiday code "{code}": {country} has {known}'
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


def _keyword_pattern(keywords: tuple[tuple[OutcomeKind, tuple[str, ...]], ...]) -> re.Pattern[str]:
    """One regex with a named group per kind, matching a keyword at the start of a word.

    A keyword matches at a word start and may run on ("reject" finds "Rejected", "offer" finds
    "Offered"), but not inside a word ("closed" does not find "disclosed"). Spaces in a keyword
    match any run of spaces, hyphens or underscores ("not-selected").
    """
    groups = []
    by_kind = dict(keywords)
    for kind in OUTCOME_KINDS:
        words = sorted(by_kind.get(kind, ()), key=len, reverse=True)
        if not words:
            continue
        alternatives = "|".join(
            r"[\s_\-]+".join(re.escape(part) for part in word.split()) for word in words
        )
        groups.append(rf"(?P<{kind}>(?<![^\W_])(?:{alternatives}))")
    if not groups:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(groups), re.IGNORECASE)


@dataclass(frozen=True)
class Policy:
    """Every parameter of the SPEC section 4 table, plus where and how the user lives.

    The defaults are the balanced preset. Construct variants with `dataclasses.replace` or the
    `PRESETS`; an invalid value raises `PolicyError` (config.py names the file and key).
    """

    checkin_after_days: int = 5
    reminder_after_days: int = 5
    max_reminders: int = 1
    move_on_after_days: int = 5
    after_reply_days: int = 10
    hands_off_days: int = 10
    stale_after_days: int = 30
    ask_timeline_in_checkin: bool = True
    voicemail_scripts: bool = True
    holidays: str | None = None  # "US", "GB", "DE-BY"...; None = weekends only
    timezone: str | None = None  # IANA name; None = the machine's local zone
    date_order: DateOrder = "MDY"
    outcome_keywords: tuple[tuple[OutcomeKind, tuple[str, ...]], ...] = DEFAULT_OUTCOME_KEYWORDS
    calendar: BusinessCalendar = field(init=False, repr=False, compare=False)
    _outcome_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    # Outcome text -> its kind: a tracker repeats the same few outcome words on every row.
    _outcome_kinds: dict[str, OutcomeKind | None] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for name in (
            "checkin_after_days",
            "reminder_after_days",
            "move_on_after_days",
            "after_reply_days",
            "hands_off_days",
        ):
            _check_whole_number(name, getattr(self, name), minimum=1)
        _check_whole_number("stale_after_days", self.stale_after_days, minimum=0)
        _check_whole_number("max_reminders", self.max_reminders, minimum=0)
        if self.max_reminders > 1:
            # The tracker has one Reminder Sent column, so a second reminder could never be
            # told apart from the first: the tool would propose reminders forever.
            raise PolicyError(
                "max_reminders can be 0 or 1: the tracker records one Reminder Sent date"
            )
        for name in ("ask_timeline_in_checkin", "voicemail_scripts"):
            if not isinstance(getattr(self, name), bool):
                raise PolicyError(f"{name} must be true or false")
        if self.date_order not in ("MDY", "DMY"):
            raise PolicyError(f'date_order must be "MDY" or "DMY", not "{self.date_order}"')
        if self.timezone is not None:
            zone_for(self.timezone)  # raises UnknownTimeZone
        object.__setattr__(self, "calendar", BusinessCalendar(self.holidays))
        object.__setattr__(self, "_outcome_pattern", _keyword_pattern(self.outcome_keywords))

    def next_business_day(self, day: date) -> date:
        """SPEC's next_bd: the first business day after `day`."""
        return self.calendar.next_business_day(day)

    def add_business_days(self, day: date, count: int) -> date:
        """SPEC's add_bd: the `count`-th business day after `day`."""
        return self.calendar.add_business_days(day, count)

    def keywords_for(self, kind: OutcomeKind) -> tuple[str, ...]:
        return dict(self.outcome_keywords).get(kind, ())

    def with_extra_outcomes(self, extra: dict[OutcomeKind, list[str]]) -> Policy:
        """This policy with more keywords per kind (the config's `[outcomes]` table)."""
        merged: list[tuple[OutcomeKind, tuple[str, ...]]] = []
        for kind, words in self.outcome_keywords:
            more = [w for w in extra.get(kind, []) if w.lower() not in {x.lower() for x in words}]
            merged.append((kind, (*words, *more)))
        return replace(self, outcome_keywords=tuple(merged))

    def outcome_of(self, outcome: str | None) -> OutcomeKind | None:
        """The kind of closed outcome a free-text Outcome cell says, or None (row still open)."""
        if not outcome:
            return None
        if outcome in self._outcome_kinds:
            return self._outcome_kinds[outcome]
        kind = self._outcome_kind(outcome)
        if len(self._outcome_kinds) < _MEMO_LIMIT:
            self._outcome_kinds[outcome] = kind
        return kind

    def _outcome_kind(self, outcome: str) -> OutcomeKind | None:
        matched = {
            kind
            for found in self._outcome_pattern.finditer(outcome)
            for kind, text in found.groupdict().items()
            if text is not None
        }
        for kind in OUTCOME_KINDS:
            if kind in matched:
                return kind
        return None


def _check_whole_number(name: str, value: Any, minimum: int) -> None:
    # bool is an int in Python; "checkin_after_days = true" is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicyError(f"{name} must be a whole number, {minimum} or more (got {value!r})")


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
        ask_timeline_in_checkin=True,
        voicemail_scripts=False,
    ),
}
DEFAULT_PRESET = "balanced"


def zone_for(name: str) -> ZoneInfo:
    """The time zone called `name`, or UnknownTimeZone with a message saying what to use."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZone(
            f'unknown time zone "{name}": use an IANA name such as "America/New_York", '
            '"Europe/London" or "UTC"'
        ) from error


def today_in(policy: Policy, now: datetime | None = None) -> date:
    """Today's date in the policy's time zone (the machine's local zone when it has none).

    `now` fixes the moment (tests); a naive `now` is taken as the machine's local time, as
    Python does. The rules never read the clock: the caller passes them this date.
    """
    zone = zone_for(policy.timezone) if policy.timezone else None
    moment = now if now is not None else datetime.now(zone)
    return moment.astimezone(zone).date()
