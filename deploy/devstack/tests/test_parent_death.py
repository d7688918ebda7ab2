"""Nothing a ProcessGroup started outlives the process that started it, even when SIGKILLed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devstack.proctree import child_pids, running_groups, signal_process

# A stand-in for `python -m devstack`: a web server with a child of its own that pays no
# attention to its parent, a process that ignores SIGTERM and one that is stopped (SIGSTOP).
PARENT = """
import json, signal, sys, time
from pathlib import Path
from devstack.probes import free_port, http_ok
from devstack.processes import ProcessGroup
from devstack.spec import ProcessSpec

port = free_port()
web = (
    "import subprocess, sys\\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\\n"
    f"sys.argv = ['http.server', '{port}', '--bind', '127.0.0.1']\\n"
    "import runpy; runpy.run_module('http.server', run_name='__main__')\\n"
)
stubborn = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    " print('ready', flush=True); time.sleep(60)"
)
sleeper = "import time; print('ready', flush=True); time.sleep(60)"
group = ProcessGroup(Path(sys.argv[1]))
group.start(ProcessSpec("web", (sys.executable, "-c", web), ready=http_ok(f"http://127.0.0.1:{port}")))
group.start(
    ProcessSpec("stubborn", (sys.executable, "-c", stubborn), ready_log="ready"),
    ProcessSpec("frozen", (sys.executable, "-c", sleeper), ready_log="ready"),
)
group.kill("frozen", signal.SIGSTOP)
leaders = {name: group.pid(name) for name in group.names}
print(json.dumps({"leaders": leaders, "grandchildren": group.children("web")}), flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    """Running or stopped, not gone and not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def left_after(remaining: Callable[[], set[int]], timeout: float = 5.0) -> set[int]:
    """What `remaining` still returns after `timeout` seconds, or nothing as soon as it can."""
    deadline = time.monotonic() + timeout
    while (left := remaining()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def parent(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, list[int]]]]:
    """The stand-in, running, and the pids it started: `leaders` and the web's `grandchildren`."""
    popen = subprocess.Popen(
        (sys.executable, "-c", PARENT, str(tmp_path / "logs")),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert popen.stdout is not None
    started = json.loads(popen.stdout.readline())
    pids = {"leaders": list(started["leaders"].values()), "grandchildren": started["grandchildren"]}
    try:
        yield popen, pids
    finally:
        popen.kill()
        popen.wait()
        for pid in pids["leaders"]:
            signal_process(pid, signal.SIGKILL)
        for pid in pids["grandchildren"]:
            signal_process(pid, signal.SIGKILL, whole_group=False)


def test_a_sigkilled_parent_takes_every_group_it_started_along(
    parent: tuple[subprocess.Popen[str], dict[str, list[int]]],
) -> None:
    popen, pids = parent
    assert len(pids["grandchildren"]) == 1
    assert all(map(alive, [*pids["leaders"], *pids["grandchildren"]]))

    popen.kill()

    assert left_after(lambda: running_groups(pids["leaders"])) == set(), "the web's child too"


def test_without_the_reaper_the_kernel_still_kills_the_leaders(
    parent: tuple[subprocess.Popen[str], dict[str, list[int]]],
) -> None:
    popen, pids = parent
    (reaper,) = set(child_pids(popen.pid)) - set(pids["leaders"])
    with contextlib.suppress(ProcessLookupError):
        os.kill(reaper, signal.SIGKILL)

    popen.kill()

    leaders = pids["leaders"]
    assert left_after(lambda: set(filter(alive, leaders))) == set(), "PDEATHSIG: even if stopped"
