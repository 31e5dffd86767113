"""Reading the Outcome cell as a person would: which class of outcome a free text says.

"Not hired" is a rejection, "No offer yet" is still open, "Accepted to final round" is an
interview stage, "On hold" pauses the follow-up. A keyword found anywhere (the old reading) got
each of these wrong, so the classifier reads phrases before single words, whole words only,
and lets a negation or pending word ("no", "not", "yet", "awaiting", "pending", "waiting for",
"expecting") turn a closing word into an open state.

Pure and without I/O; the policy builds one classifier (defaults plus the config's
`[outcomes]` words) and remembers each distinct cell's reading.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from batch.model import OutcomeClass

# Each class's words and phrases, matched as whole words, case-insensitively; a hyphen or an
# underscore inside a word counts as a space ("not-selected", "ON_HOLD"). The longest phrase at
# a position wins, so "offer declined" is read before "offer", and "not hired" before "hired".
DEFAULT_OUTCOME_WORDS: Mapping[OutcomeClass, tuple[str, ...]] = {
    OutcomeClass.OFFER: (
        "offer",
        "offered",
        "offers",
        "job offer",
        "offer extended",
        "offer received",
        "offer made",
        "offer letter",
        "offer stage",
        "verbal offer",
        "written offer",
        "negotiating",
        "negotiation",
        "negotiating offer",
        "offer negotiation",
        "got the job",
        "got an offer",
        "got offer",
        "got the offer",
        "offer discussion",
        "received offer",
        "proposal",
    ),
    OutcomeClass.ACCEPTED: (
        "accepted",
        "accepted offer",
        "offer accepted",
        "accepted the offer",
        "hired",
        "contract signed",
        "signed offer",
        "onboarding",
        "onboarded",
        "joined the company",
        "joined",
        "joined the team",
        "placed",
        "start date set",
    ),
    OutcomeClass.REJECTED: (
        "rejected",
        "reject",
        "rejection",
        "rejected by company",
        "rejected by employer",
        "denied",
        "declined",
        "declined by them",
        "declined by company",
        "declined by employer",
        "not selected",
        "not hired",
        "not offered",
        "no offer",
        "not accepted",
        "not successful",
        "unsuccessful",
        "not moving forward",
        "not moving ahead",
        "not proceeding",
        "not progressing",
        "not progressed",
        "did not progress",
        "did not pass",
        "didn't pass",
        "did not make it",
        "didn't make it",
        "didn't progress",
        "did not proceed",
        "not shortlisted",
        "not a fit",
        "not a good fit",
        "no fit",
        "hired someone else",
        "hired another candidate",
        "hired internally",
        "did not get",
        "didn't get",
        "did not get it",
        "didn't get it",
        "failed",
        "turned down",
        "passed on me",
        "they passed",
        "position filled",
        "role filled",
        "job filled",
        "filled",
        "filled internally",
        "went with another candidate",
        "went with someone else",
        "went another direction",
        "going with someone else",
        "going with another candidate",
        "ding",
        "eliminated",
        "another candidate",
        "internal candidate",
        "position cancelled",
        "position canceled",
        "role cancelled",
        "role canceled",
        "job cancelled",
        "position closed",
        "role closed",
        "job closed",
        "posting closed",
        "position eliminated",
        "role eliminated",
        "no longer available",
        "offer rescinded",
        "offer revoked",
        "offer pulled",
        "revoked",
        "reneged",
        "rescinded",
        "regret",
        "regrets",
        "dinged",
        "disqualified",
    ),
    OutcomeClass.WITHDRAWN: (
        "withdrawn",
        "withdrew",
        "withdraw",
        "withdrawing",
        "withdrew application",
        "i withdrew",
        "declined offer",
        "declined the offer",
        "offer declined",
        "rejected offer",
        "rejected the offer",
        "offer rejected",
        "turned down offer",
        "turned down the offer",
        "offer turned down",
        "not interested",
        "no longer interested",
        "lost interest",
        "declined by me",
        "declined by candidate",
        "candidate declined",
        "declined role",
        "declined the role",
        "declined position",
        "rejected by candidate",
        "i declined",
        "pulled out",
        "dropped out",
        "backed out",
        "opted out",
        "retracted",
        "accepted another offer",
        "accepted other offer",
        "accepted elsewhere",
        "offer elsewhere",
        "took another job",
        "took another offer",
        "took another role",
    ),
    OutcomeClass.GHOSTED: (
        "ghosted",
        "ghost",
        "ghosting",
        "ghost job",
        "no response",
        "no reply",
        "no answer",
        "never heard back",
        "never heard",
        "no word",
        "no contact",
        "radio silence",
        "silence",
        "unresponsive",
        "no news",
        "went silent",
        "dead",
        "dead end",
    ),
    OutcomeClass.CLOSED: (
        "closed",
        "archived",
        "inactive",
        "ended",
    ),
    OutcomeClass.PAUSED: (
        "on hold",
        "hold",
        "paused",
        "pause",
        "hiring freeze",
        "hiring frozen",
        "freeze",
        "frozen",
        "postponed",
        "delayed",
        "deferred",
        "on ice",
        "budget hold",
        "budget freeze",
        "hiring paused",
        "stalled",
    ),
    OutcomeClass.IN_PROGRESS: (
        "applied",
        "application",
        "application sent",
        "application submitted",
        "application accepted",
        "application received",
        "applying",
        "bookmarked",
        "draft",
        "referred",
        "referral",
        "requested",
        "submission",
        "response received",
        "advance",
        "interview accepted",
        "invitation accepted",
        "submitted",
        "sent",
        "screen",
        "screening",
        "screened",
        "phone screen",
        "phone call",
        "call",
        "recruiter call",
        "recruiter screen",
        "hr screen",
        "hr call",
        "hr round",
        "interview",
        "interviews",
        "interviewing",
        "interviewed",
        "interview scheduled",
        "interview completed",
        "interview done",
        "onsite",
        "on site",
        "virtual onsite",
        "panel",
        "panel interview",
        "technical",
        "technical interview",
        "technical round",
        "technical task",
        "take home",
        "assessment",
        "assignment",
        "case study",
        "coding challenge",
        "test",
        "round",
        "next round",
        "next step",
        "next steps",
        "final round",
        "final interview",
        "final",
        "first round",
        "second round",
        "third round",
        "1st round",
        "2nd round",
        "3rd round",
        "moved forward",
        "moving forward",
        "advanced",
        "progressed",
        "accepted to",
        "accepted for",
        "accepted into",
        "scheduled",
        "booked",
        "awaiting",
        "awaiting decision",
        "awaiting feedback",
        "awaiting response",
        "awaiting reply",
        "awaiting results",
        "pending",
        "pending decision",
        "pending review",
        "decision pending",
        "waiting",
        "waiting for decision",
        "waiting to hear",
        "waiting to hear back",
        "deciding",
        "still deciding",
        "considering",
        "under consideration",
        "in discussion",
        "in progress",
        "in process",
        "ongoing",
        "open",
        "active",
        "in review",
        "under review",
        "reviewing",
        "review",
        "viewed",
        "shortlisted",
        "short listed",
        "invited",
        "interested",
        "contacted",
        "responded",
        "replied",
        "heard back",
        "followed up",
        "follow up",
        "follow up sent",
        "thank you sent",
        "reference check",
        "references",
        "reference checks",
        "background check",
        "waitlisted",
        "wait listed",
        "talking",
        "in talks",
        "discussing",
        "tbd",
        "unknown",
        "new",
        "saved",
        "wishlist",
        "prospect",
    ),
}

# The classes that close a row, in the order they win when a text names more than one:
# "Withdrew after offer" is withdrawn, "Rejected after final round" is rejected.
_PRECEDENCE: tuple[OutcomeClass, ...] = (
    OutcomeClass.WITHDRAWN,
    OutcomeClass.REJECTED,
    OutcomeClass.ACCEPTED,
    OutcomeClass.OFFER,
    OutcomeClass.GHOSTED,
    OutcomeClass.CLOSED,
    OutcomeClass.PAUSED,
    OutcomeClass.IN_PROGRESS,
)

# Words that make a closing word a hope or a wait rather than a fact ("No offer yet",
# "Awaiting offer", "Expecting an offer"): up to three words before it...
_OPENING_BEFORE = frozenset(
    {
        "no",
        "not",
        "yet",
        "awaiting",
        "await",
        "pending",
        "waiting",
        "expecting",
        "hoping",
        "hope",
        "possible",
        "potential",
        "maybe",
        "anticipating",
    }
)
# ... or up to two words after it ("Offer pending", "No response yet", "Offer expected").
_OPENING_AFTER = frozenset({"yet", "pending", "expected", "awaited", "tbd", "soon", "likely"})
_BEFORE_WINDOW = 3
_AFTER_WINDOW = 2

# Clauses end at punctuation and at a dash between spaces ("Interviewed - rejected"), so a
# "no" in one clause ("Rejected, no feedback") does not reach a word in another.
_CLAUSE_BREAK = re.compile(r"[,;:.!?()\[\]{}|/\\+&\n]|\s[-\u2013\u2014]+\s|[\u2013\u2014]")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def words_of(text: str) -> tuple[str, ...]:
    """The words of a phrase as the classifier compares them: lower case, apostrophes kept."""
    return tuple(_WORD.findall(text.casefold().translate(_APOSTROPHES)))


@dataclass(frozen=True)
class OutcomeReading:
    """How one Outcome cell reads.

    `words` are the words that decided the class, as the user wrote them ("Not hired"); empty
    for a blank cell. `understood` is False when no known word was found: the row is treated
    as in progress, and the run reports the value so the user can teach it in `[outcomes]`.
    `opened_by` is the negation or pending word that kept a closing word open ("yet").
    """

    outcome_class: OutcomeClass
    words: str = ""
    understood: bool = True
    opened_by: str = ""
    # outcome_class.closes, kept here: the rules ask it for every row.
    closes: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "closes", self.outcome_class.closes)


_BLANK = OutcomeReading(OutcomeClass.IN_PROGRESS)


@dataclass(frozen=True)
class _Match:
    outcome_class: OutcomeClass
    start: int  # index of the first word
    end: int  # index after the last word


class OutcomeClassifier:
    """Reads Outcome cells with the default words plus the user's (which win on a tie)."""

    def __init__(self, extra: Mapping[OutcomeClass, Iterable[str]] | None = None) -> None:
        phrases: dict[tuple[str, ...], OutcomeClass] = {}
        for outcome_class, words in DEFAULT_OUTCOME_WORDS.items():
            for phrase in words:
                phrases[words_of(phrase)] = outcome_class
        for outcome_class, added in (extra or {}).items():
            for phrase in added:
                key = words_of(phrase)
                if key:
                    phrases[key] = outcome_class
        self._phrases = phrases
        self._longest = max((len(key) for key in phrases), default=1)
        self._readings: dict[str, OutcomeReading] = {}

    def read(self, outcome: str | None) -> OutcomeReading:
        """The reading of one Outcome cell (remembered: a tracker repeats a few values)."""
        if not outcome:
            return _BLANK
        known = self._readings.get(outcome)
        if known is not None:
            return known
        reading = self._read(outcome)
        if len(self._readings) < 100_000:
            self._readings[outcome] = reading
        return reading

    def _read(self, outcome: str) -> OutcomeReading:
        best: OutcomeReading | None = None
        for clause in _CLAUSE_BREAK.split(outcome.translate(_APOSTROPHES)):
            spans = [(m.start(), m.end()) for m in _WORD.finditer(clause)]
            tokens = [clause[start:end].casefold() for start, end in spans]
            for match in self._matches(tokens):
                words = clause[spans[match.start][0] : spans[match.end - 1][1]]
                reading = OutcomeReading(match.outcome_class, words)
                if match.outcome_class.closes or match.outcome_class is OutcomeClass.PAUSED:
                    opener = _opening_word(tokens, match)
                    if opener:
                        reading = OutcomeReading(OutcomeClass.IN_PROGRESS, words, True, opener)
                if best is None or _rank(reading) < _rank(best):
                    best = reading
        if best is None:
            stripped = " ".join(outcome.split())
            return OutcomeReading(OutcomeClass.IN_PROGRESS, stripped, understood=False)
        return best

    def _matches(self, tokens: list[str]) -> list[_Match]:
        """Phrases before single words: the longest known phrase at each position, left to right."""
        found: list[_Match] = []
        index = 0
        while index < len(tokens):
            for length in range(min(self._longest, len(tokens) - index), 0, -1):
                outcome_class = self._phrases.get(tuple(tokens[index : index + length]))
                if outcome_class is not None:
                    found.append(_Match(outcome_class, index, index + length))
                    index += length
                    break
            else:
                index += 1
        return found


def _opening_word(tokens: list[str], match: _Match) -> str:
    """The negation or pending word next to a closing phrase, or ""."""
    for token in tokens[max(0, match.start - _BEFORE_WINDOW) : match.start]:
        if token in _OPENING_BEFORE:
            return token
    for token in tokens[match.end : match.end + _AFTER_WINDOW]:
        if token in _OPENING_AFTER:
            return token
    return ""


def _rank(reading: OutcomeReading) -> int:
    # A closing word kept open ranks as in progress, but above a plain in-progress word, so
    # the reason can name it ("No offer yet").
    position = _PRECEDENCE.index(reading.outcome_class) * 2
    return position - 1 if reading.opened_by else position


def not_understood(
    outcomes: Iterable[str | None], classifier: OutcomeClassifier
) -> list[tuple[str, int]]:
    """Each distinct Outcome text the classifier does not know, with how many rows have it,
    most frequent first (the run reports each once, not once per row)."""
    counts = Counter(outcome for outcome in outcomes if outcome)
    unknown = [
        (classifier.read(text).words, count)
        for text, count in counts.items()
        if not classifier.read(text).understood
    ]
    merged: Counter[str] = Counter()
    for words, count in unknown:
        merged[words] += count
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))
