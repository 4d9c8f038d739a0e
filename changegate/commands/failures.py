"""How a failed command tells its user: one `changegate: error:` line per error on stderr,
and inside GitHub Actions an `::error` annotation on each error's file and line."""

from __future__ import annotations

import os

from changegate.errors import ChangegateError, InputErrors
from changegate.report.escape import terminal


def describe(exc: ChangegateError, *, github_actions: bool) -> str:
    """What to write to stderr for `exc` (an error the user can act on)."""
    text = "".join(f"changegate: error: {terminal(line)}\n" for line in str(exc).splitlines())
    if github_actions:
        text += _annotations(exc)
    return text


def _annotations(exc: ChangegateError) -> str:
    from changegate.report.github.workflow import annotation

    errors: list[ChangegateError] = list(exc.errors) if isinstance(exc, InputErrors) else [exc]
    lines = []
    for err in errors:
        in_repo = bool(err.file) and not os.path.isabs(err.file or "") and os.path.isfile(err.file or "")
        lines.append(annotation("error", err.message, file=err.file if in_repo else None,
                                line=err.line if in_repo else 0, title=f"changegate: {err.title}") + "\n")
    return "".join(lines)


def internal(exc: BaseException) -> str:
    """The one line for an unexpected error: a bug, never shown as a traceback unless asked."""
    return (f"changegate: internal error: {type(exc).__name__}: {terminal(str(exc))} "
            "(this is a bug in changegate; run with --debug for the traceback)\n")
