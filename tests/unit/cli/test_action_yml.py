"""action.yml: it loads, every input reaches the steps, every output is set, and the run
scripts hold no `${{ }}` expression (inputs come in through env:)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROJECT

from changegate.cli import cli
from changegate.report.github import publish

ROOT = PROJECT
INPUTS = {"config", "token", "comment", "fail-on", "junit", "working-directory", "status-context"}


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    return action["runs"]["steps"]


def step(action: dict[str, Any], step_id: str) -> dict[str, Any]:
    (found,) = [s for s in steps(action) if s.get("id") == step_id]
    return found


def test_action_is_a_composite_with_name_description_and_branding(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    assert action["name"] == "changegate"
    assert action["description"]
    assert set(action["branding"]) == {"icon", "color"}


def test_setup_python_leaves_the_job_environment_alone(action: dict[str, Any]) -> None:
    setup = step(action, "python")
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["update-environment"] is False


def test_every_input_is_declared_described_and_used_by_a_step(action: dict[str, Any]) -> None:
    assert set(action["inputs"]) == INPUTS
    used = yaml.safe_dump(steps(action))
    for name in INPUTS:
        assert action["inputs"][name]["description"]
        assert f"inputs.{name} }}}}" in used, name


def test_run_scripts_hold_no_expressions_and_name_their_shell(action: dict[str, Any]) -> None:
    for s in steps(action):
        if "run" in s:
            assert "${{" not in s["run"], s.get("name")
            assert s["shell"] == "bash"


def test_every_output_is_set_by_the_check_step(action: dict[str, Any]) -> None:
    assert set(action["outputs"]) == set(publish.OUTPUT_NAMES)
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
        assert spec["description"]


def test_flags_the_action_passes_exist_on_changegate_check(action: dict[str, Any]) -> None:
    script = step(action, "check")["run"]
    passed = set(re.findall(r"(--[a-z][a-z-]+)", script))
    check = cli.commands["check"]
    known = {opt for param in check.params for opt in (*param.opts, *param.secondary_opts)}
    assert passed == {"--github", "--fail-on", "--config", "--comment", "--no-comment", "--junit",
                      "--status-context"}
    assert passed <= known


def run_check_script(action: dict[str, Any], tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """Run the check step's script with a stand-in `changegate` that prints its arguments."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    fake = venv / "bin" / "changegate"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {
        "PATH": os.environ["PATH"],
        "CHANGEGATE_VENV": str(venv),
        "CHANGEGATE_TOKEN": "t",
        "INPUT_CONFIG": inputs.get("config", ""),
        "INPUT_COMMENT": inputs.get("comment", "true"),
        "INPUT_FAIL_ON": inputs.get("fail_on", "error"),
        "INPUT_JUNIT": inputs.get("junit", ""),
        "INPUT_STATUS_CONTEXT": inputs.get("status_context", ""),
    }
    return subprocess.run(["bash", "-c", step(action, "check")["run"]], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False)


def test_check_script_turns_inputs_into_arguments(action: dict[str, Any], tmp_path: Path) -> None:
    proc = run_check_script(action, tmp_path, config="ci/gate.yaml", comment="false", fail_on="warning",
                            junit="reports/**/*.xml\n  build/test results/*.xml  \n\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "[check]", "[--github]", "[--fail-on]", "[warning]", "[--config]", "[ci/gate.yaml]", "[--no-comment]",
        "[--junit]", "[reports/**/*.xml]", "[--junit]", "[build/test results/*.xml]",
    ]


def test_check_script_passes_the_status_context_as_one_argument(action: dict[str, Any], tmp_path: Path) -> None:
    proc = run_check_script(action, tmp_path, status_context="changegate / verdict")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "[check]", "[--github]", "[--fail-on]", "[error]", "[--status-context]", "[changegate / verdict]",
        "[--comment]"]


def test_check_script_defaults_and_a_bad_comment_value(action: dict[str, Any], tmp_path: Path) -> None:
    proc = run_check_script(action, tmp_path)
    assert proc.stdout.splitlines() == ["[check]", "[--github]", "[--fail-on]", "[error]", "[--comment]"]
    bad = run_check_script(action, tmp_path, comment="yes; rm -rf /")
    assert bad.returncode == 2
    assert bad.stderr == "::error title=changegate::the comment input must be true or false\n"


def test_the_action_installs_with_pinned_constraints(action: dict[str, Any]) -> None:
    install = next(s for s in steps(action) if s.get("name") == "Install changegate")["run"]
    assert '-c "$CHANGEGATE_ACTION_PATH/action-constraints.txt"' in install
    pins = [line for line in (ROOT / "action-constraints.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", p) for p in pins)


def test_every_runtime_dependency_is_pinned_for_the_action() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {re.split(r"[<>=!~ \[]", dep, maxsplit=1)[0].lower().replace("_", "-")
              for dep in project["dependencies"]}
    pinned = {line.split("==")[0].lower().replace("_", "-")
              for line in (ROOT / "action-constraints.txt").read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#")}
    assert wanted - pinned == set()
