"""Uploads are bounded and cleaned: declared sizes, staging, keeping on save, the storage quota.

Against a real table and bucket (moto). moto enforces neither a signed Content-Length nor a POST
policy, so those are checked in the signature and the policy document.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from pydantic import ValidationError

from catalog.adapters.storage import OverQuota
from catalog.bootstrap import Catalog, build
from catalog.commands import ImageChange, RemoveCourse, RequestVideoUpload, SaveCourse
from catalog.course_media import Thumbnail
from catalog.domain.media import MediaTooLarge, StorageQuotaExceeded
from catalog.domain.model import Chapter, Course, Section, account_media, new_draft
from catalog.domain.validation import CourseInvalid
from catalog.entrypoints.bodies import course_edit
from shared.api.courses import SaveCourseBody, VideoUploadBody
from shared.config import Settings, load_settings
from shared.dynamo.tables import ensure_table
from shared.events.contracts import MediaReleased
from shared.media.s3 import s3_client
from shared.media.store import MediaStore, ObjectChanged, media_store
from shared.messaging.unit_of_work import UnitOfWork
from shared.provision import ensure_bucket
from shared.runtime import Runtime
from shared.web.body import field_problems

MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(1000)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(500)
MAX_VIDEO, QUOTA = 4096, 3000


@dataclass
class QuietRuntime(Runtime):
    """Commits without publishing, keeping each unit of work to look at what it raised."""

    units: list[UnitOfWork] = field(default_factory=list)

    def unit_of_work(self) -> UnitOfWork:
        uow = UnitOfWork(self.dynamodb, self.table, self.settings.service, None)
        self.units.append(uow)
        return uow

    def released(self) -> list[str]:
        return [
            key
            for uow in self.units
            for envelope in uow.envelopes
            if envelope.event_type == MediaReleased.EVENT_TYPE
            for key in envelope.data["keys"]
        ]


@pytest.fixture(scope="module")
def settings() -> Iterator[Settings]:
    env = {
        **os.environ,
        "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-",
        "S3_BUCKET_NAME": f"uploads-test-{uuid.uuid4().hex[:12]}",
        "MAX_VIDEO_BYTES": str(MAX_VIDEO),
        "TEACHER_STORAGE_QUOTA_BYTES": str(QUOTA),
    }
    settings = load_settings("catalog", env)
    ensure_bucket(settings)
    runtime = Runtime(settings)
    ensure_table(runtime.dynamodb, runtime.table)
    yield settings
    runtime.dynamodb.delete_table(TableName=runtime.table)
    client = s3_client(settings.aws)
    listed = client.list_objects_v2(Bucket=settings.aws.bucket).get("Contents", [])
    media_store(settings).delete_many(item["Key"] for item in listed)
    client.delete_bucket(Bucket=settings.aws.bucket)


@pytest.fixture
def runtime(settings: Settings) -> QuietRuntime:
    return QuietRuntime(settings)


@pytest.fixture
def app(runtime: QuietRuntime) -> Catalog:
    return build(runtime)


@pytest.fixture
def store(settings: Settings) -> MediaStore:
    return media_store(settings)


@pytest.fixture
def course(app: Catalog) -> Course:
    draft = new_draft(uuid.uuid4().hex, f"t{uuid.uuid4().hex[:8]}", "Tina", "2026-01-01T00:00:00Z")
    uow = app.runtime.unit_of_work()
    app.courses.add(uow, draft)
    uow.commit()
    return draft


def upload_urls(app: Catalog, course: Course, chapter: str = "c1", **body: Any) -> dict[str, Any]:
    request = VideoUploadBody.model_validate(
        {"fileName": "lesson.mp4", "fileType": "video/mp4", **body}
    )
    command = RequestVideoUpload(
        course.teacher_id,
        course.course_id,
        "s1",
        chapter,
        request.file_name,
        request.file_type,
        request.file_size,
    )
    return app.request_video_upload(command).wire()


def uploaded(
    app: Catalog, course: Course, data: bytes = MP4, chapter: str = "c1", declared: bool = True
) -> str:
    """An upload as the browser sends it, with or without declaring its size first."""
    urls = upload_urls(app, course, chapter, **({"fileSize": len(data)} if declared else {}))
    sent = requests.put(
        urls["uploadUrl"], data=data, headers={"Content-Type": "video/mp4"}, timeout=10
    )
    assert sent.status_code == 200, sent.text
    video_url: str = urls["videoUrl"]
    return video_url


def save_videos(app: Catalog, course: Course, *videos: str, **kw: Any) -> Course:
    chapters = [
        {"chapterId": f"c{i}", "type": "Video", "title": f"c{i}", "video": video}
        for i, video in enumerate(videos, 1)
    ]
    body = {"sections": [{"sectionId": "s1", "sectionTitle": "All", "chapters": chapters}]}
    return save(app, course, body, kw.get("image", ImageChange()))


def save(app: Catalog, course: Course, body: dict[str, Any], image: ImageChange) -> Course:
    """A save of `body` as the PUT reads it."""
    edit = course_edit(SaveCourseBody.model_validate(body))
    return app.save_course(SaveCourse(course.teacher_id, course.course_id, edit, image))


def keys_of(course: Course) -> list[str | None]:
    return [chapter.video for chapter in course.chapters]


@pytest.mark.parametrize("size", ["12", True, 0, -5, 1.5, [1]])
def test_a_file_size_that_is_no_size_is_refused(app: Catalog, course: Course, size: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        upload_urls(app, course, fileSize=size)
    assert set(field_problems(refused.value.errors())) == {"fileSize"}


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"fileName": "../../etc/passwd", "fileType": "application/pdf"},
            {
                "fileName": "must be a file name, not a path",
                "fileType": "must be a video/* content type",
            },
        ),
        ({"fileName": "  ", "fileType": "video/mp4"}, {"fileName": "must be the name of the file"}),
        ({"fileName": 5}, {"fileName": "must be a string", "fileType": "required"}),
    ],
)
def test_an_upload_request_names_each_bad_field(
    body: dict[str, Any], details: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        VideoUploadBody.model_validate(body)
    assert field_problems(refused.value.errors()) == details


def test_a_file_size_over_the_video_limit_gets_no_url(app: Catalog, course: Course) -> None:
    with pytest.raises(MediaTooLarge) as refused:
        upload_urls(app, course, fileSize=MAX_VIDEO + 1)
    assert refused.value.details == {"fileSize": f"must be at most {MAX_VIDEO} bytes"}


def test_a_declared_size_is_signed_into_the_put_and_caps_the_post(
    app: Catalog, course: Course
) -> None:
    urls = upload_urls(app, course, fileSize=1234)

    query = parse_qs(urlsplit(urls["uploadUrl"]).query)
    assert "content-length" in query["X-Amz-SignedHeaders"][0].split(";")
    policy = json.loads(base64.b64decode(urls["uploadPost"]["fields"]["policy"]))
    assert ["content-length-range", 1, 1234] in policy["conditions"]
    key = urls["uploadPost"]["fields"]["key"]
    assert key.startswith(f"staging/courses/{course.course_id}/videos/s1/c1/")
    assert urls["videoUrl"].endswith(key)


def test_without_a_size_the_put_is_as_before_and_the_post_has_the_video_limit(
    app: Catalog, course: Course
) -> None:
    urls = upload_urls(app, course)

    query = parse_qs(urlsplit(urls["uploadUrl"]).query)
    assert query["X-Amz-SignedHeaders"][0].split(";") == ["content-type", "host"]
    policy = json.loads(base64.b64decode(urls["uploadPost"]["fields"]["policy"]))
    assert ["content-length-range", 1, MAX_VIDEO] in policy["conditions"]


def test_a_save_keeps_the_upload_out_of_staging_and_counts_it(
    app: Catalog, runtime: QuietRuntime, course: Course, store: MediaStore
) -> None:
    video = uploaded(app, course)
    staged = store.key_from_reference(video)
    assert staged is not None and staged.startswith("staging/")

    saved = save_videos(app, course, video)

    kept = staged.removeprefix("staging/")
    assert keys_of(saved) == [kept] and saved.media_bytes == {kept: len(MP4)}
    assert store.read_start(kept, len(MP4)) == MP4
    assert runtime.released() == [staged], "the staged copy is deleted by the worker"
    assert app.storage.used(course.teacher_id) == len(MP4)

    again = save_videos(app, course, video)
    assert keys_of(again) == [kept], "the videoUrl still names the kept video"
    assert app.storage.used(course.teacher_id) == len(MP4)


def test_only_uploads_of_this_course_can_be_kept(
    app: Catalog, course: Course, store: MediaStore
) -> None:
    video = uploaded(app, course)
    kept = store.key_from_reference(video.replace("/staging/", "/"))
    assert kept is not None
    for reference in (kept, f"staging/courses/{course.course_id}/thumbnails/x.png"):
        with pytest.raises(CourseInvalid) as refused:
            save_videos(app, course, reference)
        assert "uploaded for this course" in refused.value.details["sections[0].chapters[0].video"]


def test_a_save_over_the_quota_is_refused_and_keeps_nothing(
    app: Catalog, course: Course, store: MediaStore
) -> None:
    first = save_videos(app, course, uploaded(app, course))
    second = uploaded(app, course, MP4 + bytes(1500), chapter="c2", declared=False)
    staged = store.key_from_reference(second)
    assert staged is not None

    with pytest.raises(StorageQuotaExceeded) as refused:
        save_videos(app, course, keys_of(first)[0] or "", second)

    assert refused.value.details == {"quotaBytes": QUOTA, "usedBytes": len(MP4)}
    assert store.head(staged.removeprefix("staging/")) is None
    assert store.head(staged) is not None, "left for the lifecycle rule"
    assert app.courses.get(course.course_id) == first


def test_an_upload_replaced_after_its_check_is_not_kept(
    app: Catalog, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    """S3 refuses the copy (CopySourceIfMatch) when the staged object changed since its check."""
    video = uploaded(app, course)

    def changed(_store: MediaStore, source: str, destination: str, if_etag: str = "") -> None:
        assert if_etag
        raise ObjectChanged(source)

    monkeypatch.setattr(MediaStore, "copy", changed)
    with pytest.raises(CourseInvalid) as refused:
        save_videos(app, course, video)
    assert "uploaded again" in refused.value.details["sections"]
    assert app.courses.get(course.course_id) == course
    assert app.storage.used(course.teacher_id) == 0


def test_an_upload_url_beyond_the_quota_is_refused(app: Catalog, course: Course) -> None:
    save_videos(app, course, uploaded(app, course))
    with pytest.raises(StorageQuotaExceeded) as refused:
        upload_urls(app, course, fileSize=QUOTA - len(MP4) + 1)
    assert refused.value.details == {"quotaBytes": QUOTA, "usedBytes": len(MP4)}
    assert upload_urls(app, course, fileSize=QUOTA - len(MP4))["uploadUrl"]


def test_the_counter_refuses_growth_past_the_quota_at_commit(app: Catalog, course: Course) -> None:
    """A concurrent save used the room between the check and the commit."""
    first, second = app.runtime.unit_of_work(), app.runtime.unit_of_work()
    app.storage.charge(first, course.teacher_id, 2000)
    app.storage.charge(second, course.teacher_id, 2000)
    first.commit()
    with pytest.raises(OverQuota):
        second.commit()
    assert app.storage.used(course.teacher_id) == 2000


def test_removed_and_deleted_media_give_their_bytes_back(
    app: Catalog, runtime: QuietRuntime, course: Course
) -> None:
    thumbnail = ImageChange(upload=Thumbnail(PNG, "image/png"))
    saved = save_videos(app, course, uploaded(app, course), image=thumbnail)
    assert app.storage.used(course.teacher_id) == len(MP4) + len(PNG)
    [video] = keys_of(saved)

    text_only = save(
        app,
        course,
        {"sections": [{"sectionId": "s1", "chapters": [{"type": "Text", "title": "Notes"}]}]},
        ImageChange(),
    )
    assert app.storage.used(course.teacher_id) == len(PNG)
    assert video in runtime.released()

    app.remove_course(RemoveCourse(course.teacher_id, course.course_id))
    assert app.storage.used(course.teacher_id) == 0
    assert text_only.image in runtime.released()


def test_a_course_counts_only_the_media_it_keeps() -> None:
    chapter = Chapter("c1", "Video", "One", video="courses/c/videos/a.mp4")
    course = new_draft("c", "t", "T", "2026-01-01T00:00:00Z")
    course = dataclasses.replace(
        course,
        sections=(Section("s1", "S", chapters=(chapter,)),),
        media_bytes={"courses/c/videos/gone.mp4": 7, "courses/c/videos/a.mp4": 5},
    )
    counted = account_media(course, {"courses/c/thumbnails/new.png": 3, "elsewhere": 9})
    assert counted.media_bytes == {"courses/c/videos/a.mp4": 5}
    with_image = dataclasses.replace(course, image="courses/c/thumbnails/new.png")
    assert account_media(with_image, {"courses/c/thumbnails/new.png": 3}).stored_bytes == 8
