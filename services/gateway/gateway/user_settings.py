"""Strict validation of a notification settings update (defaults live in shared.user_settings)."""

from __future__ import annotations

from typing import Any

from shared.user_settings import FREQUENCIES, SWITCHES, is_timezone
from shared.web.errors import BadRequest

THEME_MAX_CHARS = 20


def parse_settings_update(body: dict[str, Any]) -> dict[str, Any]:
    """`{publicMetadata: {settings: {...}}}` → the settings; 400 naming every bad field."""
    problems = {key: "not allowed" for key in body if key != "publicMetadata"}
    metadata = body.get("publicMetadata")
    settings: Any = None
    if isinstance(metadata, dict):
        problems |= {
            f"publicMetadata.{key}": "not allowed" for key in metadata if key != "settings"
        }
        settings = metadata.get("settings")
        if isinstance(settings, dict):
            problems |= _settings_problems(settings)
        else:
            problems["publicMetadata.settings"] = "must be an object"
    else:
        problems["publicMetadata"] = "must be an object"
    if problems:
        raise BadRequest("Only notification settings can be changed here.", details=problems)
    return dict(settings)


def _settings_problems(settings: dict[str, Any]) -> dict[str, str]:
    prefix = "publicMetadata.settings."
    allowed = {*SWITCHES, "notificationFrequency", "theme", "timezone"}
    problems = {prefix + key: "not allowed" for key in settings if key not in allowed}
    for name in SWITCHES:
        if not isinstance(settings.get(name), bool):
            problems[prefix + name] = "must be true or false"
    if settings.get("notificationFrequency") not in FREQUENCIES:
        problems[prefix + "notificationFrequency"] = f"must be one of {', '.join(FREQUENCIES)}"
    if "timezone" in settings and not is_timezone(settings["timezone"]):
        problems[prefix + "timezone"] = "must be an IANA time zone such as Asia/Kolkata"
    theme = settings.get("theme")
    if "theme" in settings and not (isinstance(theme, str) and len(theme) <= THEME_MAX_CHARS):
        problems[prefix + "theme"] = f"must be text of at most {THEME_MAX_CHARS} characters"
    return problems
