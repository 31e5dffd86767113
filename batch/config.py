"""Loading `followup.toml` (SPEC section 2): the policy, the sender, column names, drafts.

Strict on purpose: a misspelt key would otherwise be ignored silently and the user would follow
up on the wrong day without knowing why. Every problem is one `ConfigError` naming the file and
the key, and saying what is allowed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from batch.model import DEFAULT_HEADERS, FileProblem, OutcomeClass, Sender
from batch.names import SALUTATION_FORMS, SalutationForm
from batch.policy import (
    DEFAULT_PRESET,
    NO_HOLIDAYS,
    PRESET_PARAMETERS,
    PRESETS,
    Policy,
    PolicyError,
    country_of_zone,
    date_order_of_country,
    local_zone_name,
)

CONFIG_NAME = "followup.toml"

_TABLES = ("policy", "sender", "candidates", "columns", "outcomes", "drafts")
_POLICY_KEYS = ("preset", "holidays", "timezone", "date_order", *PRESET_PARAMETERS)
_SENDER_KEYS = ("name", "email", "phone")
_DRAFTS_KEYS = ("folder", "templates", "salutation", "voicemail_thank_you")
_OUTCOME_KEYS: tuple[str, ...] = tuple(outcome_class.value for outcome_class in OutcomeClass)


class ConfigError(FileProblem):
    """A config file that cannot be used: missing, not TOML, an unknown key or a bad value."""


@dataclass(frozen=True)
class Config:
    """Everything a run takes from `followup.toml` (all defaults when there is none)."""

    policy: Policy = field(default_factory=lambda: PRESETS[DEFAULT_PRESET])
    # policy parameter -> where its value came from: "preset balanced", "default", or
    # "<file>:<table>.<key>" such as "followup.toml:policy.checkin_after_days"
    sources: dict[str, str] = field(default_factory=dict)
    sender: Sender = field(default_factory=Sender)
    # candidate name -> their email and phone, for trackers that hold several candidates
    candidates: dict[str, Sender] = field(default_factory=dict)
    # a header as written in the tracker -> the SPEC section 3 field it holds
    columns: dict[str, str] = field(default_factory=dict)
    drafts_folder: str = "drafts"  # relative to the tracker
    templates: Path | None = None  # resolved against the config file's folder
    salutation: SalutationForm = "first"  # "Dear Priya," or, formal, "Dear Ms. Rao,"
    voicemail_thank_you: bool = False  # a voicemail script for a thank-you too
    path: Path | None = None  # the file used, None when there was none


def load_config(config_path: Path | None, tracker_path: Path | None) -> Config:
    """The config named with --config, else `followup.toml` next to the tracker, else defaults.

    A named file must exist; the file next to the tracker is optional.
    """
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(
                config_path, "config file not found: check the --config path or leave it out"
            )
        return _load_file(config_path)
    if tracker_path is not None:
        beside = tracker_path.parent / CONFIG_NAME
        if beside.is_file():
            return _load_file(beside)
    policy, sources = _with_place_defaults(
        PRESETS[DEFAULT_PRESET], _preset_sources(DEFAULT_PRESET), set()
    )
    return Config(policy=policy, sources=sources)


def _with_place_defaults(
    policy: Policy, sources: dict[str, str], given: set[str]
) -> tuple[Policy, dict[str, str]]:
    """Holidays and the date order the file did not set, from the time zone's country.

    A job seeker in New York expects no check-in on Thanksgiving and reads 03/11/2026 as
    March 11; one in London expects neither. The zone is the config's, else the machine's.
    """
    zone = policy.timezone or local_zone_name()
    country = country_of_zone(zone)
    where = f"the time zone {zone}" if policy.timezone else f"the machine's time zone {zone}"
    changes: dict[str, Any] = {}
    if "holidays" not in given:
        if country is not None and _has_holidays(country):
            changes["holidays"] = country
            sources["holidays"] = f"{country}, from {where}"
        else:
            sources["holidays"] = (
                f"default: {where} has no country"
                if zone
                else "default: the machine's time zone is not known"
            )
    if "date_order" not in given:
        order = date_order_of_country(country)
        if order is not None:
            changes["date_order"] = order
            sources["date_order"] = f"the convention in {country}, from {where}"
        else:
            sources["date_order"] = (
                f"default: {where} has no country"
                if zone
                else "default: the machine's time zone is not known"
            )
    return (replace(policy, **changes) if changes else policy), sources


def _has_holidays(country: str) -> bool:
    import holidays as holidays_lib  # only when a time zone names a country

    supported: dict[str, list[str]] = holidays_lib.list_supported_countries()
    return country in supported


def _preset_sources(preset: str) -> dict[str, str]:
    sources = {name: f"preset {preset}" for name in PRESET_PARAMETERS}
    for name in ("holidays", "timezone", "date_order", *(f"outcomes.{k}" for k in _OUTCOME_KEYS)):
        sources[name] = "default"
    return sources


def _load_file(path: Path) -> Config:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"not valid TOML ({error}): fix the syntax") from error
    except UnicodeDecodeError as error:
        raise ConfigError(path, "not UTF-8 text: save the file as UTF-8") from error
    except OSError as error:
        raise ConfigError(path, f"cannot read the config file ({error.strerror})") from error
    return _Reader(path).read(data)


class _Reader:
    """Checks one parsed file table by table; every error names `file: table.key`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.path, f"{key}: {message}")

    def source(self, key: str) -> str:
        return f"{self.path}:{key}"

    def table(self, data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(name, f"must be a table, [{name}]")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    f"{name}.{key}", f"unknown key; [{name}] allows {', '.join(allowed)}"
                )
        return value

    def text(self, table: dict[str, Any], table_name: str, key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{table_name}.{key}", f"must be a non-empty text (got {value!r})")
        return value.strip()

    def read(self, data: dict[str, Any]) -> Config:
        for name in data:
            if name not in _TABLES:
                raise self.fail(
                    name,
                    "unknown table or key; the file may have "
                    + ", ".join(f"[{t}]" for t in _TABLES),
                )
        policy, sources = self.read_policy(self.table(data, "policy", _POLICY_KEYS))
        policy, sources = self.read_outcomes(
            self.table(data, "outcomes", _OUTCOME_KEYS), policy, sources
        )
        sender_table = self.table(data, "sender", _SENDER_KEYS)
        sender = Sender(
            name=self.text(sender_table, "sender", "name"),
            email=self.text(sender_table, "sender", "email"),
            phone=self.phone(sender_table),
        )
        candidates = self.read_candidates(data)
        drafts_table = self.table(data, "drafts", _DRAFTS_KEYS)
        folder = self.text(drafts_table, "drafts", "folder") or "drafts"
        templates_text = self.text(drafts_table, "drafts", "templates")
        templates = (
            (self.path.parent / templates_text).resolve() if templates_text is not None else None
        )
        salutation = drafts_table.get("salutation", "first")
        if salutation not in SALUTATION_FORMS:
            raise self.fail(
                "drafts.salutation",
                f'must be "first" (Dear Priya,) or "formal" (Dear Ms. Rao,), not {salutation!r}',
            )
        voicemail_thank_you = drafts_table.get("voicemail_thank_you", False)
        if not isinstance(voicemail_thank_you, bool):
            raise self.fail(
                "drafts.voicemail_thank_you", f"must be true or false (got {voicemail_thank_you!r})"
            )
        return Config(
            policy=policy,
            sources=sources,
            sender=sender,
            columns=self.read_columns(data.get("columns", {})),
            drafts_folder=folder,
            templates=templates,
            candidates=candidates,
            salutation=salutation,
            voicemail_thank_you=voicemail_thank_you,
            path=self.path,
        )

    def read_policy(self, table: dict[str, Any]) -> tuple[Policy, dict[str, str]]:
        """The preset, then the file's values; `Policy` checks every value (one validator)."""
        preset = DEFAULT_PRESET
        if "preset" in table:
            preset = table["preset"]
            if not isinstance(preset, str) or preset not in PRESETS:
                raise self.fail(
                    "policy.preset", f"unknown preset {preset!r}; use {', '.join(PRESETS)}"
                )
        sources = _preset_sources(preset)
        changes: dict[str, Any] = {}
        for name in (*PRESET_PARAMETERS, "holidays", "timezone", "date_order"):
            if name not in table:
                continue
            value = table[name]
            if name in ("holidays", "timezone"):
                value = self.text(table, "policy", name)
            changes[name] = value
            sources[name] = self.source(f"policy.{name}")
        try:
            policy = replace(PRESETS[preset], **changes)
        except PolicyError as error:
            raise self.fail(f"policy.{error.parameter}", error.detail) from error
        if isinstance(policy.holidays, str) and policy.holidays.casefold() == NO_HOLIDAYS:
            sources["holidays"] = f"{self.source('policy.holidays')} (weekends only)"
        return _with_place_defaults(policy, sources, set(changes))

    def read_outcomes(
        self, table: dict[str, Any], policy: Policy, sources: dict[str, str]
    ) -> tuple[Policy, dict[str, str]]:
        extra: dict[OutcomeClass, list[str]] = {}
        for outcome_class in OutcomeClass:
            key_name = outcome_class.value
            if key_name not in table:
                continue
            words = table[key_name]
            key = f"outcomes.{key_name}"
            if not isinstance(words, list) or not all(
                isinstance(w, str) and w.strip() for w in words
            ):
                raise self.fail(key, f'must be a list of words, like ["parked"] (got {words!r})')
            extra[outcome_class] = [" ".join(cast(str, w).split()) for w in words]
            sources[key] = f"default + {self.source(key)}"

        return (policy.with_extra_outcomes(extra) if extra else policy), sources

    def phone(self, table: dict[str, Any], table_name: str = "sender") -> str | None:
        value = table.get("phone")
        # A phone number written without quotes is a TOML integer; it is still a phone number.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.text(table, table_name, "phone")

    def read_candidates(self, data: dict[str, Any]) -> dict[str, Sender]:
        """`[candidates."Sam Rivera"]` tables: each candidate's email and phone, by name."""
        table = data.get("candidates", {})
        if not isinstance(table, dict):
            raise self.fail("candidates", 'must hold tables, like [candidates."Sam Rivera"]')
        candidates: dict[str, Sender] = {}
        for name, details in table.items():
            key = f"candidates.{_toml_key(name)}"
            if not isinstance(details, dict) or not name.strip():
                raise self.fail(
                    key, 'must be a table with email and phone, like [candidates."Sam Rivera"]'
                )
            for detail in details:
                if detail not in _SENDER_KEYS[1:]:
                    raise self.fail(f"{key}.{detail}", "unknown key; a candidate has email, phone")
            candidates[" ".join(name.split())] = Sender(
                name=" ".join(name.split()),
                email=self.text(details, key, "email"),
                phone=self.phone(details, key),
            )
        return candidates

    def read_columns(self, table: Any) -> dict[str, str]:
        if not isinstance(table, dict):
            raise self.fail("columns", "must be a table, [columns]")
        columns: dict[str, str] = {}
        for header, field_name in table.items():
            if not isinstance(field_name, str) or field_name not in DEFAULT_HEADERS:
                raise self.fail(
                    f"columns.{_toml_key(header)}",
                    f"unknown field {field_name!r}; use one of {', '.join(DEFAULT_HEADERS)}",
                )
            columns[header] = field_name
        return columns


def _toml_key(key: str) -> str:
    """A key as it would be written in the file: bare when it can be, else quoted."""
    if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def describe_policy(config: Config) -> list[tuple[str, str, str]]:
    """(parameter, value as text, source) for every parameter, for `followup rules`."""
    policy = config.policy
    sources = {**_preset_sources(DEFAULT_PRESET), **config.sources}

    def as_text(value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    rows = [(name, as_text(getattr(policy, name)), sources[name]) for name in PRESET_PARAMETERS]
    rows.append(("holidays", policy.holidays or NO_HOLIDAYS, sources["holidays"]))
    rows.append(("timezone", policy.timezone or "the machine's local zone", sources["timezone"]))
    rows.append(("date_order", policy.date_order, sources["date_order"]))
    for outcome_class in OutcomeClass:
        key = f"outcomes.{outcome_class.value}"
        rows.append((key, ", ".join(policy.words_for(outcome_class)), sources[key]))
    return rows
