"""Canned replies (macros) and department queues (views) of the demo workspace."""

from __future__ import annotations

import sqlite3

import orjson

from console.demo.data import load
from console.domain.languages import CHECKOUT_LANGUAGES
from console.server.db import iso

DAY = 86400
VIEW_COLUMNS = [{"id": "status", "title": "Status"}, {"id": "subject", "title": "Subject"},
                {"id": "requester", "title": "Requester"}, {"id": "assignee", "title": "Assignee"},
                {"id": "updated", "title": "Updated"}]


def _dumps(value) -> str:
    return orjson.dumps(value).decode()


def group_restriction(group_id: int) -> dict:
    return {"type": "Group", "id": group_id, "ids": [group_id]}


def macro_actions(reply: dict, group_ids: dict[str, int], *, greeting: str, sign_off: str) -> list[dict]:
    """A canned reply's JSON definition → Zendesk macro actions (department names resolved to ids).

    A fragment (``"fragment": true``) is only its text, as an internal note that changes nothing: it
    is included by replies (console/domain/fragments.py) and is inactive, so no one applies it alone."""
    text = "\n\n".join(reply["body"])
    if reply.get("fragment"):
        return [{"field": "comment_value", "value": text}, {"field": "comment_mode_is_public", "value": "false"}]
    internal = reply.get("internal", False)
    if not internal:
        text = f"{greeting}\n\n{text}\n\n{sign_off}"
    actions = [{"field": "comment_value", "value": text},
               {"field": "comment_mode_is_public", "value": "false" if internal else "true"}]
    department = reply.get("group") or reply.get("department")
    if department:
        actions.append({"field": "group_id", "value": str(group_ids[department])})
    if not internal:
        actions.append({"field": "assignee_id", "value": "current_user"})
    if reply.get("status"):
        actions.append({"field": "status", "value": reply["status"]})
    if reply.get("set_tags"):
        actions.append({"field": "set_tags", "value": reply["set_tags"]})
    if reply.get("tags"):
        actions.append({"field": "current_tags", "value": reply["tags"]})
    return actions


def canned_reply_definitions() -> list[dict]:
    """Every demo canned reply in macro order: the English ones and fragments, then the translations
    (title + `` [xx]``, the English reply's department, the language's greeting and sign-off)."""
    spec, translated = load("canned_replies"), load("translations")
    english = {r["title"]: r for r in spec["canned_replies"]}
    out = [{**r, "greeting": spec["greeting"], "sign_off": spec["sign_off"]} for r in spec["canned_replies"]]
    for item in translated["translations"]:
        language = item["language"]
        if item.get("fragment"):
            out.append({"title": f"{item['of']} [{language}]", "topic": "fragment", "department": None,
                        "fragment": True, "description": item["description"], "body": item["body"]})
            continue
        original = english[item["of"]]
        summary, *assumes = original["description"].split("\nAssumes:")
        description = f"{summary} ({CHECKOUT_LANGUAGES[language]})" + "".join(f"\nAssumes:{a}" for a in assumes)
        out.append({**original, "title": f"{item['of']} [{language}]", "description": description,
                    "body": item["body"], "greeting": translated["greetings"][language],
                    "sign_off": translated["sign_offs"][language]})
    return out


def write_macros(conn: sqlite3.Connection, group_ids: dict[str, int], *, anchor_ts: int) -> int:
    stamp = iso(anchor_ts - 300 * DAY)
    rows = []
    for position, reply in enumerate(canned_reply_definitions(), start=1):
        restriction = group_restriction(group_ids[reply["department"]]) if reply.get("department") else None
        actions = macro_actions(reply, group_ids, greeting=reply.get("greeting", ""), sign_off=reply.get("sign_off", ""))
        rows.append((position, reply["title"], reply["description"], 0 if reply.get("fragment") else 1, position,
                     _dumps(restriction) if restriction else None, _dumps(actions), stamp, stamp))
    conn.executemany("INSERT INTO macros (id, title, description, active, position, restriction, actions, "
                     "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    return len(rows)


def view_definitions(group_ids: dict[str, int]) -> list[dict]:
    """One queue per department, then Unassigned and My tickets (helpdesk-api.md §10.1 conditions)."""
    unsolved = {"field": "status", "operator": "less_than", "value": "solved"}
    views = [{"title": f"{name} — unsolved", "description": f"Open work for {name}",
              "restriction": group_restriction(gid),
              "conditions": {"all": [unsolved, {"field": "group_id", "operator": "is", "value": str(gid)}],
                             "any": []}}
             for name, gid in group_ids.items()]
    views.append({"title": "Unassigned", "description": "Unsolved tickets nobody has taken yet",
                  "restriction": None,
                  "conditions": {"all": [{"field": "assignee_id", "operator": "is", "value": ""}, unsolved],
                                 "any": []}})
    views.append({"title": "My tickets", "description": "Unsolved tickets assigned to me", "restriction": None,
                  "conditions": {"all": [{"field": "assignee_id", "operator": "is", "value": "current_user"},
                                         unsolved], "any": []}})
    return views


def write_views(conn: sqlite3.Connection, group_ids: dict[str, int], *, anchor_ts: int) -> int:
    stamp = iso(anchor_ts - 300 * DAY)
    execution = {"group_by": "status", "group_order": "asc", "sort_by": "updated", "sort_order": "desc",
                 "group": {"id": "status", "title": "Status", "order": "asc"},
                 "sort": {"id": "updated", "title": "Updated", "order": "desc"},
                 "columns": VIEW_COLUMNS, "fields": VIEW_COLUMNS, "custom_fields": []}
    rows = []
    for position, view in enumerate(view_definitions(group_ids), start=1):
        restriction = view["restriction"]
        rows.append((position, view["title"], view["description"], position,
                     _dumps(restriction) if restriction else None, _dumps(view["conditions"]),
                     _dumps(execution), stamp, stamp))
    conn.executemany("INSERT INTO views (id, title, description, position, restriction, conditions, execution, "
                     "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    return len(rows)


# The account's custom ticket statuses: each category's default (its plain name) plus a few of the
# team's own, the way a real account has them (ids as Zendesk's: large, unordered).
CUSTOM_STATUSES = (
    (7001, "new", "New", "Open", "", True),
    (7002, "open", "Open", "Open", "", True),
    (7003, "pending", "Pending", "Awaiting your reply", "", True),
    (7004, "hold", "On-hold", "Open", "", True),
    (7005, "solved", "Solved", "Solved", "", True),
    (7011, "pending", "Waiting on the customer's bank", "Awaiting your bank",
     "The refund or card update waits for the customer's bank to confirm", False),
    (7012, "open", "Escalated to engineering", "Open", "A bug report with the product team", False),
    (7013, "hold", "Waiting on a refund approval", "Open", "Billing waits for a refund to be approved", False),
)


# The account's ticket fields: Zendesk's system fields, then the custom ones an agent fills in
# (id, type, title, description, options as (value, name)).
TICKET_FIELDS = (
    (8001, "subject", "Subject", "", ()),
    (8002, "description", "Description", "", ()),
    (8003, "status", "Status", "", ()),
    (8004, "tickettype", "Type", "", (("question", "Question"), ("incident", "Incident"), ("problem", "Problem"),
                                      ("task", "Task"))),
    (8005, "priority", "Priority", "", ()),
    (8006, "group", "Group", "", ()),
    (8007, "assignee", "Assignee", "", ()),
    (8101, "text", "Order number", "The order the ticket is about (as on the invoice)", ()),
    (8102, "tagger", "Product area", "Where in the product the question is",
     (("area_checkout", "Checkout"), ("area_payouts", "Payouts"), ("area_invoices", "Invoices"),
      ("area_account", "Account access"), ("area_affiliates", "Affiliates"))),
    (8103, "decimal", "Refund amount", "Amount to refund, in the account's currency", ()),
    (8104, "checkbox", "Callback requested", "The customer asked to be called back", ()),
)


def write_ticket_fields(conn: sqlite3.Connection, *, anchor_ts: int) -> int:
    stamp = iso(anchor_ts - 300 * DAY)
    conn.executemany(
        "INSERT INTO ticket_fields (id, type, title, description, position, custom_field_options, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?,?)",
        [(fid, kind, title, description, position,
          orjson.dumps([{"id": fid * 100 + i, "name": name, "value": value}
                        for i, (value, name) in enumerate(options, 1)]).decode(),
          stamp, stamp)
         for position, (fid, kind, title, description, options) in enumerate(TICKET_FIELDS, start=1)])
    return len(TICKET_FIELDS)


def write_custom_statuses(conn: sqlite3.Connection, *, anchor_ts: int) -> int:
    stamp = iso(anchor_ts - 300 * DAY)
    conn.executemany("INSERT INTO custom_statuses (id, status_category, agent_label, end_user_label, description, "
                     "is_default, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                     [(*row[:5], int(row[5]), stamp, stamp) for row in CUSTOM_STATUSES])
    return len(CUSTOM_STATUSES)


# Two brands and two ticket forms, so the console shows which a ticket came through: affiliates write
# to the partner brand, billing questions come in on their own form (ids as Zendesk's: large).
BRANDS = ((9001, "Support Console Demo", "demo", True), (9002, "Demo Partners", "demo-partners", False))
TICKET_FORMS = ((9101, "Default ticket form", "Get in touch", 1, True),
                (9102, "Billing request", "A question about a charge or an invoice", 2, False))
PARTNER_DEPARTMENT, BILLING_DEPARTMENT = "Affiliate Program", "Billing"


def write_brands_and_forms(conn: sqlite3.Connection, *, anchor_ts: int) -> None:
    """The account's brands and forms (each ticket's come with it: ``TicketFacts``)."""
    stamp = iso(anchor_ts - 300 * DAY)
    conn.executemany("INSERT INTO brands (id, name, subdomain, is_default, created_at, updated_at) "
                     "VALUES (?,?,?,?,?,?)", [(*row[:3], int(row[3]), stamp, stamp) for row in BRANDS])
    conn.executemany("INSERT INTO ticket_forms (id, name, display_name, position, is_default, created_at, updated_at) "
                     "VALUES (?,?,?,?,?,?,?)", [(*row[:4], int(row[4]), stamp, stamp) for row in TICKET_FORMS])


DEFAULT_STATUS_IDS = {category: sid for sid, category, *_, default in CUSTOM_STATUSES if default}
BANK_WAIT_STATUS = 7011          # every other pending ticket waits on the customer's bank
RATINGS = ('{"score":"bad","comment":"Took three days to get an answer"}',     # every 5th solved ticket
           '{"score":"good","comment":"Quick and kind, thanks"}',             # the other even ones
           '{"score":"offered","comment":null}')                              # the rest: asked, no answer


class TicketFacts:
    """What the catalog gives each demo ticket as it is written, in id order: its custom status (its
    category's default; every other pending one waits on the bank), its satisfaction rating (solved and
    closed ones), its brand (affiliates write to the partner brand) and its form (billing has its own)."""

    def __init__(self, group_ids: dict[str, int]):
        self.partner, self.billing = group_ids.get(PARTNER_DEPARTMENT), group_ids.get(BILLING_DEPARTMENT)
        self.pending = 0

    def __call__(self, tid: int, group_id: int, status: str) -> tuple[int | None, str | None, int, int]:
        custom = DEFAULT_STATUS_IDS.get(status)          # closed tickets have none
        if status == "pending":
            self.pending += 1
            if self.pending % 2:
                custom = BANK_WAIT_STATUS
        rating = None
        if status in ("solved", "closed"):
            rating = RATINGS[0] if tid % 5 == 0 else RATINGS[1] if tid % 2 == 0 else RATINGS[2]
        return (custom, rating, BRANDS[1][0] if group_id == self.partner else BRANDS[0][0],
                TICKET_FORMS[1][0] if group_id == self.billing else TICKET_FORMS[0][0])
