"""Policy files: builtin and local, sorted by layer, every problem named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_samples import MAP, MAP_FILE, POLICY, messages, repo, write

from changegate.load.config import load_config
from changegate.load.depmap import load_map
from changegate.load.policies import available_builtins, load_policies
from changegate.model import Config, DepMap


def load_all(root: Path) -> tuple[Config, DepMap]:
    config = load_config(root, None)
    depmap = load_map(root, config)
    load_policies(root, config, depmap)
    return config, depmap


POLICY_CASES = [
    pytest.param(
        "      tests:", "      test:",
        [".changegate/policies/org.yaml:15: policies.0.require: unknown key 'test' (allowed: approvals, "
         "fields, manifest, owners, tests)"],
        id="unknown-key-in-require",
    ),
    pytest.param(
        "layer: org", "layer: team",
        [".changegate/policies/org.yaml:2: layer: 'team' is not one of the configured layers: org, "
         "value-stream, component, change"],
        id="unknown-layer",
    ),
    pytest.param(
        "waivable_by: [finance-owners]", "waivable_by: [finance-owner]",
        [".changegate/policies/org.yaml:5: policies.0.waivable_by.0: unknown team 'finance-owner' "
         "(did you mean 'finance-owners'?)"],
        id="unknown-waivable-by-team",
    ),
    pytest.param(
        "- team: finance-owners", "- team: auditors",
        [".changegate/policies/org.yaml:12: policies.0.require.approvals.0.team: unknown team 'auditors' "
         "(known: crm-team, finance-owners)"],
        id="unknown-approval-team",
    ),
    pytest.param(
        "value_streams: [finance-settlement]", "value_streams: [finance-settlment]",
        [".changegate/policies/org.yaml:7: policies.0.match.value_streams.0: unknown value stream "
         "'finance-settlment' (did you mean 'finance-settlement'?)"],
        id="unknown-match-value-stream",
    ),
    pytest.param(
        "touched_components: [crm]", "touched_components: [erp]",
        [".changegate/policies/org.yaml:8: policies.0.match.touched_components.0: unknown component 'erp' "
         "(known: crm, ledger)"],
        id="unknown-match-component",
    ),
    pytest.param(
        "interfaces_changed: [crm-customer-api]", "interfaces_changed: [erp-api]",
        [".changegate/policies/org.yaml:9: policies.0.match.interfaces_changed.0: unknown interface "
         "'erp-api' (known: crm-customer-api)"],
        id="unknown-match-interface",
    ),
    pytest.param(
        "        - owners_of: value_streams", "        - {owners_of: value_streams, team: x}",
        [".changegate/policies/org.yaml:14: policies.0.require.approvals.1: unknown key 'owners_of' "
         "(allowed: changes_requested_blocks, count, team)"],
        id="approval-with-team-and-owners-of",
    ),
    pytest.param(
        "        - owners_of: value_streams", "        - owners_of: everyone",
        [".changegate/policies/org.yaml:14: policies.0.require.approvals.1.owners_of: 'everyone' is not one "
         "of value_streams, touched_components, impacted_components"],
        id="wrong-owners-of",
    ),
    pytest.param(
        "          count: 1", "          count: 0",
        [".changegate/policies/org.yaml:13: policies.0.require.approvals.0.count: must be at least 1"],
        id="zero-count",
    ),
    pytest.param(
        "    require:\n      approvals:\n        - team: finance-owners\n          count: 1\n"
        "        - owners_of: value_streams\n      tests: [finance-regression, {from: touched_components}]\n",
        "    require: {}\n",
        [".changegate/policies/org.yaml:4: policies.0: policy 'finance-signoff' has an empty require and no "
         "deny, so it could never do anything"],
        id="policy-that-does-nothing",
    ),
    pytest.param(
        "      interfaces_changed: [crm-customer-api]", "      interfaces_changed: crm-customer-api",
        [".changegate/policies/org.yaml:9: policies.0.match.interfaces_changed: expected a boolean or a "
         "list, got a string"],
        id="interfaces-changed-wrong-type",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), POLICY_CASES)
def test_bad_policy_names_file_line_and_key(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert old in POLICY
    root = repo(tmp_path, **{".changegate__policies__org.yaml": POLICY.replace(old, new, 1)})
    assert messages(lambda: load_all(root)) == expected


def test_duplicate_policy_id_across_files_names_both(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__policies__zz.yaml": (
        "layer: change\npolicies:\n  - id: other\n    deny: stop\n  - id: finance-signoff\n    deny: stop\n")})
    assert messages(lambda: load_all(root)) == [
        ".changegate/policies/zz.yaml:5: policies.1.id: policy id 'finance-signoff' is already defined at "
        ".changegate/policies/org.yaml:4"
    ]


def test_unknown_builtin_lists_the_available_ones(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__config.yaml": "version: 1\npolicies:\n  - builtin:basline\n"})
    available = ", ".join(f"builtin:{n}" for n in available_builtins())
    assert "builtin:baseline" in available
    assert messages(lambda: load_all(root)) == [
        f".changegate/config.yaml:3: unknown builtin policy set 'builtin:basline' (available: {available})"
    ]


def test_explicit_missing_policy_directory_is_an_error_but_the_default_is_not(tmp_path: Path) -> None:
    root = write(tmp_path / "a", {MAP_FILE: MAP})
    depmap = load_map(root, Config())
    assert {p.id for p in load_policies(root, Config(), depmap)} == {  # the default sources, no directory
        p.id for p in load_policies(root, Config(policies=("builtin:baseline",)), depmap)}
    assert messages(lambda: load_policies(root, Config(policies=(".changegate/policies",)), depmap)) == [
        ".changegate/policies: policy file or directory '.changegate/policies' does not exist"]
    root = write(tmp_path / "b", {MAP_FILE: MAP, ".changegate/config.yaml": "policies: [gate/policies]\n"})
    assert messages(lambda: load_all(root)) == [
        ".changegate/config.yaml:1: policy file or directory 'gate/policies' does not exist"
    ]


def test_policies_are_sorted_by_layer_then_file_order(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        ".changegate__policies__a-change.yaml": "layer: change\npolicies:\n  - {id: c1, deny: x}\n",
        ".changegate__policies__b-component.yaml": "layer: component\npolicies:\n  - {id: k1, deny: x}\n"
                                                    "  - {id: k2, require: {manifest: true}}\n",
        ".changegate__config.yaml": "policies: [builtin:baseline, .changegate/policies]\n",
    })
    config, depmap = load_all(root)
    policies = load_policies(root, config, depmap)
    custom = [(p.id, p.layer) for p in policies if not p.id.startswith("baseline-")]
    assert custom == [("finance-signoff", "org"), ("k1", "component"), ("k2", "component"), ("c1", "change")]
    assert policies[0].loc is not None and policies[0].loc.file == "builtin:baseline"
    signoff = next(p for p in policies if p.id == "finance-signoff")
    assert str(signoff.loc) == ".changegate/policies/org.yaml:4"
    assert signoff.match.value_streams == ("finance-settlement",)
    assert signoff.match.interfaces_changed == ("crm-customer-api",)
    assert signoff.match.when is None
    assert [(r.team, r.count, r.owners_of) for r in signoff.require.approvals] == [
        ("finance-owners", 1, None), (None, 1, "value_streams")]
    assert [(t.suite, t.from_) for t in signoff.require.tests] == [
        ("finance-regression", None), (None, "touched_components")]
