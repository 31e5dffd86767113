"""The shared strings table (`xl/sharedStrings.xml`), and what reading it costs.

A text cell of type "s" holds an index into this table. calamine copies the string into
every cell that refers to it (in Rust, then again as a Python str), so one long string
referred to by a million cells turns a 200 KB file into gigabytes of memory, and calamine
also reserves room for `uniqueCount` strings before it reads one. The package guard checks
both while it streams over the package once; only a file whose cells could refer to too
much text is read a second time, to add up exactly what they refer to.
"""

from __future__ import annotations

import array
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from batch.model import FileProblem
from batch.xlsx.advice import RESTORE
from batch.xlsx.limits import SHARED_TEXT_ALWAYS_ALLOWED, SHARED_TEXT_PER_FILE_BYTE

# Each string takes at least `<si/>`, five bytes.
_SMALLEST_STRING = 5
_UNIQUE_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"'](\d+)")
_STRING_START = re.compile(rb"<(?:\w+:)?si[\s/>]")
_STRING_CELL = re.compile(
    rb"""<(?:\w+:)?c\s[^>]*?\bt\s*=\s*["']s["'][^>]*>\s*<(?:\w+:)?v>\s*(\d{1,10})\s*<"""
)
_CARRY = 256
# `<si><t>` and `</t></si>`: what a plain string's element holds besides its text.
_STRING_MARKUP = 15


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


class SharedText:
    """What one pass over the package learns: string cells per sheet, the longest string."""

    def __init__(self, path: Path, file_size: int) -> None:
        self.path = path
        self.file_size = file_size
        self.budget = max(SHARED_TEXT_ALWAYS_ALLOWED, SHARED_TEXT_PER_FILE_BYTE * file_size)
        self.string_cells: dict[str, int] = {}  # sheet part -> cells of type "s" (about)
        self.table: zipfile.ZipInfo | None = None
        self.longest = 0  # bytes of the longest string (its element, less a plain one's markup)

    def count_cells(self, sheet: str, chunk: bytes) -> None:
        """Count a sheet's string cells, chunk by chunk (a mark cut by a chunk's end is
        missed; the exact sum below does not depend on this count)."""
        found = chunk.count(b't="s"')
        if b"'" in chunk:  # hardly any writer quotes attributes with '
            found += chunk.count(b"t='s'")
        if found:
            self.string_cells[sheet] = self.string_cells.get(sheet, 0) + found

    def measure_table(self, info: zipfile.ZipInfo, head: bytes, chunks: Iterable[bytes]) -> None:
        """Check the declared string count and find the longest string, streaming."""
        match = _UNIQUE_COUNT.search(head)
        if match and int(match[1]) > info.file_size // _SMALLEST_STRING + 16:
            raise FileProblem(
                self.path,
                f"is damaged or hostile ({info.filename} claims {int(match[1]):,} strings in "
                f"{_size(info.file_size)}); {RESTORE}",
            )
        self.table = info
        for length in _string_lengths(_chained(head, chunks)):
            self.longest = max(self.longest, length)

    def check(
        self,
        infos: Iterable[zipfile.ZipInfo],
        reopen: Callable[[zipfile.ZipInfo], Iterator[bytes]],
    ) -> None:
        """Refuse a package whose string cells refer to more text than its size allows.

        `reopen(info)` inflates a member again. The quick bound (every string cell holding
        the longest string) settles nearly every file; otherwise the table and the sheets
        are read once more and the text each cell refers to is added up exactly.
        """
        cells = sum(self.string_cells.values())
        table = self.table
        if table is None or not cells or cells * self.longest <= self.budget:
            return
        lengths = array.array("L", _string_lengths(reopen(table)))
        total = 0
        for info in infos:
            if info.filename not in self.string_cells:
                continue
            for count, index in enumerate(_string_indexes(reopen(info))):
                if index < len(lengths):
                    total += lengths[index]
                if count % 4096 == 0 and total > self.budget:
                    break
            if total > self.budget:
                raise FileProblem(
                    self.path,
                    f"has cells that repeat its shared text far beyond its size (over "
                    f"{_size(total)} of text from a {_size(self.file_size)} file), so it "
                    f"was not read; {RESTORE}",
                )


def _chained(head: bytes, chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield head
    yield from chunks


def _string_lengths(chunks: Iterable[bytes]) -> Iterator[int]:
    """The byte length of each string in table order: its `<si>` element up to the next
    one, less the markup of a plain string (rich text counts its markup too)."""
    read = 0  # bytes of the table before the current chunk
    opened: int | None = None  # where the last element found starts
    tail = b""
    for chunk in chunks:
        buffer = tail + chunk
        base = read - len(tail)
        for match in _STRING_START.finditer(buffer):
            start = base + match.start()
            if opened is not None and start <= opened:
                continue  # found in the previous chunk's tail already
            if opened is not None:
                yield max(0, start - opened - _STRING_MARKUP)
            opened = start
        read += len(chunk)
        tail = buffer[-_CARRY:]
    if opened is not None:
        yield max(0, read - opened - _STRING_MARKUP)


def _string_indexes(chunks: Iterable[bytes]) -> Iterator[int]:
    """The shared string index of each string cell of a worksheet, streaming."""
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk
        cut = buffer.rfind(b"<", max(0, len(buffer) - _CARRY))
        cut = cut if cut > 0 else len(buffer)
        for match in _STRING_CELL.finditer(buffer, 0, cut):
            yield int(match[1])
        carry = buffer[cut:]
    for match in _STRING_CELL.finditer(carry):
        yield int(match[1])
