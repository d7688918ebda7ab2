"""Mentorship against a real table (the moto server), with events kept in its outbox."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from mentorship_world import APP_ID, CERT, Names, QuietRuntime, World, WorldClock

from mentorship import bootstrap
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.messaging.consumer import Consumer


@pytest.fixture
def world() -> Iterator[World]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    env.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERTIFICATE=CERT)
    runtime = QuietRuntime(load_settings("mentorship", env))
    ensure_table(runtime.dynamodb, runtime.table)
    clock = WorldClock()
    app = bootstrap.build(runtime, names=Names(), clock=clock)
    yield World(app, Consumer(runtime, app.on_event), clock)
    runtime.dynamodb.delete_table(TableName=runtime.table)
