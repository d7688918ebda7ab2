"""Check a SigV4 presigned URL the way S3 does, for emulators (moto) that do not check it."""

from __future__ import annotations

import hmac
from hashlib import sha256
from urllib.parse import parse_qsl, quote, urlsplit

import boto3


def sigv4_accepts(
    method: str, url: str, headers: dict[str, str], secret_key: str | None = None
) -> bool:
    """Whether S3 would accept this request to a SigV4 presigned URL (payload unsigned);
    the secret is the default session's unless given."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = query.pop("X-Amz-Signature")
    signed = query["X-Amz-SignedHeaders"].split(";")
    values = {name.lower(): value.strip() for name, value in headers.items()}
    values["host"] = parts.netloc
    canonical = "\n".join(
        [
            method,
            parts.path,
            "&".join(
                f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items())
            ),
            "".join(f"{name}:{values.get(name, '')}\n" for name in signed),
            ";".join(signed),
            "UNSIGNED-PAYLOAD",
        ]
    )
    _, date, region, service, _ = query["X-Amz-Credential"].split("/")
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        [
            query["X-Amz-Algorithm"],
            query["X-Amz-Date"],
            scope,
            sha256(canonical.encode()).hexdigest(),
        ]
    )
    if secret_key is None:
        credentials = boto3.Session().get_credentials()
        assert credentials is not None
        secret_key = credentials.secret_key
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), sha256).digest()
    expected = hmac.new(key, to_sign.encode(), sha256).hexdigest()
    return hmac.compare_digest(expected, signature)
