"""The decision only gets stricter with more policies and fewer approvals: adding a policy
never turns `fail` into `pass`, and neither does removing an approval."""

from __future__ import annotations

import dataclasses

from gate_run import load
from gate_strategies import Gate, gates, repository
from hypothesis import event, given
from hypothesis import strategies as st

from changegate.core.decide import decide
from changegate.load.gate import GateFiles
from changegate.model import Decision, Evidence, Manifest, Policy


def _decide(files: GateFiles, manifest: Manifest | None, policies: tuple[Policy, ...],
            evidence: Evidence) -> Decision:
    return decide(manifest, files.depmap, files.adjacency, policies, evidence, files.config,
                  path_index=files.path_index)


@given(gates(extra_policies=True))
def test_adding_a_policy_never_turns_fail_into_pass(gate: Gate) -> None:
    gate.policy_files["zz-added.yaml"] = {"version": 1, "layer": "change", "policies": gate.extra}
    with repository(gate) as root:
        loaded = load(root, gate)
    added = {p["id"] for p in gate.extra}
    every = loaded.gate.policies
    without = tuple(p for p in every if p.id not in added)
    assert len(without) == len(every) - len(added)
    before = _decide(loaded.gate, loaded.manifest, without, loaded.evidence)
    after = _decide(loaded.gate, loaded.manifest, every, loaded.evidence)
    event(f"{before.decision} -> {after.decision}")
    if before.decision == "fail":
        assert after.decision == "fail"
    # what was blocking stays blocking: a policy adds requirements, it never lifts one
    assert _blocking(before) <= _blocking(after)


@given(gates(), st.data())
def test_removing_an_approval_never_turns_fail_into_pass(gate: Gate, data: st.DataObject) -> None:
    """An approval is a user's, as the pull request shows it: removing it removes every
    APPROVED review of theirs. (Removing one review is not removing an approval: each user's
    latest review counts, so dropping a later APPROVED review on an old commit brings back
    an earlier one at the head — found by the long profile.)"""
    with repository(gate) as root:
        loaded = load(root, gate)
    reviews = loaded.evidence.approvals.reviews
    before = _decide(loaded.gate, loaded.manifest, loaded.gate.policies, loaded.evidence)
    approvers = sorted({r.user for r in reviews if r.state == "APPROVED"})
    event(f"{before.decision} with {len(approvers)} approvers")
    while approvers:  # remove them one by one: each step may only make the decision stricter
        user = data.draw(st.sampled_from(approvers))
        approvers.remove(user)
        reviews = tuple(r for r in reviews if not (r.user == user and r.state == "APPROVED"))
        evidence = dataclasses.replace(
            loaded.evidence, approvals=dataclasses.replace(loaded.evidence.approvals, reviews=reviews))
        after = _decide(loaded.gate, loaded.manifest, loaded.gate.policies, evidence)
        if before.decision == "fail":
            assert after.decision == "fail"
        # an approval requirement met now was met before, or waived (by a waiver whose
        # approver is the one removed)
        assert _approvals(after, "satisfied") <= _approvals(before, "satisfied") | _approvals(before, "waived")
        before = after


def _blocking(decision: Decision) -> set[tuple[str, str]]:
    return {(r.kind, r.target) for r in decision.requirements
            if r.severity == "error" and r.status in ("missing", "failed")}


def _approvals(decision: Decision, status: str) -> set[str]:
    return {r.target for r in decision.requirements if r.kind == "approval" and r.status == status}
