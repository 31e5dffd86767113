"""The parts of an .xlsx package and how they point at each other.

An .xlsx is a zip of XML parts tied together by relationship files (`_rels/*.rels`): the
package's relationships name the workbook part, the workbook's name each sheet's part and
the styles, a sheet's name its tables. The reader and the writer both need to follow them,
and to know the workbook's date system (`<workbookPr date1904>`); this module is the one
place that does, so the two always agree on which part holds a sheet.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as SafeElementTree

from batch.model import FileProblem
from batch.xlsx.advice import RESAVE
from batch.xlsx.limits import MAX_METADATA_PART_BYTES
from batch.xlsx.package_guard import check_declared_encoding, check_zip_listing

_WORKBOOK = "officeDocument"
_WORKSHEET = "worksheet"
_STYLES = "styles"
_TABLE = "table"


def one_line(error: BaseException) -> str:
    """An exception's message on one short line (a library's message can span lines)."""
    text = " ".join(str(error).split())
    return text[:200] if text else type(error).__name__


def local_name(tag: str) -> str:
    """An element's or attribute's name without its namespace (`{ns}sheet` -> `sheet`)."""
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str  # a URI ending in the kind: .../officeDocument, .../worksheet, .../table
    target: str  # the part it points at, resolved against the folder of the part that has it

    def is_a(self, kind: str) -> bool:
        return self.type.endswith("/" + kind)


@dataclass(frozen=True)
class Workbook:
    part: str  # the workbook part's name in the zip (xl/workbook.xml in nearly every file)
    date1904: bool  # the 1904 date system (serial 0 is 1904-01-01), else the 1900 one
    sheets: tuple[tuple[str, str], ...]  # (sheet name, relationship id), in workbook order
    relationships: tuple[Relationship, ...]
    # (name, localSheetId or None for a workbook-wide name, value) of each defined name
    defined_names: tuple[tuple[str, int | None, str], ...] = ()


@dataclass(frozen=True)
class SheetParts:
    """The parts behind one sheet: its own, the workbook's styles and the sheet's tables."""

    sheet: str
    is_worksheet: bool  # False for a chart sheet (or another kind of sheet part)
    styles: str | None
    tables: tuple[str, ...]
    date1904: bool


class Package:
    """The members of an .xlsx zip, found by part name (case-insensitively, as OPC says).

    The zip directory is checked (encryption, compression, declared sizes) before any
    member is read; parts are read once and kept, as the writer reads some of them twice.
    """

    def __init__(self, archive: zipfile.ZipFile, label: str) -> None:
        self.zip = archive
        self.label = label
        self.infos = archive.infolist()
        check_zip_listing(label, self.infos)
        self.by_folded_name: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            self.by_folded_name.setdefault(info.filename.casefold(), info)
        self._read: dict[str, bytes] = {}

    def find(self, name: str) -> str | None:
        """The member's real name for a part name, or None when there is no such part."""
        info = self.by_folded_name.get(name.lstrip("/").casefold())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """A part's bytes (KeyError when missing), never more than its declared size."""
        data = self._read.get(name)
        if data is None:
            info = self.by_folded_name[name.casefold()]
            with self.zip.open(info) as member:
                data = member.read(info.file_size + 1)
            if len(data) != info.file_size:
                raise zipfile.BadZipFile(f"{name} is not the size its header declares")
            self._read[name] = data
        return data

    def xml(self, name: str) -> Any:
        """A small part (workbook, relationships, table) parsed safely: no DTD, no entities."""
        info = self.by_folded_name[name.casefold()]
        if info.file_size > MAX_METADATA_PART_BYTES:
            raise FileProblem(self.label, f"has an oversized {name}; it is not a normal workbook")
        data = self.read(name)
        check_declared_encoding(self.label, name, data)
        try:
            return SafeElementTree.fromstring(data)
        except Exception as error:  # defusedxml's refusals and any XML syntax error alike
            detail = one_line(error)
            raise FileProblem(
                self.label, f"is damaged: invalid or unsafe XML in {name} ({detail}); {RESAVE}"
            ) from None

    def relationships(self, part: str) -> list[Relationship]:
        """The internal relationships of `part` ("" for the package's own), in file order."""
        folder, file_name = posixpath.split(part)
        rels = self.find(posixpath.join(folder, "_rels", file_name + ".rels"))
        if rels is None:
            return []
        found = []
        for element in self.xml(rels):
            if local_name(element.tag) != "Relationship":
                continue
            if element.get("TargetMode", "Internal") != "Internal":
                continue
            target = element.get("Target", "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            found.append(Relationship(element.get("Id", ""), element.get("Type", ""), resolved))
        return found

    def workbook(self) -> Workbook:
        """The workbook part, its date system, its sheets and their relationships."""
        part = next(
            (
                found
                for relation in self.relationships("")
                if relation.is_a(_WORKBOOK) and (found := self.find(relation.target))
            ),
            None,
        ) or self.find("xl/workbook.xml")
        if part is None:
            raise FileProblem(
                self.label, f"has no workbook part, so it is not an .xlsx workbook; {RESAVE}"
            )
        date1904 = False
        sheets: list[tuple[str, str]] = []
        names: list[tuple[str, int | None, str]] = []
        for element in self.xml(part).iter():
            tag = local_name(element.tag)
            if tag == "workbookPr":
                date1904 = element.get("date1904", "").strip().lower() in ("1", "true")
            elif tag == "sheet":
                # r:id, whatever prefix the relationships namespace has here
                relation = next((v for k, v in element.attrib.items() if local_name(k) == "id"), "")
                sheets.append((element.get("name", ""), relation))
            elif tag == "definedName":
                local = element.get("localSheetId", "")
                sheet = int(local) if local.isdigit() else None
                names.append((element.get("name", ""), sheet, element.text or ""))
        return Workbook(
            part, date1904, tuple(sheets), tuple(self.relationships(part)), tuple(names)
        )

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> the part that holds it, for every sheet whose part is there."""
        workbook = self.workbook()
        targets = {relation.id: relation.target for relation in workbook.relationships}
        found = {}
        for name, relation_id in workbook.sheets:
            part = self.find(targets.get(relation_id, ""))
            if part is not None:
                found[name] = part
        return found

    def parts_of_sheet(self, sheet_name: str) -> SheetParts:
        """What the writer needs for `sheet_name` (matched exactly, else ignoring case)."""
        workbook = self.workbook()
        sheets = dict(workbook.sheets)
        relation_id = sheets.get(sheet_name)
        if relation_id is None:
            folded = sheet_name.casefold()
            relation_id = next((r for n, r in workbook.sheets if n.casefold() == folded), None)
        if relation_id is None:
            raise FileProblem(self.label, f"has no sheet named {sheet_name!r}")
        relation = next((r for r in workbook.relationships if r.id == relation_id), None)
        sheet_part = self.find(relation.target) if relation else None
        if relation is None or sheet_part is None:
            raise FileProblem(self.label, f"sheet {sheet_name!r} is missing from the package")
        styles = next(
            (self.find(r.target) for r in workbook.relationships if r.is_a(_STYLES)), None
        )
        tables = tuple(
            found
            for r in self.relationships(sheet_part)
            if r.is_a(_TABLE) and (found := self.find(r.target)) is not None
        )
        return SheetParts(sheet_part, relation.is_a(_WORKSHEET), styles, tables, workbook.date1904)
