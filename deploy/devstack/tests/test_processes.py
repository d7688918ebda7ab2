"""ProcessGroup: readiness, logs, kill, restart, children, stop order, deadline and startup errors."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from devstack.probes import free_port, http_ok, port_open
from devstack.processes import ProcessGroup
from devstack.spec import ProcessSpec, StartupError, StopRequested

SLEEPER = "import time; print('ready', flush=True); time.sleep(60)"
IGNORES_SIGTERM = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


def python(code: str) -> tuple[str, ...]:
    return (sys.executable, "-c", code)


def http_server(name: str) -> tuple[ProcessSpec, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = (sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1")
    return ProcessSpec(name, argv, ready=http_ok(url), timeout=15), url


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def group(tmp_path: Path) -> Iterator[ProcessGroup]:
    with ProcessGroup(tmp_path / "logs", stop_grace=2) as processes:
        yield processes


def test_start_waits_for_readiness_and_logs_output(group: ProcessGroup) -> None:
    web, url = http_server("web")
    group.start(web)

    assert requests.get(url, timeout=5).status_code == 200
    assert group.is_running("web")
    wait_for(lambda: '"GET / HTTP/1.1" 200' in group.log_path("web").read_text())


def test_several_specs_start_at_once(group: ProcessGroup) -> None:
    (a, url_a), (b, url_b) = http_server("a"), http_server("b")
    group.start(a, b)

    assert group.names == ["a", "b"]
    assert requests.get(url_a, timeout=5).ok
    assert requests.get(url_b, timeout=5).ok


def test_kill_then_restart_gives_a_new_ready_process(group: ProcessGroup) -> None:
    web, url = http_server("web")
    group.start(web)
    first_pid = group.pid("web")

    group.kill("web", signal.SIGKILL)

    assert group.wait("web", 5) == -signal.SIGKILL
    assert group.exited() == {"web": -signal.SIGKILL}
    assert not port_open("127.0.0.1", int(url.rsplit(":", 1)[1]))()

    group.restart("web")

    assert group.pid("web") != first_pid
    assert requests.get(url, timeout=5).status_code == 200
    assert group.exited() == {}
    assert "devstack: restarted at" in group.log_path("web").read_text()


def test_ready_log_only_counts_output_of_the_current_run(group: ProcessGroup) -> None:
    code = "import time; print('up', flush=True); time.sleep(60)"
    group.start(ProcessSpec("echo", python(code), ready_log="^up$", timeout=10))
    group.stop("echo")

    started = time.monotonic()
    group.restart("echo")

    assert group.is_running("echo")
    assert group.log_path("echo").read_text().count("up\n") == 2
    assert time.monotonic() - started < 5


def test_children_lists_the_pool_and_stop_ends_the_whole_group(group: ProcessGroup) -> None:
    code = (
        "import subprocess, sys, time\n"
        "kids = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])"
        " for _ in range(2)]\n"
        "print('pool ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    group.start(ProcessSpec("pool", python(code), ready_log="pool ready", timeout=10))

    children = group.children("pool")
    assert len(children) == 2

    group.kill("pool", signal.SIGKILL, whole_group=False)
    assert group.wait("pool", 5) == -signal.SIGKILL
    assert all(Path(f"/proc/{pid}").exists() for pid in children), "only the leader was killed"

    group.stop("pool")

    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children))


def test_stop_all_goes_in_reverse_start_order(group: ProcessGroup, tmp_path: Path) -> None:
    record = tmp_path / "stopped.txt"
    code = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        f"    open({str(record)!r}, 'a').write(sys.argv[1] + '\\n'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    for name in ("first", "second", "third"):
        group.start(ProcessSpec(name, (*python(code), name), ready_log="ready"))

    group.stop_all()

    assert record.read_text().split() == ["third", "second", "first"]
    assert not any(group.is_running(name) for name in group.names)


def test_one_batch_stops_together(group: ProcessGroup) -> None:
    code = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: (time.sleep(1), sys.exit(0)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    group.start(*(ProcessSpec(f"slow{i}", python(code), ready_log="ready") for i in range(3)))
    started = time.monotonic()

    group.stop_all()

    assert time.monotonic() - started < 2.5
    assert [group.wait(f"slow{i}", 0) for i in range(3)] == [0, 0, 0]


def test_stop_escalates_to_sigkill_when_sigterm_is_ignored(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path / "logs", stop_grace=0.5) as group:
        group.start(ProcessSpec("stubborn", python(IGNORES_SIGTERM), ready_log="ready"))
        started = time.monotonic()

        group.stop("stubborn")

        assert group.wait("stubborn", 0) == -signal.SIGKILL
        assert time.monotonic() - started < 3


def test_a_process_that_dies_early_fails_with_its_log_tail(group: ProcessGroup) -> None:
    spec = ProcessSpec(
        "broken",
        python("import sys; print('cannot import broken.wsgi'); sys.exit(3)"),
        ready=http_ok(f"http://127.0.0.1:{free_port()}/health"),
    )

    with pytest.raises(StartupError) as raised:
        group.start(spec)

    message = str(raised.value)
    assert message.startswith("broken exited with code 3 before it was ready")
    assert "cannot import broken.wsgi" in message
    assert str(group.log_path("broken")) in message


def test_readiness_timeout_names_the_check_and_stops_the_process(group: ProcessGroup) -> None:
    port = free_port()
    spec = ProcessSpec(
        "silent",
        python("import time; print('still booting', flush=True); time.sleep(60)"),
        ready=port_open("127.0.0.1", port),
        timeout=0.5,
    )

    with pytest.raises(StartupError, match=rf"TCP 127.0.0.1:{port} open") as raised:
        group.start(spec)

    assert "still booting" in str(raised.value)
    assert not group.is_running("silent")


def test_a_missing_executable_is_a_startup_error(group: ProcessGroup) -> None:
    with pytest.raises(StartupError, match="could not be started") as raised:
        group.start(ProcessSpec("ghost", ("/nonexistent/bin/ghost",)))

    assert "No such file" in str(raised.value)


def test_run_once_reports_a_failing_command(group: ProcessGroup) -> None:
    group.run_once(ProcessSpec("ok", python("print('done')")))
    assert group.log_path("ok").read_text() == "done\n"

    with pytest.raises(StartupError, match="failed with exit code 2") as raised:
        group.run_once(
            ProcessSpec("provision", python("import sys; print('no moto'); sys.exit(2)"))
        )
    assert "no moto" in str(raised.value)


def test_tails_cover_every_log(group: ProcessGroup) -> None:
    group.run_once(ProcessSpec("one", python("print('first line')")))
    group.run_once(ProcessSpec("two", python("print('second line')")))

    tails = group.tails()

    assert "===== one" in tails
    assert "first line" in tails
    assert "===== two" in tails
    assert "second line" in tails


def test_a_restart_with_new_variables_keeps_the_process_wiring(group: ProcessGroup) -> None:
    code = (
        "import os; print('vars', os.environ.get('WIRED'), os.environ.get('KNOB'), flush=True);"
        " import time; time.sleep(60)"
    )
    spec = ProcessSpec(
        "wired",
        python(code),
        env={"KNOB": "slow"},
        wiring={"WIRED": "port-9101"},
        ready_log="^vars",
    )
    group.start(spec)
    assert "vars port-9101 slow" in group.log_path("wired").read_text()

    group.restart("wired", env={})

    assert group.log_path("wired").read_text().rstrip().endswith("vars port-9101 None")


def test_stop_all_keeps_its_budget_with_a_stubborn_and_a_stopped_process(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path / "logs", stop_grace=5) as group:
        group.start(ProcessSpec("stubborn", python(IGNORES_SIGTERM), ready_log="ready"))
        group.start(ProcessSpec("frozen", python(SLEEPER), ready_log="ready"))
        group.kill("frozen", signal.SIGSTOP)
        started = time.monotonic()

        group.stop_all(budget=3)

        assert time.monotonic() - started < 3.5
        assert group.wait("frozen", 0) == -signal.SIGTERM, "SIGCONT let it act on SIGTERM"
        assert group.wait("stubborn", 0) == -signal.SIGKILL


def test_a_second_stop_request_kills_what_is_left_at_once(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path / "logs", stop_grace=10) as group:
        group.start(ProcessSpec("stubborn", python(IGNORES_SIGTERM), ready_log="ready"))
        group.stop_request()  # Ctrl-C
        threading.Timer(0.3, group.stop_request).start()  # Ctrl-C again while stopping
        started = time.monotonic()

        group.stop_all()

        assert time.monotonic() - started < 1.5
        assert group.wait("stubborn", 0) == -signal.SIGKILL


def test_a_stop_request_ends_a_start_that_waits(group: ProcessGroup) -> None:
    never_ready = ProcessSpec(
        "booting", python(SLEEPER), ready=port_open("127.0.0.1", free_port()), timeout=30
    )
    threading.Timer(0.3, group.stop_request).start()
    started = time.monotonic()

    with pytest.raises(StopRequested, match="while starting booting"):
        group.start(never_ready)

    assert time.monotonic() - started < 2
    group.stop_all()
    assert not group.is_running("booting")
    with pytest.raises(StopRequested):
        group.start(ProcessSpec("later", python(SLEEPER)))


def test_relaunch_returns_before_the_process_is_ready(group: ProcessGroup) -> None:
    slow = "import time; time.sleep(1); print('ready', flush=True); time.sleep(60)"
    group.start(ProcessSpec("slow", python(slow), ready_log="ready"))
    group.kill("slow", signal.SIGKILL)
    assert group.wait("slow", 5) == -signal.SIGKILL

    group.relaunch("slow")

    assert group.is_running("slow")
    assert group.exited() == {}
    assert group.log_path("slow").read_text().count("ready") == 1, "not awaited"
    wait_for(lambda: group.log_path("slow").read_text().count("ready") == 2)


def test_a_process_started_from_a_thread_outlives_the_thread(group: ProcessGroup) -> None:
    web, url = http_server("web")
    starter = threading.Thread(target=group.start, args=(web,))
    starter.start()
    starter.join()

    time.sleep(0.5)  # PDEATHSIG would have fired when the thread ended, had it forked the child

    assert group.is_running("web")
    assert requests.get(url, timeout=5).ok
