"""The one shape of "these fields are wrong": a rule names each bad field and its problem."""

from __future__ import annotations


class Invalid(Exception):
    """Input a rule refuses; `details` maps each bad field (its path, e.g. `sections[0].title`)
    to its problem. Each service names its own kinds, and its edge answers them (a 400)."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__(f"{type(self).__name__}: {', '.join(details)}")
        self.details = details
