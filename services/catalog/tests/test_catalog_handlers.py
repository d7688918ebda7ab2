"""Catalog's handlers with in-memory fakes: ownership, saving and publishing, removal, who sees
what, uploads, the listing and the events, no DynamoDB, S3 or Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any, cast

import pytest

from catalog import handlers
from catalog.adapters.listing_cache import ListingCache, RenderedPage
from catalog.adapters.repository import CourseRepository, Page, StaleCourse
from catalog.adapters.storage import TeacherStorage
from catalog.cards import card_of
from catalog.commands import (
    CreateCourse,
    ImageChange,
    ListCourses,
    RemoveCourse,
    RequestVideoUpload,
    SaveCourse,
    ShowCourse,
)
from catalog.course_media import CourseMedia, Thumbnail
from catalog.domain.access import Access
from catalog.domain.listing import parse_listing
from catalog.domain.media import MediaTooLarge, StorageQuotaExceeded
from catalog.domain.model import ARCHIVED, Chapter, Course, Section, new_draft, revise
from catalog.domain.validation import CourseEdit, CourseInvalid
from catalog.errors import CourseIsArchived, CourseNotFound, NotOwner
from shared.api.courses import UploadUrl
from shared.clerk import ClerkClient
from shared.events.contracts import MediaReleased
from shared.media.issued_playback import IssuedPlayback
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import Memberships
from shared.tests.fakes import FakeUnitOfWork

AT = "2026-11-25T10:00:00.000Z"
TEACHER, STUDENT, STRANGER = "t1", "u1", "u2"
QUOTA = 1000


@dataclass
class FakeCourses:
    """Courses by id; a replace whose version moved since it was read is stale."""

    stored: dict[str, Course] = field(default_factory=dict)

    def get(self, course_id: str) -> Course | None:
        return self.stored.get(course_id)

    def add(self, uow: FakeUnitOfWork, course: Course) -> None:
        uow.stage(lambda: self.stored.__setitem__(course.course_id, course))

    def replace(self, uow: FakeUnitOfWork, course: Course, current: Course) -> None:
        def unchanged() -> None:
            if self.stored[course.course_id].version != current.version:
                raise StaleCourse(course.course_id)

        uow.stage(lambda: self.stored.__setitem__(course.course_id, course), unchanged)

    def remove(self, uow: FakeUnitOfWork, current: Course) -> None:
        uow.stage(lambda: self.stored.pop(current.course_id))

    def count_enrollment(self, uow: FakeUnitOfWork, course_id: str, delta: int) -> None:
        def write() -> None:
            course = self.stored[course_id]  # a course that is gone fails the condition
            self.stored[course_id] = replace(
                course, enrollment_count=course.enrollment_count + delta
            )

        uow.stage(write)

    def count_enrollment_checked(self, uow: FakeUnitOfWork, course_id: str, delta: int) -> None:
        if course_id in self.stored:
            self.count_enrollment(uow, course_id, delta)

    def published(self, category: str | None, limit: int, start: Any) -> Page:
        found = [c for c in self.stored.values() if c.is_public and category in (None, c.category)]
        return Page([card_of(c) for c in found[:limit]], None)

    def search(self, terms: tuple[str, ...], category: str | None, limit: int, start: Any) -> Page:
        found = [c for c in self.stored.values() if set(terms) <= c.search_words]
        return Page([card_of(c) for c in found[:limit]], None)


@dataclass
class FakeStorage:
    used: dict[str, int] = field(default_factory=dict)

    def ensure_room(self, teacher_id: str, more_bytes: int) -> None:
        if more_bytes > 0 and self.used.get(teacher_id, 0) + more_bytes > QUOTA:
            raise self.exceeded(teacher_id)

    def exceeded(self, teacher_id: str) -> StorageQuotaExceeded:
        return StorageQuotaExceeded(QUOTA, self.used.get(teacher_id, 0))

    def charge(self, uow: FakeUnitOfWork, teacher_id: str, delta: int) -> None:
        def write() -> None:
            self.used[teacher_id] = self.used.get(teacher_id, 0) + delta

        uow.stage(write)


@dataclass
class FakeMedia:
    """Video references are kept as they are sent; a thumbnail is stored under one key."""

    released: list[str] = field(default_factory=list)

    def resolve_videos(
        self, course_id: str, sections: tuple[Section, ...], known: frozenset[str]
    ) -> tuple[tuple[Section, ...], tuple[()]]:
        return sections, ()

    def image_key(self, reference: str) -> str:
        return reference

    def store_thumbnail(self, course_id: str, thumbnail: Thumbnail) -> str:
        return f"courses/{course_id}/thumbnails/new.{thumbnail.extension}"

    def release(self, keys: Iterable[str]) -> None:
        self.released.extend(keys)

    def upload_urls(self, course_id: str, request: Any) -> UploadUrl:
        staged = f"https://bucket.example/staging/courses/{course_id}/videos/{request.file_name}"
        return UploadUrl(upload_url=f"{staged}?signed", video_url=staged)


@dataclass
class FakeStudents:
    active: set[tuple[str, str]] = field(default_factory=set)

    def is_active(self, course_id: str, user_id: str) -> bool:
        return (course_id, user_id) in self.active


@dataclass
class FakeIssued:
    records: set[tuple[str, str, str]] = field(default_factory=set)

    def record(self, course_id: str, user_id: str, chapter_ids: Iterable[str]) -> None:
        self.records |= {(course_id, user_id, c) for c in chapter_ids}


@dataclass
class FakeListingCache:
    """Pages kept by listing key and cursor until invalidated; no key is never kept."""

    pages: dict[tuple[str, str | None], RenderedPage] = field(default_factory=dict)

    def page(
        self, listing: str | None, cursor: str | None, render: Callable[[], RenderedPage]
    ) -> RenderedPage:
        if listing is None:
            return render()
        return self.pages.setdefault((listing, cursor), render())

    def invalidate(self) -> None:
        self.pages.clear()


def chapters() -> tuple[Chapter, ...]:
    return (
        Chapter("trailer", "Video", "Trailer", video="courses/c1/videos/t.mp4", free_preview=True),
        Chapter("lesson", "Video", "Lesson", video="courses/c1/videos/l.mp4"),
        Chapter("notes", "Text", "Notes", content="the paid notes"),
    )


def published_course(**fields: Any) -> Course:
    changes = {
        "title": "Go for services",
        "category": "programming",
        "status": "Published",
        "sections": (Section("s1", "All", chapters=chapters()),),
        **fields,
    }
    return revise(new_draft("c1", TEACHER, "Tina", AT), changes, AT)


@dataclass
class World:
    courses: FakeCourses = field(default_factory=FakeCourses)
    storage: FakeStorage = field(default_factory=FakeStorage)
    media: FakeMedia = field(default_factory=FakeMedia)
    listing: FakeListingCache = field(default_factory=FakeListingCache)
    students: FakeStudents = field(default_factory=FakeStudents)
    issued: FakeIssued = field(default_factory=FakeIssued)
    units: list[FakeUnitOfWork] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    def unit_of_work(self) -> FakeUnitOfWork:
        self.units.append(FakeUnitOfWork(failures=self.failures))
        return self.units[-1]

    def events(self) -> list[str]:
        return [type(e).__name__ for uow in self.units for e in uow.committed]

    def with_course(self, course: Course) -> Course:
        self.courses.stored[course.course_id] = course
        return course

    def deps(self) -> dict[str, Any]:
        return {
            "courses": cast(CourseRepository, self.courses),
            "unit_of_work": cast(Callable[[], UnitOfWork], self.unit_of_work),
        }

    def save(self, edit: CourseEdit, teacher: str = TEACHER, **image: Any) -> Course:
        return handlers.save_course(
            SaveCourse(teacher, "c1", edit, ImageChange(**image)),
            media=cast(CourseMedia, self.media),
            storage=cast(TeacherStorage, self.storage),
            **self.deps(),
        )

    def remove(self, teacher: str = TEACHER) -> Course:
        return handlers.remove_course(
            RemoveCourse(teacher, "c1"), storage=cast(TeacherStorage, self.storage), **self.deps()
        )

    def show(self, viewer: str | None, inline_videos: bool = True) -> tuple[Course, Access]:
        return handlers.show_course(
            ShowCourse("c1", viewer, inline_videos),
            courses=cast(CourseRepository, self.courses),
            students=cast(Memberships, self.students),
            issued_playback=cast(IssuedPlayback, self.issued),
        )

    def upload(self, teacher: str = TEACHER, **request: Any) -> UploadUrl:
        command = RequestVideoUpload(
            teacher, "c1", "s1", "c9", **{"file_name": "a.mp4", "file_type": "video/mp4", **request}
        )
        return handlers.request_video_upload(
            command,
            courses=cast(CourseRepository, self.courses),
            media=cast(CourseMedia, self.media),
            storage=cast(TeacherStorage, self.storage),
            max_video_bytes=500,
        )

    def listed(self, q: str = "", category: str | None = None) -> list[str]:
        rendered = handlers.list_courses(
            ListCourses(parse_listing(category, q, 20)),
            courses=cast(CourseRepository, self.courses),
            listing_cache=cast(ListingCache, self.listing),
            render=lambda page: RenderedPage(",".join(c.course_id for c in page.cards).encode()),
        )
        return [i for i in rendered.body.decode().split(",") if i]


@pytest.fixture
def world() -> World:
    return World()


def test_a_new_draft_is_named_from_clerk_and_announced(world: World) -> None:
    clerk = SimpleNamespace(get_user=lambda user_id: SimpleNamespace(display_name=f"Ms {user_id}"))
    course = handlers.create_course(
        CreateCourse(TEACHER), clerk=cast(ClerkClient, clerk), **world.deps()
    )
    assert (course.teacher_id, course.teacher_name, course.status) == (TEACHER, "Ms t1", "Draft")
    assert world.courses.get(course.course_id) == course
    assert world.events() == ["CourseUpdated"]


def test_only_the_owner_changes_an_open_course(world: World) -> None:
    with pytest.raises(CourseNotFound):
        world.save(CourseEdit(title="Mine"))
    world.with_course(published_course())
    with pytest.raises(NotOwner):
        world.save(CourseEdit(title="Mine"), teacher="t2")
    with pytest.raises(NotOwner):
        world.upload(teacher="t2")
    with pytest.raises(NotOwner):
        world.remove(teacher="t2")
    world.with_course(published_course(status=ARCHIVED))
    with pytest.raises(CourseIsArchived):
        world.save(CourseEdit(title="Changed"))
    with pytest.raises(CourseIsArchived):
        world.upload()
    assert world.events() == []


def test_publishing_is_announced_once(world: World) -> None:
    world.with_course(published_course(status="Draft"))
    assert world.save(CourseEdit(status="Published")).published_at is not None
    world.save(CourseEdit(title="Renamed"))
    assert world.events() == ["CoursePublished", "CourseUpdated"]
    assert world.courses.stored["c1"].title == "Renamed"


def test_a_save_the_rules_refuse_writes_nothing(world: World) -> None:
    draft = world.with_course(new_draft("c1", TEACHER, "Tina", AT))
    with pytest.raises(CourseInvalid) as caught:
        world.save(CourseEdit(status="Published"))
    assert {"category", "sections"} <= set(caught.value.details)
    twice = (Section("s1", "A"), Section("s1", "B"))
    with pytest.raises(CourseInvalid) as caught:
        world.save(CourseEdit(sections=twice, echoed_course_id="other"))
    assert set(caught.value.details) == {"courseId", "sections[1].sectionId"}
    assert world.courses.stored["c1"] == draft and world.events() == []


def test_new_sections_and_chapters_are_named(world: World) -> None:
    world.with_course(new_draft("c1", TEACHER, "Tina", AT))
    outline = (Section("", "New", chapters=(Chapter("", "Text", "First"),)),)
    [section] = world.save(CourseEdit(sections=outline)).sections
    assert len(section.section_id) == 32 and len(section.chapters[0].chapter_id) == 32


def test_a_stale_save_is_read_again_and_retried_then_given_up(world: World) -> None:
    world.with_course(published_course())
    world.failures.extend([StaleCourse("c1")] * 2)
    assert world.save(CourseEdit(title="Third time")).title == "Third time"
    assert world.events() == ["CourseUpdated"] and len(world.units) == 3
    world.failures.extend([StaleCourse("c1")] * handlers.SAVE_ATTEMPTS)
    with pytest.raises(StaleCourse):
        world.save(CourseEdit(title="Never"))
    assert world.courses.stored["c1"].title == "Third time"


def test_a_replaced_thumbnail_is_counted_and_the_old_one_released(world: World) -> None:
    world.with_course(published_course(image="courses/c1/thumbnails/old.png"))
    saved = world.save(CourseEdit(), upload=Thumbnail(b"\x89PNG" + bytes(96), "image/png"))
    assert saved.image == "courses/c1/thumbnails/new.png"
    assert world.storage.used == {TEACHER: 100}
    [released] = [e for uow in world.units for e in uow.committed if isinstance(e, MediaReleased)]
    assert released.keys == ("courses/c1/thumbnails/old.png",)
    with pytest.raises(CourseInvalid) as caught:
        world.save(CourseEdit(), reference="courses/c1/thumbnails/other.png")
    assert set(caught.value.details) == {"image"}
    assert world.save(CourseEdit(), remove=True).image is None
    assert world.storage.used == {TEACHER: 0}


def test_a_thumbnail_beyond_the_quota_is_refused(world: World) -> None:
    world.with_course(published_course())
    world.storage.used[TEACHER] = QUOTA - 10
    with pytest.raises(StorageQuotaExceeded) as caught:
        world.save(CourseEdit(), upload=Thumbnail(bytes(11), "image/png"))
    assert caught.value.details == {"quotaBytes": QUOTA, "usedBytes": QUOTA - 10}
    assert world.events() == []


def test_a_course_with_students_is_archived_one_without_is_deleted_with_its_media(
    world: World,
) -> None:
    world.with_course(published_course(enrollment_count=1))
    assert world.remove().is_archived and world.remove().is_archived, "archiving is idempotent"
    assert world.events() == ["CourseArchived"]
    course = world.with_course(published_course(media_bytes={"courses/c1/videos/l.mp4": 40}))
    world.storage.used[TEACHER] = 40
    assert world.remove().status == "Deleted"
    assert "c1" not in world.courses.stored and world.storage.used == {TEACHER: 0}
    [released] = [e for uow in world.units for e in uow.committed if isinstance(e, MediaReleased)]
    assert set(released.keys) == course.media_keys


def test_who_sees_what_of_a_course(world: World) -> None:
    world.with_course(published_course())
    world.students.active.add(("c1", STUDENT))
    assert world.show(TEACHER)[1] is Access.FULL
    assert world.show(STUDENT)[1] is Access.FULL
    assert world.show(STRANGER)[1] is Access.PREVIEW
    assert world.show(None)[1] is Access.PREVIEW
    world.with_course(published_course(status="Draft"))
    assert world.show(TEACHER)[1] is Access.FULL
    for viewer in (STUDENT, STRANGER, None):
        with pytest.raises(CourseNotFound):
            world.show(viewer)
    world.with_course(published_course(status=ARCHIVED))
    assert world.show(STUDENT)[1] is Access.FULL
    with pytest.raises(CourseNotFound):
        world.show(STRANGER)


def test_only_paid_videos_handed_to_a_student_are_recorded(world: World) -> None:
    world.with_course(published_course())
    world.students.active.add(("c1", STUDENT))
    world.show(TEACHER)
    world.show(STRANGER)
    world.show(STUDENT, inline_videos=False)
    assert world.issued.records == set()
    world.show(STUDENT)
    assert world.issued.records == {("c1", STUDENT, "lesson")}


def test_an_upload_is_a_video_within_the_limit_and_the_quota(world: World) -> None:
    world.with_course(published_course())
    assert world.upload(file_name="My Lesson (final).MP4").video_url.endswith(
        "/My-Lesson-final-.MP4"
    )
    with pytest.raises(MediaTooLarge):
        world.upload(file_size=501)
    world.storage.used[TEACHER] = QUOTA - 100
    with pytest.raises(StorageQuotaExceeded):
        world.upload(file_size=101)
    assert world.upload(file_size=100).video_url


def test_a_browse_reads_published_pages_a_search_the_words(world: World) -> None:
    world.with_course(published_course())
    world.with_course(replace(published_course(title="Rust basics"), course_id="c2"))
    world.with_course(replace(published_course(status="Draft"), course_id="c3"))
    assert sorted(world.listed()) == ["c1", "c2"]
    assert world.listed(q="rust") == ["c2"]
    assert world.listed(category="design") == []


def test_course_events_refresh_the_cached_listing(world: World) -> None:
    world.with_course(published_course())
    assert world.listed() == ["c1"]
    world.courses.stored.clear()
    assert world.listed() == ["c1"], "served from the cache"
    uow = cast(UnitOfWork, FakeUnitOfWork())
    envelope: Any = None
    handlers.refresh_listing(None, envelope, uow, listing_cache=cast(ListingCache, world.listing))
    assert world.listed() == []


def test_enrollment_flips_are_counted_even_for_a_course_that_is_gone(world: World) -> None:
    world.with_course(published_course())
    courses = cast(CourseRepository, world.courses)
    for optimistic, enrolled in ((True, True), (False, True), (True, False)):
        uow = FakeUnitOfWork(optimistic=optimistic)
        handlers.count_enrollment(cast(UnitOfWork, uow), "c1", enrolled, courses=courses)
        uow.commit()
    assert world.courses.stored["c1"].enrollment_count == 1
    checked = FakeUnitOfWork()
    handlers.count_enrollment(cast(UnitOfWork, checked), "gone", True, courses=courses)
    checked.commit()  # read first: nothing to count, nothing fails
    assert "gone" not in world.courses.stored


def test_released_media_leaves_the_bucket(world: World) -> None:
    event = MediaReleased(course_id="c1", keys=("courses/c1/a.mp4",))
    envelope: Any = None
    uow = cast(UnitOfWork, FakeUnitOfWork())
    handlers.delete_media(event, envelope, uow, release=world.media.release)
    assert world.media.released == ["courses/c1/a.mp4"]
