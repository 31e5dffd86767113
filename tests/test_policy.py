"""The policy: presets, the business-day calendar, outcome words, today's date."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch import policy as policy_module
from batch.model import OutcomeClass
from batch.policy import (
    PRESETS,
    BusinessCalendar,
    Policy,
    PolicyError,
    UnknownHolidayCode,
    UnknownTimeZone,
    today_in,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


# SPEC section 4, the preset table, column by column.
SPEC_PRESETS = {
    "balanced": (5, 5, 1, 5, 10, 10, 30, 2, 3, True, True),
    "prompt": (2, 2, 1, 3, 5, 5, 30, 2, 3, False, True),
    "patient": (10, 5, 1, 10, 10, 15, 45, 2, 3, True, False),
}


@pytest.mark.parametrize("name", SPEC_PRESETS)
def test_presets_have_the_spec_values(name: str) -> None:
    preset = PRESETS[name]
    assert (
        preset.checkin_after_days,
        preset.reminder_after_days,
        preset.max_reminders,
        preset.move_on_after_days,
        preset.after_reply_days,
        preset.hands_off_days,
        preset.stale_after_days,
        preset.min_gap_days,
        preset.thank_you_grace_days,
        preset.ask_timeline_in_checkin,
        preset.voicemail_scripts,
    ) == SPEC_PRESETS[name]
    assert preset.holidays is None and preset.timezone is None and preset.date_order == "MDY"


def test_the_default_policy_is_balanced() -> None:
    assert Policy() == PRESETS["balanced"]
    assert set(PRESETS) == {"balanced", "prompt", "patient"}


@pytest.mark.parametrize(
    ("holidays", "day", "next_day"),
    [
        (None, "2026-11-19", "2026-11-20"),  # Thu -> Fri
        (None, "2026-11-20", "2026-11-23"),  # Fri -> Mon
        (None, "2026-11-21", "2026-11-23"),  # Sat -> Mon
        (None, "2026-11-25", "2026-11-26"),  # no holidays: Thanksgiving is a business day
        ("US", "2026-11-25", "2026-11-27"),  # Wed -> Fri over Thanksgiving
        ("US", "2026-12-24", "2026-12-28"),  # Christmas Fri, then the weekend
        ("GB", "2026-12-24", "2026-12-29"),  # Christmas and Boxing Day (observed Mon 28)
        ("DE", "2026-01-05", "2026-01-06"),  # Epiphany is not a holiday in all of Germany
        ("DE-BY", "2026-01-05", "2026-01-07"),  # but it is in Bavaria
        ("de-by", "2026-01-05", "2026-01-07"),  # codes are read in any case
    ],
)
def test_next_business_day(holidays: str | None, day: str, next_day: str) -> None:
    assert Policy(holidays=holidays).next_business_day(d(day)) == d(next_day)


@pytest.mark.parametrize(
    ("holidays", "day", "count", "result"),
    [
        (None, "2026-11-12", 5, "2026-11-19"),  # SPEC's worked example
        (None, "2026-11-13", 5, "2026-11-20"),  # Fri + 5 = next Fri
        (None, "2026-11-14", 1, "2026-11-16"),  # from a Saturday
        (None, "2026-11-19", 5, "2026-11-26"),
        ("US", "2026-11-19", 5, "2026-11-27"),  # Thanksgiving skipped
        (None, "2026-11-21", 0, "2026-11-23"),  # 0 from a weekend day: the next business day
        (None, "2026-11-19", 0, "2026-11-19"),  # 0 from a business day: the day itself
        (None, "2026-12-28", 5, "2027-01-04"),  # across a year end
        ("US", "2026-12-28", 5, "2027-01-05"),  # ... and New Year's Day
    ],
)
def test_add_business_days(holidays: str | None, day: str, count: int, result: str) -> None:
    assert Policy(holidays=holidays).add_business_days(d(day), count) == d(result)


def test_add_business_days_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError):
        Policy().add_business_days(d("2026-11-19"), -1)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=20),
    st.sampled_from([None, "US", "GB", "DE-BY"]),
)
def test_add_business_days_counts_business_days(start: date, count: int, code: str | None) -> None:
    calendar = _CALENDARS[code]
    result = calendar.add_business_days(start, count)
    assert calendar.is_business_day(result)
    between = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(calendar.is_business_day(day) for day in between) == count
    assert calendar.next_business_day(start) == calendar.add_business_days(start, 1)


_CALENDARS = {code: BusinessCalendar(code) for code in (None, "US", "GB", "DE-BY")}


def test_holidays_are_computed_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    import holidays as holidays_lib

    calls: list[int] = []
    real = holidays_lib.country_holidays

    def counting(country: str, subdiv: str | None = None, years: int = 0) -> object:
        calls.append(years)
        return real(country, subdiv=subdiv, years=years)

    monkeypatch.setattr(holidays_lib, "country_holidays", counting)
    calendar = BusinessCalendar("US")
    assert calls == []  # nothing is computed before it is needed
    for offset in range(400):
        calendar.is_business_day(date(2026, 1, 1) + timedelta(days=offset))
    assert calls == [2026, 2027]
    assert date(2026, 11, 26) in calendar.holidays_in(2026)
    assert date(2026, 7, 3) in calendar.holidays_in(2026)  # "observed" days off count


def test_weekends_only_without_holidays() -> None:
    calendar = BusinessCalendar(None)
    assert calendar.holidays_in(2026) == frozenset()
    assert calendar.is_business_day(d("2026-12-25"))
    assert not calendar.is_business_day(d("2026-12-26"))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XX", 'unknown holiday code "XX"'),
        ("DE-ZZ", 'unknown subdivision "ZZ"'),
        ("", 'unknown holiday code ""'),
    ],
)
def test_unknown_holiday_codes_are_clear_errors(code: str, message: str) -> None:
    with pytest.raises(UnknownHolidayCode, match=message):
        Policy(holidays=code)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"checkin_after_days": 0}, "checkin_after_days must be a whole number, 1 or more"),
        ({"reminder_after_days": -2}, "reminder_after_days"),
        ({"hands_off_days": 2.5}, "hands_off_days"),
        ({"move_on_after_days": True}, "move_on_after_days"),
        ({"stale_after_days": -1}, "stale_after_days must be a whole number, 0 or more"),
        ({"max_reminders": 2}, "max_reminders can be 0 or 1"),
        ({"voicemail_scripts": "yes"}, "voicemail_scripts must be true or false"),
        ({"date_order": "YMD"}, "date_order"),
        ({"min_gap_days": -1}, "min_gap_days must be a whole number, 0 or more"),
        ({"thank_you_grace_days": 1.5}, "thank_you_grace_days"),
    ],
)
def test_bad_policy_values_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        replace(Policy(), **change)


def test_a_policy_is_a_hashable_value() -> None:
    assert Policy(holidays="US") == Policy(holidays="US")
    assert hash(Policy(holidays="US")) == hash(Policy(holidays="US"))
    assert Policy(holidays="US") != Policy()


def test_remembered_outcomes_belong_to_their_policy() -> None:
    """Each policy remembers its readings; a policy with more words starts afresh."""
    balanced = Policy()
    assert balanced.read_outcome("Parked").understood is False
    extended = balanced.with_extra_outcomes({OutcomeClass.PAUSED: ["parked"]})
    assert extended.read_outcome("Parked").outcome_class is OutcomeClass.PAUSED
    assert balanced.read_outcome("Parked").understood is False
    assert extended.words_for(OutcomeClass.PAUSED)[-1] == "parked"
    # A word already known is not added twice.
    assert extended.with_extra_outcomes({OutcomeClass.PAUSED: ["Parked"]}) == extended
    # What a policy remembers is not part of what it is.
    assert balanced == Policy() and hash(balanced) == hash(Policy())


def test_policy_errors_name_the_parameter() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy(min_gap_days=-1)
    assert caught.value.parameter == "min_gap_days"
    assert caught.value.detail == "must be a whole number, 0 or more (got -1)"
    with pytest.raises(PolicyError) as caught:
        Policy(holidays="XX")
    assert caught.value.parameter == "holidays"


@pytest.mark.parametrize(
    ("timezone", "now", "today"),
    [
        ("America/New_York", datetime(2026, 11, 23, 2, 0, tzinfo=UTC), "2026-11-22"),
        ("Asia/Tokyo", datetime(2026, 11, 23, 2, 0, tzinfo=UTC), "2026-11-23"),
        ("Asia/Tokyo", datetime(2026, 11, 22, 16, 0, tzinfo=UTC), "2026-11-23"),
        ("UTC", datetime(2026, 11, 22, 23, 59, tzinfo=UTC), "2026-11-22"),
    ],
)
def test_today_follows_the_policy_time_zone(timezone: str, now: datetime, today: str) -> None:
    assert today_in(Policy(timezone=timezone), now) == d(today)


def test_today_without_a_time_zone_is_the_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime(2026, 11, 23, 12, 0)  # naive: the machine's local time
    assert today_in(Policy(), now) == d("2026-11-23")
    assert today_in(Policy()) == datetime.now().astimezone().date()


def test_unknown_time_zone_is_a_clear_error() -> None:
    with pytest.raises(UnknownTimeZone, match='unknown time zone "Mars/Base"'):
        Policy(timezone="Mars/Base")
    with pytest.raises(UnknownTimeZone):
        policy_module.zone_for("../etc/passwd")
