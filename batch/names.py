"""People's names as a draft says them: who the Contact cell names, and how to greet them.

Tracker cells hold more than a name: "Priya Shah, Head of Data", "Sam Ortiz (Recruiter)",
"Sam - recruiter", "tom lee & ana ruiz", "HR", an email address. `people_in` keeps only the
people, with their case fixed by `nameparser` (which knows "McDonald", "van der Berg" and
"O'Neil"); `addressed_as` says how a draft greets them ("Priya", "Tom and Ana", "Ms. Rao").
A cell that names no person ("HR", "Talent Acquisition", blank) gives no people, and the
draft greets the hiring team instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from batch.phrases import word_set

if TYPE_CHECKING:
    from nameparser import HumanName

SalutationForm = Literal["first", "formal"]
SALUTATION_FORMS: tuple[SalutationForm, ...] = ("first", "formal")

# The titles a formal greeting uses ("Dear Dr. Park,"), in the form it writes them.
_TITLES = {
    "mr": "Mr.",
    "mister": "Mr.",
    "ms": "Ms.",
    "mrs": "Mrs.",
    "miss": "Miss",
    "mx": "Mx.",
    "dr": "Dr.",
    "doctor": "Dr.",
    "prof": "Prof.",
    "professor": "Prof.",
}

# Words that name a job, a team or a placeholder rather than a person. A part of the cell made
# only of these is dropped ("Head of Data"); a cell with nothing else greets the hiring team.
_ROLE_WORDS = word_set(
    """
    hr human resources recruiting recruiter recruiters recruitment talent acquisition ta team
    hiring manager managers mgr hm panel people ops operations department dept head of the
    director vp svp evp vice president chief ceo cto cfo coo cpo cmo founder cofounder co-founder
    partner lead leader principal staff senior sr junior jr engineer engineering analyst
    specialist coordinator officer owner product data sales marketing finance design designer
    interviewer interviewers sourcer consultant associate admin assistant executive exec
    technical tech contact unknown tbd tba n/a na none ? - and & for at in
    """
)
# Placeholder cells: no name was known when the row was written.
_PLACEHOLDERS = frozenset(
    {"n/a", "na", "tbd", "tba", "unknown", "none", "nobody", "someone", "?", "-", "--", "x"}
)

_EMAIL = re.compile(r"<?[\w.+'-]+@[\w-]+(?:\.[\w-]+)+>?")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_PHONE = re.compile(r"\+?\d[\d ()./-]{6,}\d")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# "Recruiter: Sam Ortiz", "HM - Jane": a label before the name.
_LEADING_LABEL = re.compile(r"^\s*[A-Za-z ]{1,30}:\s*")
# "Sam - recruiter", "Sam – HR", "Sam | Talent": what follows the dash describes the person.
_DASH_NOTE = re.compile(r"\s+[-–—|]\s+.*$")
# Between two people: "&", "and", "/", "+", ";", a line break.
_PEOPLE_SEPARATOR = re.compile(r"\s*(?:&|\+|/|;|\n|\band\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    """One person named in a cell, case fixed: title "Dr." or "", first and last name."""

    title: str
    first: str
    last: str
    full: str  # "Helen Park": first, middle and last name, without title or suffix

    def addressed(self, form: SalutationForm) -> str:
        """ "Helen" ("first"), "Dr. Park" or "Helen Park" ("formal")."""
        if form == "first" and self.first:
            return self.first
        if self.title and self.last:
            return f"{self.title} {self.last}"
        return self.full


def addressed_as(people: tuple[Person, ...], form: SalutationForm) -> str:
    """How a greeting names the people: "Priya", "Tom and Ana", "Ms. Rao and Dr. Park"."""
    names = [person.addressed(form) for person in people]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def full_names(people: tuple[Person, ...]) -> str:
    """The people's full names, for an email's To line: "Tom Lee and Ana Ruiz"."""
    names = [person.full for person in people]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@functools.lru_cache(maxsize=4096)
def people_in(cell: str | None) -> tuple[Person, ...]:
    """The people a Contact cell names, in order; () when it names nobody ("HR", blank)."""
    if not cell or " ".join(cell.split()).casefold() in _PLACEHOLDERS:
        return ()
    text = _EMAIL.sub(" ", cell)
    text = _URL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    text = _BRACKETED.sub(" ", text)
    text = _LEADING_LABEL.sub("", text)
    people: list[Person] = []
    pieces = [piece for piece in _PEOPLE_SEPARATOR.split(text) if piece.strip()]
    for piece in pieces:
        for name in _names_in_commas(piece, alone=len(pieces) == 1):
            person = _person(name)
            if person is not None:
                people.append(person)
    return tuple(people)


@functools.lru_cache(maxsize=1024)
def tidy_name(cell: str | None) -> str:
    """A signer's name as a signature shows it: "sam rivera" -> "Sam Rivera"; "" when none."""
    people = people_in(cell)
    if not people:
        return " ".join((cell or "").split())
    return full_names(people)


def _names_in_commas(piece: str, *, alone: bool) -> list[str]:
    """The names in one piece split at commas.

    "Priya Shah, Head of Data, Acme" -> the name (a role and what follows it are dropped);
    "Shah, Priya" -> one name, last name first (only when the cell names no one else);
    "Tom Lee, Ana Ruiz" -> two names.
    """
    piece = _DASH_NOTE.sub("", piece).strip(" ,.-–—:")
    names: list[str] = []
    for part in (part.strip() for part in piece.split(",")):
        if _is_suffix(part):
            continue
        if _is_role(part):
            break
        names.append(part)
    if alone and len(names) == 2 and all(len(part.split()) == 1 for part in names):
        return [f"{names[1]} {names[0]}"]  # "Shah, Priya"
    return names


def _words(text: str) -> list[str]:
    return [word.strip(".,:;'\"").casefold() for word in text.split()]


def _is_role(text: str) -> bool:
    words = _words(text)
    return not words or all(word in _ROLE_WORDS or not word for word in words)


_TRAILING_ROLES = frozenset({"hr", "recruiter", "recruiting", "manager", "director", "interviewer"})
_SUFFIXES = frozenset({"phd", "ph.d", "md", "mba", "jr", "sr", "ii", "iii", "iv", "esq", "cpa"})


def _is_suffix(text: str) -> bool:
    return all(word.replace(".", "") in _SUFFIXES for word in _words(text))


def _person(name: str) -> Person | None:
    words = name.split()
    # Role words around a name: "Hiring Manager Jane Doe", "Jane Doe recruiter".
    while words and _is_role(words[0]) and words[0].casefold().strip(".") not in _TITLES:
        words.pop(0)
    # A role after the name is typed in lower case ("Sam recruiter") or is unmistakable; a
    # capitalised "Head" or "Lead" at the end is more likely a surname.
    while (
        len(words) > 1
        and _is_role(words[-1])
        and (not words[-1][:1].isupper() or words[-1].casefold() in _TRAILING_ROLES)
    ):
        words.pop()
    if not words or " ".join(words).casefold() in _PLACEHOLDERS:
        return None
    if not any(char.isalpha() for char in "".join(words)):
        return None
    parsed = _parse(" ".join(words))
    title = _TITLES.get(parsed.title.casefold().strip("."), "")
    first = parsed.nickname or parsed.first
    if parsed.title and not title:
        # A title this tool does not greet with ("Sir", "Bishop"): keep it as written.
        full = " ".join(part for part in (parsed.title, parsed.first, parsed.middle, parsed.last))
    else:
        full = " ".join(part for part in (parsed.first, parsed.middle, parsed.last) if part)
    full = " ".join(full.split())
    if not full:
        return None
    return Person(title=title, first=first, last=parsed.last, full=full)


def _parse(name: str) -> HumanName:
    # nameparser builds its word lists on import: only runs that greet someone pay for it.
    from nameparser import HumanName

    parsed = HumanName(name)
    # Only a name typed all in lower or all in upper case is re-cased; "deSouza" stays.
    parsed.capitalize(force=False)
    return parsed
