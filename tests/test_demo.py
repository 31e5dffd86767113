"""`followup demo`: the quick start on a copy, leaving the sample and the clone as they were."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from batch.cli import main
from batch.demo import MARKER_NAME, SAMPLE_DAY, SAMPLE_NAME

ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def demo_in(folder: Path, *args: str) -> Result:
    old = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(main, ["demo", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    shutil.copyfile(ROOT / SAMPLE_NAME, tmp_path / SAMPLE_NAME)
    return tmp_path


def test_demo_runs_on_a_copy_and_leaves_the_sample_alone(checkout: Path) -> None:
    before = digest(checkout / SAMPLE_NAME)
    result = demo_in(checkout)
    # Two sample rows need attention on purpose, so the run exits 1 ("done, some rows need
    # attention"), as the README says under the quick start.
    assert result.exit_code == 1, result.output
    assert digest(checkout / SAMPLE_NAME) == before
    day = SAMPLE_DAY.isoformat()
    assert (checkout / "demo" / "drafts" / day / "review.html").is_file()
    assert digest(checkout / "demo" / SAMPLE_NAME) != before  # the copy got its columns
    assert "itself is unchanged" in result.output


def test_a_second_demo_starts_from_the_sample_again(checkout: Path) -> None:
    first = demo_in(checkout)
    second = demo_in(checkout)
    assert second.exit_code == first.exit_code == 1
    assert "18 rows on Mon 23 Nov 2026" in second.output


def test_demo_never_writes_among_the_users_files(checkout: Path) -> None:
    mine = checkout / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    result = demo_in(checkout, "--into", "mine")
    assert result.exit_code == 2
    assert "already holds files that the demo did not make" in result.output
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_demo_without_the_sample_says_where_to_run_it(tmp_path: Path) -> None:
    result = demo_in(tmp_path)
    assert result.exit_code == 2
    assert "run followup demo in the folder that holds sample_tracker.xlsx" in result.output


def test_demo_folder_is_marked_as_the_demos_own(checkout: Path) -> None:
    demo_in(checkout)
    assert (checkout / "demo" / MARKER_NAME).is_file()


def test_quick_start_leaves_a_clone_clean(tmp_path: Path) -> None:
    """The README's first command, minus the install, in a fresh clone: git status stays clean."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the clean-clone check needs git (it runs in CI)")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # -P: the package under test, not the clone's copy of it (the same code in CI).
    run = subprocess.run(
        [sys.executable, "-P", "-m", "batch", "demo"], cwd=clone, capture_output=True, text=True
    )
    assert run.returncode == 1, run.stderr
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_every_package_and_data_file_is_installed() -> None:
    """The quick start installs with `pip install .` (not editable): a subpackage or data file
    missing from pyproject.toml would pass every other test and fail for a new user."""
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(setuptools["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "batch").rglob("__init__.py")
    }
    assert on_disk <= declared, f"add {sorted(on_disk - declared)} to [tool.setuptools] packages"
    patterns = setuptools["package-data"]
    for data in (ROOT / "batch").rglob("*"):
        if (
            data.is_file()
            and data.suffix not in {".py", ".pyc"}
            and "__pycache__" not in data.parts
        ):
            package = ".".join(data.parent.relative_to(ROOT).parts)
            globs = patterns.get(package, [])
            assert any(data.match(glob) for glob in globs), (
                f"add {data.name} to [tool.setuptools.package-data] {package!r}"
            )
