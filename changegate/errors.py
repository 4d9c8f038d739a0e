"""Errors a user can act on. Every bad input raises an `InputError` subclass; the CLI's one
top-level handler prints each as `file:line: message` and exits 2."""

from __future__ import annotations


class InputError(Exception):
    """Bad input or configuration. `file` and `line` say where (line 0 = unknown)."""

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


class YamlError(InputError):
    """Malformed YAML, duplicate keys, or a document past a resource bound."""


class SchemaError(InputError):
    """A document that does not match its JSON Schema."""


class ReferenceError_(InputError):
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
