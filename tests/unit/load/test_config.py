"""The config file: defaults, values read, every bad value named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_samples import messages, write

from changegate.load.config import load_config
from changegate.model import Config


def test_no_config_file_means_all_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path, None) == Config()


def test_config_values_are_read_and_map_string_becomes_tuple(tmp_path: Path) -> None:
    root = write(tmp_path, {".changegate/config.yaml": (
        "map: maps/main.yaml\nevidence: {junit: [\"reports/*.xml\"]}\nimpact: {mode: contract, max_depth: 2}\n"
        "unmapped_files: error\napprovals: {allow_stale: true}\n")})
    config = load_config(root, None)
    assert config.map == ("maps/main.yaml",)
    assert config.junit == ("reports/*.xml",)
    assert config.suites == ()
    assert (config.impact.mode, config.impact.max_depth) == ("contract", 2)
    assert config.unmapped_files == "error"
    assert (config.approvals.allow_stale, config.approvals.exclude_committers) == (True, True)
    assert config.file == ".changegate/config.yaml"
    assert load_config(write(tmp_path / "e", {"c.yaml": ""}), "c.yaml") == Config(file="c.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nimpact: {mode: fast, max_depth: -1}\n", [
            "cfg.yaml:2: impact.max_depth: must be at least 0",
            "cfg.yaml:2: impact.mode: 'fast' is not one of conservative, contract"]),
        ("map: 5\n", ["cfg.yaml:1: map: expected a string or a list, got an integer"]),
        ("unmapped_files: maybe\napproval: {}\n", [
            "cfg.yaml:1: unmapped_files: 'maybe' is not one of ignore, warn, error",
            "cfg.yaml:2: unknown key 'approval' (allowed: allow_empty_gate, approvals, changes, evidence, impact, "
            "layers, limits, map, "
            "policies, unmapped_files, version)"]),
        ("layers: [org, org]\n", ["cfg.yaml:1: layers.1: 'org' is listed twice"]),
        ("evidence:\n  suites:\n    crm-unit: []\n    'bad name': [x.xml]\n    pos: x.xml\n", [
            "cfg.yaml:3: evidence.suites.crm-unit: must not be empty",
            "cfg.yaml:4: evidence.suites.bad name: 'bad name' is not a valid id (letters, digits, '.', '_' or '-', "
            "starting with a letter or digit)",
            "cfg.yaml:5: evidence.suites.pos: expected a list, got a string"]),
        ("evidence:\n  suites:\n    crm-unit:\n      - build/*.xml\n      - ../other/build/*.xml\n", [
            "cfg.yaml:5: evidence.suites.crm-unit: '../other/build/*.xml' leads out of the repository; "
            "give a glob relative to the repository root"]),
        ("evidence:\n  github_checks:\n    crm-unit: []\n    pos: [ci, ci]\n    lint: test\n", [
            "cfg.yaml:3: evidence.github_checks.crm-unit: must not be empty",
            "cfg.yaml:4: evidence.github_checks.pos.1: 'ci' is listed twice",
            "cfg.yaml:5: evidence.github_checks.lint: expected a list, got a string"]),
        ("evidence: {suites: {crm-unit: [/ci/reports/*.xml]}}\n", [
            "cfg.yaml:1: evidence.suites.crm-unit: '/ci/reports/*.xml' leads out of the repository; "
            "give a glob relative to the repository root"]),
    ],
)
def test_bad_config(tmp_path: Path, text: str, expected: list[str]) -> None:
    root = write(tmp_path, {"cfg.yaml": text})
    assert messages(lambda: load_config(root, "cfg.yaml")) == expected


def test_explicit_config_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    assert messages(lambda: load_config(tmp_path, "gate.yaml")) == ["gate.yaml: config file not found"]


def test_evidence_github_checks_map_a_suite_to_check_names(tmp_path: Path) -> None:
    root = write(tmp_path, {".changegate/config.yaml": (
        'evidence:\n  github_checks:\n    crm-unit: ["test (crm)", ci/crm-unit]\n')})
    assert load_config(root, None).github_checks == (("crm-unit", ("test (crm)", "ci/crm-unit")),)
    assert load_config(tmp_path / "none", None).github_checks == ()


def test_evidence_suites_map_a_suite_to_globs(tmp_path: Path) -> None:
    root = write(tmp_path, {".changegate/config.yaml": (
        "evidence:\n  suites:\n    crm-unit: [services/crm/build/test-results/test/*.xml]\n"
        "    pos-unit: [pos/target/surefire-reports/TEST-*.xml, pos/target/failsafe-reports/TEST-*.xml]\n")})
    assert load_config(root, None).suites == (
        ("crm-unit", ("services/crm/build/test-results/test/*.xml",)),
        ("pos-unit", ("pos/target/surefire-reports/TEST-*.xml", "pos/target/failsafe-reports/TEST-*.xml")))


def test_approval_integrity_options_are_read(tmp_path: Path) -> None:
    root = write(tmp_path, {".changegate/config.yaml": (
        "approvals:\n  ignore_update_merges: true\n  invalidate: touched-scope\n"
        "  ignore_commits_by: ['@Renovate[bot]', 'dependabot[bot]']\n")})
    settings = load_config(root, None).approvals
    assert (settings.ignore_update_merges, settings.invalidate, settings.ignore_commits_by) == (
        True, "touched-scope", ("dependabot[bot]", "renovate[bot]"))
    defaults = load_config(write(tmp_path / "d", {"c.yaml": "approvals: {}\n"}), "c.yaml").approvals
    assert (defaults.ignore_update_merges, defaults.invalidate, defaults.ignore_commits_by) == (False, "any-push", ())


@pytest.mark.parametrize(("text", "expected"), [
    ("approvals:\n  invalidate: never\n",
     "c.yaml:2: approvals.invalidate: 'never' is not one of any-push, touched-scope"),
    ("approvals:\n  ignore_commits_by: [' ']\n", "c.yaml:2: approvals.ignore_commits_by.0"),
    ("approvals:\n  ignore_update_merges: yes please\n", "c.yaml:2: approvals.ignore_update_merges"),
])
def test_bad_approval_integrity_options_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    root = write(tmp_path, {"c.yaml": text})
    (message,) = messages(lambda: load_config(root, "c.yaml"))
    assert message.startswith(expected), message
