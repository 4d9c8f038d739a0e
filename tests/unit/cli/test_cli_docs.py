"""Every command and option of the CLI is documented in docs/cli.md, under its command."""

from __future__ import annotations

import re

import click
import pytest
from conftest import PROJECT

from changegate.cli import cli

DOCS = (PROJECT / "docs" / "cli.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The text of the `## title` section of docs/cli.md."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", DOCS, re.M | re.S)
    assert match, f"docs/cli.md has no section '## {title}'"
    return match.group(1)


def _options(command: click.Command) -> list[str]:
    return [max(p.opts, key=len) for p in command.params
            if isinstance(p, click.Option) and p.name != "help"]


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command by its full name ("map coverage"), a group's subcommands in its stead."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(_commands(command, f"{prefix}{name} "))
        else:
            found[prefix + name] = command
    return found


ALL = _commands(cli)  # type: ignore[arg-type]
COMMANDS = sorted(ALL)


def test_the_cli_has_the_commands_the_docs_describe() -> None:
    assert COMMANDS == ["board", "check", "impact", "init", "map coverage", "map import backstage",
                        "map import codeowners", "new", "owners", "record", "schedule", "validate"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_of_a_command_is_in_its_docs_section(name: str) -> None:
    section = _section(f"changegate {name}")
    command = ALL[name]
    missing = [opt for opt in _options(command) if f"`{opt}" not in section]
    assert not missing, f"docs/cli.md '## changegate {name}' does not mention {missing}"


def test_global_options_are_documented() -> None:
    section = _section("Global options")
    missing = [opt for opt in _options(cli) if f"`{opt}" not in section]
    assert not missing, missing
