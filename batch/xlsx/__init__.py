"""The workbook layer: everything that knows an .xlsx is a zip of XML parts.

- `package_guard`: looks at the raw file before anything opens it (zip bombs, DTDs, damaged
  zips, cells past Excel's grid, foreign text encodings) and refuses it in one line.
- `limits`: the size limits the guard, the reader and the writer share.
- `cell_refs`: Excel's grid (A1 references, the last row and column).
- `package`: the parts and the relationships between them, the date system.
- `workbook`: an .xlsx tracker opened for one run (`XlsxTracker`), the one interface the
  runner uses. The reader (`batch/tracker.py`) and the writer (`batch/xlsx_writer.py`) sit
  behind it, and so does all the work done only for speed (see its docstring).

Nothing here is imported by `followup --help`; the heavy libraries load on first use.
"""
