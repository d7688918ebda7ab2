"""Each teacher's stored bytes against the storage quota: one counter item per teacher."""

from __future__ import annotations

from typing import Any

from catalog.adapters import keys
from catalog.domain.media import StorageQuotaExceeded
from shared.dynamo.codec import values
from shared.dynamo.reads import get_item
from shared.messaging.unit_of_work import UnitOfWork


class OverQuota(Exception):
    """The counter's condition failed at commit: a concurrent save used the room first."""


class TeacherStorage:
    """Reads the counter directly; changes join the save's unit of work."""

    def __init__(self, client: Any, table: str, quota_bytes: int) -> None:
        self._client = client
        self._table = table
        self.quota_bytes = quota_bytes

    def used(self, teacher_id: str) -> int:
        item = get_item(self._client, self._table, keys.storage_key(teacher_id))
        return int(item.get("usedBytes", 0)) if item else 0

    def ensure_room(self, teacher_id: str, more_bytes: int) -> None:
        """Raise StorageQuotaExceeded unless `more_bytes` still fit (a check before any work;
        `charge` is what enforces it)."""
        used = self.used(teacher_id)
        if more_bytes > 0 and used + more_bytes > self.quota_bytes:
            raise StorageQuotaExceeded(self.quota_bytes, used)

    def exceeded(self, teacher_id: str) -> StorageQuotaExceeded:
        return StorageQuotaExceeded(self.quota_bytes, self.used(teacher_id))

    def charge(self, uow: UnitOfWork, teacher_id: str, delta: int) -> None:
        """Add `delta` bytes in the save's transaction; growth must stay within the quota, or
        the transaction fails with OverQuota."""
        if delta == 0:
            return
        if delta < 0:
            uow.tx.update(keys.storage_key(teacher_id), "ADD usedBytes :d", values=values(d=delta))
            return
        room = self.quota_bytes - delta
        if room < 0:
            raise self.exceeded(teacher_id)
        uow.tx.update(
            keys.storage_key(teacher_id),
            "ADD usedBytes :d",
            condition="attribute_not_exists(usedBytes) OR usedBytes <= :room",
            values=values(d=delta, room=room),
            on_condition_failed=OverQuota,
        )
