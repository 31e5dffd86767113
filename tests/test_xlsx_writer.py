"""The writer changes the given cells of one worksheet and not one other byte of the package."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError

import pytest
from corpus_helpers import CORPUS, corpus_params, require_corpus
from hypothesis import given, settings
from hypothesis import strategies as st
from workbook_helpers import (
    DEFAULT_STYLES,
    MAIN_NS,
    OWNED_HEADERS,
    REL_NS,
    as_date,
    calamine_values,
    first_worksheet,
    make_package,
    make_rich_tracker,
    member_layout,
    openpyxl_values,
    parts_of,
    sheet_xml,
    tiny_png,
)

from batch.model import FileProblem
from batch.tracker_format import LinkedText
from batch.xlsx_writer import (
    CellEdit,
    column_letters,
    excel_serial,
    prepare_sheet,
    write_edits,
)

DUE = date(2026, 11, 20)


def write(data: bytes, edits: list[CellEdit], sheet: str = "Tracker") -> bytes:
    out = io.BytesIO()
    write_edits(io.BytesIO(data), out, sheet, edits)
    return out.getvalue()


def sheet_data_of(data: bytes) -> bytes:
    sheet = parts_of(data)["xl/worksheets/sheet1.xml"]
    match = re.search(rb"<(?:\w+:)?sheetData(?:/>|>.*</(?:\w+:)?sheetData>)", sheet, re.DOTALL)
    assert match is not None
    return match[0]


def owned_edits(top: int, right: int) -> list[CellEdit]:
    """Six owned-like columns right of `right`: headers, then text, a date, an empty value."""
    texts = ["Due", '=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "  two\nlines & <b>  "]
    edits = []
    for offset, header in enumerate(OWNED_HEADERS):
        column = right + 1 + offset
        edits += [
            CellEdit(top, column, header),
            CellEdit(top + 1, column, texts[offset]),
            CellEdit(top + 2, column, DUE),
            CellEdit(top + 3, column, None),
        ]
    return edits


# --- the sheet XML, case by case -------------------------------------------------------------

T = '<is><t xml:space="preserve">{}</t></is>'


def inline(ref: str, text: str, style: str = "") -> str:
    return f'<c r="{ref}"{style} t="inlineStr">' + T.format(text) + "</c>"


SPLICE_CASES = [
    pytest.param(
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="4"><c r="A4"><v>4</v></c></row>'
        "</sheetData>",
        [CellEdit(3, 2, "x"), CellEdit(6, 1, "y"), CellEdit(2, 1, None), CellEdit(4, 3, "z")],
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="3">'
        + inline("B3", "x")
        + '</row><row r="4"><c r="A4"><v>4</v></c>'
        + inline("C4", "z")
        + '</row><row r="6">'
        + inline("A6", "y")
        + "</row></sheetData>",
        id="missing-rows-inserted-in-order",
    ),
    pytest.param(
        "<sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row></sheetData>",
        [CellEdit(1, 2, "b"), CellEdit(1, 4, "d"), CellEdit(2, 2, "e"), CellEdit(3, 1, "f")],
        "<sheetData><row><c><v>1</v></c>"
        + inline("B1", "b")
        + inline("D1", "d")
        + "</row><row><c><v>3</v></c>"
        + inline("B2", "e")
        + '</row><row r="3">'
        + inline("A3", "f")
        + "</row></sheetData>",
        id="rows-and-cells-without-r",
    ),
    pytest.param(
        '<sheetData><row r="2" spans="1:2"/>'
        '<row r="3" spans="1:2"><c r="A3" s="1"/></row></sheetData>',
        [CellEdit(2, 3, "x"), CellEdit(3, 1, "y"), CellEdit(2, 9, None)],
        '<sheetData><row r="2" spans="1:3">'
        + inline("C2", "x")
        + '</row><row r="3" spans="1:2">'
        + inline("A3", "y", ' s="1"')
        + "</row></sheetData>",
        id="self-closing-row-and-cell",
    ),
    pytest.param(
        "<sheetData/>",
        [CellEdit(2, 2, "x"), CellEdit(1, 1, None)],
        '<sheetData><row r="2">' + inline("B2", "x") + "</row></sheetData>",
        id="empty-sheetData",
    ),
    pytest.param(
        "<sheetData/>",
        [CellEdit(1, 1, None)],
        "<sheetData/>",
        id="clearing-nothing-adds-nothing",
    ),
    pytest.param(
        '<sheetData><row r="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1"><v>5</v></c>'
        '<c r="C1"><f>1+1</f><v>2</v></c></row></sheetData>',
        [CellEdit(1, 1, "kept style"), CellEdit(1, 2, None), CellEdit(1, 3, "=1+1")],
        '<sheetData><row r="1">'
        + inline("A1", "kept style", ' s="1"')
        + '<c r="B1" s="1"/>'
        + inline("C1", "=1+1")
        + "</row></sheetData>",
        id="replace-keeps-style-clear-keeps-style-formula-becomes-text",
    ),
    pytest.param(
        '<sheetData><row r="1" spans="2:3"><c r="B1"><v>1</v></c><c r="D1"><v>2</v></c></row>'
        "</sheetData>",
        [CellEdit(1, 1, "a"), CellEdit(1, 3, "c"), CellEdit(1, 5, "e")],
        '<sheetData><row r="1" spans="1:5">'
        + inline("A1", "a")
        + '<c r="B1"><v>1</v></c>'
        + inline("C1", "c")
        + '<c r="D1"><v>2</v></c>'
        + inline("E1", "e")
        + "</row></sheetData>",
        id="cells-inserted-in-column-order-spans-widened",
    ),
    pytest.param(
        '<sheetData><row r="1" spans="1:2 5:6"><c r="A1"><v>1</v></c></row></sheetData>',
        [CellEdit(1, 9, "i")],
        '<sheetData><row r="1" spans="1:9"><c r="A1"><v>1</v></c>'
        + inline("I1", "i")
        + "</row></sheetData>",
        id="multi-range-spans-widened",
    ),
    pytest.param(
        '<sheetData><row r="1" spans="x"><c r="A1"><v>1</v></c></row></sheetData>',
        [CellEdit(1, 2, "b")],
        '<sheetData><row r="1"><c r="A1"><v>1</v></c>' + inline("B1", "b") + "</row></sheetData>",
        id="unreadable-spans-dropped",
    ),
    pytest.param(
        "<sheetData><row r='1' s='1' customFormat='1'><c r='A1'><v>1</v></c></row></sheetData>",
        [CellEdit(1, 2, "b")],
        "<sheetData><row r='1' s='1' customFormat='1'><c r='A1'><v>1</v></c>"
        + inline("B1", "b", ' s="1"')
        + "</row></sheetData>",
        id="new-cell-takes-formatted-row-style",
    ),
    pytest.param(
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><rPr><color rgb="FF0000"/></rPr>'
        "<t>rich</t></r></is></c></row></sheetData>",
        [CellEdit(1, 2, "b")],
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><rPr><color rgb="FF0000"/></rPr>'
        "<t>rich</t></r></is></c>" + inline("B1", "b") + "</row></sheetData>",
        id="rich-text-neighbour-untouched",
    ),
    pytest.param(
        '<sheetData><row r="1"><c r="A1"><v>1</v></c><extLst><ext uri="{X}"/></extLst></row>'
        "</sheetData>",
        [CellEdit(1, 3, "c")],
        '<sheetData><row r="1"><c r="A1"><v>1</v></c>'
        + inline("C1", "c")
        + '<extLst><ext uri="{X}"/></extLst></row></sheetData>',
        id="appended-after-the-last-cell-not-after-the-row-extLst",
    ),
    pytest.param(
        '<sheetData>\n <row r="1">\n  <c r="A1"><v>1</v></c>\n  <c r="B1"/>\n </row>\n</sheetData>',
        [CellEdit(1, 4, "d"), CellEdit(1, 3, None)],
        '<sheetData>\n <row r="1">\n  <c r="A1"><v>1</v></c>\n  <c r="B1"/>'
        + inline("D1", "d")
        + "\n </row>\n</sheetData>",
        id="pretty-printed-row-appended-after-its-last-cell",
    ),
    pytest.param(
        '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1"><v>3</v></c></row></sheetData>',
        [CellEdit(1, 2, "b"), CellEdit(1, 4, "d")],
        '<sheetData><row r="1"><c r="A1"><v>1</v></c>'
        + inline("B1", "b")
        + '<c r="C1"><v>3</v></c>'
        + inline("D1", "d")
        + "</row></sheetData>",
        id="edits-between-and-after-existing-cells",
    ),
    pytest.param(
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"/></sheetData>',
        [CellEdit(1, 3, None), CellEdit(2, 2, None)],
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"/></sheetData>',
        id="clearing-cells-that-do-not-exist-changes-no-row",
    ),
]


@pytest.mark.parametrize(("before", "edits", "after"), SPLICE_CASES)
def test_cells_are_spliced_into_the_sheet(before: str, edits: list[CellEdit], after: str) -> None:
    result = write(make_package(sheet_xml(before)), edits)
    assert sheet_data_of(result).decode() == after
    assert "<f>" not in after or "<f>" in before


def test_new_cell_takes_the_column_style() -> None:
    sheet = sheet_xml(
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>',
        before='<cols><col min="2" max="3" width="20" style="1" customWidth="1"/></cols>',
    )
    assert (
        inline("C1", "c", ' s="1"')
        in sheet_data_of(write(make_package(sheet), [CellEdit(1, 3, "c")])).decode()
    )


def test_prefixed_namespace_is_kept() -> None:
    sheet = sheet_xml(
        '<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData>',
        prefix="x:",
    )
    result = write(make_package(sheet), [CellEdit(1, 2, "b"), CellEdit(2, 1, DUE)])
    data = sheet_data_of(result).decode()
    assert '<x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve">b</x:t></x:is></x:c>' in data
    assert '<x:row r="2"><x:c r="A2" s="3"><x:v>46346</x:v></x:c></x:row>' in data
    values = openpyxl_values(result, "Tracker")
    assert values[(1, 2)] == "b" and as_date(values[(2, 1)]) == DUE


def test_text_is_escaped_and_cleaned_and_never_a_formula() -> None:
    text = "=1+2 & <b>\x01\x0b\tTab\r\nCRLF _x0041_ \U0001f600 "
    result = write(make_package(sheet_xml("<sheetData/>")), [CellEdit(1, 1, text)])
    assert b"<f>" not in parts_of(result)["xl/worksheets/sheet1.xml"]
    expected = "=1+2 & <b>\tTab\r\nCRLF _x0041_ \U0001f600 "
    # Excel (and calamine) read "_x0041_" as "A" unless its underscore is escaped as _x005F_;
    # openpyxl shows inline strings without undoing that escape.
    assert calamine_values(result, "Tracker")[(1, 1)] == expected
    assert openpyxl_values(result, "Tracker")[(1, 1)] == expected.replace(
        "_x0041_", "_x005F_x0041_"
    )


def test_everything_outside_sheetData_is_kept_except_a_grown_dimension() -> None:
    before = (
        '<sheetPr><tabColor rgb="FF00FF00"/></sheetPr><dimension ref="A1:B2"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    )
    after = '<mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells>'
    sheet = sheet_xml(
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', before=before, after=after
    )
    result = parts_of(write(make_package(sheet), [CellEdit(5, 4, "d"), CellEdit(9, 9, None)]))
    new_sheet = result["xl/worksheets/sheet1.xml"]
    assert b'<dimension ref="A1:D5"/>' in new_sheet
    assert strip_sheet_data(new_sheet) == strip_sheet_data(sheet).replace(b"A1:B2", b"A1:D5")


def strip_sheet_data(sheet: bytes) -> bytes:
    return re.sub(
        rb"<(?:\w+:)?sheetData(?:/>|>.*</(?:\w+:)?sheetData>)", b"", sheet, flags=re.DOTALL
    )


def outside_cells(sheet: bytes) -> bytes:
    """The sheet without its cells and its dimension's value: what must never change."""
    return re.sub(rb'(<(?:\w+:)?dimension ref=")[^"]*', rb"\1", strip_sheet_data(sheet))


# --- dates and the date style ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "date1904", "serial"),
    [
        (date(1900, 1, 1), False, 1),
        (date(1900, 2, 28), False, 59),
        (date(1900, 3, 1), False, 61),
        (date(2026, 11, 20), False, 46346),
        (date(1904, 1, 1), True, 0),
        (date(2026, 11, 20), True, 44884),
        (date(1899, 12, 31), False, None),
        (date(1903, 12, 31), True, None),
    ],
)
def test_excel_serial(day: date, date1904: bool, serial: int | None) -> None:
    assert excel_serial(day, date1904) == serial


@pytest.mark.parametrize("date1904", [False, True])
def test_dates_read_back_as_the_same_calendar_day(date1904: bool) -> None:
    days = [
        date(1900, 3, 1) if not date1904 else date(1904, 1, 2),
        date(2026, 11, 20),
        date(2031, 2, 28),
    ]
    edits = [CellEdit(row, 1, day) for row, day in enumerate(days, start=1)]
    edits.append(CellEdit(4, 1, datetime(2026, 11, 21, 15, 30)))
    result = write(make_package(sheet_xml("<sheetData/>"), date1904=date1904), edits)
    expected = [*days, date(2026, 11, 21)]
    opened = openpyxl_values(result, "Tracker")
    read = calamine_values(result, "Tracker")
    assert [as_date(opened[(row, 1)]) for row in range(1, 5)] == expected
    assert [as_date(read[(row, 1)]) for row in range(1, 5)] == expected


def cell_xfs(styles: bytes) -> list[bytes]:
    match = re.search(rb"<cellXfs[^>]*>(.*)</cellXfs>", styles, re.DOTALL)
    assert match is not None
    return re.findall(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", match[1], re.DOTALL)


def test_date_style_appended_once_from_the_cell_style_and_styles_otherwise_untouched() -> None:
    sheet = sheet_xml(
        '<sheetData><row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="2"/></row></sheetData>'
    )
    edits = [CellEdit(1, 1, DUE), CellEdit(1, 2, DUE), CellEdit(2, 1, DUE), CellEdit(3, 1, DUE)]
    result = parts_of(write(make_package(sheet), edits))
    styles = result["xl/styles.xml"]
    xfs = cell_xfs(styles)
    assert xfs[:3] == cell_xfs(DEFAULT_STYLES)
    # A1 kept its bold font; B1 (a number format, not a date) and the new cells got a plain date.
    assert xfs[3:] == [
        b'<xf numFmtId="14" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
        b'applyNumberFormat="1"/>',
        b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    ]
    assert b'<cellXfs count="5">' in styles
    restored = styles.replace(b"".join(xfs[3:]), b"").replace(
        b'cellXfs count="5"', b'cellXfs count="3"'
    )
    assert restored == DEFAULT_STYLES
    data = sheet_data_of(make_package(sheet, styles=styles)).decode()
    assert data  # the package with the new styles is still a package
    sheet_out = result["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="A1" s="3"><v>46346</v></c>' in sheet_out
    assert '<c r="B1" s="4"><v>46346</v></c>' in sheet_out
    assert '<c r="A2" s="4"><v>46346</v></c>' in sheet_out


def test_styles_stored_before_the_sheet_still_gain_the_date_style() -> None:
    parts = parts_of(make_package(sheet_xml("<sheetData/>")))
    ordered = {"xl/styles.xml": parts.pop("xl/styles.xml"), **parts}
    data = rezip(ordered)
    result = write(data, [CellEdit(1, 1, DUE)])
    assert [name for name, _, _ in member_layout(result)] == list(ordered)
    new = parts_of(result)
    assert len(cell_xfs(new["xl/styles.xml"])) == len(cell_xfs(DEFAULT_STYLES)) + 1
    assert b'<c r="A1" s="3"><v>46346</v></c>' in new["xl/worksheets/sheet1.xml"]


def test_a_sheet_bigger_than_a_chunk_is_written_whole() -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 40_001))
    data = make_package(
        sheet_xml(f"<sheetData>{rows}</sheetData>", before='<dimension ref="A1:A40000"/>')
    )
    edits = [CellEdit(r, 2, f"row {r}") for r in range(1, 40_001, 2)]
    result = parts_of(write(data, edits))["xl/worksheets/sheet1.xml"]
    expected = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>'
        + (inline(f"B{r}", f"row {r}") if r % 2 else "")
        + "</row>"
        for r in range(1, 40_001)
    )
    assert result == sheet_xml(
        f"<sheetData>{expected}</sheetData>", before='<dimension ref="A1:B40000"/>'
    )


def test_existing_date_style_is_kept_and_a_matching_one_reused() -> None:
    styles = DEFAULT_STYLES.replace(
        b'applyNumberFormat="1"/></cellXfs>',
        b'applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        b'<xf numFmtId="15" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        b"</cellXfs>",
    ).replace(
        b'<numFmts count="1">',
        b'<numFmts count="2"><numFmt numFmtId="165" formatCode="dd/mm/yyyy"/>',
    )
    sheet = sheet_xml('<sheetData><row r="1"><c r="A1" s="3"><v>1</v></c></row></sheetData>')
    result = parts_of(
        write(make_package(sheet, styles=styles), [CellEdit(1, 1, DUE), CellEdit(1, 2, DUE)])
    )
    assert result["xl/styles.xml"] == styles
    assert (
        '<c r="A1" s="3"><v>46346</v></c><c r="B1" s="3"><v>46346</v></c>'
        in result["xl/worksheets/sheet1.xml"].decode()
    )


def test_without_a_styles_part_a_date_is_written_as_iso_text() -> None:
    result = write(make_package(sheet_xml("<sheetData/>"), styles=None), [CellEdit(1, 1, DUE)])
    assert openpyxl_values(result, "Tracker")[(1, 1)] == "2026-11-20"


# --- idempotence and properties --------------------------------------------------------------


def test_same_edits_give_the_same_bytes_and_a_second_run_changes_nothing() -> None:
    data = make_package(sheet_xml('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'))
    edits = [CellEdit(1, 2, "Due"), CellEdit(2, 2, DUE), CellEdit(3, 3, "x")]
    first = write(data, edits)
    assert write(data, edits) == first
    assert write(first, edits) == first


def test_no_change_copies_the_source_bytes() -> None:
    data = make_package(sheet_xml('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'))
    assert write(data, [CellEdit(4, 4, None)]) == data


FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


cell_values = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)),
)


@st.composite
def grids(draw: st.DrawFn) -> tuple[str, dict[tuple[int, int], int]]:
    """A sheetData with number cells; rows/cells omit `r` where it is implicit, some rows empty."""
    rows = sorted(draw(st.sets(st.integers(1, 8), max_size=6)))
    values: dict[tuple[int, int], int] = {}
    xml = []
    previous_row = 0
    for row in rows:
        row_attr = "" if row == previous_row + 1 and draw(st.booleans()) else f' r="{row}"'
        columns = sorted(draw(st.sets(st.integers(1, 6), max_size=4)))
        if not columns and draw(st.booleans()):
            xml.append(f"<row{row_attr}/>")
        else:
            cells = []
            previous_column = 0
            for column in columns:
                implicit = column == previous_column + 1 and draw(st.booleans())
                ref = "" if implicit else f' r="{column_letters(column)}{row}"'
                values[(row, column)] = row * 10 + column
                cells.append(f"<c{ref}><v>{row * 10 + column}</v></c>")
                previous_column = column
            xml.append(f"<row{row_attr}>{''.join(cells)}</row>")
        previous_row = row
    return "<sheetData>" + "".join(xml) + "</sheetData>", values


# Edits by (row, column), around and beyond the generated grids.
edit_maps = st.dictionaries(
    st.tuples(st.integers(1, 10), st.integers(1, 8)), cell_values, max_size=10
)


@settings(max_examples=60, deadline=None)
@given(grid=grids(), edits=edit_maps)
def test_readers_see_exactly_the_old_cells_overlaid_with_the_edits(
    grid: tuple[str, dict[tuple[int, int], int]], edits: dict[tuple[int, int], Any]
) -> None:
    sheet_data, old = grid
    data = make_package(sheet_xml(sheet_data))
    cell_edits = [CellEdit(row, column, value) for (row, column), value in edits.items()]
    result = write(data, cell_edits)
    expected: dict[tuple[int, int], Any] = dict(old)
    for key, value in edits.items():
        if isinstance(value, str):
            value = normalise(FORBIDDEN.sub("", value)) or None
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
    for reader in (openpyxl_values(result, "Tracker"), calamine_values(result, "Tracker")):
        got = {
            k: normalise(v) if isinstance(v, str) else as_date(v) or v for k, v in reader.items()
        }
        assert got == expected
    assert write(result, cell_edits) == result


@settings(max_examples=60, deadline=None)
@given(grid=grids(), edits=edit_maps)
def test_a_sheet_prepared_ahead_gives_the_same_bytes(
    tmp_path_factory: pytest.TempPathFactory,
    grid: tuple[str, dict[tuple[int, int], int]],
    edits: dict[tuple[int, int], Any],
) -> None:
    path = tmp_path_factory.mktemp("prepared") / "tracker.xlsx"
    path.write_bytes(make_package(sheet_xml(grid[0])))
    cell_edits = [CellEdit(row, column, value) for (row, column), value in edits.items()]
    prepared = prepare_sheet(path, "Tracker")
    out = io.BytesIO()
    write_edits(path, out, "Tracker", cell_edits, prepared=prepared)
    assert out.getvalue() == write(path.read_bytes(), cell_edits)


def test_a_prepared_sheet_is_used_only_for_the_same_bytes_and_sheet(tmp_path: Path) -> None:
    path = tmp_path / "tracker.xlsx"
    first = make_package(
        sheet_xml('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>')
    )
    path.write_bytes(first)
    prepared = prepare_sheet(path, "Tracker")
    edits = [CellEdit(1, 2, "b"), CellEdit(2, 1, "new row")]
    # The file changed after it was prepared: its rows are not the prepared ones.
    changed = make_package(
        sheet_xml(
            '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="C1">'
            "<v>3</v></c></row></sheetData>"
        )
    )
    out = io.BytesIO()
    write_edits(io.BytesIO(changed), out, "Tracker", edits, prepared=prepared)
    assert out.getvalue() == write(changed, edits)
    assert b'<c r="C1"><v>3</v></c>' in sheet_data_of(out.getvalue())
    # Prepared for another sheet name: ignored too.
    other = replace(prepared, sheet_name="Other")
    out = io.BytesIO()
    write_edits(io.BytesIO(first), out, "Tracker", edits, prepared=other)
    assert out.getvalue() == write(first, edits)


def test_preparing_a_damaged_sheet_fails_as_writing_it_does(tmp_path: Path) -> None:
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(make_package(sheet_xml('<sheetData><row r="1"><c r="A1"><v>1</v></c>')))
    with pytest.raises(ParseError):
        prepare_sheet(path, "Tracker")
    with pytest.raises(FileProblem, match="invalid or unsafe XML"):
        write_edits(path, io.BytesIO(), "Tracker", [CellEdit(1, 2, "b")])


# --- broken and hostile packages -------------------------------------------------------------


def encrypted_flag(data: bytes) -> bytes:
    """The package with the 'encrypted' flag set on every member (central directory)."""
    patched = bytearray(data)
    for match in re.finditer(rb"PK\x01\x02", data):
        patched[match.start() + 8] |= 0x01
    return bytes(patched)


def chart_sheet_package() -> bytes:
    data = make_package(sheet_xml("<sheetData/>"))
    parts = parts_of(data)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"/worksheet", b"/chartsheet"
    )
    return rezip(parts)


def rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


def with_part(name: str, content: bytes) -> bytes:
    parts = parts_of(make_package(sheet_xml("<sheetData/>")))
    parts[name] = content
    return rezip(parts)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<workbook xmlns="'
    + MAIN_NS.encode()
    + b'"><sheets><sheet name="&lol2;"/></sheets></workbook>'
)


@pytest.mark.parametrize(
    ("data", "sheet", "message"),
    [
        (b"hello, not a zip", "Tracker", "not a zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Tracker", "encrypted"),
        (encrypted_flag(make_package(sheet_xml("<sheetData/>"))), "Tracker", "encrypted"),
        (make_package(sheet_xml("<sheetData/>")), "Other", "no sheet named 'Other'"),
        (make_package(sheet_xml("<sheetData/>"))[:-60], "Tracker", "zip"),
        (chart_sheet_package(), "Tracker", "chart sheet"),
        (with_part("xl/workbook.xml", BILLION_LAUGHS), "Tracker", "XML"),
        (with_part("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"), "Tracker", ""),
        (with_part("xl/bomb.bin", b"\0" * 40_000_000), "Tracker", "zip bomb"),
    ],
    ids=[
        "not-zip",
        "ole2",
        "encrypted-flag",
        "no-sheet",
        "truncated",
        "chartsheet",
        "entities",
        "bad-xml",
        "bomb",
    ],
)
def test_hostile_or_broken_packages_raise_one_line_file_problems(
    data: bytes, sheet: str, message: str
) -> None:
    with pytest.raises(FileProblem) as raised:
        write(data, [CellEdit(1, 1, "x")], sheet)
    assert message in raised.value.message
    assert "\n" not in str(raised.value)


def test_missing_sheet_part_is_a_file_problem() -> None:
    parts = parts_of(make_package(sheet_xml("<sheetData/>")))
    del parts["xl/worksheets/sheet1.xml"]
    with pytest.raises(FileProblem, match="missing"):
        write(rezip(parts), [CellEdit(1, 1, "x")])


def test_edits_outside_the_grid_are_refused() -> None:
    with pytest.raises(ValueError):
        write(make_package(sheet_xml("<sheetData/>")), [CellEdit(0, 1, "x")])


# --- the corpus of real workbooks -------------------------------------------------------------

CORPUS_FILES = corpus_params("*.xls[xm]")


def check_styles_only_gained_date_xfs(old: bytes, new: bytes) -> None:
    old_xfs, new_xfs = cell_xfs(old), cell_xfs(new)
    assert new_xfs[: len(old_xfs)] == old_xfs
    added = new_xfs[len(old_xfs) :]
    assert added and all(b'numFmtId="14"' in xf and b'applyNumberFormat="1"' in xf for xf in added)
    restored = new
    for xf in added:
        restored = restored.replace(xf, b"", 1)
    count = re.compile(rb'(<(?:\w+:)?cellXfs[^>]*count=")(\d+)')
    match = count.search(new)
    if match and int(match[2]) == len(new_xfs):
        restored = count.sub(lambda m: m[1] + str(len(old_xfs)).encode(), restored, count=1)
    assert restored == old


def check_table_only_grew(old: bytes, new: bytes, headers: list[str]) -> None:
    old_root, new_root = ElementTree.fromstring(old), ElementTree.fromstring(new)
    ns = {"m": MAIN_NS}
    old_names = [c.get("name") for c in old_root.iterfind("m:tableColumns/m:tableColumn", ns)]
    new_names = [c.get("name") for c in new_root.iterfind("m:tableColumns/m:tableColumn", ns)]
    added = new_names[len(old_names) :]
    assert new_names[: len(old_names)] == old_names and added == headers[: len(added)] and added
    restored = new
    for name in added:
        restored = re.sub(
            rb'<tableColumn id="\d+" name="' + re.escape(name.encode()) + rb'"/>', b"", restored
        )
    for old_ref, new_ref in zip(
        re.findall(rb'\sref="([^"]*)"', old), re.findall(rb'\sref="([^"]*)"', new), strict=True
    ):
        restored = restored.replace(b' ref="' + new_ref + b'"', b' ref="' + old_ref + b'"', 1)
    restored = restored.replace(
        b'<tableColumns count="%d"' % len(new_names), b'<tableColumns count="%d"' % len(old_names)
    )
    assert restored == old


def count_formulas(sheet: bytes) -> int:
    return len(re.findall(rb"<(?:\w+:)?f[\s/>]", sheet))


def check_written(
    path_or_data: Path | bytes, result: bytes, sheet: str, edits: list[CellEdit]
) -> None:
    """Only the edited cells changed, every other member is byte-identical (or grew as allowed),
    and openpyxl and calamine read the new values back."""
    original = path_or_data if isinstance(path_or_data, bytes) else path_or_data.read_bytes()
    assert member_layout(result) == member_layout(original)
    old_parts, new_parts = parts_of(original), parts_of(result)
    changed = [name for name in old_parts if old_parts[name] != new_parts[name]]
    worksheets = [n for n in changed if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n, re.IGNORECASE)]
    assert len(worksheets) == 1, changed
    headers = [e.value for e in edits if e.row == edits[0].row and isinstance(e.value, str)]
    for name in changed:
        if name in worksheets:
            assert outside_cells(new_parts[name]) == outside_cells(old_parts[name])
            assert count_formulas(new_parts[name]) == count_formulas(old_parts[name])
        elif name.lower() == "xl/styles.xml":
            check_styles_only_gained_date_xfs(old_parts[name], new_parts[name])
        elif re.fullmatch(r"xl/tables/[^/]+\.xml", name):
            check_table_only_grew(old_parts[name], new_parts[name], [str(h) for h in headers])
        else:
            pytest.fail(f"{name} changed")
    edited = {(e.row, e.column): e.value for e in edits}
    before = openpyxl_values(original, sheet)
    after = openpyxl_values(result, sheet)
    assert {k: v for k, v in after.items() if k not in edited} == {
        k: v for k, v in before.items() if k not in edited
    }
    read = calamine_values(result, sheet)
    for (row, column), value in edited.items():
        for reader in (after, read):
            got = reader.get((row, column))
            if isinstance(value, date):
                assert as_date(got) == value
            else:
                assert got == (value or None)


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_corpus_workbook_keeps_everything_but_the_written_cells(path: Path) -> None:
    require_corpus(path)
    sheet = first_worksheet(path)
    before = openpyxl_values(path, sheet)
    top = min((row for row, _ in before), default=1)
    right = max((column for _, column in before), default=0)
    edits = owned_edits(top, right)
    result = io.BytesIO()
    write_edits(path, result, sheet, edits)
    check_written(path, result.getvalue(), sheet, edits)
    again = io.BytesIO()
    write_edits(io.BytesIO(result.getvalue()), again, sheet, edits)
    assert again.getvalue() == result.getvalue()
    # As a run writes it: with the sheet prepared while the workbook was read.
    prepared = io.BytesIO()
    write_edits(path, prepared, sheet, edits, prepared=prepare_sheet(path, sheet))
    assert prepared.getvalue() == result.getvalue()


def test_corpus_tables_grow_over_owned_headers() -> None:
    path = CORPUS / "poi-ExcelTables.xlsx"
    require_corpus(path)
    result = io.BytesIO()
    write_edits(path, result, "ExcelTable", owned_edits(1, 9))
    table = parts_of(result.getvalue())["xl/tables/table1.xml"]
    assert b'ref="G1:O4"' in table and b'<autoFilter ref="G1:O4"/>' in table
    assert b'<tableColumns count="9">' in table
    assert b'<tableColumn id="4" name="Follow-up Status"/>' in table


# --- a rich tracker written like Excel writes one --------------------------------------------

X14_DROPDOWN = (
    b'<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    b"<x14:formula1><xm:f>Lists!$A$1:$A$4</xm:f></x14:formula1><xm:sqref>D2:D51</xm:sqref>"
    b"</x14:dataValidation></x14:dataValidations></ext>"
)


def rich_tracker(tmp_path: Path) -> Path:
    """XlsxWriter's tracker, with its dropdown moved into an x14 extension as Excel 2010+ stores
    a list that lives on another sheet."""
    image = tmp_path / "logo.png"
    image.write_bytes(tiny_png())
    made = tmp_path / "made.xlsx"
    make_rich_tracker(made, image)
    parts = parts_of(made)
    sheet = parts["xl/worksheets/sheet1.xml"]
    sheet = re.sub(rb"<dataValidations.*?</dataValidations>", b"", sheet, flags=re.DOTALL)
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</extLst>", X14_DROPDOWN + b"</extLst>")
    path = tmp_path / "tracker.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, parts[info.filename], info.compress_type)
    return path


def test_rich_tracker_keeps_every_feature_and_its_table_grows(tmp_path: Path) -> None:
    path = rich_tracker(tmp_path)
    edits = owned_edits(1, 6)
    result = io.BytesIO()
    write_edits(path, result, "Interviews", edits)
    data = result.getvalue()
    check_written(path, data, "Interviews", edits)
    old, new = parts_of(path), parts_of(data)
    for name in (
        "xl/charts/chart1.xml",
        "xl/drawings/drawing1.xml",
        "xl/media/image1.png",
        "xl/comments1.xml",
        "xl/drawings/vmlDrawing1.vml",
        "xl/worksheets/_rels/sheet1.xml.rels",
        "xl/worksheets/sheet2.xml",
        "xl/sharedStrings.xml",
        "[Content_Types].xml",
    ):
        assert new[name] == old[name]
    sheet = new["xl/worksheets/sheet1.xml"]
    for feature in (
        X14_DROPDOWN,
        b"<x14:dataBar ",
        b"<x14:sparklineGroups ",
        b'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>',
        b'<hyperlink ref="F2" r:id="rId1"/>',
        b'mc:Ignorable="x14ac"',
        b'<tableParts count="1">',
    ):
        assert feature in sheet
    table = new["xl/tables/table1.xml"]
    assert b'ref="A1:L4"' in table and b'<tableColumns count="12">' in table
    assert b'<row r="1" spans="1:12" x14ac:dyDescent="0.25">' in sheet
    assert b'<dimension ref="A1:L4"/>' in sheet


# --- speed on a big tracker ------------------------------------------------------------------


@pytest.mark.slow
def test_a_100000_row_tracker_is_written_back_and_a_rewrite_changes_nothing() -> None:
    rows = "".join(
        f'<row r="{r}" spans="1:10">'
        + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>v{r}</t></is></c>' for c in "ABCDEFGHIJ")
        + "</row>"
        for r in range(1, 100_001)
    )
    data = make_package(
        sheet_xml(f"<sheetData>{rows}</sheetData>", before='<dimension ref="A1:J100000"/>')
    )
    edits = [
        CellEdit(r, 11 + i, DUE if i == 2 else f"Reason for row {r}" if i == 3 else "Due")
        for r in range(1, 100_001)
        for i in range(6)
    ]
    # How long this takes, bench/ measures (as ratios); here only the result is checked.
    first = write(data, edits)
    second = write(first, edits)
    assert second == first


# --- LibreOffice opens the result ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("path", CORPUS_FILES[:6])
def test_libreoffice_opens_the_result_and_shows_the_values(path: Path, tmp_path: Path) -> None:
    require_corpus(path)
    sheet = first_worksheet(path)
    before = openpyxl_values(path, sheet)
    top = min((row for row, _ in before), default=1)
    right = max((column for _, column in before), default=0)
    written = tmp_path / ("written" + path.suffix)
    write_edits(path, written, sheet, owned_edits(top, right))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path / "csv"),
            str(written),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    rows = []
    for exported in (tmp_path / "csv").glob("*.csv"):
        with exported.open(encoding="utf-8") as handle:
            rows += list(csv.reader(handle))
    header = next(row for row in rows if "Follow-up Status" in row)
    assert header[right : right + 6] == list(OWNED_HEADERS)
    values = rows[rows.index(header) + 1]
    assert values[right] == "Due" and values[right + 1] == '=HYPERLINK("x")'
    due = rows[rows.index(header) + 2][right + 2]
    assert "20" in due and due != str(excel_serial(DUE, False))


# --- hyperlinks: a LinkedText cell is a real link (a relationship, never a formula) ---------

_LINK = LinkedText(
    "drafts/2026-11-23/sam-acme-check-in.eml", "drafts/2026-11-23/sam-acme-check-in.eml"
)


def _linked_workbook(tmp_path: Path, *, user_links: bool) -> Path:
    """A tracker made by XlsxWriter (it writes like Excel: pageMargins after the data),
    optionally with the user's own links in A2 and in E3, a cell the edits will replace."""
    import xlsxwriter

    path = tmp_path / "linked.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Tracker")
    sheet.write_row(0, 0, ["Company", "Interview Date", "Status", "Notes"])
    sheet.write_row(1, 0, ["Acme", "2026-11-12", "Interviewing"])
    sheet.write_row(2, 0, ["Globex", "2026-11-13", "Interviewing"])
    if user_links:
        sheet.write_url(1, 0, "https://acme.example/careers", string="Acme")
        sheet.write_url(2, 4, "https://globex.example/", string="old link")
    sheet.data_validation(1, 2, 10, 2, {"validate": "list", "source": ["Interviewing", "Offer"]})
    workbook.close()
    return path


def _hyperlink_order(sheet: bytes) -> list[str]:
    """The sheet's top-level elements after sheetData, by local name, in document order."""
    root = ElementTree.fromstring(sheet)
    names = [child.tag.rsplit("}", 1)[-1] for child in root]
    return names[names.index("sheetData") :]


def test_linked_text_is_a_hyperlink_relationship(tmp_path: Path) -> None:
    source = _linked_workbook(tmp_path, user_links=False)
    data = write(source.read_bytes(), [CellEdit(2, 5, _LINK), CellEdit(3, 5, "plain")])
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data))["Tracker"]
    assert sheet["E2"].value == str(_LINK) and sheet["E2"].hyperlink.target == _LINK.target
    assert sheet["E3"].value == "plain" and sheet["E3"].hyperlink is None
    parts, before = parts_of(data), parts_of(source)
    rels = parts["xl/worksheets/_rels/sheet1.xml.rels"]
    assert b'TargetMode="External"' in rels and b"/relationships/hyperlink" in rels
    assert b"<f>" not in parts["xl/worksheets/sheet1.xml"]
    # everything else as it was; the new part is the only member added
    assert set(parts) - set(before) == {"xl/worksheets/_rels/sheet1.xml.rels"}
    for name in set(before) - {"xl/worksheets/sheet1.xml"}:
        assert parts[name] == before[name], name
    order = _hyperlink_order(parts["xl/worksheets/sheet1.xml"])
    assert order.index("dataValidations") < order.index("hyperlinks") < order.index("pageMargins")


def test_the_users_links_stay_and_an_edited_cell_loses_its_old_link(tmp_path: Path) -> None:
    source = _linked_workbook(tmp_path, user_links=True).read_bytes()
    edits = [CellEdit(2, 5, _LINK), CellEdit(3, 5, "no link now")]
    data = write(source, edits)
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data))["Tracker"]
    assert sheet["A2"].hyperlink.target == "https://acme.example/careers"
    assert sheet["E2"].hyperlink.target == _LINK.target
    assert sheet["E3"].value == "no link now" and sheet["E3"].hyperlink is None
    rels = parts_of(data)["xl/worksheets/_rels/sheet1.xml.rels"]
    assert b"globex.example" not in rels and b"acme.example/careers" in rels
    # the same edits again change nothing: the links already there are kept as they are
    assert write(data, edits) == data
    # and a later run that clears the cell removes the link and its relationship
    cleared = write(data, [CellEdit(2, 5, None)])
    sheet = openpyxl.load_workbook(io.BytesIO(cleared))["Tracker"]
    assert sheet["E2"].value is None and sheet["E2"].hyperlink is None
    assert _LINK.target.encode() not in parts_of(cleared)["xl/worksheets/_rels/sheet1.xml.rels"]


def test_a_linked_cell_keeps_the_sheets_other_relationships() -> None:
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
        '"http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_NS}/comments" Target="../comments1.xml"/>'
        "</Relationships>"
    ).encode()
    source = make_package(
        sheet_xml(
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Company</t></is></c></row>'
            "</sheetData>",
            after='<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/>',
        ),
        sheet_rels=rels,
    )
    data = write(source, [CellEdit(1, 2, _LINK)])
    new_rels = parts_of(data)["xl/worksheets/_rels/sheet1.xml.rels"]
    assert new_rels.startswith(rels[: rels.index(b"</Relationships>")])  # kept, then appended
    assert b'Id="rId2"' in new_rels
    sheet = parts_of(data)["xl/worksheets/sheet1.xml"]
    assert b'<hyperlink ref="B1" r:id="rId2"/>' in sheet  # the root declares r: no local one
    assert _hyperlink_order(sheet) == ["sheetData", "hyperlinks", "pageMargins"]


@pytest.mark.parametrize("later", ["plain text", date(2026, 12, 1), None])
def test_the_last_edit_of_a_cell_decides_its_link(later: str | date | None) -> None:
    source = make_package(
        sheet_xml(
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        )
    )
    unlinked = write(source, [CellEdit(1, 2, later)])
    assert write(source, [CellEdit(1, 2, _LINK), CellEdit(1, 2, later)]) == unlinked
    linked = write(source, [CellEdit(1, 2, _LINK)])
    assert write(source, [CellEdit(1, 2, later), CellEdit(1, 2, _LINK)]) == linked


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_linked_cell_as_a_link(tmp_path: Path) -> None:
    source = _linked_workbook(tmp_path, user_links=True)
    written = tmp_path / "written.xlsx"
    write_edits(source, written, "Tracker", [CellEdit(2, 5, _LINK)])
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "html",
            "--outdir",
            str(tmp_path / "html"),
            str(written),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (page,) = (tmp_path / "html").glob("*.html")
    links = re.findall(r'<a href="([^"]+)"[^>]*>(?:<[^>]+>)*([^<]*)', page.read_text("utf-8"))
    targets = {text: href for href, text in links}
    # relative to the workbook's folder, as Excel resolves it too
    assert targets[str(_LINK)] == (tmp_path / _LINK.target).as_uri()
    assert targets["Acme"] == "https://acme.example/careers"
