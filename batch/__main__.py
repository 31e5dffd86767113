"""`python -m batch` runs the `followup` command."""

from batch.cli import main

main()
