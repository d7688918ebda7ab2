"""What notifications cannot do, in its own words; the contact form's table answers them."""

from __future__ import annotations


class MailRejected(Exception):
    """Resend refused the mail for good (invalid address, key reused with another payload)."""


class MailUnavailable(Exception):
    """Resend could not be reached or asked us to slow down: try again later."""
