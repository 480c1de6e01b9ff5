"""Download a ticket attachment into the cache folder (helpdesk-api.md §12).

``download_attachment(client, writer, attachment, folder) -> Path`` fetches the attachment's
``content_url`` and saves it as ``<folder>/<id>-<safe file name>`` (written to a temporary file,
then renamed: a crash never leaves half a file under the final name), records the path with
``writer.set_attachment_path`` and returns it. The helpdesk's credentials are sent only when
the URL is on the helpdesk's own host; any other host must be https and gets no credentials.
Files over ``MAX_BYTES`` are refused. Blocking: call it off the GUI thread.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import requests

from console.domain.attachments import MAX_ATTACHMENT_BYTES

from .client import HelpdeskClient, Invalid, Unreachable

MAX_BYTES = MAX_ATTACHMENT_BYTES
CHUNK = 64 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class AttachmentError(Exception):
    """The attachment cannot be downloaded; ``str()`` says why in one line."""


def safe_file_name(name: str | None, attachment_id: int) -> str:
    """``<id>-<name>`` with path separators, control and odd characters replaced."""
    cleaned = _UNSAFE.sub("_", (name or "").strip()).strip(" .")[:120] or "attachment"
    return f"{attachment_id}-{cleaned}"


def download_attachment(client: HelpdeskClient, writer, attachment: dict, folder: Path,
                        max_bytes: int = MAX_BYTES) -> Path:
    """Fetch one attachment (a cache ``attachments`` row or an API attachment object) into ``folder``."""
    attachment_id, url = attachment.get("id"), attachment.get("content_url") or ""
    if not isinstance(attachment_id, int) or not url:
        raise AttachmentError("This attachment has no download address in the cache.")
    name = attachment.get("file_name") or f"attachment {attachment_id}"
    size = attachment.get("size")
    if isinstance(size, int) and size > max_bytes:
        raise AttachmentError(f"{name} is {size / 1024 / 1024:.0f} MB; the limit is {max_bytes // 1024 // 1024} MB.")
    response = _get(client, url, name)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_file_name(attachment.get("file_name"), attachment_id)
    _save(response, target, name, max_bytes)
    writer.set_attachment_path(attachment_id, target)
    return target


def _get(client: HelpdeskClient, url: str, name: str) -> requests.Response:
    parts, own = urlsplit(url), urlsplit(client.base_url)
    same_host = (parts.scheme, parts.netloc.lower()) == (own.scheme, own.netloc.lower())
    if not same_host and parts.scheme != "https":
        raise AttachmentError(f"{name} is stored at {parts.netloc or url}, which is neither the helpdesk "
                              "nor an https address; not downloading it.")
    try:
        if same_host:   # the session carries the helpdesk credentials; requests drops them on a cross-host redirect
            response = client.session.get(url, stream=True, timeout=client.timeout)
        else:           # another host (a CDN): no credentials at all
            response = requests.get(url, stream=True, timeout=client.timeout,
                                    headers={"User-Agent": client.session.headers.get("User-Agent", "")})
    except requests.RequestException as exc:
        raise Unreachable(f"cannot reach {parts.netloc} to download {name}") from exc
    if response.status_code == 404:
        response.close()
        raise AttachmentError(f"{name} is no longer on the helpdesk (404).")
    if response.status_code >= 400:
        response.close()
        raise Invalid(f"the helpdesk refused to send {name} ({response.status_code})", status=response.status_code)
    return response


def _save(response: requests.Response, target: Path, name: str, max_bytes: int) -> None:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise AttachmentError(f"{name} is larger than {max_bytes // 1024 // 1024} MB; not downloading it.")
    fd, tmp = tempfile.mkstemp(prefix=".download-", dir=target.parent)
    try:
        written = 0
        with os.fdopen(fd, "wb") as out, response:
            for chunk in response.iter_content(CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise AttachmentError(f"{name} is larger than {max_bytes // 1024 // 1024} MB; "
                                          "stopped the download.")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except requests.RequestException as exc:
        raise Unreachable(f"the download of {name} was interrupted") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
