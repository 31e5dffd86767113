"""How big a workbook's parts may be before the package is treated as hostile.

One set of numbers for the package guard (before anything is read), the reader and the
writer (which opens the file again to save it): when two copies of a limit disagree, a file
one of them refuses gets through the other.
"""

from __future__ import annotations

# No part of a real tracker comes near these: a 100,000-row sheet is about 110 MB of XML.
MAX_PART_BYTES = 512 << 20
MAX_PACKAGE_BYTES = 2 << 30
# The workbook, its relationships and a table are a few KB in any real workbook.
MAX_METADATA_PART_BYTES = 16 << 20
# Deflate cannot do better than about 1,030:1; real sheets stay far below 100:1. Tiny parts
# (an empty sheet, a calcChain) can compress very well, so only bigger ones are judged.
MAX_COMPRESSION_RATIO = 1000
RATIO_CHECKED_ABOVE = 1 << 20
# Cells calamine allocates for a sheet: (rows x columns) of its used area. 30 million is a
# stray value at row 1,048,576 of a 28-column sheet.
MAX_SHEET_CELLS = 30_000_000
