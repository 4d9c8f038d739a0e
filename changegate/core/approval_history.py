"""Which commits after an approval leave it standing (docs/formats.md, `approvals`):
commits by an account `ignore_commits_by` lists and, with `ignore_update_merges`, merges
of the base branch that git proved bring only base changes. Every other commit makes the
approval stale (or, with `invalidate: touched-scope`, stale for the requirements whose
files it touched). Pure: the commit facts come from git (sources/history.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from changegate.model import ApprovalSettings, CommitFacts, History

NOREPLY_DOMAIN = "@users.noreply.github.com"
_COMMITS_NAMED = 3  # commits named in a "made stale by" message before "and N more"
_FILES_NAMED = 3


def is_listed(identity: str, listed: Sequence[str]) -> bool:
    """True when `identity` (a login or an e-mail) is one of `listed`, or is GitHub's
    no-reply address (`[ID+]login@users.noreply.github.com`) of a listed login."""
    if not listed:
        return False
    name = identity.strip().lower()
    if name in listed:
        return True
    if name.endswith(NOREPLY_DOMAIN):
        local = name[: -len(NOREPLY_DOMAIN)]
        return local.split("+", 1)[-1] in listed
    return False


def by_listed_account(commit: CommitFacts, listed: Sequence[str]) -> bool:
    """True when every identity of `commit` (author and committer) is listed, and its
    identities can be trusted (`authentic`)."""
    return (bool(listed) and commit.authentic and bool(commit.people)
            and all(is_listed(p, listed) for p in commit.people))


@dataclass(frozen=True)
class SinceVerdict:
    """What the commits after an approved commit do to the approval: `kept` it, or leave
    `remaining` commits that make it stale; `why` is the message's tail."""

    kept: bool
    remaining: tuple[CommitFacts, ...] = ()
    why: str = ""


def judge_since(history: History | None, commit: str, settings: ApprovalSettings) -> SinceVerdict:
    """Whether an approval on `commit` (not the head) still counts given the commits after it."""
    if history is None or commit not in history.since:
        return SinceVerdict(False)
    since = history.since[commit]
    if since is None:
        return SinceVerdict(False, (), ": that commit is not in the head commit's history "
                                       "(rebased or force-pushed)")
    remaining: list[CommitFacts] = []
    merges = bots = 0
    for sha in since:
        facts = history.commits.get(sha) or CommitFacts(sha)  # nothing known: it counts as a push
        if by_listed_account(facts, settings.ignore_commits_by):
            bots += 1
        elif settings.ignore_update_merges and facts.update_merge:
            merges += 1
        else:
            remaining.append(facts)
    if remaining:
        return SinceVerdict(False, tuple(remaining), ": made stale by " + describe(remaining, settings))
    reasons = []
    if merges:
        one = merges == 1
        reasons.append(f"{_count(merges, 'commit')} since {'is a merge' if one else 'are merges'} "
                       f"of the base branch that git shows {'brings' if one else 'bring'} only base changes "
                       "(approvals.ignore_update_merges)")
    if bots:
        reasons.append(f"{_count(bots, 'commit')} since {'is' if bots == 1 else 'are'} by accounts "
                       "approvals.ignore_commits_by lists")
    return SinceVerdict(True, (), "; ".join(reasons) or "no commit since")


def describe(commits: Sequence[CommitFacts], settings: ApprovalSettings) -> str:
    """ "commit 1234567 (changed a, b), commit 89abcde (…) and 2 more"."""
    parts = []
    for facts in commits[:_COMMITS_NAMED]:
        part = f"commit {facts.sha[:7]}"
        if facts.files:
            shown = ", ".join(facts.files[:_FILES_NAMED])
            more = len(facts.files) - _FILES_NAMED
            part += f" (changed {shown}{f' and {more} more' if more > 0 else ''})"
        if settings.ignore_update_merges and facts.merge_note:
            part += f" [{facts.merge_note}]"
        parts.append(part)
    more = len(commits) - _COMMITS_NAMED
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
