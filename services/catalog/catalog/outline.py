"""A course's sections and chapters in the frontend's camelCase shape, stored as served."""

from __future__ import annotations

from typing import Any

from catalog.domain.model import Chapter, Section


def outline_document(sections: tuple[Section, ...], with_media: bool) -> list[dict[str, Any]]:
    """The outline as the API shows it; `video` only when the viewer may have the media."""
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
                    "content": c.content,
                    "freePreview": c.free_preview,
                    **({"video": c.video} if with_media and c.video else {}),
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
