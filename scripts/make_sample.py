"""Regenerate the sample tracker: `python scripts/make_sample.py [OUTPUT]`.

Writes `sample_tracker.xlsx` at the project root (or OUTPUT): a coach's tracker for two
clients, with a title above the header, a Lists sheet for the dropdowns, real dates, one date
typed as text, and rows chosen so that `followup run sample_tracker.xlsx --today 2026-11-23`
shows every rule and status of SPEC section 4 (the expected result of each row is the table in
tests/test_sample.py). The output is byte-for-byte the same on every run, so regenerating it
shows up in git only when this script changes.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout, without installing
    sys.path.insert(0, str(ROOT))

from batch.init_tracker import (  # noqa: E402
    DATE_FIELDS,
    DATE_FORMAT,
    SHEET_NAME,
    TRACKER_FIELDS,
    add_lists_sheet,
    lay_out_tracker,
)

TITLE = "Interview tracker — Alex Morgan & Priya Shah"
SUBTITLE = "Kept by their career coach. One row per interview; dates are day month year."
HEADER_ROW = 3
# Empty rows below the data keep the date formats and dropdowns, as in a real tracker.
FORMATTED_UNTIL_ROW = 60
# Fixed, so the file is the same bytes on every run.
FIXED_TIME = datetime(2026, 11, 1, 9, 0, 0)
DATE_TIME_FORMAT = "d mmm yyyy h:mm"

ALEX = "Alex Morgan"
PRIYA = "Priya Shah"
CANDIDATE_FILLS = {
    ALEX: PatternFill("solid", fgColor="DDEBF7"),
    PRIYA: PatternFill("solid", fgColor="E2EFDA"),
}
CLOSED_FONT = Font(color="808080")

D = date


# One dict per row, keyed by field name; each row says (in `why`) which rule it shows on
# Mon 2026-11-23 under the balanced policy. `why` is not written to the workbook.
ROWS: list[dict[str, Any]] = [
    {
        "why": "Upcoming: interview after today; thank-you due on the day",
        "candidate": ALEX,
        "company": "Northwind Labs",
        "role": "Senior Data Analyst",
        "contact_name": "Dana Reyes",
        "contact_email": "dana.reyes@example.com",
        "interview_date": D(2026, 11, 25),
        "outcome": "Interviewing",
        "extra_info": "https://example.com/alex-morgan/portfolio",
    },
    {
        "why": "Thank-you Due: interview this morning (a date-time); no key points yet",
        "candidate": PRIYA,
        "company": "Bluefin Analytics",
        "role": "Product Designer",
        "contact_name": "Marcus Lee",
        "contact_email": "marcus.lee@example.org",
        "interview_date": datetime(2026, 11, 23, 9, 30),
        "outcome": "Interviewing",
        "extra_info": "https://example.org/priya-shah/case-studies",
    },
    {
        "why": "Thank-you Overdue: interview Thu 19 Nov, no thank-you sent",
        "candidate": ALEX,
        "company": "Harbor & Finch",
        "role": "Business Intelligence Lead",
        "contact_name": "Olivia Grant",
        "contact_email": "olivia.grant@example.com",
        "interview_date": D(2026, 11, 19),
        "outcome": "Interviewing",
        "key_points": "Rebuilding their weekly sales dashboards; team of four analysts",
    },
    {
        "why": "Check-in Due: employer said 20 Nov (typed as text) -> next business day",
        "candidate": PRIYA,
        "company": "Larkspur Health",
        "role": "UX Researcher",
        "contact_name": "Nadia Okafor",
        "contact_email": "nadia.okafor@example.org",
        "contact_phone": "+1 555 0143",
        "interview_date": D(2026, 11, 9),
        "reply_expected_by": "20 Nov 2026",
        "they_will_contact": "No",
        "thank_you_sent": D(2026, 11, 9),
        "outcome": "Interviewing",
        "key_points": "Patient-intake app research; remote usability testing with clinics",
        "extra_info": "Research plan sample from the clinic project",
    },
    {
        "why": "Check-in Overdue (SPEC worked example): thank-you Thu 12 Nov -> due Thu 19 Nov",
        "candidate": ALEX,
        "company": "Quillmate",
        "role": "Analytics Engineer",
        "contact_name": "Sam Ortiz",
        "contact_email": "Sam Ortiz - sam.ortiz@example.com",
        "contact_phone": "+1 555 0178",
        "interview_date": D(2026, 11, 12),
        "thank_you_sent": D(2026, 11, 12),
        "outcome": "Interviewing",
        "key_points": "dbt migration; data quality checks; on-call rota",
        "extra_info": "https://example.com/alex-morgan/dbt-talk",
    },
    {
        "why": "They will contact, no date: hands-off check-in 10 business days after thanks",
        "candidate": PRIYA,
        "company": "Tidewater Energy",
        "role": "Service Designer",
        "contact_name": "Helen Brandt",
        "contact_email": "helen.brandt@example.org",
        "interview_date": D(2026, 11, 17),
        "they_will_contact": "Yes",
        "thank_you_sent": D(2026, 11, 17),
        "outcome": "Interviewing",
        "key_points": "Customer journey for smart-meter installs; working with field teams",
    },
    {
        "why": "They will contact by Wed 25 Nov: check-in the business day after",
        "candidate": ALEX,
        "company": "Copperleaf Games",
        "role": "Data Scientist, Player Insights",
        "contact_name": "Ravi Kumar",
        "contact_email": "ravi.kumar@example.com",
        "interview_date": D(2026, 11, 13),
        "reply_expected_by": D(2026, 11, 25),
        "they_will_contact": "Yes",
        "thank_you_sent": D(2026, 11, 13),
        "outcome": "Next round",
        "key_points": "Churn model for mobile titles; A/B testing platform",
    },
    {
        "why": "Replied after the check-in: budget restarts, check-in 10 business days later",
        "candidate": PRIYA,
        "company": "Meridian Freight",
        "role": "Senior Product Designer",
        "contact_name": "Tom Becker",
        "contact_email": "tom.becker@example.org",
        "interview_date": D(2026, 11, 2),
        "thank_you_sent": D(2026, 11, 2),
        "checkin_sent": D(2026, 11, 9),
        "reply_date": D(2026, 11, 10),
        "outcome": "Interviewing",
        "key_points": "Shipment tracking redesign; design system ownership",
        "extra_info": "https://example.org/priya-shah/portfolio",
    },
    {
        "why": "Reminder Due: check-in Mon 16 Nov, reminder 5 business days later",
        "candidate": ALEX,
        "company": "Orchid Bank",
        "role": "Risk Analyst",
        "contact_name": "Grace Whitfield",
        "contact_email": "grace.whitfield@example.com",
        "contact_phone": "+1 555 0119",
        "interview_date": D(2026, 11, 3),
        "reply_expected_by": D(2026, 11, 13),
        "thank_you_sent": D(2026, 11, 3),
        "checkin_sent": D(2026, 11, 16),
        "outcome": "Interviewing",
        "key_points": "Credit-risk reporting in Python; regulator deadlines each quarter",
    },
    {
        "why": "Waiting: every step sent; move-on countdown ends Thu 26 Nov",
        "candidate": PRIYA,
        "company": "Sable Robotics",
        "role": "Interaction Designer",
        "contact_name": "Jun Park",
        "contact_email": "jun.park@example.org",
        "interview_date": D(2026, 11, 5),
        "thank_you_sent": D(2026, 11, 5),
        "checkin_sent": D(2026, 11, 12),
        "reminder_sent": D(2026, 11, 19),
        "outcome": "Interviewing",
        "key_points": "Warehouse robot control screens; safety reviews",
    },
    {
        "why": "Move on: reminder sent Mon 2 Nov, countdown passed Mon 9 Nov",
        "candidate": ALEX,
        "company": "Juniper Civic Tech",
        "role": "Data Analyst",
        "contact_name": "Ella Novak",
        "contact_email": "ella.novak@example.com",
        "interview_date": D(2026, 10, 19),
        "thank_you_sent": D(2026, 10, 19),
        "checkin_sent": D(2026, 10, 26),
        "reminder_sent": D(2026, 11, 2),
        "outcome": "Interviewing",
        "key_points": "Open data portal for the city; public dashboards",
    },
    {
        "why": "Stale: check-in was due Mon 12 Oct, over 30 days ago -> Move on",
        "candidate": PRIYA,
        "company": "Fernway Travel",
        "role": "UX Designer",
        "contact_name": "Luis Romero",
        "contact_email": "luis.romero@example.org",
        "contact_phone": "+1 555 0161",
        "interview_date": D(2026, 10, 5),
        "thank_you_sent": D(2026, 10, 5),
        "outcome": "Interviewing",
        "key_points": "Booking flow for group trips",
    },
    {
        "why": "Closed (offer)",
        "candidate": ALEX,
        "company": "Greystone Insurance",
        "role": "Pricing Analyst",
        "contact_name": "Ben Carter",
        "contact_email": "ben.carter@example.com",
        "interview_date": D(2026, 10, 28),
        "thank_you_sent": D(2026, 10, 28),
        "reply_date": D(2026, 11, 6),
        "outcome": "Offer",
        "key_points": "Motor pricing models; start date in January",
    },
    {
        "why": "Closed (rejected)",
        "candidate": PRIYA,
        "company": "Brightwell Media",
        "role": "Product Designer",
        "contact_name": "Ava Lindqvist",
        "contact_email": "ava.lindqvist@example.org",
        "interview_date": D(2026, 10, 21),
        "thank_you_sent": D(2026, 10, 21),
        "checkin_sent": D(2026, 10, 28),
        "reply_date": D(2026, 10, 30),
        "outcome": "Rejected",
        "key_points": "Video streaming app; design critique culture",
    },
    {
        "why": "Closed (withdrawn)",
        "candidate": ALEX,
        "company": "Kestrel Logistics",
        "role": "Reporting Analyst",
        "contact_name": "Noah Fischer",
        "contact_email": "noah.fischer@example.com",
        "interview_date": D(2026, 11, 4),
        "thank_you_sent": D(2026, 11, 4),
        "outcome": "Withdrawn",
        "key_points": "Mostly Excel reporting; fully on-site",
    },
    {
        "why": "No interview: applied, no interview date yet",
        "candidate": PRIYA,
        "company": "Oakridge Learning",
        "role": "Learning Experience Designer",
        "contact_email": "careers@example.org",
        "outcome": "Applied",
        "extra_info": "https://example.org/priya-shah/portfolio",
    },
    {
        "why": "Needs attention: thank-you date (8 Nov) before the interview (18 Nov)",
        "candidate": PRIYA,
        "company": "Pinecrest Foods",
        "role": "Senior UX Designer",
        "contact_name": "Irene Costa",
        "contact_email": "irene.costa@example.org",
        "interview_date": D(2026, 11, 18),
        "thank_you_sent": D(2026, 11, 8),
        "outcome": "Interviewing",
        "key_points": "Online ordering for restaurants; accessibility audit",
    },
    {
        "why": "Needs attention: interview date that is not a date",
        "candidate": ALEX,
        "company": "Solace Studio",
        "role": "Marketing Analyst",
        "contact_name": "Chris Doyle",
        "contact_email": "chris.doyle@example.com",
        "interview_date": "next Tuesday",
        "outcome": "Interviewing",
        "key_points": "Campaign attribution; small team",
    },
]

FIRST_DATA_ROW = HEADER_ROW + 1


def build_sample() -> Workbook:
    """The sample tracker as an openpyxl workbook."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    add_lists_sheet(workbook)
    lay_out_tracker(sheet, header_row=HEADER_ROW, last_row=FORMATTED_UNTIL_ROW, with_owned=False)

    last_letter = get_column_letter(len(TRACKER_FIELDS))
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(bold=True, size=14, color="1F4E78")
    sheet.merge_cells(f"A1:{last_letter}1")
    sheet["A2"] = SUBTITLE
    sheet["A2"].font = Font(italic=True, color="595959")
    sheet.row_dimensions[1].height = 24

    for offset, values in enumerate(ROWS):
        row = FIRST_DATA_ROW + offset
        closed = values.get("outcome") in {"Offer", "Rejected", "Withdrawn"}
        for column, field in enumerate(TRACKER_FIELDS, start=1):
            cell = sheet.cell(row=row, column=column, value=values.get(field))
            if field in DATE_FIELDS and isinstance(values.get(field), datetime):
                cell.number_format = DATE_TIME_FORMAT
            elif field in DATE_FIELDS:
                cell.number_format = DATE_FORMAT
            if field in {"key_points", "extra_info"}:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if closed:
                cell.font = CLOSED_FONT
        sheet.cell(row=row, column=1).fill = CANDIDATE_FILLS[values["candidate"]]

    last_data_row = FIRST_DATA_ROW + len(ROWS) - 1
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_letter}{last_data_row}"

    for properties_time in ("created", "modified"):
        setattr(workbook.properties, properties_time, FIXED_TIME)
    workbook.properties.creator = "followup"
    workbook.properties.title = TITLE
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx bytes, with fixed timestamps so every run gives the same file."""
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save: save() stamps the modified time with "now".
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else ROOT / "sample_tracker.xlsx"
    output.write_bytes(workbook_bytes(build_sample()))
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
