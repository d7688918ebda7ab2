"""deploy/k8s: the base and the production overlay, built offline and checked against the
Kubernetes API schemas (kubernetes-validate, strict) and ProLearn's own invariants."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import kubernetes_validate.utils
import pytest
from deploy_manifests import (
    AWS_KEYS,
    CACHE_REDIS,
    CONSUMERS,
    K8S,
    PRODUCERS,
    SECRETS,
    SERVICES,
    documented_env,
    load_documents,
    load_entrypoint,
    load_yaml,
    redis_options,
)
from offline_kustomize import kustomize_build, pod_spec, strategic_merge

from shared.config import SERVICE_PORTS, SERVICE_SECRETS

KUBERNETES_VERSION = "1.30"
BASE = K8S / "base"
PRODUCTION = K8S / "overlays" / "production"
BUILDS = {"base": kustomize_build(BASE), "production": kustomize_build(PRODUCTION)}
entrypoint = load_entrypoint()


@pytest.fixture(scope="module", autouse=True)
def schemas_read_once() -> Iterator[None]:
    """kubernetes-validate reads and parses its schema files on every call: cache them here."""
    cached = functools.cache(kubernetes_validate.utils.schema_contents)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kubernetes_validate.utils, "schema_contents", cached)
        yield


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def prolearn(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The objects of `kind` that run the ProLearn image (not the listing cache's Redis)."""
    return {
        name: obj
        for name, obj in by_kind(objects, kind).items()
        if obj["metadata"]["labels"].get("app.kubernetes.io/part-of") == "prolearn"
    }


def container(obj: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod_spec(obj)["containers"]
    return only


def every_object() -> list[tuple[str, dict[str, Any]]]:
    return [(build, obj) for build, objects in BUILDS.items() for obj in objects]


@pytest.mark.parametrize(
    ("build", "obj"),
    every_object(),
    ids=[f"{b}-{o['kind']}-{o['metadata']['name']}" for b, o in every_object()],
)
def test_every_object_is_valid_kubernetes(build: str, obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_validation_is_strict_enough_to_catch_a_typo() -> None:
    deployment = copy.deepcopy(by_kind(BUILDS["base"], "Deployment")["billing"])
    container(deployment)["readinesProbe"] = container(deployment).pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("build", BUILDS)
def test_every_service_has_a_deployment_service_hpa_and_pdb(build: str) -> None:
    objects = BUILDS[build]
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert set(SERVICES) <= set(by_kind(objects, kind)), kind
    deployments = prolearn(objects, "Deployment")
    workers = {
        n
        for n, d in deployments.items()
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"
    }
    relays = {
        n
        for n, d in deployments.items()
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == "relay"
    }
    assert workers == {f"{s}-worker" for s in CONSUMERS}
    assert relays == {f"{s}-relay" for s in PRODUCERS}
    assert set(deployments) == {*SERVICES, *workers, *relays}
    assert {f"{s}-worker" for s in CONSUMERS} <= set(by_kind(objects, "HorizontalPodAutoscaler"))


@pytest.mark.parametrize("build", BUILDS)
def test_each_deployment_runs_the_process_its_name_says(build: str) -> None:
    for name, deployment in prolearn(BUILDS[build], "Deployment").items():
        args = container(deployment)["args"]
        service, _, role = name.partition("-")
        assert args == [role or "web", service]
        entrypoint.process(args, {})  # a process the image knows
    (job,) = by_kind(BUILDS[build], "Job").values()
    assert container(job)["args"] == ["provision"]


@pytest.mark.parametrize("build", BUILDS)
def test_web_pods_are_probed_on_ready_and_health(build: str) -> None:
    for service in SERVICES:
        web = container(by_kind(BUILDS[build], "Deployment")[service])
        assert web["ports"] == [{"name": "http", "containerPort": SERVICE_PORTS[service]}]
        assert web["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
        assert web["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
        assert web["startupProbe"]["httpGet"] == {"path": "/health", "port": "http"}


@pytest.mark.parametrize("build", BUILDS)
def test_workers_are_restarted_when_they_stop_consuming(build: str) -> None:
    deployments = by_kind(BUILDS[build], "Deployment")
    for service in CONSUMERS:
        worker = container(deployments[f"{service}-worker"])
        assert worker["ports"] == [{"name": "metrics", "containerPort": entrypoint.METRICS_PORT}]
        for probe in ("startupProbe", "livenessProbe"):
            assert worker[probe]["httpGet"] == {"path": "/live", "port": "metrics"}
        assert "readinessProbe" not in worker


@pytest.mark.parametrize("build", BUILDS)
def test_every_container_has_requests_and_limits_and_runs_restricted(build: str) -> None:
    for workload in [
        *by_kind(BUILDS[build], "Deployment").values(),
        *by_kind(BUILDS[build], "Job").values(),
    ]:
        spec, one = pod_spec(workload), container(workload)
        for bound in ("requests", "limits"):
            assert set(one["resources"][bound]) == {"cpu", "memory"}, workload["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert one["securityContext"]["readOnlyRootFilesystem"] is True
        assert one["securityContext"]["allowPrivilegeEscalation"] is False
        assert one["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    for workload in [
        *prolearn(BUILDS[build], "Deployment").values(),
        *prolearn(BUILDS[build], "Job").values(),
    ]:
        assert pod_spec(workload)["serviceAccountName"] == "prolearn"


@pytest.mark.parametrize("build", BUILDS)
def test_hpas_own_the_replica_count_and_pdbs_cover_their_pods(build: str) -> None:
    objects = BUILDS[build]
    deployments = by_kind(objects, "Deployment")
    for name, hpa in by_kind(objects, "HorizontalPodAutoscaler").items():
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert "replicas" not in deployments[name]["spec"], name
        assert hpa["spec"]["minReplicas"] >= 1
    for name, pdb in by_kind(objects, "PodDisruptionBudget").items():
        assert pdb["spec"]["selector"] == deployments[name]["spec"]["selector"]
        assert pdb["spec"]["maxUnavailable"] == 1  # never blocks a node drain
    for service in PRODUCERS:
        assert deployments[f"{service}-relay"]["spec"]["replicas"] == 1


def test_the_base_scales_on_cpu_and_production_workers_on_their_queue_too() -> None:
    for name, hpa in by_kind(BUILDS["base"], "HorizontalPodAutoscaler").items():
        assert [m["type"] for m in hpa["spec"]["metrics"]] == ["Resource"], name
    production = by_kind(BUILDS["production"], "HorizontalPodAutoscaler")
    for service in CONSUMERS:
        metrics = production[f"{service}-worker"]["spec"]["metrics"]
        (external,) = [m["external"] for m in metrics if m["type"] == "External"]
        assert external["metric"] == {
            "name": "prolearn_queue_depth",
            "selector": {"matchLabels": {"queue": f"{service}.events"}},
        }
        assert "Resource" in [m["type"] for m in metrics]
    for service in SERVICES:
        assert production[service]["spec"]["minReplicas"] >= 3


@pytest.mark.parametrize("build", BUILDS)
def test_secrets_are_referenced_never_embedded(build: str) -> None:
    objects = BUILDS[build]
    assert by_kind(objects, "Secret") == {}
    (config,) = by_kind(objects, "ConfigMap").values()
    assert not SECRETS & set(config["data"])
    for workload in [*prolearn(objects, "Deployment").values(), *prolearn(objects, "Job").values()]:
        env = {e["name"]: e for e in container(workload)["env"]}
        assert set(env) <= SECRETS, workload["metadata"]["name"]
        for name, entry in env.items():
            assert "value" not in entry
            assert entry["valueFrom"]["secretKeyRef"]["name"] == "prolearn-secrets"
            assert entry["valueFrom"]["secretKeyRef"]["key"] == name
        assert container(workload)["envFrom"] == [{"configMapRef": {"name": "prolearn-config"}}]


@pytest.mark.parametrize("build", BUILDS)
def test_each_pod_is_given_only_its_services_secrets(build: str) -> None:
    """SERVICE_SECRETS, the AWS keys (optional) and, for a web, worker or relay, the broker."""
    objects = BUILDS[build]
    workloads = [*prolearn(objects, "Deployment").values(), *prolearn(objects, "Job").values()]
    assert {w["metadata"]["labels"]["app.kubernetes.io/name"] for w in workloads} == set(
        SERVICE_SECRETS
    )
    for workload in workloads:
        held = SERVICE_SECRETS[workload["metadata"]["labels"]["app.kubernetes.io/name"]]
        broker = {"REDIS_URL"} if workload["kind"] == "Deployment" else set()
        env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container(workload)["env"]}
        assert set(env) == held.names | AWS_KEYS | broker, workload["metadata"]["name"]
        optional = {name for name, ref in env.items() if ref.get("optional")}
        assert optional == held.optional | AWS_KEYS, workload["metadata"]["name"]


@pytest.mark.parametrize("build", BUILDS)
def test_the_listing_cache_is_a_bounded_redis_only_catalog_reaches(build: str) -> None:
    objects = BUILDS[build]
    deployment = by_kind(objects, "Deployment")["cache-redis"]
    assert redis_options(container(deployment)["args"]) == CACHE_REDIS
    assert pod_spec(deployment)["automountServiceAccountToken"] is False
    assert deployment["spec"]["replicas"] == 1
    service = by_kind(objects, "Service")["cache-redis"]["spec"]
    assert service["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["ports"] == [{"name": "redis", "port": 6379, "targetPort": "redis"}]
    (config,) = by_kind(objects, "ConfigMap").values()
    assert config["data"]["CACHE_REDIS_URL"] == "redis://cache-redis:6379/0"
    policy = by_kind(objects, "NetworkPolicy")["cache-redis"]["spec"]
    assert policy["podSelector"] == deployment["spec"]["selector"]
    (rule,) = policy["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "catalog"}}}]


def test_the_secret_example_is_valid_but_not_deployed() -> None:
    listed = load_yaml(BASE / "kustomization.yaml")["resources"]
    assert "secret.example.yaml" not in listed
    (example,) = load_documents(BASE / "secret.example.yaml")
    kubernetes_validate.validate(example, KUBERNETES_VERSION, strict=True)
    assert example["metadata"]["name"] == "prolearn-secrets"
    assert set(example["stringData"]) <= SECRETS


@pytest.mark.parametrize("build", BUILDS)
def test_config_names_only_documented_variables_and_wires_the_services(build: str) -> None:
    (config,) = by_kind(BUILDS[build], "ConfigMap").values()
    assert set(config["data"]) <= set(documented_env(K8S.parent / ".env.example"))
    for service in SERVICES:
        assert config["data"][f"{service.upper()}_URL"] == f"http://{service}"
    assert config["data"]["AWS_ENDPOINT_URL"] == ""  # real AWS; unset would mean the emulator


@pytest.mark.parametrize("build", BUILDS)
def test_the_ingress_sends_websockets_to_chat_and_the_rest_to_the_gateway(build: str) -> None:
    routes = {}
    for ingress in by_kind(BUILDS[build], "Ingress").values():
        annotations = ingress["metadata"]["annotations"]
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                routes[path["path"]] = (path["backend"]["service"], annotations)
    assert set(routes) == {"/", "/ws/"}
    gateway, _ = routes["/"]
    chat, websocket = routes["/ws/"]
    assert gateway == {"name": "gateway", "port": {"name": "http"}}
    assert chat == {"name": "chat", "port": {"name": "http"}}
    assert int(websocket["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(websocket["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600


def test_production_sets_namespace_image_host_and_tls() -> None:
    objects = BUILDS["production"]
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "prolearn"
    for workload in [*prolearn(objects, "Deployment").values(), *prolearn(objects, "Job").values()]:
        assert container(workload)["image"] == "registry.prolearn.example/prolearn:0.1.0"
    for ingress in by_kind(objects, "Ingress").values():
        assert ingress["spec"]["rules"][0]["host"] == "api.prolearn.example"
        assert ingress["spec"]["tls"][0]["hosts"] == ["api.prolearn.example"]
    (config,) = by_kind(objects, "ConfigMap").values()
    assert config["data"]["PROLEARN_ENV"] == "production"
    assert config["data"]["CASHFREE_API_URL"] == "https://api.cashfree.com/pg"


def test_the_offline_build_refuses_what_it_does_not_implement(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {a: b}\n")
    with pytest.raises(ValueError, match="commonLabels"):
        kustomize_build(tmp_path)


def test_the_offline_strategic_merge_follows_the_merge_keys() -> None:
    original = {"containers": [{"name": "a", "args": ["x"], "env": [{"name": "K", "value": "1"}]}]}
    patch = {"containers": [{"name": "a", "args": ["y"], "env": [{"name": "L", "value": "2"}]}]}
    assert strategic_merge(original, patch) == {
        "containers": [
            {
                "name": "a",
                "args": ["y"],
                "env": [{"name": "K", "value": "1"}, {"name": "L", "value": "2"}],
            }
        ]
    }
    assert strategic_merge({"a": 1, "b": 2}, {"b": None}) == {"a": 1}
