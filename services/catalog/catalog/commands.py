"""What catalog is asked to do, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.course_media import Thumbnail
from catalog.domain.listing import Listing
from catalog.domain.validation import CourseEdit


@dataclass(frozen=True)
class CreateCourse:
    """A teacher starts a new draft."""

    teacher_id: str


@dataclass(frozen=True)
class ImageChange:
    """What a save does to the thumbnail: keep it, drop it, or replace it with an upload."""

    upload: Thumbnail | None = None
    remove: bool = False
    reference: str | None = None
    """A thumbnail reference sent back unchanged (checked to be the current one)."""


@dataclass(frozen=True)
class SaveCourse:
    """A teacher saves their course: the fields sent, and what becomes of the thumbnail."""

    teacher_id: str
    course_id: str
    edit: CourseEdit
    image: ImageChange = ImageChange()


@dataclass(frozen=True)
class RemoveCourse:
    """A teacher removes their course: archived when it has students, else deleted."""

    teacher_id: str
    course_id: str


@dataclass(frozen=True)
class RequestVideoUpload:
    """A teacher asks where to upload a chapter's video (the chapter need not be saved yet)."""

    teacher_id: str
    course_id: str
    section_id: str
    chapter_id: str
    file_name: str
    file_type: str
    file_size: int | None = None


@dataclass(frozen=True)
class ShowCourse:
    """Someone (signed in or not) opens a course page; without `inline_videos` the page carries
    no video URL (the player asks the stream endpoint per chapter)."""

    course_id: str
    viewer_id: str | None
    inline_videos: bool = True


@dataclass(frozen=True)
class ListCourses:
    """Anyone browses or searches the published catalog, one page at a time."""

    listing: Listing
    cursor: str | None = None
    """As the client sent it: the listing cache keys pages by it."""
    start: dict[str, Any] | None = None
    """The key the cursor decodes to, where the page's read starts."""


@dataclass(frozen=True)
class BackfillCards:
    """An operator writes the card of each of these courses saved before cards existed."""

    course_ids: tuple[str, ...]
