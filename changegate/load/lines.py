"""Where each key path of a loaded document is written: the `Lines` every loader returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator

PathKey = tuple[str | int, ...]


class Lines:
    """1-based line of each key path of a loaded document.

    `table` may be given directly, or `compute` may build it on first use (JSON, and YAML
    read by the fast path, where lines are only needed when something is wrong). `shallow`
    holds lines known without that work (the fast path's top two levels of keys): they are
    answered from it, and only other paths run `compute`."""

    def __init__(
        self,
        table: dict[PathKey, int] | None = None,
        compute: Callable[[], dict[PathKey, int]] | None = None,
        shallow: dict[PathKey, int] | None = None,
    ) -> None:
        self._table = table
        self._compute = compute
        self._shallow = shallow

    @property
    def table(self) -> dict[PathKey, int]:
        if self._table is None:
            self._table = self._compute() if self._compute else {}
        return self._table

    @property
    def eager(self) -> bool:
        """Whether the lines of entries are known without extra work (YAML); JSON computes
        them on demand."""
        return self._table is not None or self._shallow is not None

    def get(self, path: PathKey) -> int | None:
        """The line of exactly `path`, or None."""
        path = tuple(path)
        if self._shallow is not None:
            found = self._shallow.get(path)
            if found is not None:
                return found
        return self.table.get(path)

    def line(self, path: PathKey) -> int:
        """The line of `path`, or of its nearest known ancestor (0 when none is known)."""
        path = tuple(path)
        if self._shallow is not None:
            found = self._shallow.get(path)
            if found is not None:
                return found
        table = self.table
        while path:
            found = table.get(path)
            if found:
                return found
            path = path[:-1]
        return table.get((), 0)

    def items(self) -> Iterator[tuple[PathKey, int]]:
        return iter(self.table.items())
