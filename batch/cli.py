"""The `followup` command: a thin skin over the library.

Each command parses its options, calls one library function and prints what it returns.
Heavy modules (the reader, the writer, Jinja2) are imported inside the commands so that
`followup --help` starts instantly.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import click

T = TypeVar("T")
PROGRESS_MIN_ROWS = 5000

TRACKERS = click.argument(
    "trackers",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, dir_okay=True, exists=False),
)
CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="followup.toml to use (default: the one next to each tracker, if any).",
)
SHEET = click.option(
    "--sheet", help="The sheet that holds the tracker (default: found by its header)."
)
JSON = click.option(
    "--json", "as_json", is_flag=True, help="Print one machine-readable JSON summary."
)


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _progress_bar(rows: Sequence[T], label: str) -> Iterator[T]:
    """A progress bar on stderr for trackers large enough to take a moment."""
    if len(rows) < PROGRESS_MIN_ROWS:
        yield from rows
        return
    with click.progressbar(rows, label=label, file=sys.stderr) as bar:
        yield from bar


@click.group()
@click.version_option(package_name="followup", prog_name="followup")
def main() -> None:
    """Plan post-interview follow-ups from a tracker spreadsheet (.xlsx).

    Every morning, `followup run tracker.xlsx` decides each interview's next step
    (thank-you, check-in, reminder, move on), writes it into the tracker and drafts the
    emails for a coach to review. It never sends mail.
    """


@main.command(short_help="The daily batch: decide, write back, draft what is due.")
@TRACKERS
@click.option(
    "--today",
    callback=_parse_today,
    metavar="YYYY-MM-DD",
    help="The run date (default: today in the policy's time zone).",
)
@click.option(
    "--drafts",
    "drafts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for drafts and the review page (default: drafts/ next to each tracker).",
)
@CONFIG
@SHEET
@click.option(
    "--dry-run", is_flag=True, help="Write nothing; show what would change, cell by cell."
)
@JSON
def run(
    trackers: tuple[Path, ...],
    today: date | None,
    drafts_dir: Path | None,
    config_path: Path | None,
    sheet: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """The daily batch: decide, write the Follow-up columns back, draft what is due."""
    from batch import report
    from batch.runner import RunOptions, exit_code, run_trackers

    options = RunOptions(
        today=today, drafts_dir=drafts_dir, config_path=config_path, dry_run=dry_run, sheet=sheet
    )
    progress = _progress_bar if sys.stderr.isatty() else None
    results = run_trackers(list(trackers), options, progress)
    if as_json:
        click.echo(report.as_json(results))
    else:
        report.print_run(results, dry_run=dry_run)
    sys.exit(exit_code(results))


@main.command(short_help="Read and validate trackers; writes nothing.")
@TRACKERS
@CONFIG
@SHEET
@click.option(
    "--today",
    callback=_parse_today,
    metavar="YYYY-MM-DD",
    help="The date to check sent dates against (default: today).",
)
@JSON
def check(
    trackers: tuple[Path, ...],
    config_path: Path | None,
    sheet: str | None,
    today: date | None,
    as_json: bool,
) -> None:
    """Read and validate trackers only: table found, columns mapped, row problems listed."""
    from batch import report
    from batch.runner import RunOptions, check_trackers, exit_code

    options = RunOptions(today=today, config_path=config_path, sheet=sheet, dry_run=True)
    results = check_trackers(list(trackers), options)
    if as_json:
        click.echo(report.as_json(results))
    else:
        report.print_check(results)
    sys.exit(exit_code(results))


@main.command(short_help="Create a new, empty tracker to fill in.")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def init(path: Path) -> None:
    """Create a new, empty tracker with every column, dropdowns and date formats."""
    from batch.init_tracker import create_tracker
    from batch.model import FileProblem

    try:
        create_tracker(path)
    except FileProblem as problem:
        click.echo(f"followup: {problem}", err=True)
        sys.exit(2)
    click.echo(f"Created {path}. Fill in one row per interview, then run: followup run {path}")


@main.command(short_help="Add the input columns a tracker lacks, e.g. to an applications log.")
@click.argument("tracker", type=click.Path(path_type=Path, dir_okay=False))
@CONFIG
@SHEET
@click.option("--dry-run", is_flag=True, help="Write nothing; list the columns it would add.")
def adopt(tracker: Path, config_path: Path | None, sheet: str | None, dry_run: bool) -> None:
    """Add Interview Date, Reply Expected By, the sent and reply dates, Key Points (and
    Email when there is none) right of the table, styled like it; nothing else changes."""
    from batch.adopt import adopt_tracker, summary
    from batch.model import FileProblem

    try:
        result = adopt_tracker(tracker, config_path=config_path, sheet=sheet, dry_run=dry_run)
    except FileProblem as problem:
        click.echo(f"followup: {problem}", err=True)
        sys.exit(2)
    for line in summary(result, dry_run=dry_run):
        click.echo(line)


@main.command(short_help="Print the policy in force and where each value came from.")
@CONFIG
def rules(config_path: Path | None) -> None:
    """Print the active policy: every parameter, its value and where it came from."""
    from batch.config import describe_policy, load_config
    from batch.model import FileProblem

    try:
        # Without --config: the followup.toml in the current folder, if there is one.
        config = load_config(config_path, Path.cwd() / "followup.toml")
    except FileProblem as problem:
        click.echo(f"followup: {problem}", err=True)
        sys.exit(2)
    rows = describe_policy(config)
    width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    for name, value, source in rows:
        click.echo(f"{name:<{width}}  {value:<{value_width}}  {source}")


@main.command(short_help="Run the daily batch on a copy of the sample tracker.")
@click.argument(
    "sample",
    required=False,
    default="sample_tracker.xlsx",
    type=click.Path(path_type=Path, dir_okay=False),
)
@click.option(
    "--into",
    "folder",
    default="demo",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Scratch folder for the copy, its drafts and its review page.",
)
def demo(sample: Path, folder: Path) -> None:
    """Run the daily batch on a copy of the sample tracker, as of Monday 23 November 2026.

    The copy, its drafts and its review page go into a scratch folder (demo/ by default),
    so the sample itself stays as it is.
    """
    from batch import report
    from batch.demo import SAMPLE_DAY, prepare_demo
    from batch.model import FileProblem
    from batch.runner import RunOptions, exit_code, run_trackers

    try:
        copy = prepare_demo(sample, folder)
    except FileProblem as problem:
        click.echo(f"followup: {problem}", err=True)
        sys.exit(2)
    results = run_trackers([copy], RunOptions(today=SAMPLE_DAY))
    report.print_run(results, dry_run=False)
    click.echo(f"{sample} itself is unchanged; open {copy} to see the Follow-up columns.")
    sys.exit(exit_code(results))
