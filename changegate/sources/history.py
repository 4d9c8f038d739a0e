"""The commits between each approved commit and the head, from git (`model.History`):
who wrote each one, what it changed, and whether it is a merge of the base branch that
brings only base changes. The core (core/approval_history.py) judges what they do to
the approvals; this module only asks git.

An update merge is proven, never taken from its message: exactly two parents, the first
on the change's own line (not reachable from the base), the second reachable from the
base, and its tree identical to the tree git's own merge of the two parents gives
(`git merge-tree --write-tree`): a merge that resolved conflicts by hand or slipped in any
change of its own does not qualify.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from changegate.core.approvals import is_full_sha, latest_reviews
from changegate.model import Approvals, CommitFacts, History
from changegate.sources import git

MAX_COMMITS = 1000  # past this many commits after an approval, it is judged stale unexamined
GITHUB_IDENTITIES = frozenset({"noreply@github.com", "web-flow"})  # GitHub itself committing


def gather(root: Path, base: str, head: str, approvals: Approvals,
           api_people: Mapping[str, tuple[tuple[str, ...], bool]] | None = None) -> History:
    """The history behind the approvals on commits other than `head`. `api_people` (GitHub
    mode): commit sha -> (the logins the API gives its author and committer, whether GitHub
    verified its signature); with it, a commit is `authentic` only when verified."""
    head = head.lower()
    reviewed = sorted({r.commit_id for r in latest_reviews(approvals).values()
                       if r.state == "APPROVED" and r.commit_id and is_full_sha(r.commit_id)
                       and r.commit_id != head})
    since: dict[str, tuple[str, ...] | None] = {}
    for commit in reviewed:
        if not git.commit_exists(root, commit):
            continue  # not fetched or gone: judged stale without more to say
        if not git.is_ancestor(root, commit, head):
            since[commit] = None
            continue
        shas = git.commits_between(root, head, [commit, base])
        if len(shas) <= MAX_COMMITS:
            since[commit] = tuple(shas)
    wanted = sorted({sha for shas in since.values() if shas for sha in shas})
    headers = git.commit_headers(root, wanted)
    commits = {sha: _facts(root, base, sha, header, api_people) for sha, header in headers.items()}
    return History(commits, since)


def _facts(root: Path, base: str, sha: str, header: tuple[tuple[str, ...], str, str, str],
           api_people: Mapping[str, tuple[tuple[str, ...], bool]] | None) -> CommitFacts:
    parents, tree, author, committer = header
    people = {p.strip().lower() for p in (author, committer) if p.strip()}
    authentic = True
    if api_people is not None:
        logins, verified = api_people.get(sha, ((), False))
        people.update(login.lower() for login in logins)
        authentic = verified
    people -= GITHUB_IDENTITIES
    files = tuple(git.commit_paths(root, sha, parents[0] if parents else None))
    update, note = _update_merge(root, base, parents, tree) if len(parents) > 1 else (False, "")
    return CommitFacts(sha=sha, people=tuple(sorted(people)), files=files, update_merge=update,
                       merge_note=note, authentic=authentic)


def _update_merge(root: Path, base: str, parents: tuple[str, ...], tree: str) -> tuple[bool, str]:
    """Whether a merge commit with `parents` and `tree` brings only base changes, and if not, why."""
    if len(parents) != 2:
        return False, f"a merge of {len(parents)} parents is not an update merge"
    ours, theirs = parents
    if git.is_ancestor(root, ours, base):
        return False, "its first parent is on the base branch, not on the change"
    if not git.is_ancestor(root, theirs, base):
        return False, "its second parent is not on the base branch"
    merged = git.merged_tree(root, ours, theirs)
    if merged is None:
        return False, "its parents conflict (or git is older than 2.38), so git cannot show it adds nothing"
    if merged != tree:
        return False, "it changes more than merging the base branch does"
    return True, ""
