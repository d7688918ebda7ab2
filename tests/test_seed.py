"""`make seed` against the running stack: a living system, and seeding twice adds nothing."""

from __future__ import annotations

from devstack.seed import STUDENTS, TEACHERS, Seeder
from tests.helpers import Api


def test_seed_fills_the_stack_once(api: Api, stack_urls: dict[str, str]) -> None:
    first = Seeder(stack_urls["gateway"], stack_urls["standins"]).run()
    second = Seeder(stack_urls["gateway"], stack_urls["standins"]).run()

    assert second["courses"] == first["courses"], "no course is created twice"
    assert second["session"]["sessionId"] == first["session"]["sessionId"]
    assert set(second["enrollments"].values()) == {"owned"}
    assert first["session"]["status"] == "scheduled"

    listed = set(api.listed())
    seeded = {cid for by_title in first["courses"].values() for cid in by_title.values()}
    assert seeded <= listed and len(seeded) == sum(len(t.courses) for t in TEACHERS)
    sam = STUDENTS[0]
    token = api.token(sam.user_id)
    enrolled = api.session.get(
        f"{stack_urls['gateway']}/users/course-progress/{sam.user_id}/enrolled-courses",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["data"]
    assert [c["title"] for c in enrolled] == ["Python for Data Engineering"]
