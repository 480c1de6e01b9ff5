"""A ticket the agent opens to a customer: what it needs, and what goes to the helpdesk (no Qt).

    ticket = NewTicket(subject="Refund for order 1182", body="…", requester_id=42, group_id=3)
    ticket.problems()     # [] or sentences naming what is missing
    ticket.payload()      # the ``POST /tickets`` ticket object (console/sync/push.py's new_ticket)
    ticket.shown()        # what the lists show until the helpdesk has it

The customer is an existing one (``requester_id``) or a new one (``requester_name`` +
``requester_email``, created by the helpdesk with the ticket, as Zendesk does for ``requester``).
The first message is a public reply or an internal note (``public``). ``ticket_type`` (question,
incident, problem, task) goes as ``type``; ``custom_fields`` ({field id: value}, values as
``console.domain.ticket_fields`` makes them) as Zendesk's ``custom_fields: [{"id", "value"}]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .statuses import PRIORITIES, TICKET_TYPES

NOT_YET = "not yet on the helpdesk"   # how a ticket still in the outbox is shown

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class NewTicket:
    subject: str
    body: str
    requester_id: int | None = None
    requester_name: str = ""
    requester_email: str = ""
    group_id: int | None = None
    assignee_id: int | None = None
    priority: str | None = None
    ticket_type: str | None = None
    tags: tuple[str, ...] = ()
    public: bool = True
    custom_fields: dict[int, Any] = field(default_factory=dict)

    def problems(self) -> list[str]:
        out = []
        if self.requester_id is None:
            if not self.requester_email.strip():
                out.append("Choose a customer, or give a new customer's email address.")
            elif not _EMAIL.match(self.requester_email.strip()):
                out.append(f"{self.requester_email.strip()} is not an email address.")
        if not self.subject.strip():
            out.append("Write a subject.")
        if not self.body.strip():
            out.append("Write the first message.")
        if self.priority not in (None, "", *PRIORITIES):
            out.append(f"Unknown priority {self.priority}.")
        if self.ticket_type not in (None, "", *TICKET_TYPES):
            out.append(f"Unknown ticket type {self.ticket_type}.")
        return out

    def payload(self) -> dict[str, Any]:
        ticket: dict[str, Any] = {"subject": self.subject.strip(),
                                  "comment": {"body": self.body, "public": self.public}}
        if self.requester_id is not None:
            ticket["requester_id"] = self.requester_id
        else:
            email = self.requester_email.strip()
            ticket["requester"] = {"email": email, "name": self.requester_name.strip() or email.split("@")[0]}
        for key, value in (("group_id", self.group_id), ("assignee_id", self.assignee_id),
                           ("priority", self.priority or None), ("type", self.ticket_type or None)):
            if value is not None:
                ticket[key] = value
        if self.tags:
            ticket["tags"] = list(self.tags)
        if self.custom_fields:
            ticket["custom_fields"] = [{"id": k, "value": v} for k, v in self.custom_fields.items()]
        return ticket

    def shown(self) -> dict[str, Any]:
        """The list's stand-in until the helpdesk has the ticket (console/store/local_tickets.py)."""
        return {"subject": self.subject.strip(), "requester_id": self.requester_id, "group_id": self.group_id,
                "assignee_id": self.assignee_id, "priority": self.priority or None, "type": self.ticket_type or None,
                "tags": list(self.tags), "status": "new" if self.assignee_id is None else "open",
                "custom_fields": [{"id": k, "value": v} for k, v in self.custom_fields.items()]}
