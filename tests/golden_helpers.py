"""Golden files: compare an output a person reads with the copy committed in tests/golden/.

`UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q` rewrites every golden file from what the code
makes now; `git diff tests/golden` then shows exactly what changed, line by line, to read
before committing. A mismatch fails with a unified diff of the expected and actual text.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def assert_golden(name: str, actual: str) -> None:
    """`actual` equals tests/golden/`name` (rewritten first when UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    if actual == expected:
        return
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"tests/golden/{name} (committed)",
            tofile=f"tests/golden/{name} (made now)",
        )
    )
    raise AssertionError(
        f"{name} differs from its golden file; if the change is intended, run the tests with "
        f"UPDATE_GOLDEN=1 and read `git diff tests/golden` before committing:\n{diff}"
    )
