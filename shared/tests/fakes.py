"""An in-memory UnitOfWork for handler tests: conditional writes, events and after-commit actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Write = Callable[[], object]
Check = Callable[[], object]
"""A staged write's condition: it raises the failure, as a transaction's condition would."""


@dataclass
class FakeUnitOfWork:
    """Stands in for shared.messaging.unit_of_work.UnitOfWork, all or nothing like its
    transaction. `commit` first raises the next of `failures`, if any is left (a transaction
    that lost a race); then runs every staged check in order, the first to raise failing the
    commit with nothing written; then applies every write in order, appends the raised events
    to `committed` and runs the after-commit actions.

    Units made for one test may share lists: one `committed` (billing's `published`) collects
    all of their events, one `failures` makes the next commits fail whichever unit they are."""

    committed: list[Any] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    optimistic: bool = False
    staged: list[tuple[Write, Check | None]] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    after: list[Callable[[], object]] = field(default_factory=list)

    def stage(self, write: Write, check: Check | None = None) -> None:
        self.staged.append((write, check))

    def raise_event(self, event: Any) -> Any:
        self.events.append(event)
        return event

    def after_commit(self, action: Callable[[], object]) -> None:
        self.after.append(action)

    def commit(self) -> None:
        if self.failures:
            raise self.failures.pop(0)
        for _, check in self.staged:
            if check is not None:
                check()
        for write, _ in self.staged:
            write()
        self.committed.extend(self.events)
        for action in self.after:
            action()
