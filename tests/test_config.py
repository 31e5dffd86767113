"""followup.toml: defaults, presets, overrides and their sources, and every kind of mistake."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from batch.config import Config, ConfigError, describe_policy, load_config
from batch.model import FileProblem, OutcomeClass, Sender
from batch.policy import PRESETS, today_in


def write(folder: Path, text: str, name: str = "followup.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_all_defaults(tmp_path: Path) -> None:
    config = load_config(None, tmp_path / "tracker.xlsx")
    assert config.policy == PRESETS["balanced"]
    assert config.path is None
    assert config.sender == Sender()
    assert config.columns == {}
    assert config.drafts_folder == "drafts"
    assert config.templates is None
    assert config.sources["checkin_after_days"] == "preset balanced"
    # The tests run as on a machine set to UTC, which has no country: no holidays, month first.
    assert config.sources["holidays"].startswith("default")
    assert load_config(None, None).policy == PRESETS["balanced"]


def test_found_next_to_the_tracker(tmp_path: Path) -> None:
    path = write(tmp_path, "[policy]\ncheckin_after_days = 3\n")
    config = load_config(None, tmp_path / "tracker.xlsx")
    assert config.path == path
    assert config.policy.checkin_after_days == 3
    # Not in the working directory or anywhere else: only beside the tracker.
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    assert load_config(None, elsewhere / "tracker.xlsx").path is None


def test_a_named_file_wins_over_the_one_next_to_the_tracker(tmp_path: Path) -> None:
    write(tmp_path, "[policy]\ncheckin_after_days = 3\n")
    named = write(tmp_path, "[policy]\ncheckin_after_days = 7\n", "coach.toml")
    config = load_config(named, tmp_path / "tracker.xlsx")
    assert config.path == named and config.policy.checkin_after_days == 7


def test_a_named_file_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as error:
        load_config(missing, None)
    assert str(missing) in str(error.value) and "not found" in str(error.value)
    assert isinstance(error.value, FileProblem)


@pytest.mark.parametrize("preset", ["balanced", "prompt", "patient"])
def test_each_preset(tmp_path: Path, preset: str) -> None:
    path = write(tmp_path, f'[policy]\npreset = "{preset}"\n')
    config = load_config(path, None)
    assert config.policy == PRESETS[preset]
    assert config.sources["checkin_after_days"] == f"preset {preset}"
    assert config.sources["voicemail_scripts"] == f"preset {preset}"


def test_overrides_and_their_sources(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[policy]
preset = "patient"
holidays = "DE-BY"
timezone = "Europe/Berlin"
date_order = "DMY"
checkin_after_days = 7
voicemail_scripts = true
stale_after_days = 0
max_reminders = 0

[sender]
name = "Alex Morgan"
email = "alex@example.com"
phone = "+1 555 0100"

[columns]
"DATE " = "interview_date"
Recruiter = "contact_name"

[outcomes]
closed = ["ghosted"]
offer = ["verbal yes"]

[drafts]
folder = "out/drafts"
templates = "my-templates"
salutation = "formal"
voicemail_thank_you = true
""",
    )
    config = load_config(path, None)
    policy = config.policy
    assert (policy.checkin_after_days, policy.reminder_after_days) == (7, 5)
    assert policy.hands_off_days == 15  # from the preset
    assert policy.voicemail_scripts is True and policy.stale_after_days == 0
    assert policy.max_reminders == 0
    assert (policy.holidays, policy.timezone, policy.date_order) == (
        "DE-BY",
        "Europe/Berlin",
        "DMY",
    )
    # A word the user adds wins over the class it has by default.
    assert policy.read_outcome("Ghosted").outcome_class is OutcomeClass.CLOSED
    assert policy.read_outcome("Verbal yes!").outcome_class is OutcomeClass.OFFER
    assert config.sender == Sender("Alex Morgan", "alex@example.com", "+1 555 0100")
    assert config.columns == {"DATE ": "interview_date", "Recruiter": "contact_name"}
    assert config.drafts_folder == "out/drafts"
    assert config.templates == (tmp_path / "my-templates").resolve()
    assert config.salutation == "formal" and config.voicemail_thank_you is True
    assert config.sources["checkin_after_days"] == f"{path}:policy.checkin_after_days"
    assert config.sources["hands_off_days"] == "preset patient"
    assert config.sources["holidays"] == f"{path}:policy.holidays"
    assert config.sources["outcomes.closed"] == f"default + {path}:outcomes.closed"
    assert config.sources["outcomes.rejected"] == "default"


def test_sources_use_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "[policy]\ncheckin_after_days = 4\n")
    config = load_config(None, Path("tracker.xlsx"))
    assert config.sources["checkin_after_days"] == "followup.toml:policy.checkin_after_days"


def test_a_phone_number_without_quotes_is_still_a_phone_number(tmp_path: Path) -> None:
    path = write(tmp_path, "[sender]\nphone = 5550100\n")
    assert load_config(path, None).sender.phone == "5550100"


def test_describe_policy(tmp_path: Path) -> None:
    path = write(tmp_path, '[policy]\npreset = "prompt"\nhands_off_days = 6\n')
    rows = describe_policy(load_config(path, None))
    by_name = {name: (value, source) for name, value, source in rows}
    assert by_name["checkin_after_days"] == ("2", "preset prompt")
    assert by_name["hands_off_days"] == ("6", f"{path}:policy.hands_off_days")
    assert by_name["ask_timeline_in_checkin"] == ("no", "preset prompt")
    assert by_name["holidays"][0] == "none"
    assert by_name["holidays"][1].startswith("default")
    assert by_name["date_order"][0] == "MDY"
    assert by_name["min_gap_days"] == ("2", "preset prompt")
    assert by_name["thank_you_grace_days"] == ("3", "preset prompt")
    assert by_name["outcomes.offer"][0].startswith("offer, offered, ")
    assert by_name["outcomes.ghosted"][1] == "default"
    # every parameter of the SPEC section 4 table is listed, in the table's order
    assert [name for name, _, _ in rows[:11]] == [
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
    ]
    assert describe_policy(Config())[0] == ("checkin_after_days", "5", "preset balanced")


BAD = [
    # (file text, key named in the message, words the message must say)
    ("colour = 1\n", "colour", "unknown table"),
    ("[style]\nx = 1\n", "style", "unknown table"),
    ("[policy]\ncheckin_days = 3\n", "policy.checkin_days", "unknown key"),
    ("[sender]\nsignature = 'x'\n", "sender.signature", "unknown key"),
    ("[drafts]\ndir = 'x'\n", "drafts.dir", "unknown key"),
    ("[outcomes]\nmaybe = ['x']\n", "outcomes.maybe", "unknown key"),
    ("policy = 3\n", "policy", "must be a table"),
    ("[policy]\ncheckin_after_days = -1\n", "policy.checkin_after_days", "1 or more"),
    ("[policy]\ncheckin_after_days = 0\n", "policy.checkin_after_days", "1 or more"),
    ("[policy]\nreminder_after_days = 2.5\n", "policy.reminder_after_days", "whole number"),
    ("[policy]\nafter_reply_days = '10'\n", "policy.after_reply_days", "whole number"),
    ("[policy]\nhands_off_days = true\n", "policy.hands_off_days", "whole number"),
    ("[policy]\nstale_after_days = -5\n", "policy.stale_after_days", "0 or more"),
    ("[policy]\nmax_reminders = 2\n", "policy.max_reminders", "0 or 1"),
    ("[policy]\nvoicemail_scripts = 'yes'\n", "policy.voicemail_scripts", "true or false"),
    ("[policy]\nask_timeline_in_checkin = 1\n", "policy.ask_timeline_in_checkin", "true or false"),
    ("[policy]\npreset = 'fast'\n", "policy.preset", "balanced, prompt, patient"),
    ("[policy]\npreset = 1\n", "policy.preset", "balanced, prompt, patient"),
    ("[policy]\nholidays = 'XX'\n", "policy.holidays", "country code"),
    ("[policy]\nholidays = 'DE-ZZ'\n", "policy.holidays", "BY"),
    ("[policy]\nholidays = ''\n", "policy.holidays", "non-empty"),
    ("[policy]\nholidays = 1\n", "policy.holidays", "text"),
    ("[policy]\ntimezone = 'Mars/Base'\n", "policy.timezone", "IANA name"),
    ("[policy]\ntimezone = '../../etc/passwd'\n", "policy.timezone", "IANA name"),
    ("[policy]\ndate_order = 'YMD'\n", "policy.date_order", '"MDY"'),
    ("[policy]\nmin_gap_days = -1\n", "policy.min_gap_days", "0 or more"),
    ("[policy]\nthank_you_grace_days = 'three'\n", "policy.thank_you_grace_days", "whole number"),
    ("[columns]\n'DATE ' = 'date'\n", 'columns."DATE "', "interview_date"),
    ("[columns]\nStatus = 'Follow-up Status'\n", "columns.Status", "unknown field"),
    ("[columns]\nWhen = 3\n", "columns.When", "unknown field"),
    ("[outcomes]\nclosed = 'ghosted'\n", "outcomes.closed", "list of words"),
    ("[outcomes]\nclosed = ['']\n", "outcomes.closed", "list of words"),
    ("[sender]\nname = ['A']\n", "sender.name", "text"),
    ("[drafts]\nfolder = 3\n", "drafts.folder", "text"),
    ("[drafts]\nsalutation = 'Mr'\n", "drafts.salutation", '"formal"'),
    ("[candidates]\nSam = 'x'\n", "candidates.Sam", "must be a table"),
    ("[candidates.Sam]\nfax = '1'\n", "candidates.Sam.fax", "unknown key"),
    ("[candidates.Sam]\nemail = 3\n", "candidates.Sam.email", "text"),
    ("[drafts]\nvoicemail_thank_you = 'yes'\n", "drafts.voicemail_thank_you", "true or false"),
]


@pytest.mark.parametrize(("text", "key", "says"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_values_name_the_file_and_the_key(
    tmp_path: Path, text: str, key: str, says: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, None)
    message = str(error.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert says in message
    assert "\n" not in message


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[policy\npreset = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, None)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "followup.toml"
    path.write_bytes(b'[sender]\nname = "Ren\xe9"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(path, None)


def test_a_bad_file_next_to_the_tracker_is_an_error_too(tmp_path: Path) -> None:
    write(tmp_path, "[policy]\npreset = 'fast'\n")
    with pytest.raises(ConfigError, match=r"policy\.preset"):
        load_config(None, tmp_path / "tracker.xlsx")


def test_the_config_time_zone_decides_today(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    new_york = load_config(write(tmp_path, "[policy]\ntimezone = 'America/New_York'\n"), None)
    tokyo = load_config(write(tmp_path, "[policy]\ntimezone = 'Asia/Tokyo'\n", "t.toml"), None)
    assert today_in(new_york.policy, now) == date(2026, 11, 22)
    assert today_in(tokyo.policy, now) == date(2026, 11, 23)


# Issue 13, item 9: holidays by default, from the time zone's country.
HOLIDAYS_BY_DEFAULT = [
    # (config text, machine TZ, holidays, the source says)
    ("[policy]\ntimezone = 'America/New_York'\n", "UTC", "US", "US, from the time zone"),
    ("[policy]\ntimezone = 'Europe/Berlin'\n", "UTC", "DE", "DE, from the time zone"),
    ("", "America/Chicago", "US", "US, from the machine's time zone America/Chicago"),
    ("[policy]\ntimezone = 'UTC'\n", "America/Chicago", None, "default: the time zone UTC"),
    ("[policy]\ntimezone = 'America/New_York'\nholidays = 'none'\n", "UTC", "none", "weekends"),
    ("[policy]\ntimezone = 'America/New_York'\nholidays = 'GB'\n", "UTC", "GB", "policy.holidays"),
]


@pytest.mark.parametrize(("text", "machine", "holidays", "source"), HOLIDAYS_BY_DEFAULT)
def test_holidays_by_default(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    machine: str,
    holidays: str | None,
    source: str,
) -> None:
    monkeypatch.setenv("TZ", machine)
    config = load_config(write(tmp_path, text), None)
    assert config.policy.holidays == holidays
    assert source in config.sources["holidays"]
    by_name = {name: (value, where) for name, value, where in describe_policy(config)}
    assert by_name["holidays"] == (holidays or "none", config.sources["holidays"])


def test_holidays_by_default_skip_thanksgiving(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[policy]\ntimezone = 'America/New_York'\n"), None)
    assert not config.policy.calendar.is_business_day(date(2026, 11, 26))
    off = load_config(
        write(tmp_path, "[policy]\ntimezone = 'America/New_York'\nholidays = 'none'\n", "o.toml"),
        None,
    )
    assert off.policy.calendar.is_business_day(date(2026, 11, 26))


@pytest.mark.parametrize(
    ("text", "order", "source"),
    [
        ("[policy]\ntimezone = 'Europe/London'\n", "DMY", "the convention in GB"),
        ("[policy]\ntimezone = 'America/New_York'\n", "MDY", "the convention in US"),
        ("[policy]\ntimezone = 'Europe/London'\ndate_order = 'MDY'\n", "MDY", "date_order"),
        ("[policy]\ntimezone = 'UTC'\n", "MDY", "default"),
    ],
)
def test_date_order_by_default_from_the_time_zone(
    tmp_path: Path, text: str, order: str, source: str
) -> None:
    config = load_config(write(tmp_path, text), None)
    assert config.policy.date_order == order
    assert source in config.sources["date_order"]


def test_candidates_tables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[candidates."Sam  Rivera"]\nemail = "sam@rivera.example"\nphone = 5550111\n'
        "[candidates.Lee]\n",
    )
    config = load_config(path, None)
    assert config.candidates == {
        "Sam Rivera": Sender("Sam Rivera", "sam@rivera.example", "5550111"),
        "Lee": Sender("Lee", None, None),
    }


def test_followup_rules_says_where_the_holidays_come_from(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from batch.cli import main

    path = write(tmp_path, "[policy]\ntimezone = 'America/New_York'\n")
    result = CliRunner().invoke(main, ["rules", "--config", str(path)])
    lines = {line.split()[0]: " ".join(line.split()[1:]) for line in result.output.splitlines()}
    assert lines["holidays"] == "US US, from the time zone America/New_York"
    assert lines["date_order"].startswith("MDY the convention in US")
    assert lines["min_gap_days"] == "2 preset balanced"
    assert lines["thank_you_grace_days"] == "3 preset balanced"
    assert lines["outcomes.paused"].startswith("on hold, hold, paused")
