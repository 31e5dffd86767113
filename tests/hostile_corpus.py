"""A corpus of hostile and broken trackers, made by code (nothing downloaded).

`BAD_FILES` are files followup must refuse as a whole (exit 2, one line, file untouched);
`hostile_rows_tracker` builds one tracker whose rows are each broken in their own way, and
`HEADER_CASES` are tables whose header row is odd but usable. Each maker takes a folder and
returns the path to hand to followup.
"""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter
from tracker_helpers import Formula, build_tracker, write_cell

TODAY = date(2026, 11, 23)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GIB = 1 << 30


# --- a valid tracker to break ----------------------------------------------------------------

BASE_HEADER = ("Company", "Contact", "Email", "Interview Date", "Thank-You Sent", "Key Points")


def good_tracker(path: Path) -> Path:
    """A small valid tracker: one thank-you due, one check-in overdue."""
    return build_tracker(
        path,
        BASE_HEADER,
        [
            ["Acme", "Jane Doe", "jane@acme.example", date(2026, 11, 22), None, "Dashboards"],
            [
                "Globex",
                "Sam Lee",
                "sam@globex.example",
                date(2026, 11, 12),
                date(2026, 11, 12),
                "Data team",
            ],
        ],
    )


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, parts: dict[str, bytes] | Sequence[tuple[str, bytes]]) -> Path:
    items = parts.items() if isinstance(parts, dict) else parts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, on purpose here
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in items:
                archive.writestr(name, data)
    return path


def changed(path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of the good tracker at `path` with its parts changed in place by `change`."""
    parts = parts_of(good_tracker(path.with_name("source-" + path.name)))
    path.with_name("source-" + path.name).unlink()
    change(parts)
    return write_zip(path, parts)


SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"


# --- zip members written by hand (declared sizes that lie, raw deflate streams) ---------------


@dataclass(frozen=True)
class RawMember:
    name: str
    data: bytes  # as stored in the zip (already compressed for method 8)
    declared_size: int
    crc: int = 0
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def raw_zip(members: Sequence[RawMember]) -> bytes:
    """A zip whose headers say exactly what the members claim, true or not."""
    out = io.BytesIO()
    central = []
    for member in members:
        name = member.name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                member.flags,
                member.method,
                0,
                0x21,
                member.crc,
                len(member.data),
                member.declared_size,
                len(name),
                0,
            )
        )
        out.write(name + member.data)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                member.flags,
                member.method,
                0,
                0x21,
                member.crc,
                len(member.data),
                member.declared_size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()


def deflate_repeated(prefix: bytes, unit: bytes, repeats: int, suffix: bytes) -> bytes:
    """A raw deflate stream of prefix + unit * repeats + suffix, built without inflating it.

    Each piece is compressed once and ended with a full flush (byte-aligned, no references
    back), so the unit's compressed bytes can simply be repeated.
    """

    def piece(data: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return piece(prefix) + piece(unit) * repeats + final.compress(suffix) + final.flush()


def zip_bomb(path: Path, *, declared_truthfully: bool) -> Path:
    """A tracker whose sheet inflates to over 1 GB of repeated rows from about 1 MB.

    Truthful: the zip declares the real size (refused from the directory alone). Lying: it
    declares 40 KB, so only a capped streaming inflate can tell.
    """
    parts = parts_of(good_tracker(path.with_name("source-" + path.name)))
    path.with_name("source-" + path.name).unlink()
    sheet = parts.pop(SHEET)
    head, _, tail = sheet.partition(b"</sheetData>")
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000  # ~1 MB
    repeats = GIB // len(unit) + 64
    stream = deflate_repeated(head, unit, repeats, b"</sheetData>" + tail)
    size = len(head) + len(unit) * repeats + len(tail) + len(b"</sheetData>")
    members = [
        RawMember(name, zlib.compress(data)[2:-4], len(data), zlib.crc32(data))
        for name, data in parts.items()
    ]
    members.append(RawMember(SHEET, stream, size if declared_truthfully else 40_000))
    path.write_bytes(raw_zip(members))
    return path


def many_big_members(folder: Path) -> Path:
    """Five members each declaring 480 MB (under the part limit): 2.4 GB in all."""
    path = folder / "tracker.xlsx"
    parts = parts_of(good_tracker(folder / "source.xlsx"))
    members = [
        RawMember(name, zlib.compress(data)[2:-4], len(data), zlib.crc32(data))
        for name, data in parts.items()
    ]
    filler = b"\0" * 600_000  # junk: never inflated, the directory alone is refused
    members += [RawMember(f"xl/media/image{i}.bin", filler, 480 << 20) for i in range(5)]
    path.write_bytes(raw_zip(members))
    return path


# --- XML that attacks the parser ----------------------------------------------------------------

LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode()
        if i > 1
        else b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        for i in range(1, 10)
    )
    + b"]>"
)


def with_doctype(xml: bytes, doctype: bytes, reference: bytes, replace: bytes) -> bytes:
    declaration, _, rest = xml.partition(b"?>")
    return declaration + b"?>" + doctype + rest.replace(replace, reference, 1)


def entity_bomb_in_sheet(parts: dict[str, bytes]) -> None:
    parts[SHEET] = with_doctype(
        parts[SHEET],
        LAUGHS,
        b'<c r="Z9" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
        b"</row>",
    )


def entity_bomb_in_strings(parts: dict[str, bytes]) -> None:
    parts[STRINGS] = with_doctype(parts[STRINGS], LAUGHS, b"<t>&lol9;</t>", b"<t>Acme</t>")


def external_entity(parts: dict[str, bytes]) -> None:
    doctype = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    parts[STRINGS] = with_doctype(parts[STRINGS], doctype, b"<t>&xxe;</t>", b"<t>Acme</t>")


def doctype_in_utf16(parts: dict[str, bytes]) -> None:
    text = parts[STRINGS].decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    declaration, _, rest = text.partition("?>")
    text = declaration + '?><!DOCTYPE sst [<!ENTITY a "aaaa">]>' + rest
    parts[STRINGS] = text.encode("utf-16")


def huge_string_count(parts: dict[str, bytes]) -> None:
    parts[STRINGS] = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4294967295"', parts[STRINGS])


def value_in_the_far_corner(parts: dict[str, bytes]) -> None:
    parts[SHEET] = parts[SHEET].replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )


def row_beyond_excel(parts: dict[str, bytes]) -> None:
    parts[SHEET] = parts[SHEET].replace(
        b"</sheetData>",
        b'<row r="99999999"><c r="A99999999" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )


def no_worksheets(parts: dict[str, bytes]) -> None:
    parts[WORKBOOK] = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", parts[WORKBOOK])
    del parts[SHEET]


def chart_sheet_only(parts: dict[str, bytes]) -> None:
    """The only sheet is a chart sheet (its part and relationship say so)."""
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = (
        parts[rels]
        .replace(b'/worksheet"', b'/chartsheet"')
        .replace(b"worksheets/sheet1.xml", b"chartsheets/sheet1.xml")
    )
    del parts[SHEET]
    parts["xl/chartsheets/sheet1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><chartsheet xmlns="{MAIN_NS}">'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>'
    ).encode()
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .replace(b"/xl/worksheets/sheet1.xml", b"/xl/chartsheets/sheet1.xml")
        .replace(b"spreadsheetml.worksheet+xml", b"spreadsheetml.chartsheet+xml")
    )


def no_table(parts: dict[str, bytes]) -> None:
    parts[STRINGS] = parts[STRINGS].replace(b"<t>Company</t>", b"<t>Firm name</t>")


# --- files that are not zips, or not workbooks ----------------------------------------------------


def write_bytes(data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "tracker.xlsx"
        path.write_bytes(data)
        return path

    return make


def from_parts(change: Callable[[dict[str, bytes]], None]) -> Callable[[Path], Path]:
    return lambda folder: changed(folder / "tracker.xlsx", change)


def from_good(change: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = good_tracker(folder / "tracker.xlsx")
        path.write_bytes(change(path.read_bytes()))
        return path

    return make


def ole2(stream_name: str) -> bytes:
    """An OLE2 (CFB) container header and a directory entry naming one stream."""
    name = stream_name.encode("utf-16-le") + b"\0\0"
    directory = name.ljust(64, b"\0") + struct.pack("<H", len(name)) + b"\x02"
    return OLE2_MAGIC + b"\0" * 504 + directory.ljust(512, b"\0")


def ods(folder: Path) -> Path:
    return write_zip(
        folder / "tracker.xlsx",
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", b'<?xml version="1.0"?><office:document-content/>'),
        ],
    )


def xlsb(folder: Path) -> Path:
    return write_zip(
        folder / "tracker.xlsx",
        [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.bin", b"\x83\x01\x00")],
    )


def plain_zip(folder: Path) -> Path:
    return write_zip(folder / "tracker.xlsx", [("hello.txt", b"hi")])


def duplicate_members(folder: Path) -> Path:
    parts = parts_of(good_tracker(folder / "source.xlsx"))
    items = [*parts.items(), (SHEET, parts[SHEET].replace(b"Acme", b"Evil"))]
    return write_zip(folder / "tracker.xlsx", items)


def encrypted_flag(data: bytes) -> bytes:
    """The 'encrypted' bit set on every member (traditional zip encryption)."""
    patched = bytearray(data)
    for match in re.finditer(rb"PK\x01\x02", data):
        patched[match.start() + 8] |= 0x01
    for match in re.finditer(rb"PK\x03\x04", data):
        patched[match.start() + 6] |= 0x01
    return bytes(patched)


def bzip2_members(folder: Path) -> Path:
    parts = parts_of(good_tracker(folder / "source.xlsx"))
    path = folder / "tracker.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def bad_checksum(folder: Path) -> Path:
    """The sheet is stored (not compressed) and one byte of it changed after the CRC."""
    parts = parts_of(good_tracker(folder / "source.xlsx"))
    path = folder / "tracker.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    data = bytearray(path.read_bytes())
    position = data.find(b"Interview")  # inside the stored sharedStrings part
    data[position] ^= 0x20
    path.write_bytes(bytes(data))
    return path


def directory(folder: Path) -> Path:
    path = folder / "tracker.xlsx"
    path.mkdir()
    return path


def fifo(folder: Path) -> Path:
    path = folder / "tracker.xlsx"
    os.mkfifo(path)
    return path


@dataclass(frozen=True)
class BadFile:
    name: str
    make: Callable[[Path], Path]
    expect: str  # a fragment of the one-line message


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
CSV = b"Company,Interview Date,Email\r\nAcme,2026-11-12,jane@acme.example\r\n"
HTML = b"<html><body><table><tr><td>Company</td></tr></table></body></html>"

BAD_FILES: tuple[BadFile, ...] = (
    BadFile("not-a-zip", write_bytes(PNG), "not an .xlsx workbook (not a zip package)"),
    BadFile("truncated-zip", from_good(lambda data: data[: len(data) // 2]), "truncated"),
    BadFile("truncated-directory", from_good(lambda data: data[:-30]), "truncated"),
    BadFile("empty", write_bytes(b""), "is empty (0 bytes)"),
    BadFile("password-protected", write_bytes(ole2("EncryptedPackage")), "password-protected"),
    BadFile("legacy-xls", write_bytes(ole2("Workbook")), "legacy Excel 97-2003 .xls"),
    BadFile("ole2-unknown", write_bytes(OLE2_MAGIC + b"\0" * 1024), "legacy .xls file or a"),
    BadFile("csv-renamed", write_bytes(CSV), "a CSV or text file renamed .xlsx"),
    BadFile("html-renamed", write_bytes(HTML), "web page (HTML)"),
    BadFile("ods-renamed", ods, "OpenDocument spreadsheet (.ods)"),
    BadFile("xlsb-renamed", xlsb, "Excel binary workbook (.xlsb)"),
    BadFile("zip-not-a-workbook", plain_zip, "has no workbook part"),
    BadFile("directory", directory, "is a folder"),
    BadFile("missing", lambda folder: folder / "tracker.xlsx", "does not exist"),
    BadFile("fifo", fifo, "is not a regular file"),
    BadFile(
        "zip-bomb", lambda f: zip_bomb(f / "tracker.xlsx", declared_truthfully=True), "zip bomb"
    ),
    BadFile(
        "zip-bomb-lying-size",
        lambda f: zip_bomb(f / "tracker.xlsx", declared_truthfully=False),
        "unpacks to more than",
    ),
    BadFile("zip-bomb-many-parts", many_big_members, "would unpack to over"),
    BadFile("entity-bomb-in-sheet", from_parts(entity_bomb_in_sheet), "has a DTD in xl/worksheets"),
    BadFile(
        "entity-bomb-in-strings",
        from_parts(entity_bomb_in_strings),
        "has a DTD in xl/sharedStrings.xml",
    ),
    BadFile("external-entity", from_parts(external_entity), "has a DTD"),
    BadFile("doctype-in-utf16", from_parts(doctype_in_utf16), "has a DTD"),
    BadFile("duplicate-members", duplicate_members, "two zip members named"),
    BadFile("zip-encrypted-flag", from_good(encrypted_flag), "encrypted"),
    BadFile("bzip2-compressed", bzip2_members, "zip compression Excel never writes"),
    BadFile("bad-checksum", bad_checksum, "fails its checksum"),
    BadFile("no-worksheets", from_parts(no_worksheets), "has no worksheets"),
    BadFile("chart-sheet-only", from_parts(chart_sheet_only), "has no worksheets"),
    BadFile("huge-string-count", from_parts(huge_string_count), "claims 4,294,967,295 strings"),
    BadFile("value-in-far-corner", from_parts(value_in_the_far_corner), "far from the table"),
    BadFile("row-beyond-excel", from_parts(row_beyond_excel), "beyond Excel's last row"),
    BadFile("no-tracker-table", from_parts(no_table), "no tracker table found in"),
)


# --- odd but usable sheets ----------------------------------------------------------------------


def formatted_to_the_last_row(folder: Path, *, every_row: bool) -> Path:
    """The good tracker with a dimension to Z1048576 and styled empty cells to the last row.

    `every_row` writes all 1,048,574 empty styled rows (what "format the whole column" does);
    otherwise only the last row, as some exports leave it.
    """

    def change(parts: dict[str, bytes]) -> None:
        sheet = re.sub(
            rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:Z1048576"/>', parts[SHEET]
        )
        start = 4 if every_row else 1_048_576
        rows = b"".join(
            b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/><c r="Z%d" s="1"/></row>'
            % (n, n, n)
            for n in range(start, 1_048_577)
        )
        parts[SHEET] = sheet.replace(b"</sheetData>", rows + b"</sheetData>")

    return changed(folder / "tracker.xlsx", change)


# --- hostile rows ---------------------------------------------------------------------------

ROW_HEADER = (
    "Candidate",
    "Company",
    "Role",
    "Contact",
    "Email",
    "Phone",
    "Interview Date",
    "Thank-You Sent",
    "Check-In Sent",
    "Outcome",
    "Key Points",
    "My Notes",
)
EMOJI_COMPANY = "🚀" * 300


@dataclass(frozen=True)
class HostileRow:
    case: str
    cells: dict[str, object]
    flagged: bool  # the row must carry an error in Follow-up Problems
    problem: str = ""  # a fragment of that problem


def _row(case: str, flagged: bool, problem: str = "", **cells: object) -> HostileRow:
    base: dict[str, object] = {
        "Candidate": "Alex Morgan",
        "Company": f"Company {case}",
        "Role": "Analyst",
        "Contact": "Jane Doe",
        # One contact per company: two rows to one address would share one day's message.
        "Email": f"jane@{case}.example",
        "Interview Date": date(2026, 11, 12),
        "Thank-You Sent": date(2026, 11, 12),
        "Key Points": "dashboards; team of four",
        "My Notes": f"my note for {case}",
    }
    base.update({key.replace("_", " "): value for key, value in cells.items()})
    return HostileRow(case, base, flagged, problem)


HOSTILE_ROWS: tuple[HostileRow, ...] = (
    _row("good", False),
    _row("ref-error-in-interview-date", True, "#REF!", Interview_Date=Formula("=#REF!+1", "#REF!")),
    _row(
        "na-error-in-thank-you-sent",
        True,
        "#N/A",
        **{"Thank-You Sent": Formula("=VLOOKUP(A1,B:B,2,0)", "#N/A")},
    ),
    _row("ref-error-in-company", True, "Company", Company=Formula("=#REF!", "#REF!")),
    _row("na-error-in-key-points", False, Key_Points=Formula("=NA()", "#N/A")),
    _row(
        "formula-date-with-cached-value", False, Interview_Date=Formula("=DATE(2026,11,12)", 46338)
    ),
    _row(
        "formula-date-without-cached-value",
        True,
        "formula",
        Interview_Date=Formula("=TODAY()-11", "NO-CACHED-VALUE"),
    ),
    _row("date-before-1900-text", True, "", Interview_Date="1850-01-01"),
    # Excel's last date; the reader takes no year past 2200 for a mistake.
    _row(
        "date-in-9999", True, "9999", Interview_Date=date(9999, 12, 31), **{"Thank-You Sent": None}
    ),
    _row("sent-in-9999", True, "9999", **{"Thank-You Sent": date(9999, 12, 31)}),
    _row("negative-serial", True, "", Interview_Date=-5),
    _row("serial-past-9999", True, "", Interview_Date=3_000_000),
    _row("path-traversal-company", False, Company="../../etc/passwd"),
    _row("windows-device-company", False, Company="CON"),
    _row("formula-company", False, Company='=HYPERLINK("http://x","y")'),
    _row("emoji-company", False, Company=EMOJI_COMPANY),
    # The first address is found inside the text; the rest never reaches a header.
    _row("email-with-newline", False, Email="jane@example.com\nBcc: evil@attacker.example"),
    _row("contact-with-newline", False, Contact="Jane\r\nBcc: evil@attacker.example"),
    _row("role-with-newline", False, Role="Analyst\r\nCc: evil@attacker.example"),
    _row(
        "right-to-left-names",
        False,
        Company="شركة الأمل",
        Contact="דנה כהן",
        Candidate="محمد علي",
        Key_Points="لوحات المعلومات",
    ),
)


def hostile_rows_tracker(folder: Path) -> Path:
    """One tracker, one hostile case per row (row 2 onwards, in HOSTILE_ROWS order)."""
    path = folder / "tracker.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("Tracker")
    sheet.write_row(0, 0, ROW_HEADER)
    for offset, case in enumerate(HOSTILE_ROWS, start=1):
        for column, header in enumerate(ROW_HEADER):
            write_cell(sheet, offset, column, case.cells.get(header), date_format)
    workbook.close()

    def drop_missing_cached_values(parts: dict[str, bytes]) -> None:
        # XlsxWriter always writes a cached value; a workbook saved by a library that does
        # not calculate (openpyxl) has <f> with no <v>.
        parts[SHEET] = re.sub(
            rb'<c r="([A-Z]+\d+)"([^>]*) t="str"><f>([^<]*)</f><v>NO-CACHED-VALUE</v></c>',
            rb'<c r="\1"\2><f>\3</f></c>',
            parts[SHEET],
        )

    parts = parts_of(path)
    drop_missing_cached_values(parts)
    return write_zip(path, parts)


def row_of(case: str) -> int:
    """The Excel row of a hostile case in `hostile_rows_tracker`."""
    return 2 + [row.case for row in HOSTILE_ROWS].index(case)


# --- odd headers ----------------------------------------------------------------------------


def merged_header(folder: Path) -> Path:
    """A title merged across the top, a group label merged over two date columns, and the
    Company header in a cell merged over two columns."""
    path = folder / "tracker.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("Tracker")
    sheet.merge_range(0, 0, 0, 5, "My job search")
    sheet.merge_range(1, 2, 1, 3, "Dates")
    sheet.merge_range(2, 0, 2, 1, "Company")
    sheet.write_row(2, 2, ["Interview Date", "Thank-You Sent", "Email", "Key Points"])
    rows = [
        ["Acme", None, date(2026, 11, 12), date(2026, 11, 12), "jane@acme.example", "pipes"],
        ["Globex", None, date(2026, 11, 22), None, "sam@globex.example", "dashboards"],
    ]
    for offset, row in enumerate(rows, start=3):
        for column, value in enumerate(row):
            write_cell(sheet, offset, column, value, date_format)
    workbook.close()
    return path


def duplicate_headers(folder: Path) -> Path:
    return build_tracker(
        folder / "tracker.xlsx",
        ["Company", "Interview Date", "Email", "Company", "Interview Date", "Notes"],
        [
            ["Acme", date(2026, 11, 12), "jane@acme.example", "Other Co", date(2026, 1, 1), "n1"],
            ["Globex", date(2026, 11, 22), "sam@globex.example", "", "", "n2"],
        ],
    )


def owned_columns_with_user_text(folder: Path) -> Path:
    """The owned columns exist and hold the user's own words; a user "Status" column too."""
    return build_tracker(
        folder / "tracker.xlsx",
        [
            "Company",
            "Interview Date",
            "Status",
            "Follow-up Status",
            "Follow-up Reason",
            "Notes",
            "Follow-up Problems",
        ],
        [
            [
                "Acme",
                date(2026, 11, 12),
                "Interviewing",
                "my own words",
                "call Bob",
                "n1",
                "my own problems",
            ],
            ["Globex", date(2026, 11, 22), "Applied", "", "=1+1 typed by me", "n2", ""],
        ],
    )


def owned_column_twice(folder: Path) -> Path:
    return build_tracker(
        folder / "tracker.xlsx",
        ["Company", "Interview Date", "Follow-up Status", "Notes", "Follow-up Status"],
        [
            ["Acme", date(2026, 11, 12), "old", "n1", "second copy, mine"],
            ["Globex", date(2026, 11, 22), "", "n2", "also mine"],
        ],
    )


HEADER_CASES: dict[str, Callable[[Path], Path]] = {
    "merged-header": merged_header,
    "duplicate-headers": duplicate_headers,
    "owned-columns-with-user-text": owned_columns_with_user_text,
    "owned-column-twice": owned_column_twice,
}
