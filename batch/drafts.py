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

import contextlib
import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import meta

from batch.eml import (
    build_email,
    clean_address,
    clean_header_text,
    draft_time,
    message_id_for_absolute,
)
from batch.language_checks import DEFAULT_PUSHY_PHRASES as DEFAULT_PUSHY_PHRASES
from batch.language_checks import EMAIL_MAX_WORDS, SCRIPT_MAX_WORDS, warning
from batch.language_checks import check_text as check_text
from batch.manifest import DraftsFolder, PlannedWrite, WriteOutcome, lock_drafts
from batch.model import (
    DRAFTED_STATUSES,
    Decision,
    FileProblem,
    RowProblem,
    Sender,
    Step,
    TrackerRow,
)
from batch.names import SalutationForm, addressed_as, full_names, people_in, tidy_name
from batch.phrases import (
    DateOrder,
    company_name,
    day_name,
    extra_info,
    key_points,
    one_line,
    role_name,
    spoken_date,
)
from batch.phrases import join_and as join_and
from batch.phrases import long_date as long_date

if TYPE_CHECKING:
    from batch.config import Config


# The gaps the renderer itself leaves when a value is unknown; each one comes with its own
# specific problem, so the generic placeholder check does not report it a second time.
NAME_GAP = "[Your name]"
COMPANY_GAP = "[Company]"
# Who a draft greets when the Contact cell names no person ("HR", blank).
HIRING_TEAM = "Hiring Team"

STEP_KEYS: dict[Step, str] = {
    Step.THANK_YOU: "thank_you",
    Step.THANK_YOU_AND_CHECK_IN: "thank_you_and_check_in",
    Step.CHECK_IN: "check_in",
    Step.REMINDER: "reminder",
}

TEMPLATE_VARIABLES: tuple[str, ...] = (
    "greeting",  # "Dear Priya," ("Dear Ms. Rao," formal), or "Dear Hiring Team,"
    "contact_name",  # the name the greeting uses ("Priya", "Tom and Ana"), "" for none
    "company",  # "Acme Corp" (notes in parentheses dropped)
    "role",  # "Data Analyst" (no article, no "position"), "" when unknown
    "position",  # "the Data Analyst position" or "the position"
    "key_points",  # phrases for "our conversation about ..." (see batch.phrases)
    "key_points_text",  # the Key Points cell as written
    "extra_info",  # what to offer: "my portfolio (https://...) and my writing samples", or ""
    "extra_sentences",  # statements from Extra Info: "I am available to start in January."
    "interview_date",  # a date, or None
    "interview_day",  # "Thursday, November 12" ("Thursday 12 November" day-first), or ""
    "interview_when",  # "today", "yesterday", "on Friday", "on Monday, November 9,", or ""
    "checkin_when",  # when the check-in went, said the same way, or ""
    "employer_day",  # the employer's date that went by without news ("Friday, November 20"), or ""
    "reply_when",  # when their latest reply came ("yesterday", "on Friday"), or "" when none
    "ask_timeline",  # bool: the check-in asks about next steps and timeline
    "sender_name",  # the signature name, or "[Your name]"
    "sender_email",
    "sender_phone",
    "callback",  # the phone number to say in a voicemail
    "signature",  # "Best regards,\nAlex Morgan\n+1 555 0100"
    "step",  # "Thank-you", "Check-in", "Reminder"
    "status",  # "Due" or "Overdue"
    "due",  # a date, or None
    "row",  # the row number as Excel shows it
    "candidate",  # the Candidate cell, or ""
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
    """The policy and config values the drafts follow (passed in: no policy import here)."""

    ask_timeline_in_checkin: bool = True
    voicemail_scripts: bool = True
    pushy_phrases: tuple[str, ...] = DEFAULT_PUSHY_PHRASES
    templates_dir: Path | None = None
    # The run date: "today", "yesterday" and "on Friday" are said relative to it; None says
    # every date in full.
    today: date | None = None
    date_order: DateOrder = "MDY"
    salutation: SalutationForm = "first"
    # A thank-you is best written; a voicemail thank-you only when the user asks for one.
    voicemail_thank_you: bool = False
    # `[candidates."Name"]` in the config: each candidate's email and phone
    candidates: tuple[Sender, ...] = ()

    @classmethod
    def from_config(cls, config: Config, today: date | None) -> DraftSettings:
        """The settings of a run: the policy's, the config's [drafts] and the run date."""
        return cls(
            ask_timeline_in_checkin=config.policy.ask_timeline_in_checkin,
            voicemail_scripts=config.policy.voicemail_scripts,
            templates_dir=config.templates,
            today=today,
            date_order=config.policy.date_order,
            salutation=config.salutation,
            voicemail_thank_you=config.voicemail_thank_you,
            candidates=tuple(config.candidates.values()),
        )


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
        # The built-in templates are checked once, by the tests; a template from the user's
        # folder is checked here, before any draft uses it.
        if template.filename is None or Path(template.filename).parent != _BUILTIN_TEMPLATES:
            self._check_variables(name, template.filename or name, variables)
        self._compiled[name] = template
        return template

    def _check_variables(self, name: str, filename: str, variables: Sequence[str]) -> None:
        """DraftTemplateError naming the first variable the template uses but is not given."""
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


# --- rendering: who signs -> the context -> render -> checks ----------------------------------


def _tidy(text: str) -> str:
    """Tidy rendered text: no trailing spaces, at most one blank line in a row, one final newline,
    and no doubled full stop after a name that ends in one ("Inc..", "Yahoo!.").

    Templates can then use blank lines freely around `{% if %}` blocks.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidied = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return _NAME_THEN_STOP.sub(r"\1", tidied) + "\n"


# "Inc." or "Yahoo!" closing a sentence keeps its own mark; an ellipsis is left alone.
_NAME_THEN_STOP = re.compile(r"(?<!\.)([.!?])\.(?!\.)")


@dataclass(frozen=True)
class Signer:
    """Who signs a draft, with the email and phone that are theirs (never someone else's)."""

    name: str | None  # None: nobody; the draft says NAME_GAP
    email: str
    phone: str
    is_sender: bool  # the config's [sender]


def who_signs(row: TrackerRow, sender: Sender, candidates: Sequence[Sender] = ()) -> Signer:
    """The row's Candidate signs, else the config's [sender].

    Their email and phone come from the row's Candidate Email / Candidate Phone, else their
    `[candidates."Name"]` table, else `[sender]` when the sender is who signs. A coach's own
    details never go under a client's name.
    """
    candidate = tidy_name(row.candidate)
    sender_name = tidy_name(sender.name)
    is_sender = not candidate or not sender_name or candidate.casefold() == sender_name.casefold()
    name = candidate or sender_name or None
    email = (sender.email or "").strip() if is_sender else ""
    phone = (sender.phone or "").strip() if is_sender else ""
    if name is not None:
        for listed in candidates:
            if (listed.name or "").casefold() == name.casefold():
                email = (listed.email or "").strip() or email
                phone = (listed.phone or "").strip() or phone
    email = (row.candidate_email or "").strip() or email
    phone = (row.candidate_phone or "").strip() or phone
    return Signer(name, email, phone, is_sender=is_sender)


@dataclass(frozen=True)
class DraftContext:
    """Everything the templates of one row's drafts get, and what was found making it."""

    variables: dict[str, Any]
    problems: tuple[RowProblem, ...]
    known_gaps: tuple[str, ...]  # gaps left on purpose and already reported
    names: tuple[str, ...]  # names the draft uses on purpose (their capitals are right)
    to_name: str | None
    to_email: str | None


def _signature(name: str, phone: str) -> str:
    return "\n".join(["Best regards,", name, *([phone] if phone else [])])


def draft_context(
    request: DraftRequest, step: Step, signer: Signer, settings: DraftSettings
) -> DraftContext:
    """The template variables of one row's drafts (`TEMPLATE_VARIABLES`), from its cells made
    into phrases (`batch.phrases`, `batch.names`), and the warnings about missing parts."""
    row, decision = request.row, request.decision
    what = step.value.lower()
    problems: list[RowProblem] = []
    if signer.name is None:
        problems.append(
            RowProblem(
                row.row,
                "",
                "no-sender-name",
                f"The {what} draft is not ready: no name to sign it with; fill in "
                f"{row.header('candidate')} or set [sender] name in followup.toml "
                f'(the draft says "{NAME_GAP}").',
                severity="error",
            )
        )

    people = people_in(row.contact_name)
    contact = addressed_as(people, settings.salutation)
    # The To line names the people the cell names, as the greeting does, without roles or
    # notes ("Sam Ortiz", not "sam ortiz (Recruiter)"); a cell naming nobody ("HR") leaves
    # the bare address. The raw cell is still checked, so a line break in it is reported.
    _, contact_changed = clean_header_text(row.contact_name or "")
    to_name = clean_header_text(full_names(people))[0]
    to_email, email_changed = clean_address(row.contact_email)
    if email_changed:
        problems.append(
            warning(
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
            warning(
                row,
                "unsafe-header",
                "has line breaks, which were made spaces in the draft's To line: check it",
                row.header("contact_name"),
            )
        )
    if not people:
        problems.append(
            warning(
                row,
                "generic-greeting",
                f"names no person, so the {what} draft opens with "
                f'"Dear {HIRING_TEAM},": add the interviewer\'s name',
                row.header("contact_name"),
            )
        )

    points = key_points(row.key_points)
    extra = extra_info(row.extra_info)
    # The rules may have flagged the empty Key Points already (SPEC rule 2): say it once.
    key_points_flagged = any(
        p.column == row.header("key_points") for p in (*row.problems, *decision.problems)
    )
    if not points.phrases and not points.held_back and not key_points_flagged:
        problems.append(
            warning(
                row,
                "generic-draft",
                f"empty, so the {what} draft is generic: add what you discussed",
                row.header("key_points"),
            )
        )
    for column, held_back in (("key_points", points.held_back), ("extra_info", extra.held_back)):
        if held_back:
            problems.append(
                warning(
                    row,
                    "held-back",
                    f"{join_and([f'“{note}”' for note in held_back])} left out of the {what} "
                    "draft: a follow-up should not raise it; wait for them to",
                    row.header(column),
                )
            )

    company = company_name(row.company) or COMPANY_GAP
    role = role_name(row.role)
    name = signer.name or NAME_GAP
    today, order = settings.today, settings.date_order
    variables: dict[str, Any] = {
        "greeting": f"Dear {contact or HIRING_TEAM},",
        "contact_name": contact,
        "company": company,
        "role": role,
        "position": f"the {role} position" if role else "the position",
        "key_points": list(points.phrases),
        "key_points_text": (row.key_points or "").strip(),
        "extra_info": join_and(extra.offers),
        "extra_sentences": " ".join(extra.sentences),
        "interview_date": row.interview_date,
        "interview_day": long_date(row.interview_date, order),
        "interview_when": spoken_date(row.interview_date, today, order),
        "checkin_when": spoken_date(row.checkin_sent, today, order),
        "employer_day": (
            day_name(decision.employer_date, today, order) if decision.employer_date_passed else ""
        ),
        "reply_when": spoken_date(decision.reply_date, today, order),
        "ask_timeline": settings.ask_timeline_in_checkin,
        "sender_name": name,
        "sender_email": signer.email,
        "sender_phone": signer.phone,
        "callback": signer.phone,
        "signature": _signature(name, signer.phone),
        "step": step.value,
        "status": decision.status.value,
        "due": decision.due,
        "row": row.row,
        "candidate": (row.candidate or "").strip(),
    }
    known_gaps = tuple(
        gap
        for gap, left in ((NAME_GAP, signer.name is None), (COMPANY_GAP, not row.company))
        if left
    )
    # A capital the user typed inside a note is meant ("work with Finance"); only a note's
    # first word may carry a capital that was just the start of the note.
    meant = [
        phrase.split(" ", 1)[1] for phrase in (*points.phrases, *extra.offers) if " " in phrase
    ]
    names = (
        *meant,
        *extra.sentences,
        *(person.full for person in people),
        *(person.addressed(settings.salutation) for person in people),
        HIRING_TEAM,
        company,
        role,
        name,
    )
    return DraftContext(
        variables=variables,
        problems=tuple(problems),
        known_gaps=known_gaps,
        names=tuple(names),
        to_name=to_name or None,
        to_email=to_email,
    )


@dataclass(frozen=True)
class DraftTexts:
    subject: str
    body: str
    script: str | None


def wants_script(request: DraftRequest, step: Step, settings: DraftSettings) -> bool:
    """A voicemail script when the row has a phone, the policy wants scripts, and (for a
    thank-you, which is best written) the user asked for spoken ones too."""
    if not settings.voicemail_scripts or not (request.row.contact_phone or "").strip():
        return False
    return step is not Step.THANK_YOU or settings.voicemail_thank_you


def render_texts(
    templates: DraftTemplates, step: Step, context: DraftContext, script: bool
) -> DraftTexts:
    """The step's subject, email and (when `script`) voicemail script, tidied."""
    key = STEP_KEYS[step]
    variables = context.variables
    return DraftTexts(
        subject=one_line(templates.render(f"{key}.subject.j2", variables)),
        body=_tidy(templates.render(f"{key}.email.j2", variables)),
        script=_tidy(templates.render(f"{key}.voicemail.j2", variables)) if script else None,
    )


def _mentions(text: str, name: str) -> bool:
    folded = text.casefold()
    return any(part.casefold() in folded for part in [name, *name.split()] if len(part) > 1)


def check_draft(
    texts: DraftTexts,
    step: Step,
    context: DraftContext,
    request: DraftRequest,
    settings: DraftSettings,
) -> list[RowProblem]:
    """What the checks of `batch.language_checks` find in each text, and a replaced template
    that forgot the company or the person."""
    row = request.row
    what = step.value.lower()
    problems: list[RowProblem] = []
    for text, name, max_words in (
        (texts.subject, "subject", None),
        (texts.body, "email", EMAIL_MAX_WORDS),
        (texts.script, "voicemail script", SCRIPT_MAX_WORDS),
    ):
        if text is not None:
            problems += check_text(
                text,
                row=row,
                what=f"{what} {name}",
                max_words=max_words,
                pushy_phrases=settings.pushy_phrases,
                known_gaps=context.known_gaps,
                names=context.names,
            )
    # A replaced template can forget the personal parts; the built-in ones never do.
    variables = context.variables
    missing = [
        name
        for name in (variables["company"] if row.company else "", variables["contact_name"])
        if name and not _mentions(texts.body, name)
    ]
    if missing:
        problems.append(
            warning(
                row,
                "missing-personalisation",
                f"The {what} email does not mention {join_and(missing)}; check the template.",
            )
        )
    return problems


def _phone_fix(row: TrackerRow, signer: Signer) -> str:
    if signer.is_sender:
        return "set [sender] phone in followup.toml"
    return (
        f"fill in {row.header('candidate_phone')}, or set the phone of "
        f'[candidates."{signer.name}"] in followup.toml'
    )


# The problems that make a draft not ready to send: it still has a gap in it.
NOT_READY_CODES = frozenset({"no-sender-name", "unfilled-placeholder"})


def not_ready_notes(rendered: Iterable[RenderedDraft]) -> list[str]:
    """One line for the run summary per kind of gap left in drafts, with the fix."""
    rows: dict[str, list[int]] = {}
    for draft in rendered:
        for code in sorted({p.code for p in draft.problems if p.code in NOT_READY_CODES}):
            rows.setdefault(code, []).append(draft.row)
    notes = []
    for code, numbers in sorted(rows.items()):
        drafts = "1 draft is" if len(numbers) == 1 else f"{len(numbers)} drafts are"
        where = ", ".join(str(number) for number in numbers[:10])
        where += ", …" if len(numbers) > 10 else ""
        fix = (
            f'they say "{NAME_GAP}": set [sender] name in followup.toml, or fill in the '
            "Candidate column"
            if code == "no-sender-name"
            else "they have a gap to fill (see Follow-up Problems): fill it in, or fix the template"
        )
        notes.append(f"{drafts} not ready to send (row {where}): {fix}.")
    return notes


def render_draft(
    request: DraftRequest, settings: DraftSettings, templates: DraftTemplates
) -> RenderedDraft | None:
    """One row's drafts, as a chain: who signs, the context, render, checks."""
    decision = request.decision
    step = decision.step
    if step is None or decision.status not in DRAFTED_STATUSES:
        return None
    signer = who_signs(request.row, request.sender, settings.candidates)
    context = draft_context(request, step, signer, settings)
    problems = list(context.problems)
    script = wants_script(request, step, settings)
    if script and not signer.phone:
        script = False
        problems.append(
            warning(
                request.row,
                "no-callback-number",
                f"No {step.value.lower()} voicemail script: it would have no number to call "
                f"you back on; {_phone_fix(request.row, signer)}.",
            )
        )
    texts = render_texts(templates, step, context, script)
    problems += check_draft(texts, step, context, request, settings)
    return RenderedDraft(
        request=request,
        step=step,
        subject=texts.subject,
        body=texts.body,
        script=texts.script,
        to_name=context.to_name,
        to_email=context.to_email,
        from_name=signer.name if signer.is_sender or signer.email else None,
        from_email=signer.email or None,
        signer=signer.name,
        problems=tuple(dict.fromkeys(problems)),
    )


def render_drafts(
    requests: Iterable[DraftRequest], settings: DraftSettings | None = None
) -> list[RenderedDraft]:
    """Render the drafts of every request that is Due or Overdue with a step (others skipped).

    Pure: no files are written. Raises `DraftTemplateError` for a broken template.
    """
    settings = settings or DraftSettings()
    templates = DraftTemplates(settings.templates_dir)
    rendered = []
    for request in requests:
        draft = render_draft(request, settings, templates)
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
    """The files of one row's drafts in this run, and notes for the user.

    `email.path` is the email that will be sent: the user's edited draft when the row has not
    changed since it was written (`email.edited`), else the tool's version. When the row did
    change after an edit, the edited draft is kept at `email.kept` and the new version is
    beside it at `email.path`, so a review can show both.
    """

    tracker: Path
    row: int
    step: Step
    email: WriteOutcome
    script: WriteOutcome | None
    notes: tuple[str, ...]

    @property
    def draft_path(self) -> Path:
        """The file for the Follow-up Draft column: the email to send."""
        return self.email.path

    @property
    def edited(self) -> bool:
        """The email to send is the user's own edited version."""
        return self.email.edited

    @property
    def edited_email(self) -> Path | None:
        """The user's edited email, if there is one (the draft itself, or kept beside it)."""
        return self.email.path if self.email.edited else self.email.kept


@dataclass(frozen=True)
class DraftWriteResult:
    rows: tuple[RowDraftFiles, ...]
    folder: Path  # DRAFTS/<run date>
    manifest_path: Path

    def for_row(self, tracker: Path, row: int) -> RowDraftFiles | None:
        for files in self._by_row.get(row, ()):
            if _same_file(files.tracker, tracker):
                return files
        return None

    @functools.cached_property
    def _by_row(self) -> dict[int, list[RowDraftFiles]]:
        # The runner asks for every row's files: a scan of all rows each time grew with the
        # square of the drafts.
        by_row: dict[int, list[RowDraftFiles]] = {}
        for files in self.rows:
            by_row.setdefault(files.row, []).append(files)
        return by_row


def _same_file(first: Path, second: Path) -> bool:
    return first == second or first.resolve() == second.resolve()


def _note(outcome: WriteOutcome) -> str | None:
    if outcome.kept is None or outcome.edited:
        return None
    return (
        f"kept your edited {outcome.kept.name}; the row changed since, so the new version is "
        f"beside it: {outcome.path.name}"
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
    to stay inside `drafts_dir`. Every file is decided first, then all are written together
    with the manifest (see `batch.manifest`), holding the drafts folder's lock, so a crash or
    a full disk at any point leaves nothing the next run mistakes for the user's own files.
    `tz` is the zone of the Date header (09:00). With `dry_run`, nothing is created or
    written (and no lock taken): the result says what a real run would do.
    """
    lock = contextlib.nullcontext() if dry_run else lock_drafts(drafts_dir)
    with lock:
        return _write_drafts_locked(rendered, drafts_dir, run_date, tz, dry_run)


def _write_drafts_locked(
    rendered: Sequence[RenderedDraft],
    drafts_dir: Path,
    run_date: date,
    tz: tzinfo,
    dry_run: bool,
) -> DraftWriteResult:
    folder = DraftsFolder(drafts_dir, dry_run=dry_run)
    day = run_date.isoformat()
    folder.prepare_folder(day)
    sent_at = draft_time(run_date, tz)
    plans: list[PlannedWrite] = []
    rows: list[tuple[RenderedDraft, int, int | None]] = []  # draft, its plans' positions
    # os.path.abspath asks the OS for the working folder each time: once per tracker is enough
    absolute_trackers: dict[Path, str] = {}
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
        plans.append(folder.plan(f"{day}/{stem}.eml", email_bytes, owner, base))
        script_at: int | None = None
        script_text = draft.script_file_text()
        if script_text is not None:
            script_at = len(plans)
            plans.append(folder.plan(f"{day}/{stem}.txt", script_text.encode("utf-8"), owner, base))
        rows.append((draft, len(plans) - 1 - (script_at is not None), script_at))
    try:
        outcomes = folder.commit(plans)
    except BaseException:
        # What was written is recorded as ours; what was not stays pending for the next run.
        with contextlib.suppress(OSError):
            folder.save()
        raise
    # A draft whose name changed since the day's earlier run (a sender set in between):
    # its earlier files go, unless someone edited them.
    renamed: dict[int, list[str]] = {}
    for draft, email_at, _ in rows:
        owner = f"{absolute_trackers[draft.tracker]}#{draft.row}#"
        base = plans[email_at].base
        renamed[email_at] = folder.remove_renamed_drafts(day, owner, base)
    folder.save()
    results: list[RowDraftFiles] = []
    for draft, email_at, script_at in rows:
        email = outcomes[email_at]
        script = outcomes[script_at] if script_at is not None else None
        notes = tuple(note for note in (_note(email), script and _note(script)) if note)
        notes += tuple(
            f"kept your edited {name} (under the draft's old name); the new one is "
            f"{email.path.name}"
            for name in renamed[email_at]
        )
        results.append(RowDraftFiles(draft.tracker, draft.row, draft.step, email, script, notes))
    return DraftWriteResult(tuple(results), drafts_dir / day, folder.manifest_path)
