"""The session fixture `stack`: the whole stack as processes on free ports, private to the run."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.spec import DevstackError
from devstack.stack import Stack, StackSettings, start_stack

TEST_ENV = {
    "CASHFREE_SIM_RETRY_SECONDS": "1,2,4",
    "CELERY_VISIBILITY_TIMEOUT": "10",  # a killed worker's message comes back within seconds
    "RECONCILE_AFTER_SECONDS": "2",
    "RECONCILE_INTERVAL_SECONDS": "1",
    "RECONCILE_MAX_DELAY_SECONDS": "4",
    "DYNAMO_SCAN_GUARD": "true",
    "RATE_LIMIT_ENABLED": "false",
    "MAX_VIDEO_BYTES": "1048576",  # so a test can exceed it with a small file
    "TEACHER_STORAGE_QUOTA_BYTES": "2097152",  # two videos at that limit fill a teacher's quota
    "AGORA_APP_ID": "970ca35de60c44645bbae8a215061b33",  # tokens are built offline: any id works
    "AGORA_APP_CERTIFICATE": "5cfd2fd1755d40ecb72977518be15d3b",
    "VIDEO_TOKEN_LEAD_MINUTES": "20",  # the next 15-minute slot is always joinable
    "CHAT_BURST": "120",  # a test sends 100 messages in one burst; the limit test sends more
    "MAIL_SWEEP_SECONDS": "0.5",
    "REMINDER_LEAD_MINUTES": "5",  # a session in the next slots gets its reminder planned
}


def isolated_settings(run_dir: Path) -> StackSettings:
    return StackSettings.isolated(run_dir, extra_env=TEST_ENV)


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The running stack; on any test failure its process logs are printed at the end."""
    settings = isolated_settings(tmp_path_factory.mktemp("devstack"))
    try:
        running = start_stack(settings)
    except DevstackError as error:
        pytest.fail(f"the test stack did not start: {error}", pytrace=False)
    try:
        yield running
        if request.session.testsfailed:
            _report(request.config, running)
    finally:
        running.stop()


def _report(config: pytest.Config, running: Stack) -> None:
    text = running.processes.tails()
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        print(text, file=sys.stderr)
        return
    reporter.write_sep("=", "devstack process logs (tests failed)")
    reporter.write_line(text)
