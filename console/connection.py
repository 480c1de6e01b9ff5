"""The "test connection" logic behind the first-run dialog (no Qt here).

API::

    url = normalize_url("acme")                 # -> "https://acme.zendesk.com"  (raises BadUrl)
    check = check_connection(url, email, token)  # -> ConnectionCheck; never raises for network trouble
    check.ok, check.kind, check.message, check.agent  # agent: {"id", "name", "email", "role"} when ok

``check_connection`` signs in with ``GET /api/v2/users/me`` (helpdesk-api.md §7.2) and turns every
way that can fail into one :class:`ConnectionCheck` with a ``kind`` from ``KINDS`` and a sentence
for people. It makes exactly one request (no retries) so the dialog answers quickly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests

from console.sync.client import AuthError, HelpdeskClient, HelpdeskError, Invalid, NotFound, Unreachable

KINDS = ("ok", "bad_input", "bad_token", "forbidden", "not_agent", "not_helpdesk", "refused",
         "no_network", "tls", "timeout", "server_error")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$", re.IGNORECASE)
_API_TAILS = ("/api/v2", "/api", "/agent", "/hc")


class BadUrl(ValueError):
    """The helpdesk address cannot be used; the message says why."""


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    kind: str
    message: str
    url: str = ""
    agent: dict = field(default_factory=dict)


def normalize_url(text: str) -> str:
    """A helpdesk base URL from what an agent types: ``acme``, ``acme.zendesk.com``, a pasted agent URL..."""
    text = (text or "").strip()
    if not text:
        raise BadUrl("Enter the helpdesk address, for example https://yourcompany.zendesk.com.")
    if _SUBDOMAIN.match(text) and text.lower() not in ("localhost",):
        text = f"https://{text.lower()}.zendesk.com"
    if "://" not in text:
        host = text.split("/", 1)[0].split(":", 1)[0].lower()
        scheme = "http" if host in LOOPBACK_HOSTS else "https"
        text = f"{scheme}://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BadUrl(f"'{text}' is not a web address ({exc}).") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadUrl(f"The address must start with https:// (got {parts.scheme}://).")
    if not parts.hostname or " " in parts.netloc:
        raise BadUrl(f"'{text}' has no host name.")
    if parts.username or parts.password:
        raise BadUrl("Leave the email and token out of the address; they have their own fields.")
    path = parts.path.rstrip("/")
    for tail in _API_TAILS:
        index = path.lower().find(tail)
        if index >= 0 and (len(path) == index + len(tail) or path[index + len(tail)] == "/"):
            path = path[:index]
            break
    netloc = parts.hostname.lower() + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, path.rstrip("/"), "", ""))


def check_connection(url: str, email: str, token: str, *, timeout: float = 8.0) -> ConnectionCheck:
    """Sign in once with ``GET /users/me`` and say, in one sentence, whether it works and if not why."""
    try:
        url = normalize_url(url)
    except BadUrl as exc:
        return ConnectionCheck(False, "bad_input", str(exc))
    email, token = (email or "").strip(), (token or "").strip()
    if not email or "@" not in email:
        return ConnectionCheck(False, "bad_input", "Enter the email address you sign in to the helpdesk with.", url)
    if not token:
        return ConnectionCheck(False, "bad_input", "Enter your API token (Admin Center → Apps and "
                               "integrations → APIs).", url)
    client = HelpdeskClient(url, email, token, timeout=(min(5.0, timeout), timeout), max_retries=0)
    try:
        body = client.get("users/me")
    except HelpdeskError as exc:
        return _explain(url, exc)
    finally:
        client.close()
    return _judge_me(url, body)


def _judge_me(url: str, body: dict) -> ConnectionCheck:
    user = body.get("user") if isinstance(body, dict) else None
    if not isinstance(user, dict) or "role" not in user:
        return ConnectionCheck(False, "not_helpdesk", f"{url} answered, but not like a helpdesk API. "
                               "Check the address.", url)
    if user.get("id") is None:  # Zendesk answers /users/me for unknown credentials with an anonymous user
        return ConnectionCheck(False, "bad_token", _BAD_TOKEN, url)
    agent = {k: user.get(k) for k in ("id", "name", "email", "role")}
    if user.get("role") not in ("agent", "admin"):
        return ConnectionCheck(False, "not_agent", f"Signed in as {agent['email']}, but this account is "
                               "not an agent, so it cannot work tickets.", url, agent)
    return ConnectionCheck(True, "ok", f"Connected as {agent['name']} ({agent['role']}).", url, agent)


_BAD_TOKEN = ("The helpdesk did not accept this email and API token. Check both; a token can be "
              "revoked by an admin.")


def _explain(url: str, exc: HelpdeskError) -> ConnectionCheck:
    host = urlsplit(url).netloc
    if isinstance(exc, AuthError):
        if exc.status == 403:
            return ConnectionCheck(False, "forbidden", "The token is valid but this account may not use "
                                   "the API here. Ask a helpdesk admin.", url)
        return ConnectionCheck(False, "bad_token", _BAD_TOKEN, url)
    if isinstance(exc, NotFound | Invalid):
        return ConnectionCheck(False, "not_helpdesk", f"{url} is not a helpdesk API (it answered "
                               f"{exc.status or 'with something else'}). Check the address.", url)
    cause = exc.__cause__
    if isinstance(cause, requests.exceptions.SSLError):
        return ConnectionCheck(False, "tls", f"The secure connection to {host} failed (its certificate "
                               "could not be verified). Check the address, or the network's proxy.", url)
    if isinstance(cause, requests.exceptions.Timeout):
        return ConnectionCheck(False, "timeout", f"{host} did not answer in time. The network may be slow "
                               "or a firewall may be in the way; try again.", url)
    text = repr(cause) if cause else str(exc)
    if isinstance(exc, Unreachable) and exc.status:
        return ConnectionCheck(False, "server_error", f"{host} is having trouble right now "
                               f"({exc.status}); try again in a few minutes.", url)
    if "Connection refused" in text or "Errno 111" in text:
        return ConnectionCheck(False, "refused", f"Nothing is answering at {host} (connection refused). "
                               "Check the address and port.", url)
    if any(m in text for m in ("Name or service not known", "getaddrinfo", "nodename nor servname",
                               "Temporary failure in name resolution", "Network is unreachable")):
        return ConnectionCheck(False, "no_network", f"Cannot reach {host}: no network, or the name does "
                               "not exist. Check your connection and the address.", url)
    return ConnectionCheck(False, "no_network", f"Cannot reach {host}: {exc}", url)


# ---- remembering and forgetting the sign-in ------------------------------------------------------

def save_sign_in(prefs, tokens, url: str, email: str, token: str) -> None:
    """Keep the token in ``tokens`` (a ``console.secrets.TokenStore``) and the URL/email/storage in ``prefs``.

    The token is stored first: if the keyring refuses (``console.secrets.NoKeyringError``) nothing is saved.
    """
    url, email = normalize_url(url), email.strip()
    tokens.set(url, email, token.strip())
    prefs.set("helpdesk_url", url)
    prefs.set("agent_email", email)
    prefs.set("token_storage", tokens.storage)
    prefs.save()


def save_demo_choice(prefs, email: str) -> None:
    """Use the embedded demo helpdesk (``helpdesk_url`` empty); its tokens are public, nothing is stored."""
    prefs.set("helpdesk_url", "")
    prefs.set("agent_email", email)
    prefs.save()


def sign_out(prefs, tokens, cache_path=None, *, delete_cache: bool = False) -> list[str]:
    """Forget the token (and, when asked, delete the cache file); returns the paths deleted."""
    from pathlib import Path

    url, email = prefs.get("helpdesk_url"), prefs.get("agent_email")
    if url and email:
        tokens.delete(url, email)
    prefs.set("agent_email", "")
    prefs.save()
    removed: list[str] = []
    if delete_cache and cache_path:
        base = Path(cache_path)
        for path in (base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")):
            if path.exists():
                path.unlink()
                removed.append(str(path))
    return removed
