"""`followup demo`: the daily batch on a copy of the sample tracker.

The quick start used to run on `sample_tracker.xlsx` itself, which left the clone with a
modified tracked file: the next `git pull` or a second demo started from a changed sample.
The demo runs on a copy in a scratch folder instead, so the sample stays as committed.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from batch.model import FileProblem

SAMPLE_NAME = "sample_tracker.xlsx"
DEMO_FOLDER = Path("demo")
# The Monday the sample's rows were written for: every status and step is on show that day.
SAMPLE_DAY = date(2026, 11, 23)
# A folder holding this file was made by the demo, so replacing its copy loses nothing.
MARKER_NAME = ".followup-demo"


def prepare_demo(sample: Path, folder: Path) -> Path:
    """Copy the sample into `folder` (made if missing) and return the copy's path.

    The folder must be empty or an earlier demo's: the demo never writes among the user's own
    files. An earlier demo's copy is replaced, so every demo starts from the sample as it is.
    """
    if not sample.is_file():
        raise FileProblem(
            sample,
            "not found; run followup demo in the folder that holds sample_tracker.xlsx, "
            "or name the sample: followup demo PATH/TO/sample_tracker.xlsx",
        )
    marker = folder / MARKER_NAME
    if folder.exists() and not marker.is_file():
        if not folder.is_dir():
            raise FileProblem(folder, "is a file, not a folder; name another with --into")
        if any(folder.iterdir()):
            raise FileProblem(
                folder,
                "already holds files that the demo did not make; name an empty or new "
                "folder with --into",
            )
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text("Made by `followup demo`; the whole folder can be deleted.\n")
    copy = folder / sample.name
    shutil.copyfile(sample, copy)
    return copy
