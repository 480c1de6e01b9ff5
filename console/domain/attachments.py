"""Rules for files the agent attaches: Zendesk's size limit, how a size reads, what shows inline.

One home for the limit: the console refuses a bigger file when it is attached (a clear sentence,
nothing copied), the sync refuses to download one, and the embedded helpdesk refuses to store one.
"""

from __future__ import annotations

import mimetypes

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024   # Zendesk: 50 MB per attachment
INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")


def size_text(size: int) -> str:
    """'812 bytes', '14 KB', '3.2 MB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def too_big(file_name: str, size: int, limit: int = MAX_ATTACHMENT_BYTES) -> str | None:
    """The sentence refusing a file over the limit, or None when it fits."""
    if size <= limit:
        return None
    return (f"{file_name} is {size_text(size)}; the helpdesk accepts attachments up to "
            f"{limit // 1024 // 1024} MB. Share a link to it instead.")


def content_type_of(file_name: str, declared: str | None = None) -> str:
    """The declared type, else the one the name suggests, else ``application/octet-stream``."""
    if declared and "/" in declared:
        return declared
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


def shows_inline(attachment: dict) -> bool:
    """A received attachment that is a passive image format, shown in the thread from the cache."""
    kind = (attachment.get("content_type") or content_type_of(attachment.get("file_name") or "")).lower()
    return kind.split(";")[0].strip() in INLINE_IMAGE_TYPES
