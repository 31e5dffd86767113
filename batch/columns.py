"""Which column is which: header normalising, the alias table, header mapping.

Pure, no I/O but reading the alias table shipped with the package. Input headers match after
normalising (case, spaces, punctuation and invisible characters ignored); a substring never
counts. A header a letter or two off a known one of 6+ letters is read as that one and
reported. The tool's own columns ("Follow-up Status", ...) are matched exactly instead (case
and surrounding spaces aside): a look-alike such as "Follow Up Status" or "FollowUpDue" is the
user's column, never the tool's.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from batch.model import DEFAULT_HEADERS, INPUT_FIELDS, OWNED_COLUMNS
from batch.values import clean_text

ALIASES_FILE = "header_aliases.csv"

# Pseudo-fields of the alias table: one column holding two contact details, and columns
# people keep for themselves (named so that no typo match takes them).
EMAIL_PHONE = "contact_email_phone"  # "jane@x.com / 555 0100": fills email and phone
NAME_EMAIL = "contact_name_email"  # "Jane Doe / jane@x.com": fills name and email
IGNORED = "ignore"
COMBINED_FIELDS: dict[str, tuple[str, ...]] = {
    EMAIL_PHONE: ("contact_email", "contact_phone"),
    NAME_EMAIL: ("contact_name", "contact_email"),
}

# A header this many letters long or longer may be a typo of a known one.
TYPO_MIN_LETTERS = 6

# Characters that are not letters or digits but render as nothing or as a space.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00a0"


def normalise_header(text: str) -> str:
    """A header reduced to what matters: "Thank-You Sent" -> "thankyousent".

    Casefolded, compatibility forms folded (NFKC), everything but letters and digits dropped.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum() and ch not in _INVISIBLE)


def owned_name(text: str) -> str | None:
    """The tool's column name when `text` is exactly it (case and surrounding spaces aside)."""
    return _OWNED_EXACT.get(text.strip().casefold())


@dataclass(frozen=True)
class HeaderAlias:
    """One row of the alias table: a header as people write it, and what it means."""

    header: str
    field: str  # an input field, a combined pseudo-field, or "ignore"
    source: str  # where the spelling was seen


def load_aliases() -> tuple[HeaderAlias, ...]:
    """The alias table (batch/header_aliases.csv), in file order, comment lines left out."""
    text = resources.files("batch").joinpath(ALIASES_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return tuple(
        HeaderAlias(row["header"], row["field"], row["source"]) for row in csv.DictReader(lines)
    )


ALIASES = load_aliases()


def _aliases_of(field_name: str) -> tuple[str, ...]:
    return tuple(alias.header for alias in ALIASES if alias.field == field_name)


# field -> the headers it is known by, its default header first.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    name: (DEFAULT_HEADERS[name], *(a for a in _aliases_of(name) if a != DEFAULT_HEADERS[name]))
    for name in INPUT_FIELDS
}
COMBINED_CONTACT_ALIASES: tuple[str, ...] = _aliases_of(EMAIL_PHONE)
NAME_EMAIL_ALIASES: tuple[str, ...] = _aliases_of(NAME_EMAIL)


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for name, headers in FIELD_ALIASES.items():
        for header in headers:
            _add_alias(table, header, name)
    for alias in ALIASES:
        if alias.field not in FIELD_ALIASES:
            _add_alias(table, alias.header, alias.field)
    return table


def _add_alias(table: dict[str, str], header: str, meaning: str) -> None:
    key = normalise_header(header)
    known = table.setdefault(key, meaning)
    if known != meaning:
        raise ValueError(f"{ALIASES_FILE}: {header!r} means both {known!r} and {meaning!r}")


_MEANING_BY_HEADER = _alias_table()
_OWNED_EXACT = {name.casefold(): name for name in OWNED_COLUMNS}
_OWNED_BY_KEY = {normalise_header(name): name for name in OWNED_COLUMNS}
# Aliases a typo may be of: whole words of letters only, long enough to tell apart.
_TYPO_TARGETS = [
    (key, meaning)
    for key, meaning in _MEANING_BY_HEADER.items()
    if key.isalpha() and len(key) >= TYPO_MIN_LETTERS
] + [(key, f"owned:{name}") for key, name in _OWNED_BY_KEY.items()]


def field_label(meaning: str) -> str:
    """A field, or a combined pseudo-field, as the README names it ("Thank-You Sent")."""
    if meaning in DEFAULT_HEADERS:
        return DEFAULT_HEADERS[meaning]
    if meaning == EMAIL_PHONE:
        return "Email and Phone"
    if meaning == NAME_EMAIL:
        return "Contact and Email"
    return meaning


def edit_distance(first: str, second: str, limit: int) -> int:
    """Levenshtein distance with adjacent swaps counted once (optimal string alignment),
    or `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _typo_limit(key: str) -> int:
    # One slip in a short header, two in a long one: "Thank You Snet" is Thank-You Sent, but
    # "My Status" is not a misspelt "Status".
    return 1 if len(key) < 10 else 2


def typo_of(key: str) -> str | None:
    """The one meaning a header key is a slip of the keyboard away from, if there is one.

    None when the key has digits (a "Phone 2" is not a typo), is short, matches nothing near
    enough, is as near to two meanings, or is nearest to one of the tool's own columns.
    """
    if not key.isalpha() or len(key) < TYPO_MIN_LETTERS:
        return None
    limit = _typo_limit(key)
    best = limit + 1
    found: set[str] = set()
    for target, meaning in _TYPO_TARGETS:
        distance = edit_distance(key, target, min(limit, _typo_limit(target)))
        if distance < best:
            best, found = distance, {meaning}
        elif distance == best:
            found.add(meaning)
    if best > limit or len(found) != 1:
        return None
    (meaning,) = found
    return None if meaning.startswith("owned:") or meaning == IGNORED else meaning


def nearest_field(key: str) -> str | None:
    """The input field whose known headers are nearest to a header key (for `check`)."""
    limit = max(len(key), 4) // 2
    best: tuple[int, str] | None = None
    for target, meaning in _MEANING_BY_HEADER.items():
        if meaning not in DEFAULT_HEADERS:
            continue
        # Capped: a header further away than `limit` from every field has no nearest one.
        distance = edit_distance(key, target, limit)
        if best is None or distance < best[0]:
            best = (distance, meaning)
    if best is None or best[0] > limit:
        return None
    return best[1]


@dataclass(frozen=True)
class HeaderMap:
    """What one header row's cells mean."""

    # field name -> (header as the user wrote it, 1-based column)
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    # owned column name -> 1-based column, for headers that are exactly a tool column's name
    # (whether the tool made them is settled against the workbook, see batch.ownership)
    owned: dict[str, int] = field(default_factory=dict)
    # the column that fills both contact_email and contact_phone, if one does
    combined_contact: tuple[str, int] | None = None
    # the column that fills both contact_name and contact_email, if one does
    combined_name_email: tuple[str, int] | None = None
    # the last column (1-based) with a header in it, 0 when none
    last_column: int = 0
    # table-level notes: (1-based column, header as written, code, message)
    warnings: tuple[tuple[int, str, str, str], ...] = ()
    # headers not used: (1-based column, header as written, nearest field or None)
    unused: tuple[tuple[int, str, str | None], ...] = ()
    # field -> later columns for it that the first one shadows, in sheet order (the reader
    # falls back on one when the first turns out not to hold what its header says)
    alternatives: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def has_table(self) -> bool:
        """A tracker table: Company and Interview Date, or an applications log."""
        return self.is_tracker() or self.is_applications_log()

    def is_tracker(self) -> bool:
        return "company" in self.fields and "interview_date" in self.fields

    def is_applications_log(self) -> bool:
        """Company and a status or an applied date, but no Interview Date column."""
        return (
            "company" in self.fields
            and "interview_date" not in self.fields
            and ("outcome" in self.fields or "applied_date" in self.fields)
        )


_BRACKETED = re.compile(r"^(?P<outside>[^()]*)\((?P<inside>[^()]+)\)\s*$")


def _in_brackets(text: str) -> str | None:
    """The meaning of a header that says it in brackets: "公司 (Company)", "Date (applied)"
    as bilingual and annotated trackers write them; the bracketed words first."""
    match = _BRACKETED.match(text)
    if match is None:
        return None
    for part in (match["inside"], match["outside"]):
        meaning = _MEANING_BY_HEADER.get(normalise_header(part))
        if meaning is not None and meaning != IGNORED:
            return meaning
    return None


def check_overrides(overrides: Mapping[str, str]) -> dict[str, str]:
    """The `[columns]` overrides keyed by normalised header; ValueError for an unknown field."""
    checked: dict[str, str] = {}
    for header, field_name in overrides.items():
        if field_name not in DEFAULT_HEADERS:
            raise ValueError(
                f"[columns] maps {header!r} to {field_name!r}, which is not a field; "
                f"use one of: {', '.join(INPUT_FIELDS)}"
            )
        key = normalise_header(header)
        if not key:
            raise ValueError(f"[columns] has an empty header {header!r}")
        if owned_name(header) is not None:
            raise ValueError(
                f"[columns] maps {header!r}, but that column is written by followup; "
                "rename your column"
            )
        checked[key] = field_name
    return checked


@dataclass
class _Mapping:
    """map_headers' working state."""

    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    combined: dict[str, tuple[str, int]] = field(default_factory=dict)
    owned: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[int, str, str, str]] = field(default_factory=list)
    unused: list[tuple[int, str, str | None]] = field(default_factory=list)
    alternatives: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def take(self, meaning: str, text: str, column: int) -> None:
        """Give a column its meaning; the first of two columns for one meaning wins."""
        taken = self.combined if meaning in COMBINED_FIELDS else self.fields
        if meaning in taken:
            first_header, first_column = taken[meaning]
            what = (
                "contact details"
                if meaning in COMBINED_FIELDS
                else DEFAULT_HEADERS.get(meaning, meaning)
            )
            self.warnings.append(
                (
                    column,
                    text,
                    "duplicate-column",
                    f"column {text!r} is ignored: {first_header!r} (column {first_column}) "
                    f"already gives the {what}",
                )
            )
            self.unused.append((column, text, None))
            self.alternatives.setdefault(meaning, []).append((text, column))
        else:
            taken[meaning] = (text, column)


def map_headers(cells: Sequence[object], overrides: Mapping[str, str] | None = None) -> HeaderMap:
    """Map one row of header cells to fields and to the tool's own columns.

    `overrides` is the config's `[columns]` table (a header as written -> a field name); an
    override wins over the built-in aliases, and a field given by an override is not also
    taken from an alias. Headers matching no alias are tried as typos afterwards, so an exact
    header always wins over a misspelt one.
    """
    by_override = check_overrides(overrides or {})
    overridden_fields = set(by_override.values())
    state = _Mapping()
    maybe_typos: list[tuple[int, str, str]] = []
    last_column = 0
    for index, cell in enumerate(cells):
        text = clean_text(cell) if not isinstance(cell, bool) else None
        if text is None:
            continue
        column = index + 1
        last_column = column
        key = normalise_header(text)
        if not key:
            continue
        name = owned_name(text)
        if name is not None:
            if name in state.owned:
                state.warnings.append(
                    (
                        column,
                        text,
                        "duplicate-column",
                        f"column {text!r} is ignored: {name!r} is already column "
                        f"{state.owned[name]}",
                    )
                )
            else:
                state.owned[name] = column
            continue
        meaning = by_override.get(key) or _MEANING_BY_HEADER.get(key) or _in_brackets(text)
        if meaning in overridden_fields and key not in by_override:
            meaning = None  # the config names another column for this field
        if meaning == IGNORED:
            state.unused.append((column, text, None))
        elif meaning is not None:
            state.take(meaning, text, column)
        elif key in _OWNED_BY_KEY:
            look_alike = _OWNED_BY_KEY[key]
            state.warnings.append(
                (
                    column,
                    text,
                    "look-alike-column",
                    f"column {text!r} looks like followup's {look_alike!r} but is yours: "
                    "it is left alone",
                )
            )
            state.unused.append((column, text, None))
        else:
            maybe_typos.append((column, text, key))
    for column, text, key in maybe_typos:
        meaning = typo_of(key)
        taken = state.combined if meaning in COMBINED_FIELDS else state.fields
        if meaning is None or meaning in taken or meaning in overridden_fields:
            state.unused.append((column, text, nearest_field(key)))
            continue
        state.take(meaning, text, column)
        state.warnings.append(
            (column, text, "header-typo", f"read {text!r} as {field_label(meaning)}")
        )
    for meaning, source in state.combined.items():
        for field_name in COMBINED_FIELDS[meaning]:
            state.fields.setdefault(field_name, source)
    return HeaderMap(
        fields=state.fields,
        owned=state.owned,
        combined_contact=state.combined.get(EMAIL_PHONE),
        combined_name_email=state.combined.get(NAME_EMAIL),
        last_column=last_column,
        warnings=tuple(state.warnings),
        unused=tuple(sorted(state.unused)),
        alternatives={name: tuple(found) for name, found in state.alternatives.items()},
    )
