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
