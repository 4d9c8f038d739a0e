"""The GitHub change source: a workflow run of `pull_request`, `pull_request_target`,
`pull_request_review` or `merge_group`, or a `workflow_run` that checks a pull request again.

The event names the base and head commits; the gate comes from the base commit
(`base_gate`); files, approvals and team members come from the REST API (`facts`);
manifests are read from the head commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

from changegate import model as models
from changegate.load.gate import GateFiles
from changegate.sources import changed_files, git, junit
from changegate.sources.change import Change, SourceEvidence
from changegate.sources.github import base_gate, checks, event, facts, identity, rerun
from changegate.sources.github.api import Client, client_from_env
from changegate.sources.github.tracked_reports import TrackedReports


class GithubSource:
    """The change of this workflow run, in the checkout at `root`. `env` is the step's
    environment (GITHUB_EVENT_PATH, GITHUB_TOKEN, …)."""

    def __init__(self, root: Path, config_path: str | None, env: Mapping[str, str], *,
                 junit: tuple[str, ...] = (), no_cache: bool = False) -> None:
        self.root = root
        self.config_path = config_path
        self.env = env
        self.junit = junit
        self.no_cache = no_cache
        if env.get("GITHUB_EVENT_NAME", "").strip() == rerun.WORKFLOW_RUN:
            self.event = rerun.load(env, self.client)
        else:
            self.event = event.load(env)
        self._gathered: facts.GithubFacts | None = None

    @cached_property
    def client(self) -> Client:
        """The REST client, made from the environment's token on first use."""
        return client_from_env(self.env)

    def comment_author(self) -> str:
        """The token's own login: the only author whose sticky comment is edited."""
        return identity.comment_author(self.client, self.env)

    def load_gate(self) -> GateFiles:
        """Config, map and policies as the base commit has them."""
        # The compiled-map cache is a file a pull request's own code (its tests, run earlier
        # in the same job) could write; so in GitHub mode it is used only when the workflow
        # opts in by setting CHANGEGATE_CACHE_DIR (see docs/performance.md).
        no_cache = self.no_cache or not self.env.get("CHANGEGATE_CACHE_DIR")
        return base_gate.load_from_base(self.root, self.event.base_sha, self.config_path, no_cache=no_cache)

    def _facts(self, gate: GateFiles) -> facts.GithubFacts:
        """What GitHub says about the change, asked once."""
        if self._gathered is None:
            self._gathered = facts.gather(self.root, self.event, self.client, gate.depmap.teams)
        return self._gathered

    def change(self, gate: GateFiles) -> Change:
        """The files GitHub lists (or git diffs, past the API's cap); manifests from the head."""
        found = self._facts(gate)
        head = self.event.head_sha
        files = changed_files.checked(found.changed_files, "the pull request's changed files (GitHub)",
                                      gate.config.limits.changed_files)
        # the API lists a submodule bump as a plain path: git says it is a gitlink (a directory entry)
        links = git.gitlinks(self.root, (head, self.event.base_sha), [f for f in files if not f.endswith("/")])
        files = tuple(sorted(f + "/" if f in links else f for f in files))
        candidates = tuple(p for p in files
                           if gate.config.is_manifest_path(p) and git.show(self.root, head, p) is not None)
        return Change(files, candidates, self.event.base_sha, head, manifests_at=head)

    def evidence(self, gate: GateFiles, change: Change) -> SourceEvidence:
        """Approvals and team members from GitHub; notices on how they were read and on
        edits to the gate's own files; JUnit results of the config's and the command line's globs
        and of the config's suite mapping, committed report files left out; and the check runs
        and commit statuses on the head commit."""
        found = self._facts(gate)
        findings = [models.Finding("notice", "github", n) for n in found.notices]
        findings += base_gate.edited_gate_findings(self.root, self.config_path, gate.config, change.files)
        committed = TrackedReports(self.root, (self.event.base_sha, self.event.head_sha))
        reports = junit.load((*gate.config.junit, *self.junit), self.root, dict(gate.config.suites),
                             counts_as_evidence=committed)
        findings += committed.findings()
        ran, check_notices = checks.read(self.client, self.event.repository, self.event.head_sha)
        findings += [models.Finding("notice", "github", n) for n in check_notices]
        suites = checks.merge(reports, checks.suite_results(ran, dict(gate.config.github_checks)))
        return SourceEvidence(found.approvals, suites, dict(found.team_members), tuple(findings))
