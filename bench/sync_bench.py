"""How fast `followup sync` matches a mailbox against a tracker.

    .venv/bin/python bench/sync_bench.py [--messages 10000] [--rows 1000] [--repeat 3]

Builds (in a temporary folder) a 1,000-row agency tracker with bench/make_trackers.py and an
mbox pair (Inbox, Sent) of 10,000 messages with short bodies: about a third to or from the
tracker's contacts (after their interviews), the rest other mail. Then, taking turns, times
the CLI (`python -m batch sync TRACKER --mbox Inbox --mbox Sent --dry-run`, start-up
included), the same writing the cells into a fresh copy of the tracker, and a baseline:
the standard library's `mailbox.mbox` reading every message of the same files (what any
program that opens them pays). Prints the medians, the ratio, the time
per message, and the stages timed in-process (read headers, match, plan).
"""

from __future__ import annotations

import argparse
import mailbox
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from make_trackers import RUN_DATE, make_tracker

from batch.tracker import read_tracker

ME = "Jordan Lee <jordan.lee@example.org>"
BODY = "Hello,\n\n" + "A line of an ordinary email body, never read by the sync.\n" * 12


def make_mailbox(folder: Path, tracker: Path, count: int, seed: int = 17) -> tuple[Path, Path]:
    rng = random.Random(seed)
    rows = [
        row
        for row in read_tracker(tracker, date_order="MDY").rows
        if row.contact_email and row.interview_date and row.interview_date <= RUN_DATE
    ]
    inbox, sent = mailbox.mbox(folder / "Inbox"), mailbox.mbox(folder / "Sent")
    for number in range(count):
        message = EmailMessage()
        roll = rng.random()
        if roll < 0.34 and rows:
            row = rng.choice(rows)
            assert row.interview_date is not None and row.contact_email is not None
            span = max((RUN_DATE - row.interview_date).days, 0)
            day = row.interview_date + timedelta(days=rng.randint(0, span))
            outgoing = roll < 0.17
            message["From"] = ME if outgoing else row.contact_email
            message["To"] = row.contact_email if outgoing else ME
            message["Subject"] = "Thank you" if outgoing else "Re: Thank you"
        else:
            day = RUN_DATE - timedelta(days=rng.randint(0, 400))
            outgoing = roll > 0.9
            other = f"person{rng.randint(1, 3000)}@elsewhere{rng.randint(1, 300)}.example"
            message["From"] = ME if outgoing else other
            message["To"] = other if outgoing else ME
            message["Subject"] = f"Newsletter {number}"
        moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
        message["Date"] = format_datetime(moment)
        message["Message-ID"] = f"<{number}.{seed}@bench.example>"
        message.set_content(BODY)
        (sent if outgoing else inbox).add(message)
    for box in (inbox, sent):
        box.flush()
        box.close()
    return folder / "Inbox", folder / "Sent"


def time_cli(tracker: Path, inbox: Path, sent: Path, *, dry_run: bool = True) -> float:
    """One `followup sync` process; a writing run works on a fresh copy of the tracker."""
    if not dry_run:
        copy = tracker.with_name(f"copy-{time.monotonic_ns()}.xlsx")
        shutil.copyfile(tracker, copy)
        tracker = copy
    argv = [sys.executable, "-m", "batch", "sync", str(tracker), "--mbox", str(inbox)]
    argv += ["--mbox", str(sent), "--today", RUN_DATE.isoformat()]
    argv += ["--dry-run"] if dry_run else []
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"sync failed ({done.returncode}): {done.stderr or done.stdout}")
    return elapsed


def time_baseline(inbox: Path, sent: Path) -> float:
    code = (
        "import mailbox, sys\n"
        "for path in sys.argv[1:]:\n"
        "    for message in mailbox.mbox(path):\n"
        "        message['From']\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(inbox), str(sent)], check=True)
    return time.perf_counter() - start


def time_stages(tracker: Path, inbox: Path, sent: Path) -> dict[str, float]:
    from batch.mail_matching import dedupe, match_messages, plan_fills
    from batch.mailbox_sources import read_mbox

    stages: dict[str, float] = {}
    start = time.perf_counter()
    rows = read_tracker(tracker, date_order="MDY").rows
    stages["read tracker"] = time.perf_counter() - start
    start = time.perf_counter()
    read = read_mbox([inbox, sent])
    stages["read headers"] = time.perf_counter() - start
    start = time.perf_counter()
    messages, _ = dedupe(read.messages)
    own = frozenset(m.sender for m in messages if m.folder == "sent" and m.sender)
    matched = match_messages(rows, messages, zone=UTC, today=RUN_DATE, drafts={}, own_addresses=own)
    stages["match"] = time.perf_counter() - start
    start = time.perf_counter()
    by_number = {row.row: row for row in rows}
    fills = sum(len(plan_fills(by_number[n], items).fills) for n, items in matched.by_row.items())
    stages["plan"] = time.perf_counter() - start
    stages["matched"] = sum(len(items) for items in matched.by_row.values())
    stages["fills"] = fills
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as folder:
        work = Path(folder)
        tracker = work / "tracker.xlsx"
        make_tracker(tracker, args.rows)
        inbox, sent = make_mailbox(work, tracker, args.messages)
        size = (inbox.stat().st_size + sent.stat().st_size) / 2**20
        cli, writing, baseline = [], [], []
        for _ in range(args.repeat):
            cli.append(time_cli(tracker, inbox, sent))
            writing.append(time_cli(tracker, inbox, sent, dry_run=False))
            baseline.append(time_baseline(inbox, sent))
        stages = time_stages(tracker, inbox, sent)
    cli_median, base_median = statistics.median(cli), statistics.median(baseline)
    print(f"{args.messages} messages ({size:.1f} MiB of mbox) against {args.rows} rows")
    print(
        f"  followup sync --dry-run (whole process): {cli_median:.2f} s median of "
        + ", ".join(f"{t:.2f}" for t in cli)
    )
    print(
        f"  followup sync writing the cells: {statistics.median(writing):.2f} s median of "
        + ", ".join(f"{t:.2f}" for t in writing)
    )
    print(
        f"  baseline, mailbox.mbox reading every message: {base_median:.2f} s median of "
        + ", ".join(f"{t:.2f}" for t in baseline)
    )
    print(f"  ratio sync / baseline: {cli_median / base_median:.2f}x")
    print(f"  per message: {cli_median / args.messages * 1e6:.0f} µs (whole process)")
    print(
        "  stages in-process: "
        + ", ".join(
            f"{name} {value * 1000:.0f} ms"
            for name, value in stages.items()
            if name not in ("matched", "fills")
        )
        + f"; {int(stages['matched'])} messages matched, {int(stages['fills'])} cells to fill"
    )


if __name__ == "__main__":
    main()
