"""How a message reached the helpdesk, as the agent reads it: "email", "web", "API", "voice"...

Zendesk says it in a comment's ``via.channel`` (and, for a call, the comment ``type``
``VoiceComment``); the client that wrote it through the API is in ``metadata.system.client``.
"""

from __future__ import annotations

from collections.abc import Mapping

CHANNEL_LABELS = {"email": "email", "web": "web", "api": "API", "voice": "voice", "phone": "voice",
                  "chat": "chat", "native_messaging": "messaging", "mobile_sdk": "mobile app",
                  "mobile": "mobile app", "sms": "text message", "facebook": "Facebook", "twitter": "X (Twitter)",
                  "rule": "a helpdesk rule", "closed_ticket": "follow-up", "sample_ticket": "sample ticket"}


def channel_of(via: object, comment_type: object = None) -> str | None:
    """The channel's label (None when the helpdesk did not say)."""
    if comment_type == "VoiceComment":
        return "voice"
    channel = via.get("channel") if isinstance(via, Mapping) else None
    if not isinstance(channel, str) or not channel:
        return None
    return CHANNEL_LABELS.get(channel, channel.replace("_", " "))


def _address(person: object) -> str | None:
    if not isinstance(person, Mapping):
        return None
    name, address = person.get("name"), person.get("address")
    if isinstance(address, str) and address:
        return f"{name} <{address}>" if isinstance(name, str) and name and name != address else address
    return name if isinstance(name, str) and name else None


# metadata.system keys worth an agent's eye, in this order (Zendesk's names; latitude/longitude left out)
SYSTEM_DETAILS = (("client", "Written with"), ("ip_address", "IP address"), ("location", "Location"),
                  ("message_id", "Message-ID"))


def message_details(comment: Mapping) -> list[tuple[str, str]]:
    """(label, value) pairs of how one message came: the addresses it went between (``via.source``) and
    where it was written from (``metadata.system``: client, IP address, location); empty when the
    helpdesk said nothing of it."""
    details = []
    via = comment.get("via")
    source = via.get("source") if isinstance(via, Mapping) else None
    if isinstance(source, Mapping):
        for key, label in (("from", "From"), ("to", "To")):
            shown = _address(source.get(key))
            if shown:
                details.append((label, shown))
    metadata = comment.get("metadata")
    system = metadata.get("system") if isinstance(metadata, Mapping) else None
    if isinstance(system, Mapping):
        for key, label in SYSTEM_DETAILS:
            value = system.get(key)
            if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
                details.append((label, str(value)))
    return details
