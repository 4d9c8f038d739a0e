"""Waivers (SPEC §6): which of the manifest's waivers lifts a matching policy, and why
each other waiver of it does not (final, not waivable, expired, not approved)."""

from __future__ import annotations

from changegate.core.policy_context import PolicyContext, names
from changegate.model import Finding, Policy, Waiver, WaiverUse


def applicable_waiver(policy: Policy, ctx: PolicyContext) -> tuple[WaiverUse | None, list[Finding]]:
    """The manifest waiver that lifts `policy`, if any, and a warning for each waiver of
    `policy` that does not (when none does)."""
    if ctx.manifest is None:
        return None, []
    manifest = ctx.manifest
    findings: list[Finding] = []
    for index, waiver in enumerate(manifest.waivers):
        if waiver.policy != policy.id:
            continue
        problem = _waiver_problem(policy, waiver, ctx)
        if problem is None:
            return WaiverUse(waiver.reason, waiver.expires.isoformat()), []
        code, message = problem
        line = waiver.loc.line if waiver.loc and waiver.loc.line else manifest.line_of(f"waivers.{index}")
        findings.append(Finding("warning", code, message, manifest.file, line))
    return None, findings


def _waiver_problem(policy: Policy, waiver: Waiver, ctx: PolicyContext) -> tuple[str, str] | None:
    head = f"waiver for policy {policy.id} does not apply"
    if policy.final:
        return "waiver-final", f"{head}: the policy is final and cannot be waived"
    if not policy.waivable_by:
        return ("waiver-not-waivable",
                f"{head}: the policy has no waivable_by teams, so it cannot be waived")
    if waiver.expires < ctx.evidence.today:
        return "waiver-expired", f"{head}: it expired on {waiver.expires.isoformat()}"
    eligible = frozenset().union(*(ctx.members(t) for t in policy.waivable_by))
    if ctx.approvers & eligible:
        return None
    teams = ", ".join(policy.waivable_by)
    return ("waiver-unapproved",
            f"{head}: it needs an approval from a member of {teams} "
            f"({names(eligible - ctx.excluded)}) at the head commit; approved so far: "
            f"{names(ctx.approvers, 'none')}")
