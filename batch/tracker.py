"""Reading a tracker workbook: find the table, map its columns, parse every row.

The cells come from python-calamine (fast, no formatting model); the few facts calamine does
not give (the workbook's date system, Excel error values, which part holds a sheet) are read
from the package's XML with defusedxml. Problems in a row are values (`RowProblem`); only
what stops the whole file raises `FileProblem`.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import python_calamine

from batch.columns import HeaderMap, check_overrides, map_headers
from batch.model import (
    DATE_FIELDS,
    DEFAULT_HEADERS,
    FileProblem,
    RowProblem,
    Tracker,
    TrackerRow,
)
from batch.ownership import RECORD_NAME, NotTheToolsColumn, recorded_cells, settle_owned
from batch.values import (
    MAX_YEAR,
    MIN_YEAR,
    NO_SAVED_RESULT,
    DateOrder,
    DateOrderFinding,
    ExcelError,
    Unreadable,
    clean_text,
    find_email,
    find_phone,
    infer_date_order,
    is_placeholder,
    parse_date,
    parse_yes_no,
    phone_text,
)
from batch.xlsx.advice import RESAVE
from batch.xlsx.cell_refs import CELL_REFERENCE, column_number
from batch.xlsx.package import Package, one_line
from batch.xlsx.package_guard import inspect_package

HEADER_SEARCH_ROWS = 20
# This many empty rows end the table: what follows (a status legend, notes) is not tracker rows.
TABLE_GAP_ROWS = 3
# How many rows under the header are looked at to learn what the table's columns hold.
CONTENT_SAMPLE_ROWS = 500

YES_NO_FIELDS = frozenset({"they_will_contact"})
FOLLOW_UP_DUE = "Follow-up Due"

_EMPTY: Mapping[str, str] = MappingProxyType({})
_EMPTY_ORDERS: Mapping[str, DateOrder] = MappingProxyType({})


def read_tracker(
    path: Path,
    *,
    sheet: str | None = None,
    column_overrides: Mapping[str, str] = _EMPTY,
    date_order: DateOrder = "MDY",
    while_parsing: Callable[[str], object] | None = None,
    side_work: Executor | None = None,
) -> Tracker:
    """Read the tracker table of a workbook.

    The table is on the first worksheet (in workbook order) with a row, within its first 20
    rows, whose headers map to at least Company and Interview Date; `sheet` names the sheet
    instead. `column_overrides` is the config's `[columns]` table (header -> field name);
    `date_order` ("MDY" or "DMY") settles text dates like 03/04/2026.
    `while_parsing(name)` is called just before a worksheet is parsed, and the sheet's error
    cells are searched for on `side_work` meanwhile (see `batch.xlsx.workbook`: calamine
    parses without holding Python's lock); without `side_work` they are searched afterwards.
    Raises FileProblem (one line, naming the file) when the file cannot be used at all.
    """
    try:
        check_overrides(column_overrides)
    except ValueError as error:
        raise FileProblem(path, str(error)) from None
    inspect_package(path)  # before calamine inflates anything
    package = _read_package(path)
    scans: dict[str, Future[dict[tuple[int, int], str]]] = {}

    def before_parsing(name: str) -> None:
        if side_work is not None and name not in scans:
            scans[name] = side_work.submit(_error_cells, path, package, name)
        if while_parsing is not None:
            while_parsing(name)

    try:
        with _library_errors_as_file_problems(path):
            workbook = _open_workbook(path)
            found = _find_table(path, workbook, sheet, column_overrides, before_parsing)
        sheet_name, cells, header_index, header_map = found
        scan = scans.pop(sheet_name, None)
        error_cells = scan.result() if scan else _error_cells(path, package, sheet_name)
    finally:
        for other in scans.values():  # sheets looked at without a table
            other.cancel()
    return _build_tracker(
        path,
        sheet_name,
        cells,
        header_index,
        header_map,
        date1904=package.date1904,
        date_order=date_order,
        error_cells=error_cells,
        owned_record=package.owned_records.get(sheet_name),
    )


# --- the file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Package:
    date1904: bool
    # sheet name -> the zip member that holds the worksheet XML
    sheet_parts: dict[str, str]
    # sheet name -> the value of its record of the tool's columns (batch.ownership)
    owned_records: dict[str, str]


def _read_package(path: Path) -> _Package:
    """The workbook's date system and where each sheet's XML lives."""
    try:
        with zipfile.ZipFile(path) as archive:
            package = Package(archive, str(path))
            workbook = package.workbook()
            names = [name for name, _ in workbook.sheets]
            owned_records = {
                names[sheet]: formula
                for name, sheet, formula in workbook.defined_names
                if name == RECORD_NAME and sheet is not None and sheet < len(names)
            }
            return _Package(workbook.date1904, package.sheet_parts(), owned_records)
    except FileProblem:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise FileProblem(
            path, f"is damaged (not a readable .xlsx zip: {one_line(error)}); {RESAVE}"
        ) from None
    except NotImplementedError as error:  # an unsupported compression method
        raise FileProblem(path, f"cannot be read ({one_line(error)}); {RESAVE}") from None


def _open_workbook(path: Path) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise FileProblem(
            path, "is password-protected; save it in Excel without a password"
        ) from None


@contextmanager
def _library_errors_as_file_problems(path: Path) -> Iterator[None]:
    """Turn whatever calamine raises on a damaged file into one line naming the file."""
    try:
        yield
    except FileProblem:
        raise
    except python_calamine.WorksheetNotFound as error:
        raise FileProblem(
            path, f"is damaged: its sheet {one_line(error)} is missing; {RESAVE}"
        ) from None
    except Exception as error:  # calamine reports damage with several exception types
        # Its messages can be a bare element name ("sst"): the type says it is about XML.
        detail = one_line(error)
        if type(error).__name__ not in detail:
            detail = f"{type(error).__name__}: {detail}"
        raise FileProblem(path, f"is damaged or not a real .xlsx ({detail}); {RESAVE}") from None
    except BaseException as error:
        # A Rust panic inside calamine surfaces as pyo3's PanicException (a BaseException).
        if type(error).__name__ != "PanicException":
            raise
        raise FileProblem(path, f"could not be read ({one_line(error)}); {RESAVE}") from None


# --- finding the table --------------------------------------------------------------------

Cells = list[list[Any]]


def _worksheet_names(workbook: python_calamine.CalamineWorkbook) -> tuple[list[str], list[str]]:
    """Visible and hidden worksheet names, in workbook order (chart sheets left out)."""
    visible: list[str] = []
    hidden: list[str] = []
    for metadata in workbook.sheets_metadata:
        if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if metadata.visible == python_calamine.SheetVisibleEnum.Visible:
            visible.append(metadata.name)
        else:
            hidden.append(metadata.name)
    return visible, hidden


def _header_in(cells: Cells, overrides: Mapping[str, str]) -> tuple[int, HeaderMap] | None:
    """The first header row of an interview tracker, else of an applications log."""
    log: tuple[int, HeaderMap] | None = None
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        header_map = map_headers(row, overrides)
        if header_map.is_tracker():
            return index, header_map
        if log is None and header_map.is_applications_log():
            log = index, header_map
    return log


def _find_table(
    path: Path,
    workbook: python_calamine.CalamineWorkbook,
    sheet: str | None,
    overrides: Mapping[str, str],
    while_parsing: Callable[[str], object] | None = None,
) -> tuple[str, Cells, int, HeaderMap]:
    visible, hidden = _worksheet_names(workbook)
    if sheet is not None:
        if sheet not in visible + hidden:
            names = ", ".join(repr(name) for name in visible + hidden) or "none"
            raise FileProblem(
                path, f"has no worksheet named {sheet!r}; its worksheets are: {names}"
            )
        candidates = [sheet]
    else:
        # A hidden sheet is only used when no visible one holds a tracker.
        candidates = visible + hidden
    # An interview tracker on any sheet wins over an applications log on an earlier one.
    log: tuple[str, int, HeaderMap] | None = None
    for name in candidates:
        if while_parsing is not None:
            while_parsing(name)
        worksheet = workbook.get_sheet_by_name(name)
        found = _header_in(
            worksheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS), overrides
        )
        if found is not None and found[1].is_tracker():
            header_index, header_map = found
            return name, worksheet.to_python(skip_empty_area=False), header_index, header_map
        if found is not None and log is None:
            log = (name, *found)
    if log is not None:
        name, header_index, header_map = log
        cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return name, cells, header_index, header_map
    if not candidates:
        raise FileProblem(
            path, "has no worksheets (only chart sheets or none); add a sheet with the tracker"
        )
    # The README documents this wording; scripts may look for it.
    where = f"of sheet {sheet!r}" if sheet is not None else "of each sheet"
    raise FileProblem(
        path,
        f"no tracker table found in {path.name} (looked for a header with Company and an "
        f"Interview Date, Status or Date Applied column in the first {HEADER_SEARCH_ROWS} rows "
        f"{where}); add those headers, or map yours in followup.toml [columns]",
    )


# --- Excel error values -------------------------------------------------------------------

# calamine reads an error cell (#REF!, #N/A) as an empty string; a date column needs to tell
# "empty" from "broken formula", so error cells are found in the sheet XML. Only the bytes
# are scanned when the sheet has any (t="e" is rare), and only error cells are parsed.
# A formula with no saved result (`<c><f>TODAY()</f><v/></c>`, as openpyxl writes) reads as
# empty too, and is found the same way.
_ERROR_MARKERS = (b't="e"', b"t='e'")
_NO_RESULT_MARKERS = (b"f></c>", b"f></x:c>", b"/></c>", b"/></x:c>", b"<v></v>", b"v></x:v>")
_FORMULA_WITHOUT_RESULT = re.compile(
    rb"""<(?:\w+:)?c\s(?P<attrs>[^>]*?)(?<!/)>\s*"""
    rb"""<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"""
    rb"""(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"""
)
_ERROR_CELL = re.compile(
    # (?<!/) keeps a self-closed <c .../> from borrowing the next cell's value.
    rb"""<(?:\w+:)?c\s(?P<attrs>[^>]*?\bt\s*=\s*["']e["'][^>]*)(?<!/)>"""
    rb"""(?P<body>.*?)</(?:\w+:)?c>""",
    re.DOTALL,
)
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CHUNK = 4 * 1024 * 1024


def _scan_errors(stream: IO[bytes]) -> Iterator[tuple[int, int, str]]:
    """(0-based row, 0-based column, error text) of every error cell in a worksheet XML."""
    pending = b""
    while True:
        chunk = stream.read(_CHUNK)
        pending, found = _scan_buffer(pending + chunk, final=not chunk)
        yield from found
        if not chunk:
            return


def _scan_buffer(buffer: bytes, *, final: bool) -> tuple[bytes, list[tuple[int, int, str]]]:
    """One round of the scan: the error cells in `buffer` (what was carried, then the next
    chunk), leaving out its last, maybe unfinished, cell unless `final`; and what to carry."""
    found: list[tuple[int, int, str]] = []
    # Keep an unfinished cell for the next round: cut at the "<" of the last cell start
    # (<c or a prefixed <x:c).
    cut = len(buffer)
    if not final:
        last_cell = buffer.rfind(b"<c ")
        # A prefixed cell start (<x:c) only matters after the last plain one: look only there.
        last_cell = max(last_cell, buffer.rfind(b":c ", last_cell + 1))
        cut = max(buffer.rfind(b"<", 0, last_cell + 1), 0) if last_cell > 0 else 0
    if any(marker in buffer for marker in _ERROR_MARKERS):
        for match in _ERROR_CELL.finditer(buffer, 0, cut):
            reference = CELL_REFERENCE.search(match["attrs"])
            if reference is None:
                continue  # a cell without a reference cannot be placed; rare in practice
            value = _CELL_VALUE.search(match["body"])
            text = value[1].decode("utf-8", "replace") if value else "#VALUE!"
            found.append((int(reference[2]) - 1, column_number(reference[1]) - 1, text))
    # Every formula without a result has a formula start (<f, or <x:f with its ":f"): most
    # sheets have none, and two searches then spare the six markers.
    has_formula = b"<f" in buffer or b":f" in buffer
    if has_formula and any(marker in buffer for marker in _NO_RESULT_MARKERS):
        for match in _FORMULA_WITHOUT_RESULT.finditer(buffer, 0, cut):
            reference = CELL_REFERENCE.search(match["attrs"])
            if reference is not None:
                row, column = int(reference[2]) - 1, column_number(reference[1]) - 1
                found.append((row, column, NO_SAVED_RESULT))
    return buffer[cut:], found


def _error_cells(path: Path, package: _Package, sheet_name: str) -> dict[tuple[int, int], str]:
    part = package.sheet_parts.get(sheet_name)
    if part is None:
        return {}
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
            return {(row, column): text for row, column, text in _scan_errors(stream)}
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise FileProblem(path, f"is damaged ({one_line(error)}); {RESAVE}") from None


# --- what the columns hold ------------------------------------------------------------------

TableNote = tuple[int, str, str, str]  # (1-based column, header, code, message)


def _sample(cells: Cells, header_index: int, column: int) -> list[object]:
    """The values under a header in the first rows of the table (blanks left out)."""
    index = column - 1
    found = []
    for row in cells[header_index + 1 : header_index + 1 + CONTENT_SAMPLE_ROWS]:
        if index < len(row) and not is_placeholder(row[index]):
            found.append(row[index])
    return found


def _not_dates(values: list[object], date1904: bool, date_order: DateOrder) -> list[object]:
    bad = []
    for value in values:
        if isinstance(value, str) and " ".join(value.split()).casefold() in _NO_REPLY_YET:
            continue  # "No Response": no date yet, which is not a wrong date
        try:
            parse_date(value, date_order=date_order, date1904=date1904)
        except Unreadable:
            bad.append(value)
    return bad


# Date columns that are left unread when they mostly hold words (an "Interview" column of
# Yes/No): they say what was planned. A sent or reply date column of words ("Yes") is kept,
# and each such row asks for the date, since a thank-you marked "Yes" was sent.
_PLAN_DATE_FIELDS = frozenset(
    {"applied_date", "interview_date", "reply_expected_by", "planned_follow_up"}
)
# Fewer values than this say too little about what a column holds.
_FEW_VALUES = 5


def _checked_by_content(
    header_map: HeaderMap,
    cells: Cells,
    header_index: int,
    *,
    date1904: bool,
    date_order: DateOrder,
) -> tuple[HeaderMap, list[TableNote]]:
    """The header map corrected by what the columns hold, and notes saying how.

    A contact-name column of email addresses gives the email instead (a draft needs its
    recipient); a planned-date column of mostly words ("Yes", "Phone") is not read as dates,
    and a later column with the same meaning is used instead; any other date column of
    mostly unreadable values is kept but reported.
    """
    fields = dict(header_map.fields)
    unused = list(header_map.unused)
    notes: list[TableNote] = []
    name = fields.get("contact_name")
    if name is not None and name != header_map.combined_name_email:
        values = _sample(cells, header_index, name[1])
        emails = sum(1 for value in values if find_email(value) is not None)
        if values and emails * 2 > len(values):
            del fields["contact_name"]
            email = fields.get("contact_email")
            if email is None or email == header_map.combined_contact:
                fields["contact_email"] = name
                message = f"column {name[0]!r} holds email addresses: read as the contact's email"
            else:
                message = (
                    f"column {name[0]!r} holds email addresses, not names: not read as the "
                    f"contact's name ({email[0]!r} gives the email)"
                )
            notes.append((name[1], name[0], "emails-in-name-column", message))
    for field_name in sorted(DATE_FIELDS & set(fields)):
        choices = [fields[field_name], *header_map.alternatives.get(field_name, ())]
        del fields[field_name]
        for header, column in choices:
            values = _sample(cells, header_index, column)
            bad = _not_dates(values, date1904, date_order)
            if len(values) < 2 or len(bad) * 2 <= len(values):
                fields[field_name] = (header, column)
                if (header, column) != choices[0]:  # a later column stands in for the first
                    unused = [u for u in unused if u[0] != column]
                    unused.append((choices[0][1], choices[0][0], None))
                break
            example = clean_text(bad[0]) or str(bad[0])
            label = DEFAULT_HEADERS[field_name]
            words = sum(1 for value in bad if not any(ch.isdigit() for ch in str(value)))
            if (
                field_name in _PLAN_DATE_FIELDS
                and len(values) >= _FEW_VALUES
                and words * 2 > len(bad)
            ):
                notes.append(
                    (
                        column,
                        header,
                        "not-dates",
                        f"column {header!r} holds mostly values that are not dates (e.g. "
                        f"{example!r}): not read as the {label}",
                    )
                )
                continue
            notes.append(
                (
                    column,
                    header,
                    "unreadable-dates",
                    f"column {header!r}: most values are not dates followup can read (e.g. "
                    f'{example!r}); if they are day-first, set date_order = "DMY" in '
                    "followup.toml",
                )
            )
            fields[field_name] = (header, column)
            break
    if fields == header_map.fields:
        return header_map, notes
    return dataclasses.replace(header_map, fields=fields, unused=tuple(sorted(unused))), notes


def _settled_owned(
    path: Path,
    sheet_name: str,
    cells: Cells,
    header_index: int,
    header_map: HeaderMap,
    owned_record: str | None,
) -> dict[str, int]:
    """The tool's own columns among those named exactly like them (see batch.ownership)."""
    if not header_map.owned:
        return {}
    header_cells = cells[header_index]
    headers = {
        column: str(header_cells[column - 1]).strip()
        for column in header_map.owned.values()
        if column - 1 < len(header_cells)
    }

    def holds_values(column: int) -> bool:
        index = column - 1
        return any(
            index < len(row) and not is_placeholder(row[index]) for row in cells[header_index + 1 :]
        )

    recorded = recorded_cells(owned_record, sheet_name) if owned_record is not None else None
    try:
        return settle_owned(header_map.owned, headers, header_index + 1, recorded, holds_values)
    except NotTheToolsColumn as conflict:
        raise FileProblem(path, conflict.message()) from None


# --- the rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _FieldReader:
    field: str
    header: str
    index: int  # 0-based column
    read: Callable[[object], object]
    # Excel error values matter in date and yes/no columns (a broken formula); in text
    # columns they read as empty.
    sees_errors: bool


def _phone_reader(value: object) -> object:
    found = find_phone(value)
    return found if found is not None else phone_text(value)


def _name_beside_email(value: object) -> object:
    """The name in a "Jane Doe / jane@x.com" cell: the text without the address."""
    text = clean_text(value)
    if text is None:
        return None
    email = find_email(text)
    if email is not None:
        text = text.replace(email, " ")
    name = " ".join(text.replace("<", " ").replace(">", " ").split()).strip(" /,;:|-()[]")
    return name or None


# What people write in a reply-date column while no reply has come (Madhumitha5900/
# Job_Application_Tracker's "Response Date" holds "No Response" and "In Progress").
_NO_REPLY_YET = frozenset(
    {"no response", "no reply", "no answer", "none yet", "not yet", "pending", "in progress"}
)


def _or_no_reply_yet(read_date: Callable[[object], object]) -> Callable[[object], object]:
    """A reply-date reader that takes "No Response" and the like for "no reply yet"."""

    def read_reply_date(value: object) -> object:
        if isinstance(value, str) and " ".join(value.split()).casefold() in _NO_REPLY_YET:
            return None
        return read_date(value)

    return read_reply_date


def _date_reader(date1904: bool, date_order: DateOrder) -> Callable[[object], object]:
    def read_date(value: object) -> object:
        # A real date cell is the common case: what parse_date returns for it, without the call.
        if type(value) is date and MIN_YEAR <= value.year <= MAX_YEAR:
            return value
        return parse_date(value, date_order=date_order, date1904=date1904)

    return read_date


def _field_readers(
    header_map: HeaderMap,
    date1904: bool,
    date_order: DateOrder,
    column_orders: Mapping[str, DateOrder] = _EMPTY_ORDERS,
) -> list[_FieldReader]:
    read_date = _date_reader(date1904, date_order)
    readers: list[_FieldReader] = []
    combined = header_map.combined_contact
    for field_name, (header, column) in header_map.fields.items():
        read: Callable[[object], object]
        if field_name in column_orders:
            read = _date_reader(date1904, column_orders[field_name])
        elif field_name in DATE_FIELDS:
            read = read_date
        elif field_name in YES_NO_FIELDS:
            read = parse_yes_no
        elif field_name in ("contact_email", "candidate_email"):
            read = find_email
        elif field_name == "contact_phone":
            read = find_phone if (header, column) == combined else _phone_reader
        elif field_name == "candidate_phone":
            read = _phone_reader
        elif field_name == "contact_name" and (header, column) == header_map.combined_name_email:
            read = _name_beside_email
        else:
            read = clean_text
        if field_name == "reply_date":
            read = _or_no_reply_yet(read)
        sees_errors = field_name in DATE_FIELDS or field_name in YES_NO_FIELDS
        readers.append(_FieldReader(field_name, header, column - 1, read, sees_errors))
    return readers


_NOT_KNOWN = object()
# Every field of a TrackerRow with its default, in field order (`row` has none: always given).
_ROW_DEFAULTS: dict[str, Any] = {
    field.name: None if field.name == "row" else field.default
    for field in dataclasses.fields(TrackerRow)
}


def _tracker_row(values: dict[str, Any]) -> TrackerRow:
    """TrackerRow(**values), for the bulk of a big tracker.

    The frozen dataclass's __init__ sets each of its fields through object.__setattr__,
    which is a noticeable share of reading a big tracker (bench/README.md); filling the new
    row's __dict__ in one go gives the same object. TrackerRow has no __post_init__, no
    slots and only plain defaults (tests/test_tracker.py checks that this stays so and that
    both ways give equal rows).
    """
    row = object.__new__(TrackerRow)
    row.__dict__.update(_ROW_DEFAULTS)
    row.__dict__.update(values)
    return row


_KNOWN_PER_COLUMN = 20_000


def _owned_value(name: str, value: object, date1904: bool) -> str | date | None:
    if isinstance(value, str) and name != FOLLOW_UP_DUE:
        return value or None
    if value is None or value == "":
        return None
    if name == FOLLOW_UP_DUE:
        try:
            return parse_date(value, date1904=date1904)
        except Unreadable:
            return clean_text(value)
    return clean_text(value)


# A one-cell row whose cell is in the company column is a tracker row (a lead just typed in)
# unless it says it is a total or a legend.
_NOT_A_COMPANY = frozenset({"total", "totals", "sum", "count", "legend", "key", "notes"})


def _typical_fill(cells: Cells, header_index: int, input_indexes: list[int]) -> int:
    """How many input columns the table's rows fill, as a median of its first rows."""
    counts = []
    for row in cells[header_index + 1 : header_index + 1 + CONTENT_SAMPLE_ROWS]:
        count = sum(1 for i in input_indexes if i < len(row) and not is_placeholder(row[i]))
        if count:
            counts.append(count)
    counts.sort()
    return counts[len(counts) // 2] if counts else 0


def _remember_stale(
    stale: dict[int, dict[str, str | date | None]],
    row: int,
    cells_of_row: list[Any],
    owned: list[tuple[str, int]],
    date1904: bool,
) -> None:
    """Keep what a skipped row holds in the tool's columns, when it holds anything (an
    earlier version took a legend row for a tracker row and wrote there)."""
    values = {name: _owned_value(name, cells_of_row[index], date1904) for name, index in owned}
    if any(value is not None for value in values.values()):
        stale[row] = values


def _rows_text(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"rows {numbers[0]}-{numbers[-1]}"
    shown = ", ".join(str(n) for n in numbers[:8])
    return f"rows {shown}{', ...' if len(numbers) > 8 else ''}"


def _build_tracker(
    path: Path,
    sheet_name: str,
    cells: Cells,
    header_index: int,
    header_map: HeaderMap,
    *,
    date1904: bool,
    date_order: DateOrder,
    error_cells: Mapping[tuple[int, int], str],
    owned_record: str | None = None,
) -> Tracker:
    header_map, notes = _checked_by_content(
        header_map, cells, header_index, date1904=date1904, date_order=date_order
    )
    settled = _settled_owned(path, sheet_name, cells, header_index, header_map, owned_record)
    table = _TableReader(cells, header_index, header_map, settled, error_cells, date1904)
    read = table.read(_field_readers(header_map, date1904, date_order))
    date_orders = _date_orders(read.date_texts, header_map, date_order)
    column_orders = {name: finding.order for name, (_, finding) in date_orders.items()}
    if any(order != date_order for order in column_orders.values()):
        # A column whose own dates show the other day/month order: read again with it.
        read = table.read(_field_readers(header_map, date1904, date_order, column_orders))
    header_row = header_index + 1
    return Tracker(
        path=path,
        sheet_name=sheet_name,
        header_row=header_row,
        columns=dict(header_map.fields),
        owned_columns=settled,
        last_column=read.last_column,
        date1904=date1904,
        rows=tuple(read.rows),
        owned_values=read.owned_values,
        warnings=(
            *_table_warnings(header_row, header_map, notes, read),
            *_mixed_date_orders(header_row, date_orders),
        ),
        date_orders=tuple(date_orders.values()),
        unused_headers=header_map.unused,
        applications_log=header_map.is_applications_log(),
        stale_owned=read.stale_owned,
    )


@dataclass
class _RowsRead:
    """What one pass over the table's rows found."""

    rows: list[TrackerRow] = dataclasses.field(default_factory=list)
    owned_values: dict[int, dict[str, str | date | None]] = dataclasses.field(default_factory=dict)
    one_cell_rows: list[int] = dataclasses.field(default_factory=list)
    after_gap: list[int] = dataclasses.field(default_factory=list)
    stale_owned: dict[int, dict[str, str | date | None]] = dataclasses.field(default_factory=dict)
    last_column: int = 0
    # date field -> its distinct texts, in sheet order (what its day/month order is learnt from)
    date_texts: dict[str, list[str]] = dataclasses.field(default_factory=dict)


class _TableReader:
    """The rows under a header, read into TrackerRows with a given set of field readers."""

    def __init__(
        self,
        cells: Cells,
        header_index: int,
        header_map: HeaderMap,
        settled: Mapping[str, int],
        error_cells: Mapping[tuple[int, int], str],
        date1904: bool,
    ) -> None:
        self.cells = cells
        self.header_index = header_index
        self.header_map = header_map
        self.date1904 = date1904
        self.owned = [(name, column - 1) for name, column in settled.items()]
        self.error_cells = error_cells
        fields = header_map.fields
        self.company_index = fields["company"][1] - 1 if "company" in fields else -1
        # Every row as wide as the widest, so the loop below needs no bounds checks.
        self.width = max([len(row) for row in cells] + [header_map.last_column, 1])

    def read(self, readers: list[_FieldReader]) -> _RowsRead:
        cells, header_index, date1904, owned = (
            self.cells,
            self.header_index,
            self.date1904,
            self.owned,
        )
        width, company_index = self.width, self.company_index
        headers = tuple((reader.field, reader.header) for reader in readers)
        input_indexes = sorted({reader.index for reader in readers})
        error_columns = {reader.index for reader in readers if reader.sees_errors}
        errors_by_row: dict[int, dict[int, str]] = {}
        for (row_index, column_index), text in self.error_cells.items():
            if row_index > header_index and column_index in error_columns:
                errors_by_row.setdefault(row_index, {})[column_index] = text
        # Where the table's rows fill several columns, a row filling one is a legend, a note
        # or a total, not a tracker row.
        sparse_rows_stand_out = _typical_fill(cells, header_index, input_indexes) >= 3
        found = _RowsRead(last_column=self.header_map.last_column)
        rows, owned_values, stale_owned = found.rows, found.owned_values, found.stale_owned
        # Each column remembers what its reader made of each text and each date (a tracker
        # repeats the same companies, roles, dates and yes/no words on thousands of rows):
        # every reader is a pure function of the cell. Only exact str and date cells are
        # remembered (numbers would mix: 1 == 1.0 == True). Unreadable cells are not: they
        # raise again. A date column's texts are noted as they are first met.
        fields = [
            (
                reader.field,
                reader.header,
                reader.index,
                reader.read,
                dict[object, object](),
                found.date_texts.setdefault(reader.field, [])
                if reader.field in DATE_FIELDS
                else None,
            )
            for reader in readers
        ]
        last_column = found.last_column
        empty_run = 0
        for row_index in range(header_index + 1, len(cells)):
            cells_of_row = cells[row_index]
            if len(cells_of_row) < width:
                cells_of_row = cells_of_row + [""] * (width - len(cells_of_row))
            # Track the last used column cheaply: only cells right of the best so far are
            # looked at. Rows skipped below count too: new columns must not land on their
            # cells.
            for index in range(width - 1, last_column - 1, -1):
                if cells_of_row[index] != "" and cells_of_row[index] is not None:
                    last_column = index + 1
                    break
            row_errors = errors_by_row.get(row_index)
            if row_errors is not None:
                cells_of_row = list(cells_of_row)
                for column_index, text in row_errors.items():
                    cells_of_row[column_index] = ExcelError(text)
            # The first two filled input cells: none is a blank row, one may be a legend.
            filled = []
            for index in input_indexes:
                cell = cells_of_row[index]
                if isinstance(cell, ExcelError) or not is_placeholder(cell):
                    filled.append(index)
                    if len(filled) == 2:
                        break
            if not filled:
                empty_run += 1
                continue  # a blank or pre-formatted placeholder row
            excel_row = row_index + 1
            if empty_run >= TABLE_GAP_ROWS and rows:
                found.after_gap.append(excel_row)
                _remember_stale(stale_owned, excel_row, cells_of_row, owned, date1904)
                continue
            empty_run = 0
            if (
                sparse_rows_stand_out
                and len(filled) == 1
                and (
                    filled[0] != company_index
                    or str(cells_of_row[filled[0]]).strip().rstrip(":").casefold() in _NOT_A_COMPANY
                )
            ):
                found.one_cell_rows.append(excel_row)
                _remember_stale(stale_owned, excel_row, cells_of_row, owned, date1904)
                continue
            values: dict[str, Any] = {}
            problems: list[RowProblem] = []
            for field_name, header, index, read, known, texts in fields:
                cell = cells_of_row[index]
                kind = cell.__class__
                remembered = kind is str or kind is date
                if remembered:
                    if cell == "":
                        continue  # empty: the field keeps its default, None
                    value = known.get(cell, _NOT_KNOWN)
                    if value is not _NOT_KNOWN:
                        values[field_name] = value
                        continue
                    if texts is not None and kind is str:
                        texts.append(cell)
                try:
                    value = read(cell)
                except Unreadable as problem:
                    problems.append(
                        RowProblem(excel_row, header, problem.code, problem.message, "error")
                    )
                    continue
                values[field_name] = value
                if remembered and len(known) < _KNOWN_PER_COLUMN:
                    known[cell] = value
            values["row"] = excel_row
            values["problems"] = tuple(problems)
            values["headers"] = headers
            rows.append(_tracker_row(values))
            owned_values[excel_row] = {
                name: _owned_value(name, cells_of_row[index], date1904) for name, index in owned
            }
        found.last_column = last_column
        return found


def _table_warnings(
    header_row: int,
    header_map: HeaderMap,
    notes: Iterable[TableNote],
    read: _RowsRead,
) -> list[RowProblem]:
    """What the table as a whole does not do as expected, for `check` and the run summary."""
    warnings = [
        RowProblem(header_row, header, code, message, "warning")
        for _column, header, code, message in (*header_map.warnings, *notes)
    ]
    if read.after_gap:
        warnings.append(
            RowProblem(
                read.after_gap[0],
                "",
                "rows-after-table",
                f"{_rows_text(read.after_gap)} skipped: they come after {TABLE_GAP_ROWS} or "
                "more empty rows below the table (a legend or notes, not tracker rows)",
                "warning",
            )
        )
    if read.one_cell_rows:
        warnings.append(
            RowProblem(
                read.one_cell_rows[0],
                "",
                "one-cell-rows",
                f"{_rows_text(read.one_cell_rows)} skipped: each fills one cell where the "
                "table's rows fill several (a legend, a note or a total, not tracker rows)",
                "warning",
            )
        )
    if header_map.is_applications_log():
        warnings.append(
            RowProblem(
                header_row,
                "",
                "applications-log",
                "looks like an applications log: no Interview Date column; run followup adopt",
                "warning",
            )
        )
    return warnings


def _date_orders(
    date_texts: Mapping[str, list[str]], header_map: HeaderMap, fallback: DateOrder
) -> dict[str, tuple[str, DateOrderFinding]]:
    """Each date column's day/month order, inferred from its own unambiguous text dates
    (issue 13: a British user's 03/11/2026 is 3 November, not 11 March)."""
    found: dict[str, tuple[str, DateOrderFinding]] = {}
    for field_name, texts in date_texts.items():
        finding = infer_date_order(dict.fromkeys(texts), fallback) if texts else None
        if finding is not None:
            found[field_name] = (header_map.fields[field_name][0], finding)
    return found


def _mixed_date_orders(
    header_row: int, date_orders: Mapping[str, tuple[str, DateOrderFinding]]
) -> tuple[RowProblem, ...]:
    return tuple(
        RowProblem(
            header_row,
            header,
            "mixed-date-order",
            f"has dates written day first ({finding.mixed[0]}) and month first "
            f"({finding.mixed[1]}); dates that could be either are read "
            f"{'day' if finding.order == 'DMY' else 'month'} first: write them as 2026-11-03",
            "warning",
        )
        for header, finding in date_orders.values()
        if finding.mixed is not None
    )
