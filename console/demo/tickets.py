"""The bulk of the demo workspace: realistic tickets drawn from per-department text pools."""

from __future__ import annotations

import random
from collections.abc import Callable

from console.demo.data import Weighted, load
from console.demo.people import Customers, Person, Staff
from console.demo.threads import Message, ThreadWriter, TicketSpec

DAY = 86400
SPAN_DAYS = 120
CHUNK = 2000
# (age limit in days, {final status: weight}): older tickets are mostly solved or closed.
STATUS_BY_AGE = tuple((limit, Weighted(weights, weights.values())) for limit, weights in (
    (1, {"new": 45, "open": 33, "pending": 15, "hold": 2, "solved": 5}),
    (3, {"new": 10, "open": 33, "pending": 35, "hold": 5, "solved": 17}),
    (7, {"open": 20, "pending": 30, "hold": 5, "solved": 35, "closed": 10}),
    (14, {"open": 8, "pending": 12, "hold": 3, "solved": 17, "closed": 60}),
    (10**6, {"open": 3, "pending": 4, "hold": 1, "solved": 2, "closed": 90}),
))
COMMENT_COUNTS = Weighted((2, 3, 4, 5, 6, 7, 8, 9, 10), (14, 18, 19, 16, 12, 9, 6, 4, 2))
PRIORITIES = Weighted(("low", "normal", "high", "urgent", None), (15, 55, 18, 5, 7))
TYPES = Weighted(("question", "incident", "problem", "task", None), (70, 15, 5, 3, 7))
AGENT_LAST = {"pending", "solved", "closed", "hold"}


class TicketGenerator:
    """Draws departments, topics, requesters, statuses and conversations from one seeded Random."""

    def __init__(self, rng: random.Random, staff: Staff, customers: Customers, *, anchor_ts: int):
        self.rng, self.staff, self.customers, self.anchor_ts = rng, staff, customers, anchor_ts
        # the lapsed customers, joined once (joined per ticket it was ~70k names copied at a million)
        self.lapsed = customers.by_status.get("inactive", []) + customers.by_status.get("canceled", [])
        self.texts = load("ticket_texts")
        depts = load("departments")["departments"]
        self.departments = Weighted([(staff.group_ids[d["name"]], d["tag"], self.texts["departments"][d["name"]])
                                     for d in depts], [d["share"] for d in depts])

    def write(self, writer: ThreadWriter, count: int, progress: Callable[[int, int], None] | None = None) -> None:
        rng = self.rng
        created = sorted(self.anchor_ts - rng.randint(600, SPAN_DAYS * DAY) for _ in range(count))
        for done, created_ts in enumerate(created, start=1):
            spec, thread = self.ticket(created_ts)
            writer.add(spec, thread)
            if done % CHUNK == 0 or done == count:
                writer.flush()
                if progress:
                    progress(done, count)

    def ticket(self, created_ts: int) -> tuple[TicketSpec, list[Message]]:
        rng = self.rng
        group_id, dept_tag, topics = self.departments.draw(rng)
        topic = rng.choice(topics)
        requester = self.requester(topic["requester"])
        age_days = (self.anchor_ts - created_ts) / DAY
        status = next(w for limit, w in STATUS_BY_AGE if age_days < limit).draw(rng)
        members = self.staff.members[group_id]
        agent_id = rng.choice(members)
        agent = self.staff.agents.get(agent_id) or self.staff.demo["agent"]
        thread = self.conversation(topic, requester, agent, status, created_ts)
        if status == "closed" and thread[-1].ts + 4 * DAY >= self.anchor_ts:
            status = "solved"
        assignee = None if status == "new" or (status == "open" and rng.random() < 0.15) else agent.id
        spec = TicketSpec(subject=rng.choice(topic["subjects"]), requester=requester, group_id=group_id,
                          status=status, priority=PRIORITIES.draw(rng), tags=[dept_tag, *topic["tags"]],
                          assignee_id=assignee, type=TYPES.draw(rng), triage_agent_id=agent.id)
        return spec, thread

    def requester(self, kind: str) -> Person:
        rng, pools = self.rng, self.customers
        if kind == "merchant":
            return rng.choice(pools.merchants)
        if kind == "prospect":
            trials = pools.by_status.get("trial")
            return rng.choice(trials) if trials and rng.random() < 0.3 else rng.choice(pools.prospects)
        if kind == "inactive":
            return rng.choice(self.lapsed or pools.with_account)
        if kind == "affiliate" and pools.affiliates:
            return rng.choice(pools.affiliates)
        return rng.choice(pools.with_account)

    def roles(self, status: str) -> list[str]:
        """c = customer, a = agent reply, n = internal note."""
        rng = self.rng
        if status == "new":
            return ["c"] if rng.random() < 0.8 else ["c", "c"]
        count = COMMENT_COUNTS.draw(rng)
        roles, turn = ["c"], "a"
        while len(roles) < count:
            if turn == "a" and roles[-1] != "n" and rng.random() < 0.12:
                roles.append("n")
                continue
            roles.append(turn)
            turn = "c" if turn == "a" else "a"
        if status in AGENT_LAST and roles[-1] != "a":
            roles.append("a")
        return roles

    def conversation(self, topic: dict, requester: Person, agent: Person, status: str,
                     created_ts: int) -> list[Message]:
        rng, texts = self.rng, self.texts
        roles = self.roles(status)
        gaps = [rng.randint(600, 20 * 3600) if role != "c" else rng.randint(1800, 3 * DAY) for role in roles[1:]]
        room = self.anchor_ts - 60 - created_ts
        total = sum(gaps)
        if total > room:
            gaps = [gap * room // total for gap in gaps]
        ts = created_ts
        first = requester.first_name
        sign = f"Kind regards,\n{agent.name}"
        thread = []
        replied = False
        for index, role in enumerate(roles):
            if index:
                ts += gaps[index - 1]
            last = index == len(roles) - 1
            if role == "c":
                if index == 0:
                    text = rng.choice(topic["openings"])
                elif status in ("solved", "closed") and index == len(roles) - 2:
                    text = rng.choice(texts["generic_customer_thanks"])
                else:
                    text = rng.choice(texts["generic_customer_followups"])
                body = (f"{rng.choice(texts['customer_greetings'])}\n\n{text}\n\n"
                        f"{rng.choice(texts['customer_sign_offs'])}\n{first}")
                thread.append(Message(requester, body, ts, True))
            elif role == "n":
                thread.append(Message(agent, rng.choice(texts["internal_notes"]), ts, False, public=False))
            else:
                if not replied:
                    text = rng.choice(topic["agent_replies"])
                    replied = True
                elif last and status in ("solved", "closed"):
                    text = rng.choice(texts["generic_agent_closings"])
                else:
                    text = rng.choice(texts["generic_agent_followups"])
                thread.append(Message(agent, f"Hi {first},\n\n{text}\n\n{sign}", ts, False))
        return thread
