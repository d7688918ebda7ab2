"""StackSettings: the one environment every process of the stack inherits."""

from __future__ import annotations

from pathlib import Path

from devstack import commands
from devstack.pytest_plugin import TEST_ENV, isolated_settings
from devstack.stack import StackSettings


def test_environment_wires_services_and_stand_ins_together() -> None:
    settings = StackSettings(
        run_dir=Path("/tmp/run"),
        ports={"gateway": 9080, "catalog": 9081},
        standins_port=9090,
        redis_url="redis://127.0.0.1:6390/4",
        cache_redis_url="redis://127.0.0.1:6391/0",
        table_prefix="t-",
        extra_env={"RATE_LIMIT_ENABLED": "false", "TABLE_PREFIX": "override-"},
    )

    env = settings.environment({"PATH": "/bin", "REDIS_URL": "redis://elsewhere/0"})

    assert env["PATH"] == "/bin"
    assert env["REDIS_URL"] == "redis://127.0.0.1:6390/4"
    assert env["CACHE_REDIS_URL"] == "redis://127.0.0.1:6391/0"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5055"
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert env["CLERK_JWKS_URL"] == "http://127.0.0.1:9090/idp/.well-known/jwks.json"
    assert env["CLERK_API_URL"] == "http://127.0.0.1:9090/idp/v1"
    assert env["CASHFREE_API_URL"] == "http://127.0.0.1:9090/pg"
    assert env["RESEND_API_URL"] == "http://127.0.0.1:9090/resend"
    assert env["STANDINS_PUBLIC_URL"] == "http://127.0.0.1:9090"
    assert env["CASHFREE_WEBHOOK_URL"] == "http://127.0.0.1:9080/api/payments/webhook"
    assert env["IDP_PRIVATE_KEY_FILE"] == "/tmp/run/idp-key.pem"
    assert env["CATALOG_URL"] == "http://127.0.0.1:9081"
    assert env["CATALOG_PORT"] == "9081"
    assert env["GATEWAY_PORT"] == "9080"
    assert env["RATE_LIMIT_ENABLED"] == "false"
    assert env["TABLE_PREFIX"] == "override-"  # extra_env wins over everything


def test_from_env_reads_ports_and_keeps_real_service_urls() -> None:
    settings = StackSettings.from_env(
        {
            "GATEWAY_PORT": "7080",
            "STANDINS_PORT": "7090",
            "BILLING_RELAY_METRICS_PORT": "7111",
            "AWS_ENDPOINT_URL": "",
            "CASHFREE_API_URL": "https://sandbox.cashfree.com/pg",
        }
    )

    assert settings.ports["gateway"] == 7080
    assert settings.ports["catalog"] == 8081
    assert settings.standins_port == 7090
    assert settings.metrics_ports["billing-relay"] == 7111
    assert settings.metrics_ports["catalog-worker"] == 9101
    assert settings.aws_endpoint_url is None
    assert settings.cache_redis_url is None, "a free port is chosen when the stack starts"
    env = settings.environment({})
    assert env["CASHFREE_API_URL"] == "https://sandbox.cashfree.com/pg"
    assert env["AWS_ENDPOINT_URL"] == ""
    assert "AWS_ACCESS_KEY_ID" not in env


def test_test_settings_use_free_ports_a_fresh_prefix_and_fast_retries(tmp_path: Path) -> None:
    first, second = isolated_settings(tmp_path), isolated_settings(tmp_path)

    ports = [*first.ports.values(), first.standins_port]
    assert len(set(ports)) == len(ports)
    assert 8080 not in ports
    assert first.table_prefix.startswith("test-")
    assert first.table_prefix != second.table_prefix
    assert first.aws_endpoint_url != StackSettings().aws_endpoint_url
    assert (
        first.environment({})["CELERY_VISIBILITY_TIMEOUT"] == TEST_ENV["CELERY_VISIBILITY_TIMEOUT"]
    )


def test_shared_secrets_are_stated_once_for_stand_ins_and_services() -> None:
    env = StackSettings(extra_env={"CASHFREE_CLIENT_SECRET": "s3cret"}).environment({})

    assert env["CASHFREE_CLIENT_SECRET"] == "s3cret"
    assert env["CASHFREE_CLIENT_ID"]
    assert env["CLERK_SECRET_KEY"]
    assert env["INTERNAL_API_TOKEN"]


def test_every_worker_and_relay_gets_its_own_metrics_port_and_directory(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)

    ports = settings.started_metrics_ports()
    assert set(ports) == {
        *(f"{s}-worker" for s in commands.consumers(settings.ports)),
        *(f"{s}-relay" for s in commands.producers(settings.ports)),
    }
    everything = [*settings.ports.values(), *ports.values(), settings.standins_port]
    assert len(set(everything)) == len(everything)
    urls = settings.urls()
    assert urls["billing-relay-metrics"] == f"http://127.0.0.1:{ports['billing-relay']}/metrics"
    assert StackSettings().metrics_ports["catalog-worker"] == 9101

    worker = commands.worker("billing", 9111, settings.metrics_dir / "billing-worker")
    assert worker.wiring == {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path.resolve() / "metrics" / "billing-worker"),
        "METRICS_PORT": "9111",
        "METRICS_HOST": "127.0.0.1",
    }
    assert set(commands.relay("billing", 9112).wiring) == {"METRICS_PORT", "METRICS_HOST"}
    web = commands.web("chat", 8085, settings.metrics_dir / "chat")
    assert web.wiring == {"PROMETHEUS_MULTIPROC_DIR": str(settings.metrics_dir / "chat")}
    assert "python:shared.metrics.gunicorn_conf" in web.argv
