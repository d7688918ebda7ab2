"""Mentorship against a real table (the moto server), with events kept in its outbox."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from mentorship_world import APP_ID, CERT, Names, QuietRuntime, World

from mentorship import handlers
from mentorship.adapters.repository import MentorshipRepository
from mentorship.adapters.video_tokens import video_token_issuer
from mentorship.bootstrap import Mentorship
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.messaging.consumer import Consumer
from shared.readmodels.course_cards import CourseCards
from shared.readmodels.memberships import Memberships


@pytest.fixture
def world() -> Iterator[World]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    env.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERTIFICATE=CERT)
    runtime = QuietRuntime(load_settings("mentorship", env))
    ensure_table(runtime.dynamodb, runtime.table)
    client, table = runtime.dynamodb, runtime.table
    app = Mentorship(
        runtime=runtime,
        repository=MentorshipRepository(client, table),
        cards=CourseCards(client, table),
        students=Memberships(client, table),
        clerk=Names(),
        video=video_token_issuer(APP_ID, CERT),
    )
    yield World(app, Consumer(runtime, handlers.event_handlers(app)))
    client.delete_table(TableName=table)
