"""Corpus tests skip with a reason on a developer's machine and fail under CI=true."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_helpers import CORPUS, MISSING, corpus_params, require_corpus


def test_a_missing_corpus_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_corpus(MISSING)


@pytest.mark.parametrize("ci", [None, "false", ""])
def test_a_missing_corpus_skips_with_a_reason_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="is not here"):
        require_corpus(CORPUS / "no-such-file.xlsx")


def test_corpus_params_stand_in_for_a_missing_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus_helpers

    monkeypatch.setattr(corpus_helpers, "CORPUS", Path("/nonexistent/corpus"))
    (param,) = corpus_helpers.corpus_params()
    assert param.values == (MISSING,) and param.id == "corpus-missing"


def test_corpus_params_name_each_file() -> None:
    require_corpus()
    params = corpus_params()
    assert params and all(param.id == param.values[0].name for param in params)
