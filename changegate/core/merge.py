"""Merging what matching policies ask into requirements (SPEC §6): one requirement per
(kind, target), the strictest contribution that is not waived winning, the other askers
listed in `also_required_by`."""

from __future__ import annotations

from collections.abc import Sequence

from changegate.core.asks import Ask, Asked
from changegate.model import Policy, Requirement, Status, WaiverUse

# The merge never looks at the ~200,000 individual (policy, ask) pairs of an enterprise
# change: what policies ask comes in shared tuples, and for one tuple the strictest
# contribution to a (kind, target) it holds depends only on the askers' severities and
# waivers, so it is found once per tuple (`_Uses`) and combined per (kind, target).

_Pos = tuple[int, int, int]  # (policy, ask tuple within the policy, ask within the tuple)
_Pick = tuple[tuple[int, int], Policy, WaiverUse | None]  # (policy, tuple) position, asker


class _Uses:
    """The policies asking one tuple of asks, in order: the first of them, the first with
    severity error, each also among those not waived, and where each policy id first asks."""

    def __init__(self, asks: tuple[Ask, ...]) -> None:
        self.asks = asks
        self.first: _Pick | None = None
        self.first_error: _Pick | None = None
        self.first_live: _Pick | None = None
        self.first_live_error: _Pick | None = None
        self.policy_ids: dict[str, tuple[int, int]] = {}
        self._others: dict[str, tuple[str, ...]] = {}

    def add(self, pick: _Pick) -> None:
        _, policy, waiver = pick
        error = policy.severity == "error"
        if self.first is None:
            self.first = pick
        if error and self.first_error is None:
            self.first_error = pick
        if waiver is None:
            if self.first_live is None:
                self.first_live = pick
            if error and self.first_live_error is None:
                self.first_live_error = pick
        self.policy_ids.setdefault(policy.id, pick[0])

    def best(self, live: bool) -> _Pick | None:
        """The strictest asker (among those not waived when `live`): ties keep the earliest."""
        if live:
            return self.first_live_error or self.first_live
        return self.first_error or self.first

    def others(self, winner: str) -> tuple[str, ...]:
        found = self._others.get(winner)
        if found is None:
            found = self._others[winner] = tuple(p for p in self.policy_ids if p != winner)
        return found


def merge(asked: Sequence[Asked]) -> tuple[Requirement, ...]:
    """One requirement per (kind, target): the strictest contribution that is not waived
    wins; when all are waived, the strictest waived one is shown as `waived`. Strictest is
    error before warning, then the larger count, then not satisfied; ties keep the earliest
    (outermost layer). Requirements come in the order their (kind, target) was first asked."""
    uses: dict[int, _Uses] = {}  # by id() of the shared tuple
    for i, (policy, waiver, tuples) in enumerate(asked):
        for j, asks in enumerate(tuples):
            found = uses.get(id(asks))
            if found is None:
                found = uses[id(asks)] = _Uses(asks)
            found.add(((i, j), policy, waiver))
    # Each (kind, target)'s occurrences; tuples in order of first use give first-ask order.
    occurrences: dict[tuple[str, str], list[tuple[_Uses, int]]] = {}
    for found in uses.values():
        for k, ask in enumerate(found.asks):
            key = (ask.kind, ask.target)
            listed = occurrences.get(key)
            if listed is None:
                occurrences[key] = [(found, k)]
            else:
                listed.append((found, k))
    merged: list[Requirement] = []
    for listed in occurrences.values():
        if len(listed) == 1:
            found, k = listed[0]
            ask = found.asks[k]
            live = found.first_live is not None
            pick = found.best(live)
            assert pick is not None
            policy, waiver = pick[1], pick[2]
            others = found.others(policy.id)
        else:
            ask, policy, waiver, live, others = _merge_occurrences(listed)
        status: Status = ask.status
        fix = ask.fix
        shown_waiver: WaiverUse | None = None
        if not live and status != "satisfied":
            shown_waiver, status, fix = waiver, "waived", ""
        merged.append(Requirement(
            kind=ask.kind, target=ask.target, policy=policy.id, layer=policy.layer,
            severity=policy.severity, status=status,
            detail=ask.detail, fix=fix, count=ask.count, approvers=ask.approvers,
            eligible=ask.eligible, also_required_by=others, waiver=shown_waiver,
            vetoed_by=ask.vetoed_by,
        ))
    return tuple(merged)


def _merge_occurrences(
    listed: Sequence[tuple[_Uses, int]],
) -> tuple[Ask, Policy, WaiverUse | None, bool, tuple[str, ...]]:
    """The winning ask, its policy and waiver, whether any asker is not waived, and the
    other policy ids in order, for a (kind, target) asked in several places."""
    live = any(found.first_live is not None for found, _ in listed)
    best: tuple[tuple[int, int, int], _Pos, Ask, _Pick] | None = None
    for found, k in listed:
        pick = found.best(live)
        if pick is None:
            continue
        ask = found.asks[k]
        rank = (1 if pick[1].severity == "error" else 0, ask.count,
                0 if ask.status == "satisfied" else 1)
        pos = (*pick[0], k)
        if best is None or rank > best[0] or (rank == best[0] and pos < best[1]):
            best = (rank, pos, ask, pick)
    assert best is not None
    _, _, ask, (_, policy, waiver) = best
    first: dict[str, _Pos] = {}
    for found, k in listed:
        for pid, (i, j) in found.policy_ids.items():
            pos = (i, j, k)
            if pid not in first or pos < first[pid]:
                first[pid] = pos
    others = tuple(sorted((p for p in first if p != policy.id), key=first.__getitem__))
    return ask, policy, waiver, live, others
