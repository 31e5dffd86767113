"""The `followup` command: a thin skin over the library. Heavy imports stay inside commands."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="followup")
def main() -> None:
    """Plan post-interview follow-ups from a tracker spreadsheet (.xlsx)."""
