"""Notifications' handlers with in-memory fakes: who is mailed what and when, no DynamoDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, cast

import pytest

from notifications import handlers
from notifications.adapters.directory import Directory, Recipient
from notifications.adapters.mailer import Message, ResendMailer
from notifications.adapters.repository import (
    ContactLog,
    DigestRepository,
    MailRepository,
    SessionMails,
)
from notifications.commands import SendContactMessage, SendDueDigests, SendDueMail
from notifications.delivery import deliver
from notifications.digests import send_digest
from notifications.domain.mail import (
    CANCELLED,
    DIGESTED,
    FAILED,
    INVITE,
    PENDING,
    SENT,
    SKIPPED,
    Mail,
)
from notifications.domain.preferences import Preferences
from notifications.errors import MailRejected, MailUnavailable
from shared.clerk import UserNotFound
from shared.clock import iso, parse_iso, utc_now
from shared.events.contracts import (
    CourseCompleted,
    CourseSnapshot,
    MentorshipSession,
    PaymentSucceeded,
    SessionBooked,
    SessionCancelled,
)
from shared.events.envelope import wrap
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards
from shared.tests.factories import course_snapshot
from shared.tests.fakes import FakeUnitOfWork

AT = "2026-11-25T10:00:00.000Z"
STUDENT, TEACHER = "u1", "t1"
CLIENT = "https://prolearn.test"
SWEEP_LAG = timedelta(seconds=1)


@dataclass
class FakeMails:
    """Mails by key; a claim takes a pending one (or one whose lease ran out)."""

    mails: dict[str, Mail] = field(default_factory=dict)
    leases: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> Mail | None:
        return self.mails.get(key)

    def add(self, uow: FakeUnitOfWork, mail: Mail) -> None:
        uow.stage(lambda: self.mails.setdefault(mail.key, mail))

    def cancel(self, uow: FakeUnitOfWork, mail: Mail) -> None:
        uow.stage(lambda: self.settle(replace(mail, status=CANCELLED)))

    def due(self, now: str, limit: int, _start: Any = None) -> tuple[list[Mail], None]:
        due = sorted((m for m in self.mails.values() if m.open and m.send_at < now), key=_when)
        return due[:limit], None

    def claim(self, mail: Mail, now: str, lease_until: str) -> bool:
        if self.leases.get(mail.key, "") > now:
            return False
        self.leases[mail.key] = lease_until
        return True

    def settle(self, mail: Mail) -> None:
        self.mails[mail.key] = mail
        self.leases.pop(mail.key, None)

    def of(self, template: str) -> list[Mail]:
        return sorted((m for m in self.mails.values() if m.template == template), key=_to)


def _when(mail: Mail) -> str:
    return mail.send_at


def _to(mail: Mail) -> str:
    return mail.recipient_id


@dataclass
class FakeDigests:
    """Held entries per user (each also a mail, held or sent in a digest) and when each
    user's digest is due."""

    mails: FakeMails
    entries_of: dict[str, list[Mail]] = field(default_factory=dict)
    due_at: dict[str, str] = field(default_factory=dict)

    def hold(self, uow: FakeUnitOfWork, mail: Mail, due_at: str) -> None:
        def write() -> None:
            self.mails.settle(mail)
            self.entries_of.setdefault(mail.recipient_id, []).append(mail)
            self.due_at.setdefault(mail.recipient_id, due_at)

        uow.stage(write)

    def due_users(self, now: str, limit: int) -> list[str]:
        return [user for user, at in sorted(self.due_at.items()) if at < now][:limit]

    def entries(self, user_id: str) -> list[Mail]:
        return list(self.entries_of.get(user_id, []))

    def sent(self, user_id: str, entries: list[Mail], next_due: str) -> None:
        for entry in entries:
            self.mails.settle(entry.finished(SENT, "in digest"))
        left = [e for e in self.entries_of.pop(user_id, []) if e not in entries]
        self.due_at.pop(user_id, None)
        if left:
            self.entries_of[user_id], self.due_at[user_id] = left, next_due


@dataclass
class FakeSessions:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, session_id: str) -> dict[str, Any] | None:
        return self.items.get(session_id)

    def remember(self, uow: FakeUnitOfWork, session_id: str, mail_keys: list[str]) -> None:
        uow.stage(lambda: self.items.setdefault(session_id, {"mailKeys": mail_keys}))

    def mark_cancelled(self, uow: FakeUnitOfWork, session_id: str, at: str) -> None:
        uow.stage(lambda: self.items.setdefault(session_id, {}).update(cancelledAt=at))


@dataclass
class FakeDirectory:
    readers: dict[str, Recipient] = field(default_factory=dict)

    def recipient(self, user_id: str) -> Recipient:
        if user_id not in self.readers:
            raise UserNotFound(user_id)
        return self.readers[user_id]

    def add(self, user_id: str, email: str | None = "", **settings: Any) -> None:
        preferences = Preferences.from_metadata({"settings": settings})
        address = f"{user_id}@example.test" if email == "" else email
        self.readers[user_id] = Recipient(user_id, address, user_id.title(), user_id, preferences)


@dataclass
class FakeMailer:
    """Resend's contract: one mail per idempotency key; `failure` is raised instead."""

    sent: dict[str, Message] = field(default_factory=dict)
    failure: Exception | None = None

    def send(self, message: Message, idempotency_key: str) -> str:
        if self.failure is not None:
            raise self.failure
        self.sent.setdefault(idempotency_key, message)
        return f"re_{list(self.sent).index(idempotency_key)}"


@dataclass
class FakeCards:
    cards: dict[str, CourseSnapshot] = field(default_factory=dict)

    def get(self, course_id: str) -> CourseSnapshot | None:
        return self.cards.get(course_id)


@dataclass
class FakeContacts:
    sent: dict[str, str] = field(default_factory=dict)

    def sent_id(self, fingerprint: str) -> str | None:
        return self.sent.get(fingerprint)

    def record(self, fingerprint: str, email_id: str, _at: str) -> None:
        self.sent.setdefault(fingerprint, email_id)


def session(starts_in: timedelta = timedelta(days=2)) -> MentorshipSession:
    starts = utc_now() + starts_in
    return MentorshipSession(
        session_id="s1",
        student_id=STUDENT,
        teacher_id=TEACHER,
        course_id="c1",
        starts_at=iso(starts),
        ends_at=iso(starts + timedelta(minutes=30)),
        student_name="Sam",
        teacher_name="Tara",
    )


@dataclass
class World:
    mails: FakeMails = field(default_factory=FakeMails)
    sessions: FakeSessions = field(default_factory=FakeSessions)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    cards: FakeCards = field(default_factory=FakeCards)
    send_attempts: int = 8
    digests: FakeDigests = field(init=False)

    def __post_init__(self) -> None:
        self.digests = FakeDigests(self.mails)

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork()

    def handle(self, event: Any) -> None:
        """The event's handler as the worker runs it: inside one unit of work."""
        mails = cast(MailRepository, self.mails)
        sessions = cast(SessionMails, self.sessions)
        planners: dict[type, Callable[..., None]] = {
            PaymentSucceeded: partial(
                handlers.plan_receipt,
                mails=mails,
                refund_window_days=7,
                refund_max_progress_percent=30,
            ),
            SessionBooked: partial(
                handlers.plan_booking_mails,
                mails=mails,
                sessions=sessions,
                client_url=CLIENT,
                reminder_lead_minutes=60,
            ),
            SessionCancelled: partial(
                handlers.plan_cancellation_mails, mails=mails, sessions=sessions, client_url=CLIENT
            ),
            CourseCompleted: partial(
                handlers.plan_course_completed_mail, mails=mails, client_url=CLIENT
            ),
        }
        uow = self.unit_of_work()
        planners[type(event)](event, wrap(event, "test"), cast(UnitOfWork, uow))
        uow.commit()

    def send_due(self, as_of: datetime | None = None) -> int:
        """The sweep, by default a moment after the mail was planned."""
        deliver_one = partial(
            deliver,
            mails=cast(MailRepository, self.mails),
            digests=cast(DigestRepository, self.digests),
            unit_of_work=cast(Callable[[], UnitOfWork], self.unit_of_work),
            directory=cast(Directory, self.directory),
            cards=cast(CourseCards, self.cards),
            mailer=cast(ResendMailer, self.mailer),
            digest_hour=8,
            send_attempts=self.send_attempts,
        )
        return handlers.send_due_mail(
            SendDueMail(as_of or utc_now() + SWEEP_LAG),
            mails=cast(MailRepository, self.mails),
            deliver=deliver_one,
        )

    def send_digests(self, as_of: datetime) -> int:
        digest_one = partial(
            send_digest,
            digests=cast(DigestRepository, self.digests),
            directory=cast(Directory, self.directory),
            cards=cast(CourseCards, self.cards),
            mailer=cast(ResendMailer, self.mailer),
            digest_hour=8,
        )
        return handlers.send_due_digests(
            SendDueDigests(as_of),
            digests=cast(DigestRepository, self.digests),
            send_digest=digest_one,
        )


@pytest.fixture
def world() -> World:
    world = World()
    world.directory.add(STUDENT)
    world.directory.add(TEACHER)
    world.cards.cards["c1"] = course_snapshot(
        course_id="c1", teacher_id=TEACHER, teacher_name="Tara", title="Rust"
    )
    return world


def paid(amount: int = 49900) -> PaymentSucceeded:
    return PaymentSucceeded(
        order_id="pl_1",
        user_id=STUDENT,
        course_id="c1",
        amount=amount,
        currency="INR",
        provider_payment_id="cf1",
        paid_at=AT,
    )


def test_a_paid_order_is_receipted_with_the_refund_policy_and_a_free_one_is_not(
    world: World,
) -> None:
    world.handle(paid(amount=0))
    assert world.mails.mails == {}
    world.handle(paid())
    [receipt] = world.mails.of("receipt")
    assert receipt.recipient_id == STUDENT
    assert (receipt.context["refundWindowDays"], receipt.context["refundMaxProgress"]) == (
        "7",
        "30",
    )
    assert world.send_due() == 1
    assert [m.subject for m in world.mailer.sent.values()] == ["Your receipt for Rust"]


def test_a_booking_confirms_with_the_invite_and_reminds_both_an_hour_before(
    world: World,
) -> None:
    booked = SessionBooked(session=session())
    world.handle(booked)
    confirmations, reminders = world.mails.of("booked"), world.mails.of("reminder")
    assert [m.recipient_id for m in confirmations] == [TEACHER, STUDENT]
    assert all(m.attachments == (INVITE,) for m in confirmations)
    starts = parse_iso(booked.session.starts_at)
    assert {parse_iso(m.send_at) for m in reminders} == {starts - timedelta(hours=1)}
    assert world.send_due() == 2, "the confirmations now, the reminders later"
    assert all(len(m.attachments) == 1 for m in world.mailer.sent.values())
    assert world.send_due(as_of=starts) == 2


def test_a_session_booked_too_soon_gets_no_reminder(world: World) -> None:
    world.handle(SessionBooked(session=session(starts_in=timedelta(minutes=30))))
    assert len(world.mails.of("booked")) == 2
    assert world.mails.of("reminder") == []


def test_a_cancellation_stops_the_reminders_and_tells_both(world: World) -> None:
    world.handle(SessionBooked(session=session()))
    world.handle(SessionCancelled(session=session(), cancelled_by=STUDENT, cancelled_at=AT))
    assert {m.status for m in world.mails.of("reminder")} == {CANCELLED}
    cancelled = world.mails.of("cancelled")
    assert [m.context["cancelledByName"] for m in cancelled] == ["Sam", "Sam"]
    assert not any(m.context["accessEnded"] for m in cancelled)


def test_a_cancellation_that_arrives_first_leaves_the_booking_nothing_to_plan(
    world: World,
) -> None:
    world.handle(SessionCancelled(session=session(), cancelled_by="system", cancelled_at=AT))
    world.handle(SessionBooked(session=session()))
    assert world.mails.of("booked") == [] and world.mails.of("reminder") == []
    assert all(m.context["accessEnded"] for m in world.mails.of("cancelled"))


def test_each_readers_settings_decide_what_goes(world: World) -> None:
    world.directory.add(STUDENT, emailAlerts=False)
    world.directory.add(TEACHER, email=None)
    world.handle(paid())
    world.handle(SessionBooked(session=session()))
    world.handle(CourseCompleted(user_id="ghost", course_id="c1", completed_at=AT))
    assert world.send_due() == 1
    assert world.mails.of("receipt")[0].status == SENT, "receipts always go"
    assert {m.status for m in world.mails.of("booked")} == {SKIPPED}
    notes = {(m.recipient_id, m.note) for m in world.mails.of("booked")}
    assert notes == {(STUDENT, "the reader's settings"), (TEACHER, "no email address")}
    assert world.mails.of("course_completed")[0].note == "no such user"


def test_course_mail_waits_for_the_digest_and_goes_out_in_one(world: World) -> None:
    world.directory.add(STUDENT, notificationFrequency="daily", timezone="Asia/Kolkata")
    for course_id in ("c1", "c2"):
        world.handle(CourseCompleted(user_id=STUDENT, course_id=course_id, completed_at=AT))
    assert world.send_due() == 0
    assert {m.status for m in world.mails.of("course_completed")} == {DIGESTED}
    assert world.mailer.sent == {}
    tomorrow = utc_now() + timedelta(days=1, hours=1)
    assert world.send_digests(as_of=tomorrow) == 1
    assert world.send_digests(as_of=tomorrow) == 0
    assert {m.note for m in world.mails.of("course_completed")} == {"in digest"}
    [digest] = world.mailer.sent.values()
    assert digest.subject == "Your ProLearn daily digest: 2 updates"
    assert "your course" in digest.text, "a card that never came: the digest says less"


def test_a_mail_waits_for_its_course_card_then_says_less(world: World) -> None:
    world.handle(CourseCompleted(user_id=STUDENT, course_id="c9", completed_at=AT))
    later = utc_now()
    for _ in range(3):
        later += timedelta(hours=1)
        assert world.send_due(as_of=later) == 0
    assert world.send_due(as_of=later + timedelta(hours=1)) == 1
    [mail] = world.mailer.sent.values()
    assert mail.subject == "You completed your course"


def test_an_unreachable_provider_retries_with_backoff_then_gives_up(world: World) -> None:
    world.mailer.failure = MailUnavailable("503")
    world.send_attempts = 3
    world.handle(paid())
    before = utc_now()
    assert world.send_due() == 0
    [waiting] = world.mails.of("receipt")
    assert (waiting.status, waiting.attempts, waiting.note) == (PENDING, 1, "503")
    assert timedelta(seconds=9.99) < parse_iso(waiting.send_at) - before < timedelta(seconds=11)
    assert world.send_due() == 0, "not due again yet"
    world.send_due(as_of=utc_now() + timedelta(minutes=1))
    assert world.mails.of("receipt")[0].attempts == 2
    world.send_due(as_of=utc_now() + timedelta(minutes=2))
    assert (world.mails.of("receipt")[0].status, world.mails.of("receipt")[0].attempts) == (
        FAILED,
        3,
    )


def test_a_refused_mail_fails_at_once(world: World) -> None:
    world.mailer.failure = MailRejected("422 validation_error")
    world.handle(paid())
    world.send_due()
    [refused] = world.mails.of("receipt")
    assert (refused.status, refused.attempts) == (FAILED, 0)


def test_a_mail_another_sender_holds_is_left_to_it(world: World) -> None:
    world.handle(paid())
    [mail] = world.mails.of("receipt")
    now = utc_now()
    assert world.mails.claim(mail, iso(now), iso(now + timedelta(minutes=2)))
    assert world.send_due() == 0
    assert world.mailer.sent == {}


def contact(key: str | None, contacts: FakeContacts, mailer: FakeMailer) -> str:
    command = SendContactMessage("Ann", "ann@example.test", "Refund", "Hello <b>there</b>", key)
    return handlers.send_contact_message(
        command,
        contacts=cast(ContactLog, contacts),
        mailer=cast(ResendMailer, mailer),
        support_address="support@prolearn.test",
    )


def test_a_contact_message_goes_to_support_once_per_key() -> None:
    contacts, mailer = FakeContacts(), FakeMailer()
    first = contact("k1", contacts, mailer)
    assert contact("k1", contacts, mailer) == first
    assert contact(None, contacts, mailer) != first, "no key: a new message"
    [to_support, _] = mailer.sent.values()
    assert (to_support.to, to_support.reply_to) == ("support@prolearn.test", "ann@example.test")
    assert "&lt;b&gt;there&lt;/b&gt;" in to_support.html


def test_a_contact_message_the_provider_refused_is_not_remembered() -> None:
    contacts = FakeContacts()
    with pytest.raises(MailRejected):
        contact("k1", contacts, FakeMailer(failure=MailRejected("422")))
    assert contacts.sent == {}


def test_the_retry_delay_doubles_up_to_a_ceiling() -> None:
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    mail = Mail("k", "receipt", "receipt", STUDENT, {}, AT, AT)
    delays = []
    for _ in range(9):
        mail = mail.retried("down", allowed_attempts=20, now=now)
        delays.append(parse_iso(mail.send_at) - now)
    assert delays[:3] == [timedelta(seconds=s) for s in (10, 20, 40)]
    assert delays[-1] == timedelta(minutes=15)
    assert mail.retried("down", allowed_attempts=10, now=now).status == FAILED
