"""Collect writes for one TransactWriteItems and map cancellation reasons to exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from shared.dynamo.codec import Item, serialize

MAX_ACTIONS = 100


class ConditionFailed(Exception):
    """A conditional write in the transaction did not hold."""


class TransactionConflict(Exception):
    """Another transaction touched the same items; retrying may succeed."""


@dataclass
class _Action:
    request: dict[str, Any]
    on_condition_failed: type[Exception]


@dataclass
class Transaction:
    """All-or-nothing writes to one table; conditions raise their own exception type."""

    client: Any
    table: str
    actions: list[_Action] = field(default_factory=list)

    def put(
        self,
        item: Item,
        *,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        on_condition_failed: type[Exception] = ConditionFailed,
    ) -> None:
        request: dict[str, Any] = {"TableName": self.table, "Item": serialize(item)}
        self._add("Put", request, condition, names, values, on_condition_failed)

    def update(
        self,
        key: Item,
        expression: str,
        *,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        on_condition_failed: type[Exception] = ConditionFailed,
    ) -> None:
        request = {"TableName": self.table, "Key": serialize(key), "UpdateExpression": expression}
        self._add("Update", request, condition, names, values, on_condition_failed)

    def check(
        self,
        key: Item,
        condition: str,
        *,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        on_condition_failed: type[Exception] = ConditionFailed,
    ) -> None:
        request = {"TableName": self.table, "Key": serialize(key)}
        self._add("ConditionCheck", request, condition, names, values, on_condition_failed)

    def delete(
        self,
        key: Item,
        *,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        on_condition_failed: type[Exception] = ConditionFailed,
    ) -> None:
        request = {"TableName": self.table, "Key": serialize(key)}
        self._add("Delete", request, condition, names, values, on_condition_failed)

    def commit(self) -> None:
        """Write everything or nothing; raise the first failed action's exception."""
        if not self.actions:
            return
        if len(self.actions) > MAX_ACTIONS:
            raise ValueError(f"a transaction holds at most {MAX_ACTIONS} actions")
        try:
            self.client.transact_write_items(TransactItems=[a.request for a in self.actions])
        except ClientError as exc:
            raise self._translate(exc) from exc

    def _add(
        self,
        kind: str,
        request: dict[str, Any],
        condition: str | None,
        names: dict[str, str] | None,
        values: dict[str, Any] | None,
        on_condition_failed: type[Exception],
    ) -> None:
        if condition:
            request["ConditionExpression"] = condition
        if names:
            request["ExpressionAttributeNames"] = names
        if values:
            request["ExpressionAttributeValues"] = values
        self.actions.append(_Action({kind: request}, on_condition_failed))

    def _translate(self, exc: ClientError) -> Exception:
        if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            return exc
        reasons = exc.response.get("CancellationReasons") or []
        for action, reason in zip(self.actions, reasons, strict=False):
            if reason.get("Code") == "ConditionalCheckFailed":
                return action.on_condition_failed(f"condition failed: {next(iter(action.request))}")
        if any(r.get("Code") == "TransactionConflict" for r in reasons):
            return TransactionConflict("concurrent transaction on the same items")
        return exc
