"""The customer's own clock and language, from their Zendesk profile (``iana_time_zone``, ``locale``).

``customer_clock(user, now)`` → "15:05 local time (Europe/Berlin)" and ``language_name(user)`` →
"German": the agent sees whether it is the middle of the night for the customer before promising
"today", and which language they write in. Unknown or unreadable values give None, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError


def customer_zone(user: Mapping | None) -> ZoneInfo | None:
    if not user:
        return None
    name = user.get("iana_time_zone") or user.get("time_zone")
    if not isinstance(name, str) or "/" not in name and name != "UTC":
        return None   # Zendesk's own names ("Eastern Time (US & Canada)") come with iana_time_zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def customer_clock(user: Mapping | None, now: datetime) -> str | None:
    """"15:05 local time (Europe/Berlin)", with "night" between 22:00 and 07:00."""
    zone = customer_zone(user)
    if zone is None:
        return None
    local = now.astimezone(zone)
    night = " — night there" if local.hour >= 22 or local.hour < 7 else ""
    return f"{local:%H:%M} local time ({zone.key}){night}"


def language_name(user: Mapping | None) -> str | None:
    """The profile's locale in English ("German", "English (United Kingdom)"); None if unknown."""
    code = (user or {}).get("locale")
    if not isinstance(code, str) or not code:
        return None
    # names from the English locale data alone: the bundle keeps only babel's English data, and
    # Locale.parse() of another locale would need that locale's own file
    language, _, region = code.replace("_", "-").partition("-")
    try:
        english = Locale("en")
    except (UnknownLocaleError, ValueError):
        return None
    name = english.languages.get(language.lower())
    if not name:
        return None
    place = english.territories.get(region.upper()) if region else None
    return f"{name} ({place})" if place else name
