"""A course's sections and chapters in the frontend's camelCase shape, stored as served."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog.domain.model import Chapter, Section

ChapterField = Callable[[Chapter], str | None]
"""A chapter's `content` or `video` as one document shows it; None leaves the key out."""


def stored_content(chapter: Chapter) -> str | None:
    """What the table keeps in `content`: all of it."""
    return chapter.content


def stored_video(chapter: Chapter) -> str | None:
    """What the table keeps in `video`: the storage key itself."""
    return chapter.video


def outline_document(
    sections: tuple[Section, ...], content: ChapterField, video: ChapterField
) -> list[dict[str, Any]]:
    """The outline in the API's shape; `content` and `video` are present only where the given
    function has a value for the chapter (the table keeps both, a response what the viewer may
    have: the content, a signed URL, or neither)."""
    return [
        {
            "sectionId": s.section_id,
            "sectionTitle": s.title,
            "sectionDescription": s.description,
            "chapters": [
                {
                    "chapterId": c.chapter_id,
                    "type": c.type,
                    "title": c.title,
                    **_present("content", content(c)),
                    "freePreview": c.free_preview,
                    **_present("video", video(c)),
                }
                for c in s.chapters
            ],
        }
        for s in sections
    ]


def outline_from_document(document: list[dict[str, Any]]) -> tuple[Section, ...]:
    return tuple(
        Section(
            section_id=s["sectionId"],
            title=s.get("sectionTitle", ""),
            description=s.get("sectionDescription", ""),
            chapters=tuple(
                Chapter(
                    chapter_id=c["chapterId"],
                    type=c["type"],
                    title=c.get("title", ""),
                    content=c.get("content", ""),
                    video=c.get("video"),
                    free_preview=bool(c.get("freePreview", False)),
                )
                for c in s.get("chapters", [])
            ),
        )
        for s in document
    )


def _present(name: str, value: str | None) -> dict[str, str]:
    return {name: value} if value is not None else {}
