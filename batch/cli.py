"""The `followup` command: a thin skin over the library.

Each command parses its options, calls one library function and prints what it returns.
Heavy modules (the reader, the writer, Jinja2) are imported inside the commands so that
`followup --help` starts instantly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

T = TypeVar("T")
FC = TypeVar("FC", bound=Callable[..., Any])
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


def today_option(help_text: str) -> Callable[[FC], FC]:
    """`--today YYYY-MM-DD`; each command says what the date means for it."""
    return click.option("--today", callback=_parse_today, metavar="YYYY-MM-DD", help=help_text)


def drafts_option(help_text: str) -> Callable[[FC], FC]:
    """`--drafts DIR`; each command says what it uses the folder for."""
    return click.option(
        "--drafts",
        "drafts_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help=help_text,
    )


def _progress_bar(rows: Sequence[T], label: str) -> Iterator[T]:
    """A progress bar on stderr for trackers large enough to take a moment."""
    if len(rows) < PROGRESS_MIN_ROWS:
        yield from rows
        return
    with click.progressbar(rows, label=label, file=sys.stderr) as bar:
        yield from bar


class _Commands(click.Group):
    """The command group, with the last word on OS errors: each stage of a command turns its
    own into a one-line problem (`batch.files.file_stage`); one that escapes them still ends
    in one line and exit 2, never a traceback, never exit 1 ("done, rows need attention")."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as error:
            from batch.files import os_problem

            click.echo(f"followup: {os_problem(error, 'the command', Path.cwd())}", err=True)
            sys.exit(2)


@click.group(cls=_Commands)
@click.version_option(package_name="followup", prog_name="followup")
def main() -> None:
    """Plan post-interview follow-ups from a tracker spreadsheet (.xlsx).

    Every morning, `followup run tracker.xlsx` decides each interview's next step
    (thank-you, check-in, reminder, move on), writes it into the tracker and drafts the
    emails for a coach to review. It never sends mail.
    """


@main.command(short_help="The daily batch: decide, write back, draft what is due.")
@TRACKERS
@today_option(
    "The run date (default: today in the policy's time zone).",
)
@drafts_option(
    "Folder for drafts and the review page (default: drafts/ next to each tracker).",
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
@today_option(
    "The date to check sent dates against (default: today).",
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
    # The outcome word lists run long: they do not set the column's width.
    value_width = max(len(value) for _, value, _ in rows if len(value) <= 40)
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


@main.command(short_help="Fill empty sent and reply dates from your mailbox (read-only).")
@TRACKERS
@click.option(
    "--mbox",
    "mbox_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="An mbox file to read (repeat for Inbox and Sent); a file named Sent holds sent mail.",
)
@click.option(
    "--maildir",
    "maildir_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A Maildir to read: its inbox and its sent folder.",
)
@click.option("--imap", "imap_host", metavar="HOST", help="An IMAP server to read (TLS).")
@click.option("--imap-user", metavar="USER", help="The IMAP login (with --imap).")
@click.option(
    "--imap-port",
    type=click.IntRange(1, 65535),
    metavar="N",
    help="The IMAP port (default 993, or 143 with --imap-insecure).",
)
@click.option(
    "--imap-insecure",
    is_flag=True,
    help="No TLS, for an IMAP server on this machine (localhost) only.",
)
@click.option(
    "--since",
    callback=_parse_today,
    metavar="YYYY-MM-DD",
    help="Read mail from this day on (default: the earliest interview date); steps of "
    "interviews before it are not filled.",
)
@today_option(
    "The run date: later mail is ignored (default: today).",
)
@drafts_option(
    "The drafts folder whose drafts' Message-IDs to match (default: drafts/ by the tracker).",
)
@CONFIG
@SHEET
@click.option("--dry-run", is_flag=True, help="Write nothing; show the cells that would be filled.")
def sync(
    trackers: tuple[Path, ...],
    mbox_paths: tuple[Path, ...],
    maildir_paths: tuple[Path, ...],
    imap_host: str | None,
    imap_user: str | None,
    imap_port: int | None,
    imap_insecure: bool,
    since: date | None,
    today: date | None,
    drafts_dir: Path | None,
    config_path: Path | None,
    sheet: str | None,
    dry_run: bool,
) -> None:
    """Fill empty sent and reply dates from the mailbox (read-only; never sends).

    The IMAP password comes from $FOLLOWUP_IMAP_PASSWORD or the system keyring
    (`keyring set followup USER`), never from the command line.
    """
    from batch import report
    from batch.mailbox_sources import MailboxProblem, MailboxSource
    from batch.sync import SyncOptions, sync_trackers

    kinds = [bool(mbox_paths), bool(maildir_paths), imap_host is not None]
    if sum(kinds) != 1:
        raise click.UsageError("give one mailbox: --mbox PATH, --maildir PATH or --imap HOST")
    if imap_host is None and (imap_user or imap_port or imap_insecure):
        raise click.UsageError("--imap-user, --imap-port and --imap-insecure go with --imap")
    if imap_host is not None and not imap_user:
        raise click.UsageError("--imap needs --imap-user (the login name)")
    options = SyncOptions(
        today=today,
        since=since,
        drafts_dir=drafts_dir,
        config_path=config_path,
        sheet=sheet,
        dry_run=dry_run,
    )
    source = MailboxSource(
        mbox=mbox_paths,
        maildir=maildir_paths,
        imap_host=imap_host,
        imap_user=imap_user,
        imap_port=imap_port,
        imap_insecure=imap_insecure,
    )
    try:
        run = sync_trackers(list(trackers), source.read, options)
    except MailboxProblem as problem:
        click.echo(f"followup: {problem}", err=True)
        sys.exit(2)
    report.print_sync(run, dry_run=dry_run)
    sys.exit(2 if any(result.error for result in run.results) else 0)


@main.command(short_help="Record a sent step, a reply or an outcome in the tracker.")
@click.argument("tracker", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("which", required=False)
@click.argument("step", required=False)
@click.option(
    "--date",
    "day",
    callback=_parse_today,
    metavar="YYYY-MM-DD",
    help="The date to record (default: today in the policy's time zone).",
)
@click.option("--outcome", metavar="TEXT", help="Also record this Outcome (e.g. Rejected).")
@click.option(
    "--drafted",
    callback=_parse_today,
    metavar="YYYY-MM-DD",
    help="Mark every step drafted on that day as sent that day.",
)
@click.option("--force", is_flag=True, help="Replace cells that already hold a value.")
@click.option("--dry-run", is_flag=True, help="Write nothing; show the cells that would change.")
@today_option(
    "The run date, for the default --date and the new status (default: today).",
)
@drafts_option(
    "The drafts folder the run used (for --drafted; default: drafts/ next to the tracker).",
)
@CONFIG
@SHEET
def mark(
    tracker: Path,
    which: str | None,
    step: str | None,
    day: date | None,
    outcome: str | None,
    drafted: date | None,
    force: bool,
    dry_run: bool,
    today: date | None,
    drafts_dir: Path | None,
    config_path: Path | None,
    sheet: str | None,
) -> None:
    """Record that a step went out (or a reply came, or an outcome), so nobody types dates.

    WHICH is a row number or a company; STEP is thank-you, check-in, reminder or reply.
    Only empty cells are written unless --force; the row's new status is printed.
    """
    from batch import report
    from batch.mark import MarkOptions, mark_drafted, mark_step
    from batch.model import FileProblem

    if drafted is not None and (which or step or day or outcome):
        raise click.UsageError("--drafted DATE marks a whole day's drafts: give no WHICH or STEP")
    if drafted is None and (which is None or (step is None and outcome is None)):
        raise click.UsageError("give WHICH and STEP (or --outcome), or --drafted DATE")
    options = MarkOptions(
        day=day,
        outcome=outcome,
        force=force,
        dry_run=dry_run,
        today=today,
        drafts_dir=drafts_dir,
        config_path=config_path,
        sheet=sheet,
    )
    try:
        if drafted is not None:
            result = mark_drafted(tracker, drafted, options)
        else:
            assert which is not None
            result = mark_step(tracker, which, step, options)
    except FileProblem as problem:
        click.echo(f"followup: {problem}", err=True)
        sys.exit(2)
    report.print_mark(result, dry_run=dry_run)
    sys.exit(1 if result.refused else 0)
