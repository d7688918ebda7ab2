"""A course with its sections and chapters, as a teacher edits it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from catalog.domain.search import index_words
from shared.events.contracts import ChapterOutline, CourseSnapshot, SectionOutline

DRAFT, PUBLISHED, ARCHIVED, DELETED = "Draft", "Published", "Archived", "Deleted"
UNCATEGORIZED = "Uncategorized"
CURRENCY = "INR"


@dataclass(frozen=True)
class Chapter:
    chapter_id: str
    type: str
    title: str
    content: str = ""
    video: str | None = None
    free_preview: bool = False


@dataclass(frozen=True)
class Section:
    section_id: str
    title: str
    description: str = ""
    chapters: tuple[Chapter, ...] = ()


@dataclass(frozen=True)
class Course:
    course_id: str
    teacher_id: str
    teacher_name: str
    created_at: str
    updated_at: str
    title: str = "Untitled Course"
    description: str = ""
    category: str = UNCATEGORIZED
    image: str | None = None
    price: int = 0
    currency: str = CURRENCY
    level: str = "Beginner"
    status: str = DRAFT
    sections: tuple[Section, ...] = ()
    enrollment_count: int = 0
    version: int = 1
    published_at: str | None = None
    media_bytes: Mapping[str, int] = field(default_factory=dict)
    """The size of each stored object the course counts against its teacher's storage quota
    (objects kept before quotas existed are not in it, and were never counted)."""

    @property
    def stored_bytes(self) -> int:
        return sum(self.media_bytes.values())

    @property
    def is_public(self) -> bool:
        return self.status == PUBLISHED

    @property
    def is_archived(self) -> bool:
        return self.status == ARCHIVED

    @property
    def chapter_count(self) -> int:
        return sum(len(s.chapters) for s in self.sections)

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        return tuple(c for s in self.sections for c in s.chapters)

    @property
    def video_keys(self) -> frozenset[str]:
        return frozenset(c.video for c in self.chapters if c.video)

    @property
    def paid_videos(self) -> frozenset[str]:
        """Ids of the chapters whose video only buyers may play: a video, not a free preview."""
        return frozenset(c.chapter_id for c in self.chapters if c.video and not c.free_preview)

    @property
    def media_keys(self) -> frozenset[str]:
        """Every stored object the course references: its videos and its thumbnail."""
        return self.video_keys | ({self.image} if self.image else set())

    @property
    def search_words(self) -> frozenset[str]:
        """The words its search-index items are written under: none unless it is listed."""
        return index_words(self.title, self.description) if self.is_public else frozenset()

    def owned_by(self, user_id: str | None) -> bool:
        return user_id is not None and user_id == self.teacher_id

    def snapshot(self) -> CourseSnapshot:
        """The public card and outline that events carry."""
        return CourseSnapshot(
            course_id=self.course_id,
            version=self.version,
            teacher_id=self.teacher_id,
            teacher_name=self.teacher_name,
            title=self.title,
            description=self.description,
            category=self.category,
            level=self.level,
            image_key=self.image,
            price=self.price,
            currency=self.currency,
            status=self.status,
            sections=tuple(
                SectionOutline(
                    section_id=s.section_id,
                    title=s.title,
                    chapters=tuple(
                        ChapterOutline(
                            chapter_id=c.chapter_id,
                            title=c.title,
                            type=c.type,
                            free_preview=c.free_preview,
                            video_key=c.video,
                        )
                        for c in s.chapters
                    ),
                )
                for s in self.sections
            ),
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def new_draft(course_id: str, teacher_id: str, teacher_name: str, now: str) -> Course:
    return Course(course_id, teacher_id, teacher_name, created_at=now, updated_at=now)


def archive(course: Course, now: str) -> Course:
    """Hidden from the catalog, kept for the students already enrolled."""
    return replace(course, status=ARCHIVED, updated_at=now, version=course.version + 1)


def deleted(course: Course, now: str) -> Course:
    """The last version of a course, as its deletion event carries it."""
    return replace(course, status=DELETED, updated_at=now, version=course.version + 1)


def account_media(course: Course, new_sizes: Mapping[str, int]) -> Course:
    """`course` counting exactly the media it keeps: sizes it knew, plus `new_sizes`."""
    sizes = {**course.media_bytes, **new_sizes}
    kept = {key: sizes[key] for key in sorted(course.media_keys) if key in sizes}
    return replace(course, media_bytes=kept)


def revise(course: Course, changes: dict[str, object], now: str) -> Course:
    """Apply validated changes; publishing stamps published_at the first time."""
    updated = replace(course, **changes, updated_at=now, version=course.version + 1)  # type: ignore[arg-type]
    if updated.is_public and not course.is_public and not updated.published_at:
        updated = replace(updated, published_at=now)
    return updated
