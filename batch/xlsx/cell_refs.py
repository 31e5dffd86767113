"""Excel's column letters (A, Z, AA, XFD) and the numbers they stand for (1-based).

One place for the conversion that the package guard, the reader's error scan and the writer
all need when they read `r="AB12"` attributes or write new ones.
"""

from __future__ import annotations

import re

# The last row and column of an Excel sheet (1,048,576 and XFD): a reference past them is
# damage or an attack, never data.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384

# A cell's reference in its start tag (`<c r="AB12" ...>`, `$` and either quote allowed):
# (column letters, row digits). Not an attribute whose name ends in r (`xr:r`).
CELL_REFERENCE = re.compile(rb"""(?<![\w:])r\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d+)["']""")


def column_letters(column: int) -> str:
    """1 -> "A", 26 -> "Z", 27 -> "AA", 16384 -> "XFD"."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"xfd" -> 16384 (as they stand in the sheet XML, either case)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number
