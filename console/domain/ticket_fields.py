"""The account's ticket fields (Zendesk's ``GET ticket_fields``): which are custom, and their values (no Qt).

    SYSTEM_TICKET_FIELDS          # subject, status, tickettype...: fields the ticket has as columns
    field = CustomField.from_api(raw)   # None for a system field or a type the console can't edit
    field.value("12.50")          # the value to send (12.5 for a decimal), or raises FieldValueError
    field.shown(value)            # how the agent reads a value ("Checkout" for a tagger's tag)

Values go to the helpdesk as ``custom_fields: [{"id": ..., "value": ...}]``: text and textarea as
the text, integer/decimal as numbers, checkbox as true/false, tagger as the option's tag value,
date as YYYY-MM-DD; an empty text means "not set" (no entry is sent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

SYSTEM_TICKET_FIELDS = frozenset({"subject", "description", "status", "tickettype", "priority", "group",
                                  "assignee", "custom_status"})
EDITABLE_TYPES = frozenset({"text", "textarea", "integer", "decimal", "checkbox", "tagger", "date", "regexp"})


class FieldValueError(ValueError):
    """A value the field can't take; the message names the field."""


@dataclass(frozen=True)
class CustomField:
    id: int
    type: str
    title: str
    description: str = ""
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()   # tagger: (tag value, name)
    pattern: str = ""                           # regexp: what the text must match

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> CustomField | None:
        kind = raw.get("type")
        if kind in SYSTEM_TICKET_FIELDS or kind not in EDITABLE_TYPES or not isinstance(raw.get("id"), int):
            return None
        options = tuple((str(o.get("value")), str(o.get("name") or o.get("value")))
                        for o in raw.get("custom_field_options") or () if isinstance(o, dict) and o.get("value"))
        return cls(raw["id"], str(kind), str(raw.get("title") or f"Field {raw['id']}"),
                   str(raw.get("agent_description") or raw.get("description") or ""), bool(raw.get("required")),
                   options, str(raw.get("regexp_for_validation") or ""))

    def value(self, entered: Any) -> Any:
        """The value to send for what the agent entered; None = not set."""
        if self.type == "checkbox":
            return bool(entered)
        text = "" if entered is None else str(entered).strip()
        if not text:
            return None
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", text):
                raise FieldValueError(f"{self.title} must be a whole number.")
            return int(text)
        if self.type == "decimal":
            try:
                return float(text.replace(",", "."))
            except ValueError:
                raise FieldValueError(f"{self.title} must be a number.") from None
        if self.type == "date":
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise FieldValueError(f"{self.title} must be a date (YYYY-MM-DD).") from None
        if self.type == "tagger" and text not in {v for v, _ in self.options}:
            raise FieldValueError(f"{self.title}: {text} is not one of its options.")
        if self.type == "regexp" and self.pattern and not re.fullmatch(self.pattern, text):
            raise FieldValueError(f"{self.title} is not in the expected form.")
        return text

    def shown(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if self.type == "checkbox":
            return "yes" if value else "no"
        if self.type == "tagger":
            return next((name for tag, name in self.options if tag == value), str(value))
        if self.type == "decimal" and isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


def custom_fields(raw_fields: list[dict[str, Any]]) -> list[CustomField]:
    """The fields of a ``ticket_fields`` list an agent can fill in, in the helpdesk's order."""
    return [f for f in (CustomField.from_api(r) for r in raw_fields) if f is not None]
