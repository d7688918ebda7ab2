"""The one image: its Dockerfile, and the entrypoint that starts each process as devstack does."""

from __future__ import annotations

import re

import pytest
from deploy_manifests import (
    CONSUMERS,
    DEPLOY,
    PRODUCERS,
    REPO,
    SERVICES,
    load_entrypoint,
    missing_modules,
)

from devstack import commands
from shared.config import SERVICE_PORTS

entrypoint = load_entrypoint()
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def every_command() -> list[list[str]]:
    return [
        *(["web", service] for service in SERVICES),
        *(["worker", service] for service in CONSUMERS),
        *(["relay", service] for service in PRODUCERS),
        ["provision"],
        ["standins"],
        ["emulator"],
    ]


def test_the_image_is_python_311_slim_with_the_locked_dependencies_then_the_project() -> None:
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    runs = [args for kind, args in steps if kind == "RUN"]
    lock = next(i for i, args in enumerate(runs) if "-r requirements.lock" in args)
    project = next(i for i, args in enumerate(runs) if "pip install --no-deps ." in args)
    assert lock < project


def test_the_image_runs_as_a_numeric_non_root_user_through_the_entrypoint() -> None:
    steps = instructions()
    user = [args for kind, args in steps if kind == "USER"]
    assert user and user[-1].split(":")[0].isdigit() and user[-1].split(":")[0] != "0"
    assert ("ENTRYPOINT", '["prolearn"]') in steps
    assert ("COPY", "deploy/entrypoint.py /usr/local/bin/prolearn") in steps


def test_the_build_context_keeps_what_the_dockerfile_copies() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    kept = {line[1:].removesuffix("/**") for line in ignore if line.startswith("!")}
    for kind, args in instructions():
        if kind == "COPY":
            source = args.split()[0]
            assert source in kept, f"{source} is copied but excluded from the build context"
            assert (REPO / source).exists()


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_every_process_the_manifests_start_exists(command: list[str]) -> None:
    spec = entrypoint.process(command, {})
    assert missing_modules(list(spec.argv)) == []


@pytest.mark.parametrize("service", SERVICES)
def test_web_is_devstacks_gunicorn_on_every_interface(service: str) -> None:
    port = SERVICE_PORTS[service]
    spec = entrypoint.process(["web", service], {})
    devstack = list(commands.web(service, port, entrypoint.METRICS_DIR).argv)
    devstack[devstack.index("-b") + 1] = f"0.0.0.0:{port}"
    assert list(spec.argv) == devstack
    worker_class = spec.argv[spec.argv.index("-k") + 1]
    assert worker_class == ("gevent" if service == "chat" else "gthread")
    assert spec.wiring["PROMETHEUS_MULTIPROC_DIR"] == str(entrypoint.METRICS_DIR)


def test_the_listening_port_comes_from_port_then_the_services_own_variable() -> None:
    assert entrypoint.process(["web", "billing"], {"PORT": "10000"}).argv[-2] == "0.0.0.0:10000"
    assert entrypoint.process(["web", "billing"], {"BILLING_PORT": "9"}).argv[-2] == "0.0.0.0:9"
    assert entrypoint.process(["standins"], {"STANDINS_PORT": "7"}).argv[-2] == "0.0.0.0:7"


@pytest.mark.parametrize("service", CONSUMERS)
def test_a_worker_consumes_its_own_queue_and_serves_metrics_on_every_interface(
    service: str,
) -> None:
    spec = entrypoint.process(["worker", service], {})
    assert list(spec.argv) == list(commands.worker(service).argv)
    assert spec.argv[spec.argv.index("-Q") + 1] == f"{service}.events"
    assert spec.wiring["METRICS_PORT"] == "9100"
    assert spec.wiring["METRICS_HOST"] == "0.0.0.0"


def test_relays_provision_and_the_backing_processes() -> None:
    assert entrypoint.process(["relay", "billing"], {}).argv[-3:] == (
        "-m",
        "shared.messaging.relay",
        "billing",
    )
    assert entrypoint.process(["provision", "catalog"], {}).argv[-3:] == (
        "-m",
        "shared.provision",
        "catalog",
    )
    assert entrypoint.process(["emulator"], {}).argv[-4:] == ("-H", "0.0.0.0", "-p", "5055")


@pytest.mark.parametrize(
    "command", [["worker", "gateway"], ["relay", "gateway"], ["web"], ["web", "nope"], []]
)
def test_a_process_that_does_not_exist_is_a_usage_error(command: list[str]) -> None:
    with pytest.raises(entrypoint.UsageError):
        entrypoint.process(command, {})


def test_anything_else_runs_as_given_so_a_repeated_entrypoint_is_harmless() -> None:
    spec = entrypoint.process(["prolearn", "web", "billing"], {})
    assert spec.argv == ("prolearn", "web", "billing")
    assert entrypoint.process(["python", "-m", "shared.ops"], {}).argv[0] == "python"


def test_probes_look_at_health_on_the_process_port() -> None:
    assert entrypoint.probe_url(["web", "chat"], {}) == "http://127.0.0.1:8085/health"
    assert entrypoint.probe_url(["standins"], {}) == "http://127.0.0.1:8090/health"
    assert entrypoint.probe_url(["emulator"], {"PORT": "1"}) == "http://127.0.0.1:1/"
    assert entrypoint.probe(["web", "gateway"], {"PORT": "1"}) == 1  # nothing listens there


def test_a_worker_is_probed_on_live_at_its_metrics_port() -> None:
    assert entrypoint.probe_url(["worker", "billing"], {}) == "http://127.0.0.1:9100/live"
    assert entrypoint.probe_url(["worker", "billing"], {"METRICS_PORT": "1"}).endswith(":1/live")
    assert entrypoint.probe(["worker", "billing"], {"METRICS_PORT": "1"}) == 1
    with pytest.raises(entrypoint.UsageError):
        entrypoint.probe_url(["worker"], {})


def test_usage_errors_exit_2_without_starting_anything(capsys: pytest.CaptureFixture[str]) -> None:
    assert entrypoint.main(["worker", "gateway"], {}) == 2
    assert "worker needs one of" in capsys.readouterr().err


def test_make_test_runs_these_tests() -> None:
    makefile = (REPO / "Makefile").read_text()
    test_paths = next(line for line in makefile.splitlines() if line.startswith("TEST_PATHS"))
    assert "deploy/tests" in test_paths
