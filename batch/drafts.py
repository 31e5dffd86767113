"""Draft emails and voicemail scripts for the follow-up steps that are due (SPEC section 5).

Two stages, so the runner can show problems in a dry run without touching the disk:

- `render_drafts(requests, settings) -> list[RenderedDraft]` is pure: for each request whose
  decision is Due or Overdue with a step, it renders the step's templates (subject, email,
  voicemail script) and checks the text (`check_text`); what the checks find is in
  `RenderedDraft.problems` as "warning" RowProblems (for Follow-up Problems).
- `write_drafts(rendered, drafts_dir, run_date) -> DraftWriteResult` writes
  `DRAFTS/<run date>/<candidate>-<company>-<step>.eml` (and `.txt` for a script) through the
  manifest (`batch.manifest`): unchanged files are not rewritten and edited ones never
  overwritten. `DraftWriteResult.for_row(tracker, row)` gives the file for the Follow-up Draft
  column (`RowDraftFiles.draft_path`) and notes such as "kept your edited ...".

Templates are Jinja2 files named `<step>.<channel>.j2` (`thank_you`, `check_in`, `reminder` x
`subject`, `email`, `voicemail`) in `batch/templates/`; a file of the same name in
`DraftSettings.templates_dir` replaces the built-in one. Undefined variables are errors
(`StrictUndefined`), and any template error raises `DraftTemplateError` naming the file and line.
The variables a template may use are `TEMPLATE_VARIABLES`.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import meta

from batch.eml import (
    build_email,
    clean_address,
    clean_header_text,
    draft_time,
    message_id_for_absolute,
)
from batch.manifest import DraftsFolder, WriteOutcome
from batch.model import (
    DRAFTED_STATUSES,
    Decision,
    FileProblem,
    RowProblem,
    Sender,
    Step,
    TrackerRow,
)

DEFAULT_PUSHY_PHRASES: tuple[str, ...] = ("ASAP", "urgent", "I need to know", "why haven't", "!!")
EMAIL_MAX_WORDS = 150
# About 30 seconds read aloud at a calm pace.
SCRIPT_MAX_WORDS = 80

# The gaps the renderer itself leaves when a value is unknown; each one comes with its own
# specific problem, so the generic placeholder check does not report it a second time.
NAME_GAP = "[Your name]"
PHONE_GAP = "[your phone number]"
COMPANY_GAP = "[Company]"

STEP_KEYS: dict[Step, str] = {
    Step.THANK_YOU: "thank_you",
    Step.CHECK_IN: "check_in",
    Step.REMINDER: "reminder",
}

TEMPLATE_VARIABLES: tuple[str, ...] = (
    "greeting",  # "Dear Jane Doe," or "Hello,"
    "contact_name",  # "" when unknown
    "company",
    "role",  # "" when unknown
    "position",  # "the Data Analyst position" or "the position"
    "key_points",  # list of the points discussed (split on lines, ";" and bullets)
    "key_points_text",  # the Key Points cell as written
    "extra_info",  # "" when none
    "interview_date",  # a date, or None
    "interview_day",  # "Thursday, November 12", or ""
    "ask_timeline",  # bool: the check-in asks about next steps and timeline
    "sender_name",  # the signature name, or "[Your name]"
    "sender_email",
    "sender_phone",
    "callback",  # the phone number to say in a voicemail, or "[your phone number]"
    "signature",  # "Best regards,\nAlex Morgan\n+1 555 0100"
    "step",  # "Thank-you", "Check-in", "Reminder"
    "status",  # "Due" or "Overdue"
    "due",  # a date, or None
    "row",  # the row number as Excel shows it
    "candidate",  # the Candidate cell, or ""
)

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
_BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "templates"


class DraftTemplateError(FileProblem):
    """A template that cannot be used (syntax error, unknown variable): stops the run's drafts."""


@dataclass(frozen=True)
class DraftRequest:
    """One row that may need a draft, with who signs it (`sender` from the config)."""

    tracker: Path
    row: TrackerRow
    decision: Decision
    sender: Sender = field(default_factory=Sender)


@dataclass(frozen=True)
class DraftSettings:
    """The policy values the drafts follow (passed in, so this module needs no policy import)."""

    ask_timeline_in_checkin: bool = True
    voicemail_scripts: bool = True
    pushy_phrases: tuple[str, ...] = DEFAULT_PUSHY_PHRASES
    templates_dir: Path | None = None


@dataclass(frozen=True)
class RenderedDraft:
    """The text of one row's drafts, and what the checks found in it. No file written yet."""

    request: DraftRequest
    step: Step
    subject: str
    body: str
    script: str | None  # the voicemail script, when the row has a phone and scripts are on
    to_name: str | None  # cleaned for a header
    to_email: str | None  # a usable address, or None
    from_name: str | None
    from_email: str | None
    signer: str | None  # who signs: the row's Candidate, else the config's sender
    problems: tuple[RowProblem, ...]

    @property
    def tracker(self) -> Path:
        return self.request.tracker

    @property
    def row(self) -> int:
        return self.request.row.row

    @property
    def company(self) -> str:
        return self.request.row.company or ""

    def script_file_text(self) -> str | None:
        """The .txt file: who to call and at which number, then the script to read."""
        if self.script is None:
            return None
        row = self.request.row
        who = ", ".join(part for part in (row.contact_name, row.company) if part)
        heading = f"Call {row.contact_phone}" + (f" ({who})" if who else "")
        step = self.step.value
        return f"{heading}\n{step} voicemail script, about 30 seconds:\n\n{self.script}"


# --- templates -------------------------------------------------------------------------------


def join_and(items: Iterable[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def long_date(value: date | None) -> str:
    """date(2026, 11, 12) -> "Thursday, November 12" (English, whatever the machine's locale)."""
    if value is None:
        return ""
    return f"{_DAYS[value.weekday()]}, {_MONTHS[value.month - 1]} {value.day}"


def _template_line(error: BaseException, filename: str | None) -> int | None:
    """The template line an exception was raised at (Jinja maps its frames to template lines)."""
    line = getattr(error, "lineno", None)
    if isinstance(line, int):
        return line
    traceback: TracebackType | None = error.__traceback__
    found: int | None = None
    while traceback is not None:
        if filename and traceback.tb_frame.f_code.co_filename == filename:
            found = traceback.tb_lineno
        traceback = traceback.tb_next
    return found


class DraftTemplates:
    """The templates of a run, each loaded, checked and compiled once."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        if templates_dir is not None and not templates_dir.is_dir():
            raise DraftTemplateError(
                templates_dir, "templates folder not found; fix [drafts] templates in the config"
            )
        loaders: list[jinja2.BaseLoader] = []
        if templates_dir is not None:
            loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
        loaders.append(jinja2.FileSystemLoader(str(_BUILTIN_TEMPLATES)))
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
            keep_trailing_newline=True,
            # A line holding only a block tag renders as an empty line, which `_tidy` folds
            # into the paragraph break around it (trim_blocks would glue paragraphs together).
            lstrip_blocks=True,
        )
        self.templates_dir = templates_dir
        self.environment.filters["join_and"] = join_and
        self.environment.filters["long_date"] = long_date
        self._compiled: dict[str, jinja2.Template] = {}

    def _source_path(self, name: str) -> Path:
        """The file a template name is read from: the user's folder first, then the built-in."""
        if self.templates_dir is not None and (self.templates_dir / name).exists():
            return self.templates_dir / name
        return _BUILTIN_TEMPLATES / name

    def get(self, name: str, variables: Sequence[str] = TEMPLATE_VARIABLES) -> jinja2.Template:
        """The compiled template; unknown variable names are errors even in unused branches."""
        compiled = self._compiled.get(name)
        if compiled is not None:
            return compiled
        try:
            template = self.environment.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            where = error.filename or name
            raise DraftTemplateError(where, f"line {error.lineno}: {error.message}") from None
        except jinja2.TemplateNotFound:
            raise DraftTemplateError(name, "template not found") from None
        except UnicodeDecodeError:
            raise DraftTemplateError(
                self._source_path(name), "not UTF-8 text; save the template as UTF-8"
            ) from None
        except OSError as error:
            raise DraftTemplateError(
                self._source_path(name), error.strerror or str(error)
            ) from None
        filename = template.filename or name
        assert self.environment.loader is not None
        source = self.environment.loader.get_source(self.environment, name)[0]
        unknown = sorted(
            meta.find_undeclared_variables(self.environment.parse(source))
            - set(variables)
            - set(self.environment.globals)  # range, namespace, ...
        )
        if unknown:
            line = next(
                (
                    number
                    for number, text in enumerate(source.splitlines(), start=1)
                    if re.search(rf"\b{re.escape(unknown[0])}\b", text)
                ),
                1,
            )
            raise DraftTemplateError(
                filename,
                f"line {line}: '{unknown[0]}' is undefined; "
                f"a template may use: {', '.join(sorted(variables))}",
            )
        self._compiled[name] = template
        return template

    def render(self, name: str, context: dict[str, Any]) -> str:
        template = self.get(name, tuple(context))
        try:
            return template.render(context)
        except jinja2.TemplateError as error:
            filename = template.filename or name
            line = _template_line(error, template.filename)
            where = f"line {line}: " if line else ""
            raise DraftTemplateError(filename, f"{where}{error.message or error}") from None
        except Exception as error:  # a filter given a wrong value, etc.: still name the file
            filename = template.filename or name
            line = _template_line(error, template.filename)
            where = f"line {line}: " if line else ""
            raise DraftTemplateError(filename, f"{where}{error}") from None


# --- rendering -------------------------------------------------------------------------------


def split_key_points(text: str | None) -> list[str]:
    """Key points as a list: one per line, ";" or bullet; trailing full stops dropped."""
    if not text:
        return []
    pieces = re.split(r"[\n;•]+", text)
    points = []
    for piece in pieces:
        point = re.sub(r"^\s*[-*–]\s+", "", piece).strip().rstrip(".").strip()
        if point:
            points.append(point)
    return points


def _tidy(text: str) -> str:
    """Tidy rendered text: no trailing spaces, at most one blank line in a row, one final newline.

    Templates can then use blank lines freely around `{% if %}` blocks.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidied = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return tidied + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _warning(row: TrackerRow, code: str, message: str, column: str = "") -> RowProblem:
    return RowProblem(row=row.row, column=column, code=code, message=message, severity="warning")


def _signer(row: TrackerRow, sender: Sender) -> tuple[str | None, bool]:
    """Who signs, and whether that person is the config's sender (whose email and phone apply)."""
    candidate = (row.candidate or "").strip()
    sender_name = (sender.name or "").strip()
    if candidate:
        return candidate, not sender_name or sender_name.casefold() == candidate.casefold()
    if sender_name:
        return sender_name, True
    # No name at all: the sender's email and phone (if any) are still this user's own.
    return None, True


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{%|%\}|\[[^\[\]\n]{0,60}\]|\bTODO\b", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Match a phrase case-insensitively where a word starts ("urgent" finds "Urgently", not
    "insurgent")."""
    start = r"\b" if phrase[:1].isalnum() else ""
    return re.compile(start + re.escape(phrase), re.IGNORECASE)


@functools.lru_cache(maxsize=16)
def _any_phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Matches where any of the phrases would (never matches when there are none)."""
    alternatives = [_phrase_pattern(phrase).pattern for phrase in phrases if phrase]
    return re.compile("|".join(alternatives) or r"(?!)", re.IGNORECASE)


def check_text(
    text: str,
    *,
    row: TrackerRow,
    what: str,
    max_words: int | None,
    pushy_phrases: Sequence[str],
    known_gaps: Sequence[str] = (),
) -> list[RowProblem]:
    """The checks every draft text goes through before it is written.

    `what` names the text in messages ("check-in email"); `known_gaps` are gaps the renderer
    left on purpose and flagged already. Finds unfilled placeholders, a text over `max_words`
    words and pushy phrases (case-insensitive).
    """
    problems: list[RowProblem] = []
    remaining = text
    for gap in known_gaps:
        remaining = remaining.replace(gap, " ")
    gaps = sorted({match.group(0) for match in _PLACEHOLDER.finditer(remaining)})
    if gaps:
        shown = ", ".join(f'"{gap}"' for gap in gaps)
        problems.append(
            _warning(row, "unfilled-placeholder", f"The {what} has a gap to fill: {shown}.")
        )
    words = len(text.split())
    if max_words is not None and words > max_words:
        problems.append(
            _warning(
                row,
                "too-long",
                f"The {what} is {words} words; keep it under {max_words} (shorten the key points).",
            )
        )
    if not _any_phrase_pattern(tuple(pushy_phrases)).search(text):
        return problems  # the usual case: one search instead of one per phrase
    for phrase in pushy_phrases:
        if phrase and _phrase_pattern(phrase).search(text):
            problems.append(
                _warning(
                    row, "pushy-phrase", f'The {what} says "{phrase}", which can read as pushy.'
                )
            )
    return problems


def _mentions(text: str, name: str) -> bool:
    folded = text.casefold()
    return any(part.casefold() in folded for part in [name, *name.split()] if len(part) > 1)


class _Renderer:
    def __init__(self, settings: DraftSettings) -> None:
        self.settings = settings
        self.templates = DraftTemplates(settings.templates_dir)

    def render(self, request: DraftRequest) -> RenderedDraft | None:
        decision = request.decision
        step: Step | None = decision.step
        if step is None or decision.status not in DRAFTED_STATUSES:
            return None
        row = request.row
        sender = request.sender
        problems: list[RowProblem] = []
        what = step.value.lower()
        key = STEP_KEYS[step]

        signer, signer_is_sender = _signer(row, sender)
        sender_phone = (sender.phone or "").strip() if signer_is_sender else ""
        sender_email = (sender.email or "").strip() if signer_is_sender else ""
        if signer is None:
            problems.append(
                _warning(
                    row,
                    "no-sender-name",
                    f"No name to sign the {what} draft with: fill in "
                    f"{row.header('candidate')} or set [sender] name in followup.toml; "
                    f'the draft says "{NAME_GAP}".',
                )
            )

        contact_name, contact_changed = clean_header_text(row.contact_name or "")
        to_email, email_changed = clean_address(row.contact_email)
        if email_changed:
            problems.append(
                _warning(
                    row,
                    "unsafe-header",
                    "has line breaks or other text that cannot go into an email header, "
                    "so it was left out of the draft's To line: check it",
                    row.header("contact_email"),
                )
            )
        elif contact_changed:
            # The name stays in the To line, on one line: its breaks became spaces.
            problems.append(
                _warning(
                    row,
                    "unsafe-header",
                    "has line breaks, which were made spaces in the draft's To line: check it",
                    row.header("contact_name"),
                )
            )

        company = _one_line(row.company or "") or COMPANY_GAP
        role = _one_line(row.role or "")
        key_points = split_key_points(row.key_points)
        extra_info = (row.extra_info or "").strip()
        # The rules may have flagged the empty Key Points already (SPEC rule 2): say it once.
        key_points_flagged = any(
            p.column == row.header("key_points") for p in (*row.problems, *decision.problems)
        )
        if not key_points and not key_points_flagged:
            problems.append(
                _warning(
                    row,
                    "generic-draft",
                    f"empty, so the {what} draft is generic: add what you discussed",
                    row.header("key_points"),
                )
            )
        if not contact_name:
            problems.append(
                _warning(
                    row,
                    "generic-greeting",
                    f'empty, so the {what} draft opens with "Hello,": add the interviewer\'s name',
                    row.header("contact_name"),
                )
            )

        sender_name = signer or NAME_GAP
        signature_lines = ["Best regards,", sender_name]
        if sender_phone:
            signature_lines.append(sender_phone)
        context: dict[str, Any] = {
            "greeting": f"Dear {contact_name}," if contact_name else "Hello,",
            "contact_name": contact_name,
            "company": company,
            "role": role,
            "position": f"the {role} position" if role else "the position",
            "key_points": key_points,
            "key_points_text": (row.key_points or "").strip(),
            "extra_info": extra_info,
            "interview_date": row.interview_date,
            "interview_day": long_date(row.interview_date),
            "ask_timeline": self.settings.ask_timeline_in_checkin,
            "sender_name": sender_name,
            "sender_email": sender_email,
            "sender_phone": sender_phone,
            "callback": sender_phone or PHONE_GAP,
            "signature": "\n".join(signature_lines),
            "step": step.value,
            "status": decision.status.value,
            "due": decision.due,
            "row": row.row,
            "candidate": (row.candidate or "").strip(),
        }
        known_gaps = [gap for gap, used in ((NAME_GAP, signer is None),) if used]
        if company == COMPANY_GAP:
            known_gaps.append(COMPANY_GAP)

        subject = _one_line(self.templates.render(f"{key}.subject.j2", context))
        body = _tidy(self.templates.render(f"{key}.email.j2", context))
        pushy = self.settings.pushy_phrases
        problems += check_text(
            subject,
            row=row,
            what=f"{what} subject",
            max_words=None,
            pushy_phrases=pushy,
            known_gaps=known_gaps,
        )
        problems += check_text(
            body,
            row=row,
            what=f"{what} email",
            max_words=EMAIL_MAX_WORDS,
            pushy_phrases=pushy,
            known_gaps=known_gaps,
        )
        # A replaced template can forget the personal parts; the built-in ones never do.
        missing = [
            name
            for name in (company if company != COMPANY_GAP else "", contact_name)
            if name and not _mentions(body, name)
        ]
        if missing:
            problems.append(
                _warning(
                    row,
                    "missing-personalisation",
                    f"The {what} email does not mention {join_and(missing)}; check the template.",
                )
            )

        script: str | None = None
        if self.settings.voicemail_scripts and (row.contact_phone or "").strip():
            script = _tidy(self.templates.render(f"{key}.voicemail.j2", context))
            script_gaps = list(known_gaps)
            if not sender_phone:
                script_gaps.append(PHONE_GAP)
                if PHONE_GAP in script:
                    problems.append(
                        _warning(
                            row,
                            "no-callback-number",
                            f"The {what} voicemail script has no number to call back: set "
                            f'[sender] phone in followup.toml, or say yours at "{PHONE_GAP}".',
                        )
                    )
            problems += check_text(
                script,
                row=row,
                what=f"{what} voicemail script",
                max_words=SCRIPT_MAX_WORDS,
                pushy_phrases=pushy,
                known_gaps=script_gaps,
            )

        from_name = signer if signer_is_sender else None
        return RenderedDraft(
            request=request,
            step=step,
            subject=subject,
            body=body,
            script=script,
            to_name=contact_name or None,
            to_email=to_email,
            from_name=from_name,
            from_email=sender_email or None,
            signer=signer,
            problems=tuple(dict.fromkeys(problems)),
        )


def render_drafts(
    requests: Iterable[DraftRequest], settings: DraftSettings | None = None
) -> list[RenderedDraft]:
    """Render the drafts of every request that is Due or Overdue with a step (others skipped).

    Pure: no files are written. Raises `DraftTemplateError` for a broken template.
    """
    renderer = _Renderer(settings or DraftSettings())
    rendered = []
    for request in requests:
        draft = renderer.render(request)
        if draft is not None:
            rendered.append(draft)
    return rendered


# --- file names ------------------------------------------------------------------------------

# Windows refuses these as file names, with any extension (CON.txt is CON).
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{n}" for n in "123456789¹²³"]
    + [f"LPT{n}" for n in "123456789¹²³"]
)
PART_MAX_LENGTH = 40


# Cached: the candidate's name and many company names repeat on every draft of a run.
@functools.lru_cache(maxsize=4096)
def safe_slug(text: str | None, max_length: int = PART_MAX_LENGTH) -> str:
    """An ASCII file-name part: "Jürgen Müller" -> "jurgen-muller"; "" when nothing is left.

    NFKD splits accented letters into letter + accent, and the accent is dropped; anything
    else that is not a letter or digit becomes "-", so "/", "..", "\\" and ":" cannot survive.
    """
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    if slug.upper() in _WINDOWS_RESERVED:
        slug = f"{slug}-file"
    return slug


def draft_stem(candidate: str | None, company: str | None, step: Step, row: int) -> str:
    """`<candidate>-<company>-<step>`, or `row-N-<step>` when neither gives a usable name."""
    parts = [safe_slug(candidate), safe_slug(company)]
    named = [part for part in parts if part]
    if not named:
        named = [f"row-{row}"]
    return "-".join([*named, safe_slug(step.value)])


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowDraftFiles:
    """The files of one row's drafts in this run, and notes for the user."""

    tracker: Path
    row: int
    step: Step
    email: WriteOutcome
    script: WriteOutcome | None
    notes: tuple[str, ...]

    @property
    def draft_path(self) -> Path:
        """The file for the Follow-up Draft column: the email written in this run."""
        return self.email.path


@dataclass(frozen=True)
class DraftWriteResult:
    rows: tuple[RowDraftFiles, ...]
    folder: Path  # DRAFTS/<run date>
    manifest_path: Path

    def for_row(self, tracker: Path, row: int) -> RowDraftFiles | None:
        for files in self.rows:
            if files.row == row and _same_file(files.tracker, tracker):
                return files
        return None


def _same_file(first: Path, second: Path) -> bool:
    return first == second or first.resolve() == second.resolve()


def _note(outcome: WriteOutcome) -> str | None:
    if outcome.kept is None:
        return None
    return (
        f"kept your edited {outcome.kept.name}; the new version is beside it: {outcome.path.name}"
    )


def write_drafts(
    rendered: Sequence[RenderedDraft],
    drafts_dir: Path,
    run_date: date,
    *,
    tz: tzinfo = UTC,
    dry_run: bool = False,
) -> DraftWriteResult:
    """Write each draft's .eml (and .txt script) into `drafts_dir/<run date>/`, atomically.

    File names are unique within the run, stable across re-runs of the same day, and checked
    to stay inside `drafts_dir`. The manifest is saved even when a write fails half-way, so the
    files already written are known to be ours. `tz` is the zone of the Date header (09:00).
    With `dry_run`, nothing is created or written: the result says what a real run would do.
    """
    folder = DraftsFolder(drafts_dir, dry_run=dry_run)
    day = run_date.isoformat()
    sent_at = draft_time(run_date, tz)
    results: list[RowDraftFiles] = []
    # os.path.abspath asks the OS for the working folder each time: once per tracker is enough
    absolute_trackers: dict[Path, str] = {}
    try:
        for draft in rendered:
            tracker = absolute_trackers.get(draft.tracker)
            if tracker is None:
                tracker = absolute_trackers[draft.tracker] = os.path.abspath(draft.tracker)
            owner = f"{tracker}#{draft.row}#{STEP_KEYS[draft.step]}"
            base = draft_stem(draft.signer, draft.request.row.company, draft.step, draft.row)
            stem = folder.allocate_stem(day, base, owner, (".eml", ".txt"))
            email_bytes = build_email(
                to_name=draft.to_name,
                to_email=draft.to_email,
                from_name=draft.from_name,
                from_email=draft.from_email,
                subject=draft.subject,
                body=draft.body,
                sent_at=sent_at,
                message_id=message_id_for_absolute(tracker, draft.row, draft.step.value, run_date),
            )
            email = folder.write(f"{day}/{stem}.eml", email_bytes, owner, base)
            script: WriteOutcome | None = None
            script_text = draft.script_file_text()
            if script_text is not None:
                script = folder.write(f"{day}/{stem}.txt", script_text.encode("utf-8"), owner, base)
            notes = tuple(note for note in (_note(email), script and _note(script)) if note)
            results.append(
                RowDraftFiles(draft.tracker, draft.row, draft.step, email, script, notes)
            )
    finally:
        folder.save()
    return DraftWriteResult(tuple(results), drafts_dir / day, folder.manifest_path)
