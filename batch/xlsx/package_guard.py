"""Look inside a tracker's package, safely, before anything opens it for real.

python-calamine (Rust) inflates whatever a zip says and reserves memory from numbers in the
XML: a zip bomb, a `uniqueCount` of four billion shared strings or one stray cell at
XFD1048576 abort the whole process (a Rust allocation failure cannot be caught). So every
check here runs on the raw file first: what kind of file it is, the zip directory (duplicate
names, encryption, compression method, declared sizes and ratios), then every member is
inflated once by streaming, capped at the size it declares, with its CRC checked; XML parts
are refused when they carry a DTD (entity bombs, external entities) and worksheets are
refused when their cells span an area too large to load. Nothing is extracted to disk.

`inspect_package` is the only entry point; each refusal is one `FileProblem` line that says
what is wrong and what to do.
"""

from __future__ import annotations

import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from batch.model import FileProblem
from batch.xlsx.advice import RESAVE, RESTORE
from batch.xlsx.cell_refs import (
    CELL_REFERENCE,
    MAX_COLUMN,
    MAX_ROW,
    column_letters,
    column_number,
)
from batch.xlsx.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_PACKAGE_BYTES,
    MAX_PART_BYTES,
    MAX_SHEET_CELLS,
    RATIO_CHECKED_ABOVE,
    SHEET_CELLS_ALWAYS_ALLOWED,
    SHEET_CELLS_PER_COMPRESSED_BYTE,
)
from batch.xlsx.shared_strings import SharedText

_CHUNK = 1 << 20
_HEAD_BYTES = 64 << 10  # the XML prolog (declaration, comments, DOCTYPE) must fit in this
_LONG_ROW = 16 << 20
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SHEET_ROOTS = frozenset({"worksheet", "dialogsheet", "macrosheet"})
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def inspect_package(path: Path) -> None:
    """Raise FileProblem unless `path` is an .xlsx package that is safe to open.

    Reads the file once, streaming; holds at most one chunk of a member in memory.
    """
    _check_path(path)
    head = _read_head(path)
    _check_kind(path, head)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise FileProblem(
            path,
            f"is damaged or truncated (its zip directory cannot be read: {_brief(error)}); "
            f"{RESTORE}",
        ) from None
    _check_directory(path, infos)
    try:
        with path.open("rb") as file:
            shared_text = SharedText(path, path.stat().st_size)
            for info in infos:
                _check_member(path, file, info, shared_text)
            shared_text.check(infos, lambda info: _inflate(path, file, info))
    except OSError as error:
        raise FileProblem(path, f"cannot be read ({_brief(error)}); {RESTORE}") from None


def _brief(error: BaseException) -> str:
    text = " ".join(str(getattr(error, "strerror", None) or error).split())
    return text[:160] if text else type(error).__name__


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


# --- the file itself -----------------------------------------------------------------------


def _check_path(path: Path) -> None:
    try:
        status = path.stat()
    except FileNotFoundError:
        raise FileProblem(path, "does not exist; check the file name and folder") from None
    except OSError as error:
        raise FileProblem(path, f"cannot be read ({_brief(error)}); check the path") from None
    if stat.S_ISDIR(status.st_mode):
        raise FileProblem(path, "is a folder, not a workbook; name the tracker .xlsx file in it")
    if not stat.S_ISREG(status.st_mode):
        # A FIFO would block the run forever on open; a device is never a tracker.
        raise FileProblem(path, "is not a regular file; name the tracker .xlsx file itself")
    if status.st_size == 0:
        raise FileProblem(path, "is empty (0 bytes); restore it from a backup")


def _read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read(4096)
    except PermissionError:
        raise FileProblem(
            path, "cannot be read (permission denied); check the file's permissions"
        ) from None
    except OSError as error:
        raise FileProblem(path, f"cannot be read ({_brief(error)}); check the file") from None


def _check_kind(path: Path, head: bytes) -> None:
    """Name the kind of file when it is not a zip package, so the user knows what to do."""
    if head.startswith(_ZIP_MAGIC) or head.startswith(_EMPTY_ZIP_MAGIC):
        return
    if head.startswith(_OLE2_MAGIC):
        raise FileProblem(path, _ole2_message(path))
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table")):
        raise FileProblem(path, f"is a web page (HTML) with a spreadsheet name; {RESAVE}")
    if text.startswith(b"<?xml") and b"office:spreadsheet" in head:
        raise FileProblem(path, f"is an Excel 2003 XML spreadsheet, not an .xlsx; {RESAVE}")
    if _looks_like_text(head):
        raise FileProblem(
            path, f"holds plain text (a CSV or text file renamed .xlsx), not a workbook; {RESAVE}"
        )
    raise FileProblem(path, f"is not an .xlsx workbook (not a zip package); {RESAVE}")


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for char in text if char.isprintable() or char in "\t\r\n")
        return printable >= 0.95 * len(text)
    return False


def _ole2_message(path: Path) -> str:
    """An OLE2 (CFB) container is either an encrypted .xlsx or a legacy binary workbook.

    The directory names its streams in UTF-16: "EncryptedPackage" for Office encryption,
    "Workbook" (or "Book" for Excel 5) for an .xls.
    """
    try:
        with open(path, "rb") as file:
            data = file.read(8 << 20)
    except OSError:
        data = b""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "is password-protected (encrypted); open it in Excel, remove the password and "
            "save it again"
        )
    if "Workbook".encode("utf-16-le") in data or "Book\0".encode("utf-16-le") in data:
        return f"is a legacy Excel 97-2003 .xls file; {RESAVE}"
    return (
        "is a legacy .xls file or a password-protected workbook; open it in Excel and save it "
        "as .xlsx without a password"
    )


# --- the zip directory ---------------------------------------------------------------------


def _check_directory(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    names = {info.filename.casefold() for info in infos}
    if "mimetype" in names and _starts_ods(path, infos):
        raise FileProblem(
            path,
            "is an OpenDocument spreadsheet (.ods) with an .xlsx name; save it from LibreOffice "
            "as Excel 2007-365 (.xlsx)",
        )
    if "xl/workbook.bin" in names:
        raise FileProblem(path, f"is an Excel binary workbook (.xlsb); {RESAVE}")
    check_zip_listing(path, infos)


def check_zip_listing(path: Path | str, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse what the zip directory alone shows to be unsafe: two members for one part,
    encryption, a compression Excel never writes, declared sizes of a zip bomb.

    The writer calls this too, on the bytes it is about to edit (they may have changed
    since they were read).
    """
    seen: set[str] = set()
    total = 0
    for info in infos:
        # OPC part names are case-insensitive; two members for one part let a reader and
        # the writer see different content.
        folded = info.filename.casefold()
        if folded in seen:
            raise FileProblem(
                path,
                f"is damaged or tampered with (two zip members named {info.filename!r}); {RESTORE}",
            )
        seen.add(folded)
        if info.flag_bits & 0x1:
            raise FileProblem(
                path,
                "is encrypted (password-protected zip); remove the password and save it "
                "again from Excel",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileProblem(
                path, f"uses a zip compression Excel never writes ({info.filename}); {RESAVE}"
            )
        _check_declared_size(path, info)
        total += info.file_size
        if total > MAX_PACKAGE_BYTES:
            raise FileProblem(
                path,
                f"looks like a zip bomb: it would unpack to over {_size(total)}; it was "
                "not opened (save the tracker again from Excel if it is yours)",
            )


def _check_declared_size(path: Path | str, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise FileProblem(
            path,
            f"looks like a zip bomb: {info.filename} would unpack to "
            f"{_size(info.file_size)} (a workbook part never needs {_size(MAX_PART_BYTES)}); "
            "it was not opened",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_COMPRESSION_RATIO:
        raise FileProblem(
            path,
            f"looks like a zip bomb: {info.filename} is compressed {ratio:,.0f} to 1; "
            "it was not opened",
        )


def _starts_ods(path: Path, infos: list[zipfile.ZipInfo]) -> bool:
    info = next(i for i in infos if i.filename.casefold() == "mimetype")
    if info.file_size > 200:
        return False
    with path.open("rb") as file:
        content = b"".join(_inflate(path, file, info))
    return content.strip().startswith(_ODS_MIMETYPE)


# --- the members ---------------------------------------------------------------------------


def _inflate(path: Path, file: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's content in chunks, never more than it declares, CRC checked at the end."""
    name = info.filename
    file.seek(info.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise FileProblem(path, f"is damaged ({name} is not where the zip says); {RESTORE}")
    _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    file.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type else None
    left = info.compress_size
    produced = 0
    crc = 0
    while left > 0:
        compressed = file.read(min(_CHUNK, left))
        if not compressed:
            raise FileProblem(path, f"is truncated ({name} is cut short); {RESTORE}")
        left -= len(compressed)
        for out in _pieces(path, name, inflater, compressed):
            produced += len(out)
            if produced > info.file_size:
                raise FileProblem(
                    path,
                    f"looks like a zip bomb: {name} unpacks to more than the "
                    f"{_size(info.file_size)} it declares; it was not opened",
                )
            crc = zlib.crc32(out, crc)
            yield out
    if inflater is not None and not inflater.eof:
        raise FileProblem(path, f"is damaged ({name} is cut short); {RESTORE}")
    if produced != info.file_size or crc != info.CRC:
        raise FileProblem(path, f"is damaged ({name} fails its checksum); {RESTORE}")


def _pieces(
    path: Path, name: str, inflater: zlib._Decompress | None, compressed: bytes
) -> Iterator[bytes]:
    """Inflate one chunk of input in pieces of at most _CHUNK bytes (a bomb never lands whole)."""
    if inflater is None:
        yield compressed
        return
    pending = compressed
    while True:
        try:
            out = inflater.decompress(pending, _CHUNK)
        except zlib.error as error:
            raise FileProblem(
                path, f"is damaged ({name} cannot be unpacked: {_brief(error)}); {RESTORE}"
            ) from None
        pending = inflater.unconsumed_tail
        if out:
            yield out
        if inflater.eof or (not pending and len(out) < _CHUNK):
            return


def _check_member(
    path: Path, file: BinaryIO, info: zipfile.ZipInfo, shared_text: SharedText
) -> None:
    chunks = _inflate(path, file, info)
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= _HEAD_BYTES:
            break
    is_xml = info.filename.casefold().endswith(_XML_SUFFIXES)
    root = _xml_root(path, info.filename, head, is_xml)
    if root == "sst":
        shared_text.measure_table(info, head, chunks)
        return
    if root not in _SHEET_ROOTS:
        for _chunk in chunks:  # the rest of the member: inflated (and checked) even if not a sheet
            pass
        return
    _check_dimension(path, info.filename, head)
    scanner = _SheetExtent(path, info.filename, _prefix(head), info.compress_size)
    scanner.feed(head)
    shared_text.count_cells(info.filename, head)
    for chunk in chunks:
        scanner.feed(chunk)
        shared_text.count_cells(info.filename, chunk)
    scanner.finish()


def _decoded_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    if head[:2] in (b"<\0", b"\0<"):
        return head.decode("utf-16-le" if head[0] == ord("<") else "utf-16-be", "ignore")
    return head.decode("utf-8", "ignore").lstrip("\ufeff")


# The encodings Excel and LibreOffice write (and the spellings parsers accept for them).
XML_ENCODINGS = frozenset({"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be"})
_DECLARED_ENCODING = re.compile(r"""\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


def check_declared_encoding(path: Path | str, name: str, data: bytes) -> None:
    """Refuse an XML part whose declaration names an encoding other than UTF-8 or UTF-16.

    Python's parsers look an unknown encoding name up and fail with a LookupError (and a
    known but foreign one, such as cp1252, would read the text differently from Excel).
    """
    _check_encoding_of(path, name, _decoded_head(data[:512]))


def _check_encoding_of(path: Path | str, name: str, text: str) -> None:
    declared = _DECLARED_ENCODING.match(text)
    if declared is not None and declared[1].strip().lower() not in XML_ENCODINGS:
        encoding = declared[1][:40]
        raise FileProblem(
            path,
            f"declares the text encoding {encoding!r} in {name}, which Excel never writes "
            f"(only UTF-8 or UTF-16), so it was not read; {RESTORE}",
        )


_PROLOG_ITEM = re.compile(r"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def _xml_root(path: Path, name: str, head: bytes, is_xml: bool) -> str | None:
    """The root element's local name, after refusing a DTD in the prolog.

    OOXML never needs a DTD; one is the way in for entity bombs and external entities.
    """
    text = _decoded_head(head)
    if not text.strip() or (not is_xml and not text.lstrip().startswith("<")):
        return None  # empty, or an image or vbaProject.bin: not XML
    _check_encoding_of(path, name, text)
    position = 0
    while match := _PROLOG_ITEM.match(text, position):
        position = match.end()
    rest = text[position:].lstrip()
    if rest[:9].upper() == "<!DOCTYPE":
        raise FileProblem(
            path,
            f"has a DTD in {name} (an XML entity bomb or external-entity trick: Excel "
            f"never writes one), so it was not read; {RESTORE}",
        )
    root = _ROOT.match(rest)
    if root is None:
        # Without a root element in sight, a DTD could hide further on: refuse.
        raise FileProblem(path, f"is damaged ({name} is not readable XML); {RESTORE}")
    return root[2]


def _prefix(head: bytes) -> bytes:
    """The namespace prefix of a worksheet's elements ("x:" in `<x:worksheet>`), or b""."""
    match = re.search(rb"<(\w+:)?(?:worksheet|dialogsheet|macrosheet)\b", head)
    return (match[1] or b"") if match else b""


# --- the area a worksheet's cells span -----------------------------------------------------

_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")


class _SheetExtent:
    """Track the rows and columns that hold values, as calamine will lay them out.

    calamine skips cells without a value (a styled empty `<c r="Z1048576" s="1"/>`), so a
    sheet formatted down to the last row is fine; a value in a far corner is what costs.
    Rows are split on their start tag; in each row with a value, the last cell with a value
    gives the row's width (every writer puts cells in column order). That misses a cell
    moved out of order into the middle of a row, so each chunk is also searched, with one
    regex, for a reference in a three-letter column or with more digits than the rows so
    far; a chunk that has one is then read cell by cell. This runs on every row of a big
    tracker, so it stays lean.

    The area may span `SHEET_CELLS_PER_COMPRESSED_BYTE` cells per byte the sheet takes in
    the zip (at least `SHEET_CELLS_ALWAYS_ALLOWED`): what calamine allocates stays in
    proportion to what the file really holds, however far its references point.
    """

    def __init__(self, path: Path, name: str, prefix: bytes, compressed_size: int) -> None:
        self.path = path
        self.name = name
        self.carry = b""
        self.tail = b""  # the end of the previous chunk, where a reference may start
        self.first_row = MAX_ROW + 1
        self.last_row = 0
        self.last_column = 0
        self.rows_seen = 0
        self.max_cells = min(
            MAX_SHEET_CELLS,
            max(SHEET_CELLS_ALWAYS_ALLOWED, SHEET_CELLS_PER_COMPRESSED_BYTE * compressed_size),
        )
        self.row_start = b"<" + prefix + b"row"
        self.cell_start = b"<" + prefix + b"c "
        self.cell_end = b"</" + prefix + b"c>"
        self.sheet_data_end = b"</" + prefix + b"sheetData>"

    def feed(self, chunk: bytes) -> None:
        self._rows(chunk)
        # Looked for after the chunk's rows have raised the bar, so the rows of a growing
        # table (row 99,999 to row 100,000) do not make a whole chunk be read cell by cell.
        far = _far_reference(len(str(max(self.last_row, 1))) + 1)
        if far.search(self.tail + chunk[:_REFERENCE_OVERLAP]) or far.search(chunk):
            self._every_reference(self.tail + chunk)
        self.tail = chunk[-_REFERENCE_OVERLAP:]

    def _rows(self, chunk: bytes) -> None:
        pieces = (self.carry + chunk).split(self.row_start)
        if len(pieces) == 1:  # no row starts here: keep what could be half a start tag
            self.carry = pieces[0][-len(self.row_start) :]
            return
        for piece in pieces[1:-1]:
            self._row(piece)
        unfinished = pieces[-1]
        if len(unfinished) > _LONG_ROW:
            # A row this long is hostile; take what it holds so far, keep its start tag and
            # tail, so one giant row is not copied again on every chunk.
            self._row(unfinished)
            start_tag = unfinished[: unfinished.find(b">") + 1]
            unfinished = start_tag + unfinished[-_HEAD_BYTES:]
        self.carry = self.row_start + unfinished

    def _every_reference(self, window: bytes) -> None:
        """Check every row and cell reference in `window`; cells with a value grow the area."""
        for row_tag in _ROW_START_TAG.finditer(window):
            self._check_reference(row_tag[1], b"")
        for cell in _CELL_START_TAG.finditer(window):
            row, column = self._check_reference(cell[2], cell[1])
            if not cell[3]:  # not self-closing: it may hold a value
                self._extend(row or (self.first_row if self.last_row else 1), column)

    def _check_reference(self, digits: bytes, letters: bytes) -> tuple[int, int]:
        """(row, column) of a reference (0 for a part it lacks); refused beyond Excel's grid."""
        row = int(digits) if digits and len(digits) <= 7 else MAX_ROW + 1 if digits else 0
        column = column_number(letters) if len(letters) <= 3 else MAX_COLUMN + 1
        if row > MAX_ROW or column > MAX_COLUMN:
            where = (letters + digits if letters else b"row " + digits)[:24].decode(
                "ascii", "replace"
            )
            raise FileProblem(
                self.path,
                f"is damaged ({self.name} has a cell or row at {where}, beyond Excel's last "
                f"row (1048576) or column (XFD)); {RESTORE}",
            )
        return row, column

    def finish(self) -> None:
        if self.carry.startswith(self.row_start):
            self._row(self.carry[len(self.row_start) :])
        self.carry = b""

    def _row(self, piece: bytes) -> None:
        if piece[:1] not in _AFTER_ROW_NAME:
            return  # another element (<rowBreaks>)
        self.rows_seen += 1
        last_value = piece.rfind(self.cell_end)
        if last_value < 0:
            return  # no cell with a value in this row
        end = piece.find(self.sheet_data_end, 0, last_value + 1)
        if end >= 0:  # the last row, followed by the rest of the sheet
            piece = piece[:end]
            last_value = piece.rfind(self.cell_end)
            if last_value < 0:
                return
        start = piece.rfind(self.cell_start, 0, last_value)
        reference = None
        if start >= 0:
            reference = CELL_REFERENCE.search(piece, start, piece.find(b">", start))
        if reference is not None:
            self._extend(int(reference[2]), column_number(reference[1]))
            return
        # Cells without references are placed by position (rare, some generators do it).
        number = _ROW_NUMBER.search(piece, 0, piece.find(b">"))
        row = int(number[1]) if number else self.rows_seen
        columns = piece.count(self.cell_start, 0, last_value) + piece.count(b"<c>", 0, last_value)
        self._extend(row, columns)

    def _extend(self, row: int, column: int) -> None:
        if row < self.first_row:
            self.first_row = row
        if row > self.last_row:
            self.last_row = row
        if column > self.last_column:
            self.last_column = column
        if self.last_row > MAX_ROW or self.last_column > MAX_COLUMN:
            raise FileProblem(
                self.path,
                f"is damaged ({self.name} has a cell at {column_letters(column)}{row}, beyond "
                f"Excel's last row or column); {RESTORE}",
            )
        rows = self.last_row - self.first_row + 1
        if rows * self.last_column > self.max_cells:
            raise FileProblem(
                self.path,
                f"has a value far from the table ({self.name} reaches cell "
                f"{column_letters(self.last_column)}{self.last_row}: {rows:,} rows x "
                f"{self.last_column:,} columns to load); delete the stray cells below or right "
                "of the table and save it again",
            )


_AFTER_ROW_NAME = frozenset({b" ", b"\t", b"\n", b"\r", b">", b"/"})
_REFERENCE_OVERLAP = 64
_ROW_START_TAG = re.compile(rb"""<(?:\w+:)?row\s[^>]*?\br\s*=\s*["'](\d*)["']""")
_CELL_START_TAG = re.compile(
    rb"""<(?:\w+:)?c\s[^>]*?\br\s*=\s*["']\$?([A-Za-z]*)\$?(\d*)["'][^>]*?(/?)>"""
)


def _far_reference(digits: int) -> re.Pattern[bytes]:
    """A reference in a column of three letters or more (AAA = column 703 and beyond), or
    with at least `digits` digits (at most 7: every row past Excel's last has 7 or more).
    Written as `r="` (no spaces around "=", as every writer does) so the regex engine can
    skip ahead fast. The digit after the letters keeps out `xmlns:r="http` and
    `operator="containsText"`, which every sheet's first chunk and many a conditional format
    hold."""
    digits = min(digits, 7)
    return re.compile(rb"""r=["']\$?(?:[A-Za-z]{3,}\$?\d|[A-Za-z]{0,2}\$?\d{%d})""" % digits)


_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_AREA_CORNER = re.compile(rb"\$?([A-Za-z]+)\$?(\d+)")


def _check_dimension(path: Path, name: str, head: bytes) -> None:
    """A `<dimension ref>` past Excel's grid is damage (readers size the sheet from it)."""
    dimension = _DIMENSION.search(head)
    if dimension is None:
        return
    for corner in _AREA_CORNER.finditer(dimension[1]):
        letters, digits = corner[1], corner[2]
        if (
            len(letters) > 3
            or column_number(letters) > MAX_COLUMN
            or len(digits) > 7
            or (int(digits) > MAX_ROW)
        ):
            raise FileProblem(
                path,
                f"is damaged ({name} says its cells reach "
                f"{dimension[1][:40].decode('ascii', 'replace')}, beyond Excel's last row "
                f"(1048576) or column (XFD)); {RESTORE}",
            )
