"""The checks every draft text goes through before it is written (SPEC section 5, issue 14).

Each check is a small function from a text to the findings in it, so each can be tested
alone; `check_text` runs them all and words each finding as a "warning" RowProblem for the
Follow-up Problems column and the review page. What they catch is what a coach would fix by
hand: a gap left to fill, a text too long to read, a pushy phrase, a doubled word ("position
position"), a wrong article ("the an", "a account"), doubled punctuation ("Inc.."), a sentence
that starts in lower case, a word capitalised mid-sentence because it was pasted from the
start of a note ("about Rebuilding"), a word in capitals, unbalanced brackets or quotes.

Prose linters (proselint, LanguageTool) were weighed: proselint checks style rather than
these pasting slips and takes longer to import than rendering a thousand drafts; LanguageTool
needs Java and a server. These few regular expressions find exactly what pasting produces.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from batch.model import RowProblem, TrackerRow
from batch.phrases import ACRONYMS, is_pasted_capital, is_shouted_word, word_set

DEFAULT_PUSHY_PHRASES: tuple[str, ...] = ("ASAP", "urgent", "I need to know", "why haven't", "!!")
EMAIL_MAX_WORDS = 150
# About 30 seconds read aloud at a calm pace.
SCRIPT_MAX_WORDS = 80

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{%|%\}|\[[^\[\]\n]{0,60}\]|\bTODO\b", re.IGNORECASE)
# Links and addresses are checked by nobody's grammar: each becomes one plain word first.
_LINK = re.compile(r"(?:https?://|www\.)\S+[^\s.,;:!?)\"']|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.I)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# In lower case; "*+" gives no letters back, as a shorter word could not be followed by a space.
_DOUBLED_WORD = re.compile(r"([a-z](?<![a-z][a-z])[a-z]*+)\s+\1\b")
_DOUBLED_WORD_ANY_CASE = re.compile(r"\b([A-Za-z]+)\s+\1\b", re.IGNORECASE)
_TWO_ARTICLES = re.compile(r"(t(?<!\w[t])he|a(?<!\w[a])n?)\s+(the|an?)\b(?!-)")  # lower case
# Each pattern starts with a letter class, not "\b", so the search can skip ahead quickly;
# the lookbehind right after the first letter then checks that a word starts there.
_ARTICLE = re.compile(r"([Aa](?<!\w[Aa])n?)\s+([\w'’&-]+)")
# Words in capitals next to each other ("THE DATA WAREHOUSE"): shouting, unless acronyms.
_CAPITALS_RUN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]+(?:\s+[A-Z]{2,})+\b")
# Abbreviations that end in a full stop without ending the sentence.
_ABBREVIATIONS = word_set(
    "inc ltd co corp llc plc mr ms mrs dr prof st no vs etc eg ie approx dept jr sr"
)
# Two marks in a row, with or without a space between; and a space before a mark.
_TWO_MARKS = re.compile(r"[.,;:!?]\s*[.,;:!?]+")
_SPACE_BEFORE_MARK = re.compile(r" [,.;:!?](?!\S)")
# Pairs that are right: an ellipsis, "!!" (the pushy-phrase check's), "?!", and a name's own
# mark before the sentence's ("Inc.,", "Yahoo!,").
_FINE_MARKS = frozenset({"...", "!!", "?!", ".,", ".:", ".;", ".?", "!,", "?,"})
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("“", "”"))
_VOICED_LETTERS = "AEFHILMNORSX"  # "an MBA", "an SQL query", "an HR partner"
_CONSONANT_SOUND = ("uni", "use", "usu", "uti", "ure", "eu", "one", "once", "ubi", "uk")
_VOWEL_SOUND = ("hour", "honest", "honor", "honour", "heir")


def warning(row: TrackerRow, code: str, message: str, column: str = "") -> RowProblem:
    return RowProblem(row=row.row, column=column, code=code, message=message, severity="warning")


# --- the checks, each a text -> findings function ---------------------------------------------


def without_links(text: str) -> str:
    """The text with each link and email address replaced by the word "link"."""
    if "@" not in text and "://" not in text and "www." not in text:
        return text  # the usual case, found without the slower search
    return _LINK.sub("link", text)


def unfilled_gaps(text: str) -> list[str]:
    """ "[your phone number]", "{{ name }}", "TODO": gaps nobody filled in."""
    if not any(mark in text for mark in "[{}") and "todo" not in text.lower():
        return []  # the usual case, found without the slower search
    return sorted({match.group(0) for match in _PLACEHOLDER.finditer(text)})


def doubled_words(text: str) -> list[str]:
    """ "position position", "the the"."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: search it as it is
        return [match.group(0) for match in _DOUBLED_WORD_ANY_CASE.finditer(text)]
    return [text[match.start() : match.end()] for match in _DOUBLED_WORD.finditer(lowered)]


def _starts_with_vowel_sound(word: str) -> bool:
    core = word.strip("'’-")
    if core[:1].isdigit():
        return core.startswith(("8", "11", "18"))
    if (core.isupper() and len(core) > 1) or core in ACRONYMS:
        return core[:1].upper() in _VOICED_LETTERS
    folded = core.casefold()
    if folded.startswith(_VOWEL_SOUND):
        return True
    if folded.startswith(_CONSONANT_SOUND):
        return False
    return folded[:1] in "aeiou"


def wrong_articles(text: str) -> list[str]:
    """ "the an Account Manager", "a account", "an position"."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: no positions to share
        lowered = text
    found = [
        text[match.start() : match.end()]
        for match in _TWO_ARTICLES.finditer(lowered)
        if match.group(1) != match.group(2)  # "the the": a doubled word
    ]
    for match in _ARTICLE.finditer(text):
        article, word = match.groups()
        if article[0] == "A":
            # "A"/"An" is an article only where a sentence starts ("Plan A is" is not).
            before = text[max(0, match.start() - 3) : match.start()].rstrip(" \"'(“‘")
            if before and before[-1] not in ".!?\n":
                continue
        if word[:1].isalnum() and (article.casefold() == "an") != _starts_with_vowel_sound(word):
            found.append(match.group(0))
    return found


def doubled_punctuation(text: str) -> list[str]:
    """ "Inc..", ",,", "!.", a space before a full stop; an ellipsis and "Inc.," are fine."""
    found = [
        match.group(0)
        for match in _TWO_MARKS.finditer(text)
        if "".join(match.group(0).split()) not in _FINE_MARKS
    ]
    found += [
        match.group(0).strip()
        for match in _SPACE_BEFORE_MARK.finditer(text)
        if match.start() and (text[match.start() - 1].isalnum() or text[match.start() - 1] == "_")
    ]
    return found


# A word that may start a sentence: at the start of the text, or with what comes before it
# on its line. The two are searched apart, so the search can skip ahead to the next mark or
# line break (a pattern that may also match at "^" is tried at every position).
_TEXT_START = re.compile(r"[\"'(“‘]*([a-z][\w'’-]*)")
_LOWER_START = re.compile(r"[.!?\n](?:(?<=[.!?])[\"')”’]*\s+|(?<=\n)\s*)[\"'(“‘]*([a-z][\w'’-]*)")
_CAPITALISED = re.compile(r"[A-Z](?<!\w[A-Z])(?:[a-z]+|[A-Z]{4,})\b")
# After these a word starts something new, so its capital is right.
_STARTERS = ".!?:–—-\n\"“(‘'"


def lower_case_starts(text: str) -> list[str]:
    """Sentences that start with a small letter: "... dashboards. the team ..."."""
    found = []
    first = _TEXT_START.match(text)
    matches = _LOWER_START.finditer(text, first.end() if first else 0)
    for match in itertools.chain([first] if first else [], matches):
        word, start = match.group(1), match.start(1)
        # Only the few characters before the word matter: an abbreviation is short.
        before = text[max(0, start - 12) : start].rstrip("\"'(“‘ ").rsplit(None, 1)
        previous = before[-1].rstrip(".!?\"')”’").replace(".", "").casefold() if before else ""
        if previous in _ABBREVIATIONS or word == "link":
            continue
        found.append(word)
    return found


def _name_words(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word.casefold() for name in names for word in _WORD.findall(name))


def _suspect_capital(word: str) -> bool:
    return is_pasted_capital(word) or is_shouted_word(word)


def stray_capitals(text: str, names: Sequence[str] = ()) -> list[str]:
    """Words capitalised mid-sentence because a note was pasted ("about Rebuilding"), or
    written in capitals ("THE DATA WAREHOUSE"); names the draft uses on purpose are fine."""
    allowed: frozenset[str] | None = None
    found = []
    for match in _CAPITALISED.finditer(text):
        word = match.group(0)
        if not _suspect_capital(word):
            continue
        before = text[max(0, match.start() - 6) : match.start()].rstrip(" ")
        if not before or before[-1] in _STARTERS:
            continue
        if before.endswith(tuple(f"{abbreviation}." for abbreviation in ("e.g", "i.e"))):
            continue
        if allowed is None:
            allowed = _name_words(tuple(names))
        if word.casefold() not in allowed:
            found.append(word)
    for run in _CAPITALS_RUN.finditer(text):
        found += [word for word in run.group(0).split() if word not in ACRONYMS]
    return list(dict.fromkeys(found))


def unbalanced(text: str) -> list[str]:
    """Brackets or quotes opened and not closed (or the other way round)."""
    found = [
        f"{opening}{closing}"
        for opening, closing in _PAIRS
        if text.count(opening) != text.count(closing)
    ]
    if text.count('"') % 2:
        found.append('"')
    return found


# --- all of them, as problems -----------------------------------------------------------------


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Match a phrase case-insensitively where a word starts ("urgent" finds "Urgently", not
    "insurgent")."""
    start = r"\b" if phrase[:1].isalnum() else ""
    return re.compile(start + re.escape(phrase), re.IGNORECASE)


def _any_phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Matches where any of the phrases would (never matches when there are none)."""
    alternatives = [_phrase_pattern(phrase).pattern for phrase in phrases if phrase]
    return re.compile("|".join(alternatives) or r"(?!)", re.IGNORECASE)


def _has_any_phrase(text: str, phrases: tuple[str, ...]) -> bool:
    lowered = text.lower()
    simple = len(lowered) == len(text) and all(len(p.lower()) == len(p) for p in phrases)
    if simple and not any(phrase.lower() in lowered for phrase in phrases if phrase):
        return False  # not even a substring (the usual case): the search could only agree
    return _any_phrase_pattern(phrases).search(text) is not None


def _quoted(found: Sequence[str]) -> str:
    return ", ".join(f'"{item}"' for item in dict.fromkeys(found))


def check_text(
    text: str,
    *,
    row: TrackerRow,
    what: str,
    max_words: int | None,
    pushy_phrases: Sequence[str],
    known_gaps: Sequence[str] = (),
    names: Sequence[str] = (),
) -> list[RowProblem]:
    """Every check on one text; `what` names it in messages ("check-in email").

    `known_gaps` are gaps the renderer left on purpose and reported already; `names` are the
    names the draft uses on purpose (company, role, people), whose capitals are right.
    """
    problems: list[RowProblem] = []
    remaining = text
    for gap in known_gaps:
        remaining = remaining.replace(gap, " ")
    gaps = unfilled_gaps(remaining)
    if gaps:
        # A draft with a gap is not ready to send: an error, so the run says so and exits 1.
        problems.append(
            RowProblem(
                row.row,
                "",
                "unfilled-placeholder",
                f"The {what} is not ready: it has a gap to fill: {_quoted(gaps)}.",
                severity="error",
            )
        )
    words = len(text.split())
    if max_words is not None and words > max_words:
        problems.append(
            warning(
                row,
                "too-long",
                f"The {what} is {words} words; keep it under {max_words} (shorten the key points).",
            )
        )
    prose = without_links(remaining)
    language = (
        ("doubled-word", doubled_words(prose), "repeats a word"),
        ("wrong-article", wrong_articles(prose), "has a wrong article"),
        ("doubled-punctuation", doubled_punctuation(prose), "has doubled punctuation"),
        ("lower-case-start", lower_case_starts(prose), "starts a sentence in lower case"),
        ("stray-capital", stray_capitals(prose, names), "has a capitalised word mid-sentence"),
        ("unbalanced", unbalanced(prose), "has an unclosed bracket or quote"),
    )
    for code, found, says in language:
        if found:
            problems.append(warning(row, code, f"The {what} {says}: {_quoted(found)}."))
    if _has_any_phrase(text, tuple(pushy_phrases)):
        for phrase in pushy_phrases:
            if phrase and _phrase_pattern(phrase).search(text):
                problems.append(
                    warning(
                        row, "pushy-phrase", f'The {what} says "{phrase}", which can read as pushy.'
                    )
                )
    return problems
