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
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import python_calamine

from batch.columns import HeaderMap, check_overrides, map_headers
from batch.model import DATE_FIELDS, FileProblem, RowProblem, Tracker, TrackerRow
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
from batch.xlsx.cell_refs import column_number
from batch.xlsx.package import RESAVE as _RESAVE
from batch.xlsx.package import Package, one_line
from batch.xlsx.package_guard import inspect_package

HEADER_SEARCH_ROWS = 20

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
    )


# --- the file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Package:
    date1904: bool
    # sheet name -> the zip member that holds the worksheet XML
    sheet_parts: dict[str, str]


def _read_package(path: Path) -> _Package:
    """The workbook's date system and where each sheet's XML lives."""
    try:
        with zipfile.ZipFile(path) as archive:
            package = Package(archive, str(path))
            return _Package(package.workbook().date1904, package.sheet_parts())
    except FileProblem:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise FileProblem(
            path, f"is damaged (not a readable .xlsx zip: {one_line(error)}); {_RESAVE}"
        ) from None
    except NotImplementedError as error:  # an unsupported compression method
        raise FileProblem(path, f"cannot be read ({one_line(error)}); {_RESAVE}") from None


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
            path, f"is damaged: its sheet {one_line(error)} is missing; {_RESAVE}"
        ) from None
    except Exception as error:  # calamine reports damage with several exception types
        # Its messages can be a bare element name ("sst"): the type says it is about XML.
        detail = one_line(error)
        if type(error).__name__ not in detail:
            detail = f"{type(error).__name__}: {detail}"
        raise FileProblem(path, f"is damaged or not a real .xlsx ({detail}); {_RESAVE}") from None
    except BaseException as error:
        # A Rust panic inside calamine surfaces as pyo3's PanicException (a BaseException).
        if type(error).__name__ != "PanicException":
            raise
        raise FileProblem(path, f"could not be read ({one_line(error)}); {_RESAVE}") from None


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
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        header_map = map_headers(row, overrides)
        if header_map.has_table():
            return index, header_map
    return None


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
    for name in candidates:
        if while_parsing is not None:
            while_parsing(name)
        worksheet = workbook.get_sheet_by_name(name)
        found = _header_in(
            worksheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS), overrides
        )
        if found is not None:
            header_index, header_map = found
            return name, worksheet.to_python(skip_empty_area=False), header_index, header_map
    if not candidates:
        raise FileProblem(
            path, "has no worksheets (only chart sheets or none); add a sheet with the tracker"
        )
    # The README documents this wording; scripts may look for it.
    where = f"of sheet {sheet!r}" if sheet is not None else "of each sheet"
    raise FileProblem(
        path,
        f"no tracker table found in {path.name} (looked for a header with Company and Interview "
        f"Date in the first {HEADER_SEARCH_ROWS} rows {where}); add those headers, or map "
        "yours in followup.toml [columns]",
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
_CELL_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']""")
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
            reference = _CELL_REF.search(match["attrs"])
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
            reference = _CELL_REF.search(match["attrs"])
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
        raise FileProblem(path, f"is damaged ({one_line(error)}); {_RESAVE}") from None


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
        else:
            read = clean_text
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

    The frozen dataclass's __init__ sets each of its 19 fields through object.__setattr__,
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
) -> Tracker:
    date_orders = _date_orders(cells[header_index + 1 :], header_map, date_order)
    column_orders = {name: finding.order for name, (_, finding) in date_orders.items()}
    readers = _field_readers(header_map, date1904, date_order, column_orders)
    headers = tuple((reader.field, reader.header) for reader in readers)
    input_indexes = sorted({reader.index for reader in readers})
    owned = [(name, column - 1) for name, column in header_map.owned.items()]
    error_columns = {reader.index for reader in readers if reader.sees_errors}
    errors_by_row: dict[int, dict[int, str]] = {}
    for (row_index, column_index), text in error_cells.items():
        if row_index > header_index and column_index in error_columns:
            errors_by_row.setdefault(row_index, {})[column_index] = text

    rows: list[TrackerRow] = []
    owned_values: dict[int, dict[str, str | date | None]] = {}
    # Every row as wide as the widest, so the loop below needs no bounds checks.
    width = max([len(row) for row in cells] + [header_map.last_column, 1])
    # Each column remembers what its reader made of each text and each date (a tracker
    # repeats the same companies, roles, dates and yes/no words on thousands of rows): every
    # reader is a pure function of the cell. Only exact str and date cells are remembered
    # (numbers would mix: 1 == 1.0 == True). Unreadable cells are not: they raise again.
    fields = [
        (reader.field, reader.header, reader.index, reader.read, dict[object, object]())
        for reader in readers
    ]
    last_column = header_map.last_column
    for row_index in range(header_index + 1, len(cells)):
        cells_of_row = cells[row_index]
        if len(cells_of_row) < width:
            cells_of_row = cells_of_row + [""] * (width - len(cells_of_row))
        # Track the last used column cheaply: only cells right of the best so far are looked at.
        for index in range(width - 1, last_column - 1, -1):
            if cells_of_row[index] != "" and cells_of_row[index] is not None:
                last_column = index + 1
                break
        row_errors = errors_by_row.get(row_index)
        if row_errors is not None:
            cells_of_row = list(cells_of_row)
            for column_index, text in row_errors.items():
                cells_of_row[column_index] = ExcelError(text)
        for index in input_indexes:
            cell = cells_of_row[index]
            if isinstance(cell, ExcelError) or not is_placeholder(cell):
                break
        else:
            continue  # a blank or pre-formatted placeholder row
        excel_row = row_index + 1
        values: dict[str, Any] = {}
        problems: list[RowProblem] = []
        for field_name, header, index, read, known in fields:
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

    warnings = tuple(
        RowProblem(header_index + 1, header, "duplicate-column", message, "warning")
        for _column, header, message in header_map.warnings
    )
    return Tracker(
        path=path,
        sheet_name=sheet_name,
        header_row=header_index + 1,
        columns=dict(header_map.fields),
        owned_columns=dict(header_map.owned),
        last_column=last_column,
        date1904=date1904,
        rows=tuple(rows),
        owned_values=owned_values,
        warnings=warnings + _mixed_date_orders(header_index + 1, date_orders),
        date_orders=tuple(date_orders.values()),
    )


def _date_orders(
    data: Cells, header_map: HeaderMap, fallback: DateOrder
) -> dict[str, tuple[str, DateOrderFinding]]:
    """Each date column's day/month order, inferred from its own unambiguous text dates
    (issue 13: a British user's 03/11/2026 is 3 November, not 11 March)."""
    found: dict[str, tuple[str, DateOrderFinding]] = {}
    for field_name, (header, column) in header_map.fields.items():
        if field_name not in DATE_FIELDS:
            continue
        index = column - 1
        # Distinct texts only, in sheet order: most date cells are real dates, texts repeat.
        texts = dict.fromkeys(
            cell
            for row in data
            if len(row) > index and (cell := row[index]).__class__ is str and cell
        )
        finding = infer_date_order(texts, fallback) if texts else None
        if finding is not None:
            found[field_name] = (header, finding)
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
