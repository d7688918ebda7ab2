"""Orders, checkouts, ownership and payment receipts in billing's table."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from billing.adapters import keys
from billing.domain.model import PENDING, Attempt, Order, Refund
from shared.clock import now_iso
from shared.dynamo.codec import Item, deserialize, serialize, values
from shared.dynamo.reads import get_item, get_items, query_all, query_page
from shared.messaging.unit_of_work import UnitOfWork


class StaleOrder(Exception):
    """The order changed since it was read."""


class CheckoutTaken(Exception):
    """Another request opened a checkout for this user and course first."""


class AttemptRecorded(Exception):
    """This payment attempt was recorded before: a duplicate delivery."""


class OwnedThroughAnotherOrder(Exception):
    """The buyer got the course from another order meanwhile: this payment is a duplicate."""


def to_item(order: Order) -> Item:
    item: Item = {
        **keys.order_key(order.order_id),
        **keys.order_by_user(order.user_id, order.created_at, order.order_id),
        "orderId": order.order_id,
        "userId": order.user_id,
        "courseId": order.course_id,
        "teacherId": order.teacher_id,
        "courseTitle": order.course_title,
        "amount": order.amount,
        "currency": order.currency,
        "status": order.status,
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
        "providerOrder": order.provider_order or None,
        "paidAt": order.paid_at,
        "providerPaymentId": order.provider_payment_id,
        "refund": asdict(order.refund) if order.refund else None,
        "duplicateOf": order.duplicate_of,
        "checkAt": order.check_at,
        "askedAt": order.asked_at,
    }
    check_at = order.check_at or order.updated_at
    if order.status == PENDING:
        item.update(keys.awaiting_check(keys.PENDING_ORDERS, check_at, order.order_id))
    elif order.refund is not None and order.refund.open:
        item.update(keys.awaiting_check(keys.OPEN_REFUNDS, check_at, order.order_id))
    if order.counts_as_sale and order.paid_at:
        item.update(keys.sale_by_teacher(order.teacher_id, order.paid_at, order.order_id))
    return item


def from_item(item: Item) -> Order:
    return Order(
        order_id=item["orderId"],
        user_id=item["userId"],
        course_id=item["courseId"],
        teacher_id=item.get("teacherId", ""),
        course_title=item.get("courseTitle", ""),
        amount=int(item["amount"]),
        currency=item["currency"],
        status=item["status"],
        created_at=item["createdAt"],
        updated_at=item["updatedAt"],
        provider_order=item.get("providerOrder") or {},
        paid_at=item.get("paidAt"),
        provider_payment_id=item.get("providerPaymentId"),
        refund=Refund(**item["refund"]) if item.get("refund") else None,
        duplicate_of=item.get("duplicateOf"),
        check_at=item.get("checkAt"),
        asked_at=item.get("askedAt"),
    )


class OrderRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _get(self, item_key: dict[str, str]) -> Item | None:
        return get_item(self._client, self._table, item_key)

    def get(self, order_id: str) -> Order | None:
        item = self._get(keys.order_key(order_id))
        return from_item(item) if item else None

    def standing(self, user_id: str, course_id: str) -> tuple[str | None, str | None]:
        """The order through which the user owns the course and their open checkout's order,
        each None when absent: one BatchGetItem of the two items."""
        owns, checkout = (
            keys.ownership_key(user_id, course_id),
            keys.checkout_key(user_id, course_id),
        )
        by_sk = {
            item["SK"]: str(item["orderId"])
            for item in get_items(self._client, self._table, [owns, checkout])
        }
        return by_sk.get(owns["SK"]), by_sk.get(checkout["SK"])

    def owning_order(self, user_id: str, course_id: str) -> str | None:
        """The paid, unrefunded order that gave the user the course, if any."""
        item = self._get(keys.ownership_key(user_id, course_id))
        return str(item["orderId"]) if item else None

    def add(self, uow: UnitOfWork, order: Order, replacing: str | None) -> None:
        """A new order becomes the user's open checkout for the course, unless one raced it."""
        uow.tx.put(to_item(order), condition="attribute_not_exists(PK)")
        condition = "attribute_not_exists(PK)" if replacing is None else "orderId = :old"
        uow.tx.put(
            {**keys.checkout_key(order.user_id, order.course_id), "orderId": order.order_id},
            condition=condition,
            values=values(old=replacing) if replacing else None,
            on_condition_failed=CheckoutTaken,
        )

    def save(self, uow: UnitOfWork, order: Order, read_status: str, read_updated: str) -> None:
        """Replace the order if it is still as it was read."""
        uow.tx.put(
            to_item(order),
            condition="#s = :s AND updatedAt = :u",
            names={"#s": "status"},
            values=values(s=read_status, u=read_updated),
            on_condition_failed=StaleOrder,
        )

    def claim_ask(self, order_id: str, now: str, asked_before: str) -> Order | None:
        """Mark the pending order asked about at Cashfree `now`, unless it was asked about after
        `asked_before`: one conditional write, so of concurrent callers one wins. The order as
        stored, or None when another caller won or it is no longer pending."""
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=serialize(keys.order_key(order_id)),
                UpdateExpression="SET askedAt = :now",
                ConditionExpression="#s = :pending AND "
                "(attribute_not_exists(askedAt) OR askedAt <= :before)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(now=now, pending=PENDING, before=asked_before),
                ReturnValues="ALL_NEW",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return from_item(deserialize(response["Attributes"]))

    def record_attempt(self, uow: UnitOfWork, order_id: str, attempt: Attempt) -> None:
        uow.tx.put(
            {
                **keys.attempt_key(order_id, attempt.provider_payment_id, attempt.status),
                **asdict(attempt),
                "recordedAt": now_iso(),
            },
            condition="attribute_not_exists(PK)",
            on_condition_failed=AttemptRecorded,
        )

    def grant_ownership(self, uow: UnitOfWork, order: Order) -> None:
        """The course is the buyer's through this order, unless another order got there first."""
        uow.tx.put(
            {
                **keys.ownership_key(order.user_id, order.course_id),
                "orderId": order.order_id,
                "paidAt": order.paid_at,
            },
            condition="attribute_not_exists(PK) OR orderId = :order",
            values=values(order=order.order_id),
            on_condition_failed=OwnedThroughAnotherOrder,
        )

    def release_ownership(self, uow: UnitOfWork, order: Order) -> None:
        """A refunded order no longer gives the course: the buyer may buy it again."""
        uow.tx.delete(
            keys.ownership_key(order.user_id, order.course_id),
            condition="attribute_not_exists(PK) OR orderId = :order",
            values=values(order=order.order_id),
        )

    def count(self, uow: UnitOfWork, order: Order, *, sales: int = 0, refunds: int = 0) -> None:
        """Add paid (and refunded) orders to their course's running totals, in the transaction
        that pays (or refunds) them; one update, as a transaction touches an item once."""
        uow.tx.update(
            keys.sales_total_key(order.teacher_id, order.course_id, order.currency),
            "ADD orders :sales, amount :sold, refunds :refunds, refundedAmount :refunded "
            "SET courseId = :course, courseTitle = :title, currency = :currency",
            values=values(
                sales=sales,
                sold=sales * order.amount,
                refunds=refunds,
                refunded=refunds * order.amount,
                course=order.course_id,
                title=order.course_title,
                currency=order.currency,
            ),
        )

    def due_for_check(self, partition: str, now: str, limit: int) -> list[Order]:
        """Open orders (or open refunds) whose next check is due, most overdue first."""
        request = {
            "TableName": self._table,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK < :now",
            "ExpressionAttributeValues": values(pk=partition, now=now),
            "Limit": limit,
        }
        items = self._client.query(**request).get("Items", [])
        return [from_item(deserialize(i)) for i in items]

    def sales_of(
        self, teacher_id: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Order], dict[str, Any] | None]:
        """Paid orders of the teacher's courses, newest first."""
        page = query_page(
            self._client, self._table, "GSI3", keys.teacher_sales(teacher_id), limit, start
        )
        return [from_item(i) for i in page.items], page.last_key

    def sales_totals(self, teacher_id: str) -> list[Item]:
        """One running total per course and currency: a Query of one partition, to its end."""
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": values(pk=keys.totals_partition(teacher_id)),
        }
        return query_all(self._client, request)

    def alert(self, kind: str, detail: dict[str, Any]) -> None:
        """Something an operator must look at (a webhook that cannot apply, …)."""
        alert_id = uuid.uuid4().hex
        at = now_iso()
        self._client.put_item(
            TableName=self._table,
            Item=serialize(
                {
                    **keys.alert_key(alert_id),
                    "GSI1PK": keys.ALERTS,
                    "GSI1SK": f"{at}#{alert_id}",
                    "kind": kind,
                    "detail": detail,
                    "at": at,
                }
            ),
        )

    def alerts(self, limit: int = 50) -> list[Item]:
        return query_page(self._client, self._table, "GSI1", keys.ALERTS, limit, None).items

    def of_user(
        self, user_id: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Order], dict[str, Any] | None]:
        page = query_page(
            self._client, self._table, "GSI1", keys.user_orders(user_id), limit, start
        )
        return [from_item(i) for i in page.items], page.last_key
