"""Mails, digests, session markers and contact messages in notifications' table."""

from __future__ import annotations

import contextlib
from typing import Any

from notifications.adapters import keys
from notifications.domain.mail import DIGESTED, PENDING, SENDING, Mail
from shared.dynamo.codec import Item, deserialize, serialize, values
from shared.dynamo.reads import get_item, query_all
from shared.messaging.unit_of_work import UnitOfWork


def to_item(mail: Mail) -> Item:
    item: Item = {
        **keys.mail_key(mail.key),
        "key": mail.key,
        "template": mail.template,
        "category": mail.category,
        "recipientId": mail.recipient_id,
        "context": mail.context,
        "sendAt": mail.send_at,
        "createdAt": mail.created_at,
        "status": mail.status,
        "attempts": mail.attempts,
        "providerId": mail.provider_id,
        "note": mail.note,
        "attachments": list(mail.attachments) or None,
        "correlationId": mail.correlation_id,
        "causationId": mail.causation_id,
    }
    if mail.open:
        item.update(keys.due(keys.MAILS_DUE, mail.send_at, mail.key))
    if mail.status == DIGESTED:
        item.update(keys.due(keys.digest_entries(mail.recipient_id), mail.created_at, mail.key))
    return item


def from_item(item: Item) -> Mail:
    return Mail(
        key=item["key"],
        template=item["template"],
        category=item["category"],
        recipient_id=item["recipientId"],
        context=item.get("context") or {},
        send_at=item["sendAt"],
        created_at=item["createdAt"],
        status=item["status"],
        attempts=int(item.get("attempts", 0)),
        provider_id=item.get("providerId"),
        note=item.get("note"),
        attachments=tuple(item.get("attachments") or ()),
        correlation_id=item.get("correlationId"),
        causation_id=item.get("causationId"),
    )


class MailRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, key: str) -> Mail | None:
        item = get_item(self._client, self._table, keys.mail_key(key))
        return from_item(item) if item else None

    def add(self, uow: UnitOfWork, mail: Mail) -> None:
        """A new mail, once per key (a replayed event adds nothing)."""
        uow.tx.put(to_item(mail), condition="attribute_not_exists(PK)")

    def cancel(self, uow: UnitOfWork, mail: Mail) -> None:
        """An open mail that must not go out any more (its session was cancelled)."""
        uow.tx.update(
            keys.mail_key(mail.key),
            "SET #s = :cancelled REMOVE GSI2PK, GSI2SK",
            condition="#s IN (:pending, :sending)",
            names={"#s": "status"},
            values=values(cancelled="CANCELLED", pending=PENDING, sending=SENDING),
        )

    def due(
        self, now: str, limit: int, start: dict[str, Any] | None = None
    ) -> tuple[list[Mail], dict[str, Any] | None]:
        """A page of open mails whose time has come, most overdue first, and where the next
        page starts (None at the end)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK < :now",
            "ExpressionAttributeValues": values(pk=keys.MAILS_DUE, now=now),
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = start
        response = self._client.query(**request)
        mails = [from_item(deserialize(i)) for i in response.get("Items", [])]
        return mails, response.get("LastEvaluatedKey")

    def claim(self, mail: Mail, now: str, lease_until: str) -> bool:
        """Take the mail for sending; a sender that died gives it up when its lease ends."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialize(keys.mail_key(mail.key)),
                UpdateExpression="SET #s = :sending, leaseUntil = :lease",
                ConditionExpression="#s = :pending OR (#s = :sending AND leaseUntil < :now)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(
                    sending=SENDING, pending=PENDING, lease=lease_until, now=now
                ),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def settle(self, mail: Mail) -> None:
        """Write the mail's outcome (sent, skipped, failed, or back to pending for a retry)."""
        self._client.put_item(TableName=self._table, Item=serialize(to_item(mail)))


class DigestRepository:
    """Course notifications held for a user's daily or weekly digest."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def hold(self, uow: UnitOfWork, mail: Mail, due_at: str) -> None:
        """The mail becomes an entry of the user's next digest (which is due at `due_at`,
        unless one is already scheduled)."""
        uow.tx.put(to_item(mail))
        uow.tx.update(
            keys.digest_head(mail.recipient_id),
            "ADD pending :one SET userId = :user, dueAt = if_not_exists(dueAt, :due), "
            "GSI2PK = :queue, GSI2SK = if_not_exists(GSI2SK, :sk)",
            values=values(
                one=1,
                user=mail.recipient_id,
                due=due_at,
                queue=keys.DIGESTS_DUE,
                sk=keys.due(keys.DIGESTS_DUE, due_at, mail.recipient_id)["GSI2SK"],
            ),
        )

    def due_users(self, now: str, limit: int) -> list[str]:
        response = self._client.query(
            TableName=self._table,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk AND GSI2SK < :now",
            ExpressionAttributeValues=values(pk=keys.DIGESTS_DUE, now=now),
            Limit=limit,
        )
        return [deserialize(i)["userId"] for i in response.get("Items", [])]

    def entries(self, user_id: str) -> list[Mail]:
        request = {
            "TableName": self._table,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": values(pk=keys.digest_entries(user_id)),
        }
        return [from_item(i) for i in query_all(self._client, request)]

    def sent(self, user_id: str, entries: list[Mail], next_due: str) -> None:
        """The entries went out: close them, then drop the head or move it to the next digest
        if entries arrived meanwhile."""
        for entry in entries:
            self._client.put_item(
                TableName=self._table, Item=serialize(to_item(entry.finished("SENT", "in digest")))
            )
        left = self._client.update_item(
            TableName=self._table,
            Key=serialize(keys.digest_head(user_id)),
            UpdateExpression="ADD pending :minus",
            ExpressionAttributeValues=values(minus=-len(entries)),
            ReturnValues="ALL_NEW",
        )
        if int(deserialize(left["Attributes"]).get("pending", 0)) > 0:
            self._client.update_item(
                TableName=self._table,
                Key=serialize(keys.digest_head(user_id)),
                UpdateExpression="SET dueAt = :due, GSI2SK = :sk",
                ExpressionAttributeValues=values(
                    due=next_due, sk=keys.due(keys.DIGESTS_DUE, next_due, user_id)["GSI2SK"]
                ),
            )
            return
        # an entry that arrives just now keeps the head, due, for the next sweep
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.delete_item(
                TableName=self._table,
                Key=serialize(keys.digest_head(user_id)),
                ConditionExpression="pending <= :zero",
                ExpressionAttributeValues=values(zero=0),
            )


class SessionMails:
    """Which mails a booking scheduled, so a cancellation can stop them, in any event order."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, session_id: str) -> Item | None:
        return get_item(self._client, self._table, keys.session_key(session_id))

    def remember(self, uow: UnitOfWork, session_id: str, mail_keys: list[str]) -> None:
        uow.tx.put(
            {**keys.session_key(session_id), "mailKeys": mail_keys, "cancelled": False},
            condition="attribute_not_exists(PK)",
        )

    def mark_cancelled(self, uow: UnitOfWork, session_id: str, at: str) -> None:
        uow.tx.update(
            keys.session_key(session_id),
            "SET cancelled = :yes, cancelledAt = :at",
            values=values(yes=True, at=at),
        )


class ContactLog:
    """Contact messages already sent, by the fingerprint of their Idempotency-Key."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def sent_id(self, fingerprint: str) -> str | None:
        item = get_item(self._client, self._table, keys.contact_key(fingerprint))
        return str(item["emailId"]) if item else None

    def record(self, fingerprint: str, email_id: str, at: str) -> None:
        # a concurrent retry may have recorded the same message (Resend sent it once)
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.put_item(
                TableName=self._table,
                Item=serialize({**keys.contact_key(fingerprint), "emailId": email_id, "at": at}),
                ConditionExpression="attribute_not_exists(PK)",
            )
