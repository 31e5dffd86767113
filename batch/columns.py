"""Which column is which: header normalising, the aliases of SPEC section 3, header mapping.

Pure, no I/O. Headers match exactly after normalising (case, spaces, punctuation and
invisible characters ignored); a substring never counts, so the owned "Follow-up Status"
column is never taken for the user's "Status".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from batch.model import DEFAULT_HEADERS, OWNED_COLUMNS
from batch.values import clean_text

INPUT_FIELDS: tuple[str, ...] = tuple(DEFAULT_HEADERS)

# field -> the headers it is known by (SPEC section 3), default header first.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "candidate": ("Candidate", "Client", "Job Seeker", "Applicant", "Name", "Candidate Name"),
    "company": ("Company", "Company Name", "Employer", "Organization", "Organisation"),
    "role": ("Role", "Position", "Job Title", "Title"),
    "contact_name": (
        "Contact",
        "Contact Name",
        "Interviewer",
        "Hiring Manager",
        "Recruiter",
        "Recruiter Name",
        "Interviewer Name",
    ),
    "contact_email": (
        "Email",
        "Contact Email",
        "Interviewer Email",
        "Recruiter Email",
        "Email Address",
    ),
    "contact_phone": ("Phone", "Contact Phone", "Recruiter Phone", "Phone Number"),
    "candidate_email": ("Candidate Email", "Client Email", "Applicant Email", "My Email"),
    "candidate_phone": ("Candidate Phone", "Client Phone", "Applicant Phone", "My Phone"),
    "interview_date": (
        "Interview Date",
        "Interview",
        "Interviewed On",
        "Date of Interview",
        "Interview Date/Time",
    ),
    "reply_expected_by": (
        "Reply Expected By",
        "Decision Date",
        "Decision By",
        "Timeline",
        "Follow Up By",
        "Follow Up Date",
    ),
    "they_will_contact": ("They Will Contact", "Will Contact Me", "They'll Contact Me"),
    "thank_you_sent": ("Thank-You Sent", "Thank-You Note Sent", "Thank-You Email Sent"),
    "checkin_sent": ("Check-In Sent", "Follow-Up Sent"),
    "reminder_sent": ("Reminder Sent", "Second Follow-Up Sent"),
    "reply_date": ("Reply Received", "Last Reply", "Response Date", "Heard Back"),
    "outcome": ("Outcome", "Status", "Result", "Application Status"),
    "key_points": ("Key Points", "Discussed", "Talking Points", "Interview Notes"),
    "extra_info": ("Extra Info", "Additional Info", "Links", "Portfolio"),
}

# One column holding both the email and the phone ("jane@x.com / 555 0100"). It fills
# contact_email and contact_phone when those have no column of their own.
COMBINED_CONTACT_ALIASES: tuple[str, ...] = (
    "Email/Phone",
    "Phone/Email",
    "Contact Info",
    "Contact Information",
    "Contact Details",
)

# Characters that are not letters or digits but render as nothing or as a space.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00a0"


def normalise_header(text: str) -> str:
    """A header reduced to what matters: "Thank-You Sent" -> "thankyousent".

    Casefolded, compatibility forms folded (NFKC), everything but letters and digits dropped.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum() and ch not in _INVISIBLE)


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for field_name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            key = normalise_header(alias)
            assert key not in table, f"alias {alias!r} is listed twice"
            table[key] = field_name
    return table


_FIELD_BY_HEADER = _alias_table()
_OWNED_BY_HEADER = {normalise_header(name): name for name in OWNED_COLUMNS}
_COMBINED_CONTACT = frozenset(normalise_header(alias) for alias in COMBINED_CONTACT_ALIASES)
# An owned header must never read as an input alias, or the tool would read its own output.
assert not set(_OWNED_BY_HEADER) & (set(_FIELD_BY_HEADER) | _COMBINED_CONTACT)


@dataclass(frozen=True)
class HeaderMap:
    """What one header row's cells mean."""

    # field name -> (header as the user wrote it, 1-based column)
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    # owned column name -> 1-based column
    owned: dict[str, int] = field(default_factory=dict)
    # the column that fills both contact_email and contact_phone, if one does
    combined_contact: tuple[str, int] | None = None
    # the last column (1-based) with a header in it, 0 when none
    last_column: int = 0
    # table-level oddities: (1-based column, header as written, message)
    warnings: tuple[tuple[int, str, str], ...] = ()

    def has_table(self) -> bool:
        """A tracker header needs at least Company and Interview Date."""
        return "company" in self.fields and "interview_date" in self.fields


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
        if key in _OWNED_BY_HEADER:
            raise ValueError(
                f"[columns] maps {header!r}, but that column is written by followup; "
                "rename your column"
            )
        checked[key] = field_name
    return checked


def map_headers(cells: Sequence[object], overrides: Mapping[str, str] | None = None) -> HeaderMap:
    """Map one row of header cells to fields and owned columns.

    `overrides` is the config's `[columns]` table (a header as written -> a field name); an
    override wins over the built-in aliases, and a field given by an override is not also
    taken from an alias. The first of two columns for the same field wins, with a warning.
    """
    by_override = check_overrides(overrides or {})
    overridden_fields = set(by_override.values())
    fields: dict[str, tuple[str, int]] = {}
    owned: dict[str, int] = {}
    combined: tuple[str, int] | None = None
    warnings: list[tuple[int, str, str]] = []
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
        if key in by_override:
            field_name: str | None = by_override[key]
        elif key in _FIELD_BY_HEADER and _FIELD_BY_HEADER[key] not in overridden_fields:
            field_name = _FIELD_BY_HEADER[key]
        else:
            field_name = None
        if field_name is not None:
            if field_name in fields:
                first_header, first_column = fields[field_name]
                warnings.append(
                    (
                        column,
                        text,
                        f"column {text!r} is ignored: {first_header!r} (column "
                        f"{first_column}) already gives the {DEFAULT_HEADERS[field_name]}",
                    )
                )
            else:
                fields[field_name] = (text, column)
        elif key in _OWNED_BY_HEADER:
            name = _OWNED_BY_HEADER[key]
            if name in owned:
                warnings.append(
                    (
                        column,
                        text,
                        f"column {text!r} is ignored: {name!r} is already column {owned[name]}",
                    )
                )
            else:
                owned[name] = column
        elif key in _COMBINED_CONTACT:
            if combined is None:
                combined = (text, column)
            else:
                warnings.append(
                    (
                        column,
                        text,
                        f"column {text!r} is ignored: {combined[0]!r} (column {combined[1]}) "
                        "already gives the contact details",
                    )
                )
    if combined is not None:
        for field_name in ("contact_email", "contact_phone"):
            fields.setdefault(field_name, combined)
    return HeaderMap(
        fields=fields,
        owned=owned,
        combined_contact=combined,
        last_column=last_column,
        warnings=tuple(warnings),
    )
