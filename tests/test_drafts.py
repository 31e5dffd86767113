"""Drafts: golden texts for every step and channel, the checks, templates, file names."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from drafts_helpers import RUN_DATE, SENDER, make_decision, make_request, make_row
from golden_helpers import assert_golden
from hypothesis import given
from hypothesis import strategies as st

from batch.drafts import (
    DEFAULT_PUSHY_PHRASES,
    NAME_GAP,
    TEMPLATE_VARIABLES,
    DraftSettings,
    DraftTemplateError,
    RenderedDraft,
    check_text,
    draft_stem,
    not_ready_notes,
    render_drafts,
    safe_slug,
    who_signs,
)
from batch.model import FileProblem, RowProblem, Sender, Status, Step
from batch.phrases import split_points as split_key_points

# The run date is set and thank-you scripts are on, so every channel is shown.
SETTINGS = DraftSettings(today=RUN_DATE, voicemail_thank_you=True)
VARIANTS = {
    # name: (row fields, settings)
    "full": ({}, SETTINGS),
    "key-points-only": ({"extra_info": None}, SETTINGS),
    "extra-info-only": ({"key_points": None}, SETTINGS),
    "bare": (
        {"key_points": None, "extra_info": None, "contact_name": None, "role": None},
        SETTINGS,
    ),
    "no-timeline": ({}, replace(SETTINGS, ask_timeline_in_checkin=False)),
    "bare-no-timeline": (
        {"key_points": None, "extra_info": None, "contact_name": None, "role": None},
        replace(SETTINGS, ask_timeline_in_checkin=False),
    ),
}
STEP_FILES = {
    Step.THANK_YOU: "thank-you",
    Step.THANK_YOU_AND_CHECK_IN: "thank-you-and-check-in",
    Step.CHECK_IN: "check-in",
    Step.REMINDER: "reminder",
}
CASES = [
    (variant, step)
    for variant in VARIANTS
    for step in Step
    # ask_timeline only changes the check-in
    if step is Step.CHECK_IN or "timeline" not in variant
]


def _render_one(request_row_fields: dict[str, object], step: Step, settings: DraftSettings):
    row = make_row(**request_row_fields)
    request = make_request(row=row, decision=make_decision(step=step, status=Status.DUE))
    (draft,) = render_drafts([request], settings)
    return draft


def _golden_text(draft: RenderedDraft) -> str:
    problems = (
        "".join(f"{p.code} [{p.column}]: {p.message}\n" for p in draft.problems) or "(none)\n"
    )
    return (
        f"=== subject ===\n{draft.subject}\n"
        f"=== email ===\n{draft.body}"
        f"=== voicemail ===\n{draft.script}"
        f"=== problems ===\n{problems}"
    )


def _compare(name: str, actual: str) -> None:
    assert_golden(f"drafts/{name}", actual)


@pytest.mark.parametrize(("variant", "step"), CASES, ids=[f"{v}-{s.value}" for v, s in CASES])
def test_golden_drafts(variant: str, step: Step) -> None:
    fields, settings = VARIANTS[variant]
    draft = _render_one(fields, step, settings)
    _compare(f"{STEP_FILES[step]}.{variant}.txt", _golden_text(draft))


# The situations the rules tell the drafts about (Decision.employer_date, .reply_date).
SITUATIONS = {
    # name: (step, decision fields, row fields)
    "check-in.employer-date-passed": (
        Step.CHECK_IN,
        {"employer_date": date(2026, 11, 20), "employer_date_passed": True},
        {"reply_expected_by": date(2026, 11, 20)},
    ),
    "check-in.after-reply": (
        Step.CHECK_IN,
        {"reply_date": date(2026, 11, 13)},
        {"reply_date": date(2026, 11, 13)},
    ),
    "check-in.after-reply-with-their-new-date": (
        Step.CHECK_IN,
        {
            "reply_date": date(2026, 11, 13),
            "employer_date": date(2026, 11, 18),
            "employer_date_passed": True,
        },
        {"reply_date": date(2026, 11, 13), "reply_expected_by": date(2026, 11, 18)},
    ),
    "thank-you-and-check-in.employer-date-passed": (
        Step.THANK_YOU_AND_CHECK_IN,
        {"employer_date": date(2026, 11, 13), "employer_date_passed": True},
        {"thank_you_sent": None, "reply_expected_by": date(2026, 11, 13)},
    ),
    "reminder.after-the-check-in": (
        Step.REMINDER,
        {},
        {"checkin_sent": date(2026, 11, 16)},
    ),
}


@pytest.mark.parametrize("name", list(SITUATIONS))
def test_golden_drafts_that_know_the_row(name: str) -> None:
    step, decision_fields, row_fields = SITUATIONS[name]
    decision = replace(make_decision(step=step, status=Status.DUE), **decision_fields)
    request = make_request(row=make_row(**row_fields), decision=decision)
    (draft,) = render_drafts([request], SETTINGS)
    _compare(f"{name}.txt", _golden_text(draft))
    assert draft.problems == ()
    if decision.employer_date_passed or decision.reply_date:
        assert "timeline" not in draft.body  # the employer gave a date already


@pytest.mark.parametrize("step", list(Step))
def test_built_in_drafts_pass_their_own_checks(step: Step) -> None:
    draft = _render_one({}, step, SETTINGS)
    assert draft.problems == ()
    assert len(draft.body.split()) <= 150
    assert draft.script is not None and len(draft.script.split()) <= 80


def test_content_follows_the_advice() -> None:
    draft = _render_one({}, Step.THANK_YOU, SETTINGS)
    assert draft.body.startswith("Dear Jane,\n")
    assert "Thank you for taking the time" in draft.body
    assert "the new data platform and how the team measures churn" in draft.body
    assert "Acme Corp" in draft.body and "Data Analyst" in draft.body
    assert "a short write-up of my churn model" in draft.body
    assert draft.body.rstrip().endswith("Best regards,\nAlex Morgan\n+1 555 0100")
    assert draft.script is not None
    assert "Alex Morgan" in draft.script and "+1 555 0100" in draft.script
    assert "Data Analyst" in draft.script


def test_check_in_asks_about_timeline_only_when_the_policy_says_so() -> None:
    asking = _render_one({}, Step.CHECK_IN, DraftSettings(ask_timeline_in_checkin=True))
    quiet = _render_one({}, Step.CHECK_IN, DraftSettings(ask_timeline_in_checkin=False))
    assert "timeline" in asking.body and "next steps" in asking.body
    assert "timeline" not in quiet.body and "next steps" not in quiet.body
    assert quiet.script is not None and "next steps" not in quiet.script


def test_hiring_team_greeting_without_a_contact_name() -> None:
    draft = _render_one({"contact_name": None}, Step.CHECK_IN, DraftSettings())
    assert draft.body.startswith("Dear Hiring Team,\n")
    assert [p.code for p in draft.problems] == ["generic-greeting"]
    assert draft.to_name is None and draft.to_email == "jane.doe@acme.example"


@pytest.mark.parametrize(
    ("status", "step", "drafted"),
    [
        (Status.DUE, Step.THANK_YOU, True),
        (Status.OVERDUE, Step.REMINDER, True),
        (Status.WAITING, Step.CHECK_IN, False),
        (Status.UPCOMING, Step.THANK_YOU, False),
        (Status.MOVE_ON, None, False),
        (Status.CLOSED, None, False),
        (Status.NEEDS_ATTENTION, None, False),
    ],
)
def test_only_due_and_overdue_steps_get_drafts(
    status: Status, step: Step | None, drafted: bool
) -> None:
    request = make_request(decision=make_decision(step=step, status=status))
    assert len(render_drafts([request])) == (1 if drafted else 0)


@pytest.mark.parametrize(
    ("phone", "scripts_on", "has_script"),
    [
        ("+1 555 0199", True, True),
        ("+1 555 0199", False, False),
        (None, True, False),
        ("  ", True, False),
    ],
)
def test_voicemail_script_needs_a_phone_and_the_policy(
    phone: str | None, scripts_on: bool, has_script: bool
) -> None:
    draft = _render_one(
        {"contact_phone": phone}, Step.CHECK_IN, DraftSettings(voicemail_scripts=scripts_on)
    )
    assert (draft.script is not None) == has_script
    assert (draft.script_file_text() is not None) == has_script


# --- signature ---------------------------------------------------------------------------------


def test_the_rows_candidate_signs_and_the_configs_contact_details_are_not_borrowed() -> None:
    request = make_request(row=make_row(candidate="Sam Lee"))
    (draft,) = render_drafts([request])
    assert draft.signer == "Sam Lee"
    assert draft.body.rstrip().endswith("Best regards,\nSam Lee")
    # the config's sender is someone else (the coach): not their address, not their phone
    assert draft.from_email is None and draft.from_name is None
    # no number of theirs to leave: no script, and the row says why
    assert draft.script is None
    assert "no-callback-number" in [p.code for p in draft.problems]


def test_candidate_equal_to_sender_keeps_the_senders_details() -> None:
    (draft,) = render_drafts([make_request(row=make_row(candidate="alex morgan"))])
    assert draft.from_email == "alex@example.com"
    assert "+1 555 0100" in draft.body


def test_no_sender_name_leaves_a_visible_gap_flagged_once() -> None:
    request = make_request(sender=Sender(email="me@example.com"))
    (draft,) = render_drafts([request])
    assert NAME_GAP in draft.body
    codes = [p.code for p in draft.problems]
    assert codes.count("no-sender-name") == 1
    assert "unfilled-placeholder" not in codes
    # a draft with a gap is not ready to send: an error, so the run exits 1 and says why
    (gap,) = [p for p in draft.problems if p.code == "no-sender-name"]
    assert gap.severity == "error"
    assert not_ready_notes([draft]) == [
        '1 draft is not ready to send (row 7): they say "[Your name]": set [sender] name in '
        "followup.toml, or fill in the Candidate column."
    ]


def test_who_signs_a_coachs_tracker() -> None:
    coach = Sender(name="Dana Coach", email="dana@coach.example", phone="+1 555 0001")
    listed = (Sender(name="Sam Rivera", email="sam@rivera.example", phone="+1 555 0777"),)
    # the row's Candidate signs with their own details from [candidates."Sam Rivera"]
    sam = who_signs(make_row(candidate="sam rivera"), coach, listed)
    assert (sam.name, sam.email, sam.phone) == ("Sam Rivera", "sam@rivera.example", "+1 555 0777")
    # the row's Candidate Email / Candidate Phone columns win
    row = make_row(candidate="Sam Rivera", candidate_email="s@new.example", candidate_phone="42")
    assert (who_signs(row, coach, listed).email, who_signs(row, coach, listed).phone) == (
        "s@new.example",
        "42",
    )
    # a client not listed never signs with the coach's details
    lee = who_signs(make_row(candidate="Lee Park"), coach, listed)
    assert (lee.name, lee.email, lee.phone) == ("Lee Park", "", "")
    # no Candidate: the config's sender
    assert who_signs(make_row(), coach, listed).name == "Dana Coach"
    assert who_signs(make_row(), Sender(), ()).name is None


def test_a_candidates_own_phone_gives_their_scripts_a_number() -> None:
    settings = replace(
        SETTINGS, candidates=(Sender(name="Sam Rivera", email=None, phone="+1 555 0777"),)
    )
    request = make_request(row=make_row(candidate="Sam Rivera"))
    (draft,) = render_drafts([request], settings)
    assert draft.script is not None and draft.script.count("+1 555 0777") == 2
    assert draft.body.rstrip().endswith("Best regards,\nSam Rivera\n+1 555 0777")
    (unlisted,) = render_drafts([make_request(row=make_row(candidate="Lee Park"))], SETTINGS)
    assert unlisted.script is None
    (problem,) = [p for p in unlisted.problems if p.code == "no-callback-number"]
    assert 'Candidate Phone, or set the phone of [candidates."Lee Park"]' in problem.message


# --- the checks --------------------------------------------------------------------------------


def _words(count: int) -> str:
    """A sentence of `count` different words."""
    return " ".join(["Thanks", *(f"w{n}" for n in range(count - 1))])


def _codes(text: str, max_words: int | None = 150, gaps: tuple[str, ...] = ()) -> list[str]:
    problems = check_text(
        text,
        row=make_row(),
        what="check-in email",
        max_words=max_words,
        pushy_phrases=DEFAULT_PUSHY_PHRASES,
        known_gaps=gaps,
    )
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thank you for your time. I look forward to hearing from you.", []),
        ("Dear {{ contact_name }}, thank you.", ["unfilled-placeholder"]),
        ("Dear Jane, here is {% if x %}", ["unfilled-placeholder"]),
        ("I attach [link to portfolio].", ["unfilled-placeholder"]),
        ("TODO: add the points we discussed.", ["unfilled-placeholder"]),
        ("Please reply ASAP.", ["pushy-phrase"]),
        ("please reply asap", ["lower-case-start", "pushy-phrase"]),
        ("This is Urgently needed.", ["pushy-phrase"]),
        ("I need to know by Friday.", ["pushy-phrase"]),
        ("Why haven't you replied?", ["pushy-phrase"]),
        ("Thanks!!", ["pushy-phrase"]),
        ("Thanks!", []),
        ("My insurgent ideas are not pushy.", []),
        (_words(150), []),
        (_words(151), ["too-long"]),
    ],
)
def test_checks_fire_and_stay_quiet(text: str, expected: list[str]) -> None:
    assert _codes(text) == expected


@given(
    text=st.text(alphabet="ab !?.-", max_size=30),
    phrases=st.lists(st.text(alphabet="ab !?.-", max_size=4), max_size=4),
)
def test_pushy_phrases_found_as_when_each_is_searched_alone(text: str, phrases: list[str]) -> None:
    """The one combined search that clears most texts never hides a phrase that is there."""
    problems = check_text(text, row=make_row(), what="email", max_words=None, pushy_phrases=phrases)
    found = [p.message.split('"')[1] for p in problems if p.code == "pushy-phrase"]
    starts = {phrase: r"\b" if phrase[:1].isalnum() else "" for phrase in phrases}
    expected = [
        phrase
        for phrase in phrases
        if phrase and re.search(starts[phrase] + re.escape(phrase), text, re.IGNORECASE)
    ]
    assert found == expected


def test_script_word_limit_and_known_gaps() -> None:
    assert _codes(_words(80), max_words=80) == []
    assert _codes(_words(81), max_words=80) == ["too-long"]
    assert _codes(f"Best regards, {NAME_GAP}", gaps=(NAME_GAP,)) == []
    assert _codes(f"Best regards, {NAME_GAP} [date]", gaps=(NAME_GAP,)) == ["unfilled-placeholder"]


def test_pushy_phrases_are_configurable() -> None:
    row = make_row(extra_info="my portfolio, at your earliest convenience")
    request = make_request(row=row)
    settings = DraftSettings(pushy_phrases=("earliest convenience",))
    (draft,) = render_drafts([request], settings)
    (problem,) = draft.problems  # extra info is in the email, not in the voicemail script
    assert problem.code == "pushy-phrase"
    assert (
        problem.message
        == 'The check-in email says "earliest convenience", which can read as pushy.'
    )
    (default,) = render_drafts([request])
    assert default.problems == ()


def test_generic_draft_is_written_and_flagged() -> None:
    draft = _render_one({"key_points": "  "}, Step.CHECK_IN, DraftSettings())
    assert draft.body and "Acme Corp" in draft.body
    (problem,) = draft.problems
    assert problem.code == "generic-draft" and problem.column == "Key Points"
    assert _render_one({}, Step.CHECK_IN, DraftSettings()).problems == ()


def test_long_key_points_make_a_too_long_draft() -> None:
    long_points = "; ".join(f"topic number {n} with quite a few words in it" for n in range(12))
    draft = _render_one({"key_points": long_points}, Step.THANK_YOU, DraftSettings())
    assert "too-long" in [p.code for p in draft.problems]


def test_unsafe_contact_email_is_dropped_and_flagged() -> None:
    row = make_row(contact_email="jane@acme.example\r\nBcc: everyone@acme.example")
    (draft,) = render_drafts([make_request(row=row)])
    assert draft.to_email is None
    (problem,) = draft.problems
    assert problem.code == "unsafe-header" and problem.column == "Email"


def test_split_key_points() -> None:
    assert split_key_points("a; b\n- c.\n• d\n\n") == ["a", "b", "c", "d"]
    assert split_key_points(None) == []
    assert split_key_points("One point, with a comma.") == ["One point, with a comma"]


# --- templates ---------------------------------------------------------------------------------


def test_a_template_in_the_templates_folder_replaces_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "check_in.subject.j2").write_text("Catching up – {{ company }}\n", encoding="utf-8")
    settings = DraftSettings(templates_dir=tmp_path)
    (draft,) = render_drafts([make_request()], settings)
    assert draft.subject == "Catching up – Acme Corp"
    assert draft.body.startswith("Dear Jane,")  # the email body is still the built-in one


def test_a_replaced_template_that_forgets_the_company_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "check_in.email.j2").write_text(
        "{{ greeting }}\n\nJust checking in about {{ key_points | join_and }}.\n\n"
        "{{ signature }}\n",
        encoding="utf-8",
    )
    (draft,) = render_drafts([make_request()], DraftSettings(templates_dir=tmp_path))
    assert [p.code for p in draft.problems] == ["missing-personalisation"]
    assert "Acme Corp" in draft.problems[0].message


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("Hello,\n{% if role %}\nno end\n", 2, "endif"),
        ("Hello,\n\n{{ contct_name }}\n", 3, "'contct_name' is undefined"),
        ("Hello,\n{% if False %}\n{{ nobody }}\n{% endif %}\n", 3, "'nobody' is undefined"),
        ("Hello\n{{ company.no_such_thing }}\n", 2, "no_such_thing"),
        ("{{ company | no_such_filter }}\n", 1, "no_such_filter"),
    ],
)
def test_template_errors_name_the_file_and_line(
    tmp_path: Path, source: str, line: int, words: str
) -> None:
    template = tmp_path / "check_in.email.j2"
    template.write_text(source, encoding="utf-8")
    with pytest.raises(DraftTemplateError) as caught:
        render_drafts([make_request()], DraftSettings(templates_dir=tmp_path))
    message = str(caught.value)
    assert isinstance(caught.value, FileProblem)
    assert message.startswith(f"{template}: line {line}: "), message
    assert words in message
    assert "\n" not in message


def test_a_missing_templates_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DraftTemplateError, match="templates folder not found"):
        render_drafts([make_request()], DraftSettings(templates_dir=tmp_path / "nope"))


def test_a_thousand_requests_give_a_thousand_drafts_in_order() -> None:
    """Templates are compiled once and reused; every request still gets its own draft.

    (How fast rendering is, bench/ measures.)"""
    requests = [
        make_request(row=make_row(row=n), decision=make_decision(step=list(Step)[n % 3]))
        for n in range(1000)
    ]
    drafts = render_drafts(requests)
    assert [(draft.row, draft.step) for draft in drafts] == [
        (n, list(Step)[n % 3]) for n in range(1000)
    ]


def test_a_thousand_drafts_parse_each_template_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering stays light per draft: templates are parsed once per run, not once per draft
    (bench/ measures the time)."""
    import jinja2

    parsed: list[str | None] = []
    parse = jinja2.Environment._parse

    def counting_parse(
        self: jinja2.Environment, source: str, name: str | None, filename: str | None
    ) -> object:
        parsed.append(name)
        return parse(self, source, name, filename)

    monkeypatch.setattr(jinja2.Environment, "_parse", counting_parse)
    requests = [
        make_request(row=make_row(row=n), decision=make_decision(step=list(Step)[n % 3]))
        for n in range(1000)
    ]
    drafts = render_drafts(requests, SETTINGS)
    assert len(drafts) == 1000
    # each of the 9 templates: once to compile, once to list its variables
    assert len(parsed) <= 18, parsed


# --- file names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Jürgen Müller", "jurgen-muller"),
        ("../../etc/passwd", "etc-passwd"),
        ("..\\..\\Windows\\System32", "windows-system32"),
        ("C:\\evil", "c-evil"),
        ("CON", "con-file"),
        ("nul", "nul-file"),
        ("Com1", "com1-file"),
        ("LPT9", "lpt9-file"),
        ("CONSOLE", "console"),
        ("😀" * 300, ""),
        ("", ""),
        (None, ""),
        ("Ørsted A/S", "rsted-a-s"),
        ("Société Générale", "societe-generale"),
        ("x" * 300, "x" * 40),
    ],
)
def test_safe_slug(text: str | None, slug: str) -> None:
    assert safe_slug(text) == slug


@given(st.text(max_size=400))
def test_safe_slug_is_always_a_safe_file_name_part(text: str) -> None:
    slug = safe_slug(text)
    assert re.fullmatch(r"[a-z0-9-]*", slug)
    assert len(slug) <= 45
    assert not slug.startswith("-") and not slug.endswith("-")
    assert slug.upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


def test_draft_stem_falls_back_to_the_row_number() -> None:
    assert (
        draft_stem("Alex Morgan", "Acme Corp", Step.CHECK_IN, 7) == "alex-morgan-acme-corp-check-in"
    )
    assert draft_stem(None, "Acme", Step.THANK_YOU, 7) == "acme-thank-you"
    assert draft_stem("😀" * 300, "", Step.REMINDER, 12) == "row-12-reminder"
    assert draft_stem(None, None, Step.CHECK_IN, 3) == "row-3-check-in"


def test_rendering_does_not_touch_the_disk(tmp_path: Path) -> None:
    request = replace(make_request(), tracker=tmp_path / "tracker.xlsx")
    render_drafts([request])
    assert list(tmp_path.iterdir()) == []


def test_a_template_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "reminder.email.j2").write_bytes(b"Gr\xfc\xdfe {{ company }}\n")
    request = make_request(decision=make_decision(step=Step.REMINDER))
    with pytest.raises(DraftTemplateError, match=r"reminder\.email\.j2: not UTF-8"):
        render_drafts([request], DraftSettings(templates_dir=tmp_path))


def test_empty_key_points_already_flagged_by_the_rules_are_not_flagged_twice() -> None:
    flagged = RowProblem(7, "Key Points", "no-key-points", "empty", "warning")
    decision = replace(make_decision(), problems=(flagged,))
    (draft,) = render_drafts([make_request(row=make_row(key_points=None), decision=decision)])
    assert "generic-draft" not in [p.code for p in draft.problems]
    assert "I remain very interested in the role and in joining the team" in draft.body


def test_a_replaced_template_may_use_jinja_globals_and_its_own_variables(tmp_path: Path) -> None:
    (tmp_path / "check_in.subject.j2").write_text(
        "{% set ns = namespace(n=0) %}{% for i in range(2) %}{% set ns.n = ns.n + i %}"
        "{% endfor %}Hello {{ company }} {{ ns.n }}\n",
        encoding="utf-8",
    )
    (draft,) = render_drafts([make_request()], DraftSettings(templates_dir=tmp_path))
    assert draft.subject == "Hello Acme Corp 1"


# --- the golden cells in whole drafts -------------------------------------------------------

_FIELDS = {"contact": "contact_name", "role": "role", "company": "company"}
_FIELDS |= {"key_points": "key_points", "extra_info": "extra_info"}
_LANGUAGE_CODES = {
    "unfilled-placeholder",
    "doubled-word",
    "wrong-article",
    "doubled-punctuation",
    "lower-case-start",
    "stray-capital",
    "unbalanced",
    "too-long",
}


def _golden_cells() -> list[tuple[str, str]]:
    from test_phrases import GOLDEN

    return [(field, cell) for field, cell, _ in GOLDEN]


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize(("field", "cell"), _golden_cells())
def test_every_golden_cell_makes_drafts_that_pass_the_language_checks(
    field: str, cell: str, step: Step
) -> None:
    """Each messy cell of tests/golden/cell_phrases.tsv, in a thank-you, a check-in and a
    reminder (email, subject and voicemail script): no finding of the language checks."""
    draft = _render_one({_FIELDS[field]: cell}, step, SETTINGS)
    findings = [p.message for p in draft.problems if p.code in _LANGUAGE_CODES]
    assert findings == [], f"{draft.subject}\n{draft.body}\n{draft.script}"


# --- the wording the issue quoted ---------------------------------------------------------------


def test_a_messy_row_reads_as_a_person_would_write_it() -> None:
    draft = _render_one(
        {
            "contact_name": "Sam Ortiz (Recruiter)",
            "role": "the Senior Engineer position",
            "company": "Tech Company Inc.",
            "key_points": "Discussed how I cut month-end close from 10 to 4 days\n"
            "They asked about my SQL skills; THE DATA WAREHOUSE",
            "extra_info": "Portfolio: https://folio.example/al; Available to start in January",
            "interview_date": RUN_DATE,
        },
        Step.THANK_YOU,
        SETTINGS,
    )
    body = draft.body
    assert body.startswith("Dear Sam,\n")
    assert "speak with me today about the Senior Engineer position at Tech Company Inc. I" in body
    assert (
        "our conversation about how I cut month-end close from 10 to 4 days, my SQL skills and "
        "the data warehouse." in body
    )
    assert "I would be glad to send my portfolio (https://folio.example/al). I am available" in body
    assert draft.script is not None
    assert "I interviewed with you today for the Senior Engineer position" in draft.script
    assert draft.script.count("+1 555 0100") == 1
    assert draft.problems == ()


def test_formal_salutation_in_the_email_and_the_script() -> None:
    settings = replace(SETTINGS, salutation="formal")
    draft = _render_one({"contact_name": "Dr. Helen Park"}, Step.CHECK_IN, settings)
    assert draft.body.startswith("Dear Dr. Park,\n")
    assert draft.script is not None and draft.script.startswith("Hello Dr. Park, this is")
    first = _render_one({"contact_name": "Dr. Helen Park"}, Step.CHECK_IN, SETTINGS)
    assert first.body.startswith("Dear Helen,\n")


def test_several_people_and_nobody() -> None:
    both = _render_one({"contact_name": "Tom Lee & Ana Ruiz"}, Step.CHECK_IN, SETTINGS)
    assert both.body.startswith("Dear Tom and Ana,\n")
    team = _render_one({"contact_name": "HR"}, Step.CHECK_IN, SETTINGS)
    assert team.body.startswith("Dear Hiring Team,\n")
    assert team.script is not None and team.script.startswith("Hello, this is Alex Morgan.")
    assert "generic-greeting" in [p.code for p in team.problems]


def test_a_thank_you_gets_a_script_only_when_asked() -> None:
    default = _render_one({}, Step.THANK_YOU, DraftSettings(today=RUN_DATE))
    assert default.script is None and default.problems == ()
    check_in = _render_one({}, Step.CHECK_IN, DraftSettings(today=RUN_DATE))
    assert check_in.script is not None and check_in.script.count("+1 555 0100") == 2


def test_no_number_to_leave_means_no_script_and_a_reason() -> None:
    request = make_request(sender=replace(SENDER, phone=None))
    (draft,) = render_drafts([request], SETTINGS)
    assert draft.script is None and draft.script_file_text() is None
    (problem,) = draft.problems
    assert problem.code == "no-callback-number"
    assert "set [sender] phone in followup.toml" in problem.message


def test_day_first_users_get_day_first_dates() -> None:
    draft = _render_one({}, Step.CHECK_IN, replace(SETTINGS, date_order="DMY"))
    assert "my interview on Thursday 12 November for the Data Analyst position" in draft.body


def test_salary_in_the_notes_is_left_out_and_flagged() -> None:
    draft = _render_one(
        {"key_points": "the roadmap; salary expectations", "extra_info": "Salary: 90k"},
        Step.THANK_YOU,
        SETTINGS,
    )
    assert "salary" not in draft.body.casefold()
    held = [p for p in draft.problems if p.code == "held-back"]
    assert [p.column for p in held] == ["Key Points", "Extra Info"]


# --- the chain's steps, each on its own -----------------------------------------------------------


def test_draft_context_words_the_cells() -> None:
    from batch.drafts import draft_context, who_signs

    row = make_row(
        contact_name="priya shah, Head of Data",
        role="an Account Manager role",
        company="Tech Company Inc.",
        key_points="Discussed THE DATA WAREHOUSE",
        extra_info="Portfolio: https://folio.example/al",
    )
    request = make_request(row=row)
    context = draft_context(request, Step.CHECK_IN, who_signs(row, SENDER), SETTINGS)
    variables = context.variables
    assert variables["greeting"] == "Dear Priya,"
    assert variables["position"] == "the Account Manager position"
    assert variables["company"] == "Tech Company Inc."
    assert variables["key_points"] == ["the data warehouse"]
    assert variables["extra_info"] == "my portfolio (https://folio.example/al)"
    assert variables["interview_when"] == "on Thursday, November 12,"
    assert set(variables) == set(TEMPLATE_VARIABLES)
    assert context.to_name == "Priya Shah"  # the To line names the person, as the greeting does
    assert context.problems == ()


def test_render_texts_and_check_draft() -> None:
    from batch.drafts import DraftTemplates, check_draft, draft_context, render_texts, who_signs

    request = make_request()
    context = draft_context(request, Step.REMINDER, who_signs(request.row, SENDER), SETTINGS)
    texts = render_texts(DraftTemplates(), Step.REMINDER, context, script=False)
    assert texts.subject == "Checking in: Data Analyst position at Acme Corp"
    assert texts.body.startswith("Dear Jane,\n\nI wanted to follow up briefly")
    assert texts.script is None
    assert check_draft(texts, Step.REMINDER, context, request, SETTINGS) == []
    pasted = replace(texts, body=texts.body.replace("the Data Analyst", "the an Analyst"))
    codes = [p.code for p in check_draft(pasted, Step.REMINDER, context, request, SETTINGS)]
    assert codes == ["wrong-article"]


BUILT_IN_TEMPLATES = Path(__file__).resolve().parents[1] / "batch" / "templates"


@pytest.mark.parametrize(
    "name",
    sorted(path.name for path in BUILT_IN_TEMPLATES.iterdir() if path.suffix in (".j2", ".html")),
)
def test_the_built_in_templates_use_only_the_variables_they_are_given(name: str) -> None:
    """A run checks the variables of a template from the user's folder only: the built-in
    ones are checked here, in every branch."""
    from jinja2 import meta

    from batch.drafts import DraftTemplates
    from batch.review import build_review_context

    environment = DraftTemplates().environment
    source = (BUILT_IN_TEMPLATES / name).read_text(encoding="utf-8")
    used = meta.find_undeclared_variables(environment.parse(source)) - set(environment.globals)
    if name == "review.html":
        given = set(build_review_context([], Path("review.html"), date(2026, 11, 23), []))
    else:
        given = set(TEMPLATE_VARIABLES)
    assert used, name  # the template is read: it uses some variables
    assert used <= given, sorted(used - given)
