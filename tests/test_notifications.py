"""Mail from events, read back from the mail catcher: once each, as the reader's settings say."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from notifications import bootstrap
from shared.clock import iso, now_iso, parse_iso
from shared.config import load_settings
from shared.events.contracts import (
    CourseCompleted,
    MentorshipSession,
    PaymentSucceeded,
    RefundSucceeded,
    SessionBooked,
    SessionCancelled,
)
from shared.events.envelope import Envelope, wrap
from shared.messaging.celery_app import make_publisher_app
from shared.messaging.publisher import Publisher
from shared.runtime import Runtime
from tests.helpers import Api, User, eventually
from tests.test_mentorship import availability, book, slots

REDELIVERIES = 3


def email_of(user: User) -> str:
    return f"{user.user_id}@example.test"


def inbox(api: Api, address: str) -> list[dict[str, Any]]:
    response = api.session.get(f"{api.standins}/resend/emails", params={"to": address}, timeout=10)
    assert response.status_code == 200, response.text
    mails: list[dict[str, Any]] = response.json()["data"]
    return mails


def subjects(api: Api, user: User) -> list[str]:
    return sorted(m["subject"] for m in inbox(api, email_of(user)))


def save_settings(api: Api, user: User, **changes: Any) -> None:
    settings = {
        "courseNotifications": True,
        "emailAlerts": True,
        "smsAlerts": False,
        "notificationFrequency": "immediate",
        **changes,
    }
    body = {"publicMetadata": {"settings": settings}}
    response = api.call("PUT", f"/user/clerk/{user.user_id}", user, json=body)
    assert response.status_code == 200, response.text


def redeliver(stack_env: dict[str, str], event: Any, producer: str) -> Envelope:
    """The same envelope (one event id) handed to notifications three times."""
    publisher = Publisher(make_publisher_app(load_settings(producer, stack_env)))
    envelope = wrap(event, producer=producer)
    for _ in range(REDELIVERIES):
        publisher.send_to("notifications", envelope)
    return envelope


def notifications_command(stack_env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "notifications", *args],
        env=stack_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.fixture
def course(api: Api) -> dict[str, Any]:
    teacher = api.onboard("teacher", name="Tara Teacher")
    published = api.published_course(teacher, price=49900)
    return {"teacher": teacher, "id": published["courseId"], "title": published["title"]}


def session_between(student: User, teacher: User, course_id: str) -> MentorshipSession:
    starts = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=3)
    return MentorshipSession(
        session_id=f"s_{student.user_id[-8:]}",
        student_id=student.user_id,
        teacher_id=teacher.user_id,
        course_id=course_id,
        starts_at=iso(starts),
        ends_at=iso(starts + timedelta(minutes=30)),
        student_name="Sam Student",
        teacher_name="Tara Teacher",
    )


def test_each_event_mails_once_though_delivered_three_times(
    api: Api, course: dict[str, Any], stack_env: dict[str, str]
) -> None:
    student, teacher = api.onboard("student", name="Sam Student"), course["teacher"]
    title = course["title"]
    redeliver(
        stack_env,
        PaymentSucceeded(
            order_id="pl_mail1",
            user_id=student.user_id,
            course_id=course["id"],
            amount=49900,
            currency="INR",
            provider_payment_id="cf1",
            paid_at=now_iso(),
        ),
        "billing",
    )
    redeliver(
        stack_env,
        RefundSucceeded(
            order_id="pl_mail1",
            refund_id="rf_1",
            user_id=student.user_id,
            course_id=course["id"],
            amount=49900,
            currency="INR",
            refunded_at=now_iso(),
        ),
        "billing",
    )
    redeliver(
        stack_env,
        CourseCompleted(user_id=student.user_id, course_id=course["id"], completed_at=now_iso()),
        "enrollment",
    )
    session = session_between(student, teacher, course["id"])
    redeliver(stack_env, SessionBooked(session=session), "mentorship")
    redeliver(
        stack_env,
        SessionCancelled(session=session, cancelled_by=teacher.user_id, cancelled_at=now_iso()),
        "mentorship",
    )

    expected_student = sorted(
        [
            f"Your receipt for {title}",
            f"Your refund for {title}",
            f"You completed {title}",
        ]
    )
    assert eventually(
        lambda: (
            [s for s in subjects(api, student) if not s.startswith("Session")] == expected_student
        ),
        timeout=20,
    )
    assert eventually(lambda: len(subjects(api, teacher)) == 2), "booked, then cancelled"
    assert eventually(lambda: len(subjects(api, student)) == 5)
    [booked] = [s for s in subjects(api, student) if s.startswith("Session booked")]
    [cancelled] = [s for s in subjects(api, student) if s.startswith("Session cancelled")]
    assert cancelled.startswith(f"Session cancelled: {title}")
    assert f"{title} with Tara Teacher" in booked
    receipt = next(m for m in inbox(api, email_of(student)) if "receipt" in m["subject"])
    assert "₹499.00" in receipt["text"] and "₹499.00" in receipt["html"]
    assert receipt["from"] == "ProLearn <no-reply@prolearn.test>"


def test_email_alerts_off_leaves_only_the_receipts(
    api: Api, course: dict[str, Any], stack_env: dict[str, str]
) -> None:
    student, teacher = api.onboard("student"), course["teacher"]
    save_settings(api, student, emailAlerts=False)
    redeliver(
        stack_env,
        PaymentSucceeded(
            order_id="pl_mail2",
            user_id=student.user_id,
            course_id=course["id"],
            amount=49900,
            currency="INR",
            provider_payment_id="cf2",
            paid_at=now_iso(),
        ),
        "billing",
    )
    completed = redeliver(
        stack_env,
        CourseCompleted(user_id=student.user_id, course_id=course["id"], completed_at=now_iso()),
        "enrollment",
    )
    booking = redeliver(
        stack_env,
        SessionBooked(session=session_between(student, teacher, course["id"])),
        "mentorship",
    )
    silenced = [
        f"course_completed/{completed.event_id}/{student.user_id}",
        f"booked/{booking.event_id}/{student.user_id}",
    ]
    mails = bootstrap.build(Runtime(load_settings("notifications", stack_env))).mails
    assert eventually(
        lambda: all((m := mails.get(k)) is not None and m.status == "SKIPPED" for k in silenced)
    )
    assert eventually(lambda: subjects(api, student) == [f"Your receipt for {course['title']}"])
    assert eventually(lambda: len(subjects(api, teacher)) == 1), "the teacher's alerts stay on"


def test_a_daily_digest_collects_three_course_notifications_into_one_mail(
    api: Api, stack_env: dict[str, str]
) -> None:
    teacher, student = api.onboard("teacher"), api.onboard("student", name="Dee Digest")
    save_settings(api, student, notificationFrequency="daily", timezone="Asia/Kolkata")
    titles = []
    for _ in range(3):
        course = api.published_course(teacher, price=0)
        titles.append(course["title"])
        completed = CourseCompleted(
            user_id=student.user_id, course_id=course["courseId"], completed_at=now_iso()
        )
        redeliver(stack_env, completed, "enrollment")
    digests = bootstrap.build(Runtime(load_settings("notifications", stack_env))).digests
    assert eventually(lambda: len(digests.entries(student.user_id)) == 3)
    assert inbox(api, email_of(student)) == [], "daily: nothing goes out at once"

    tomorrow = iso(datetime.now(UTC) + timedelta(days=1, hours=1))
    assert notifications_command(stack_env, "send-digests", "--as-of", tomorrow) == {"sent": 1}
    assert notifications_command(stack_env, "send-digests", "--as-of", tomorrow) == {"sent": 0}
    [digest] = inbox(api, email_of(student))
    assert digest["subject"] == "Your ProLearn daily digest: 3 updates"
    assert digest["text"].count("You completed") == 3
    assert all(title in digest["text"] and title in digest["html"] for title in titles)
    assert " IST" in digest["text"], "times in the reader's zone"
    assert digests.entries(student.user_id) == []


@pytest.fixture
def mentor(api: Api) -> dict[str, Any]:
    """A teacher open all day with a free course, and an enrolled student in Kolkata."""
    teacher = api.onboard("teacher", name="Maya Mentor")
    course = api.published_course(teacher, price=0)
    saved = api.call("PUT", "/mentorship/availability", teacher, json=availability())
    assert saved.status_code == 200, saved.text
    student = api.enrolled_student(course["courseId"])
    save_settings(api, student, timezone="Asia/Kolkata")
    eventually(lambda: slots(api, student, teacher, courseId=course["courseId"]))
    return {"teacher": teacher, "course": course["courseId"], "student": student}


def booked_at(api: Api, mentor: dict[str, Any], index: int, days_ahead: int = 0) -> dict[str, Any]:
    """The index-th free slot, counted from `days_ahead` days from now."""
    window = {}
    if days_ahead:
        begin = datetime.now(UTC) + timedelta(days=days_ahead)
        window = {"from": iso(begin), "to": iso(begin + timedelta(days=1))}
    start = slots(api, mentor["student"], mentor["teacher"], **window)[index]["start"]
    response = book(api, mentor["student"], mentor["teacher"], mentor["course"], start)
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()["data"]
    return session


def test_the_booking_mail_carries_an_invite_with_the_session_in_utc(
    api: Api, mentor: dict[str, Any]
) -> None:
    session = booked_at(api, mentor, index=1)
    student, teacher = mentor["student"], mentor["teacher"]
    mail = eventually(
        lambda: next((m for m in inbox(api, email_of(student)) if "booked" in m["subject"]), None)
    )
    [attachment] = mail["attachments"]
    assert attachment["filename"] == "invite.ics"
    calendar = icalendar.Calendar.from_ical(base64.b64decode(attachment["content"]))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == parse_iso(session["date"])
    assert event.decoded("DTEND") == parse_iso(session["endsAt"])
    assert event.decoded("DTSTART").tzinfo is not None and str(event["STATUS"]) == "CONFIRMED"
    local = parse_iso(session["date"]).astimezone(ZoneInfo("Asia/Kolkata"))
    assert f"{local:%H:%M} IST" in mail["text"], "the student reads Kolkata time"
    teachers = eventually(lambda: inbox(api, email_of(teacher)))
    assert "Maya Mentor" not in teachers[0]["subject"] and " UTC" in teachers[0]["text"]


def test_a_cancelled_sessions_reminder_is_never_sent(
    api: Api, mentor: dict[str, Any], stack_env: dict[str, str]
) -> None:
    student = mentor["student"]
    # two days ahead: outside the 12 hours in which a session can no longer be cancelled
    kept = booked_at(api, mentor, index=1, days_ahead=2)
    dropped = booked_at(api, mentor, index=2, days_ahead=2)
    eventually(
        lambda: len([m for m in inbox(api, email_of(student)) if "booked" in m["subject"]]) == 2
    )
    cancel = api.call(
        "PATCH", f"/mentorship/{dropped['sessionId']}", student, json={"status": "cancelled"}
    )
    assert cancel.status_code == 200, cancel.text
    eventually(lambda: any("cancelled" in m["subject"] for m in inbox(api, email_of(student))))

    lead = timedelta(minutes=5)  # REMINDER_LEAD_MINUTES of the test stack
    after_both = iso(parse_iso(dropped["date"]) - lead + timedelta(minutes=1))
    notifications_command(stack_env, "send-due", "--as-of", after_both)
    reminders = [
        m for m in inbox(api, email_of(student)) if m["subject"].startswith("Starting soon")
    ]
    assert len(reminders) == 1
    local = parse_iso(kept["date"]).astimezone(ZoneInfo("Asia/Kolkata"))
    assert f"{local:%H:%M} IST" in reminders[0]["subject"]
    cancelled = next(m for m in inbox(api, email_of(student)) if "cancelled" in m["subject"])
    [invite] = cancelled["attachments"]
    [event] = icalendar.Calendar.from_ical(base64.b64decode(invite["content"])).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def contact(api: Api, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return api.call("POST", "/api/emails/contact", json=body, headers=headers)


def support_mail(api: Api, subject: str) -> list[dict[str, Any]]:
    return [m for m in inbox(api, "support@prolearn.test") if m["subject"].endswith(subject)]


def test_a_contact_message_reaches_support_escaped_once_per_key(api: Api) -> None:
    subject = f"Refund question {now_iso()}"
    body = {
        "name": "Eve Visitor",
        "email": "eve@example.test",
        "subject": subject,
        "message": "Hello <script>alert('x')</script> & thanks",
    }
    first = contact(api, body, key="contact-retry-1")
    assert first.status_code == 200, first.text
    assert first.json()["message"] == "Email sent successfully!"
    again = contact(api, body, key="contact-retry-1")
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    [mail] = support_mail(api, subject)
    assert mail["reply_to"] == ["eve@example.test"]
    assert "<script>" not in mail["html"]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; thanks" in mail["html"]

    bad = contact(api, {**body, "name": "E", "message": "short"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]) == {"name", "message"}


def test_contact_posts_beyond_the_budget_get_429(api: Api) -> None:
    body = {
        "name": "Flooder",
        "email": "flood@example.test",
        "subject": "again",
        "message": "Ten or more characters",
    }
    answers = []
    for _ in range(10):
        answers.append(response := contact(api, body))
        if response.status_code == 429:
            break
    assert answers[-1].status_code == 429, "the budget of 5 per hour ran out"
    assert [a.status_code for a in answers[:-1]] == [200] * (len(answers) - 1)
    assert answers[-2].headers["X-RateLimit-Remaining"] == "0"
    assert int(answers[-1].headers["Retry-After"]) > 0
