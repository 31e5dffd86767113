"""The README documents every command and option the CLI has (as sqlite-utils' test_docs does).

The commands are taken from the click group itself, so a new command or option fails here
until the README's "Commands" section has it: each command has a table row starting with
`followup <command>`, and that row names every option of the command.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from batch.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def commands(
    group: click.Group = main, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every visible command under the group, subcommands of nested groups included."""
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        path = (*prefix, name)
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
    return found


def long_options(command: click.Command) -> list[str]:
    """The command's `--name` options (and `--no-name` of on/off flags), but --help."""
    names: list[str] = []
    for parameter in command.params:
        if isinstance(parameter, click.Option) and not parameter.hidden:
            names += [o for o in (*parameter.opts, *parameter.secondary_opts) if o[:2] == "--"]
    return [name for name in names if name != "--help"]


def commands_section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Commands\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Commands' section"
    return match[1]


def command_row(path: tuple[str, ...]) -> str | None:
    """The Commands table row of one command: the line that starts with `followup <path>`."""
    start = "| `followup " + " ".join(path)
    for line in commands_section().splitlines():
        if line.startswith(start) and line[len(start)] in " `":
            return line
    return None


COMMANDS = commands()
IDS = [" ".join(path) for path, _ in COMMANDS]


def test_the_commands_come_from_the_group() -> None:
    assert {"run", "check", "init", "rules"} <= set(IDS)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_is_in_the_readme_with_every_option(
    path: tuple[str, ...], command: click.Command
) -> None:
    row = command_row(path)
    assert row is not None, (
        f"README.md's Commands table has no row for `followup {' '.join(path)}`: add one "
        "(| `followup COMMAND ARGS [--option VALUE]` | what it does |)"
    )
    missing = [name for name in long_options(command) if not re.search(rf"{name}\b", row)]
    assert not missing, f"the README's row for `followup {' '.join(path)}` lacks {missing}"


def test_the_groups_own_options_are_in_the_readme() -> None:
    section = commands_section()
    missing = [name for name in long_options(main) if f"followup {name}" not in section]
    assert not missing, f"README.md's Commands section does not mention {missing}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_and_option_has_help(path: tuple[str, ...], command: click.Command) -> None:
    assert command.help, f"`followup {' '.join(path)}` has no help text (its docstring)"
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, f"{parameter.opts} of `followup {' '.join(path)}` has no help"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ") and len(result.output.splitlines()) > 3
