"""Set given cells of one worksheet inside an .xlsx package, and change nothing else.

openpyxl's load-and-save drops what it does not model (Excel 2010 `x14` dropdowns and
conditional formatting, sparklines, shapes, threaded comments, cached formula values) and is
slow on big sheets. So the writer edits only the target sheet's XML, as bytes: it streams over
`<row>` and `<c>` elements with regular expressions, splices new cells in, and copies every
other byte of the sheet and every other zip member unchanged. Two other parts may change, and
only by splicing: `xl/styles.xml` gains one `<xf>` when a date needs a date style that does not
exist yet, an Excel Table part grows when header cells are written just right of it, and the
sheet's relationships part gains one hyperlink relationship per `LinkedText` cell (see
"hyperlinks" below).

The writer knows nothing about trackers or rules; `write_edits` is its entry point.
`prepare_sheet` does the part of its work that needs no edits (unpacking the sheet and finding
its rows) ahead of time, e.g. on a thread while the workbook is being read; `write_edits` uses
the result only for exactly the same file bytes.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import shutil
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO, NamedTuple
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from batch.model import FileProblem
from batch.tracker_format import LinkedText
from batch.values import date_to_excel_serial
from batch.xlsx.cell_refs import MAX_COLUMN, MAX_ROW, column_letters, column_number
from batch.xlsx.package import Package, SheetParts, local_name

CellValue = str | date | None

# The edited sheet is deflated anew on every run, and at zlib's default level 6 that costs
# about as much as building it. Levels 1-3 cost about the same as each other and much less;
# 3 gives the smallest file of them, a little larger than level 6 (bench/README.md).
SHEET_COMPRESS_LEVEL = 3
_ZIP64_SHEET_BYTES = 1 << 29

# Excel refuses (repairs) cells holding more characters than this.
MAX_CELL_CHARS = 32_767

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class CellEdit(NamedTuple):
    """Set one cell. `row` and `column` are 1-based, as Excel shows them (A = 1).

    `value`: text is written as an inline string (never a formula, whatever it starts with);
    a `date` as a date serial with a date style (a `datetime` is written as its date); None
    or "" clears the cell's value and keeps its formatting.

    The writer takes any (row, column, value) triple (`Edit`); a big tracker's run hands it
    plain tuples, which are cheaper to make than NamedTuples.
    """

    row: int
    column: int
    value: CellValue


# A cell edit as the writer takes it: (row, column, value), like CellEdit or a plain tuple.
Edit = tuple[int, int, CellValue]

_NO_WIDTHS: Mapping[int, float] = MappingProxyType({})
_NO_NAMES: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class SheetLayout:
    """How columns the edits create fit in beside the sheet's own (every part optional).

    Columns are 1-based. Cells of `new_columns` written on `header_row` take the style of the
    header row's last cell with a value (left of them); the sheet's AutoFilter grows over
    them as an Excel Table already does. New cells holding text in `wrapped` columns wrap.
    A new cell holding a date takes the style of the first date cell below the header in
    `date_styles_from`, when there is one. `widths` (characters) go to `<cols>` for columns
    no `<col>` range formats yet; `date_columns` also get that date style as their column
    style, so dates typed there later are dates. `hidden_names` are sheet-local defined
    names to set (name -> formula, e.g. a record of which columns a program made).
    """

    header_row: int = 0
    new_columns: frozenset[int] = frozenset()
    wrapped: frozenset[int] = frozenset()
    date_styles_from: tuple[int, ...] = ()
    widths: Mapping[int, float] = field(default_factory=lambda: _NO_WIDTHS)
    date_columns: frozenset[int] = frozenset()
    hidden_names: Mapping[str, str] = field(default_factory=lambda: _NO_NAMES)


@dataclass(frozen=True, eq=False)
class PreparedSheet:
    """A worksheet unpacked and its rows found, for `write_edits` on the same bytes."""

    source: bytes  # the whole .xlsx file it was prepared from
    sheet_name: str
    xml: bytes
    rows: list[_Row] | None  # None: the sheet has no rows (`<sheetData/>`)


def prepare_sheet(path: Path, sheet_name: str) -> PreparedSheet:
    """Read `path` and do the edit-independent work of writing into `sheet_name`.

    Raises what `write_edits` raises for the same file; a caller preparing on the side may
    simply drop the failure, as `write_edits` finds and reports it again.
    """
    source = path.read_bytes()
    package = _Package(source, str(path))
    parts = _locate_sheet(package, sheet_name)
    xml = package.read(parts.sheet)
    editor = _SheetEditor(xml, _Styles(None), parts.date1904)  # styles matter only to cells
    rows = None
    if not editor.sheet_data[3]:
        rows = list(editor.scan_rows(editor.sheet_data_end, with_last_cells=True))
    return PreparedSheet(source, sheet_name, xml, rows)


def write_edits(
    src: Path | BinaryIO,
    dest: Path | BinaryIO,
    sheet_name: str,
    edits: Iterable[Edit],
    *,
    prepared: PreparedSheet | None = None,
    layout: SheetLayout | None = None,
) -> None:
    """Write `src` with `edits` applied to worksheet `sheet_name` into `dest`.

    Every zip member other than the sheet is copied with identical content, name, order,
    compression type and date_time; `xl/styles.xml` (one appended date `<xf>`), Excel
    Table parts (grown to take header cells written just right of them) and the sheet's
    relationships (a hyperlink per `LinkedText` value; the part is added when the sheet has
    none) change only when the edits require it; an edited cell loses a hyperlink it had.
    The output is a function of the input bytes and the edits, so a second run with the
    same edits reproduces its input byte for byte. When no member's
    content changes, `dest` receives `src`'s exact bytes.

    Raises FileProblem for a package that cannot be edited safely (not a zip, encrypted,
    legacy .xls, damaged, no such worksheet, oversized parts) and ValueError for an edit
    outside the sheet's grid. `prepared` (from `prepare_sheet`) is used when it was made from
    these very bytes for this sheet, and ignored otherwise. `layout` says how columns the
    edits create should look (see SheetLayout); it may also change the sheet's `<cols>` and
    `<autoFilter>`, styles.xml (a wrapping `<xf>`) and the workbook part (defined names).
    """
    label = str(src) if isinstance(src, Path) else "workbook"
    edit_map, links = _edits_by_row(edits)
    source = _read_source(src, label)
    if prepared is not None and not (
        prepared.sheet_name == sheet_name
        and (prepared.source is source or prepared.source == source)
    ):
        prepared = None
    try:
        package = _Package(source, label)
        out = io.BytesIO()
        if _write_edited(package, sheet_name, edit_map, out, prepared, links, layout):
            _write_bytes(dest, out.getbuffer())
        else:
            _write_bytes(dest, source)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as error:
        raise FileProblem(
            label, f"the file is damaged ({error}); restore it from a backup"
        ) from None
    except NotImplementedError as error:
        raise FileProblem(label, f"uses an unsupported zip feature ({error})") from None
    except (ParseError, DefusedXmlException) as error:
        raise FileProblem(label, f"holds invalid or unsafe XML ({error})") from None


# --- reading the package -------------------------------------------------------------------


def _read_source(src: Path | BinaryIO, label: str) -> bytes:
    try:
        if isinstance(src, Path):
            return src.read_bytes()
        src.seek(0)
        return src.read()
    except OSError as error:
        raise FileProblem(label, f"cannot be read ({error.strerror or error})") from None


def _write_bytes(dest: Path | BinaryIO, data: bytes | memoryview) -> None:
    if isinstance(dest, Path):
        dest.write_bytes(data)
    else:
        dest.write(data)


class _Package(Package):
    """The workbook's package, from the bytes being edited, with a way to write it anew."""

    def __init__(self, data: bytes, label: str) -> None:
        if data.startswith(_OLE2_MAGIC):
            raise FileProblem(
                label,
                "is encrypted (password-protected) or an old .xls file: "
                "save it as an .xlsx without a password and run again",
            )
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise FileProblem(label, "is not an .xlsx workbook (not a zip package)") from None
        super().__init__(archive, label)

    def write_to(
        self,
        out: BinaryIO,
        sheet: str,
        sheet_chunks: Iterable[bytes],
        replacement: Callable[[str], bytes | None],
        added: dict[str, bytes] | None = None,
    ) -> bool:
        """Write every member in order: the sheet streamed from `sheet_chunks`, members that
        `replacement` gives new bytes for with those, the rest copied, then the `added`
        members. Returns whether a member other than the sheet changed."""
        changed = bool(added)
        stamp = next(info.date_time for info in self.infos if info.filename == sheet)
        with zipfile.ZipFile(out, "w") as target:
            target.comment = self.zip.comment
            for info in self.infos:
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                if info.filename == sheet:
                    _set_compress_level(copy, SHEET_COMPRESS_LEVEL)
                    # The new size is unknown until the sheet is written; only a sheet that
                    # could outgrow 2 GiB needs the ZIP64 header from the start.
                    large = info.file_size > _ZIP64_SHEET_BYTES
                    with target.open(copy, "w", force_zip64=large) as writer:
                        for chunk in sheet_chunks:
                            writer.write(chunk)
                    continue
                new = replacement(info.filename)
                if new is not None and new != self.read(info.filename):
                    target.writestr(copy, new)
                    changed = True
                    continue
                copy.file_size = info.file_size
                with self.zip.open(info) as reader, target.open(copy, "w") as writer:
                    shutil.copyfileobj(reader, writer, 1 << 20)
            for name, data in (added or {}).items():
                new_member = zipfile.ZipInfo(name, stamp)
                new_member.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(new_member, data)
        return changed


def _set_compress_level(info: zipfile.ZipInfo, level: int) -> None:
    """Give one member its own deflate level (a ZipFile's level applies only to members it
    names itself; the attribute is public as `compress_level` from Python 3.13 on)."""
    setattr(info, "compress_level" if sys.version_info >= (3, 13) else "_compresslevel", level)


def _locate_sheet(package: _Package, sheet_name: str) -> SheetParts:
    parts = package.parts_of_sheet(sheet_name)
    if not parts.is_worksheet:
        raise FileProblem(package.label, f"sheet {sheet_name!r} is a chart sheet, not a worksheet")
    return parts


# --- values ----------------------------------------------------------------------------------

# Characters XML 1.0 forbids (and lone surrogates, which UTF-8 cannot carry).
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel reads "_x0041_" in cell text as an escaped character; escape the underscore to keep it.
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def storable_text(text: str) -> str:
    """The text as it will be stored: forbidden characters dropped, cut to Excel's limit."""
    if not text.isprintable():  # every forbidden character is unprintable: skip the regex
        text = _FORBIDDEN_CHARS.sub("", text)
    return text[:MAX_CELL_CHARS]


def _escape_text(text: str) -> bytes:
    if not ("&" in text or "<" in text or ">" in text or "\r" in text or "_x" in text):
        return text.encode("utf-8")  # the common case, kept fast for big sheets
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # XML parsers turn a raw CR into LF; a character reference survives.
    escaped = escaped.replace("\r", "&#13;")
    return _EXCEL_ESCAPE.sub(r"_x005F_\1", escaped).encode("utf-8")


def _escape_attribute(text: str) -> bytes:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return escaped.replace("\r", "&#13;").encode("utf-8")


def excel_serial(day: date, date1904: bool) -> int | None:
    """The day's serial number in the workbook's date system, None when it has none."""
    if day < (date(1904, 1, 1) if date1904 else date(1900, 1, 1)):
        return None
    return date_to_excel_serial(day, date1904=date1904)


def _edits_by_row(
    edits: Iterable[Edit],
) -> tuple[dict[int, dict[int, CellValue]], dict[tuple[int, int], str]]:
    """The edits by row, then column; and the link target of each `LinkedText` cell."""
    by_row: dict[int, dict[int, CellValue]] = {}
    links: dict[tuple[int, int], str] = {}
    for row, column, value in edits:
        if not (1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
            raise ValueError(f"cell ({row}, {column}) is outside the sheet")
        cells = by_row.get(row)
        if cells is None:
            cells = by_row[row] = {}
        elif column in cells:
            links.pop((row, column), None)  # the last edit of a cell wins, link and all
        if isinstance(value, str):
            if type(value) is LinkedText:
                links[(row, column)] = value.target
            value = storable_text(value) or None
        elif isinstance(value, datetime):
            value = value.date()
        cells[column] = value
    for row, column in [cell for cell in links if by_row[cell[0]][cell[1]] is None]:
        del links[(row, column)]  # no text, no link
    return by_row, links


# --- styles ----------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)})
# Built-in formats showing day, month and year: the ones worth reusing for a new date.
_BUILTIN_FULL_DATE_FORMATS = frozenset({14, 15, 22})
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')


def _attributes(tag_attributes: bytes) -> dict[bytes, bytes]:
    return {m[1]: m[2] if m[2] is not None else m[3] for m in _ATTRIBUTE.finditer(tag_attributes)}


def _unescape(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def _format_letters(code: str) -> str:
    """The letters of a number format's first section that say what it shows."""
    return _FORMAT_NOISE.sub("", code).split(";")[0].lower()


def _element_spans(
    xml: bytes, prefix: bytes, name: bytes, start: int, end: int
) -> list[tuple[int, int, bytes]]:
    """(start, end, attributes) of each `name` element between start and end (not nested)."""
    opening = re.compile(b"<" + re.escape(prefix + name) + rb"(?=[\s/>])([^>]*?)(/?)>")
    closing = b"</" + prefix + name + b">"
    spans = []
    position = start
    while (match := opening.search(xml, position, end)) is not None:
        element_end = match.end()
        if not match[2]:
            close = xml.find(closing, match.end(), end)
            if close < 0:
                raise ParseError(f"unclosed <{name.decode()}>")
            element_end = close + len(closing)
        spans.append((match.start(), element_end, match[1]))
        position = element_end
    return spans


def _find_element(
    xml: bytes, name: bytes, start: int = 0, end: int | None = None
) -> re.Match[bytes] | None:
    """The opening tag of the first `name` element with any namespace prefix."""
    pattern = re.compile(rb"<([\w.-]+:)?" + name + rb"(?=[\s/>])([^>]*?)(/?)>")
    return pattern.search(xml, start, len(xml) if end is None else end)


class _Styles:
    """The cell formats (`cellXfs`) of styles.xml, and the date formats among them."""

    def __init__(self, xml: bytes | None) -> None:
        self.xml = xml
        self.formats: dict[int, str] = {}
        self.xfs: list[tuple[int, int, bytes]] = []
        self.cell_xfs: re.Match[bytes] | None = None
        self.closing = -1
        self.appended: list[bytes] = []
        # what each appended date style looks like (None for a wrapping style)
        self.appended_looks: list[tuple[object, ...] | None] = []
        self.date_style_for_base: dict[int, int] = {}
        self.wrap_style_for_base: dict[int, int] = {}
        if xml is None:
            return
        num_fmts = _find_element(xml, b"numFmts")
        if num_fmts is not None:
            prefix = num_fmts[1] or b""
            closing = xml.find(b"</" + prefix + b"numFmts>", num_fmts.end())
            for _, _, attrs in _element_spans(
                xml, prefix, b"numFmt", num_fmts.end(), max(closing, 0)
            ):
                values = _attributes(attrs)
                if values.get(b"numFmtId", b"").isdigit():
                    code = _unescape(values.get(b"formatCode", b""))
                    self.formats[int(values[b"numFmtId"])] = code
        self.cell_xfs = _find_element(xml, b"cellXfs")
        if self.cell_xfs is not None and not self.cell_xfs[3]:
            prefix = self.cell_xfs[1] or b""
            self.closing = xml.find(b"</" + prefix + b"cellXfs>", self.cell_xfs.end())
            if self.closing < 0:
                raise ParseError("unclosed <cellXfs>")
            self.xfs = _element_spans(xml, prefix, b"xf", self.cell_xfs.end(), self.closing)

    @property
    def usable(self) -> bool:
        return bool(self.xfs)

    def _format_id(self, style: int) -> int:
        if not 0 <= style < len(self.xfs):
            return 0
        value = _attributes(self.xfs[style][2]).get(b"numFmtId", b"0")
        return int(value) if value.isdigit() else 0

    def _is_date_format(self, format_id: int, full: bool) -> bool:
        if format_id in self.formats:
            letters = _format_letters(self.formats[format_id])
            if full:
                return all(letter in letters for letter in "dmy")
            return "d" in letters or "y" in letters
        return format_id in (_BUILTIN_FULL_DATE_FORMATS if full else _BUILTIN_DATE_FORMATS)

    def is_date_style(self, style: int) -> bool:
        if len(self.xfs) <= style < len(self.xfs) + len(self.appended):
            return self.appended_looks[style - len(self.xfs)] is not None  # a date style
        return self.usable and self._is_date_format(self._format_id(style), full=False)

    def is_full_date_style(self, style: int) -> bool:
        """A style of the workbook's own showing day, month and year."""
        return 0 <= style < len(self.xfs) and self._is_date_format(self._format_id(style), True)

    def wrap_style(self, base: int | None) -> int:
        """A style like `base` whose text wraps (an `<xf>` appended once per base)."""
        base = base if base is not None and 0 <= base < len(self.xfs) else 0
        found = self.wrap_style_for_base.get(base)
        if found is not None:
            return found
        assert self.xml is not None
        start, end, attrs = self.xfs[base]
        element = self.xml[start:end]
        prefix = re.match(rb"<([\w.-]+:)?", element)
        p = (prefix[1] if prefix else None) or b""
        tag_end = element.index(b">") + 1
        children = b"" if element[tag_end - 2 : tag_end] == b"/>" else element[tag_end:]
        children = children[: children.rfind(b"</")] if children else b""
        alignment = _find_element(children, b"alignment")
        if alignment is not None:
            wrapped = _set_attribute(alignment[2], b"wrapText", b"1")
            children = children[: alignment.start(2)] + wrapped + children[alignment.end(2) :]
        else:  # alignment comes first among an <xf>'s children
            children = b'<%salignment vertical="top" wrapText="1"/>' % p + children
        new_attrs = _set_attribute(attrs, b"applyAlignment", b"1")
        new = b"<%sxf%s>%s</%sxf>" % (p, new_attrs, children, p)
        self.appended.append(new)
        self.appended_looks.append(None)
        found = len(self.xfs) + len(self.appended) - 1
        self.wrap_style_for_base[base] = found
        return found

    def _look(self, style: int) -> tuple[object, ...]:
        """What a cell format looks like apart from its number format."""
        start, end, attrs = self.xfs[style]
        values = _attributes(attrs)
        values.pop(b"numFmtId", None)
        values.pop(b"applyNumberFormat", None)
        assert self.xml is not None
        element = self.xml[start:end]
        children = element[element.index(b">") + 1 :]
        return (sorted(values.items()), re.sub(rb"\s+", b" ", children))

    def date_style(self, base: int) -> int:
        """A date style looking like style `base`: an existing one, else one appended."""
        if not 0 <= base < len(self.xfs):
            base = 0
        if base in self.date_style_for_base:
            return self.date_style_for_base[base]
        look = self._look(base)
        found = next(
            (
                index
                for index in range(len(self.xfs))
                if self._is_date_format(self._format_id(index), full=True)
                and self._look(index) == look
            ),
            None,
        )
        if found is None and look in self.appended_looks:
            found = len(self.xfs) + self.appended_looks.index(look)
        if found is None:
            assert self.xml is not None
            start, end, attrs = self.xfs[base]
            new_attrs = _set_attribute(
                _set_attribute(attrs, b"numFmtId", b"14"), b"applyNumberFormat", b"1"
            )
            self.appended.append(self.xml[start:end].replace(attrs, new_attrs, 1))
            self.appended_looks.append(look)
            found = len(self.xfs) + len(self.appended) - 1
        self.date_style_for_base[base] = found
        return found

    def new_xml(self) -> bytes | None:
        if not self.appended or self.xml is None or self.cell_xfs is None:
            return None
        opening = self.cell_xfs
        attrs = opening[2]
        if re.search(rb"\scount\s*=", attrs):
            attrs = _set_attribute(
                attrs, b"count", str(len(self.xfs) + len(self.appended)).encode()
            )
        new_opening = b"<" + (opening[1] or b"") + b"cellXfs" + attrs + b">"
        return b"".join(
            (
                self.xml[: opening.start()],
                new_opening,
                self.xml[opening.end() : self.closing],
                *self.appended,
                self.xml[self.closing :],
            )
        )


def _set_attribute(attrs: bytes, name: bytes, value: bytes) -> bytes:
    """The attribute list with `name` set to `value` (replaced in place, or appended)."""
    pattern = re.compile(rb"(\s" + re.escape(name) + rb"""\s*=\s*)(?:"[^"]*"|'[^']*')""")
    if pattern.search(attrs):
        return pattern.sub(lambda m: m[1] + b'"' + value + b'"', attrs, count=1)
    trailing = len(attrs) - len(attrs.rstrip())
    return (
        attrs[: len(attrs) - trailing]
        + b" "
        + name
        + b'="'
        + value
        + b'"'
        + attrs[len(attrs) - trailing :]
    )


def _remove_attribute(attrs: bytes, name: bytes) -> bytes:
    return re.sub(
        rb"\s" + re.escape(name) + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""", b"", attrs, count=1
    )


# --- the sheet -------------------------------------------------------------------------------

_R_ATTRIBUTE = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)(\d*)["']""")
_S_ATTRIBUTE = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_SPANS_ATTRIBUTE = re.compile(rb"""\sspans\s*=\s*["']([^"']*)["']""")
_REF_ATTRIBUTE = re.compile(rb"""(\sref\s*=\s*["'])([^"']*)(["'])""")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
_TAG_ENDS = frozenset((b" ", b"\t", b"\r", b"\n", b"/", b">"))
_CHUNK_BYTES = 1 << 20
# How many distinct cells the editor keeps the bytes of (the values that recur are few).
_CACHED_CELLS = 20_000


@dataclass(frozen=True)
class _Area:
    first_row: int
    first_column: int
    last_row: int
    last_column: int

    def grown(self, row: int, column: int) -> _Area:
        return _Area(
            min(self.first_row, row),
            min(self.first_column, column),
            max(self.last_row, row),
            max(self.last_column, column),
        )

    def ref(self) -> str:
        first = f"{column_letters(self.first_column)}{self.first_row}"
        last = f"{column_letters(self.last_column)}{self.last_row}"
        return first if first == last else f"{first}:{last}"


def _parse_area(ref: str) -> _Area | None:
    corners = [_CELL_REF.fullmatch(part.strip()) for part in ref.split(":")]
    if not 1 <= len(corners) <= 2 or any(corner is None for corner in corners):
        return None
    points = [(int(c[2]), column_number(c[1].encode())) for c in corners if c is not None]
    (row1, col1), (row2, col2) = points[0], points[-1]
    return _Area(min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2))


class _Row(NamedTuple):
    """One `<row>` of a worksheet's XML, as the editor needs it (offsets into the XML)."""

    number: int
    start: int  # the "<" of its start tag
    inner_start: int  # just after its start tag
    inner_end: int  # where "</row>" starts (the row's end, for a self-closing row)
    end: int  # just after the row
    attrs: bytes  # of its start tag
    self_closing: bool
    last_cell: tuple[int, int] | None  # (end, column) of its last cell; None: no cell


# `_Row.last_cell` of a row whose cells were not looked at yet.
_NOT_LOOKED = (-1, -1)
# A style looked for and not found (None means "found: no style").
_NOT_FOUND = -1
# How far into the sheet a date cell's style is looked for (its first rows, in any tracker).
_DATE_STYLE_SEARCH_BYTES = 4 << 20
_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is)>(?!</)")


class _SheetEditor:
    """Splices cells into a worksheet's XML, row by row, in one pass.

    The new XML is produced in chunks (`chunks`) that stream into the zip member, so the
    edited sheet never exists as one big copy. Rows without edits are copied as slices of
    the original; a row whose edits all lie right of its last cell (the daily write-back of
    the owned columns) gets its new cells appended without parsing the cells it has; only
    rows whose edits replace or interleave existing cells are walked cell by cell.
    """

    def __init__(
        self,
        xml: bytes,
        styles: _Styles,
        date1904: bool,
        rows: list[_Row] | None = None,
        layout: SheetLayout | None = None,
    ) -> None:
        """`rows`: every row of `xml` as `scan_rows` gives them, when scanned beforehand.
        `layout`: how new columns look; `prepare_layout` reads what it needs first."""
        if xml.startswith((b"\xff\xfe", b"\xfe\xff")) or re.match(
            rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["'](?!utf-8)""", xml, re.IGNORECASE
        ):
            raise NotImplementedError("worksheet XML not in UTF-8")
        self.xml = xml
        self.view = memoryview(xml)  # slices of it are copied only into the output chunks
        self.styles = styles
        self.date1904 = date1904
        self.changed = False  # set while `chunks` runs: whether any byte differs
        sheet_data = _find_element(xml, b"sheetData")
        if sheet_data is None:
            raise ParseError("the worksheet has no <sheetData>")
        self.sheet_data = sheet_data
        self.prefix = p = sheet_data[1] or b""
        escaped = re.escape(p)
        self.row_opening = re.compile(b"<" + escaped + rb"row(?=[\s/>])([^>]*?)(/?)>")
        self.row_closing = b"</" + p + b"row>"
        self.cell_opening = re.compile(b"<" + escaped + rb"c(?=[\s/>])([^>]*?)(/?)>")
        self.cell_tag = b"<" + p + b"c"
        self.cell_closing = b"</" + p + b"c>"
        self.column_styles = self._column_styles()
        self._column_style: dict[int, int | None] = {}
        self._date_styles: dict[int | None, int] = {}
        # Cells' bytes around their row number, made once: the same values recur on every row.
        self._cells: dict[tuple[int, int | None, CellValue], tuple[bytes, bytes]] = {}
        # The same for new cells below the header, by (column, row style, value).
        self._new_cells: dict[tuple[int, int | None, CellValue], tuple[bytes, bytes]] = {}
        self._columns: dict[bytes, int] = {}  # column letters -> number
        self.rows = rows
        self.sheet_data_end = self._find_sheet_data_end()
        # (start, end, new bytes) to replace after `</sheetData>` (hyperlinks, a grown AutoFilter)
        self.tail_splices: list[tuple[int, int, bytes]] = []
        self.layout = layout or SheetLayout()
        # Columns whose new cells may take another style than Excel would give them.
        self.restyled: frozenset[int] = frozenset()
        self.header_style: int | None = _NOT_FOUND
        self.sheet_date_style: int | None = None
        self.filter_growth: tuple[int, int, bytes, _Area, _Area] | None = None
        self._wrap_styles: dict[int | None, int] = {}

    def prepare_layout(self) -> None:
        """Look up what the layout takes from the sheet, before any byte is written."""
        layout = self.layout
        if layout.header_row and layout.new_columns:
            self.header_style = self._header_style(layout.header_row, min(layout.new_columns))
            self.filter_growth = self._grown_filter()
            if self.filter_growth is not None:
                start, end, attrs = self.filter_growth[:3]
                self.tail_splices.append((start, end, attrs))
        if layout.date_styles_from and self.styles.usable:
            self.sheet_date_style = self._date_style_below(
                layout.header_row, layout.date_styles_from
            )
        restyled = set(layout.wrapped) if self.styles.usable else set()
        if self.header_style != _NOT_FOUND:
            restyled |= layout.new_columns
        self.restyled = frozenset(restyled)

    def _header_style(self, header_row: int, before: int) -> int | None:
        """The style of the header row's last cell holding a value left of column `before`
        (None for a cell without a style), or _NOT_FOUND."""
        if self.sheet_data[3]:
            return _NOT_FOUND
        xml = self.xml
        closing = self.sheet_data_end
        opening = re.compile(
            b"<"
            + re.escape(self.prefix)
            + rb"""row\s[^>]*?\br\s*=\s*["']%d["'][^>]*?(/?)>""" % header_row
        )
        row = opening.search(xml, self.sheet_data.end(), closing)
        if row is None or row[1]:
            return _NOT_FOUND
        row_end = xml.find(self.row_closing, row.end(), closing)
        found: int | None = _NOT_FOUND
        position = row.end()
        while (cell := self.cell_opening.search(xml, position, row_end)) is not None:
            end = self._cell_end(xml, cell, row_end)
            position = end
            ref = _R_ATTRIBUTE.search(cell[1])
            if ref is None or not ref[1]:
                continue
            if column_number(ref[1]) >= before:
                break
            if cell[2] or not _HAS_VALUE.search(xml, cell.end(), end):
                continue
            style = _S_ATTRIBUTE.search(cell[1])
            found = int(style[1]) if style else None
        return found

    def _date_style_below(self, header_row: int, columns: tuple[int, ...]) -> int | None:
        """The style of the first cell below the header in `columns` with a full date style."""
        if self.sheet_data[3]:
            return None
        letters = {column_letters(column).encode() for column in columns}
        start = self.sheet_data.end()
        end = min(self.sheet_data_end, start + _DATE_STYLE_SEARCH_BYTES)
        for cell in self.cell_opening.finditer(self.xml, start, end):
            ref = _R_ATTRIBUTE.search(cell[1])
            if ref is None or ref[1].upper() not in letters or not ref[2]:
                continue
            style = _S_ATTRIBUTE.search(cell[1])
            if int(ref[2]) > header_row and style and self.styles.is_full_date_style(int(style[1])):
                return int(style[1])
        return None

    def _grown_filter(self) -> tuple[int, int, bytes, _Area, _Area] | None:
        """The sheet's `<autoFilter>` grown over new columns just right of it on its header
        row: (start, end, new attributes, old area, new area), or None."""
        layout = self.layout
        start = self.sheet_data_end
        found = _find_element(self.xml, b"autoFilter", start)
        if found is None or b"customSheetView" in self.xml[start : found.start()]:
            return None  # none, or only a custom view's own filter
        ref = _REF_ATTRIBUTE.search(found[2])
        area = _parse_area(ref[2].decode("ascii", "replace")) if ref else None
        if ref is None or area is None or area.first_row != layout.header_row:
            return None
        last = area.last_column
        while last + 1 in layout.new_columns:
            last += 1
        if last == area.last_column:
            return None
        grown = _Area(area.first_row, area.first_column, area.last_row, last)
        attrs = found[2][: ref.start(2)] + grown.ref().encode() + found[2][ref.end(2) :]
        return found.start(2), found.end(2), attrs, area, grown

    def _new_cell_style(
        self, number: int, column: int, value: CellValue, inherited: int | None
    ) -> int | None:
        """The style of a new cell in a restyled column (see SheetLayout)."""
        layout = self.layout
        if number == layout.header_row and column in layout.new_columns:
            return inherited if self.header_style == _NOT_FOUND else self.header_style
        if isinstance(value, str) and column in layout.wrapped and number > layout.header_row:
            wrapped = self._wrap_styles.get(inherited)
            if wrapped is None:
                wrapped = self._wrap_styles[inherited] = self.styles.wrap_style(inherited)
            return wrapped
        return inherited

    def _with_new_cols(self, head: bytes | memoryview) -> bytes | memoryview:
        """`head` (everything before `<sheetData>`) with a `<col>` for each new column that
        has a width or a date format and no `<col>` range of the user's covering it."""
        layout = self.layout
        wanted = sorted(set(layout.widths) | set(layout.date_columns))
        if not wanted:
            return head
        head = bytes(head)
        p = self.prefix
        cols = _find_element(head, b"cols")
        closing = -1
        spans: list[tuple[int, int, bytes]] = []
        if cols is not None and not cols[3]:
            closing = head.find(b"</" + (cols[1] or b"") + b"cols>", cols.end())
            spans = _element_spans(head, cols[1] or b"", b"col", cols.end(), max(closing, 0))
            p = cols[1] or b""
        ranges = []
        starts: list[tuple[int, int]] = []  # (first column, where its <col> starts)
        for start, _, attrs in spans:
            values = _attributes(attrs)
            low, high = values.get(b"min", b""), values.get(b"max", b"")
            if low.isdigit() and high.isdigit():
                ranges.append((int(low), int(high)))
                starts.append((int(low), start))
        date_style = None
        if layout.date_columns and self.styles.usable:
            date_style = self.sheet_date_style
            if date_style is None:
                date_style = self.styles.date_style(0)
        inserts: list[tuple[int, int, bytes]] = []
        new_elements: list[bytes] = []
        for column in wanted:
            if any(low <= column <= high for low, high in ranges):
                continue  # the user's own column format stays
            attrs = b' min="%d" max="%d"' % (column, column)
            width = layout.widths.get(column)
            if width:
                attrs += b' width="%s" customWidth="1"' % f"{width:g}".encode()
            if column in layout.date_columns and date_style is not None:
                attrs += b' style="%d"' % date_style
            element = b"<%scol%s/>" % (p, attrs)
            if cols is None or cols[3] or closing < 0:
                new_elements.append(element)
                continue
            at = next((start for low, start in starts if low > column), closing)
            inserts.append((at, at, element))
        if inserts:
            self.changed = True
            return _splice(head, inserts)
        if not new_elements:
            return head
        self.changed = True
        block = b"<%scols>%s</%scols>" % (p, b"".join(new_elements), p)
        if cols is not None and cols[3]:  # <cols/>
            return head[: cols.start()] + block + head[cols.end() :]
        return head + block  # <cols> comes right before <sheetData>

    def _column_styles(self) -> list[tuple[int, int, int]]:
        """(first, last, style) of each `<col>` range that formats its empty cells."""
        cols = _find_element(self.xml, b"cols", 0, self.sheet_data.start())
        if cols is None or cols[3]:
            return []
        prefix = cols[1] or b""
        closing = self.xml.find(b"</" + prefix + b"cols>", cols.end(), self.sheet_data.start())
        found = []
        for _, _, attrs in _element_spans(self.xml, prefix, b"col", cols.end(), max(closing, 0)):
            values = _attributes(attrs)
            low, high, style = (values.get(k, b"") for k in (b"min", b"max", b"style"))
            if low.isdigit() and high.isdigit() and style.isdigit():
                found.append((int(low), int(high), int(style)))
        return found

    def chunks(self, edits: dict[int, dict[int, CellValue]]) -> Iterator[bytes]:
        """The edited sheet's XML in pieces of about a megabyte (few write calls, little
        memory); `changed` is final once they are all taken."""
        pending: list[bytes | memoryview] = []
        size = 0
        for piece in self._pieces(edits):
            pending.append(piece)
            size += len(piece)
            if size >= _CHUNK_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
        if pending:
            yield b"".join(pending)

    def _pieces(self, edits: dict[int, dict[int, CellValue]]) -> Iterator[bytes | memoryview]:
        view = self.view
        opening = self.sheet_data
        yield self._with_new_cols(self._head(_written_area(edits)))
        copied_to = opening.start()
        pending = sorted(edits)
        next_pending = 0
        if opening[3]:  # <sheetData/>
            rows = [row for number in pending if (row := self._new_row(number, edits[number]))]
            if rows:
                self.changed = True
                yield b"<%ssheetData%s>" % (self.prefix, opening[2])
                yield from rows
                yield b"</%ssheetData>" % self.prefix
                copied_to = opening.end()
            yield from self._tail(copied_to)
            return
        closing = self.sheet_data_end
        # Rows are scanned only as far as the edits reach, unless scanned beforehand.
        scanned = iter(self.rows) if self.rows is not None else self.scan_rows(closing)
        while next_pending < len(pending):
            source = next(scanned, None)
            if source is None:
                break
            number = source.number
            if pending[next_pending] < number:
                yield view[copied_to : source.start]
                copied_to = source.start
                while next_pending < len(pending) and pending[next_pending] < number:
                    new_row = self._new_row(pending[next_pending], edits[pending[next_pending]])
                    if new_row:
                        self.changed = True
                        yield new_row
                    next_pending += 1
            if next_pending < len(pending) and pending[next_pending] == number:
                start, new_pieces, resume = self._edited_row(source, edits[number])
                if new_pieces:
                    yield view[copied_to:start]
                    yield from new_pieces
                    copied_to = resume
                next_pending += 1
        tail_rows = [row for n in pending[next_pending:] if (row := self._new_row(n, edits[n]))]
        if tail_rows:
            self.changed = True
            yield view[copied_to:closing]
            yield from tail_rows
            copied_to = closing
        yield from self._tail(copied_to)

    def _tail(self, start: int) -> Iterator[bytes | memoryview]:
        """The sheet from `start` to its end, with `tail_splices` applied."""
        position = start
        for begin, end, new in sorted(self.tail_splices):
            self.changed = True
            yield self.view[position:begin]
            yield new
            position = end
        yield self.view[position:]

    def after_sheet_data(self) -> int:
        """Where the elements after `<sheetData>` begin."""
        if self.sheet_data[3]:
            return self.sheet_data.end()
        return self.sheet_data_end + len(b"</%ssheetData>" % self.prefix)

    def _find_sheet_data_end(self) -> int:
        """Where `</sheetData>` starts; for `<sheetData/>`, where that ends.

        Found once, as the search crosses the whole sheet. Rows scanned beforehand all end
        before it, so the search starts after the last of them.
        """
        if self.sheet_data[3]:
            return self.sheet_data.end()
        start = self.rows[-1].end if self.rows else self.sheet_data.end()
        closing = self.xml.find(b"</" + self.prefix + b"sheetData>", start)
        if closing < 0:
            raise ParseError("unclosed <sheetData>")
        return closing

    def scan_rows(self, closing: int, *, with_last_cells: bool = False) -> Iterator[_Row]:
        """The rows of `<sheetData>` in document order, up to `closing` (see `_Row`).

        A row without `r` is numbered after the one before it. `with_last_cells` also finds
        each row's last cell now (a scan done ahead, on another thread, while the workbook is
        being read); otherwise an edited row looks for it when it is edited.
        """
        xml = self.xml
        row_opening = self.row_opening
        row_closing = self.row_closing
        previous_row = 0
        position = self.sheet_data.end()
        while (match := row_opening.search(xml, position, closing)) is not None:
            attrs = match[1]
            number_match = _R_ATTRIBUTE.search(attrs)
            number = int(number_match[2]) if number_match and number_match[2] else previous_row + 1
            self_closing = bool(match[2])
            if self_closing:
                row_end = inner_end = match.end()
            else:
                inner_end = xml.find(row_closing, match.end(), closing)
                if inner_end < 0:
                    raise ParseError("unclosed <row>")
                row_end = inner_end + len(row_closing)
            last_cell: tuple[int, int] | None = _NOT_LOOKED
            if with_last_cells:
                # A cell that cannot be read is looked for again, and reported, only if the
                # row is edited.
                with contextlib.suppress(ParseError):
                    last_cell = self._last_cell(match.end(), inner_end)
            yield _Row(
                number,
                match.start(),
                match.end(),
                inner_end,
                row_end,
                attrs,
                self_closing,
                last_cell,
            )
            previous_row = number
            position = row_end

    def _head(self, written: _Area | None) -> bytes | memoryview:
        """Everything before `<sheetData>`, with `<dimension ref>` grown to cover the cells
        written so readers see them."""
        head = self.view[: self.sheet_data.start()]
        dimension = _find_element(self.xml, b"dimension", 0, self.sheet_data.start())
        if dimension is None or written is None:
            return head
        ref = _REF_ATTRIBUTE.search(dimension[2])
        if ref is None:
            return head
        area = _parse_area(ref[2].decode("ascii", "replace"))
        used = written
        if area is not None:
            used = used.grown(area.first_row, area.first_column)
            used = used.grown(area.last_row, area.last_column)
        if area == used:
            return head
        self.changed = True
        attrs = dimension[2][: ref.start(2)] + used.ref().encode() + dimension[2][ref.end(2) :]
        return b"".join((head[: dimension.start(2)], attrs, head[dimension.end(2) :]))

    def _row_style(self, row_attrs: bytes) -> int | None:
        """A formatted row gives its style to new cells, as when typing in Excel."""
        if b"customFormat" not in row_attrs:
            return None
        values = _attributes(row_attrs)
        if values.get(b"customFormat") in (b"1", b"true") and values.get(b"s", b"").isdigit():
            return int(values[b"s"])
        return None

    def _inherited_style(self, row_style: int | None, column: int) -> int | None:
        """The style Excel gives a new cell: its row's (when formatted), else its column's."""
        if row_style is not None:
            return row_style
        if column not in self._column_style:
            self._column_style[column] = next(
                (style for low, high, style in self.column_styles if low <= column <= high), None
            )
        return self._column_style[column]

    def _new_style(
        self, number: int, column: int, value: CellValue, row_style: int | None
    ) -> int | None:
        """The style of a new cell: Excel's (its row's or column's), or the layout's."""
        style = self._inherited_style(row_style, column)
        if self.sheet_date_style is not None and isinstance(value, date):
            return self.sheet_date_style
        if column in self.restyled:
            return self._new_cell_style(number, column, value, style)
        return style

    def _style_attr(self, style: int | None) -> bytes:
        return b"" if style is None else b' s="%d"' % style

    def _date_style(self, style: int | None) -> int:
        """The cell's style when it is a date style already, else a date style like it."""
        found = self._date_styles.get(style)
        if found is None:
            if style is not None and self.styles.is_date_style(style):
                found = style
            else:
                found = self.styles.date_style(style or 0)
            self._date_styles[style] = found
        return found

    def _add_cell(
        self,
        out: list[bytes],
        column: int,
        row: bytes,
        value: CellValue,
        style: int | None,
        existing: bool,
    ) -> bool:
        """Append the pieces of one written cell to `out`; False (nothing appended) when
        clearing a cell that does not exist."""
        if value is None and not existing:
            return False
        around = self._around(column, value, style)
        out += (around[0], row, around[1])
        return True

    def _around(self, column: int, value: CellValue, style: int | None) -> tuple[bytes, bytes]:
        """`_cell_around`, made once for each cell that recurs."""
        key = (column, style, value)
        around = self._cells.get(key)
        if around is None:
            around = self._cell_around(column, value, style)
            if len(self._cells) < _CACHED_CELLS:  # statuses, steps and dates recur on every row
                self._cells[key] = around
        return around

    def _cell_around(self, column: int, value: CellValue, style: int | None) -> tuple[bytes, bytes]:
        """A cell's XML before and after its row number (`<c r="AB` and `" s="3">...</c>`)."""
        p = self.prefix
        start = b'<%sc r="%s' % (p, column_letters(column).encode())
        if value is None:
            return start, b'"%s/>' % self._style_attr(style)
        if isinstance(value, date):
            serial = excel_serial(value, self.date1904)
            if serial is not None and self.styles.usable:
                style_attr = self._style_attr(self._date_style(style))
                return start, b'"%s><%sv>%d</%sv></%sc>' % (style_attr, p, serial, p, p)
            # No date system or no styles part to format it: ISO text still reads as a date.
            value = value.isoformat()
        return start, b"".join(
            (
                b'"',
                self._style_attr(style),
                b' t="inlineStr"><%sis><%st xml:space="preserve">' % (p, p),
                _escape_text(value),
                b"</%st></%sis></%sc>" % (p, p, p),
            )
        )

    def _new_row(self, number: int, cells: dict[int, CellValue]) -> bytes:
        row = b"%d" % number
        body: list[bytes] = []
        for column in sorted(cells):
            style = self._new_style(number, column, cells[column], None)
            self._add_cell(body, column, row, cells[column], style, False)
        if not body:
            return b""
        return b"".join((b'<%srow r="%s">' % (self.prefix, row), *body, self.row_closing))

    def _cell_end(self, xml: bytes, opening: re.Match[bytes], inner_end: int) -> int:
        """Where the cell whose start tag `opening` matched ends (self-closing or not)."""
        if opening[2]:
            return opening.end()
        end = xml.find(self.cell_closing, opening.end(), inner_end)
        if end < 0:
            raise ParseError("unclosed <c>")
        return end + len(self.cell_closing)

    def _last_cell(self, inner_start: int, inner_end: int) -> tuple[int, int] | None:
        """(end, column) of the row's last cell; column 0 when its `r` is unreadable.

        Runs once per edited row, so it finds the start tag's end with `find` rather than
        the cell regex: `[^>]*?` stops at the same first ">".
        """
        xml = self.xml
        tag_length = len(self.cell_tag)
        last = xml.rfind(self.cell_tag, inner_start, inner_end)
        # "<c" also begins "<color" in rich text: only "<c" then a space, "/" or ">" is a cell.
        while last >= 0 and xml[last + tag_length : last + tag_length + 1] not in _TAG_ENDS:
            last = xml.rfind(self.cell_tag, inner_start, last)
        if last < 0:
            return None
        tag_end = xml.find(b">", last, inner_end)
        if tag_end < 0:
            raise ParseError("unreadable <c>")
        if xml[tag_end - 1] == 0x2F:  # "/>": a cell without a value
            end = tag_end + 1
        else:
            end = xml.find(self.cell_closing, tag_end, inner_end)
            if end < 0:
                raise ParseError("unclosed <c>")
            end += len(self.cell_closing)
        ref = _R_ATTRIBUTE.search(xml, last + tag_length, tag_end)
        if ref is None or not ref[1]:
            return end, 0
        letters = ref[1]
        column = self._columns.get(letters)
        if column is None:
            column = self._columns[letters] = column_number(letters)
        return end, column

    def _edited_row(
        self, source: _Row, cells: dict[int, CellValue]
    ) -> tuple[int, list[bytes | memoryview], int]:
        """(start, pieces, resume): the original is copied up to `start`, then the pieces
        replace it up to `resume`. No pieces when the row stays as it is."""
        number, self_closing = source.number, source.self_closing
        inner_start, row_end = source.inner_start, source.end
        columns = sorted(cells)
        last = source.last_cell
        if last is _NOT_LOOKED:
            last = self._last_cell(inner_start, source.inner_end)
        if last is not None and not (0 < last[1] < columns[0]):
            return self._rebuilt_row(source, cells, columns)
        # Every edit lies right of the row's last cell: the existing cells stay as they are,
        # unparsed, and the new ones go right after the last of them. This runs on every row
        # of a daily write-back. Below the header a new cell's style follows from its column,
        # its row's style and its value alone, so its bytes are looked up by those, before
        # any style is worked out.
        row = b"%d" % number
        row_attrs = source.attrs
        row_style = self._row_style(row_attrs)
        below_header = number > self.layout.header_row
        known = self._new_cells
        added: list[bytes] = []
        added_columns = []
        for column in columns:
            value = cells[column]
            if value is None:
                continue  # clearing a cell that is not there: nothing to write
            key = (column, row_style, value)
            around = known.get(key) if below_header else None
            if around is None:
                style = self._new_style(number, column, value, row_style)
                around = self._around(column, value, style)
                if below_header and len(known) < _CACHED_CELLS:
                    known[key] = around
            added += (around[0], row, around[1])
            added_columns.append(column)
        if not added:
            return source.start, [], row_end
        self.changed = True
        p = self.prefix
        insert_at = inner_start if last is None else last[0]
        attrs = self._widened_spans(row_attrs, added_columns)
        new_cells = b"".join(added)
        if self_closing:
            return source.start, [b"<%srow%s>" % (p, attrs), new_cells, self.row_closing], row_end
        if attrs == row_attrs:
            return insert_at, [new_cells], insert_at
        pieces: list[bytes | memoryview] = [
            b"<%srow%s>" % (p, attrs),
            self.view[inner_start:insert_at],
            new_cells,
        ]
        return source.start, pieces, insert_at

    def _scan_start(
        self, row: bytes, inner_start: int, inner_end: int, first: int
    ) -> tuple[int, int]:
        """Where to start parsing cells, and the column of the cell before that point.

        Cells are in ascending column order, so parsing may start at the first edited
        column's cell when it can be found directly.
        """
        xml = self.xml
        found = xml.find(b' r="' + self._ref(first, row) + b'"', inner_start, inner_end)
        if found >= 0:
            start = xml.rfind(b"<", inner_start, found)
            match = self.cell_opening.match(xml, start, inner_end) if start >= 0 else None
            if match is not None and match.end() > found:
                return start, first - 1
        return inner_start, 0

    def _ref(self, column: int, row: bytes) -> bytes:
        return column_letters(column).encode() + row

    def _rebuilt_row(
        self, source: _Row, cells: dict[int, CellValue], columns: list[int]
    ) -> tuple[int, list[bytes | memoryview], int]:
        """The row with its cells walked one by one, for edits that replace or fall between
        existing cells (as `_edited_row` returns it)."""
        xml = self.xml
        row = b"%d" % source.number
        self_closing = source.self_closing
        inner_start, inner_end, row_end = source.inner_start, source.inner_end, source.end
        position, previous_column = self._scan_start(row, inner_start, inner_end, columns[0])
        existing: list[tuple[int, int, int, int | None]] = []  # column, start, end, style
        cell_opening = self.cell_opening
        while (match := cell_opening.search(xml, position, inner_end)) is not None:
            attrs = match[1]
            if attrs.startswith(b' r="'):  # how nearly every producer writes it
                letters = attrs[4 : attrs.index(b'"', 4)].rstrip(b"0123456789")
                column = column_number(letters) if letters else previous_column + 1
            else:
                ref = _R_ATTRIBUTE.search(attrs)
                column = column_number(ref[1]) if ref and ref[1] else previous_column + 1
            style = None
            if b"s=" in attrs:
                style_match = _S_ATTRIBUTE.search(attrs)
                style = int(style_match[1]) if style_match else None
            end = self._cell_end(xml, match, inner_end)
            existing.append((column, match.start(), end, style))
            previous_column = column
            position = end
        row_style = self._row_style(source.attrs)
        pieces: list[bytes] = []
        cursor = inner_start
        index = 0
        added_columns: list[int] = []
        for column in columns:
            value = cells[column]
            while index < len(existing) and existing[index][0] < column:
                index += 1
            if index < len(existing) and existing[index][0] == column:
                _, start, end, style = existing[index]
                pieces.append(xml[cursor:start])
                self._add_cell(pieces, column, row, value, style, True)
                cursor = end
                index += 1
                continue
            style = self._new_style(source.number, column, value, row_style)
            cell: list[bytes] = []
            if not self._add_cell(cell, column, row, value, style, False):
                continue
            if index < len(existing):
                insert_at = existing[index][1]
            else:
                insert_at = max(cursor, existing[-1][2] if existing else inner_start)
            pieces.append(xml[cursor:insert_at])
            pieces += cell
            cursor = insert_at
            added_columns.append(column)
        if self_closing and not added_columns:
            return source.start, [], row_end
        pieces.append(xml[cursor:inner_end])
        attrs = self._widened_spans(source.attrs, added_columns)
        rebuilt = b"<%srow%s>%s</%srow>" % (self.prefix, attrs, b"".join(pieces), self.prefix)
        if rebuilt == xml[source.start : row_end]:
            return source.start, [], row_end
        self.changed = True
        return source.start, [rebuilt], row_end

    @staticmethod
    def _widened_spans(attrs: bytes, added_columns: list[int]) -> bytes:
        """Row `spans` is a hint of the row's columns: widen it to the cells added, or drop it."""
        if not added_columns or b"spans" not in attrs:
            return attrs
        spans = _SPANS_ATTRIBUTE.search(attrs)
        if spans is None:
            return attrs
        low_text, _, high_text = spans[1].partition(b":")
        if (  # the usual single range, checked quickly
            low_text.isdigit()
            and high_text.isdigit()
            and int(low_text) <= added_columns[0]
            and added_columns[-1] <= int(high_text)
        ):
            return attrs
        bounds = [part.split(b":") for part in spans[1].split()]
        if not bounds or any(
            len(b) != 2 or not (b[0].isdigit() and b[1].isdigit()) for b in bounds
        ):
            return _remove_attribute(attrs, b"spans")
        low = min(int(b[0]) for b in bounds)
        high = max(int(b[1]) for b in bounds)
        if low <= added_columns[0] and added_columns[-1] <= high and len(bounds) == 1:
            return attrs
        low, high = min(low, added_columns[0]), max(high, added_columns[-1])
        return attrs[: spans.start(1)] + b"%d:%d" % (low, high) + attrs[spans.end(1) :]


def _written_area(edits: dict[int, dict[int, CellValue]]) -> _Area | None:
    """The area covering every cell the edits give a value."""
    rows: list[int] = []
    columns: set[int] = set()
    for row, cells in edits.items():
        if None in cells.values():  # clears a cell: only the others are written
            written = [column for column, value in cells.items() if value is not None]
            if not written:
                continue
            columns.update(written)
        else:  # the usual row, every edit a value
            columns.update(cells)
        rows.append(row)
    if not rows:
        return None
    return _Area(min(rows), min(columns), max(rows), max(columns))


# --- Excel Tables ----------------------------------------------------------------------------


def _grown_table(
    xml: bytes, edits: dict[int, dict[int, CellValue]], others: list[_Area]
) -> bytes | None:
    """The table part grown over header cells written just right of it, or None."""
    root = parse_xml(xml)
    if root.get("tableType", "worksheet") != "worksheet" or root.get("headerRowCount", "1") == "0":
        return None
    area = _parse_area(root.get("ref", ""))
    if area is None:
        return None
    columns = [e for e in root.iter() if local_name(e.tag) == "tableColumn"]
    names = {(e.get("name") or "").casefold() for e in columns}
    next_id = (
        max((int(e.get("id", "0")) for e in columns if (e.get("id") or "").isdigit()), default=0)
        + 1
    )
    added: list[bytes] = []
    column = area.last_column + 1
    header_edits = edits.get(area.first_row, {})
    while isinstance(text := header_edits.get(column), str):
        # A table column name must be unique and on one line; a neighbour table stops growth.
        blocked = any(
            o.first_column <= column <= o.last_column
            and not (o.last_row < area.first_row or area.last_row < o.first_row)
            for o in others
        )
        if (
            blocked
            or text.casefold() in names
            or any(ch in text for ch in "\t\r\n")
            or not text.strip()
        ):
            break
        names.add(text.casefold())
        added.append(b'<tableColumn id="%d" name="%s"/>' % (next_id, _escape_attribute(text)))
        next_id += 1
        column += 1
    if not added:
        return None
    new_last = area.last_column + len(added)
    table = _find_element(xml, b"table")
    table_columns = _find_element(xml, b"tableColumns")
    if table is None or table_columns is None or table_columns[3]:
        return None
    prefix = table_columns[1] or b""
    closing = xml.find(b"</" + prefix + b"tableColumns>", table_columns.end())
    if closing < 0:
        return None
    count = str(len(columns) + len(added)).encode()
    new_area = _Area(area.first_row, area.first_column, area.last_row, new_last)
    replacements: list[tuple[int, int, bytes]] = [
        (table.start(2), table.end(2), _with_ref(table[2], lambda _: new_area)),
        (
            table_columns.start(2),
            table_columns.end(2),
            _set_attribute(table_columns[2], b"count", count),
        ),
        (closing, closing, b"".join(added)),
    ]
    auto_filter = _find_element(xml, b"autoFilter", table.end())
    if auto_filter is not None:
        replacements.append(
            (
                auto_filter.start(2),
                auto_filter.end(2),
                _with_ref(
                    auto_filter[2],
                    lambda a: _Area(a.first_row, a.first_column, a.last_row, new_last),
                ),
            )
        )
    return _splice(xml, replacements)


def _with_ref(attrs: bytes, change: Callable[[_Area], _Area]) -> bytes:
    ref = _REF_ATTRIBUTE.search(attrs)
    if ref is None:
        return attrs
    area = _parse_area(ref[2].decode("ascii", "replace"))
    if area is None:
        return attrs
    return attrs[: ref.start(2)] + change(area).ref().encode() + attrs[ref.end(2) :]


def _splice(xml: bytes, replacements: list[tuple[int, int, bytes]]) -> bytes:
    pieces = []
    cursor = 0
    for start, end, new in sorted(replacements, key=lambda r: (r[0], r[1])):
        pieces += [xml[cursor:start], new]
        cursor = end
    pieces.append(xml[cursor:])
    return b"".join(pieces)


# --- putting it together ---------------------------------------------------------------------


def _write_edited(
    package: _Package,
    sheet_name: str,
    edits: dict[int, dict[int, CellValue]],
    out: BinaryIO,
    prepared: PreparedSheet | None = None,
    links: dict[tuple[int, int], str] | None = None,
    layout: SheetLayout | None = None,
) -> bool:
    """Write the edited package into `out`; False when no member's content changed.

    `prepared` was made from this package's bytes for this sheet (`write_edits` checks).
    """
    parts = _locate_sheet(package, sheet_name)
    styles = _Styles(package.read(parts.styles) if parts.styles else None)
    if prepared is not None:
        editor = _SheetEditor(prepared.xml, styles, parts.date1904, prepared.rows, layout)
    else:
        editor = _SheetEditor(package.read(parts.sheet), styles, parts.date1904, None, layout)
    editor.prepare_layout()
    replaced = _grown_tables(package, parts.tables, edits)
    if layout is not None and (layout.hidden_names or editor.filter_growth is not None):
        workbook = package.workbook()
        names = [name for name, _ in workbook.sheets]
        index = names.index(sheet_name) if sheet_name in names else -1
        if index < 0:  # found ignoring case, as _locate_sheet does
            index = [name.casefold() for name in names].index(sheet_name.casefold())
        growth = editor.filter_growth
        new_workbook = _workbook_with_names(
            package.read(workbook.part),
            index,
            layout.hidden_names,
            (growth[3], growth[4]) if growth else None,
        )
        if new_workbook is not None:
            replaced[workbook.part] = new_workbook
    added = _hyperlinks(package, parts.sheet, editor, edits, links or {}, replaced)
    sheet_chunks: Iterable[bytes] = editor.chunks(edits)
    order = [info.filename for info in package.infos]
    if parts.styles is not None and order.index(parts.styles) < order.index(parts.sheet):
        # styles.xml is written first, and gains the date styles the sheet's cells need.
        sheet_chunks = list(sheet_chunks)

    def replacement(name: str) -> bytes | None:
        if name == parts.styles:
            return styles.new_xml()  # complete: the sheet has been written by now
        return replaced.get(name)

    others_changed = package.write_to(out, parts.sheet, sheet_chunks, replacement, added)
    return others_changed or editor.changed


_DEFINED_NAME = re.compile(
    rb"<(?P<prefix>[\w.-]+:)?definedName(?P<attrs>\s[^>]*?)(?:/>|>(?P<text>[^<]*)</(?:[\w.-]+:)?definedName>)"
)
_FILTER_DATABASE = "_xlnm._FilterDatabase"


def _workbook_with_names(
    xml: bytes,
    sheet_index: int,
    names: Mapping[str, str],
    filter_change: tuple[_Area, _Area] | None,
) -> bytes | None:
    """The workbook part with `names` set as hidden names local to sheet `sheet_index`, and
    the sheet's filter range name moved with its grown AutoFilter; None when unchanged."""
    local = str(sheet_index).encode()
    replacements: list[tuple[int, int, bytes]] = []
    missing = dict(names)
    for match in _DEFINED_NAME.finditer(xml):
        values = _attributes(match["attrs"])
        if values.get(b"localSheetId") != local:
            continue
        name = _unescape(values.get(b"name", b""))
        text = match["text"]
        if name in missing:
            formula = missing.pop(name)
            if text is None or _unescape(text) != formula:
                element = _defined_name(match["prefix"] or b"", name, sheet_index, formula)
                replacements.append((match.start(), match.end(), element))
        elif name == _FILTER_DATABASE and filter_change is not None and text is not None:
            sheet, _, ref = _unescape(text).rpartition("!")
            old, new = filter_change
            if _parse_area(ref.replace("$", "")) == old:
                first, last = (
                    f"${column_letters(c)}${r}"
                    for c, r in ((new.first_column, new.first_row), (new.last_column, new.last_row))
                )
                new_text = f"{sheet}!{first}:{last}" if sheet else f"{first}:{last}"
                start, end = match.start("text"), match.end("text")
                replacements.append((start, end, _escape_text(new_text)))
    if missing:
        closing = _find_element(xml, b"definedNames")
        beside = closing if closing is not None else _find_element(xml, b"sheets")
        prefix = (beside[1] if beside is not None else None) or b""
        elements = b"".join(
            _defined_name(prefix, name, sheet_index, formula) for name, formula in missing.items()
        )
        if closing is not None and not closing[3]:
            end = xml.find(b"</" + prefix + b"definedNames>", closing.end())
            if end < 0:
                raise ParseError("unclosed <definedNames>")
            replacements.append((end, end, elements))
        else:
            # <definedNames> follows <sheets> and the optional <functionGroups> and
            # <externalReferences> (ECMA-376 CT_Workbook).
            after = -1
            for tag in (b"sheets", b"functionGroups", b"externalReferences"):
                found = _find_element(xml, tag)
                if found is None:
                    continue
                if found[3]:
                    after = max(after, found.end())
                    continue
                end_tag = b"</" + (found[1] or b"") + tag + b">"
                close = xml.find(end_tag, found.end())
                if close >= 0:
                    after = max(after, close + len(end_tag))
            if after < 0:
                return None  # no <sheets>: not a workbook this writer can record in
            block = b"<%sdefinedNames>%s</%sdefinedNames>" % (prefix, elements, prefix)
            if closing is not None:  # <definedNames/>
                replacements.append((closing.start(), closing.end(), block))
            else:
                replacements.append((after, after, block))
    if not replacements:
        return None
    return _splice(xml, replacements)


def _defined_name(prefix: bytes, name: str, sheet_index: int, formula: str) -> bytes:
    return b'<%sdefinedName name="%s" localSheetId="%d" hidden="1">%s</%sdefinedName>' % (
        prefix,
        _escape_attribute(name),
        sheet_index,
        _escape_text(formula),
        prefix,
    )


# --- hyperlinks ------------------------------------------------------------------------------
# A hyperlink is a `<hyperlink ref="K5" r:id="rId3"/>` in the sheet's `<hyperlinks>` element
# and an external relationship (`rId3` -> the target) in the sheet's relationships part. The
# element has a fixed place in the schema (ECMA-376 CT_Worksheet): after dataValidations and
# before everything in `_AFTER_HYPERLINKS`; an empty `<hyperlinks/>` is invalid.

_AFTER_HYPERLINKS = (
    b"printOptions",
    b"pageMargins",
    b"pageSetup",
    b"headerFooter",
    b"rowBreaks",
    b"colBreaks",
    b"customProperties",
    b"cellWatches",
    b"ignoredErrors",
    b"smartTags",
    b"drawing",
    b"legacyDrawing",
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
)
_RELATIONSHIPS_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_RELATIONSHIPS_NS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
_PACKAGE_RELATIONSHIPS_NS = b"http://schemas.openxmlformats.org/package/2006/relationships"
_RELS_CONTENT_TYPE = b"application/vnd.openxmlformats-package.relationships+xml"


def _hyperlinks(
    package: _Package,
    sheet: str,
    editor: _SheetEditor,
    edits: dict[int, dict[int, CellValue]],
    links: dict[tuple[int, int], str],
    replaced: dict[str, bytes],
) -> dict[str, bytes]:
    """Plan the hyperlink changes: the sheet's tail splice goes to `editor`, a changed
    relationships part (or [Content_Types].xml) to `replaced`. Returns parts to add.

    A link an edited cell already has to the same target is kept as it is, so the same
    edits written twice give the same bytes.
    """
    xml = editor.xml
    if not links and xml.rfind(b"hyperlink") < 0:
        return {}  # nothing to link, and no link an edit could leave behind
    links = dict(links)
    after = editor.after_sheet_data()
    p = editor.prefix
    relationships = _SheetRelationships(package, sheet)
    existing = _find_element(xml, b"hyperlinks", after)
    kept: list[bytes] = []
    changed = False
    end = after
    if existing is not None:
        end = _element_end(xml, existing, b"hyperlinks")
        for start, stop, attrs in _element_spans(
            xml, existing[1] or b"", b"hyperlink", existing.end(), end
        ):
            values = _attributes(attrs)
            relation_id = next((v for k, v in values.items() if k.endswith(b":id")), None)
            cell = _CELL_REF.fullmatch(values.get(b"ref", b"").decode("ascii", "replace"))
            position = (int(cell[2]), column_number(cell[1].encode())) if cell else None
            if position is None or position[1] not in edits.get(position[0], {}):
                kept.append(xml[start:stop])  # not an edited cell: the user's link stays
                continue
            target = links.get(position)
            if (
                target is not None
                and relation_id is not None
                and (relationships.target(relation_id) == _escape_attribute(target))
            ):
                kept.append(xml[start:stop])  # already links there
                del links[position]
                continue
            changed = True
            if relation_id is not None:
                relationships.remove_hyperlink(relation_id)
    if not links and not changed:
        return {}
    root = xml[: editor.sheet_data.start()]
    strict = b"purl.oclc.org/ooxml/spreadsheetml" in root
    namespace = _STRICT_RELATIONSHIPS_NS if strict else _RELATIONSHIPS_NS
    declared = re.search(rb"""xmlns:r\s*=\s*["']""" + re.escape(namespace) + rb"""["']""", root)
    local = b"" if declared else b' xmlns:r="%s"' % namespace
    for row, column in sorted(links):
        relation_id = relationships.add_hyperlink(namespace, links[(row, column)])
        ref = (column_letters(column) + str(row)).encode()
        kept.append(b'<%shyperlink ref="%s"%s r:id="%s"/>' % (p, ref, local, relation_id))
    element = b"<%shyperlinks>%s</%shyperlinks>" % (p, b"".join(kept), p) if kept else b""
    if existing is not None:
        editor.tail_splices.append((existing.start(), end, element))
    else:
        place = _hyperlinks_place(xml, p, after)
        editor.tail_splices.append((place, place, element))
    return relationships.finish(package, replaced)


def _element_end(xml: bytes, opening: re.Match[bytes], name: bytes) -> int:
    """Where the `name` element opened by `opening` (a `_find_element` match) ends."""
    if opening[3]:
        return opening.end()
    closing = b"</%s%s>" % (opening[1] or b"", name)
    end = xml.find(closing, opening.end())
    if end < 0:
        raise ParseError(f"unclosed <{name.decode()}>")
    return end + len(closing)


def _hyperlinks_place(xml: bytes, prefix: bytes, after: int) -> int:
    """Where a new `<hyperlinks>` goes: before the first element the schema puts after it."""
    starts = []
    for name in _AFTER_HYPERLINKS:
        found = re.compile(b"<" + re.escape(prefix + name) + rb"(?=[\s/>])").search(xml, after)
        if found is not None:
            starts.append(found.start())
    if starts:
        return min(starts)
    closing = xml.rfind(b"</%sworksheet>" % prefix)
    if closing < after:
        raise ParseError("unclosed <worksheet>")
    return closing


_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*?/>")


class _SheetRelationships:
    """The sheet's relationships part (`_rels/sheetN.xml.rels`), edited by splicing."""

    def __init__(self, package: _Package, sheet: str) -> None:
        folder, file_name = posixpath.split(sheet)
        self.name = posixpath.join(folder, "_rels", file_name + ".rels")
        self.part = package.find(self.name)
        self.original = package.read(self.part) if self.part is not None else None
        # id -> (start, end, attributes) of each relationship, found once: a sheet with a
        # thousand links asks about each of them
        self.entries: dict[bytes, tuple[int, int, dict[bytes, bytes]]] = {}
        for found in _RELATIONSHIP.finditer(self.original or b""):
            attributes = _attributes(found[0])
            self.entries.setdefault(attributes.get(b"Id", b""), (*found.span(), attributes))
        self.removed: list[tuple[int, int]] = []
        self.added: list[bytes] = []
        self._used: set[bytes] | None = None  # the ids taken, once a link is added
        self._next = 1

    def target(self, relation_id: bytes) -> bytes | None:
        entry = self.entries.get(relation_id)
        return entry[2].get(b"Target") if entry else None

    def remove_hyperlink(self, relation_id: bytes) -> None:
        entry = self.entries.get(relation_id)
        if entry is not None and entry[2].get(b"Type", b"").endswith(b"/hyperlink"):
            del self.entries[relation_id]
            self.removed.append(entry[:2])

    def add_hyperlink(self, namespace: bytes, target: str) -> bytes:
        """A new external hyperlink relationship to `target`; returns its id."""
        if self._used is None:
            self._used = set(self.entries)
        while b"rId%d" % self._next in self._used:
            self._next += 1
        relation_id = b"rId%d" % self._next
        self._used.add(relation_id)
        self.added.append(
            b'<Relationship Id="%s" Type="%s/hyperlink" Target="%s" TargetMode="External"/>'
            % (relation_id, namespace, _escape_attribute(target))
        )
        return relation_id

    def finish(self, package: _Package, replaced: dict[str, bytes]) -> dict[str, bytes]:
        """Put the changed part in `replaced`; a part the sheet did not have is returned, to
        be added (with the rels content type, should the package lack it)."""
        added = b"".join(self.added)
        if self.part is None:
            if not added:
                return {}
            _ensure_rels_content_type(package, replaced)
            return {
                self.name: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                b'<Relationships xmlns="%s">%s</Relationships>' % (_PACKAGE_RELATIONSHIPS_NS, added)
            }
        assert self.original is not None
        new = _splice(self.original, [(start, end, b"") for start, end in self.removed])
        if added:
            closing = re.search(rb"</(?:[\w.-]+:)?Relationships\s*>", new)
            if closing is not None:
                new = new[: closing.start()] + added + new[closing.start() :]
            else:  # <Relationships .../>: no relationships yet
                empty = re.search(rb"<((?:[\w.-]+:)?)(Relationships\b[^>]*?)\s*/>", new)
                if empty is None:
                    raise ParseError(f"{self.part} has no <Relationships>")
                new = (
                    new[: empty.start()]
                    + b"<%s%s>%s</%sRelationships>" % (empty[1], empty[2], added, empty[1])
                    + new[empty.end() :]
                )
        if new != self.original:
            replaced[self.part] = new
        return {}


def _ensure_rels_content_type(package: _Package, replaced: dict[str, bytes]) -> None:
    """A new .rels part needs the rels content type; every real package declares it already."""
    name = package.find("[Content_Types].xml")
    if name is None:
        raise ParseError("the package has no [Content_Types].xml")
    types = replaced.get(name, package.read(name))
    if re.search(rb"""Extension\s*=\s*["']rels["']""", types, re.IGNORECASE):
        return
    opening = re.search(rb"<(?:[\w.-]+:)?Types\b[^>]*>", types)
    if opening is None:
        raise ParseError("[Content_Types].xml has no <Types>")
    default = b'<Default Extension="rels" ContentType="%s"/>' % _RELS_CONTENT_TYPE
    replaced[name] = types[: opening.end()] + default + types[opening.end() :]


def _grown_tables(
    package: _Package, tables: tuple[str, ...], edits: dict[int, dict[int, CellValue]]
) -> dict[str, bytes]:
    """The new bytes of each Excel Table part the edits grow."""
    replaced: dict[str, bytes] = {}
    areas: dict[str, _Area] = {}
    for table in tables:
        area = _parse_area(package.xml(table).get("ref", ""))
        if area is not None:
            areas[table] = area
    for table in tables:
        others = [area for name, area in areas.items() if name != table]
        grown = _grown_table(package.read(table), edits, others)
        if grown is not None:
            replaced[table] = grown
            new_area = _parse_area(parse_xml(grown).get("ref", ""))
            if new_area is not None:
                areas[table] = new_area
    return replaced
