"""Post-implementation reviews of emergency changes (SPEC §11): which are overdue, and the
`pir-overdue` warning for a later change that touches one of their components. Pure: the
open reviews and the date come in from the edge."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from changegate.model import Finding, Impact, OpenReview, Pir

#: `pir` status words, as the board shows them.
PIR_DONE, PIR_OPEN, PIR_OVERDUE = "done", "open", "overdue"


def pir_status(pir: Pir, today: _dt.date) -> str:
    """`done`, `overdue` (its due date has passed and it is not done) or `open`. The due
    date is the last day the review may be done on."""
    if pir.done:
        return PIR_DONE
    return PIR_OVERDUE if pir.due < today else PIR_OPEN


def pir_overdue_findings(impact: Impact, reviews: Sequence[OpenReview], today: _dt.date) -> tuple[Finding, ...]:
    """One warning for each emergency change with an overdue review that shares a touched
    component with this change, naming the change, its components, the due date and ticket."""
    touched = set(impact.touched_components)
    findings = []
    for review in sorted(reviews, key=lambda r: (r.pir.due, r.commit)):
        shared = sorted(touched.intersection(review.components))
        if not shared or pir_status(review.pir, today) != PIR_OVERDUE:
            continue
        where = f" ({review.file})" if review.file else ""
        findings.append(Finding(
            "warning", "pir-overdue",
            f"{', '.join(shared)}: the post-implementation review of emergency change "
            f"{review.title!r}{where}, merged in {review.commit[:12]}, was due {review.pir.due.isoformat()} "
            f"and is not done (ticket {review.pir.ticket}); finish it and set pir.done: true in its manifest"))
    return tuple(findings)
