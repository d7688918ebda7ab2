"""Keys and secrets across every descriptor: production mode everywhere, so no process starts on
a public default secret, and no such value written into compose, Kubernetes or Render."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from deploy_manifests import DEPLOY, K8S, SECRETS, documented_env, load_documents, load_yaml
from offline_kustomize import kustomize_build, pod_spec

from shared.config import PRODUCTION_SECRETS, ConfigurationError, load_settings
from standins.config import StandinConfig

COMPOSE = load_yaml(DEPLOY / "docker-compose.yml")
RENDER = load_yaml(DEPLOY / "render.yaml")
K8S_BUILDS = {
    "base": kustomize_build(K8S / "base"),
    "production": kustomize_build(K8S / "overlays" / "production"),
}
PUBLIC_VALUES = {
    *PRODUCTION_SECRETS.values(),
    *(
        str(value)
        for field in dataclasses.fields(StandinConfig)
        if re.search("secret|key", field.name) and (value := getattr(StandinConfig(), field.name))
    ),
    *(
        value.strip('"')
        for name, (value, _comment) in documented_env(DEPLOY / ".env.example").items()
        if name in SECRETS and value
    ),
}
"""Every secret value this repository publishes as a default: none may reach a deployment."""


def strings(node: Any) -> Iterator[str]:
    """Every string in a parsed YAML document, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def public_values_in(document: Any) -> set[str]:
    return {value for text in strings(document) for value in PUBLIC_VALUES if value in text}


def compose_default(value: str) -> str:
    """A compose value as the container sees it with no .env: `${X:-d}` becomes `d`."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", str(value))


def app_services() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in COMPOSE["services"].items() if s.get("image") == "prolearn:local"}


def render_apps() -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in RENDER["services"] if s["type"] != "keyvalue"}


def render_group(name: str) -> dict[str, Any]:
    (group,) = [g for g in RENDER["envVarGroups"] if g["name"] == name]
    return {v["key"]: v.get("value") for v in group["envVars"]}


def k8s_workloads(build: str) -> list[dict[str, Any]]:
    return [
        obj
        for obj in K8S_BUILDS[build]
        if obj["kind"] in ("Deployment", "Job")
        and obj["metadata"]["labels"].get("app.kubernetes.io/part-of") == "prolearn"
    ]


def k8s_config(build: str) -> dict[str, str]:
    (config,) = [obj for obj in K8S_BUILDS[build] if obj["kind"] == "ConfigMap"]
    data: dict[str, str] = config["data"]
    return data


def test_the_public_values_include_every_local_default_secret() -> None:
    assert {"local-internal-token", "sk_test_prolearn_local", "TEST_PROLEARN_SECRET"} <= (
        PUBLIC_VALUES
    )
    assert {"re_test_local", "TEST_PROLEARN_CLIENT", "testing"} <= PUBLIC_VALUES


def test_every_compose_process_runs_in_production_mode() -> None:
    for name, service in app_services().items():
        assert service["environment"]["PROLEARN_ENV"] == "production", name


@pytest.mark.parametrize("build", K8S_BUILDS)
def test_every_kubernetes_workload_runs_in_production_mode(build: str) -> None:
    assert k8s_config(build)["PROLEARN_ENV"] == "production"
    for workload in k8s_workloads(build):
        (container,) = pod_spec(workload)["containers"]
        assert container["envFrom"] == [{"configMapRef": {"name": "prolearn-config"}}]
        assert "PROLEARN_ENV" not in {e["name"] for e in container.get("env", [])}


def test_every_render_service_runs_in_production_mode() -> None:
    assert render_group("prolearn-config")["PROLEARN_ENV"] == "production"
    for name, service in render_apps().items():
        assert {"fromGroup": "prolearn-config"} in service["envVars"], name
        assert "PROLEARN_ENV" not in {v.get("key") for v in service["envVars"]}, name


def test_no_descriptor_holds_a_public_default_secret() -> None:
    documents: dict[str, Any] = {"docker-compose.yml": COMPOSE, "render.yaml": RENDER}
    documents |= {f"k8s {build}": objects for build, objects in K8S_BUILDS.items()}
    documents["secret.example.yaml"] = load_documents(K8S / "base" / "secret.example.yaml")
    for name, document in documents.items():
        assert not public_values_in(document), name


def test_the_public_value_check_finds_one_in_an_interpolation_default() -> None:
    planted = {"environment": {"INTERNAL_API_TOKEN": "${INTERNAL_API_TOKEN:-local-internal-token}"}}
    assert public_values_in(planted) == {"local-internal-token"}


@pytest.mark.parametrize(
    "environment",
    [
        {k: compose_default(v) for k, v in app_services()["billing"]["environment"].items()},
        k8s_config("production"),
        {k: v for k, v in render_group("prolearn-config").items() if v is not None},
    ],
    ids=["compose", "k8s", "render"],
)
def test_a_process_given_only_a_descriptors_settings_refuses_to_start(
    environment: dict[str, str],
) -> None:
    with pytest.raises(ConfigurationError, match="INTERNAL_API_TOKEN"):
        load_settings("billing", environment)
    secrets = {name: f"private-{name.lower()}" for name in PRODUCTION_SECRETS}
    assert load_settings("billing", {**environment, **secrets}).environment == "production"


def test_compose_interpolation_is_read_as_compose_reads_it() -> None:
    assert compose_default("${REDIS_URL:-redis://redis:6379/0}") == "redis://redis:6379/0"
    assert compose_default("${AWS_ENDPOINT_URL-http://aws:5055}") == "http://aws:5055"
