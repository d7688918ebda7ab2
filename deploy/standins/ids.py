"""Random identifiers in the vendors' formats."""

from __future__ import annotations

import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits


def random_alphanumeric(length: int) -> str:
    """A random string of letters and digits."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def random_digits(length: int) -> str:
    """A random string of digits that does not start with zero."""
    return secrets.choice("123456789") + "".join(
        secrets.choice(string.digits) for _ in range(length - 1)
    )
