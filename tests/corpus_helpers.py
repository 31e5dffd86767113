"""The shared corpus of real workbooks (`../shared/corpus/xlsx`), and what happens without it.

The corpus sits beside the repository, not in it. A test that needs it calls `require_corpus`:
where the corpus (or the one file) is missing, the test is skipped with the reason shown in the
summary, or fails when the environment says `CI=true`, so a CI run cannot pass by skipping the
writer's real-workbook tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "xlsx"
# Stands in for the corpus files in a parametrized test when the corpus is missing, so the
# test still runs once and says so (an empty parameter list would skip it silently).
MISSING = CORPUS / "(corpus missing)"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_corpus(path: Path = CORPUS) -> None:
    """Skip (or, with CI=true, fail) the calling test unless `path` in the corpus exists."""
    if path.exists():
        return
    if path == MISSING:
        path = CORPUS
    what = "the shared corpus" if path == CORPUS else f"the corpus file {path.name}"
    if in_ci():
        pytest.fail(
            f"{what} is missing ({path}) and CI=true: check out ../shared/corpus beside the "
            "repository",
            pytrace=False,
        )
    pytest.skip(f"{what} is not here ({path}); with CI=true this fails")


def corpus_params(pattern: str = "*.xls*") -> list[Any]:
    """The corpus files matching `pattern` as test parameters (named by file), or `MISSING`."""
    files = sorted(CORPUS.glob(pattern)) if CORPUS.is_dir() else []
    if not files:
        return [pytest.param(MISSING, id="corpus-missing")]
    return [pytest.param(path, id=path.name) for path in files]
