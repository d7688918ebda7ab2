"""Catalog's answers: the `Course` model of shared/api/courses.py as the viewer may see it (media
as signed URLs), listing pages of pre-rendered cards, and the internal answers billing reads."""

from __future__ import annotations

import json

from catalog.adapters.listing_cache import RenderedPage
from catalog.adapters.repository import Page
from catalog.cards import card_json
from catalog.course_media import CourseMedia
from catalog.domain.access import Access
from catalog.domain.model import Chapter, Course
from catalog.outline import course_document
from shared.api import courses, internal
from shared.web.responses import encode_cursor

COURSES_RETRIEVED = "Courses retrieved successfully"


def shown_course(
    course: Course, media: CourseMedia, access: Access, inline_videos: bool = True
) -> courses.Course:
    """The course with the content and videos `access` opens; the thumbnail and those videos
    become short-lived signed URLs. Without `inline_videos` no chapter carries a `video` (the
    player asks the stream endpoint for each chapter it plays)."""
    videos: frozenset[str] = access.videos(course) if inline_videos else frozenset()

    def content(chapter: Chapter) -> str | None:
        return chapter.content if access.opens(chapter) else None

    def video(chapter: Chapter) -> str | None:
        if chapter.chapter_id not in videos or not chapter.video:
            return None
        return media.playback_url(chapter.video)

    image = media.playback_url(course.image) if course.image else None
    return course_document(course, image, content, video)


def priced_course(course: Course) -> internal.PricedCourse:
    """What billing needs to charge for a course, straight from the source of truth."""
    return internal.PricedCourse(
        course_id=course.course_id,
        title=course.title,
        teacher_id=course.teacher_id,
        status=course.status,
        price=course.price,
        currency=course.currency,
    )


def course_playback(
    course: Course, user_id: str, issued: frozenset[str]
) -> internal.CoursePlayback:
    """What billing's refund rule needs from catalog: which chapters are paid videos, and which
    of the course's chapters had their playback URL issued to the user in a course page."""
    return internal.CoursePlayback(
        course_id=course.course_id,
        user_id=user_id,
        paid_video_chapter_ids=course.paid_videos,
        issued_chapter_ids=issued,
    )


def listing_page(page: Page, media: CourseMedia) -> RenderedPage:
    """A catalog page as served and cached: the envelope of its cards, and the next cursor; a
    page that lists nothing is not worth keeping."""
    data = [card_json(card, media) for card in page.cards]
    body = json.dumps({"message": COURSES_RETRIEVED, "data": data}).encode()
    return RenderedPage(body, encode_cursor(page.last_key), shareable=bool(data))
