"""Turns a ticket's conversation into rows: ticket, audits (Create/Change events) and comments."""

from __future__ import annotations

import html
import sqlite3
import time
from dataclasses import dataclass, field

import orjson

from console.demo.catalog import TicketFacts
from console.demo.people import SUPPORT_ADDRESS, Person
from console.server.db import iso

WEB_VIA = '{"channel":"web","source":{"from":{},"to":{},"rel":null}}'
AUTOMATION_VIA = orjson.dumps({"channel": "rule", "source": {
    "from": {"id": 1, "title": "Close ticket 4 days after status is set to solved"}, "to": {},
    "rel": "automation"}}).decode()
SYSTEM_AUTHOR = -1          # Zendesk's author id for automations
EMPTY_METADATA = '{"system":{},"custom":{}}'
# Where the team works from: an agent's reply carries the browser, address and place it was written
# from (Zendesk's audit ``metadata.system``), the same for each agent.
AGENT_PLACES = (("Dublin, D, Ireland", 53.3498, -6.2603), ("Lisbon, 11, Portugal", 38.7223, -9.1393),
                ("Austin, TX, United States", 30.2672, -97.7431))
AGENT_CLIENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CLOSE_AFTER = 4 * 86400

TICKET_SQL = ("INSERT INTO tickets (id, external_id, subject, description, status, priority, type, "
              "requester_id, submitter_id, assignee_id, group_id, tags, via, is_public, created_at, "
              "updated_at, created_ts, updated_ts, generated_ts, custom_status_id, satisfaction_rating, brand_id, "
              "ticket_form_id) VALUES (" + ",".join("?" * 23) + ")")
AUDIT_SQL = ("INSERT INTO audits (id, ticket_id, author_id, created_at, created_ts, via, metadata, events, "
             "comment_id) VALUES (?,?,?,?,?,?,?,?,?)")
COMMENT_SQL = ("INSERT INTO comments (id, ticket_id, audit_id, author_id, body, html_body, public, via, "
               "created_at, created_ts, original_body) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
ATTACHMENT_SQL = ("INSERT INTO attachments (id, comment_id, content_token, file_name, content_type, size, "
                  "content, created_at) VALUES (?,?,?,?,?,?,?,?)")


_PARAGRAPHS: dict[str, str] = {}   # a paragraph's text → its HTML: the bulk texts come from small pools


def text_to_html(text: str) -> str:
    """Plain text → the comment HTML Zendesk shows: one paragraph per blank-line block."""
    parts = []
    for paragraph in text.split("\n\n"):
        done = _PARAGRAPHS.get(paragraph)
        if done is None:
            if len(_PARAGRAPHS) > 100_000:
                _PARAGRAPHS.clear()
            escaped = html.escape(paragraph).replace("\n", "<br>")
            done = _PARAGRAPHS[paragraph] = f'<p dir="auto">{escaped}</p>'
        parts.append(done)
    return '<div class="zd-comment" dir="auto">' + "".join(parts) + "</div>"


def email_via(person: Person) -> str:
    return orjson.dumps({"channel": "email", "source": {
        "from": {"address": person.email, "name": person.name}, "to": SUPPORT_ADDRESS, "rel": None}}).decode()


@dataclass
class Message:
    """One comment of a conversation, in order."""
    author: Person
    body: str
    ts: int
    from_customer: bool
    public: bool = True
    html_body: str | None = None
    attachments: list[tuple[str, str, bytes, str]] = field(default_factory=list)  # name, type, bytes, token


@dataclass
class TicketSpec:
    """What a ticket is besides its conversation."""
    subject: str
    requester: Person
    group_id: int
    status: str                 # the final status
    priority: str | None
    tags: list[str]
    assignee_id: int | None = None
    type: str | None = "question"
    external_id: str | None = None
    triage_agent_id: int = SYSTEM_AUTHOR   # who moves the status when no agent comment does


class ThreadWriter:
    """Buffers ticket/audit/comment rows with explicit ids and writes them with executemany."""

    def __init__(self, conn: sqlite3.Connection, *, anchor_ts: int, facts: TicketFacts):
        self.conn = conn
        self.anchor_ts = anchor_ts
        self.facts = facts
        self.ticket_id = self.audit_id = self.event_id = self.attachment_id = 0
        self.tickets: list[tuple] = []
        self.audits: list[tuple] = []
        self.comments: list[tuple] = []
        self.attachments: list[tuple] = []
        self.counts = {"tickets": 0, "audits": 0, "comments": 0, "attachments": 0}
        self._metadata: dict[int, str] = {}
        self._vias: dict[int, str] = {}        # a customer's email ``via``, by user id
        self._mail_templates: dict[str, str] = {}

    def _event(self, kind: str, name: str, value, previous=None) -> dict:
        self.event_id += 1
        event = {"id": self.event_id, "type": kind, "field_name": name, "value": value}
        if kind == "Change":
            event["previous_value"] = previous
        return event

    def add(self, spec: TicketSpec, thread: list[Message]) -> int:
        """Write one ticket; statuses move with the conversation and end on ``spec.status``."""
        self.ticket_id += 1
        tid = self.ticket_id
        first = thread[0]
        status, assignee = "new", None
        final = "solved" if spec.status == "closed" else spec.status
        events_first = [self._event("Create", "subject", spec.subject),
                        self._event("Create", "requester_id", str(spec.requester.id)),
                        self._event("Create", "status", "new"),
                        self._event("Create", "priority", spec.priority),
                        self._event("Create", "type", spec.type),
                        self._event("Create", "group_id", str(spec.group_id)),
                        self._event("Create", "tags", spec.tags)]
        last_index = len(thread) - 1
        answered: Message | None = None
        for index, msg in enumerate(thread):
            events = events_first if index == 0 else []
            if index:
                if msg.from_customer:
                    new_status = "open" if status in ("pending", "solved", "hold") else status
                else:
                    if assignee is None and spec.assignee_id is not None:
                        events.append(self._event("Change", "assignee_id", str(spec.assignee_id), None))
                        assignee = spec.assignee_id
                    new_status = "pending" if msg.public else ("open" if status == "new" else status)
                    if index == last_index:
                        new_status = final
                if new_status != status:
                    events.append(self._event("Change", "status", new_status, status))
                    status = new_status
            self._comment(tid, msg, events, answered)
            answered = None if msg.from_customer else (msg if msg.public else answered)
        updated_ts = thread[-1].ts
        needs_assignee = spec.assignee_id is not None and assignee is None and final != "new"
        if status != final or needs_assignee:      # an agent triages without writing a comment
            updated_ts = max(updated_ts, min(updated_ts + 300, self.anchor_ts - 60))
            events = []
            if needs_assignee:
                events.append(self._event("Change", "assignee_id", str(spec.assignee_id), None))
                assignee = spec.assignee_id
            if status != final:
                events.append(self._event("Change", "status", final, status))
            self._bare_audit(tid, spec.assignee_id or spec.triage_agent_id, updated_ts, WEB_VIA, events)
        if spec.status == "closed":
            updated_ts = max(updated_ts, min(updated_ts + CLOSE_AFTER, self.anchor_ts - 60))
            events = [self._event("Change", "status", "closed", "solved")]
            self._bare_audit(tid, SYSTEM_AUTHOR, updated_ts, AUTOMATION_VIA, events)
        via = self._email_via(spec.requester) if first.from_customer else WEB_VIA
        self.tickets.append((tid, spec.external_id, spec.subject, first.body, spec.status, spec.priority,
                             spec.type, spec.requester.id, first.author.id, assignee, spec.group_id,
                             orjson.dumps(spec.tags).decode(), via, int(any(m.public for m in thread)),
                             iso(first.ts), iso(updated_ts), first.ts, updated_ts, updated_ts,
                             *self.facts(tid, spec.group_id, spec.status)))
        return tid

    def _bare_audit(self, tid: int, author_id: int, ts: int, via: str, events: list[dict]) -> None:
        self.audit_id += 1
        self.audits.append((self.audit_id, tid, author_id, iso(ts), ts, via, EMPTY_METADATA,
                            orjson.dumps(events).decode(), None))

    def _comment(self, tid: int, msg: Message, events: list[dict], answered: Message | None = None) -> None:
        """One comment and its audit; a customer's email answering ``answered`` (the agent's last public
        reply) keeps that reply quoted under it in its original ``body``, as mail clients send it."""
        self.audit_id += 1
        self.event_id += 1
        comment_id = self.event_id
        via = self._email_via(msg.author) if msg.from_customer else WEB_VIA
        stamp = iso(msg.ts)
        metadata = self._email_metadata(comment_id, msg) if msg.from_customer else self._agent_metadata(msg.author.id)
        self.audits.append((self.audit_id, tid, msg.author.id, stamp, msg.ts, via, metadata,
                            orjson.dumps(events).decode(), comment_id))
        original = None
        if msg.from_customer and answered is not None and msg.html_body is None:
            quoted = "\n".join(f"> {line}" for line in answered.body.splitlines()[:3])
            original = (f"{msg.body}\n\nOn {time.strftime('%a, %d %b %Y at %H:%M', time.gmtime(answered.ts))}, "
                        f"{SUPPORT_ADDRESS['name']} <{SUPPORT_ADDRESS['address']}> wrote:\n{quoted}")
        self.comments.append((comment_id, tid, self.audit_id, msg.author.id, msg.body,
                              msg.html_body or text_to_html(msg.body), int(msg.public), via, stamp, msg.ts,
                              original))
        for name, content_type, content, token in msg.attachments:
            self.attachment_id += 1
            self.attachments.append((self.attachment_id, comment_id, token, name, content_type, len(content),
                                     content, stamp))

    def _email_via(self, person: Person) -> str:
        found = self._vias.get(person.id)
        if found is None:
            found = self._vias[person.id] = email_via(person)
        return found

    def _agent_metadata(self, agent_id: int) -> str:
        found = self._metadata.get(agent_id)
        if found is None:
            place, latitude, longitude = AGENT_PLACES[agent_id % len(AGENT_PLACES)]
            found = self._metadata[agent_id] = orjson.dumps({"system": {
                "client": AGENT_CLIENT, "ip_address": f"198.51.100.{10 + agent_id % 200}", "location": place,
                "latitude": latitude, "longitude": longitude}, "custom": {}}).decode()
        return found

    def _email_metadata(self, comment_id: int, msg: Message) -> str:
        """``{"system":{"message_id":…,"email_id":…},"custom":{}}`` as orjson writes it, from a template
        per mail domain (the domain JSON-escaped once): one of these per customer comment."""
        domain = msg.author.email.rsplit("@", 1)[-1] if msg.author.email else "mail.example"
        template = self._mail_templates.get(domain)
        if template is None:
            escaped = orjson.dumps(domain).decode()[1:-1].replace("%", "%%")
            template = self._mail_templates[domain] = (
                '{"system":{"message_id":"<%d.%d@' + escaped + '>","email_id":"01DEMO%010d"},"custom":{}}')
        return template % (comment_id, msg.ts, comment_id)

    def flush(self) -> None:
        """Write the buffered rows (the caller owns the transaction)."""
        for sql, rows, key in ((TICKET_SQL, self.tickets, "tickets"), (AUDIT_SQL, self.audits, "audits"),
                               (COMMENT_SQL, self.comments, "comments"),
                               (ATTACHMENT_SQL, self.attachments, "attachments")):
            if rows:
                self.conn.executemany(sql, rows)
                self.counts[key] += len(rows)
                rows.clear()
