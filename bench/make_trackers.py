"""Realistic interview trackers for the benchmark, written with XlsxWriter.

A coaching agency's tracker: a title row, the header on row 3, about 20 columns (the input
columns of SPEC section 3 in the agency's own order, plus their own Notes, Source, Salary and
Location), ~50 clients, and a mix of rows as they stand on the bench's run date: mostly closed
and waiting, about 1% due today and a little overdue (so 100,000 rows give ~1,000 drafts), some
needing attention. The output is deterministic for a given seed.

    python bench/make_trackers.py OUT_DIR [--sizes 500,10000,100000] [--today 2026-11-23]

The biggest trackers are written in XlsxWriter's constant_memory mode, which cannot make
Excel Tables; smaller ones get an Excel Table over the data, as agency trackers often have.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

RUN_DATE = date(2026, 11, 23)  # a Monday
DEFAULT_SIZES = (500, 10_000, 100_000)
# At and above this many rows the workbook is streamed (constant_memory: no Excel Table).
CONSTANT_MEMORY_FROM = 50_000

HEADERS: tuple[str, ...] = (
    "Candidate",
    "Company",
    "Role",
    "Location",
    "Contact",
    "Email",
    "Phone",
    "Source",
    "Interview Date",
    "Reply Expected By",
    "They Will Contact",
    "Thank-You Sent",
    "Check-In Sent",
    "Reminder Sent",
    "Reply Received",
    "Outcome",
    "Salary",
    "Key Points",
    "Extra Info",
    "Notes",
)
DATE_COLUMNS = frozenset(
    {
        "Interview Date",
        "Reply Expected By",
        "Thank-You Sent",
        "Check-In Sent",
        "Reminder Sent",
        "Reply Received",
    }
)
TITLE_ROW = 0  # 0-based rows, as XlsxWriter counts
HEADER_ROW = 2  # row 3 as Excel shows it
FIRST_DATA_ROW = HEADER_ROW + 1

FIRST_NAMES = [
    "Alex",
    "Jordan",
    "Sam",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Priya",
    "Wei",
    "Fatima",
    "Lukas",
    "Sofia",
    "Mateo",
    "Aisha",
    "Noah",
    "Emma",
    "Liam",
    "Olivia",
    "Ethan",
    "Chloe",
    "Arjun",
    "Mei",
    "Omar",
    "Hannah",
    "Diego",
    "Ines",
    "Tomasz",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Lee",
    "Brown",
    "Garcia",
    "Martin",
    "Nguyen",
    "Patel",
    "Kowalski",
    "Müller",
    "Rossi",
    "Okafor",
    "Silva",
    "Chen",
    "Dubois",
    "Novak",
    "Haddad",
    "Andersson",
    "Kim",
    "Walsh",
    "O'Brien",
    "Fischer",
    "Costa",
    "Ibrahim",
    "Tanaka",
    "Moreau",
]
COMPANY_WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Pied",
    "Piper",
    "Massive",
    "Dynamic",
    "Aperture",
    "Black",
    "Mesa",
    "Oscorp",
    "Gringotts",
    "Monarch",
    "Nakatomi",
    "Virtucon",
    "Blue",
    "Sun",
    "Prestige",
    "Bluth",
    "Dunder",
    "Sterling",
    "Cooper",
    "Kramerica",
    "Vehement",
    "Gekko",
]
COMPANY_SUFFIXES = ("Inc.", "Ltd", "GmbH", "Labs", "& Co", "Group", "Systems", "Health", "")
ROLES = (
    "Data Analyst",
    "Senior Software Engineer",
    "Product Manager",
    "UX Designer",
    "Account Executive",
    "Marketing Coordinator",
    "Financial Analyst",
    "Project Manager",
    "HR Business Partner",
    "Customer Success Manager",
    "DevOps Engineer",
    "Nurse Practitioner",
    "Operations Lead",
)
LOCATIONS = ("Remote", "New York, NY", "Austin, TX", "London", "Berlin", "Toronto", "Hybrid")
SOURCES = ("LinkedIn", "Referral", "Indeed", "Company site", "Recruiter", "Job fair")
KEY_POINTS = (
    "migrating the reporting stack to dbt",
    "their Q1 product launch and the team's roadmap",
    "mentoring junior analysts",
    "reducing churn in the enterprise segment",
    "my experience with on-call rotations",
    "the new patient intake process",
    "scaling the design system across three apps",
    "budget ownership and vendor negotiations",
)
EXTRA_INFO = (
    "Portfolio: https://example.com/portfolio",
    "Case study on churn reduction (PDF)",
    "GitHub: https://github.com/example",
    "References available",
)
NOTES = (
    "Panel of three, went well",
    "Asked about relocation",
    "Second round likely",
    "Salary range discussed",
    "Follow up with the recruiter too",
    "",
)
CLOSED_OUTCOMES = (
    "Rejected",
    "Offer",
    "Offer accepted",
    "Declined",
    "Not selected",
    "Position filled",
    "Withdrawn",
    "Closed",
)
OPEN_OUTCOMES = ("Interview", "Ongoing", "Next round", "", "")

# How rows stand on the run date, and their share of a tracker (the statuses the
# balanced default policy gives them). Due + overdue are about 1% together.
MIX: tuple[tuple[str, float], ...] = (
    ("closed", 0.45),
    ("waiting_checkin", 0.14),
    ("waiting_reminder", 0.07),
    ("waiting_move_on", 0.05),
    ("move_on", 0.10),
    ("stale", 0.06),
    ("replied", 0.03),
    ("upcoming", 0.03),
    ("no_interview", 0.03),
    ("needs_attention", 0.015),
    ("due_today", 0.006),
    ("overdue", 0.004),
)


def next_business_day(day: date) -> date:
    """The first Monday-to-Friday after `day` (the bench uses no holidays)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int) -> date:
    for _ in range(count):
        day = next_business_day(day)
    return day


def previous_business_days(day: date, count: int) -> date:
    """The business day `count` business days before `day`."""
    while count > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def client_names(rng: random.Random, count: int = 50) -> tuple[str, ...]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in names:
            names.append(name)
    return tuple(names)


def company_name(rng: random.Random) -> str:
    suffix = rng.choice(COMPANY_SUFFIXES)
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {suffix}".strip()


def contact_fields(rng: random.Random) -> tuple[str, str, str | int | None]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = f"{first} {last}"
    local = f"{first}.{last}".lower().replace("'", "").replace("ü", "u")
    address = f"{local}@example.com"
    roll = rng.random()
    if roll < 0.25:
        email = f"{name} - {address}"  # the address inside other text (SPEC section 3)
    elif roll < 0.95:
        email = address
    else:
        email = ""
    phone_roll = rng.random()
    phone: str | int | None
    if phone_roll < 0.3:
        phone = rng.randrange(2_000_000_000, 9_999_999_999)  # typed as a number
    elif phone_roll < 0.6:
        phone = f"+1 555 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
    else:
        phone = None
    return name, email, phone


def _open_row(rng: random.Random, interview: date) -> dict[str, Any]:
    return {"Interview Date": interview, "Outcome": rng.choice(OPEN_OUTCOMES)}


def scenario_row(rng: random.Random, kind: str, today: date) -> dict[str, Any]:
    """The dated columns of one row, so that the default policy gives it status `kind`."""
    row: dict[str, Any]
    if kind == "closed":
        interview = today - timedelta(days=rng.randrange(7, 900))
        row = {"Interview Date": interview, "Outcome": rng.choice(CLOSED_OUTCOMES)}
        row["Thank-You Sent"] = interview
        # Sent and reply dates stay in the past: a future one would make the row
        # Needs attention (SPEC section 4, rule 2) rather than Closed.
        checkin = add_business_days(interview, 5)
        if rng.random() < 0.6 and checkin <= today:
            row["Check-In Sent"] = checkin
        reply = add_business_days(interview, rng.randrange(6, 20))
        if rng.random() < 0.5 and reply <= today:
            row["Reply Received"] = reply
        return row
    if kind == "waiting_checkin":
        # Thank-you sent in the last 4 business days: the check-in is still ahead.
        sent = previous_business_days(today, rng.randrange(0, 4))
        row = _open_row(rng, sent)
        row["Thank-You Sent"] = sent
        if rng.random() < 0.3:
            row["Reply Expected By"] = today + timedelta(days=rng.randrange(3, 20))
        return row
    if kind == "waiting_reminder":
        checkin = previous_business_days(today, rng.randrange(0, 4))
        interview = previous_business_days(checkin, 5)
        row = _open_row(rng, interview)
        row.update({"Thank-You Sent": interview, "Check-In Sent": checkin})
        return row
    if kind == "waiting_move_on":
        reminder = previous_business_days(today, rng.randrange(0, 4))
        checkin = previous_business_days(reminder, 5)
        interview = previous_business_days(checkin, 5)
        row = _open_row(rng, interview)
        row.update(
            {"Thank-You Sent": interview, "Check-In Sent": checkin, "Reminder Sent": reminder}
        )
        return row
    if kind == "move_on":
        reminder = today - timedelta(days=rng.randrange(10, 400))
        checkin = previous_business_days(reminder, 5)
        interview = previous_business_days(checkin, 5)
        row = _open_row(rng, interview)
        row.update(
            {"Thank-You Sent": interview, "Check-In Sent": checkin, "Reminder Sent": reminder}
        )
        return row
    if kind == "stale":
        # An old open row where nothing was ever sent: far more than 30 days overdue.
        return _open_row(rng, today - timedelta(days=rng.randrange(60, 700)))
    if kind == "replied":
        reply = previous_business_days(today, rng.randrange(0, 5))
        interview = previous_business_days(reply, 8)
        row = _open_row(rng, interview)
        row.update(
            {
                "Thank-You Sent": interview,
                "Check-In Sent": add_business_days(interview, 5),
                "Reply Received": reply,
                "Reply Expected By": reply + timedelta(days=rng.randrange(7, 21)),
            }
        )
        return row
    if kind == "upcoming":
        return _open_row(rng, today + timedelta(days=rng.randrange(1, 21)))
    if kind == "no_interview":
        # Nothing that says an interview took place or is booked: that row needs its date.
        return {"Outcome": rng.choice(("Applied", "Application sent", ""))}
    if kind == "needs_attention":
        interview = today - timedelta(days=rng.randrange(5, 20))
        row = _open_row(rng, interview)
        flaw = rng.randrange(3)
        if flaw == 0:
            row["Thank-You Sent"] = interview - timedelta(days=3)  # before the interview
        elif flaw == 1:
            row["Interview Date"] = "sometime last week"  # unreadable
        else:
            row["Check-In Sent"] = today + timedelta(days=4)  # later than today
            row["Thank-You Sent"] = interview
        return row
    if kind == "due_today":
        return _due_today_row(rng, today)
    if kind == "overdue":
        step = rng.randrange(3)
        if step == 0:  # thank-you not sent two or three business days after the interview
            # (within the 3-day grace; later, it becomes a thank-you and check-in, due the
            # fourth business day)
            return _open_row(rng, previous_business_days(today, rng.randrange(2, 4)))
        sent = previous_business_days(today, 5 + rng.randrange(1, 15))
        if step == 1:
            row = _open_row(rng, sent)
            row["Thank-You Sent"] = sent
            return row
        interview = previous_business_days(sent, 5)
        row = _open_row(rng, interview)
        row.update({"Thank-You Sent": interview, "Check-In Sent": sent})
        return row
    raise ValueError(f"unknown row kind {kind!r}")


def _due_today_row(rng: random.Random, today: date) -> dict[str, Any]:
    """A row whose next step is due exactly on `today` under the balanced policy."""
    step = rng.randrange(4)
    if step == 0:  # interviewed today, thank-you due tonight
        return _open_row(rng, today)
    sent = previous_business_days(today, 5)
    if step == 1:  # check-in five business days after the thank-you
        row = _open_row(rng, sent)
        row["Thank-You Sent"] = sent
        return row
    if step == 2:  # the employer's date passed: check-in the next business day
        interview = previous_business_days(today, 8)
        row = _open_row(rng, interview)
        row["Thank-You Sent"] = interview
        row["Reply Expected By"] = previous_business_days(today, 1)
        return row
    interview = previous_business_days(sent, 5)  # reminder five business days after check-in
    row = _open_row(rng, interview)
    row.update({"Thank-You Sent": interview, "Check-In Sent": sent})
    return row


def row_kinds(rng: random.Random, count: int) -> list[str]:
    kinds = [kind for kind, _ in MIX]
    weights = [share for _, share in MIX]
    return rng.choices(kinds, weights=weights, k=count)


def make_rows(
    count: int, *, today: date = RUN_DATE, seed: int = 20261123, kinds: list[str] | None = None
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """`count` tracker rows (header -> value) and how many of each kind they are."""
    rng = random.Random(seed)
    clients = client_names(rng)
    companies = [company_name(rng) for _ in range(max(50, count // 20))]
    chosen = kinds if kinds is not None else row_kinds(rng, count)
    rows: list[dict[str, Any]] = []
    # Each row is its own application, so the row kinds keep the statuses they promise: a
    # later row at the same company for the same candidate would be the next round (which
    # closes the earlier row), and two drafts to one person would share one day's message.
    applications: set[tuple[str, str]] = set()
    contacts: set[str] = set()
    serials: Counter[str] = Counter()
    for kind in chosen:
        candidate, company = rng.choice(clients), rng.choice(companies)
        while (company, candidate) in applications:
            candidate, company = rng.choice(clients), rng.choice(companies)
        applications.add((company, candidate))
        contact, email, phone = contact_fields(rng)
        while f"{contact} at {company}" in contacts:
            contact, email, phone = contact_fields(rng)
        contacts.add(f"{contact} at {company}")
        address = email.rpartition(" ")[2]
        if address:
            # The name pool gives about 1,500 addresses: number the local part of a repeat.
            serials[address] += 1
            if serials[address] > 1:
                local, _, domain = address.partition("@")
                email = email.replace(address, f"{local}{serials[address]}@{domain}")
        row: dict[str, Any] = {
            "Candidate": candidate,
            "Company": company,
            "Role": rng.choice(ROLES),
            "Location": rng.choice(LOCATIONS),
            "Contact": contact,
            "Email": email,
            "Phone": phone,
            "Source": rng.choice(SOURCES),
            "They Will Contact": rng.choice(("yes", "no", "", "")),
            "Salary": rng.randrange(45, 190) * 1000 if rng.random() < 0.7 else None,
            "Key Points": rng.choice(KEY_POINTS) if rng.random() < 0.85 else "",
            "Extra Info": rng.choice(EXTRA_INFO) if rng.random() < 0.3 else "",
            "Notes": rng.choice(NOTES),
        }
        row.update(scenario_row(rng, kind, today))
        if kind == "needs_attention" and rng.random() < 0.2:
            row["Company"] = ""
        # "They will contact" changes the check-in date; keep it off rows whose status
        # the mix promises, and leave it on the rest as users fill it.
        if kind in {"due_today", "overdue", "waiting_checkin"}:
            row["They Will Contact"] = "no" if rng.random() < 0.5 else ""
        # A few dates typed as text, as people do (SPEC section 3 reads them).
        interview = row.get("Interview Date")
        if isinstance(interview, date) and rng.random() < 0.02:
            row["Interview Date"] = (
                interview.strftime("%d %b %Y") if rng.random() < 0.5 else interview.isoformat()
            )
        elif isinstance(interview, date) and rng.random() < 0.05:
            # A date-time, as calendar exports write it.
            row["Interview Date"] = datetime.combine(interview, datetime.min.time()).replace(
                hour=rng.choice((9, 10, 14, 16))
            )
        rows.append(row)
    return rows, Counter(chosen)


def write_tracker(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    table: bool | None = None,
    constant_memory: bool | None = None,
    title: str = "Interview tracker — Career Partners coaching",
) -> None:
    """Write the rows as an agency's tracker: title on row 1, header on row 3."""
    if constant_memory is None:
        constant_memory = len(rows) >= CONSTANT_MEMORY_FROM
    if table is None:
        table = not constant_memory
    if table and constant_memory:
        raise ValueError("XlsxWriter cannot write an Excel Table in constant_memory mode")
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": constant_memory, "strings_to_numbers": False}
    )
    try:
        _write_sheet(workbook, rows, table=table, title=title)
        _write_lists_sheet(workbook)
    finally:
        workbook.close()


def _write_sheet(
    workbook: xlsxwriter.Workbook, rows: list[dict[str, Any]], *, table: bool, title: str
) -> None:
    sheet = workbook.add_worksheet("Interviews")
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    money_format = workbook.add_format({"num_format": "$#,##0"})
    text_format = workbook.add_format({"text_wrap": False})

    widths = {"Key Points": 40, "Extra Info": 30, "Notes": 28, "Email": 32, "Company": 24}
    for col, header in enumerate(HEADERS):
        column_format = date_format if header in DATE_COLUMNS else None
        if header == "Salary":
            column_format = money_format
        sheet.set_column(col, col, widths.get(header, 16), column_format)
    sheet.freeze_panes(FIRST_DATA_ROW, 2)

    sheet.write(TITLE_ROW, 0, title, title_format)
    sheet.write(
        TITLE_ROW + 1, 0, f"{len(rows)} interviews, {len({r['Candidate'] for r in rows})} clients"
    )
    last_row = HEADER_ROW + max(len(rows), 1)
    last_col = len(HEADERS) - 1
    if table:
        sheet.add_table(
            HEADER_ROW,
            0,
            last_row,
            last_col,
            {
                "name": "Interviews",
                "style": "Table Style Medium 2",
                "columns": [{"header": header} for header in HEADERS],
            },
        )
    else:
        sheet.write_row(HEADER_ROW, 0, HEADERS, header_format)
        sheet.autofilter(HEADER_ROW, 0, last_row, last_col)

    for offset, row in enumerate(rows):
        excel_row = FIRST_DATA_ROW + offset
        for col, header in enumerate(HEADERS):
            value = row.get(header)
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(excel_row, col, value, datetime_format)
            elif isinstance(value, date):
                sheet.write_datetime(excel_row, col, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(
                    excel_row, col, value, text_format if header == "Notes" else None
                )
            else:
                sheet.write_number(
                    excel_row, col, value, money_format if header == "Salary" else None
                )

    # Dropdowns, as trackers made from templates have them (list on the Lists sheet).
    sheet.data_validation(
        FIRST_DATA_ROW, 10, last_row, 10, {"validate": "list", "source": ["yes", "no"]}
    )
    sheet.data_validation(
        FIRST_DATA_ROW, 15, last_row, 15, {"validate": "list", "source": "=Lists!$A$1:$A$10"}
    )
    sheet.conditional_format(
        FIRST_DATA_ROW,
        15,
        last_row,
        15,
        {
            "type": "text",
            "criteria": "containing",
            "value": "Offer",
            "format": workbook.add_format({"bg_color": "#C6EFCE"}),
        },
    )


def _write_lists_sheet(workbook: xlsxwriter.Workbook) -> None:
    lists = workbook.add_worksheet("Lists")
    for index, outcome in enumerate((*CLOSED_OUTCOMES[:5], "Applied", "Interview", "Ongoing")):
        lists.write_string(index, 0, outcome)


def make_tracker(
    path: Path,
    count: int,
    *,
    today: date = RUN_DATE,
    seed: int = 20261123,
    constant_memory: bool | None = None,
) -> Counter[str]:
    """Write a realistic tracker of `count` rows; return how many rows of each kind it has.

    constant_memory (default: from CONSTANT_MEMORY_FROM rows on) streams the sheet with
    inline strings and no Excel Table; False writes shared strings and a Table, as Excel
    saves a file, at the cost of XlsxWriter holding every cell in memory.
    """
    rows, kinds = make_rows(count, today=today, seed=seed)
    write_tracker(path, rows, constant_memory=constant_memory)
    return kinds


def make_due_tracker(
    path: Path, count: int = 1000, *, today: date = RUN_DATE, seed: int = 1000
) -> Counter[str]:
    """A tracker whose every row has a step due today: for timing the drafts alone."""
    rows, kinds = make_rows(count, today=today, seed=seed, kinds=["due_today"] * count)
    for row in rows:
        row["Email"] = row["Email"] or "hiring@example.com"
    write_tracker(path, rows, table=False, constant_memory=False)
    return kinds


def tracker_name(count: int, *, excel_like: bool = False) -> str:
    return f"tracker_{count}_excel_like.xlsx" if excel_like else f"tracker_{count}.xlsx"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write tracker_<rows>.xlsx into")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--today", type=date.fromisoformat, default=RUN_DATE)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        path = args.out / tracker_name(size)
        kinds = make_tracker(path, size, today=args.today, seed=args.seed)
        mix = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
        print(f"{path}: {size} rows ({mix})")


if __name__ == "__main__":
    main()
