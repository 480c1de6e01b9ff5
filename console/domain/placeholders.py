"""Liquid placeholders in canned replies (helpdesk-api.md §9.4).

``ticket_context`` builds the Zendesk-style namespace (``ticket.*``, ``current_user.*``) plus the
``account.*`` policy facts; ``render`` fills a template (unknown placeholders → empty, as the
server does); ``check`` finds every ``{{ ... }}`` that came out undefined or blank, with its span,
so the GUI can refuse to send "Hi ," and highlight the culprit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:   # python-liquid is imported on the first render: the window's first paint never needs it
    from liquid import Environment
    from liquid.exceptions import LiquidError

REFUND_GUARANTEE_DAYS = 30
LANGUAGES = {"en": "English", "bg": "Bulgarian", "da": "Danish", "nl": "Dutch", "fi": "Finnish",
             "fr": "French", "de": "German", "it": "Italian", "no": "Norwegian", "nb": "Norwegian",
             "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "sk": "Slovak", "es": "Spanish",
             "sv": "Swedish"}
ACCOUNT_PASSTHROUGH = ("plan", "username", "account_email", "account_status", "custom_domain",
                       "checkout_language_mode", "checkout_language", "security_question_set",
                       "affiliate_status")


class PlaceholderError(ValueError):
    """The template isn't valid Liquid; ``span`` is where, when it can be located."""

    def __init__(self, message: str, span: tuple[int, int] | None = None):
        super().__init__(message)
        self.span = span


@dataclass(frozen=True)
class UnresolvedPlaceholder:
    """A ``{{ ... }}`` that would send nothing (or a Liquid error), located in the template."""

    start: int
    end: int
    expression: str
    reason: str      # "undefined" | "empty" | "error"
    message: str


# ---------------------------------------------------------------- context


def ticket_context(ticket: Mapping, requester: Mapping | None, assignee: Mapping | None,
                   current_user: Mapping | None, group: Mapping | None,
                   comments: Iterable[Mapping] = (), *, now: datetime | None = None) -> dict:
    """The placeholder namespace for one ticket, from API-shaped dicts."""
    comments = list(comments)
    public = [c for c in comments if c.get("public", True)]
    fields: dict = {
        "id": ticket.get("id"),
        "title": ticket.get("subject"),
        "description": ticket.get("description"),
        "status": ticket.get("status"),
        "priority": ticket.get("priority"),
        "ticket_type": ticket.get("type"),
        "tags": " ".join(_words(ticket.get("tags"))),
        "external_id": ticket.get("external_id"),
        "created_at": ticket.get("created_at"),
        "updated_at": ticket.get("updated_at"),
        "latest_comment": comments[-1].get("body") if comments else None,
        "latest_public_comment": public[-1].get("body") if public else None,
        "latest_public_comment_html": public[-1].get("html_body") if public else None,
    }
    fields.update(_ticket_links(ticket))
    for item in _items(ticket.get("custom_fields")):
        fields[f"ticket_field_{item['id']}"] = item.get("value")
    if group:
        fields["group"] = {"name": group.get("name"), "id": group.get("id")}
    if requester:
        fields["requester"] = person(requester)
    if assignee:
        fields["assignee"] = person(assignee)
    context: dict = {"ticket": fields}
    if current_user:
        context["current_user"] = {**person(current_user), "signature": current_user.get("signature")}
    if requester:
        context["account"] = account_facts(_mapping(requester.get("user_fields")), now or datetime.now(UTC))
    return context


def _words(value: object) -> list[str]:
    """Tags as words, whatever shape a helpdesk sent them in (a list, a string, nonsense)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
    return []


def _items(value: object) -> list[Mapping]:
    """Custom fields as ``{"id", "value"}`` objects; one object alone counts as a list of one."""
    items = [value] if isinstance(value, Mapping) else value if isinstance(value, list | tuple) else []
    return [i for i in items if isinstance(i, Mapping) and isinstance(i.get("id"), int | str)]


def _mapping(value: object) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def person(user: Mapping) -> dict:
    """A user as placeholders see it: names split, language spelled out, custom fields raw."""
    name = _text(user.get("name")).strip()
    first, _, rest = name.partition(" ")
    locale = _text(user.get("locale")).split("-")[0].lower()
    return {
        "id": user.get("id"), "name": name or None, "first_name": first or None,
        "last_name": rest.strip() or None, "email": user.get("email"), "phone": user.get("phone"),
        "external_id": user.get("external_id"),
        "language": LANGUAGES.get(locale, user.get("locale")),
        "custom_fields": dict(_mapping(user.get("user_fields"))),
    }


def account_facts(user_fields: Mapping, now: datetime) -> dict:
    """Policy facts for replies: refund guarantee, invoice countdown, human dates, currency."""
    today = now.date()
    facts = {key: user_fields[key] for key in ACCOUNT_PASSTHROUGH if user_fields.get(key) is not None}
    if user_fields.get("currency"):
        facts["currency"] = str(user_fields["currency"]).upper()
    purchased = _field_date(user_fields.get("purchase_date"))
    if purchased:
        deadline = purchased + timedelta(days=REFUND_GUARANTEE_DAYS)
        facts["purchase_date"] = human_date(purchased)
        facts["refund_deadline"] = human_date(deadline)
        facts["refund_days_left"] = max(0, (deadline - today).days)
        facts["within_refund_guarantee"] = today <= deadline
    invoice = _field_date(user_fields.get("next_invoice_date"))
    if invoice:
        facts["next_invoice_date"] = human_date(invoice)
        facts["days_to_invoice"] = (invoice - today).days
    return facts


def human_date(day: date) -> str:
    """5 December 2026."""
    return f"{day.day} {day:%B %Y}"


def _field_date(value: object) -> date | None:
    """A date user field: ``2026-12-05``, ``...T00:00:00Z`` or ``+00:00`` → date (None if unusable)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _ticket_links(ticket: Mapping) -> dict:
    """``ticket.url`` (host/path, as Zendesk shows it) and ``ticket.link`` (full agent URL)."""
    api_url = _text(ticket.get("url"))
    parts = urlsplit(api_url)
    if not parts.netloc or ticket.get("id") is None:
        return {}
    path = f"{parts.netloc}/agent/tickets/{ticket['id']}"
    return {"url": path, "link": f"{parts.scheme or 'https'}://{path}"}


# ---------------------------------------------------------------- rendering

_OUTPUT_LOG: ContextVar[dict | None] = ContextVar("placeholder_output_log", default=None)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from liquid import Environment, is_undefined
    from liquid.builtin.output import Output, OutputNode
    from liquid.stringify import to_liquid_string

    class _TracedOutputNode(OutputNode):
        """An output statement that notes, per render, whether it produced blank text."""

        __slots__ = ()

        def render_to_output(self, context, buffer) -> int:
            text = to_liquid_string(self.expression.evaluate(context), context.autoescape)
            log = _OUTPUT_LOG.get()
            if log is not None and not text.strip() and self.token.start_index not in log:
                left = getattr(self.expression, "left", None)
                undefined = left is not None and is_undefined(left.evaluate(context))
                log[self.token.start_index] = (self.token.value, "undefined" if undefined else "empty")
            return buffer.write(text)

    class _TracedOutput(Output):
        node_class = _TracedOutputNode

    env = Environment(autoescape=False)
    env.add_tag(_TracedOutput)
    return env


def render(template: str, context: Mapping) -> str:
    """Fill the template; unknown placeholders become empty text; bad Liquid → PlaceholderError."""
    return _render(template, context, None)


def check(template: str, context: Mapping) -> list[UnresolvedPlaceholder]:
    """Every rendered ``{{ ... }}`` that is undefined or blank, and any Liquid error, in order."""
    return render_preview(template, context)[1]


def render_preview(template: str, context: Mapping) -> tuple[str, list[UnresolvedPlaceholder]]:
    """The rendered text (empty on a Liquid error) and the problems ``check`` reports."""
    log: dict = {}
    try:
        text = _render(template, context, log)
    except PlaceholderError as error:
        start, end = error.span or (0, len(template))
        return "", [UnresolvedPlaceholder(start, end, template[start:end], "error", str(error))]
    found = []
    for start, (markup, reason) in sorted(log.items()):
        expression = markup.strip()[2:-2].strip("-").strip()
        what = "is not defined" if reason == "undefined" else "is empty"
        found.append(UnresolvedPlaceholder(start, start + len(markup), expression, reason,
                                           f"{{{{ {expression} }}}} {what} for this ticket"))
    return text, found


def _render(template: str, context: Mapping, log: dict | None) -> str:
    environment = _environment()
    from liquid.exceptions import LiquidError

    token = _OUTPUT_LOG.set(log)
    try:
        return environment.from_string(template).render(**context)
    except LiquidError as error:
        raise PlaceholderError(_describe(error, template), _error_span(error, template)) from None
    finally:
        _OUTPUT_LOG.reset(token)


def _describe(error: LiquidError, template: str) -> str:
    message = str(error.message)
    span = _error_span(error, template)
    if span is None:
        return f"Template error: {message}"
    line = template.count("\n", 0, span[0]) + 1
    column = span[0] - (template.rfind("\n", 0, span[0]) + 1) + 1
    return f"Template error at line {line}, column {column}: {message}"


def _error_span(error: LiquidError, template: str) -> tuple[int, int] | None:
    """The ``{{ }}`` / ``{% %}`` markup the error points into, or a best guess."""
    index = error.token.start_index if error.token is not None else -1
    if 0 <= index <= len(template):
        return _markup_around(template, index)
    unclosed = re.match(r"expected tag end(\w+)", str(error.message))
    if unclosed:
        opening = list(re.finditer(r"\{%-?\s*" + unclosed.group(1) + r"\b", template))
        if opening:
            return _markup_around(template, opening[-1].start())
    from liquid.exceptions import LiquidError

    for markup in re.finditer(r"\{\{.*?(\}\}|$)", template, re.DOTALL):
        try:
            _environment().from_string(markup.group(0))
        except LiquidError:
            return markup.start(), markup.end()
    return None


def _markup_around(template: str, index: int) -> tuple[int, int]:
    start = max(template.rfind("{{", 0, index + 2), template.rfind("{%", 0, index + 2))
    if start < 0:
        return index, index + 1
    closer = "}}" if template.startswith("{{", start) else "%}"
    end = template.find(closer, start + 2)
    return start, (len(template) if end < 0 else end + 2)
