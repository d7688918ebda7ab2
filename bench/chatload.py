"""Chat room-broadcast load through bench/chat/loadgen.js, for ProLearn and for socket.io 4."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from devstack.probes import free_port, port_open

CHAT_DIR = Path(__file__).parent / "chat"
LOADGEN = CHAT_DIR / "loadgen.js"
SOCKETIO_SERVER = CHAT_DIR / "socketio_server.js"
# Beyond the measured seconds: Node's start, connecting every socket (at worst 10 batches that each
# time out after 10 s) and the 3 s drain.
SLACK_SECONDS = 150
SERVER_START_SECONDS = 15


def ensure_node_modules() -> None:
    """`npm ci` in bench/chat when its node_modules is missing; a clear error without Node/npm."""
    if (CHAT_DIR / "node_modules" / ".package-lock.json").is_file():
        return
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        raise RuntimeError(
            "the chat benchmark needs Node.js 20+ and npm on PATH (apt-get install nodejs npm)"
        )
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CHAT_DIR, check=True)


def run_loadgen(args: list[str], timeout: float) -> dict[str, Any]:
    """Run loadgen.js with `args` (its stderr passes through) and return the JSON it prints."""
    ensure_node_modules()
    try:
        # On a timeout or an interrupt, subprocess.run kills the generator before raising.
        done = subprocess.run(
            [_node(), str(LOADGEN), *args], stdout=subprocess.PIPE, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"chat loadgen did not finish within {timeout:.0f}s") from None
    if done.returncode != 0:
        raise RuntimeError(f"chat loadgen failed with exit code {done.returncode}; see its stderr")
    figures = json.loads(done.stdout)
    if not isinstance(figures, dict):
        raise RuntimeError(f"chat loadgen printed {done.stdout!r}, not a JSON object")
    return figures


def socketio_reference(
    rate: int, seconds: int, sockets: int = 1000, rooms: int = 500
) -> dict[str, Any]:
    """The same load against the original stack: a socket.io 4 room broadcast in Node."""
    with socketio_server() as (_, url):
        return socketio_load(url, rate, seconds, sockets, rooms)


@contextmanager
def socketio_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`bench/chat/socketio_server.js` listening on a free port: the process and its URL."""
    ensure_node_modules()
    port = free_port()
    server = subprocess.Popen(
        [_node(), str(SOCKETIO_SERVER), "--port", str(port)], stdout=subprocess.DEVNULL
    )
    try:
        _wait_listening(server, port)
        yield server, f"http://127.0.0.1:{port}"
    finally:
        _stop(server)


def socketio_load(url: str, rate: int, seconds: int, sockets: int, rooms: int) -> dict[str, Any]:
    return run_loadgen(
        [
            *("--mode", "socketio", "--url", url),
            *("--sockets", str(sockets), "--rooms", str(rooms)),
            *_load(rate, seconds),
        ],
        timeout=seconds + SLACK_SECONDS,
    )


def prolearn_chat(plan: list[str], rate: int, seconds: int) -> dict[str, Any]:
    """The load against ProLearn's chat; `plan` holds one ws URL (with its token) per socket,
    and entries 2k and 2k+1 are the two members of one room."""
    if not plan or len(plan) % 2:
        raise ValueError(f"the plan needs two sockets per room, got {len(plan)} URLs")
    # A private directory: the URLs carry tokens.
    with tempfile.TemporaryDirectory(prefix="chatload-") as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps([{"url": url} for url in plan]))
        return run_loadgen(
            ["--mode", "prolearn", "--plan", str(path), *_load(rate, seconds)],
            timeout=seconds + SLACK_SECONDS,
        )


def _load(rate: int, seconds: int) -> list[str]:
    return ["--rate", str(rate), "--seconds", str(seconds)]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("the chat benchmark needs Node.js 20+ on PATH")
    return node


def _wait_listening(server: subprocess.Popen[bytes], port: int) -> None:
    listening = port_open("127.0.0.1", port)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not listening():
        if server.poll() is not None:
            raise RuntimeError(f"socketio_server.js exited with code {server.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"socketio_server.js is not listening on {port}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
