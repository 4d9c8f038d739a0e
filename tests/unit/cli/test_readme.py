"""What the README promises a newcomer: how to install changegate as it is (not from a
package index: it is not published yet, but the name is ready), and how a decision is made."""

from __future__ import annotations

import re
import tomllib

from conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")


def _install_commands() -> list[str]:
    return re.findall(r"^\s*(pipx? install [^\n#]*)", README, re.M)


def test_every_install_command_of_the_readme_works_without_an_index() -> None:
    commands = [c.strip() for c in _install_commands() if "-r benchmarks" not in c]
    assert commands, "the README shows no install command"
    for command in commands:
        target = command.split()[-1]
        assert target.startswith(("git+", ".", "/")), f"{command!r} needs changegate on a package index"
    assert any(c.startswith("pipx install git+") for c in commands)
    assert any(c == "pipx install ." for c in commands)


def test_the_package_name_is_ready_for_publishing() -> None:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "changegate"
    assert project["scripts"] == {"changegate": "changegate.cli:main"}
    assert "not on PyPI yet" in README


def test_how_the_decision_is_made_says_an_interface_file_touches_its_provider() -> None:
    section = " ".join(README.split("## How the decision is made", 1)[1].split("\n## ", 1)[0].split())
    assert "a changed file matching an interface's `paths` also touches the component that" in section
