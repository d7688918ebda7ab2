"""Helpers for the deployment tests: paths, the services' processes, the environment variables
the code reads and the documented ones, and whether a command line's modules exist."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from devstack import commands
from devstack.stack import default_metrics_ports, metrics_port_variable
from shared.config import SERVICE_PORTS, SERVICE_SECRETS

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"

SERVICES = list(SERVICE_PORTS)
CONSUMERS = commands.consumers(SERVICES)
"""Services with a Celery worker."""
PRODUCERS = commands.producers(SERVICES)
"""Services with a table, hence an outbox relay."""
SECRETS = {
    "INTERNAL_API_TOKEN",
    "REDIS_URL",
    "CLERK_SECRET_KEY",
    "CASHFREE_CLIENT_ID",
    "CASHFREE_CLIENT_SECRET",
    "RESEND_API_KEY",
    "AGORA_APP_CERTIFICATE",
    "CLOUDFRONT_PRIVATE_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}
"""Variables whose values never appear in a manifest (the .env.example marks them [secret])."""
AWS_KEYS = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
"""Read by boto3: every process may be given them (optional: an IAM role is better)."""
CREDENTIALS = {
    "internal-token": {"INTERNAL_API_TOKEN"},
    "clerk": {"CLERK_SECRET_KEY"},
    "cashfree": {"CASHFREE_CLIENT_ID", "CASHFREE_CLIENT_SECRET"},
    "resend": {"RESEND_API_KEY"},
    "agora": {"AGORA_APP_CERTIFICATE"},
    "cloudfront": {"CLOUDFRONT_PRIVATE_KEY"},
}
"""The services' secrets by credential: compose's `secrets/<credential>.env`, Render's group
`prolearn-<credential>`."""


def credentials_of(service: str) -> dict[str, bool]:
    """The credentials whose secrets `service` holds (SERVICE_SECRETS), each with whether it is
    required; a credential is held whole or not at all."""
    held = SERVICE_SECRETS[service]
    found: dict[str, bool] = {}
    for credential, names in CREDENTIALS.items():
        if names & held.names:
            assert names <= held.names, (service, credential)
            found[credential] = bool(names & held.required)
    return found


def load_entrypoint() -> ModuleType:
    """deploy/entrypoint.py, the image's `prolearn` command (a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("prolearn_entrypoint", DEPLOY / "entrypoint.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _defines(module: str, name: str) -> bool:
    """Whether `module` exists and assigns `name` at top level (read, not imported: importing a
    wsgi module builds the app)."""
    found = importlib.util.find_spec(module)
    if found is None or found.origin is None:
        return False
    tree = ast.parse(Path(found.origin).read_text())
    return any(
        isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets)
        for node in tree.body
    )


def missing_modules(argv: list[str]) -> list[str]:
    """What a command line names that is not there: `-m` modules, gunicorn's `module:app` and
    `-c python:module`, Celery's `-A module` (which must define `app`)."""
    missing = []
    for flag, value in itertools.pairwise(argv):
        if flag == "-m" and importlib.util.find_spec(value) is None:
            missing.append(value)
        config = value.removeprefix("python:")
        if flag == "-c" and config != value and importlib.util.find_spec(config) is None:
            missing.append(value)
        if flag == "-A" and not _defines(value, "app"):
            missing.append(f"{value}:app")
    for target in (arg for arg in argv if arg.endswith(":app")):
        if not _defines(target.removesuffix(":app"), "app"):
            missing.append(target)
    return missing


# Every module that reads environment variables by name; the documentation must cover them all.
ENV_READERS = (
    REPO / "shared" / "config.py",
    REPO / "shared" / "metrics" / "exposition.py",
    REPO / "shared" / "metrics" / "gunicorn_conf.py",
    DEPLOY / "standins" / "config.py",
    DEPLOY / "devstack" / "stack.py",
    DEPLOY / "entrypoint.py",
)
# Modules that pass the whole environment on to child processes and read no variable of their own.
ENV_COPIERS = (DEPLOY / "devstack" / "processes.py", REPO / "bench" / "credentials.py")
ENV_OBJECTS = {"e", "env", "environ"}


def _constants(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """Module-level `NAME = "VALUE"`, `NAMES = ("A", "B")` and `NAMES = {"A": …}` (its keys),
    annotated or not, by name."""
    found: dict[str, tuple[str, ...]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        items: list[ast.expr | None] = [value]
        if isinstance(value, ast.Tuple | ast.List):
            items = list(value.elts)
        elif isinstance(value, ast.Dict):
            items = list(value.keys)
        strings = [
            v.value for v in items if isinstance(v, ast.Constant) and isinstance(v.value, str)
        ]
        if len(strings) == len(items):
            found[target.id] = tuple(strings)
    return found


def _names(node: ast.expr, bound: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The variable name(s) an argument spells: a literal, a module constant, a loop variable
    over a tuple of constants, or an f-string over the services (`f"{name.upper()}_URL"`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Name) and node.id in bound:
        return bound[node.id]
    if isinstance(node, ast.JoinedStr) and len(node.values) == 2:
        head, tail = node.values
        if (
            isinstance(head, ast.FormattedValue)
            and isinstance(head.value, ast.Call)
            and isinstance(head.value.func, ast.Attribute)
            and head.value.func.attr == "upper"
            and isinstance(tail, ast.Constant)
        ):
            return tuple(f"{service.upper()}{tail.value}" for service in SERVICE_PORTS)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "metrics_port_variable"
    ):
        return tuple(metrics_port_variable(name) for name in default_metrics_ports())
    raise ValueError(f"cannot tell which variable `{ast.unparse(node)}` names")


def _is_environment(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in ENV_OBJECTS
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _read_argument(node: ast.AST) -> ast.expr | None:
    """The name argument of an environment read: `e.get(X)`, `os.environ.get(X)`, `environ[X]`,
    or shared.config's local `get(X, default)`."""
    if isinstance(node, ast.Subscript) and _is_environment(node.value):
        return node.slice
    if not (isinstance(node, ast.Call) and node.args):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id == "get":
        return node.args[0]
    if isinstance(func, ast.Attribute) and func.attr == "get" and _is_environment(func.value):
        return node.args[0]
    return None


def _forwarding_helpers(tree: ast.Module) -> set[int]:
    """Reads inside a helper that passes its own parameter on (shared.config's `get`): its
    callers name the variables."""
    skipped: set[int] = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            params = {a.arg for a in function.args.args}
            for node in ast.walk(function):
                argument = _read_argument(node)
                if isinstance(argument, ast.Name) and argument.id in params:
                    skipped.add(id(node))
    return skipped


def env_reads(path: Path) -> set[str]:
    """Every variable `path` reads by name. A read whose name cannot be told statically raises,
    so a new kind of read cannot slip past the documentation check."""
    tree = ast.parse(path.read_text(), str(path))
    constants = _constants(tree)
    skipped = _forwarding_helpers(tree)
    names: set[str] = set()
    for scope in ast.walk(tree):
        if isinstance(scope, ast.GeneratorExp | ast.ListComp | ast.SetComp | ast.DictComp):
            bound = dict(constants)
            for generator in scope.generators:
                target, source = generator.target, generator.iter
                if (
                    isinstance(target, ast.Name)
                    and isinstance(source, ast.Name)
                    and source.id in constants
                ):
                    bound[target.id] = constants[source.id]
            for node in ast.walk(scope):
                argument = _read_argument(node)
                if (
                    isinstance(argument, ast.Name)
                    and argument.id in bound
                    and id(node) not in skipped
                ):
                    names.update(bound[argument.id])
                    skipped.add(id(node))
    for node in ast.walk(tree):
        argument = _read_argument(node)
        if argument is not None and id(node) not in skipped:
            names.update(_names(argument, constants))
    return names


ASSIGNMENT = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")


def documented_env(path: Path) -> dict[str, tuple[str, str]]:
    """`NAME -> (value, comment)` from an .env file whose entries are `# comment` then
    `NAME=value` or `#NAME=value` (commented out: the default applies)."""
    entries: dict[str, tuple[str, str]] = {}
    comment = ""
    for line in path.read_text().splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            name, value = match.groups()
            if name in entries:
                raise ValueError(f"{name} is documented twice")
            entries[name] = (value, comment)
            comment = ""
        elif line.startswith("# "):
            comment = line[2:].strip()
        elif not line.strip():
            comment = ""
    return entries


def redis_options(argv: list[str]) -> dict[str, str]:
    """`redis-server --name value …` as {name: value}."""
    assert argv[0] == "redis-server", argv
    names, values = argv[1::2], argv[2::2]
    assert all(name.startswith("--") for name in names) and len(names) == len(values), argv
    return {name.removeprefix("--"): value for name, value in zip(names, values, strict=True)}


CACHE_REDIS = {
    "maxmemory": "64mb",
    "maxmemory-policy": "allkeys-lru",
    "save": "",
    "appendonly": "no",
}
"""catalog's listing cache: bounded, least-recently-used keys evicted, nothing on disk."""


def load_documents(path: Path) -> list[dict[str, Any]]:
    with path.open() as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc]


def load_yaml(path: Path) -> Any:
    with path.open() as stream:
        return yaml.safe_load(stream)
