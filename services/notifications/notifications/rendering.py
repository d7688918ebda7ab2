"""Mail bodies from templates, in HTML (escaped) and plain text, with times in the reader's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from shared.clock import parse_iso

SUBJECTS = {
    "receipt": "Your receipt for {{ courseTitle }}",
    "refund": "Your refund for {{ courseTitle }}",
    "booked": "Session booked: {{ courseTitle }} with {{ otherName }}, {{ startsAt | when(zone) }}",
    "cancelled": "Session cancelled: {{ courseTitle }}, {{ startsAt | when(zone) }}",
    "reminder": "Starting soon: your session with {{ otherName }} at {{ startsAt | clock(zone) }}",
    "course_completed": "You completed {{ courseTitle }}",
    "digest": "Your ProLearn {{ frequency }} digest: {{ entries | length }} updates",
    "contact": "Contact form: {{ subject }}",
}
CURRENCY_SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£"}
MINOR_UNITS = {"INR": 100, "USD": 100, "EUR": 100, "GBP": 100}


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


def _environment() -> Environment:
    """`.html` templates are escaped, `.txt` templates and subjects are not (plain text)."""
    env = Environment(
        loader=PackageLoader("notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(money=money, when=when, clock=clock)
    return env


def render(template: str, context: dict[str, Any], zone: ZoneInfo) -> Rendered:
    """Subject, HTML and text of a mail; `zone` is the reader's, for every time shown."""
    values = {**context, "zone": zone}
    subject = _SUBJECTS[template].render(values)
    return Rendered(
        subject=" ".join(subject.split()),
        html=_TEMPLATES.get_template(f"{template}.html").render(values),
        text=_TEMPLATES.get_template(f"{template}.txt").render(values),
    )


def when(value: str, zone: ZoneInfo) -> str:
    """`Thursday 26 November 2026, 15:30 IST`: a UTC ISO time as the reader's wall clock."""
    local = parse_iso(value).astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {_zone_name(local, zone)}"


def clock(value: str, zone: ZoneInfo) -> str:
    local = parse_iso(value).astimezone(zone)
    return f"{local:%H:%M} {_zone_name(local, zone)}"


def _zone_name(local: datetime, zone: ZoneInfo) -> str:
    """The zone's abbreviation when it has one (IST, CET), else its IANA name."""
    abbreviation = local.tzname() or ""
    return abbreviation if abbreviation.isalpha() else str(zone.key)


def money(amount: int, currency: str) -> str:
    """Minor units as the reader expects them: 49900 INR → ₹499.00."""
    major = Decimal(amount) / MINOR_UNITS.get(currency, 100)
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{major:,.2f}" if symbol else f"{major:,.2f} {currency}"


_TEMPLATES = _environment()
_SUBJECTS = {name: _TEMPLATES.from_string(source) for name, source in SUBJECTS.items()}
