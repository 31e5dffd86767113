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
# calamine allocates every cell of a sheet's used area (rows x columns) before it reads
# one, however few hold a value, and a failed allocation aborts the process. So the area may
# span at most this many cells per byte the sheet takes in the zip (a real sheet takes two
# bytes or more per cell: a 100,000-row tracker has about 0.2 cells per byte), and never
# more than MAX_SHEET_CELLS; a small sheet may always span a million cells (a stray value
# some way below a short table).
SHEET_CELLS_PER_COMPRESSED_BYTE = 1
SHEET_CELLS_ALWAYS_ALLOWED = 1_000_000
MAX_SHEET_CELLS = 30_000_000
# A string cell (type "s") points into the shared strings table, and every such cell gets its
# own copy of the text when read. The text all string cells refer to may add up to this many
# bytes per byte of the file (a real tracker refers to a few times its size), and always to
# 32 MB.
SHARED_TEXT_PER_FILE_BYTE = 16
SHARED_TEXT_ALWAYS_ALLOWED = 32 << 20
