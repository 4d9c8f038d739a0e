"""Errors a user can act on, in two families with one base:

- `InputError`: the input or configuration is wrong (a schema error, a broken reference,
  an unknown git ref, an unreadable file). The user fixes a file or an option.
- `SourceError`: a source of facts failed or refused (the GitHub API: an outage, a rate
  limit, a missing token permission). The input may be fine; the gate cannot see the facts.

Both exit 2, so the gate fails closed. The CLI's one top-level handler prints each as
`file:line: message` and, in GitHub Actions, as an `::error` annotation titled by `title`.
"""

from __future__ import annotations


class ChangegateError(Exception):
    """An error a user can act on. `file` and `line` say where (line 0 = unknown)."""

    title = "error"  # what kind of failure it is, for the annotation's title

    def __init__(self, message: str, file: str | None = None, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class InputError(ChangegateError):
    """Bad input or configuration."""

    title = "invalid input"


class YamlError(InputError):
    """Malformed YAML, duplicate keys, or a document past a resource bound."""


class SchemaError(InputError):
    """A document that does not match its JSON Schema."""


class BrokenReferenceError(InputError):
    """A reference that does not resolve (team, value stream, component, interface, policy)."""


class GitError(InputError):
    """An unknown ref, or git failing to answer."""


class EvidenceError(InputError):
    """An unreadable or malformed evidence file (approvals JSON, JUnit XML, changed-files list)."""


class CelError(InputError):
    """A CEL `when` expression that does not compile, or that exceeds its size/cost bound."""


class InputErrors(InputError):
    """Several input errors found in one pass; reported together, one per line."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__("; ".join(str(e) for e in errors), errors[0].file if errors else None,
                         errors[0].line if errors else 0)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class SourceError(ChangegateError):
    """A source of facts about the change failed or refused to answer."""

    title = "a source of evidence failed"
