"""Tracker cells as phrases a sentence can hold: roles, companies, key points, extra info, dates.

A tracker is written as notes ("Discussed how I cut month-end close", "THE DATA WAREHOUSE",
"Senior Engineer position", "Portfolio: https://..."), and a draft that pastes them word for
word reads as pasted. Each function here turns one kind of cell into what a person would
write in the template's frame ("our conversation about how I cut month-end close", "the
Senior Engineer position", "my portfolio (https://...)"). Pure and cached: the same cell
values repeat on many rows.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

DateOrder = Literal["MDY", "DMY"]


def word_set(text: str) -> frozenset[str]:
    """The words of a text written as a block, as a set."""
    return frozenset(text.split())


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Written in capitals whatever the case around them ("sql" in an all-lower note stays "sql",
# but "SQL" in an all-caps note is kept while the rest is lowered).
ACRONYMS = word_set(
    """
    AI API APIs AWS B2B B2C BI CD CEO CFO CI CMO COO CPO CRM CSS CTO CV CX DBA ERP ETL EU FP&A
    GCP GDPR GTM HR HTML IT JS KPI KPIs LLM ML MVP NLP OKR OKRs PM PR QA ROI SaaS SAP SDK SEO
    SLA SQL SRE UI UK US USA UX VP
    """
)
_ACRONYMS_BY_FOLD = {word.casefold(): word for word in ACRONYMS}

# Words that are capitalised only because they start a note ("Rebuilding their dashboards"):
# lowered when the note goes mid-sentence, and flagged by the language checks when a draft
# has one mid-sentence. Proper nouns are not here, so "Python experience" keeps its capital.
COMMON_WORDS = word_set(
    """
    a an the this that these those our my your their his her its we they you he she it i
    about after all also and any as at before both but by each every few for from how if in
    into more most new next of on or other over own same so some such than then through to
    under up very what when where which while who why with without
    team teams role roles company business product products project projects process
    processes customer customers client clients data database dashboard dashboards report
    reports reporting pipeline pipelines model models system systems platform platforms tool
    tools stack code design strategy roadmap growth culture budget budgets plan plans
    experience background skills skill work career goals goal challenges challenge
    questions question case study studies onboarding hiring interview interviews manager
    managers leadership stakeholders stakeholder metrics metric analysis analytics sales
    marketing finance operations support engineering research testing quality security
    migration launch launches expansion automation forecasting pricing retention churn
    month quarter year week weekly monthly daily remote hybrid office travel relocation
    salary compensation benefits portfolio resume references reference website site blog
    samples sample writing slides deck article articles paper papers link links profile
    availability notice start
    credit risk fraud cost costs revenue forecast forecasts inventory supply chain logistics
    compliance regulatory audit accounting payroll training performance review reviews
    integration scaling partnership partnerships vendor vendors agile scrum sprint sprints
    vision mission values diversity inclusion wellbeing commute schedule shift rota coverage
    ownership autonomy impact priorities timeline steps date visa previous current recent
    past future first second third last final big small large key main core tech technical
    behavioral behavioural financial operational analytical statistical quantitative
    qualitative conversion funnel modeling modelling insights visualization visualisation
    storytelling documentation workflow workflows tooling services service privacy ethics
    governance management coaching mentoring mentorship collaboration communication problem
    problems presentation architecture machine learning user users infrastructure cloud
    deployment release quarterly annual strategic campaign campaigns brand content social
    media org organization organisation structure headcount exercise assignment take-home
    whiteboard coding live pair programming walkthrough deep dive overview intro introduction
    """
)

# What a follow-up should not raise: the employer brings these up, not a thank-you note.
SENSITIVE_TOPICS = (
    "salary",
    "compensation",
    "pay",
    "pay rate",
    "bonus",
    "equity",
    "stock options",
    "benefits",
    "pto",
    "vacation",
    "perks",
    "relocation package",
)
_SENSITIVE = re.compile(r"\b(" + "|".join(re.escape(t) for t in SENSITIVE_TOPICS) + r")\b", re.I)

_URL = re.compile(r"(?:https?://|www\.)[^\s()<>]+[^\s()<>.,;:!?'\"]", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*–—•·▪◦>]+|\d{1,2}[.)])\s*")
# Points end at a line break, ";" or a bullet, and before a number in a list typed on one
# line ("1. stakeholders 2. forecasting").
_SPLIT_POINTS = re.compile(r"[\n;•·▪]+|\s+(?=\d{1,2}[.)]\s)")


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def join_and(items: list[str] | tuple[str, ...]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- case ------------------------------------------------------------------------------------


def _is_shouting(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return len(letters) > 3 and all(char.isupper() for char in letters)


def _is_capitals(word: str) -> bool:
    core = word.strip(".,:;!?()\"'")
    return len(core) > 1 and core.isalpha() and core.isupper()


def _lower_word(word: str) -> str:
    core = word.strip(".,:;!?()\"'")
    known = _ACRONYMS_BY_FOLD.get(core.casefold())
    if known is not None:
        return word.replace(core, known)
    return word.lower()


def is_shouted_word(word: str) -> bool:
    """A word in capitals that is not a known acronym and too long to be one ("WAREHOUSE")."""
    core = word.strip(".,:;!?()\"'")
    return _is_capitals(word) and len(core) > 4 and core.casefold() not in _ACRONYMS_BY_FOLD


def lower_shouting(text: str) -> str:
    """Words in capitals lowered, known acronyms kept: "THE DATA WAREHOUSE and SQL" -> "the data
    warehouse and SQL". Applies to two or more capitalised words, or a long one; "NASA" alone
    stays."""
    words = text.split(" ")
    shouted = [word for word in words if _is_capitals(word) and _lower_word(word) != word]
    if len(shouted) < 2 and not any(is_shouted_word(word) for word in words):
        return text
    return " ".join(_lower_word(word) if _is_capitals(word) else word for word in words)


def is_pasted_capital(word: str) -> bool:
    """A word capitalised only because it started a note: "Rebuilding", "Their", "Discussed"."""
    core = word.strip(".,:;!?()\"'")
    if len(core) < 2 or not core[0].isupper() or not core[1:].islower():
        return False
    folded = core.casefold()
    if folded in COMMON_WORDS:
        return True
    # "Credit-risk", "Month-end": a compound whose later parts are lower case is no name.
    if "-" in folded and all(part.islower() for part in core.split("-")[1:]):
        return True
    # A verb form ("Rebuilding", "Discussed"); long enough not to be a name like "Ted".
    return len(folded) > 5 and folded.endswith(("ing", "ed"))


def lower_pasted_capital(text: str) -> str:
    """ "Rebuilding their dashboards" -> "rebuilding their dashboards"; "Python" is kept."""
    first, _, rest = text.partition(" ")
    if is_pasted_capital(first):
        first = first[0].lower() + first[1:]
    return f"{first} {rest}" if rest else first


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- roles and companies ---------------------------------------------------------------------

_ROLE_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_ROLE_TAIL = re.compile(
    r"[\s,;:–—-]*\b(?:position|role|job|opening|opportunity|vacancy|post)\s*$", re.IGNORECASE
)
_REQUISITION = re.compile(
    r"\s*(?:#\s*\w+|\b(?:req|job id|id)\b\.?\s*[:#]?\s*[\w-]*\d[\w-]*)\s*$", re.I
)
_PARENTHESIS = re.compile(r"\s*\([^()]*\)\s*")


@functools.lru_cache(maxsize=4096)
def role_name(cell: str | None) -> str:
    """The role as "the ... position" can hold it: "an Account Manager role" -> "Account Manager".

    Drops a leading article, a trailing "position"/"role"/"job"/"opening", notes in
    parentheses and requisition numbers; an all-caps role is put in title case.
    """
    text = _PARENTHESIS.sub(" ", one_line(cell)).strip()
    previous = None
    while text != previous:
        previous = text
        text = _ROLE_ARTICLE.sub("", text)
        text = _REQUISITION.sub("", text)
        text = _ROLE_TAIL.sub("", text)
        text = text.strip(" ,;:.–—-")
    if _is_shouting(text):
        text = " ".join(_ACRONYMS_BY_FOLD.get(w.casefold(), w.capitalize()) for w in text.split())
    return text


@functools.lru_cache(maxsize=4096)
def company_name(cell: str | None) -> str:
    """The company as a sentence names it: notes in parentheses dropped ("Acme (via referral)"),
    an all-lower name capitalised ("acme corp" -> "Acme Corp")."""
    text = _PARENTHESIS.sub(" ", one_line(cell)).strip(" ,;:–—-")
    text = " ".join(text.split())
    if text and text == text.lower():
        text = " ".join(word[:1].upper() + word[1:] for word in text.split())
    return text


# --- key points ------------------------------------------------------------------------------

# A note's lead-in, which the template's own frame ("our conversation about ...") replaces.
_LEAD_INS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(?:we|i|they|he|she)?\s*(?:discussed|talked(?: a lot)? about|spoke about|chatted"
        r" about|went over|went through|covered|touched on|focused on|dove into|dug into"
        r"|walked through|got into)\s+",
        r"^(?:they|he|she|the interviewer|interviewer|the manager|manager|the panel|panel"
        r"|the hiring manager|hm)?\s*(?:asked|asked me|quizzed me|grilled me)\s+(?:about|on)\s+",
        r"^(?:i\s+)?(?:mentioned|shared|explained|described|presented|showed)\s+",
        r"^(?:lots of |a lot of |many |some |several )?(?:discussion|conversation|questions"
        r"|chat|talk)s?\s+(?:about|on|of|around|re:?)\s+",
        r"^(?:re|about|topic|topics):?\s+",
    )
]
_PRONOUNS = {
    "their": "your",
    "theirs": "yours",
    "they": "you",
    "them": "you",
    "they're": "you're",
    "they've": "you've",
    "they'll": "you'll",
    "themselves": "yourselves",
}
_PRONOUN = re.compile(r"\b(" + "|".join(map(re.escape, _PRONOUNS)) + r")\b", re.IGNORECASE)
# A note that is a statement ("They use dbt", "Team is growing"): "how ..." makes it a topic.
_STATEMENT = re.compile(
    r"^(?:you're|we're|it's|there's|(?:you|we|the team|team|the company|company|it|there|he"
    r"|she|the manager|manager)\s+"
    r"(?:is|are|was|were|use|uses|used|want|wants|need|needs|have|has|had|plan|plans|will"
    r"|would|can|could|might|may|seem|seemed|value|values|work|works|run|runs|build|builds"
    r"|expect|expects|just|recently|already|currently))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class KeyPoints:
    """What a draft says about the conversation: the phrases, and the points held back."""

    phrases: tuple[str, ...]
    held_back: tuple[str, ...]  # points a follow-up should not raise ("salary expectations")


def split_points(text: str | None) -> list[str]:
    """A cell's points, one per line, ";" or bullet; bullets and trailing full stops dropped."""
    if not text:
        return []
    points = []
    for piece in _SPLIT_POINTS.split(text):
        point = _BULLET.sub("", piece).strip().rstrip(".!").strip().strip("\"'“”")
        if point:
            points.append(point)
    return points


def _swap_pronoun(match: re.Match[str]) -> str:
    word = match.group(0)
    swapped = _PRONOUNS[word.casefold()]
    return sentence_case(swapped) if word[:1].isupper() else swapped


@functools.lru_cache(maxsize=4096)
def key_point_phrase(point: str) -> str:
    """One note as a phrase for "our conversation about ...".

    "Discussed how I cut close from 10 to 4 days" -> "how I cut close from 10 to 4 days";
    "They asked about my SQL skills" -> "my SQL skills"; "THE DATA WAREHOUSE" -> "the data
    warehouse"; "Rebuilding their weekly dashboards" -> "rebuilding your weekly dashboards";
    "They use dbt" -> "how you use dbt".
    """
    text = lower_shouting(one_line(point))
    for pattern in _LEAD_INS:
        text = pattern.sub("", text, count=1)
    text = _PRONOUN.sub(_swap_pronoun, text)
    if _STATEMENT.match(text):
        subject = text.split(" ", 1)[0].casefold()
        the = "the " if subject in ("team", "company", "manager") else ""
        text = "how " + the + text[0].lower() + text[1:]
    return lower_pasted_capital(text).strip(" ,;:")


@functools.lru_cache(maxsize=4096)
def key_points(cell: str | None) -> KeyPoints:
    phrases: list[str] = []
    held_back: list[str] = []
    for point in split_points(cell):
        if _SENSITIVE.search(point):
            held_back.append(point)
            continue
        phrase = key_point_phrase(point)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return KeyPoints(tuple(phrases), tuple(held_back))


# --- extra info ------------------------------------------------------------------------------

# An extra-info note that is a statement about the candidate, and how its sentence starts.
_STATEMENT_STARTS: dict[str, str] = {
    "available": "I am available",
    "happy to": "I am happy to",
    "open to": "I am open to",
    "willing to": "I am willing to",
    "able to": "I am able to",
    "ready to": "I am ready to",
    "eligible": "I am eligible",
    "based in": "I am based in",
    "relocating": "I am relocating",
    "moving": "I am moving",
    "currently": "I am currently",
    "can": "I can",
    "will": "I will",
    "have": "I have",
    "hold": "I hold",
    "i": "I",
    "i'm": "I'm",
    "i am": "I am",
    "i have": "I have",
    "i can": "I can",
    "i will": "I will",
}
_STATEMENT_START = re.compile(
    r"^("
    + "|".join(re.escape(k) for k in sorted(_STATEMENT_STARTS, key=len, reverse=True))
    + r")\b\s*",
    re.IGNORECASE,
)
_SEND = re.compile(r"^(?:(?:i\s+)?(?:will|can|could|to)\s+)?(?:send|share|attach)\s+", re.I)
# Things a candidate offers that read better as theirs: "Portfolio" -> "my portfolio".
_PERSONAL_ITEMS = frozenset(
    {
        "portfolio",
        "resume",
        "résumé",
        "cv",
        "references",
        "website",
        "github",
        "linkedin",
        "writing samples",
        "work samples",
        "code samples",
        "case study",
        "transcript",
        "certificate",
        "certificates",
        "blog",
    }
)
_DETERMINERS = frozenset({"a", "an", "the", "my", "some", "any", "two", "three", "our"})
_LABEL = re.compile(r"^(?P<label>[^:\n]{1,40}?)\s*(?::|[-–—]\s)\s*$")


@dataclass(frozen=True)
class ExtraInfo:
    """The Extra Info cell as a draft uses it.

    `offers` are things to send ("my portfolio (URL)"), joined into "I would be glad to send
    ..."; `sentences` are statements written as their own sentences ("I am available to start
    in January."); `held_back` are notes a follow-up should not raise.
    """

    offers: tuple[str, ...]
    sentences: tuple[str, ...]
    held_back: tuple[str, ...]


def _my(phrase: str) -> str:
    first = phrase.split(" ", 1)[0].casefold()
    if first in _DETERMINERS:
        return phrase
    if phrase.casefold() in _PERSONAL_ITEMS or first in _PERSONAL_ITEMS:
        word = phrase.split(" ", 1)[0]
        if word[1:].islower():  # "Transcript" was capitalised by its place; "GitHub" stays
            phrase = phrase[:1].lower() + phrase[1:]
        return f"my {phrase}"
    return phrase


def _offer_with_link(label: str, url: str) -> str:
    label = lower_pasted_capital(lower_shouting(label.strip(" :-–—")))
    if not label:
        return f"the link to my work ({url})"
    return f"{_my(label)} ({url})"


_AVAILABLE = re.compile(r"^(?P<what>[\w' -]+?)\s+(?:(?:are|is)\s+)?available\b(?P<rest>.*)$", re.I)


def _statement(text: str) -> str | None:
    available = _AVAILABLE.match(text)
    if available is not None and available["what"].casefold() not in ("i", "i am", "i'm"):
        what = _my(lower_pasted_capital(available["what"]))
        verb = "are" if what.endswith("s") else "is"
        return sentence_case(f"{what} {verb} available{available['rest']}".rstrip(".")) + "."
    match = _STATEMENT_START.match(text)
    if match is None:
        return None
    start = _STATEMENT_STARTS[match.group(1).casefold()]
    rest = text[match.end() :]
    sentence = f"{start} {rest}".strip() if rest else start
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


@functools.lru_cache(maxsize=4096)
def extra_info(cell: str | None) -> ExtraInfo:
    offers: list[str] = []
    sentences: list[str] = []
    held_back: list[str] = []
    for item in split_points(cell):
        if _SENSITIVE.search(item):
            held_back.append(item)
            continue
        text = lower_shouting(one_line(item))
        url = _URL.search(text)
        if url is not None:
            before = text[: url.start()]
            after = text[url.end() :].strip(" .;,)")
            label = _LABEL.match(before)
            if after or (before.strip() and label is None and len(before.split()) > 4):
                offers.append(_offer_with_link(f"{before} {after}", url.group(0)))
            else:
                offers.append(_offer_with_link(label["label"] if label else before, url.group(0)))
            continue
        offer = _SEND.sub("", text)
        sentence = _statement(text) if offer == text else None
        if sentence is not None:
            sentences.append(sentence)
            continue
        offers.append(_my(lower_pasted_capital(offer)))
    return ExtraInfo(tuple(offers), tuple(sentences), tuple(held_back))


# --- dates -----------------------------------------------------------------------------------


def long_date(value: date | None, order: DateOrder = "MDY") -> str:
    """date(2026, 11, 12) -> "Thursday, November 12" ("Thursday 12 November" day-first)."""
    if value is None:
        return ""
    day, month = _DAYS[value.weekday()], _MONTHS[value.month - 1]
    if order == "DMY":
        return f"{day} {value.day} {month}"
    return f"{day}, {month} {value.day}"


def day_name(value: date | None, today: date | None, order: DateOrder = "MDY") -> str:
    """A day as "by ..." says it: "Friday" within six days of today, else "Friday, November
    20" ("Friday 20 November" day-first), with the year when it is not the current one."""
    if value is None:
        return ""
    if today is not None and abs((today - value).days) <= 6:
        return _DAYS[value.weekday()]
    text = long_date(value, order)
    if today is None or value.year != today.year:
        text += f", {value.year}" if order == "MDY" else f" {value.year}"
    return text


def spoken_date(value: date | None, today: date | None, order: DateOrder = "MDY") -> str:
    """When something happened, as a sentence says it before more words follow.

    "today", "yesterday", "on Friday" within the last six days, else "on Monday, November 9,"
    (the comma closes the date inside a US sentence) or "on Monday 9 November" day-first; the
    year is added when it is not the current one. "" without a date.
    """
    if value is None:
        return ""
    if today is not None:
        days_ago = (today - value).days
        if days_ago == 0:
            return "today"
        if days_ago == 1:
            return "yesterday"
        if 1 < days_ago <= 6:
            return f"on {_DAYS[value.weekday()]}"
        if days_ago == -1:
            return "tomorrow"
    text = f"on {long_date(value, order)}"
    if today is None or value.year != today.year:
        text += f", {value.year}" if order == "MDY" else f" {value.year}"
    return text + "," if order == "MDY" else text
