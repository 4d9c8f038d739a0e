"""What happened to every approval (docs/formats.md, "ignored_reviews"): once the
requirements are known, each review that did not count gets its reason (stale and what made
it stale, the author, a committer, not a member, withdrawn, dismissed, an abbreviated SHA)
and each veto its requirements; one notice each, in reviewer order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from changegate.core.approval_history import describe
from changegate.core.policy_context import PolicyContext
from changegate.model import Finding, Requirement, ReviewOutcome


def review_outcomes(ctx: PolicyContext, requirements: Sequence[Requirement],
                    waiver_members: Iterable[str]) -> tuple[tuple[ReviewOutcome, ...], tuple[Finding, ...]]:
    """The reviews that did not count (and vetoes), and a notice for each of them and for
    each approval on an earlier commit that still counts. `waiver_members` are the members
    of the teams that may approve the manifest's waivers of matching policies (whether a
    waiver applies, its own finding says)."""
    standing = ctx.standing
    asked = [r for r in requirements if r.kind == "approval"]
    waivers = frozenset(waiver_members)
    outcomes = list(standing.outcomes)
    kept = dict(standing.kept)
    settings = ctx.config.approvals
    for user, review in standing.pending_reviews.items():
        counted = [r.target for r in asked if user in r.approvers]
        missed = [r.target for r in asked if user not in r.approvers and user in r.eligible]
        commit = (review.commit_id or "")[:7]
        commits = standing.pending[user]
        if counted and not missed:
            kept[user] = (f"approval on an earlier commit {commit} still counts for {', '.join(counted)}: "
                          "the commits since touched none of its files (approvals.invalidate: touched-scope)")
            continue
        made = f"made stale by {describe(commits, settings)}"
        detail = (f"approval on an earlier commit {commit} counts for {', '.join(counted)} but is stale "
                  f"for {', '.join(missed)}: {made}" if counted
                  else f"approval on an earlier commit {commit} (stale: {made})")
        outcomes.append(ReviewOutcome(user, review.state, review.commit_id, "stale", detail,
                                      tuple(c.sha for c in commits), tuple(missed) if counted else ()))
    if asked or waivers:
        for user in sorted(standing.fresh):
            if user in waivers or any(user in r.approvers for r in asked):
                continue
            wanted = ", ".join(r.target for r in asked) or "the waivers"
            outcomes.append(ReviewOutcome(user, "APPROVED", standing.latest[user].commit_id, "not-member",
                                          f"not a member of a team whose approval this change needs "
                                          f"({wanted})"))
    for user, review in standing.vetoes.items():
        blocked = tuple(r.target for r in asked if user in r.vetoed_by)
        if blocked:
            outcomes.append(ReviewOutcome(
                user, review.state, review.commit_id, "veto",
                f"requested changes, which blocks {', '.join(blocked)} until they approve or the review "
                "is dismissed (changes_requested_blocks)", (), blocked))
    ordered = tuple(sorted(outcomes, key=lambda o: o.user))
    return ordered, _findings(ctx, ordered, kept)


def _findings(ctx: PolicyContext, outcomes: Sequence[ReviewOutcome],
              kept: dict[str, str]) -> tuple[Finding, ...]:
    source = ctx.evidence.approvals.source
    found = [Finding("notice", "approval-ignored", note, source) for note in ctx.standing.notes]
    entries = [(o.user, Finding("notice", "approval-veto" if o.reason == "veto" else "approval-ignored",
                                f"{o.user}: {o.detail}", source)) for o in outcomes]
    entries += [(user, Finding("notice", "approval-kept", f"{user}: {why}", source))
                for user, why in kept.items()]
    found += [finding for _, finding in sorted(entries, key=lambda e: e[0])]
    return tuple(found)
