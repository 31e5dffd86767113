"""Test-wide settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _machine_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test as on a machine set to UTC.

    Without a time zone in the config, followup takes holidays and the date order from the
    machine's time zone (a New York machine gets US holidays); tests must not depend on
    where they run. Tests about that choice set TZ themselves.
    """
    monkeypatch.setenv("TZ", "UTC")
