"""A course's enrollments and its students' progress as DataFrames, for teacher analytics."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

# boto3 imports its DynamoDB resource helpers lazily, inside the first `resource()` call; a lazy
# import re-entered by a finalizer fails with KeyError in CPython 3.11's module lock
# (python/cpython#106176, fixed in 3.12), which CI hit once. Imported up front instead.
import boto3.dynamodb.transform  # noqa: F401
import pandas as pd
from dynamo_pandas import get_df

from enrollment.adapters import keys
from enrollment.analytics import ENROLLMENT_COLUMNS, PROGRESS_COLUMNS
from shared.config import Settings
from shared.dynamo.reads import query_page

ENROLLMENTS_INDEX = "GSI1"
PAGE_SIZE = 500
_DEFAULT_SESSION = threading.Lock()
"""dynamo-pandas builds its resource from boto3's default session, which is not thread-safe."""


class CourseProgressReader:
    """Reads by key and index only: a Query on GSI1, then BatchGetItem for the progress."""

    def __init__(
        self,
        client: Any,
        table: str,
        boto3_kwargs: dict[str, Any],
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._client = client
        self._table = table
        self._boto3_kwargs = boto3_kwargs
        self._page_size = page_size

    def enrollments(self, course_id: str) -> pd.DataFrame:
        """Every enrollment of the course (active and revoked), oldest first, paged to the end."""
        partition = keys.course_enrollments_partition(course_id)
        items: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            page = query_page(
                self._client,
                self._table,
                ENROLLMENTS_INDEX,
                partition,
                self._page_size,
                start,
                newest_first=False,
            )
            items.extend(page.items)
            if page.last_key is None:
                return pd.DataFrame(items).reindex(columns=ENROLLMENT_COLUMNS)
            start = page.last_key

    def progress(self, course_id: str, user_ids: Iterable[str]) -> pd.DataFrame:
        """The progress items of these users in the course; users without one are left out."""
        unique = list(dict.fromkeys(user_ids))  # BatchGetItem rejects duplicate keys
        if not unique:
            return pd.DataFrame(columns=PROGRESS_COLUMNS)
        with _DEFAULT_SESSION:
            frame: pd.DataFrame = get_df(
                table=self._table,
                keys=[keys.progress_key(user_id, course_id) for user_id in unique],
                boto3_kwargs=self._boto3_kwargs,
            )
        return frame.reindex(columns=PROGRESS_COLUMNS)


def course_progress_reader(
    settings: Settings, client: Any, *, page_size: int = PAGE_SIZE
) -> CourseProgressReader:
    """The reader of this service's table; dynamo-pandas talks to the same endpoint as `client`."""
    boto3_kwargs: dict[str, Any] = {"region_name": settings.aws.region}
    if settings.aws.endpoint_url:
        boto3_kwargs["endpoint_url"] = settings.aws.endpoint_url
    return CourseProgressReader(client, settings.table_name(), boto3_kwargs, page_size=page_size)
