"""A small, honest `kustomize build` for the tests: no kubectl or kustomize binary here.

It implements exactly the kustomization fields the manifests use and refuses any other, so a
manifest cannot rely on something this builder silently ignores:
  resources (files and directories with a kustomization.yaml), namespace, images,
  patches (inline or by path; a YAML list is a JSON 6902 patch, a mapping a strategic merge
  patch; `target` by kind, name and labelSelector of `key=value` pairs).
Strategic merge: mappings merge, `null` deletes, lists of the fields below merge by their key
and every other list is replaced, as Kubernetes' patchMergeKey tags say for the fields used here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from deploy_manifests import load_documents, load_yaml

SUPPORTED_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "images",
    "patches",
}
MERGE_KEYS = {  # the field's patchMergeKey in the Kubernetes API (topologySpreadConstraints too)
    "topologySpreadConstraints": "topologyKey",
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "IngressClass"}


def kustomize_build(directory: Path) -> list[dict[str, Any]]:
    """The objects `kustomize build directory` would print (in resource order)."""
    kustomization = load_yaml(directory / "kustomization.yaml")
    unknown = set(kustomization) - SUPPORTED_FIELDS
    if unknown:
        raise ValueError(f"{directory}: kustomization fields not supported here: {unknown}")
    objects: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        objects += kustomize_build(path) if path.is_dir() else load_documents(path)
    for patch in kustomization.get("patches", []):
        _apply_patch(objects, directory, patch)
    for image in kustomization.get("images", []):
        _set_image(objects, image)
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = kustomization["namespace"]
    _refuse_duplicates(objects)
    return objects


def _refuse_duplicates(objects: Iterable[dict[str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    for obj in objects:
        key = (obj["kind"], obj["metadata"]["name"])
        if key in seen:
            raise ValueError(f"duplicate resource {key}")
        seen.add(key)


def _patch_body(directory: Path, patch: dict[str, Any]) -> Any:
    if "path" in patch:
        return load_yaml(directory / patch["path"])
    return yaml.safe_load(patch["patch"])


def _matches(obj: dict[str, Any], target: dict[str, Any]) -> bool:
    if "kind" in target and obj["kind"] != target["kind"]:
        return False
    if "name" in target and obj["metadata"]["name"] != target["name"]:
        return False
    labels = obj["metadata"].get("labels", {})
    for requirement in target.get("labelSelector", "").split(","):
        if requirement:
            key, value = requirement.split("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def _apply_patch(objects: list[dict[str, Any]], directory: Path, patch: dict[str, Any]) -> None:
    body = _patch_body(directory, patch)
    if isinstance(body, list):
        target = patch["target"]
    else:
        target = patch.get("target") or {
            "kind": body["kind"],
            "name": body["metadata"]["name"],
        }
    matched = [obj for obj in objects if _matches(obj, target)]
    if not matched:
        raise ValueError(f"patch {patch} matches no resource")
    if not isinstance(body, list):  # the patch's own kind and name only find its target
        body = {k: v for k, v in body.items() if k not in ("apiVersion", "kind")}
        body["metadata"] = {k: v for k, v in body.get("metadata", {}).items() if k != "name"}
    for index, obj in enumerate(objects):
        if any(obj is m for m in matched):
            patched = (
                json_patch(obj, body) if isinstance(body, list) else strategic_merge(obj, body)
            )
            objects[index] = patched


def strategic_merge(original: Any, patch: Any, field: str = "") -> Any:
    if isinstance(original, dict) and isinstance(patch, dict):
        merged = copy.deepcopy(original)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = strategic_merge(merged[key], value, key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(original, list) and isinstance(patch, list) and field in MERGE_KEYS:
        key = MERGE_KEYS[field]
        merged_list = copy.deepcopy(original)
        for item in patch:
            existing = next((i for i, old in enumerate(merged_list) if old[key] == item[key]), None)
            if existing is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[existing] = strategic_merge(merged_list[existing], item)
        return merged_list
    return copy.deepcopy(patch)


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def json_patch(original: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """RFC 6902 add, replace and remove: all the overlays use."""
    document = copy.deepcopy(original)
    for operation in operations:
        *parents, last = _pointer(operation["path"])
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        op = operation["op"]
        if op == "add" and isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), copy.deepcopy(operation["value"]))
        elif op in ("add", "replace"):
            if op == "replace" and (last not in node if isinstance(node, dict) else False):
                raise ValueError(f"replace of missing {operation['path']}")
            node[int(last) if isinstance(node, list) else last] = copy.deepcopy(operation["value"])
        elif op == "remove":
            del node[int(last) if isinstance(node, list) else last]
        else:
            raise ValueError(f"JSON patch op {op!r} not supported here")
    return document


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def _set_image(objects: list[dict[str, Any]], image: dict[str, Any]) -> None:
    for obj in objects:
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        for container in pod_spec(obj)["containers"]:
            name, tag = _split_image(container["image"])
            if name == image["name"]:
                tag = image.get("newTag", tag)
                new_name = image.get("newName", name)
                container["image"] = f"{new_name}:{tag}" if tag else new_name


def _split_image(reference: str) -> tuple[str, str]:
    """`registry:5000/name:tag` -> (`registry:5000/name`, `tag`)."""
    head, _, last = reference.rpartition("/")
    name, _, tag = last.partition(":")
    return (f"{head}/{name}" if head else name), tag
