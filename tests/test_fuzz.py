"""Bounded fuzzing: `followup run` on mutated copies of a valid tracker never escapes with an
exception or a traceback, exits 0, 1 or 2, leaves a refused file byte-identical, and leaves
an accepted one a workbook that still opens.

Mutations are byte flips, insertions, deletions and truncations, both in the zip bytes and
inside one decompressed XML part (re-zipped, so the damage reaches the XML parsers).
Derandomized, so CI sees the same examples on every run.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import python_calamine
from click.testing import CliRunner
from hostile_corpus import good_tracker, parts_of, write_zip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch.cli import main

TODAY = "2026-11-23"
FUZZ_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
XML_PARTS = (
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
)


@cache
def valid_tracker() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return good_tracker(Path(folder) / "tracker.xlsx").read_bytes()


@dataclass(frozen=True)
class Mutation:
    kind: str  # flip, insert, delete, truncate
    position: float  # where, as a fraction of the length
    data: bytes  # the byte mask (flip) or the bytes inserted
    length: int  # how many bytes deleted

    def apply(self, data: bytes) -> bytes:
        at = min(int(self.position * len(data)), max(len(data) - 1, 0))
        if self.kind == "flip" and data:
            mask = self.data[0] or 1
            return data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]
        if self.kind == "insert":
            return data[:at] + self.data + data[at:]
        if self.kind == "delete":
            return data[:at] + data[at + self.length :]
        return data[:at]


mutations = st.builds(
    Mutation,
    kind=st.sampled_from(["flip", "insert", "delete", "truncate"]),
    position=st.floats(min_value=0, max_value=1),
    data=st.one_of(
        st.binary(min_size=1, max_size=8),
        st.sampled_from(
            [
                b"<",
                b">",
                b"&",
                b'"',
                b"<!DOCTYPE x>",
                b"</row>",
                b"<c r='XFD1'><v>1</v></c>",
                b"\xff\xfe",
                b"\x00",
                b"]]>",
                b"&lol;",
                b'r="A1048577"',
            ]
        ),
    ),
    length=st.integers(min_value=1, max_value=64),
)


def run_on(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.xlsx"
        path.write_bytes(data)
        result = CliRunner().invoke(
            main, ["run", str(path), "--today", TODAY], catch_exceptions=True
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            assert path.read_bytes() == data
            assert len(result.stderr.splitlines()) == 1, result.stderr
            return
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None


@FUZZ_SETTINGS
@given(mutation_list=st.lists(mutations, min_size=1, max_size=3))
def test_mutated_zip_bytes(mutation_list: list[Mutation]) -> None:
    data = valid_tracker()
    for mutation in mutation_list:
        data = mutation.apply(data)
    run_on(data)


@FUZZ_SETTINGS
@given(part=st.sampled_from(XML_PARTS), mutation_list=st.lists(mutations, min_size=1, max_size=3))
def test_mutated_xml_parts(part: str, mutation_list: list[Mutation]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "source.xlsx"
        source.write_bytes(valid_tracker())
        parts = parts_of(source)
        for mutation in mutation_list:
            parts[part] = mutation.apply(parts[part])
        data = write_zip(Path(folder) / "mutated.xlsx", parts).read_bytes()
    run_on(data)
