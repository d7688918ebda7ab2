"""Client frames: anything but a well-formed sendMessage is refused with a reason, never a crash."""

from __future__ import annotations

import pytest

from chat.domain.message import FrameRefused, parse_frame


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"event": "sendMessage", "data": ' + "[" * 100 + "]" * 100 + "}",
        '{"event": "sendMessage", "data": {"text": "\\ud800"}}',
        '{"event": "sendMessage", "data": {"text": NaN}}',
    ],
    ids=["beyond-recursion", "beyond-max-depth", "lone-surrogate", "nan"],
)
def test_a_frame_nothing_can_store_is_refused(raw: str) -> None:
    with pytest.raises(FrameRefused) as caught:
        parse_frame(raw, 2000)
    assert caught.value.code == "bad_frame"


def test_a_well_formed_frame_parses() -> None:
    frame = parse_frame('{"event": "sendMessage", "data": {"text": "hi 😀"}}', 2000)
    assert frame.text == "hi 😀"
