"""The media store against moto over HTTP: presigned PUT, head, ranged reads, deletes, URLs."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.stub import Stubber

from shared.config import Settings, load_settings
from shared.media.lifecycle import STAGING_PREFIX, STAGING_RULE_ID, ensure_staging_expiry
from shared.media.s3 import s3_client
from shared.media.sniff import SNIFF_BYTES, video_type
from shared.media.store import DeleteFailed, MediaStore, ObjectChanged, StoredObject, media_store
from shared.provision import ensure_bucket
from shared.tests.sigv4 import sigv4_accepts

MP4_START = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(200)
ODD_KEYS = ["videos/c1/intro.mp4", "a b/c+d~é (1).mp4", "100%/x?y#z.png", "deep/er/and/deeper"]


def settings_with(**env: str) -> Settings:
    return load_settings("catalog", {**os.environ, **env})


@pytest.fixture(scope="module")
def media_settings(backing_services: dict[str, str]) -> Iterator[Settings]:
    settings = settings_with(S3_BUCKET_NAME=f"media-test-{uuid.uuid4().hex[:12]}")
    ensure_bucket(settings)
    ensure_bucket(settings)  # idempotent
    yield settings
    client = s3_client(settings.aws)
    listed = client.list_objects_v2(Bucket=settings.aws.bucket).get("Contents", [])
    media_store(settings).delete_many(item["Key"] for item in listed)
    client.delete_bucket(Bucket=settings.aws.bucket)


@pytest.fixture
def store(media_settings: Settings) -> MediaStore:
    return media_store(media_settings)


def unique(prefix: str = "t") -> str:
    return f"{prefix}/{uuid.uuid4().hex}"


def stubbed_store() -> tuple[MediaStore, Stubber]:
    """A store on a client that never reaches the network, for S3 answers moto will not give."""
    client = boto3.client("s3", region_name="ap-south-1")
    return MediaStore(client, "stub-bucket", "https://cdn.example"), Stubber(client)


# --- presigned PUT, head, read_start, put ---


def test_presigned_put_with_matching_content_type_stores_the_object(store: MediaStore) -> None:
    key = unique("videos") + "/lesson 1+intro.mp4"
    url = store.presigned_put(key, "video/mp4", 900)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=900" in url

    response = requests.put(url, data=MP4_START, headers={"Content-Type": "video/mp4"}, timeout=10)

    assert response.status_code == 200
    assert store.head(key) == StoredObject(key, len(MP4_START), "video/mp4")
    assert video_type(store.read_start(key, SNIFF_BYTES)) == "video/mp4"


def test_presigned_put_binds_the_content_type(store: MediaStore) -> None:
    """S3 refuses (403) a PUT whose headers do not match the signature.

    moto does not check SigV4 presigned URLs (it compares Content-Type only for SigV2 URLs, which
    carry it in the query), so the signature is checked here the way S3 checks it.
    """
    url = store.presigned_put(unique("videos") + "/a b+c.mp4", "video/mp4", 900)

    assert "content-type" in parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";")
    assert sigv4_accepts("PUT", url, {"Content-Type": "video/mp4"})
    assert not sigv4_accepts("PUT", url, {"Content-Type": "text/html"})
    assert not sigv4_accepts("PUT", url.replace("/a%20b", "/x%20b"), {"Content-Type": "video/mp4"})


def test_a_presigned_put_of_a_declared_size_signs_its_content_length(store: MediaStore) -> None:
    """moto stores any body; S3 refuses one whose Content-Length is not the signed one."""
    url = store.presigned_put(unique("staging") + "/a.mp4", "video/mp4", 900, size=4096)

    signed = parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";")
    assert {"content-length", "content-type"} <= set(signed)
    assert sigv4_accepts("PUT", url, {"Content-Type": "video/mp4", "Content-Length": "4096"})
    assert not sigv4_accepts("PUT", url, {"Content-Type": "video/mp4", "Content-Length": "4097"})
    unsized = store.presigned_put(unique("staging") + "/a.mp4", "video/mp4", 900)
    assert "content-length" not in parse_qs(urlsplit(unsized).query)["X-Amz-SignedHeaders"][0]


def test_a_presigned_post_caps_the_size_in_its_policy(store: MediaStore) -> None:
    key = unique("staging") + "/a b.mp4"
    post = store.presigned_post(key, "video/mp4", 1000, 900)

    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    assert ["content-length-range", 1, 1000] in policy["conditions"]
    assert {"Content-Type": "video/mp4"} in policy["conditions"]
    assert {"key": key} in policy["conditions"]
    assert post["fields"]["Content-Type"] == "video/mp4" and post["fields"]["key"] == key
    form = requests.post(
        post["url"], data=post["fields"], files={"file": ("a.mp4", MP4_START)}, timeout=10
    )
    assert form.status_code == 204
    assert store.head(key) == StoredObject(key, len(MP4_START), "video/mp4")


def test_copy_keeps_the_content_and_its_type(store: MediaStore) -> None:
    source, destination = unique("staging"), unique("kept")
    store.put(source, MP4_START, "video/mp4")

    store.copy(source, destination)

    assert store.head(destination) == StoredObject(destination, len(MP4_START), "video/mp4")
    assert store.read_start(destination, 8) == MP4_START[:8]
    checked = store.head(source)
    assert checked is not None and checked.etag
    store.copy(source, unique("kept"), if_etag=checked.etag)


def test_a_copy_of_a_source_changed_since_its_check_is_refused() -> None:
    """S3 answers 412 when CopySourceIfMatch no longer holds (moto does not check it)."""
    stub, stubber = stubbed_store()
    expected = {
        "Bucket": "stub-bucket",
        "Key": "kept/a.mp4",
        "CopySource": {"Bucket": "stub-bucket", "Key": "staging/a.mp4"},
        "MetadataDirective": "COPY",
        "CopySourceIfMatch": '"abc"',
    }
    stubber.add_client_error(
        "copy_object", "PreconditionFailed", http_status_code=412, expected_params=expected
    )
    with stubber, pytest.raises(ObjectChanged):
        stub.copy("staging/a.mp4", "kept/a.mp4", if_etag='"abc"')


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a\\b", "./a", "line\nbreak"])
def test_unsafe_keys_are_not_signed_or_written(store: MediaStore, key: str) -> None:
    with pytest.raises(ValueError, match="unsafe object key"):
        store.presigned_put(key, "video/mp4", 900)
    with pytest.raises(ValueError, match="unsafe object key"):
        store.put(key, b"x", "text/plain")


def test_head_of_a_missing_key_is_none(store: MediaStore) -> None:
    assert store.head(unique()) is None


def test_head_lets_other_errors_through() -> None:
    stub, stubber = stubbed_store()
    stubber.add_client_error("head_object", "403", http_status_code=403)
    with stubber, pytest.raises(Exception, match="403"):
        stub.head("k")


def test_read_start_reads_only_the_first_bytes(store: MediaStore) -> None:
    key = unique()
    store.put(key, b"0123456789", "application/octet-stream")

    assert store.read_start(key, 4) == b"0123"
    assert store.read_start(key) == b"0123456789"


def test_read_start_of_an_empty_object_is_empty(store: MediaStore) -> None:
    key = unique()
    store.put(key, b"", "application/octet-stream")

    assert store.read_start(key) == b""


def test_read_start_needs_a_positive_length(store: MediaStore) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.read_start("k", 0)


# --- delete_many ---


def test_delete_many_deletes_in_batches_and_ignores_missing_keys(
    store: MediaStore, media_settings: Settings
) -> None:
    present = [unique() for _ in range(5)]
    for key in present:
        store.put(key, b"x", "text/plain")
    batches: list[int] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        batches.append(len(params["Delete"]["Objects"]))

    events = s3_client(media_settings.aws).meta.events
    events.register("provide-client-params.s3.DeleteObjects", record, unique_id="count")
    try:
        store.delete_many(iter([*present, unique(), unique()]), batch_size=3)
    finally:
        events.unregister("provide-client-params.s3.DeleteObjects", unique_id="count")

    assert batches == [3, 3, 1]
    assert all(store.head(key) is None for key in present)


def test_delete_many_of_nothing_calls_nothing() -> None:
    stub, stubber = stubbed_store()
    with stubber:
        stub.delete_many([])


def test_delete_many_tries_every_batch_then_reports_refused_keys() -> None:
    stub, stubber = stubbed_store()
    refused = {"Key": "a", "Code": "AccessDenied", "Message": "Access Denied"}
    for keys, errors in ((["a", "b"], [refused]), (["c"], [])):
        expected = {
            "Bucket": "stub-bucket",
            "Delete": {"Objects": [{"Key": key} for key in keys], "Quiet": True},
        }
        stubber.add_response("delete_objects", {"Errors": errors}, expected)

    with stubber, pytest.raises(DeleteFailed) as failed:
        stub.delete_many(["a", "b", "c"], batch_size=2)

    stubber.assert_no_pending_responses()
    assert failed.value.failures == {"a": "AccessDenied: Access Denied"}


@pytest.mark.parametrize("size", [0, 1001])
def test_delete_batch_size_is_bounded(store: MediaStore, size: int) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        store.delete_many(["k"], batch_size=size)


# --- object_url and key_from_reference ---


@pytest.mark.parametrize("key", ODD_KEYS)
def test_bare_keys_and_object_urls_give_the_key_back(store: MediaStore, key: str) -> None:
    assert store.key_from_reference(key) == key
    assert store.key_from_reference(store.object_url(key)) == key


def test_object_url_of_a_local_bucket_is_path_style(
    store: MediaStore, media_settings: Settings
) -> None:
    aws = media_settings.aws
    assert store.object_url("a b/c.mp4") == f"{aws.endpoint_url}/{aws.bucket}/a%20b/c.mp4"


@pytest.mark.parametrize("key", ODD_KEYS)
def test_path_style_presigned_urls_give_the_key_back(store: MediaStore, key: str) -> None:
    assert store.key_from_reference(store.presigned_put(key, "video/mp4", 60)) == key


@pytest.mark.parametrize("region", ["ap-south-1", "us-east-1"])
@pytest.mark.parametrize("key", ODD_KEYS)
def test_virtual_host_urls_give_the_key_back(region: str, key: str) -> None:
    env = {"AWS_REGION": region, "AWS_ENDPOINT_URL": "", "S3_BUCKET_NAME": "prolearn-media"}
    store = media_store(settings_with(**env))
    presigned = store.presigned_put(key, "video/mp4", 60)
    regional = f"https://prolearn-media.s3.{region}.amazonaws.com/"

    assert store.object_url(key).startswith(regional)
    assert presigned.startswith(("https://prolearn-media.s3.amazonaws.com/", regional))
    assert store.key_from_reference(presigned) == key
    assert store.key_from_reference(store.object_url(key)) == key
    assert store.key_from_reference(presigned.replace(f".{region}.", ".", 1)) == key


def test_cloudfront_urls_give_the_key_back_and_s3_urls_still_do() -> None:
    store = media_store(
        settings_with(
            S3_BUCKET_NAME="prolearn-media",
            CLOUDFRONT_DOMAIN="d111.cloudfront.net",
            CLOUDFRONT_KEY_PAIR_ID="K2JCJMDEHXQW5F",
            CLOUDFRONT_PRIVATE_KEY="unused here",
        )
    )
    key = "videos/c1/a b.mp4"

    assert store.object_url(key) == "https://d111.cloudfront.net/videos/c1/a%20b.mp4"
    signed = store.object_url(key) + "?Expires=1767225600&Signature=abc~_-&Key-Pair-Id=K2J"
    assert store.key_from_reference(signed) == key
    assert store.key_from_reference(store.presigned_put(key, "video/mp4", 60)) == key


@pytest.mark.parametrize(
    "reference",
    [
        "https://evil.example/videos/a.mp4",
        "https://prolearn-media.s3.ap-south-1.amazonaws.com.evil.example/a.mp4",
        "https://other.s3.ap-south-1.amazonaws.com/a.mp4",
        "ftp://127.0.0.1:{port}/{bucket}/a.mp4",
        "{endpoint}/other-bucket/a.mp4",
        "{endpoint}/{bucket}",
        "{endpoint}/{bucket}/",
        "{endpoint}/{bucket}/?X-Amz-Signature=x",
        "{endpoint}/{bucket}/a/../../other-bucket/b",
        "{endpoint}/{bucket}/a/%2E%2E/b",
        "{endpoint}/{bucket}/%2Fetc/passwd",
        "{endpoint}/{bucket}//etc/passwd",
        "{endpoint}/{bucket}/a%5Cb",
        "{endpoint}/{bucket}/%FF",
        "http://127.0.0.1:notaport/{bucket}/a",
        "a/../b",
        "../a",
        "/a",
        "a\\b",
        "",
    ],
)
def test_other_hosts_buckets_and_traversal_are_rejected(
    store: MediaStore, media_settings: Settings, reference: str
) -> None:
    aws = media_settings.aws
    endpoint = aws.endpoint_url or ""
    port = endpoint.rsplit(":", 1)[-1]
    filled = reference.format(endpoint=endpoint, bucket=aws.bucket, port=port)

    assert store.key_from_reference(filled) is None


def test_scheme_must_match(store: MediaStore) -> None:
    url = store.object_url("a.mp4")
    other = url.replace("http://", "https://", 1)

    assert store.key_from_reference(other) is None


# --- configuration ---


def test_media_defaults() -> None:
    media = load_settings("catalog", {}).media

    assert (media.max_video_bytes, media.max_image_bytes) == (2 * 1024**3, 5 * 1024**2)
    assert (media.upload_url_seconds, media.playback_url_seconds) == (900, 3600)
    assert (media.teacher_storage_quota_bytes, media.staging_expiry_days) == (10 * 1024**3, 1)
    assert media.cloudfront is None


def test_media_settings_from_the_environment() -> None:
    media = load_settings(
        "catalog",
        {
            "MAX_VIDEO_BYTES": "1000",
            "MAX_IMAGE_BYTES": "10",
            "UPLOAD_URL_SECONDS": "60",
            "PLAYBACK_URL_SECONDS": "120",
            "TEACHER_STORAGE_QUOTA_BYTES": "5000",
            "STAGING_UPLOAD_EXPIRY_DAYS": "2",
            "CLOUDFRONT_DOMAIN": "d111.cloudfront.net/",
            "CLOUDFRONT_KEY_PAIR_ID": "K2JCJMDEHXQW5F",
            "CLOUDFRONT_PRIVATE_KEY": "-----BEGIN KEY-----\\nAA\\n-----END KEY-----",
        },
    ).media

    assert (media.max_video_bytes, media.max_image_bytes) == (1000, 10)
    assert (media.upload_url_seconds, media.playback_url_seconds) == (60, 120)
    assert (media.teacher_storage_quota_bytes, media.staging_expiry_days) == (5000, 2)
    assert media.cloudfront is not None
    assert media.cloudfront.domain == "d111.cloudfront.net"
    assert media.cloudfront.key_pair_id == "K2JCJMDEHXQW5F"
    assert media.cloudfront.private_key.splitlines() == [
        "-----BEGIN KEY-----",
        "AA",
        "-----END KEY-----",
    ]


@pytest.mark.parametrize(
    "env",
    [
        {"MAX_VIDEO_BYTES": str(5 * 1024**3 + 1)},  # more than one PUT (or CopyObject) holds
        {"TEACHER_STORAGE_QUOTA_BYTES": "-1"},
        {"STAGING_UPLOAD_EXPIRY_DAYS": "-1"},
    ],
)
def test_media_limits_outside_what_s3_and_lifecycle_rules_take_are_refused(
    env: dict[str, str],
) -> None:
    with pytest.raises(ValueError, match="must be"):
        load_settings("catalog", env)


@pytest.mark.parametrize(
    "missing", ["CLOUDFRONT_DOMAIN", "CLOUDFRONT_KEY_PAIR_ID", "CLOUDFRONT_PRIVATE_KEY"]
)
def test_cloudfront_needs_all_three_settings(missing: str) -> None:
    env = {"CLOUDFRONT_DOMAIN": "d", "CLOUDFRONT_KEY_PAIR_ID": "K", "CLOUDFRONT_PRIVATE_KEY": "P"}
    del env[missing]

    assert load_settings("catalog", env).media.cloudfront is None


@pytest.mark.parametrize("env", [{"UPLOAD_URL_SECONDS": "0"}, {"PLAYBACK_URL_SECONDS": "604801"}])
def test_url_lifetimes_are_bounded(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="between 1 and 604800"):
        load_settings("catalog", env)


def test_the_bucket_lets_the_frontend_upload_and_play(media_settings: Settings) -> None:
    rules = s3_client(media_settings.aws).get_bucket_cors(Bucket=media_settings.aws.bucket)
    [rule] = rules["CORSRules"]
    assert rule["AllowedOrigins"] == list(media_settings.client_urls)
    assert set(rule["AllowedMethods"]) == {"PUT", "POST", "GET", "HEAD"}


def test_the_bucket_expires_staged_uploads(media_settings: Settings) -> None:
    client = s3_client(media_settings.aws)
    rules = client.get_bucket_lifecycle_configuration(Bucket=media_settings.aws.bucket)["Rules"]
    [rule] = [r for r in rules if r["ID"] == STAGING_RULE_ID]
    assert rule["Filter"] == {"Prefix": STAGING_PREFIX} and rule["Status"] == "Enabled"
    assert rule["Expiration"] == {"Days": media_settings.media.staging_expiry_days}


def test_the_staging_rule_is_replaced_and_other_rules_are_kept(media_settings: Settings) -> None:
    client, bucket = s3_client(media_settings.aws), media_settings.aws.bucket
    theirs: Any = {
        "ID": "operators-archive",
        "Filter": {"Prefix": "archive/"},
        "Status": "Enabled",
        "Expiration": {"Days": 365},
    }
    ensure_staging_expiry(client, bucket, 1)
    rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [*rules, theirs]},
    )

    ensure_staging_expiry(client, bucket, 3)

    rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert sorted(r["ID"] for r in rules) == ["expire-unsaved-uploads", "operators-archive"]
    assert next(r for r in rules if r["ID"] == STAGING_RULE_ID)["Expiration"] == {"Days": 3}
    ensure_staging_expiry(client, bucket, media_settings.media.staging_expiry_days)
