"""Test evidence that CI reported to GitHub about the head commit: check runs and commit
statuses (SPEC §8a). A suite is reported by the checks its config names
(`evidence.github_checks`), else by a check run or status context of its own name.

Only `success` counts. Of several check runs with one name (a re-run, another attempt) the
latest (the last created: GitHub's ids only grow) is the one read; commit statuses come from the
combined status, which already holds the latest status of each context.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from changegate import model as models
from changegate.sources.github.api import ApiError, Client

CHECKS_READ = "checks: read"
STATUSES_READ = "statuses: read"
PENDING = frozenset({"queued", "in_progress", "waiting", "requested", "pending"})


@dataclass(frozen=True)
class Check:
    """One check run or commit status as GitHub reports it on the head commit."""

    kind: str  # "check run" or "commit status"
    name: str
    outcome: str  # success, failure, cancelled, ..., or a pending state
    order: tuple[int, str]  # (id, started/updated time): the larger is the later; ids only grow

    @property
    def text(self) -> str:
        return f"{self.kind} '{self.name}': {self.outcome.replace('_', ' ')}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def check_runs(client: Client, repo: str, sha: str) -> list[Check]:
    """The latest check run of each name on `sha` (GET .../commits/{sha}/check-runs)."""
    found: list[Check] = []
    for item in client.get_all(f"repos/{repo}/commits/{sha}/check-runs", permission=CHECKS_READ,
                               params={"filter": "latest"}, key="check_runs"):
        if not isinstance(item, dict) or not _text(item.get("name")):
            continue
        status = _text(item.get("status")) or "queued"
        outcome = (_text(item.get("conclusion")) or "pending") if status == "completed" else status
        order = (_number(item.get("id")), _text(item.get("started_at")) or _text(item.get("completed_at")))
        found.append(Check("check run", item["name"], outcome, order))
    return _latest(found)


def statuses(client: Client, repo: str, sha: str) -> list[Check]:
    """The latest status of each context on `sha` (GET .../commits/{sha}/status)."""
    found: list[Check] = []
    for item in client.get_all(f"repos/{repo}/commits/{sha}/status", permission=STATUSES_READ, key="statuses"):
        if not isinstance(item, dict) or not _text(item.get("context")):
            continue
        order = (_number(item.get("id")), _text(item.get("updated_at")) or _text(item.get("created_at")))
        found.append(Check("commit status", item["context"], _text(item.get("state")) or "pending", order))
    return _latest(found)


def _latest(found: Iterable[Check]) -> list[Check]:
    latest: dict[str, Check] = {}
    for check in found:
        if check.name not in latest or check.order > latest[check.name].order:
            latest[check.name] = check
    return [latest[name] for name in sorted(latest)]


def read(client: Client, repo: str, sha: str) -> tuple[list[Check], list[str]]:
    """Check runs and commit statuses on `sha`, and notices. A refusal (403/404: the token
    lacks checks: read or statuses: read) leaves that source out with a notice, so no suite
    is satisfied by it; any other failure raises ApiError."""
    found: list[Check] = []
    notices: list[str] = []
    for reader, what, permission in ((check_runs, "check runs", CHECKS_READ),
                                     (statuses, "commit statuses", STATUSES_READ)):
        try:
            found.extend(reader(client, repo, sha))
        except ApiError as err:
            if err.status not in (403, 404):
                raise
            notices.append(f"could not read the {what} of the head commit (needs {permission}); "
                           f"no suite is satisfied by {what}")
    return found, notices


def suite_results(found: Sequence[Check], mapping: Mapping[str, Sequence[str]]) -> dict[str, models.SuiteResult]:
    """A suite result for every suite the checks report: the mapped suites from their named
    checks, every other check under its own name."""
    by_name: dict[str, list[Check]] = {}
    for check in found:
        by_name.setdefault(check.name, []).append(check)
    mapped_names = {name for names in mapping.values() for name in names}
    results: dict[str, models.SuiteResult] = {}
    for suite, names in mapping.items():
        checks = [c for name in names for c in by_name.get(name, ())]
        if checks:
            results[suite] = _result(suite, checks)
    for name, checks in by_name.items():
        if name not in mapping and name not in mapped_names:
            results[name] = _result(name, checks)
    return results


def _result(suite: str, checks: Sequence[Check]) -> models.SuiteResult:
    return models.SuiteResult(
        name=suite, tests=0, failures=0, errors=0, skipped=0,
        checks=tuple(c.text for c in checks),
        checks_failed=sum(1 for c in checks if c.outcome not in PENDING and c.outcome != "success"),
        checks_pending=sum(1 for c in checks if c.outcome in PENDING),
    )


def merge(reports: Mapping[str, models.SuiteResult],
          checks: Mapping[str, models.SuiteResult]) -> dict[str, models.SuiteResult]:
    """JUnit results and check results of the same suite together: the suite passes only when
    both sources it has say so."""
    merged = dict(reports)
    for suite, result in checks.items():
        if suite in merged:
            merged[suite] = replace(merged[suite], checks=result.checks, checks_failed=result.checks_failed,
                                    checks_pending=result.checks_pending)
        else:
            merged[suite] = result
    return dict(sorted(merged.items()))
