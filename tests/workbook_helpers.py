"""Helpers for the writer tests: tiny hand-made packages, rich XlsxWriter trackers, readers."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine

from batch.model import OWNED_COLUMNS

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# The owned columns' headers, as the runner writes them (their order and letters are pinned
# by tests/golden/sample.owned-cells.txt).
OWNED_HEADERS = OWNED_COLUMNS

DEFAULT_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;Q&quot;0"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/></font><font><b/><sz val="11"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
).encode()


def sheet_xml(sheet_data: str, *, before: str = "", after: str = "", prefix: str = "") -> bytes:
    """A worksheet part around the given `<sheetData>` element (with an optional prefix)."""
    namespace = f'xmlns:{prefix[:-1]}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{prefix}worksheet {namespace} xmlns:r="{REL_NS}">{before}{sheet_data}{after}'
        f"</{prefix}worksheet>"
    ).encode()


def make_package(
    sheet: bytes,
    *,
    styles: bytes | None = DEFAULT_STYLES,
    date1904: bool = False,
    sheet_name: str = "Tracker",
    extra_parts: dict[str, bytes] | None = None,
    sheet_rels: bytes | None = None,
) -> bytes:
    """A minimal valid .xlsx holding one worksheet (plus whatever `extra_parts` add)."""
    workbook_pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    parts: dict[str, bytes] = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" '
            b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b'<Override PartName="/xl/styles.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            b"</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}">{workbook_pr}<sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>'
                if styles is not None
                else ""
            )
            + "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if styles is not None:
        parts["xl/styles.xml"] = styles
    if sheet_rels is not None:
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = sheet_rels
    parts.update(extra_parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(
                zipfile.ZipInfo(name, (2024, 1, 2, 3, 4, 6)), data, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def parts_of(data: bytes | Path) -> dict[str, bytes]:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def member_layout(data: bytes | Path) -> list[tuple[str, int, tuple[int, ...]]]:
    """(name, compression type, date_time) of every member, in order."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as package:
        return [(i.filename, i.compress_type, i.date_time) for i in package.infolist()]


def first_worksheet(path: Path | bytes) -> str:
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(source, read_only=True)
    try:
        return str(workbook.worksheets[0].title)
    finally:
        workbook.close()


def openpyxl_values(data: bytes | Path, sheet: str) -> dict[tuple[int, int], Any]:
    """Every non-empty cell value of a sheet as openpyxl reads it, by (row, column)."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(source, read_only=True)
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()  # do not trust <dimension>: read every row there is
        values = {}
        for row in worksheet.iter_rows():
            for cell in row:
                if getattr(cell, "value", None) is not None:
                    values[(cell.row, cell.column)] = cell.value
        return values
    finally:
        workbook.close()


def calamine_values(data: bytes, sheet: str) -> dict[tuple[int, int], Any]:
    """Every non-empty cell value as python-calamine reads it, by 1-based (row, column)."""
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    worksheet = workbook.get_sheet_by_name(sheet)
    rows = worksheet.to_python(skip_empty_area=False)
    return {
        (r + 1, c + 1): value
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if value not in ("", None)
    }


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def tiny_png() -> bytes:
    """A valid 2x2 red PNG, made here so the tests need no image files."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def make_rich_tracker(path: Path, image: Path) -> None:
    """A tracker written like Excel writes one: table, x14 dropdown and data bars, sparkline,
    chart, image, comment, hyperlinks, a frozen header and a date column."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Interviews")
    lists = workbook.add_worksheet("Lists")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    headers = ["Company", "Role", "Interview Date", "Outcome", "Score", "Link"]
    rows = [
        ["Acme", "Engineer", date(2026, 11, 12), "Applied", 3, "https://acme.example"],
        ["Globex", "Analyst", date(2026, 11, 16), "Next round", 5, "https://globex.example"],
        ["Initech", "Manager", date(2026, 11, 18), "Rejected", 2, "https://initech.example"],
    ]
    sheet.add_table(
        0,
        0,
        len(rows),
        len(headers) - 1,
        {"name": "Interviews", "columns": [{"header": h} for h in headers]},
    )
    for r, row in enumerate(rows, start=1):
        sheet.write_string(r, 0, row[0])
        sheet.write_string(r, 1, row[1])
        sheet.write_datetime(r, 2, datetime.combine(row[2], datetime.min.time()), date_format)
        sheet.write_string(r, 3, row[3])
        sheet.write_number(r, 4, row[4])
        sheet.write_url(r, 5, row[5])
    for r, outcome in enumerate(["Applied", "Next round", "Offer", "Rejected"]):
        lists.write_string(r, 0, outcome)
    # A list on another sheet is what makes Excel store the dropdown in an x14 extension.
    sheet.data_validation(1, 3, 50, 3, {"validate": "list", "source": "=Lists!$A$1:$A$4"})
    sheet.conditional_format(1, 4, 3, 4, {"type": "data_bar", "data_bar_2010": True})
    sheet.add_sparkline(5, 4, {"range": "Interviews!E2:E4"})
    sheet.write_comment(1, 0, "Met the whole team")
    sheet.freeze_panes(1, 0)
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"values": "=Interviews!$E$2:$E$4", "categories": "=Interviews!$A$2:$A$4"})
    sheet.insert_chart("B8", chart)
    sheet.insert_image("H8", str(image))
    workbook.close()
