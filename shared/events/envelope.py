"""The event envelope: ids, type, time, producer and causality around a payload."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from shared.clock import now_iso
from shared.context import current_correlation_id, event_id_var
from shared.events.contracts import Event, decode_event, event_type_of


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    occurred_at: str
    producer: str
    aggregate_id: str
    correlation_id: str
    causation_id: str | None
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Envelope:
        fields: dict[str, Any] = {name: raw.get(name) for name in cls.__dataclass_fields__}
        missing = [n for n in ("event_id", "event_type", "producer", "data") if not fields[n]]
        if missing:
            raise ValueError(f"envelope lacks {', '.join(missing)}")
        if not isinstance(fields["data"], dict):
            raise ValueError("envelope data must be an object")
        return cls(**fields)

    def payload(self) -> Event:
        """The typed contract inside (raises for unknown types or bad data)."""
        return decode_event(self.event_type, self.data)


def wrap(event: Event, producer: str) -> Envelope:
    """Envelope a new event with the current correlation id and causing event, if any."""
    return Envelope(
        event_id=str(uuid.uuid4()),
        event_type=event_type_of(event),
        occurred_at=now_iso(),
        producer=producer,
        aggregate_id=event.aggregate_id,
        correlation_id=current_correlation_id(),
        causation_id=event_id_var.get(),
        data=event.model_dump(mode="json"),
    )
