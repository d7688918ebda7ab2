"""Typed configuration read once from the environment, with working local defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

LOCAL_STANDINS = "http://127.0.0.1:8090"
LOCAL_AWS = "http://127.0.0.1:5055"

SERVICE_PORTS: dict[str, int] = {
    "gateway": 8080,
    "catalog": 8081,
    "billing": 8082,
    "enrollment": 8083,
    "mentorship": 8084,
    "chat": 8085,
    "notifications": 8086,
}


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class AwsSettings:
    """Where DynamoDB and S3 are; an unset endpoint means real AWS."""

    region: str
    endpoint_url: str | None
    table_prefix: str
    bucket: str


@dataclass(frozen=True)
class ClerkSettings:
    """How session tokens are verified and where the Backend API lives."""

    jwt_key: str | None
    jwks_url: str | None
    issuer: str | None
    secret_key: str
    """Empty in a process whose service does not hold CLERK_SECRET_KEY (SERVICE_SECRETS)."""
    api_url: str
    authorized_parties: tuple[str, ...]
    jwks_cache_seconds: float = 300
    """How long fetched signing keys are trusted: a key rotated out stops working after this."""
    jwks_refetch_seconds: float = 10
    """Least time between two fetches for an unknown `kid` (random kids cannot flood the JWKS)."""

    def __post_init__(self) -> None:
        if self.jwks_cache_seconds <= 0 or self.jwks_refetch_seconds < 0:
            raise ValueError("jwks_cache_seconds must be > 0 and jwks_refetch_seconds >= 0")

    @property
    def jwks_needs_secret_key(self) -> bool:
        """Whether the JWKS URL is the Backend API's (`…/v1/jwks`), which requires the secret key;
        the Frontend API's public `/.well-known/jwks.json` does not."""
        return (self.jwks_url or "").startswith(f"{self.api_url}/")


@dataclass(frozen=True)
class CashfreeSettings:
    """Cashfree PG credentials and endpoint (the simulator by default); the credentials are empty
    in a process whose service does not hold them (SERVICE_SECRETS)."""

    client_id: str
    client_secret: str
    api_url: str
    api_version: str
    placeholder_phone: str
    return_url: str


@dataclass(frozen=True)
class MessagingSettings:
    """Broker and reliability knobs for events."""

    redis_url: str
    visibility_timeout: int
    dispatch_timeout: float
    relay_interval: float
    relay_grace_seconds: float
    max_retries: int
    retry_backoff_max: int
    worker_stall_seconds: float = 60
    """A worker that fetched nothing this long while its queue held messages is not live."""
    broker_loss_window: float = 5.0
    """Seconds before the broker was last seen alive from which a restart of it may have lost
    what the outbox sent (AOF everysec loses about one); the relay sends those again."""


@dataclass(frozen=True)
class RateLimitSettings:
    """Gateway rate limits (requests per window)."""

    enabled: bool
    per_user: int
    per_ip: int
    window_seconds: int
    trusted_proxy_count: int
    contact_limit: int = 5
    """Contact-form posts per client IP per contact window, apart from the limits above; 0 = off."""
    contact_window_seconds: int = 3600


@dataclass(frozen=True)
class UpstreamSettings:
    """How the gateway reaches its upstreams: timeouts, and how long it may hold a public answer
    (seconds)."""

    connect_timeout: float = 2.0
    read_timeout: float = 15.0
    edge_cache_seconds: float = 0.25
    """How long the gateway may hold an anonymous answer its upstream marked public."""


MAX_PRESIGN_SECONDS = 604_800  # SigV4 presigned URLs live at most 7 days
MAX_SINGLE_UPLOAD_BYTES = 5 * 1024**3  # one PUT or POST to S3 (and one CopyObject) holds 5 GiB


@dataclass(frozen=True)
class CloudFrontSettings:
    """A CloudFront distribution in front of the bucket and the key that signs its URLs."""

    domain: str
    key_pair_id: str
    private_key: str


@dataclass(frozen=True)
class MediaSettings:
    """Upload limits, URL lifetimes and the optional CloudFront distribution for media."""

    max_video_bytes: int = 2 * 1024**3
    max_image_bytes: int = 5 * 1024**2
    upload_url_seconds: int = 900
    playback_url_seconds: int = 3600
    cloudfront_domain: str | None = None
    cloudfront_key_pair_id: str | None = None
    cloudfront_private_key: str | None = None
    teacher_storage_quota_bytes: int = 10 * 1024**3
    """What one teacher's courses may keep in the bucket, videos and thumbnails together."""
    staging_expiry_days: int = 1
    """Uploads never saved into a course are expired by the bucket's lifecycle rule after this."""

    def __post_init__(self) -> None:
        for name in ("upload_url_seconds", "playback_url_seconds"):
            if not 0 < getattr(self, name) <= MAX_PRESIGN_SECONDS:
                raise ValueError(f"{name} must be between 1 and {MAX_PRESIGN_SECONDS}")
        if not 0 < self.max_video_bytes <= MAX_SINGLE_UPLOAD_BYTES:
            raise ValueError(f"max_video_bytes must be between 1 and {MAX_SINGLE_UPLOAD_BYTES}")
        if self.teacher_storage_quota_bytes < 1 or self.staging_expiry_days < 1:
            raise ValueError("teacher_storage_quota_bytes and staging_expiry_days must be positive")

    @property
    def cloudfront(self) -> CloudFrontSettings | None:
        """The distribution, only when domain, key pair id and private key are all set."""
        if self.cloudfront_domain and self.cloudfront_key_pair_id and self.cloudfront_private_key:
            return CloudFrontSettings(
                self.cloudfront_domain, self.cloudfront_key_pair_id, self.cloudfront_private_key
            )
        return None


@dataclass(frozen=True)
class MentorshipSettings:
    """Booking policy and the Agora project that issues video tokens."""

    cancel_window_hours: float = 12
    token_lead_minutes: int = 10
    token_grace_minutes: int = 10
    max_upcoming_per_teacher: int = 3
    """How many upcoming (scheduled, not yet started) sessions a student may hold with one
    teacher; 0 = no limit."""
    agora_app_id: str | None = None
    agora_app_certificate: str | None = None


@dataclass(frozen=True)
class BillingSettings:
    """Refund policy and how eagerly open orders and refunds are checked with Cashfree."""

    reconcile_after_seconds: int = 60
    """An order or refund untouched this long is asked about, then less and less often."""
    reconcile_interval_seconds: float = 30
    """How often the relay looks for orders and refunds due for a check."""
    reconcile_max_delay_seconds: int = 3600
    refund_window_days: float = 7
    refund_max_progress_percent: float = 30


@dataclass(frozen=True)
class MailSettings:
    """Resend, the addresses mail comes from and goes to, and when notifications go out."""

    resend_api_key: str = "re_test_local"
    """Empty in a process whose service does not hold RESEND_API_KEY (SERVICE_SECRETS)."""
    resend_api_url: str = f"{LOCAL_STANDINS}/resend"
    email_from: str = "ProLearn <no-reply@prolearn.test>"
    email_user: str = "support@prolearn.test"
    """Support's inbox: contact-form messages go there."""
    reminder_lead_minutes: int = 60
    sweep_interval_seconds: float = 2
    """How often the relay sends mail that is due (receipts within seconds, reminders on time)."""
    digest_hour: int = 8
    """Daily and weekly digests go out at this hour of the recipient's day (weekly: Mondays)."""
    send_attempts: int = 8
    """A mail that fails this often is given up and recorded for an operator."""


@dataclass(frozen=True)
class ChatSettings:
    """The live room: storage, per-connection limits and keepalive."""

    persist: bool = True
    """Off only to measure the bare room broadcast; messages are then not stored."""
    messages_per_second: float = 10
    burst: int = 20
    ping_interval_seconds: float = 25
    max_text_chars: int = 2000
    outbox_frames: int = 1000
    """Frames queued for one slow client before it is disconnected."""


@dataclass(frozen=True)
class MetricsSettings:
    """Where a process that serves no HTTP (a worker, a relay) exposes its Prometheus metrics.

    Web processes serve them at GET /metrics on their own port instead. Processes that fork
    (gunicorn's workers, Celery's prefork pool) also need `PROMETHEUS_MULTIPROC_DIR`: a directory
    private to that process group, read by prometheus_client itself, emptied when the group
    starts; without it each process keeps its counts in memory (one-process mode)."""

    port: int | None = None
    """`METRICS_PORT`; unset = a worker or relay exposes nothing."""
    host: str = "0.0.0.0"
    """`METRICS_HOST`: the address that port listens on."""


@dataclass(frozen=True)
class Settings:
    """Every setting a ProLearn process reads, grouped by concern."""

    service: str
    environment: str
    log_level: str
    client_urls: tuple[str, ...]
    internal_api_token: str
    """Empty in a process whose service does not hold INTERNAL_API_TOKEN (SERVICE_SECRETS)."""
    service_urls: Mapping[str, str]
    aws: AwsSettings
    clerk: ClerkSettings
    cashfree: CashfreeSettings
    messaging: MessagingSettings
    rate_limit: RateLimitSettings
    catalog_cache_seconds: float
    dynamo_guard: bool
    cache_redis_url: str | None = None
    """`CACHE_REDIS_URL`: a Redis instance of its own for disposable caches (maxmemory,
    allkeys-lru); unset = no cache, never the broker's Redis, whose memory queued events need."""
    extra: Mapping[str, str] = field(default_factory=dict)
    upstream: UpstreamSettings = UpstreamSettings()
    media: MediaSettings = MediaSettings()
    progress_complete_percent: float = 80.0
    mentorship: MentorshipSettings = MentorshipSettings()
    chat: ChatSettings = ChatSettings()
    billing: BillingSettings = BillingSettings()
    mail: MailSettings = MailSettings()
    metrics: MetricsSettings = MetricsSettings()

    @property
    def port(self) -> int:
        return SERVICE_PORTS.get(self.service, 8000)

    def table_name(self, service: str | None = None) -> str:
        return f"{self.aws.table_prefix}{service or self.service}"

    def service_url(self, service: str) -> str:
        return self.service_urls[service]


PRODUCTION_SECRETS: Mapping[str, str] = {
    "INTERNAL_API_TOKEN": "local-internal-token",
    "CLERK_SECRET_KEY": "sk_test_prolearn_local",
    "CASHFREE_CLIENT_ID": "TEST_PROLEARN_CLIENT",
    "CASHFREE_CLIENT_SECRET": "TEST_PROLEARN_SECRET",
    "RESEND_API_KEY": "re_test_local",
}
"""Secrets with their public local defaults: in production a service that holds one must set
it, to anything else."""

OPTIONAL_SECRETS = ("AGORA_APP_CERTIFICATE", "CLOUDFRONT_PRIVATE_KEY")
"""Secrets without a default: unset turns their feature off (video tokens, CloudFront URLs)."""


@dataclass(frozen=True)
class ServiceSecrets:
    """The secrets every process of one service reads: web, worker, relay, operator commands."""

    required: frozenset[str] = frozenset()
    """From PRODUCTION_SECRETS: in production each must be set, and not to its local default."""
    optional: frozenset[str] = frozenset()
    """From OPTIONAL_SECRETS: read when set."""

    @property
    def names(self) -> frozenset[str]:
        """Every secret the service is given, required or optional."""
        return self.required | self.optional


SERVICE_SECRETS: Mapping[str, ServiceSecrets] = {
    # shared.clerk (the /users endpoints)
    "gateway": ServiceSecrets(frozenset({"CLERK_SECRET_KEY"})),
    # require_internal (billing's /internal/ calls), shared.clerk, shared.media.playback
    "catalog": ServiceSecrets(
        frozenset({"INTERNAL_API_TOKEN", "CLERK_SECRET_KEY"}),
        frozenset({"CLOUDFRONT_PRIVATE_KEY"}),
    ),
    # shared.http.internal_session (catalog's and enrollment's /internal/), shared.clerk,
    # CashfreeClient and the webhook signature
    "billing": ServiceSecrets(
        frozenset(
            {
                "INTERNAL_API_TOKEN",
                "CLERK_SECRET_KEY",
                "CASHFREE_CLIENT_ID",
                "CASHFREE_CLIENT_SECRET",
            }
        )
    ),
    # require_internal (billing's /internal/ calls), shared.media.playback
    "enrollment": ServiceSecrets(
        frozenset({"INTERNAL_API_TOKEN"}), frozenset({"CLOUDFRONT_PRIVATE_KEY"})
    ),
    # shared.clerk, the Agora token builder
    "mentorship": ServiceSecrets(
        frozenset({"CLERK_SECRET_KEY"}), frozenset({"AGORA_APP_CERTIFICATE"})
    ),
    # require_internal (operators' /internal/stats), shared.clerk
    "chat": ServiceSecrets(frozenset({"INTERNAL_API_TOKEN", "CLERK_SECRET_KEY"})),
    # shared.clerk (the recipients' addresses), ResendMailer
    "notifications": ServiceSecrets(frozenset({"CLERK_SECRET_KEY", "RESEND_API_KEY"})),
    # shared.provision: tables and the bucket, no secret
    "provision": ServiceSecrets(),
}
"""Which secrets each service's processes are given: the one place that says so. A process
holds only these; every other secret is empty (None for an optional one) in its settings.

A table here rather than a declaration in each service package: the secrets are read through
the settings this module builds, mostly by shared adapters (shared.clerk, shared.auth.access,
shared.media.playback) that several services wire; `provision` is no service package; and this
module, imported by every process (the image's `probe` included), imports no service."""


class ConfigurationError(Exception):
    """The environment cannot run this process: a secret it needs is missing or at its public
    default in production, its service is unknown there, or it would use a secret not given."""


def local_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """Every secret of PRODUCTION_SECRETS as a process holding it reads it from `env`."""
    return {name: env.get(name) or PRODUCTION_SECRETS[name] for name in PRODUCTION_SECRETS}


def held_secret(value: str, name: str) -> str:
    """`value` of the secret `name`, refused when this process was not given it."""
    if not value:
        raise ConfigurationError(
            f"this process holds no {name}: add it to its service in SERVICE_SECRETS"
        )
    return value


def service_secrets(service: str, production: bool) -> ServiceSecrets:
    """What `service` holds. A name missing from SERVICE_SECRETS is refused in production and
    holds nothing elsewhere (a test's throwaway app)."""
    secrets = SERVICE_SECRETS.get(service)
    if secrets is not None:
        return secrets
    if production:
        raise ConfigurationError(
            f"unknown service {service!r}: SERVICE_SECRETS names {', '.join(SERVICE_SECRETS)}"
        )
    return ServiceSecrets()


def _refuse_weak_secrets(service: str, secrets: ServiceSecrets, env: Mapping[str, str]) -> None:
    weak = [
        name
        for name in PRODUCTION_SECRETS
        if name in secrets.required and env.get(name, "") in ("", PRODUCTION_SECRETS[name])
    ]
    if weak:
        raise ConfigurationError(
            f"{service} needs {', '.join(weak)} set in production, and not to the public local "
            "default"
        )


def _held_secrets(secrets: ServiceSecrets, env: Mapping[str, str]) -> dict[str, str]:
    """The values of the secrets a service holds; a required one unset is at its local default."""
    required = {
        name: value for name, value in local_secrets(env).items() if name in secrets.required
    }
    optional = {name: env.get(name, "") for name in OPTIONAL_SECRETS if name in secrets.optional}
    return required | optional


def _refuse_unheld_jwks_key(service: str, clerk: ClerkSettings) -> None:
    """A web service verifies session tokens; a JWKS that needs the secret key needs it held."""
    fetches_backend_jwks = not clerk.jwt_key and clerk.jwks_needs_secret_key
    if service in SERVICE_PORTS and fetches_backend_jwks and not clerk.secret_key:
        raise ConfigurationError(
            f"{service} holds no CLERK_SECRET_KEY, which CLERK_JWKS_URL {clerk.jwks_url} "
            "(the Backend API) requires: use the Frontend API's /.well-known/jwks.json or "
            "CLERK_JWT_KEY"
        )


def load_settings(service: str, env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings of `service` from `env` (default: the process environment), with only
    the secrets SERVICE_SECRETS gives it."""
    e = os.environ if env is None else env

    def get(name: str, default: str) -> str:
        return e.get(name) or default

    environment = get("PROLEARN_ENV", "local")
    production = environment == "production"
    held = service_secrets(service, production)
    if production:
        _refuse_weak_secrets(service, held, e)
    secret = _held_secrets(held, e)
    cloudfront_key = secret.get("CLOUDFRONT_PRIVATE_KEY", "")
    client_urls = _split(get("CLIENT_URL", "http://localhost:3000"))
    service_urls = {
        name: get(
            f"{name.upper()}_URL", f"http://127.0.0.1:{get(f'{name.upper()}_PORT', str(port))}"
        )
        for name, port in SERVICE_PORTS.items()
    }
    settings = Settings(
        service=service,
        environment=environment,
        log_level=get("LOG_LEVEL", "INFO"),
        client_urls=client_urls,
        internal_api_token=secret.get("INTERNAL_API_TOKEN", ""),
        service_urls=service_urls,
        aws=AwsSettings(
            region=get("AWS_REGION", "ap-south-1"),
            # unset: the local emulator, except in production, where it means AWS itself
            endpoint_url=e.get("AWS_ENDPOINT_URL", "" if production else LOCAL_AWS) or None,
            table_prefix=get("TABLE_PREFIX", "prolearn-dev-"),
            bucket=get("S3_BUCKET_NAME", "prolearn-media-dev"),
        ),
        clerk=ClerkSettings(
            jwt_key=e.get("CLERK_JWT_KEY") or None,
            jwks_url=get("CLERK_JWKS_URL", f"{LOCAL_STANDINS}/idp/.well-known/jwks.json"),
            issuer=e.get("CLERK_ISSUER") or None,
            secret_key=secret.get("CLERK_SECRET_KEY", ""),
            api_url=get("CLERK_API_URL", f"{LOCAL_STANDINS}/idp/v1").rstrip("/"),
            authorized_parties=client_urls,
            jwks_cache_seconds=float(get("CLERK_JWKS_CACHE_SECONDS", "300")),
            jwks_refetch_seconds=float(get("CLERK_JWKS_REFETCH_SECONDS", "10")),
        ),
        cashfree=CashfreeSettings(
            client_id=secret.get("CASHFREE_CLIENT_ID", ""),
            client_secret=secret.get("CASHFREE_CLIENT_SECRET", ""),
            api_url=get("CASHFREE_API_URL", f"{LOCAL_STANDINS}/pg").rstrip("/"),
            api_version=get("CASHFREE_API_VERSION", "2023-08-01"),
            placeholder_phone=get("CASHFREE_PLACEHOLDER_PHONE", "9999999999"),
            return_url=get(
                "CASHFREE_RETURN_URL", f"{client_urls[0]}/checkout?step=3&orderId={{order_id}}"
            ),
        ),
        messaging=MessagingSettings(
            redis_url=get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            visibility_timeout=int(get("CELERY_VISIBILITY_TIMEOUT", "30")),
            dispatch_timeout=float(get("DISPATCH_TIMEOUT_SECONDS", "0.5")),
            relay_interval=float(get("RELAY_INTERVAL_SECONDS", "1")),
            relay_grace_seconds=float(get("RELAY_GRACE_SECONDS", "3")),
            max_retries=int(get("EVENT_MAX_RETRIES", "6")),
            retry_backoff_max=int(get("EVENT_RETRY_BACKOFF_MAX_SECONDS", "300")),
            worker_stall_seconds=float(get("WORKER_STALL_SECONDS", "60")),
            broker_loss_window=float(get("BROKER_LOSS_WINDOW_SECONDS", "5")),
        ),
        rate_limit=RateLimitSettings(
            enabled=_flag(get("RATE_LIMIT_ENABLED", "true")),
            per_user=int(get("RATE_LIMIT_PER_USER", "600")),
            per_ip=int(get("RATE_LIMIT_PER_IP", "300")),
            window_seconds=int(get("RATE_LIMIT_WINDOW_SECONDS", "60")),
            trusted_proxy_count=int(get("TRUSTED_PROXY_COUNT", "0")),
            contact_limit=int(get("CONTACT_RATE_LIMIT", "5")),
            contact_window_seconds=int(get("CONTACT_RATE_LIMIT_WINDOW_SECONDS", "3600")),
        ),
        catalog_cache_seconds=float(get("CATALOG_CACHE_SECONDS", "60")),
        dynamo_guard=_flag(get("DYNAMO_SCAN_GUARD", "false")),
        cache_redis_url=e.get("CACHE_REDIS_URL") or None,
        extra={k: v for k, v in e.items() if k.startswith("PROLEARN_")},
        upstream=UpstreamSettings(
            connect_timeout=float(get("GATEWAY_UPSTREAM_CONNECT_TIMEOUT", "2")),
            read_timeout=float(get("GATEWAY_UPSTREAM_READ_TIMEOUT", "15")),
            edge_cache_seconds=float(get("GATEWAY_EDGE_CACHE_SECONDS", "0.25")),
        ),
        media=MediaSettings(
            max_video_bytes=int(get("MAX_VIDEO_BYTES", "2147483648")),
            max_image_bytes=int(get("MAX_IMAGE_BYTES", "5242880")),
            upload_url_seconds=int(get("UPLOAD_URL_SECONDS", "900")),
            playback_url_seconds=int(get("PLAYBACK_URL_SECONDS", "3600")),
            teacher_storage_quota_bytes=int(get("TEACHER_STORAGE_QUOTA_BYTES", "10737418240")),
            staging_expiry_days=int(get("STAGING_UPLOAD_EXPIRY_DAYS", "1")),
            cloudfront_domain=e.get("CLOUDFRONT_DOMAIN", "").strip().rstrip("/") or None,
            cloudfront_key_pair_id=e.get("CLOUDFRONT_KEY_PAIR_ID") or None,
            cloudfront_private_key=cloudfront_key.replace("\\n", "\n") or None,
        ),
        progress_complete_percent=float(get("PROGRESS_COMPLETE_PERCENT", "80")),
        mentorship=MentorshipSettings(
            cancel_window_hours=float(get("CANCEL_WINDOW_HOURS", "12")),
            token_lead_minutes=int(get("VIDEO_TOKEN_LEAD_MINUTES", "10")),
            token_grace_minutes=int(get("VIDEO_TOKEN_GRACE_MINUTES", "10")),
            max_upcoming_per_teacher=int(get("MAX_UPCOMING_SESSIONS_PER_TEACHER", "3")),
            agora_app_id=e.get("AGORA_APP_ID") or None,
            agora_app_certificate=secret.get("AGORA_APP_CERTIFICATE") or None,
        ),
        billing=BillingSettings(
            reconcile_after_seconds=int(get("RECONCILE_AFTER_SECONDS", "60")),
            reconcile_interval_seconds=float(get("RECONCILE_INTERVAL_SECONDS", "30")),
            reconcile_max_delay_seconds=int(get("RECONCILE_MAX_DELAY_SECONDS", "3600")),
            refund_window_days=float(get("REFUND_WINDOW_DAYS", "7")),
            refund_max_progress_percent=float(get("REFUND_MAX_PROGRESS_PERCENT", "30")),
        ),
        mail=MailSettings(
            resend_api_key=secret.get("RESEND_API_KEY", ""),
            resend_api_url=get("RESEND_API_URL", f"{LOCAL_STANDINS}/resend").rstrip("/"),
            email_from=get("EMAIL_FROM", "ProLearn <no-reply@prolearn.test>"),
            email_user=get("EMAIL_USER", "support@prolearn.test"),
            reminder_lead_minutes=int(get("REMINDER_LEAD_MINUTES", "60")),
            sweep_interval_seconds=float(get("MAIL_SWEEP_SECONDS", "2")),
            digest_hour=int(get("DIGEST_HOUR", "8")),
            send_attempts=int(get("MAIL_SEND_ATTEMPTS", "8")),
        ),
        chat=ChatSettings(
            persist=_flag(get("CHAT_PERSIST", "true")),
            messages_per_second=float(get("CHAT_MESSAGES_PER_SECOND", "10")),
            burst=int(get("CHAT_BURST", "20")),
            ping_interval_seconds=float(get("CHAT_PING_INTERVAL_SECONDS", "25")),
        ),
        metrics=MetricsSettings(
            port=int(e["METRICS_PORT"]) if e.get("METRICS_PORT") else None,
            host=get("METRICS_HOST", "0.0.0.0"),
        ),
    )
    _refuse_unheld_jwks_key(service, settings.clerk)
    return settings
