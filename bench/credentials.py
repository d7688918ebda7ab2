"""This process as a client of a stack's emulator: the stack's AWS credentials, unless set."""

from __future__ import annotations

import os
from collections.abc import Mapping


def use_stack_credentials(env: Mapping[str, str]) -> None:
    """This process talks to the stack's emulator too (seeding, the moto floor, audits)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, env.get(name, "testing"))
