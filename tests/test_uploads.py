"""Uploads are bounded and cleaned, attacked through the gateway: sizes S3 itself enforces, a
staging prefix that expires, and a storage quota per teacher.

The stack's S3 is moto, which checks neither a signed Content-Length nor a POST policy: those are
checked in the SigV4 signature and the decoded policy, the way S3 checks them.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from shared.config import MediaSettings, load_settings
from shared.media.lifecycle import STAGING_PREFIX
from shared.media.s3 import s3_client
from shared.media.store import MediaStore
from shared.tests.sigv4 import sigv4_accepts
from tests.helpers import LESSON_MP4, Api, User, eventually


@pytest.fixture(scope="module")
def limits(stack_env: dict[str, str]) -> MediaSettings:
    return load_settings("catalog", stack_env).media


@pytest.fixture
def teacher(api: Api) -> User:
    return api.onboard("teacher", name="Uma Upload")


def video_of(size: int) -> bytes:
    """A file that sniffs as MP4, padded to `size` bytes."""
    return LESSON_MP4 + bytes(size - len(LESSON_MP4))


def granted(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    urls: dict[str, Any] = response.json()["data"]
    return urls


def refused(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body and body["error"]["code"] == code, body
    details: dict[str, Any] = body["error"]["details"]
    return details


def policy_of(urls: dict[str, Any]) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(base64.b64decode(urls["uploadPost"]["fields"]["policy"]))
    return policy


def save_videos(api: Api, teacher: User, course_id: str, *videos: str) -> requests.Response:
    chapters = [
        {"chapterId": f"c{i}", "type": "Video", "title": f"Part {i}", "video": video}
        for i, video in enumerate(videos, 1)
    ]
    sections = [{"sectionId": "s1", "sectionTitle": "All", "chapters": chapters}]
    return api.save_form(teacher, course_id, {"sections": sections})


def test_an_oversized_or_bogus_file_size_gets_no_url(
    api: Api, teacher: User, limits: MediaSettings
) -> None:
    course_id = api.draft(teacher)
    over = api.upload_url(teacher, course_id, fileSize=limits.max_video_bytes + 1)
    details = refused(over, 413, "payload_too_large")
    assert details == {"fileSize": f"must be at most {limits.max_video_bytes} bytes"}
    for bogus in (0, -1, "1024", 10.5, True):
        bad = api.upload_url(teacher, course_id, fileSize=bogus)
        assert "fileSize" in refused(bad, 400, "validation_error")


def test_the_presigned_put_signs_the_declared_length(
    api: Api, teacher: User, stack_env: dict[str, str]
) -> None:
    course_id = api.draft(teacher)
    size = len(LESSON_MP4)
    urls = granted(api.upload_url(teacher, course_id, fileSize=size))
    url = urls["uploadUrl"]

    signed = parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";")
    assert "content-length" in signed
    secret = stack_env.get("AWS_SECRET_ACCESS_KEY")
    exact = {"Content-Type": "video/mp4", "Content-Length": str(size)}
    bigger = {**exact, "Content-Length": str(size + 1024**3)}
    assert sigv4_accepts("PUT", url, exact, secret)
    assert not sigv4_accepts("PUT", url, bigger, secret), "S3 refuses a body it did not sign"
    put = requests.put(url, data=LESSON_MP4, headers={"Content-Type": "video/mp4"}, timeout=20)
    assert put.status_code == 200
    assert save_videos(api, teacher, course_id, urls["videoUrl"]).status_code == 200


def test_the_post_policy_carries_the_size_range(
    api: Api, teacher: User, limits: MediaSettings, stack_media: MediaStore
) -> None:
    course_id = api.draft(teacher)
    declared = granted(api.upload_url(teacher, course_id, fileSize=len(LESSON_MP4)))
    assert ["content-length-range", 1, len(LESSON_MP4)] in policy_of(declared)["conditions"]
    undeclared = granted(api.upload_url(teacher, course_id))
    assert ["content-length-range", 1, limits.max_video_bytes] in policy_of(undeclared)[
        "conditions"
    ]

    post = declared["uploadPost"]
    form = requests.post(
        post["url"], data=post["fields"], files={"file": ("lesson.mp4", LESSON_MP4)}, timeout=20
    )
    assert form.status_code == 204, form.text
    assert stack_media.key_from_reference(declared["videoUrl"]) == post["fields"]["key"]
    assert save_videos(api, teacher, course_id, declared["videoUrl"]).status_code == 200


def test_an_upload_lands_in_staging_and_the_save_keeps_it(
    api: Api, teacher: User, stack_media: MediaStore
) -> None:
    course_id = api.draft(teacher)
    video_url = api.upload_video(teacher, course_id)
    staged = stack_media.key_from_reference(video_url)
    assert staged is not None and staged.startswith(f"staging/courses/{course_id}/videos/s1/c1/")
    assert stack_media.head(staged) is not None

    saved = save_videos(api, teacher, course_id, video_url)

    assert saved.status_code == 200, saved.text
    [chapter] = saved.json()["data"]["sections"][0]["chapters"]
    kept = staged.removeprefix(STAGING_PREFIX)
    assert stack_media.key_from_reference(chapter["video"]) == kept
    assert requests.get(chapter["video"], timeout=10).content == LESSON_MP4
    eventually(lambda: stack_media.head(staged) is None)
    again = save_videos(api, teacher, course_id, video_url)
    assert again.status_code == 200, "the videoUrl the editor kept still names the video"
    assert stack_media.head(kept) is not None


def test_the_bucket_expires_what_stays_in_staging(
    stack_env: dict[str, str], limits: MediaSettings
) -> None:
    aws = load_settings("catalog", stack_env).aws
    rules = s3_client(aws).get_bucket_lifecycle_configuration(Bucket=aws.bucket)["Rules"]
    expiring = [r for r in rules if r.get("Filter", {}).get("Prefix") == STAGING_PREFIX]
    assert len(expiring) == 1 and expiring[0]["Status"] == "Enabled"
    assert expiring[0]["Expiration"] == {"Days": limits.staging_expiry_days}


def test_a_teacher_over_quota_gets_413_naming_the_quota(
    api: Api, teacher: User, limits: MediaSettings, stack_media: MediaStore
) -> None:
    quota, big = limits.teacher_storage_quota_bytes, 1_000_000
    assert 2 * big <= quota < 2 * big + 100_000 and big <= limits.max_video_bytes
    course_id = api.draft(teacher)
    videos = [
        api.upload_video(teacher, course_id, "s1", f"c{i}", data=video_of(big)) for i in (1, 2)
    ]
    assert save_videos(api, teacher, course_id, *videos).status_code == 200
    used = {"quotaBytes": quota, "usedBytes": 2 * big}

    asked = api.upload_url(teacher, course_id, "s1", "c3", fileSize=100_000)
    assert refused(asked, 413, "storage_quota_exceeded") == used
    sneaked = api.upload_video(teacher, course_id, "s1", "c3", data=video_of(100_000))
    over = save_videos(api, teacher, course_id, *videos, sneaked)
    assert refused(over, 413, "storage_quota_exceeded") == used
    sneaked_key = stack_media.key_from_reference(sneaked)
    assert sneaked_key is not None
    assert stack_media.head(sneaked_key.removeprefix(STAGING_PREFIX)) is None
    course = api.call("GET", f"/courses/{course_id}", teacher).json()["data"]
    assert len(course["sections"][0]["chapters"]) == 2

    assert save_videos(api, teacher, course_id, videos[0]).status_code == 200
    granted(api.upload_url(teacher, course_id, "s1", "c3", fileSize=100_000))
