"""A consumer's routing table: each handler paired with the contract it takes, keyed by its type."""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.events.contracts import Event
from shared.events.envelope import Envelope
from shared.messaging.unit_of_work import UnitOfWork

E = TypeVar("E", bound=Event)

EventHandler = Callable[[Any, Envelope, UnitOfWork], None]
"""A routed handler: it is only ever given the contract its route names."""


@dataclass(frozen=True)
class Route(Generic[E]):
    """Events of `contract`'s type go to `handler`, which must take that contract."""

    contract: type[E]
    handler: Callable[[E, Envelope, UnitOfWork], None]


class MisroutedHandler(TypeError):
    """A handler was routed events of a contract its first parameter does not take."""


def on(contract: type[E], handler: Callable[[E, Envelope, UnitOfWork], None]) -> Route[E]:
    """A route; a handler declared for another contract is refused when the table is built (mypy
    cannot see through `functools.partial`), not found out by a dead letter."""
    taken = _contracts_taken(handler)
    if taken and not issubclass(contract, taken):
        raise MisroutedHandler(f"{_name(handler)} does not take {contract.__name__}")
    return Route(contract, handler)


def _contracts_taken(handler: Callable[..., None]) -> tuple[type, ...]:
    """The classes the handler's first parameter is annotated with (none when unannotated)."""
    function = _function(handler)
    first = next(iter(inspect.signature(function).parameters), None)
    annotation = typing.get_type_hints(function).get(first) if first else None
    if annotation is None:
        return ()
    options = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    return tuple(option for option in options if isinstance(option, type))


def _function(handler: Callable[..., None]) -> Callable[..., None]:
    return handler.func if isinstance(handler, functools.partial) else handler


def _is_union(annotation: object) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _name(handler: Callable[..., None]) -> str:
    function = _function(handler)
    return getattr(function, "__qualname__", repr(function))


class DuplicateRoute(ValueError):
    """Two handlers were routed the same event type."""


def routes(*entries: Route[Any] | Iterable[Route[Any]]) -> dict[str, EventHandler]:
    """The routing table of these routes (or groups of them); one handler per event type."""
    table: dict[str, EventHandler] = {}
    for entry in entries:
        for route in [entry] if isinstance(entry, Route) else entry:
            event_type = route.contract.EVENT_TYPE
            if event_type in table:
                raise DuplicateRoute(event_type)
            table[event_type] = route.handler
    return table
