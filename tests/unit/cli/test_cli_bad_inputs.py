"""Bad input through the CLI: every case exits 2 with one `changegate: error: file:line: message`
line per error on stderr, and never a traceback (issue 2, acceptance point 4).

Each case starts from a copy of tests/scenarios/_shared/retail-mini (a valid repository), breaks
one thing, and runs `changegate` in it. The expected message is compared in full; `{root}` in it
stands for the repository's absolute path. A case marked `xfail` is a known bug: the expected
message is the one the user should see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS, GitRepo

from changegate.cli import cli

BASE = SCENARIOS / "_shared" / "retail-mini"
CONSOLE_SCRIPT = Path(sys.executable).parent / "changegate"

MAP = ".changegate/map.yaml"
CONFIG = ".changegate/config.yaml"
ORG_POLICY = ".changegate/policies/org.yaml"
TEAM_POLICY = ".changegate/policies/team.yaml"
MANIFEST_PATH = ".changegate/changes/c.yaml"

CHECK = ("check", "--changed-files", "changed.txt")
CHECK_MANIFEST = (*CHECK, "--manifest", MANIFEST_PATH)

MANIFEST = """version: 1
title: Upgrade CRM
type: normal
owner: crm-team
components: [crm]
"""

BILLION_LAUGHS = "version: 1\n" + "".join(
    f"{name}: &{name} [{', '.join([prev] * 9)}]\n"
    for name, prev in zip("abcdefghi", ["x", *[f"*{c}" for c in "abcdefgh"]], strict=True)
)


def _base(rel: str) -> str:
    return (BASE / rel).read_text(encoding="utf-8")


def _edit(rel: str, old: str, new: str) -> str:
    text = _base(rel)
    assert old in text, f"{old!r} not in {rel}"
    return text.replace(old, new, 1)


def _policy(body: str, layer: str = "component") -> str:
    return f"version: 1\nlayer: {layer}\npolicies:\n{body}"


Setup = Callable[[Path], None]


@dataclass(frozen=True)
class BadInput:
    name: str
    args: tuple[str, ...]
    expected: tuple[str, ...]  # stderr lines after "changegate: error: "
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Setup | None = None
    git: bool = False  # commit the repository first
    bug: str | None = None  # xfail reason


def _symlink_manifest_outside(root: Path) -> None:
    outside = root.parent / "outside.yaml"
    outside.write_text(MANIFEST, encoding="utf-8")
    (root / MANIFEST_PATH).parent.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST_PATH).symlink_to(outside)


def _remove_map(root: Path) -> None:
    (root / MAP).unlink()


CASES: list[BadInput] = [
    # ---------------------------------------------------------------- malformed YAML
    BadInput(
        "malformed-yaml-config", CHECK,
        (f"{CONFIG}:3: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'",),
        {CONFIG: "version: 1\nmap: [unclosed\n"},
    ),
    BadInput(
        "malformed-yaml-map", CHECK,
        (f"{MAP}:4: invalid YAML: while parsing a flow mapping: did not find expected ',' or '}}'",),
        {MAP: "version: 1\nteams:\n  a: {members: [x]\n"},
    ),
    BadInput(
        "malformed-yaml-policy", CHECK,
        (f"{ORG_POLICY}:5: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'",),
        {ORG_POLICY: _policy('  - id: x\n    match: {paths: ["**"}\n', layer="org")},
    ),
    BadInput(
        "malformed-yaml-manifest", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:3: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'",),
        {MANIFEST_PATH: "version: 1\ntitle: [x\n"},
    ),
    BadInput(
        "tab-indentation", CHECK,
        (f"{CONFIG}:4: invalid YAML: tab character used for indentation (indent with spaces)",),
        {CONFIG: "version: 1\nmap: .changegate/map.yaml\nimpact:\n\tmode: contract\n"},
    ),
    BadInput(
        "duplicate-key", CHECK,
        (f"{CONFIG}:3: duplicate key 'version' (first at line 1)",),
        {CONFIG: "version: 1\nmap: .changegate/map.yaml\nversion: 1\n"},
    ),
    BadInput(
        "alias-bomb", CHECK,
        (f"{CONFIG}:7: alias expansion exceeds 100000 nodes",),
        {CONFIG: BILLION_LAUGHS},
    ),
    BadInput(
        "nesting-too-deep", CHECK,
        (f"{CONFIG}:2: nesting deeper than 64 levels",),
        {CONFIG: "version: 1\nx: " + "[" * 500 + "]" * 500 + "\n"},
    ),
    BadInput(
        "config-is-a-list", CHECK,
        (f"{CONFIG}:1: expected a mapping, got a list",),
        {CONFIG: "- a\n- b\n"},
    ),
    # ---------------------------------------------------------------- schema: unknown keys
    BadInput(
        "unknown-key-config", CHECK,
        (f"{CONFIG}:3: unknown key 'mapp' (allowed: allow_empty_gate, approvals, changes, evidence, impact, "
         "layers, limits, map, policies, unmapped_files, version)",),
        {CONFIG: "version: 1\nmap: .changegate/map.yaml\nmapp: x\n"},
    ),
    BadInput(
        "unknown-key-map-component", CHECK,
        (f"{MAP}:21: components.crm: unknown key 'langauge' (allowed: consumes, contract_tests, "
         "depends_on, name, owners, paths, provides, tests, value_streams)",),
        {MAP: _edit(MAP, "    tests: [crm-unit]\n", "    tests: [crm-unit]\n    langauge: python\n")},
    ),
    BadInput(
        "unknown-key-policy", CHECK,
        (f"{ORG_POLICY}:6: policies.0: unknown key 'requires' (allowed: deny, description, final, id, "
         "match, require, severity, waivable_by)",),
        {ORG_POLICY: _policy('  - id: x\n    match: {paths: ["**"]}\n    requires: {manifest: true}\n',
                             layer="org")},
    ),
    BadInput(
        "unknown-key-manifest", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:6: unknown key 'priority' (allowed: breaking, components, fixes, interfaces_changed, "
         "owner, pir, risk, rollback, summary, tests, tickets, title, type, version, waivers)",),
        {MANIFEST_PATH: MANIFEST + "priority: high\n"},
    ),
    BadInput(
        "config-version-2", CHECK,
        (f"{CONFIG}:1: version: 2 is not one of 1",),
        {CONFIG: "version: 2\nmap: .changegate/map.yaml\n"},
    ),
    # ---------------------------------------------------------------- schema: enums
    BadInput(
        "wrong-enum-criticality", CHECK,
        (f"{MAP}:12: value_streams.marketing.criticality: 'extreme' is not one of low, medium, high, critical",),
        {MAP: _edit(MAP, "criticality: low", "criticality: extreme")},
    ),
    BadInput(
        "wrong-enum-change-type", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:3: type: 'urgent' is not one of standard, normal, emergency",),
        {MANIFEST_PATH: MANIFEST.replace("type: normal", "type: urgent")},
    ),
    BadInput(
        "wrong-enum-impact-mode", CHECK,
        (f"{CONFIG}:3: impact.mode: 'aggressive' is not one of conservative, contract",),
        {CONFIG: "version: 1\nmap: .changegate/map.yaml\nimpact: {mode: aggressive}\n"},
    ),
    # ---------------------------------------------------------------- schema: required keys
    BadInput(
        "missing-manifest-title", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:1: title: required key missing",),
        {MANIFEST_PATH: MANIFEST.replace("title: Upgrade CRM\n", "")},
    ),
    BadInput(
        "missing-value-stream-owners", CHECK,
        (f"{MAP}:12: value_streams.marketing.owners: required key missing",),
        {MAP: _edit(MAP, "marketing: {owners: [crm-team], criticality: low}", "marketing: {criticality: low}")},
    ),
    BadInput(
        "missing-component-paths", CHECK,
        (f"{MAP}:43: components.marketing-site.paths: required key missing",),
        {MAP: _edit(MAP, '    paths: ["web/marketing/**"]\n', "")},
    ),
    BadInput(
        "missing-team-members", CHECK,
        (f"{MAP}:6: teams.dba.members: required key missing",),
        {MAP: _edit(MAP, "dba: {members: [dan]}", "dba: {name: DBAs}")},
    ),
    # ---------------------------------------------------------------- broken references in the map
    BadInput(
        "unknown-team-reference", CHECK,
        (f"{MAP}:39: components.ledger.owners.0: unknown team 'finance-owner' (did you mean 'finance-owners'?)",),
        {MAP: _edit(MAP, "  ledger:\n    owners: [finance-owners]", "  ledger:\n    owners: [finance-owner]")},
    ),
    BadInput(
        "unknown-value-stream-reference", CHECK,
        (f"{MAP}:46: components.marketing-site.value_streams.0: unknown value stream 'marketting' "
         "(did you mean 'marketing'?)",),
        {MAP: _edit(MAP, "value_streams: [marketing]", "value_streams: [marketting]")},
    ),
    BadInput(
        "unknown-component-reference", CHECK,
        (f"{MAP}:42: components.ledger.depends_on.0: unknown component 'finance-report' "
         "(did you mean 'finance-reporting'?)",),
        {MAP: _edit(MAP, "depends_on: [finance-reporting]", "depends_on: [finance-report]")},
    ),
    BadInput(
        "unknown-interface-reference", CHECK,
        (f"{MAP}:47: components.marketing-site.consumes.0: unknown interface 'customer-sql' "
         "(did you mean 'customer-db-sql'?)",),
        {MAP: _edit(MAP, "consumes: [customer-db-sql]", "consumes: [customer-sql]")},
    ),
    BadInput(
        "interface-provided-twice", CHECK,
        (f"{MAP}:45: components.marketing-site.provides.0: interface 'crm-customer-api' is already provided "
         f"by component 'crm' ({MAP}:19); an interface has exactly one provider",),
        {MAP: _edit(MAP, "  marketing-site:\n    owners: [crm-team]\n",
                    "  marketing-site:\n    owners: [crm-team]\n    provides: [crm-customer-api]\n")},
    ),
    BadInput(
        "interface-never-provided", CHECK,
        (f"{MAP}:54: interfaces.orphan-api: no component provides this interface "
         "(list it in one component's provides)",),
        {MAP: _base(MAP) + '  orphan-api: {paths: ["orphan/**"]}\n'},
    ),
    BadInput(
        "duplicate-component-across-map-directory", CHECK,
        (".changegate/map/b.yaml:3: components.crm: defined twice (first at .changegate/map/a.yaml:14)",),
        {
            CONFIG: "version: 1\nmap: .changegate/map\n",
            ".changegate/map/a.yaml": _base(MAP),
            ".changegate/map/b.yaml": 'version: 1\ncomponents:\n  crm:\n    owners: [crm-team]\n    paths: ["x/**"]\n',
        },
        setup=_remove_map,
    ),
    # ---------------------------------------------------------------- policies
    BadInput(
        "duplicate-policy-id-across-files", CHECK,
        (f"{TEAM_POLICY}:4: policies.0.id: policy id 'need-manifest' is already defined at {ORG_POLICY}:4",),
        {TEAM_POLICY: _policy("  - id: need-manifest\n    require: {owners: true}\n")},
    ),
    BadInput(
        "policy-with-nothing-to-do", CHECK,
        (f"{TEAM_POLICY}:4: policies.0: policy 'idle' has an empty require and no deny, "
         "so it could never do anything",),
        {TEAM_POLICY: _policy('  - id: idle\n    match: {paths: ["**"]}\n')},
    ),
    BadInput(
        "unknown-layer", CHECK,
        (f"{TEAM_POLICY}:2: layer: 'department' is not one of the configured layers: "
         "org, value-stream, component, change",),
        {TEAM_POLICY: _policy("  - id: p2\n    require: {owners: true}\n", layer="department")},
    ),
    BadInput(
        "unknown-builtin-policy", CHECK,
        (f"{CONFIG}:3: unknown builtin policy set 'builtin:baselin' (available: builtin:baseline)",),
        {CONFIG: "version: 1\nmap: .changegate/map.yaml\npolicies: [builtin:baselin, .changegate/policies]\n"},
    ),
    BadInput(
        "cel-syntax-error-in-when", CHECK,
        (f"{TEAM_POLICY}:6: policies.0.match.when: invalid CEL 'change.type ==': mismatched input '<EOF>' "
         "expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
         "STRING, BYTES, IDENTIFIER} at column 16",),
        {TEAM_POLICY: _policy("  - id: p2\n    match:\n      when: 'change.type == '\n"
                              "    require: {owners: true}\n")},
    ),
    BadInput(
        "cel-type-error-in-when", CHECK,
        (f"{TEAM_POLICY}:6: policies.0.match.when: 'change.title + 1 == 2' cannot be evaluated: "
         "Unsupported operation: string + int. CEL does not coerce between types — both operands must be "
         "the same type. Convert explicitly with int(x), uint(x), double(x) or string(x) as appropriate.",),
        {TEAM_POLICY: _policy("  - id: p2\n    match:\n      when: 'change.title + 1 == 2'\n"
                              "    require: {owners: true}\n")},
    ),
    BadInput(
        "empty-map-file", CHECK,
        (f"{MAP}:1: expected a mapping, got an empty value",),
        {MAP: ""},
    ),
    BadInput(
        "non-string-mapping-key", CHECK,
        (f"{MAP}:4: mapping keys must be plain strings",),
        {MAP: "version: 1\nteams:\n  a: {members: [x]}\n  ? [b]\n  : {members: [y]}\n"},
    ),
    BadInput(
        "empty-path-pattern", CHECK,
        (f"{MAP}:23: components.customer-db.paths.0: must not be empty",),
        {MAP: _edit(MAP, '"db/customer/**"', '""')},
    ),
    # ---------------------------------------------------------------- manifests
    BadInput(
        "manifest-names-unknown-component", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:5: components.1: unknown component 'crn' (did you mean 'crm'?)",),
        {MANIFEST_PATH: MANIFEST.replace("components: [crm]", "components: [crm, crn]")},
    ),
    BadInput(
        "waiver-with-impossible-date", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:9: waivers.0.expires: '2026-13-45' is not a valid date",),
        {MANIFEST_PATH: MANIFEST + "waivers:\n  - policy: need-manifest\n    reason: because\n"
                                   "    expires: 2026-13-45\n"},
    ),
    BadInput(
        "waiver-with-words-for-date", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:9: waivers.0.expires: 'next week' is not a date as YYYY-MM-DD",),
        {MANIFEST_PATH: MANIFEST + "waivers:\n  - policy: need-manifest\n    reason: because\n"
                                   "    expires: next week\n"},
    ),
    BadInput(
        "waiver-naming-unknown-policy", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:7: waivers.0.policy: unknown policy 'need-manifst' (did you mean 'need-manifest'?)",),
        {MANIFEST_PATH: MANIFEST + "waivers:\n  - policy: need-manifst\n    reason: because\n"
                                   "    expires: 2026-12-01\n"},
    ),
    BadInput(
        "manifest-symlink-leading-outside", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}: is a symlink that leads out of the repository; refusing to read it",),
        setup=_symlink_manifest_outside,
    ),
    BadInput(
        "manifest-not-utf8", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}:2: not UTF-8 text (byte 21)",),
        {MANIFEST_PATH: b"version: 1\ntitle: caf\xe9\ntype: normal\nowner: crm-team\n"},
    ),
    BadInput(
        "manifest-file-missing", CHECK_MANIFEST,
        (f"{MANIFEST_PATH}: file not found",),
    ),
    BadInput(
        "map-not-utf8", CHECK,
        (f"{MAP}:3: not UTF-8 text (byte 33)",),
        {MAP: b"version: 1\nteams:\n  a: {name: caf\xe9, members: [x]}\n"},
    ),
    # ---------------------------------------------------------------- config and paths
    BadInput(
        "config-given-with-option-does-not-exist", (*CHECK, "--config", "nope.yaml"),
        ("nope.yaml: config file not found",),
    ),
    BadInput(
        "map-path-missing", CHECK,
        (f"{CONFIG}:2: map file or directory '.changegate/mapz.yaml' does not exist",),
        {CONFIG: "version: 1\nmap: .changegate/mapz.yaml\n"},
    ),
    # ---------------------------------------------------------------- git and the command line
    BadInput(
        "unknown-base-ref", ("check", "--base", "nope"),
        ("{root}: unknown git ref 'nope' (git: not a valid revision)",),
        git=True,
    ),
    BadInput(
        "unknown-head-ref", ("check", "--base", "HEAD", "--head", "nope"),
        ("{root}: unknown git ref 'nope' (git: not a valid revision)",),
        git=True,
    ),
    BadInput(
        "base-outside-a-git-repository", ("check", "--base", "main"),
        ("{root}: not a git repository (git: fatal: not a git repository "
         "(or any of the parent directories): .git)",),
    ),
    BadInput(
        "head-without-base", ("check", "--head", "HEAD"),
        ("command line: --head needs --base",),
        git=True,
    ),
    BadInput(
        "changed-files-and-base-together", (*CHECK, "--base", "HEAD"),
        ("command line: give either --base/--head or --changed-files, not both",),
        git=True,
    ),
    BadInput(
        "today-not-a-date", (*CHECK, "--today", "tomorrow"),
        ("command line: --today: 'tomorrow' is not a YYYY-MM-DD date",),
    ),
    # ---------------------------------------------------------------- evidence files
    BadInput(
        "changed-files-missing", ("check", "--changed-files", "nofile.txt"),
        ("nofile.txt: cannot read the changed-files list: No such file or directory",),
    ),
    BadInput(
        "changed-files-is-a-directory", ("check", "--changed-files", "services"),
        ("services: cannot read the changed-files list: Is a directory",),
    ),
    BadInput(
        "changed-files-with-nul-byte", CHECK,
        ("changed.txt:1: a NUL byte: a changed-files list is text, one path a line",),
        {"changed.txt": b"a\x00b\n"},
    ),
    BadInput(
        "approvals-missing", (*CHECK, "--approvals", "nope.json"),
        ("nope.json: cannot read the approvals file: No such file or directory",),
    ),
    BadInput(
        "approvals-not-json", (*CHECK, "--approvals", "a.json"),
        ("a.json:1: not valid JSON: Expecting property name enclosed in double quotes (column 2)",),
        {"a.json": "{author: dave,\n"},
    ),
    BadInput(
        "approvals-top-level-list", (*CHECK, "--approvals", "a.json"),
        ("a.json:1: expected a mapping, got a list",),
        {"a.json": "[]\n"},
    ),
    BadInput(
        "approvals-reviews-not-a-list", (*CHECK, "--approvals", "a.json"),
        ("a.json:3: reviews: expected a list, got a mapping",),
        {"a.json": '{\n  "author": "dave",\n  "reviews": {"user": "alice"}\n}\n'},
    ),
    BadInput(
        "approvals-review-without-state", (*CHECK, "--approvals", "a.json"),
        ("a.json:4: reviews.0.state: required key missing",),
        {"a.json": '{\n  "author": "dave",\n  "reviews": [\n    {"user": "alice", "commit_id": "abc"}\n  ]\n}\n'},
    ),
    BadInput(
        "junit-not-xml", (*CHECK, "--junit", "r/*.xml"),
        ("r/x.xml:1: not well-formed XML: syntax error (column 1)",),
        {"r/x.xml": "this is not xml\n"},
    ),
    BadInput(
        "junit-with-doctype", (*CHECK, "--junit", "r/*.xml"),
        ("r/x.xml:2: DTDs are not allowed in JUnit XML",),
        {"r/x.xml": '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
                    '<testsuite name="a" tests="1"><testcase name="t">&lol;</testcase></testsuite>\n'},
    ),
    BadInput(
        "approvals-review-with-unknown-state", (*CHECK, "--approvals", "a.json"),
        ("a.json:1: reviews.0.state: 'LGTM' is not one of APPROVED, CHANGES_REQUESTED, COMMENTED, "
         "DISMISSED, PENDING",),
        {"a.json": '{"reviews": [{"user": "x", "state": "LGTM"}]}'},
    ),
    BadInput(
        "junit-empty-file", (*CHECK, "--junit", "r/*.xml"),
        ("r/x.xml:1: not well-formed XML: no element found (column 1)",),
        {"r/x.xml": ""},
    ),
    BadInput(
        "markdown-template-missing", (*CHECK, "--format", "markdown", "--template", "nope.j2"),
        ("nope.j2: template not found",),
    ),
    BadInput(
        "markdown-template-syntax-error", (*CHECK, "--format", "markdown", "--template", "t.j2"),
        ("t.j2:1: template syntax error: Expected an expression, got 'end of statement block'",),
        {"t.j2": "{% for x in %}\n"},
    ),
    BadInput(
        "output-under-a-file", (*CHECK, "--format", "json", "--output", "changed.txt/out.json"),
        ("changed.txt/out.json: cannot write output: a directory on its path is a file",),
    ),
    BadInput(
        "manifest-outside-the-repository", (*CHECK, "--manifest", "/etc/passwd"),
        ("/etc/passwd: is outside the repository",),
    ),
    # ---------------------------------------------------------------- validate PATH
    BadInput(
        "validate-single-policy-file", ("validate", "bad.yaml"),
        ("bad.yaml:4: policies.0: policy 'x' has an empty require and no deny, so it could never do anything",),
        {"bad.yaml": _policy("  - id: x\n", layer="org")},
    ),
    BadInput(
        "validate-reports-every-error", ("validate",),
        (f"{TEAM_POLICY}:4: policies.0: policy 'idle' has an empty require and no deny, "
         "so it could never do anything",
         f"{MANIFEST_PATH}:3: type: 'urgent' is not one of standard, normal, emergency"),
        {TEAM_POLICY: _policy("  - id: idle\n"),
         MANIFEST_PATH: MANIFEST.replace("type: normal", "type: urgent")},
    ),
]


def _build(case: BadInput, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    (root / "changed.txt").write_text("services/crm/app.py\n", encoding="utf-8")
    for rel, content in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if case.setup:
        case.setup(root)
    if case.git:
        GitRepo(root).commit("base")
    return root


def _params(cases: list[BadInput]) -> list[object]:
    return [
        pytest.param(c, id=c.name, marks=[pytest.mark.xfail(reason=c.bug, strict=True)] if c.bug else [])
        for c in cases
    ]


def _assert_error_lines(stderr: str, expected: tuple[str, ...], root: Path) -> None:
    want = [f"changegate: error: {line.replace('{root}', str(root))}" for line in expected]
    assert stderr.splitlines() == want
    assert "Traceback" not in stderr


def test_enumerates_at_least_thirty_distinct_bad_inputs() -> None:
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names)
    assert len(names) >= 30


@pytest.mark.parametrize("case", _params(CASES))
def test_bad_input_exits_2_with_one_file_line_message_per_error(
    case: BadInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _build(case, tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = CliRunner().invoke(cli, list(case.args))
    assert "Traceback" not in result.stdout
    _assert_error_lines(result.stderr, case.expected, Path.cwd())
    assert result.exit_code == 2
    assert result.stdout == ""


SUBPROCESS_CASES = [c for c in CASES if c.name in ("alias-bomb", "unknown-base-ref", "approvals-not-json")]


@pytest.mark.parametrize("case", _params(SUBPROCESS_CASES))
def test_installed_console_script_reports_bad_input_without_traceback(case: BadInput, tmp_path: Path) -> None:
    root = _build(case, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    proc = subprocess.run([str(CONSOLE_SCRIPT), *case.args], cwd=root, env=env, capture_output=True,
                          text=True, check=False)
    _assert_error_lines(proc.stderr, case.expected, root.resolve())
    assert "Traceback" not in proc.stdout
    assert proc.returncode == 2
